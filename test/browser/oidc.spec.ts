import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { seedPendingReviews, startReviewStack } from '../support/review.js';
import { consoleUrl, expectAccessible, openBrowser, screenshot, type BrowserUnderTest } from './support.js';

/**
 * The deployed sign-in, in Chromium: the console sends the moderator to an OIDC provider with the
 * authorization code flow and PKCE (S256), gets the code back on /console/, trades it with the
 * verifier, and lands where the moderator was going. The provider here is a small one on
 * loopback that checks what Cognito's hosted UI checks (client, redirect URI, state, and that
 * the verifier hashes to the challenge) and issues the stack's own tokens.
 */
interface Provider {
  origin: string;
  authorizations: Array<Record<string, string>>;
  exchanges: Array<{ verifierMatches: boolean; redirectUri: string; clientId: string }>;
  logouts: Array<Record<string, string>>;
  close(): Promise<void>;
}

const base64url = (buffer: Buffer) => buffer.toString('base64url');

async function startProvider(mint: () => Promise<string>, consoleOrigin: () => string): Promise<Provider> {
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string }>();
  const provider: Omit<Provider, 'origin' | 'close'> = { authorizations: [], exchanges: [], logouts: [] };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = Object.fromEntries(url.searchParams);
      provider.authorizations.push(q);
      const code = base64url(randomBytes(16));
      codes.set(code, { challenge: q.code_challenge!, redirectUri: q.redirect_uri!, clientId: q.client_id! });
      res.writeHead(302, { location: `${q.redirect_uri}?code=${code}&state=${encodeURIComponent(q.state!)}` }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifierMatches = grant !== undefined && base64url(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) === grant.challenge;
      provider.exchanges.push({ verifierMatches, redirectUri: form.get('redirect_uri') ?? '', clientId: form.get('client_id') ?? '' });
      const cors = { 'access-control-allow-origin': consoleOrigin(), 'content-type': 'application/json' };
      if (!grant || !verifierMatches || form.get('redirect_uri') !== grant.redirectUri || form.get('grant_type') !== 'authorization_code') {
        res.writeHead(400, cors).end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      res.writeHead(200, cors).end(JSON.stringify({ access_token: await mint(), token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      const q = Object.fromEntries(url.searchParams);
      provider.logouts.push(q);
      res.writeHead(302, { location: q.post_logout_redirect_uri ?? '/' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ...provider, origin, close: () => new Promise((resolve) => server.close(() => resolve())) } as Provider;
}

describe('moderator console: OIDC sign-in with PKCE (Chromium)', () => {
  let stack: LocalStack;
  let provider: Provider;
  let browser: BrowserUnderTest;

  beforeAll(async () => {
    let mintWith: () => Promise<string> = async () => '';
    let origin = '';
    provider = await startProvider(() => mintWith(), () => origin);
    stack = await startReviewStack({
      consoleConfig: {
        apiBaseUrl: '',
        groups: { moderator: 'moderators', admin: 'admins' },
        auth: {
          kind: 'oidc',
          issuer: provider.origin,
          clientId: 'console-client',
          authorizationEndpoint: `${provider.origin}/authorize`,
          tokenEndpoint: `${provider.origin}/token`,
          scope: 'openid email profile',
          tokenUse: 'access',
          logout: { endpoint: `${provider.origin}/logout`, returnParameter: 'post_logout_redirect_uri' },
        },
      },
    });
    origin = stack.endpoints.api;
    mintWith = () => stack.issuer.mint({ user: 'olivia', groups: ['moderators'], nowMs: stack.runtime.clock.now() });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider?.close();
  });

  it('goes to the provider, trades the code with the verifier, and lands where the moderator was going', async () => {
    const [item] = await seedPendingReviews(stack, 1);
    const page = await browser.pageFor();
    await page.goto(consoleUrl(stack, `/reviews/${item!.callbackId}`));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Local only.').count()).toBe(0);
    await expectAccessible(page, 'OIDC sign-in');
    await screenshot(page, 'sign-in-oidc');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.locator('.review-pane .claim-line', { hasText: 'Claimed by you' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/reviews/${item!.callbackId}`);
    expect(new URL(page.url()).search).toBe(''); // the code is not left in the address bar
    const [authorization] = provider.authorizations;
    expect(authorization).toMatchObject({ response_type: 'code', client_id: 'console-client', redirect_uri: `${stack.endpoints.api}/console/`, scope: 'openid email profile', code_challenge_method: 'S256' });
    expect(authorization!.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(provider.exchanges).toEqual([{ verifierMatches: true, redirectUri: `${stack.endpoints.api}/console/`, clientId: 'console-client' }]);
    // The token lives in this tab's sessionStorage only.
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('moderation-console.session')")).toContain('"username":"olivia"');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(provider.logouts).toEqual([{ client_id: 'console-client', post_logout_redirect_uri: `${stack.endpoints.api}/console/` }]);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('moderation-console.session')")).toBeNull();
  });

  it('refuses an answer that does not match a sign-in started here', async () => {
    const page = await browser.pageFor();
    await page.goto(consoleUrl(stack, '/?code=stolen&state=forged'));
    await page.getByRole('alert').filter({ hasText: 'does not match a sign-in started here' }).waitFor();
    expect(provider.exchanges.filter((e) => !e.verifierMatches)).toEqual([]); // nothing was even tried
  });
});
