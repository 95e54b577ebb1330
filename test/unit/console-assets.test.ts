import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createConsoleAssets } from '../../src/console-host/assets.js';
import { localConfigDocument, loadConsoleSettings, oidcConfigSource } from '../../src/console-host/settings.js';

function builtConsole() {
  const root = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc123.js"></script>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
  writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{margin:0}');
  return root;
}

const config = localConfigDocument({ moderator: 'moderators', admin: 'admins' });
const get = (serve: ReturnType<typeof createConsoleAssets>, path: string, headers: Record<string, string> = {}) => serve({ method: 'GET', path, headers });

describe('serving the moderator console', () => {
  const serve = createConsoleAssets({ root: builtConsole(), config: async () => config });

  it('serves index.html for the console root and for any app route (deep links), revalidated', async () => {
    for (const path of ['/console/', '/console/reviews/abc', '/console/audit']) {
      const r = await get(serve, path);
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(Buffer.from(r.body, 'base64').toString()).toContain('<title>console</title>');
    }
    const redirect = await serve({ method: 'GET', path: '/console', query: 'code=c&state=s', headers: {} });
    expect(redirect).toMatchObject({ statusCode: 308, headers: { location: '/console/?code=c&state=s' } });
  });

  it('serves hashed bundle files as immutable, gzipped when the browser accepts it', async () => {
    const r = await get(serve, '/console/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(r.statusCode).toBe(200);
    expect(r.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'content-encoding': 'gzip', vary: 'accept-encoding' });
    expect(gunzipSync(Buffer.from(r.body, 'base64')).toString()).toContain('console.log(');
    const plain = await get(serve, '/console/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((await get(serve, '/console/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const again = await get(serve, '/console/assets/index-abc123.js', { 'if-none-match': plain.headers.etag! });
    expect(again.statusCode).toBe(304);
  });

  it('answers 404 for a missing bundle file rather than HTML, and 400 for a path out of the folder', async () => {
    expect((await get(serve, '/console/assets/index-old999.js')).statusCode).toBe(404);
    expect((await get(serve, '/console/../package.json')).statusCode).toBe(400);
    expect((await get(serve, '/console/%2e%2e/%2e%2e/package.json')).statusCode).toBe(400);
    expect((await get(serve, '/console/%E0%A4%A')).statusCode).toBe(400);
    expect((await serve({ method: 'POST', path: '/console/', headers: {} })).statusCode).toBe(405);
  });

  it('serves the runtime config, never cached, with a content security policy on everything', async () => {
    const r = await get(serve, '/console/config.json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body)).toEqual({ apiBaseUrl: '', groups: { moderator: 'moderators', admin: 'admins' }, auth: { kind: 'local', tokenEndpoint: '/_local/token' } });
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await get(serve, '/console/')).headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('says how to build the console when it is not built', async () => {
    const empty = createConsoleAssets({ root: mkdtempSync(join(tmpdir(), 'console-empty-')), config: async () => config });
    const r = await get(empty, '/console/');
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build:console');
  });
});

describe('how the deployed console signs in', () => {
  const env = { CONSOLE_OIDC_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', CONSOLE_OIDC_CLIENT_ID: 'client-1' };

  it('fails fast, naming the variable, without an issuer or client', () => {
    expect(() => loadConsoleSettings({})).toThrow(/CONSOLE_OIDC_ISSUER is required/);
    expect(() => loadConsoleSettings({ CONSOLE_OIDC_ISSUER: env.CONSOLE_OIDC_ISSUER })).toThrow(/CONSOLE_OIDC_CLIENT_ID/);
  });

  it('uses the hosted UI endpoints it is given (Cognito), and lets the provider through the CSP', async () => {
    const settings = loadConsoleSettings({
      ...env,
      CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: 'https://mods.auth.us-east-1.amazoncognito.com/oauth2/authorize',
      CONSOLE_OIDC_TOKEN_ENDPOINT: 'https://mods.auth.us-east-1.amazoncognito.com/oauth2/token',
      CONSOLE_OIDC_LOGOUT_ENDPOINT: 'https://mods.auth.us-east-1.amazoncognito.com/logout',
      CONSOLE_OIDC_LOGOUT_PARAMETER: 'logout_uri',
    });
    const fetchImpl = (() => Promise.reject(new Error('no discovery expected'))) as unknown as typeof fetch;
    const document = await oidcConfigSource(settings, fetchImpl)();
    expect(document.auth).toEqual({
      kind: 'oidc',
      issuer: env.CONSOLE_OIDC_ISSUER,
      clientId: 'client-1',
      authorizationEndpoint: 'https://mods.auth.us-east-1.amazoncognito.com/oauth2/authorize',
      tokenEndpoint: 'https://mods.auth.us-east-1.amazoncognito.com/oauth2/token',
      scope: 'openid email profile',
      tokenUse: 'access',
      logout: { endpoint: 'https://mods.auth.us-east-1.amazoncognito.com/logout', returnParameter: 'logout_uri' },
    });
    const serve = createConsoleAssets({ root: builtConsole(), config: async () => document });
    expect((await get(serve, '/console/')).headers['content-security-policy']).toContain("connect-src 'self' https://mods.auth.us-east-1.amazoncognito.com");
  });

  it('discovers an external issuer’s endpoints once, and retries a failed discovery', async () => {
    let calls = 0;
    const fetchImpl = (async (url: string) => {
      calls += 1;
      if (calls === 1) return new Response('down', { status: 503 });
      expect(url).toBe('https://issuer.example/.well-known/openid-configuration');
      return Response.json({ authorization_endpoint: 'https://issuer.example/authorize', token_endpoint: 'https://issuer.example/token', end_session_endpoint: 'https://issuer.example/logout' });
    }) as unknown as typeof fetch;
    const source = oidcConfigSource(loadConsoleSettings({ CONSOLE_OIDC_ISSUER: 'https://issuer.example/', CONSOLE_OIDC_CLIENT_ID: 'c', CONSOLE_OIDC_TOKEN_USE: 'id' }), fetchImpl);
    await expect(source()).rejects.toThrow(/answered 503/);
    const document = await source();
    await source();
    expect(calls).toBe(2);
    expect(document.auth).toMatchObject({ authorizationEndpoint: 'https://issuer.example/authorize', tokenUse: 'id', logout: { endpoint: 'https://issuer.example/logout', returnParameter: 'post_logout_redirect_uri' } });
  });
});
