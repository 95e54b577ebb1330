import { createServer, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errors as joseErrors, type JWTPayload } from 'jose';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from '../http/problems.js';
import { pathPattern } from '../http/route-paths.js';
import { accessOf, type Route } from '../http/route.js';
import { LOCAL_TOKEN_PATH } from '../console-host/settings.js';
import type { LocalIssuer } from './issuer.js';
import { ACCOUNT_ID, type LocalLambda } from './lambda-runtime.js';
import { readBody } from './read-body.js';

/**
 * API Gateway HTTP API, locally: enough of it to run the review API's Lambda handler unchanged.
 *
 *   request ─▶ GET /.well-known/jwks.json: the local issuer's key set (not part of the API)
 *           ─▶ POST /_local/token: mints a token for the console's local sign-in form (local
 *              only: serverless.yml routes nothing there, so in AWS it does not exist)
 *           ─▶ a function route: another Lambda, the console's (GET /console/…, no authorizer)
 *              or the policy API's (/policies…, behind the JWT authorizer)
 *           ─▶ public route (GET /openapi.json): no authorizer
 *           ─▶ anything else: the JWT authorizer ─ 401 unless the bearer token verifies
 *           ─▶ payload 2.0 event (claims in requestContext.authorizer.jwt.claims, rendered
 *              as strings the way API Gateway renders them) ─▶ Lambda Invoke ─▶ response
 *
 * The authorizer checks what the real one checks: an RSA signature by a key in the issuer's
 * JWKS (so `alg: none` and foreign keys fail), `iss`, `exp`/`nbf`, and that `aud` (or, for
 * Cognito access tokens, `client_id`) is the configured audience. One difference on purpose:
 * API Gateway answers its own 401 as `{"message":"Unauthorized"}`; locally it is problem+json.
 * Route throttling (serverless.yml) is not emulated.
 */

/** API Gateway's request payload limit. The app enforces its own, smaller, limit (64 KB). */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface LocalHttpApiOptions {
  lambda: LocalLambda;
  functionName: string;
  routes: readonly Route[];
  /** Read per request: the issuer URL may depend on the port this server gets. */
  issuer: () => LocalIssuer;
  port: number;
  host: string;
  /** The authorizer's clock (tests move it). */
  now: () => number;
  /** Routes served by other functions (serverless.yml's httpApi events of those functions), checked first, in order. */
  functionRoutes?: FunctionRoute[];
  /** Serve POST /_local/token (the console's local sign-in). */
  localTokenEndpoint?: boolean;
}

export interface FunctionRoute {
  /** A method, or `ANY`. */
  method: string;
  /** API Gateway's path syntax; a last segment `{name+}` matches one or more segments. */
  path: string;
  functionName: string;
  /** Behind the JWT authorizer (serverless.yml `authorizer: moderatorJwt`); otherwise public. */
  authorizer?: boolean;
}

/**
 * Does a concrete path match an API Gateway route path (`/console`, `/console/{proxy+}`)? As in
 * API Gateway, a trailing slash is ignored (`/console/` reaches the `/console` route, whose
 * event keeps the raw path), and a greedy `{proxy+}` needs at least one character.
 */
export function matchesRoutePath(routePath: string, path: string): boolean {
  const want = routePath.split('/');
  const got = (path.length > 1 ? path.replace(/\/$/, '') : path).split('/');
  for (let i = 0; i < want.length; i += 1) {
    const segment = want[i]!;
    if (/^\{[^}]+\+\}$/.test(segment)) return i === want.length - 1 && got.length > i && got.slice(i).join('/') !== '';
    if (got[i] === undefined) return false;
    if (/^\{[^}]+\}$/.test(segment) ? got[i] === '' : got[i] !== segment) return false;
  }
  return got.length === want.length;
}

