import { CreateChannelCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from '../../src/infra/definitions.js';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { api, aPendingReview, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient } from '../support/stack.js';
import { AdjustableClock } from '../support/wait.js';

/**
 * What the moderator console needs from the stack, over real HTTP: GET /me, the expiry action
 * and readable channel names on every item, the hourly decisions, the console's static routes
 * (no token) and the local-only token endpoint.
 */
describe('the review API for the console', () => {
  let stack: LocalStack;
  const clock = new AdjustableClock();
  const consoleDir = mkdtempSync(join(tmpdir(), 'console-dist-'));

  beforeAll(async () => {
    mkdirSync(join(consoleDir, 'assets'));
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/app-1a2b3c.js"></script>');
    writeFileSync(join(consoleDir, 'assets', 'app-1a2b3c.js'), 'export {};');
    stack = await startReviewStack({ clock, consoleDir, env: { EXPIRY_ACTION: 'ALLOW', EXPIRY_MARGIN_SECONDS: '600' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('GET /me says who the caller is and the clock every held message is on', async () => {
    const me = await api(stack, 'GET', '/me', { token: await tokenFor(stack, 'alice') });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      subject: expect.any(String),
      username: 'alice',
      groups: ['moderators'],
      isAdmin: false,
      expiryAction: 'ALLOW',
      expiryMarginSeconds: 600,
      callbackWindowSeconds: stack.config.callbackWindowSeconds,
    });
    expect((await api(stack, 'GET', '/me', { token: await tokenFor(stack, 'root', ['admins']) })).body).toMatchObject({ isAdmin: true, groups: ['admins'] });
    expect((await api(stack, 'GET', '/me', { token: await tokenFor(stack, 'vic', ['viewers']) })).status).toBe(403);
    expect((await api(stack, 'GET', '/me')).status).toBe(401);
  });

  it('names channels as Chime does, and says what the sweeper will do and when', async () => {
    const chime = chimeClient(stack);
    const named = (await chime.send(new CreateChannelCommand({ AppInstanceArn: APP_INSTANCE, Name: 'Support desk', ChannelId: 'support-desk-e2e', ChimeBearer: userArn('owner') }))).ChannelArn!;
    chime.destroy();
    const [item] = await seedPendingReviews(stack, 1, { channel: named });
    const token = await tokenFor(stack, 'alice');
    const page = await api(stack, 'GET', `/reviews?channelArn=${encodeURIComponent(named)}`, { token });
    expect(page.body.items[0]).toMatchObject({ message: { channelArn: named, channelName: 'Support desk' }, expiryAction: 'ALLOW' });
    expect(Date.parse(page.body.items[0].expiryActionAt)).toBe(Date.parse(item!.deadline) - 600_000);
    const one = await api(stack, 'GET', `/reviews/${item!.callbackId}`, { token });
    expect(one.body.message.channelName).toBe('Support desk');
    const claimed = await api(stack, 'POST', `/reviews/${item!.callbackId}/claim`, { token });
    expect(claimed.body).toMatchObject({ message: { channelName: 'Support desk' }, expiryAction: 'ALLOW' });
  });

  it('does what the countdown said, when it said: the expiry action at deadline − margin', async () => {
    const now = clock.now();
    const item = aPendingReview(stack, now + 600_000 + 120_000, { channel: channelArn() });
    await stack.runtime.store.recordReceived(item);
    const token = await tokenFor(stack, 'alice');
    const seen = (await api(stack, 'GET', `/reviews/${item.callbackId}`, { token })).body;
    const actAt = Date.parse(seen.expiryActionAt);

    clock.advance(actAt - clock.now() - 5_000); // 5 s before: the sweeper leaves it alone
    await stack.sweepNow();
    expect((await stack.runtime.store.get(item.callbackId))!.status).toBe('PENDING_REVIEW');

    clock.advance(10_000); // 5 s after
    await stack.sweepNow();
    const swept = (await stack.runtime.store.get(item.callbackId))!;
    expect(swept.decision).toMatchObject({ action: seen.expiryAction, origin: 'EXPIRY' });
    expect(Date.parse(swept.decision!.decidedAt)).toBeGreaterThanOrEqual(actAt);
    expect(Date.parse(swept.decision!.decidedAt)).toBeLessThan(Date.parse(item.deadline));
  });

  it('GET /stats draws 24 hours of decisions by origin, the current hour last', async () => {
    const [item] = await seedPendingReviews(stack, 1);
    const token = await tokenFor(stack, 'alice');
    expect((await api(stack, 'POST', `/reviews/${item!.callbackId}/decision`, { token, json: { action: 'DENY', reason: 'test' } })).status).toBe(200);
    const stats = (await api(stack, 'GET', '/stats', { token })).body;
    expect(stats.decisionsByHour).toHaveLength(24);
    const hours = stats.decisionsByHour.map((h: { hour: string }) => Date.parse(h.hour));
    expect(hours.every((h: number, i: number) => i === 0 || h - hours[i - 1] === 3_600_000)).toBe(true);
    expect(hours[23]).toBe(Math.floor(clock.now() / 3_600_000) * 3_600_000);
    expect(stats.decisionsByHour[23].MODERATOR).toBeGreaterThanOrEqual(1);
  });

  it('serves the console without a token, with its config, deep links and cache rules', async () => {
    const page = await fetch(`${stack.endpoints.api}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>console</title>');
    const deep = await fetch(`${stack.endpoints.api}/console/reviews/abc?channel=x`);
    expect(deep.status).toBe(200);
    const asset = await fetch(`${stack.endpoints.api}/console/assets/app-1a2b3c.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${stack.endpoints.api}/console/assets/gone-999.js`)).status).toBe(404);
    const config = await fetch(`${stack.endpoints.api}/console/config.json`);
    expect(await config.json()).toEqual({ apiBaseUrl: '', groups: { moderator: 'moderators', admin: 'admins' }, auth: { kind: 'local', tokenEndpoint: '/_local/token' } });
    const bare = await fetch(`${stack.endpoints.api}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    // The API itself still wants a token.
    expect((await fetch(`${stack.endpoints.api}/reviews`)).status).toBe(401);
  });

  it('mints local tokens for the sign-in form (locally only), and refuses bad input', async () => {
    const post = (body: unknown, contentType = 'application/json') =>
      fetch(`${stack.endpoints.api}/_local/token`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const minted = await post({ username: 'zoe', groups: 'moderators, admins' });
    expect(minted.status).toBe(200);
    const body = (await minted.json()) as { token: string; expiresAt: string; groups: string[] };
    expect(body.groups).toEqual(['moderators', 'admins']);
    expect((await api(stack, 'GET', '/me', { token: body.token })).body).toMatchObject({ username: 'zoe', isAdmin: true });
    expect((await post({ username: 'no spaces allowed', groups: 'moderators' })).status).toBe(400);
    expect((await post({ username: 'zoe', groups: 'moderators', ttlSeconds: 0 })).status).toBe(400);
    expect((await post('username=zoe', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post('{', 'application/json')).status).toBe(400);
  });
});

describe('serverless.yml: the console in AWS', () => {
  const doc = parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as any;
  const resources = doc.resources.Resources;

  it('serves /console and /console/{proxy+} from its own function, unauthenticated, with the built files in its zip', () => {
    const fn = doc.functions.moderatorConsole;
    expect(fn.handler).toBe('functions/moderator-console/index.handler');
    expect(fn.package.patterns).toContain('console/dist/**');
    expect(fn.events.map((e: { httpApi: { method: string; path: string; authorizer?: unknown } }) => e.httpApi)).toEqual([
      { method: 'GET', path: '/console' },
      { method: 'GET', path: '/console/{proxy+}' },
    ]);
    // No local-only route ever reaches AWS.
    const paths = Object.values(doc.functions).flatMap((f: any) => (f.events ?? []).map((e: any) => e.httpApi?.path));
    expect(paths).not.toContain('/_local/token');
  });

  it('signs moderators in through the user pool’s hosted UI: code flow, callback on the console', () => {
    expect(resources.ModeratorUserPoolDomain).toMatchObject({ Type: 'AWS::Cognito::UserPoolDomain', Condition: 'UseCognito' });
    const client = resources.ModeratorUserPoolClient.Properties;
    expect(client).toMatchObject({ GenerateSecret: false, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], SupportedIdentityProviders: ['COGNITO'] });
    expect(JSON.stringify(client.CallbackURLs)).toContain('/console/');
    const env = doc.functions.moderatorConsole.environment;
    expect(JSON.stringify(env.CONSOLE_OIDC_AUTHORIZATION_ENDPOINT)).toContain('/oauth2/authorize');
    expect(JSON.stringify(env.CONSOLE_OIDC_TOKEN_ENDPOINT)).toContain('/oauth2/token');
  });
});
