import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';

const PROBLEM = 'application/problem+json';

describe('review API authentication and roles (local JWT authorizer + app role check)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startReviewStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const claimsFor = (overrides: Record<string, unknown> = {}) => ({
    iss: stack.issuer.issuer,
    aud: stack.issuer.audience,
    sub: 'intruder',
    username: 'mallory',
    'cognito:groups': ['admins'],
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  });

  const expectUnauthorized = async (token: string | undefined, detail?: RegExp) => {
    const response = await api(stack, 'GET', '/reviews', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain(PROBLEM);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/\/unauthorized$/), title: expect.any(String), status: 401, detail: expect.any(String) });
    if (detail) expect(response.body.detail).toMatch(detail);
  };

  it('refuses a request without a token', async () => {
    await expectUnauthorized(undefined, /Authorization: Bearer/);
  });

  it('refuses a token that is not a JWT', async () => {
    await expectUnauthorized('not-a-jwt');
  });

  it('refuses an expired token', async () => {
    const token = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], nowMs: Date.now() - 7200_000, ttlSeconds: 3600 });
    await expectUnauthorized(token, /expired/);
  });

  it('refuses a token for another audience', async () => {
    const token = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], claims: { aud: 'some-other-api' } });
    await expectUnauthorized(token, /audience/);
  });

  it('refuses a token from another issuer, even signed with the right key', async () => {
    const token = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], claims: { iss: 'https://evil.example.com' } });
    await expectUnauthorized(token, /iss/);
  });

  it('refuses a token that is not valid yet (nbf in the future)', async () => {
    const token = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], claims: { nbf: Math.floor(Date.now() / 1000) + 600 } });
    await expectUnauthorized(token);
  });

  it('refuses a token signed by another key, even one that claims the issuer’s key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: 'RS256', kid: stack.issuer.keyId }).sign(privateKey);
    await expectUnauthorized(token);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    await expectUnauthorized(new UnsecuredJWT(claimsFor()).encode());
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: stack.issuer.keyId })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claimsFor())).toString('base64url');
    const secret = JSON.stringify(stack.issuer.jwks.keys[0]);
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    await expectUnauthorized(`${header}.${payload}.${signature}`);
  });

  it('answers 403 to a valid token without the moderator or admin group, and names the groups', async () => {
    for (const groups of [[], ['viewers']]) {
      const response = await api(stack, 'GET', '/reviews', { token: await tokenFor(stack, 'victor', groups) });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain(PROBLEM);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/\/forbidden$/), status: 403, requiredGroups: ['moderators', 'admins'] });
    }
  });

  it('lets a moderator in', async () => {
    const response = await api(stack, 'GET', '/reviews', { token: await tokenFor(stack, 'alice', ['moderators']) });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it('lets an admin in, and a member of several groups', async () => {
    for (const groups of [['admins'], ['viewers', 'moderators', 'admins']]) {
      const response = await api(stack, 'GET', '/stats', { token: await tokenFor(stack, 'ada', groups) });
      expect(response.status).toBe(200);
    }
  });

  it('accepts a Cognito access token, whose audience is in client_id rather than aud', async () => {
    const token = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], claims: { aud: undefined, client_id: stack.issuer.audience } });
    expect((await api(stack, 'GET', '/reviews', { token })).status).toBe(200);
  });

  it('serves the OpenAPI document and the key set without a token, and nothing private in the key set', async () => {
    expect((await api(stack, 'GET', '/openapi.json')).status).toBe(200);
    const jwks = await api(stack, 'GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: stack.issuer.keyId, use: 'sig' });
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  it('asks for a token before anything else, even on routes that do not exist', async () => {
    expect((await api(stack, 'GET', '/no-such-route')).status).toBe(401);
    expect((await api(stack, 'GET', '/no-such-route', { token: await tokenFor(stack, 'alice') })).status).toBe(404);
  });
});