/** POST /_local/token: `{"username": "alice", "groups": "moderators,admins", "ttlSeconds": 3600}`. */
async function mintLocalToken(issuer: LocalIssuer, body: Buffer, contentType: string | undefined, nowMs: number): Promise<{ status: number; body: unknown }> {
  // JSON only: a cross-site form post cannot send it without a CORS preflight, which we never answer.
  if (!/^application\/json\b/i.test(contentType ?? '')) return { status: 415, body: problem('unsupported-media-type', 'Send JSON with `Content-Type: application/json`.') };
  let input: { username?: unknown; groups?: unknown; ttlSeconds?: unknown };
  try {
    input = JSON.parse(body.toString('utf8')) as typeof input;
  } catch {
    return { status: 400, body: problem('malformed-json', 'The body is not valid JSON.') };
  }
  const username = typeof input.username === 'string' ? input.username.trim() : '';
  const groups = (Array.isArray(input.groups) ? input.groups : typeof input.groups === 'string' ? input.groups.split(',') : [])
    .map((g) => (typeof g === 'string' ? g.trim() : ''))
    .filter(Boolean);
  const ttlSeconds = input.ttlSeconds === undefined ? 3600 : input.ttlSeconds;
  const errors: Array<{ path: string; message: string }> = [];
  if (!/^[\w.@+-]{1,128}$/.test(username)) errors.push({ path: 'body.username', message: 'must be 1-128 letters, digits or . _ @ + -' });
  if (groups.some((g) => !/^[\w.:-]{1,128}$/.test(g))) errors.push({ path: 'body.groups', message: 'must be group names separated by commas' });
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) errors.push({ path: 'body.ttlSeconds', message: 'must be a whole number of seconds from 1 to 86400' });
  if (errors.length > 0) return { status: 400, body: problem('invalid-request', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors }) };
  const token = await issuer.mint({ user: username, groups, ttlSeconds: ttlSeconds as number, nowMs });
  return { status: 200, body: { token, tokenType: 'Bearer', expiresAt: new Date(nowMs + (ttlSeconds as number) * 1000).toISOString(), username, groups } };
}

export interface LocalHttpApi {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

class Unauthorized extends Error {}

/** API Gateway hands claims to the integration as strings; arrays become "[a b]". */
export function renderClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
    ]),
  );
}

async function authorize(issuer: LocalIssuer, header: string | undefined, nowMs: number): Promise<JWTPayload> {
  const token = /^(?:Bearer\s+)?(\S+)$/i.exec(header?.trim() ?? '')?.[1];
  if (!token) throw new Unauthorized('Send `Authorization: Bearer <token>`; get a local token with `npm run token -- --user alice --groups moderators`.');
  let payload: JWTPayload;
  try {
    payload = await issuer.verify(token, nowMs);
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new Unauthorized('The token has expired; get a new one.');
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw new Unauthorized(`The token's ${error.claim} claim is not valid here.`);
    throw new Unauthorized('The token is not valid: not signed by this issuer with RS256, or malformed.');
  }
  const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
  if (!audiences.includes(issuer.audience) && !(audiences.length === 0 && clientId === issuer.audience)) {
    throw new Unauthorized(`The token is for another audience; this API accepts ${issuer.audience}.`);
  }
  return payload;
}


