import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ConsoleConfigDocument } from './config-document.js';

/**
 * Serves the built moderator console (console/dist) under /console/, unauthenticated, from a
 * Lambda behind the HTTP API (and, locally, the same handler behind the API emulation):
 *
 *   GET /console              ─▶ 308 to /console/ (API Gateway routes /console/ to the /console route)
 *   GET /console/config.json  ─▶ the runtime configuration (how to sign in), never cached
 *   GET /console/assets/*     ─▶ the hashed bundle files: cached for a year, immutable
 *   GET /console/<file>       ─▶ that file, revalidated every time
 *   GET /console/<anything>   ─▶ index.html (the app routes in the browser: deep links work)
 *
 * Text is gzipped when the browser accepts it (API Gateway does not compress). Files are read
 * once per container: a deployment replaces the container along with the files.
 */

export const CONSOLE_BASE = '/console';

export interface ConsoleRequest {
  method: string;
  path: string;
  /** The raw query string (kept across the /console → /console/ redirect: an OIDC callback carries its code there). */
  query?: string;
  headers: Record<string, string | undefined>;
}

export interface ConsoleResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export interface ConsoleAssetsOptions {
  /** The folder vite built (it holds index.html). */
  root: string;
  config: () => Promise<ConsoleConfigDocument>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const COMPRESSIBLE = /^(?:text\/|application\/json|image\/svg)/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

interface LoadedFile {
  body: Buffer;
  gzipped?: Buffer;
  contentType: string;
  etag: string;
}

/** Security headers for every answer: the console talks to its own origin and the identity provider only. */
export function securityHeaders(config: ConsoleConfigDocument | undefined): Record<string, string> {
  const identityProvider = config?.auth.kind === 'oidc' ? ` ${new URL(config.auth.tokenEndpoint).origin}` : '';
  const authorize = config?.auth.kind === 'oidc' ? ` ${new URL(config.auth.authorizationEndpoint).origin}` : '';
  return {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self'${identityProvider}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      `form-action 'self'${authorize}`,
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

export function createConsoleAssets(options: ConsoleAssetsOptions) {
  const cache = new Map<string, LoadedFile | null>();

  /** The file under root for a URL path, or null; never anything outside root. */
  const load = (relative: string): LoadedFile | null => {
    if (cache.has(relative)) return cache.get(relative)!;
    let file: LoadedFile | null = null;
    const full = normalize(join(options.root, relative));
    if (full.startsWith(normalize(options.root) + sep)) {
      try {
        if (statSync(full).isFile()) {
          const body = readFileSync(full);
          const contentType = CONTENT_TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream';
          file = {
            body,
            contentType,
            etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
            ...(COMPRESSIBLE.test(contentType) && body.length > 512 ? { gzipped: gzipSync(body, { level: 9 }) } : {}),
          };
        }
      } catch {
        file = null;
      }
    }
    cache.set(relative, file);
    return file;
  };

  const send = (request: ConsoleRequest, file: LoadedFile, cacheControl: string, security: Record<string, string>): ConsoleResponse => {
    const headers: Record<string, string> = { 'content-type': file.contentType, 'cache-control': cacheControl, etag: file.etag, vary: 'accept-encoding', ...security };
    if (request.headers['if-none-match'] === file.etag) return { statusCode: 304, headers, body: '', isBase64Encoded: false };
    const gzip = file.gzipped && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip ? file.gzipped! : file.body;
    return { statusCode: 200, headers, body: body.toString('base64'), isBase64Encoded: true };
  };

  const text = (statusCode: number, body: string, headers: Record<string, string>): ConsoleResponse => ({
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body,
    isBase64Encoded: false,
  });

  return async function serve(request: ConsoleRequest): Promise<ConsoleResponse> {
    let config: ConsoleConfigDocument | undefined;
    let configError: unknown;
    try {
      config = await options.config();
    } catch (error) {
      configError = error;
    }
    const security = securityHeaders(config);
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'The console is read-only: use GET.', { allow: 'GET, HEAD', ...security });
    if (request.path === CONSOLE_BASE) {
      return { statusCode: 308, headers: { location: `${CONSOLE_BASE}/${request.query ? `?${request.query}` : ''}`, 'cache-control': 'no-store', ...security }, body: '', isBase64Encoded: false };
    }
    if (!request.path.startsWith(`${CONSOLE_BASE}/`)) return text(404, 'Not part of the console.', security);

    let relative: string;
    try {
      relative = decodeURIComponent(request.path.slice(CONSOLE_BASE.length + 1));
    } catch {
      return text(400, 'The path is not valid URL encoding.', security);
    }
    if (relative.includes('\0') || relative.split('/').includes('..')) return text(400, 'The path may not leave the console.', security);

    if (relative === 'config.json') {
      if (!config) return text(502, `The console cannot tell how to sign in: ${String(configError)}`, security);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...security },
        body: JSON.stringify(config),
        isBase64Encoded: false,
      };
    }
    const index = load('index.html');
    if (!index) return text(503, 'The console is not built. Run `npm run build:console` (npm install and npm start do it for you).', security);
    if (relative === '' || relative === 'index.html') return send(request, index, REVALIDATE, security);

    const file = load(relative);
    if (file) return send(request, file, relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE, security);
    // A missing bundle file is a 404 (an old page asking for a replaced hash must not get HTML
    // as JavaScript); any other path is a route of the app.
    if (relative.startsWith('assets/') || /\.(?:js|mjs|css|map|png|svg|ico|woff2?)$/i.test(relative)) return text(404, `No such file: ${relative}`, security);
    return send(request, index, REVALIDATE, security);
  };
}
