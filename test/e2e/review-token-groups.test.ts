/**
 * Roles come from the verified token's groups array, matched exactly, never from splitting the
 * string API Gateway's authorizer renders that array into (`"[a b]"`): group names may hold
 * commas (Cognito) and spaces (OIDC directories). And the functions verify the token themselves,
 * so what the authorizer's context says counts for nothing: a forged context with no valid token
 * is a 401 even if the authorizer were bypassed.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';

const PROBLEM = 'application/problem+json';

/** A token from the stack's issuer whose groups claim is exactly `groups`, array or not. */
const tokenWithGroups = (stack: LocalStack, groups: unknown) =>
  stack.issuer.mint({ user: 'mallory', groups: [], nowMs: stack.runtime.clock.now(), claims: { [stack.issuer.groupsClaim]: groups } });

describe('roles from crafted group names (local stack, default groups moderators / admins)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startReviewStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['a comma inside one group name', ['readers,admins']],
    ['a space inside one group name', ['readers moderators']],
    ['a trailing space', ['moderators ']],
    ['a string claim with a space', 'moderators admins'],
    ['a string claim with a comma', 'moderators,admins'],
    ['a string claim in API Gateway’s rendering', '[admins]'],
  ])('answers 403 to %s (%j), and never makes it an admin', async (_what, groups) => {
    const token = await tokenWithGroups(stack, groups);
    const reviews = await api(stack, 'GET', '/reviews', { token });
    expect(reviews.status).toBe(403);
    expect(reviews.headers.get('content-type')).toContain(PROBLEM);
    expect(reviews.body).toMatchObject({ type: expect.stringMatching(/\/forbidden$/), requiredGroups: ['moderators', 'admins'] });
    expect((await api(stack, 'GET', '/me', { token })).status).toBe(403);
    // The policy API (its own function) reads roles the same way.
    expect((await api(stack, 'GET', '/policies', { token })).status).toBe(403);
  });

  it('reads a moderator and an admin from an array of exact names', async () => {
    const admin = await api(stack, 'GET', '/me', { token: await tokenWithGroups(stack, ['moderators', 'admins']) });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ username: 'mallory', groups: ['moderators', 'admins'], isAdmin: true });
    const moderator = await api(stack, 'GET', '/me', { token: await tokenWithGroups(stack, ['readers', 'moderators']) });
    expect(moderator.body).toMatchObject({ groups: ['readers', 'moderators'], isAdmin: false });
  });

  it('takes a lone string claim as one group name, whole', async () => {
    const me = await api(stack, 'GET', '/me', { token: await tokenWithGroups(stack, 'moderators') });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ groups: ['moderators'], isAdmin: false });
  });

  it('keeps the console’s local sign-in working: its tokens carry groups as an array', async () => {
    const signIn = await fetch(`${stack.endpoints.api}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', groups: 'moderators,admins' }),
    });
    expect(signIn.status).toBe(200);
    const { token } = (await signIn.json()) as { token: string };
    expect((await api(stack, 'GET', '/me', { token })).body).toMatchObject({ username: 'ada', groups: ['moderators', 'admins'], isAdmin: true });
  });

  describe('when the authorizer is bypassed: the Lambda handlers called directly, with a forged authorizer context', () => {
    /** A payload 2.0 event whose authorizer context says "admins", as API Gateway would pass it on. */
    const forgedEvent = (path: string, authorization?: string): APIGatewayProxyEventV2WithJWTAuthorizer => {
      const now = Date.now();
      const requestId = randomUUID();
      return {
        version: '2.0',
        routeKey: `GET ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: { host: 'localhost', ...(authorization ? { authorization } : {}) },
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          authorizer: {
            principalId: '',
            integrationLatency: 0,
            jwt: { claims: { sub: 'intruder', username: 'mallory', iss: stack.issuer.issuer, aud: stack.issuer.audience, 'cognito:groups': '[admins]' }, scopes: [] },
          },
          domainName: 'localhost',
          domainPrefix: 'localhost',
          http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
          requestId,
          routeKey: `GET ${path}`,
          stage: '$default',
          time: new Date(now).toUTCString(),
          timeEpoch: now,
        },
        isBase64Encoded: false,
      };
    };

    const invoke = async (functionName: 'reviewApi' | 'policyApi', path: string, authorization?: string) => {
      const result = await stack.lambda.invoke(functionName, forgedEvent(path, authorization));
      if (!result.ok) throw new Error(`${functionName} failed: ${JSON.stringify(result.error)}`);
      const reply = result.payload as APIGatewayProxyStructuredResultV2;
      return { status: reply.statusCode, headers: reply.headers ?? {}, body: JSON.parse(reply.body ?? 'null') };
    };

    const expectUnauthorized = async (authorization: string | undefined) => {
      for (const [fn, path] of [
        ['reviewApi', '/me'],
        ['reviewApi', '/reviews'],
        ['policyApi', '/policies'],
      ] as const) {
        const reply = await invoke(fn, path, authorization);
        expect(reply.status, `${fn} ${path}`).toBe(401);
        expect(String(reply.headers['content-type'])).toContain(PROBLEM);
        expect(String(reply.headers['www-authenticate'])).toMatch(/^Bearer/);
        expect(reply.body).toMatchObject({ type: expect.stringMatching(/\/unauthorized$/), status: 401 });
      }
    };

    it('is a 401 without a token, whatever the authorizer context says', async () => {
      await expectUnauthorized(undefined);
    });

    it('is a 401 with a token signed by a foreign key (claiming the issuer’s key id)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const nowSeconds = Math.floor(stack.runtime.clock.now() / 1000);
      const forged = await new SignJWT({ iss: stack.issuer.issuer, aud: stack.issuer.audience, sub: 'intruder', exp: nowSeconds + 600, 'cognito:groups': ['admins'] })
        .setProtectedHeader({ alg: 'RS256', kid: stack.issuer.keyId })
        .sign(privateKey);
      await expectUnauthorized(`Bearer ${forged}`);
    });

    it('is a 401 with an expired token', async () => {
      const expired = await stack.issuer.mint({ user: 'ada', groups: ['admins'], nowMs: stack.runtime.clock.now() - 7_200_000, ttlSeconds: 3600 });
      await expectUnauthorized(`Bearer ${expired}`);
    });

    it('is a 401 with a token for another audience', async () => {
      const elsewhere = await stack.issuer.mint({ user: 'ada', groups: ['admins'], nowMs: stack.runtime.clock.now(), claims: { aud: 'some-other-api' } });
      await expectUnauthorized(`Bearer ${elsewhere}`);
    });

    it('reads the role from the token, not from the context: a moderator stays a moderator', async () => {
      const reply = await invoke('reviewApi', '/me', `Bearer ${await tokenFor(stack, 'alice', ['moderators'])}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ username: 'alice', groups: ['moderators'], isAdmin: false });
    });
  });
});

describe('group names with spaces (ADMIN_GROUP "Support admins")', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startReviewStack({ env: { ADMIN_GROUP: 'Support admins', MODERATOR_GROUP: 'Trust & Safety' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lets a member of "Support admins" in as an admin', async () => {
    const me = await api(stack, 'GET', '/me', { token: await tokenWithGroups(stack, ['Support admins']) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ groups: ['Support admins'], isAdmin: true });
    expect((await api(stack, 'GET', '/policies', { token: await tokenWithGroups(stack, ['Support admins']) })).status).toBe(200);
  });

  it('lets a member of "Trust & Safety" in as a moderator', async () => {
    const me = await api(stack, 'GET', '/me', { token: await tokenWithGroups(stack, ['Trust & Safety']) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ groups: ['Trust & Safety'], isAdmin: false });
  });

  it('does not put together a group name from pieces', async () => {
    for (const groups of [['Support', 'admins'], ['Trust', '&', 'Safety'], ['Support admins '], 'Support,admins']) {
      const reviews = await api(stack, 'GET', '/reviews', { token: await tokenWithGroups(stack, groups) });
      expect(reviews.status, JSON.stringify(groups)).toBe(403);
      expect(reviews.body).toMatchObject({ requiredGroups: ['Trust & Safety', 'Support admins'] });
    }
  });
});