const isText = (contentType: string | undefined) => !contentType || /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|x-www-form-urlencoded)|application\/javascript)/i.test(contentType);

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>) {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendProblem(res: ServerResponse, body: Problem, requestId: string, headers: Record<string, string> = {}) {
  send(res, body.status, JSON.stringify({ ...body, requestId }), { 'content-type': PROBLEM_CONTENT_TYPE, 'apigw-requestid': requestId, ...headers });
}

export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const publicRoutes = options.routes.filter((r) => accessOf(r) === 'public').map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
  const routeKeyOf = (method: string, path: string) => {
    const route = options.routes.find((r) => r.method === method && pathPattern(r.path).test(path));
    return route ? `${route.method} ${route.path}` : '$default';
  };

  const server: Server = createServer(async (req, res) => {
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      if (url.pathname === '/.well-known/jwks.json' && method === 'GET') {
        return send(res, 200, JSON.stringify(options.issuer().jwks), { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      }

      const body = await readBody(req, MAX_PAYLOAD_BYTES);
      if (body === undefined) return sendProblem(res, problem('payload-too-large', 'The request is larger than API Gateway accepts (10 MB).'), requestId);

      if (options.localTokenEndpoint && url.pathname === LOCAL_TOKEN_PATH && method === 'POST') {
        const minted = await mintLocalToken(options.issuer(), body, req.headers['content-type'], options.now());
        const type = minted.status === 200 ? 'application/json' : PROBLEM_CONTENT_TYPE;
        return send(res, minted.status, JSON.stringify(minted.body), { 'content-type': type, 'cache-control': 'no-store', 'apigw-requestid': requestId });
      }
      const functionRoute = (options.functionRoutes ?? []).find((r) => (r.method === method || r.method === 'ANY') && matchesRoutePath(r.path, url.pathname));

      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
      }

      let claims: Record<string, string> | undefined;
      const isPublic = functionRoute ? !functionRoute.authorizer : publicRoutes.some((r) => r.method === method && r.pattern.test(url.pathname));
      if (!isPublic) {
        try {
          claims = renderClaims(await authorize(options.issuer(), headers.authorization, options.now()));
        } catch (error) {
          if (!(error instanceof Unauthorized)) throw error;
          return sendProblem(res, problem('unauthorized', error.message), requestId, { 'www-authenticate': 'Bearer' });
        }
      }

      const queryStringParameters: Record<string, string> = {};
      for (const [name, value] of url.searchParams) queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
      const now = Date.now();
      const routeKey = functionRoute ? `${functionRoute.method} ${functionRoute.path}` : routeKeyOf(method, url.pathname);
      const text = isText(headers['content-type']);
      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
        headers,
        ...(url.search ? { queryStringParameters } : {}),
        requestContext: {
          accountId: ACCOUNT_ID,
          apiId: 'local',
          authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
          domainName: headers.host ?? 'localhost',
          domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
          http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
          requestId,
          routeKey,
          stage: '$default',
          time: new Date(now).toUTCString(),
          timeEpoch: now,
        },
        ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
        isBase64Encoded: body.length > 0 && !text,
      };
      // Public routes get no authorizer context at all, as in API Gateway.
      if (!claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;

      const result = await options.lambda.invoke(functionRoute?.functionName ?? options.functionName, event);
      if (!result.ok) return sendProblem(res, problem('internal-error', 'Internal error. Quote the request id if you report it.'), requestId);
      const reply = result.payload as APIGatewayProxyStructuredResultV2;
      const replyHeaders: Record<string, string> = { 'apigw-requestid': requestId };
      for (const [name, value] of Object.entries(reply.headers ?? {})) replyHeaders[name] = String(value);
      res.writeHead(reply.statusCode ?? 200, replyHeaders);
      res.end(reply.isBase64Encoded ? Buffer.from(reply.body ?? '', 'base64') : (reply.body ?? ''));
    } catch (error) {
      if (!res.headersSent) sendProblem(res, problem('internal-error', 'Internal error. Quote the request id if you report it.'), requestId);
      else res.destroy(error as Error);
    }
  });
  // What Node's HTTP parser refuses before any of the above runs (a raw non-ASCII byte or a
  // backslash in the request target, headers over 16 KB): answered as every other refusal here,
  // problem+json, instead of Node's bare 400 / 431 with no body.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const body: Problem =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? { ...problem('invalid-request', 'The request line and headers are larger than this server accepts (16 KB).'), status: 431, title: 'Request header fields too large' }
        : problem('invalid-request', 'The request is not valid HTTP: its request line or headers cannot be read.');
    const text = JSON.stringify({ ...body, requestId: randomUUID() });
    socket.end(`HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
