import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT, UnsecuredJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiTokenSettings, loadReviewApiSettings } from '../../../src/config.js';
import { AuthenticationError, ConfigurationError, TokenKeysUnavailableError } from '../../../src/errors.js';
import { loadLocalIssuer, type LocalIssuer } from '../../../src/local/issuer.js';
import { createTokenVerifier, MAX_TOKEN_CHARS } from '../../../src/http/token-verifier.js';

/**
 * The verifier against a real issuer: a local key pair (src/local/issuer.ts) whose public half an
 * HTTP server serves, with or without an OIDC discovery document. Each test says what the server
 * answers on which path, and counts what the verifier asked for.
 */
describe('createTokenVerifier', () => {
  let server: Server;
  let origin: string;
  let issuer: LocalIssuer;
  /** path → [status, JSON body]; anything else is a 404. */
  let answers: Map<string, [number, unknown]>;
  let hits: string[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const [status, body] = answers.get(req.url ?? '') ?? [404, { message: 'Not Found' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = await loadLocalIssuer({ issuer: origin, audience: 'moderation-api', groupsClaim: 'cognito:groups', keyFile: null });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits = [];
    // Cognito's layout: a discovery document, and the keys at /.well-known/jwks.json.
    answers = new Map<string, [number, unknown]>([
      ['/.well-known/openid-configuration', [200, { issuer: origin, jwks_uri: `${origin}/keys` }]],
      ['/keys', [200, issuer.jwks]],
    ]);
  });

  const verifier = (options: { now?: () => number; jwksUrl?: string } = {}) => createTokenVerifier({ issuer: origin, audience: 'moderation-api', ...options });
  const mint = (claims: Record<string, unknown> = {}, groups: string[] = ['moderators']) => issuer.mint({ user: 'alice', groups, claims });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    return (error as Error).message;
  };

  describe('a valid token', () => {
    it('returns the verified payload, with the groups claim as the array it is', async () => {
      const payload = await verifier().verify(`Bearer ${await mint({}, ['readers,admins', 'Support admins'])}`);
      expect(payload).toMatchObject({ iss: origin, aud: 'moderation-api', username: 'alice', 'cognito:groups': ['readers,admins', 'Support admins'] });
    });

    it('takes the token with or without the Bearer prefix, as API Gateway does', async () => {
      const token = await mint();
      const v = verifier();
      await expect(v.verify(`bearer   ${token}`)).resolves.toMatchObject({ username: 'alice' });
      await expect(v.verify(token)).resolves.toMatchObject({ username: 'alice' });
    });

    it('accepts a Cognito access token: no aud, the audience in client_id', async () => {
      await expect(verifier().verify(`Bearer ${await mint({ aud: undefined, client_id: 'moderation-api' })}`)).resolves.toMatchObject({ client_id: 'moderation-api' });
    });

    it('accepts a token whose aud lists the audience among others', async () => {
      await expect(verifier().verify(`Bearer ${await mint({ aud: ['other', 'moderation-api'] })}`)).resolves.toBeDefined();
    });
  });

  describe('keys', () => {
    it('reads them where the discovery document says, once per verifier', async () => {
      const v = verifier();
      for (let i = 0; i < 5; i += 1) await v.verify(`Bearer ${await mint()}`);
      expect(hits).toEqual(['/.well-known/openid-configuration', '/keys']);
    });

    it('fetches once for concurrent first requests', async () => {
      const v = verifier();
      const tokens = await Promise.all([1, 2, 3, 4].map(() => mint()));
      await Promise.all(tokens.map((t) => v.verify(`Bearer ${t}`)));
      expect(hits).toEqual(['/.well-known/openid-configuration', '/keys']);
    });

    it("falls back to {issuer}/.well-known/jwks.json when the issuer has no discovery document", async () => {
      answers = new Map([['/.well-known/jwks.json', [200, issuer.jwks]]]);
      await verifier().verify(`Bearer ${await mint()}`);
      expect(hits).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json']);
    });

    it('uses jwksUrl when given, without discovery', async () => {
      await verifier({ jwksUrl: `${origin}/keys` }).verify(`Bearer ${await mint()}`);
      expect(hits).toEqual(['/keys']);
    });

    it('uses a key set in hand without fetching anything', async () => {
      await createTokenVerifier({ issuer: origin, audience: 'moderation-api', keys: issuer.jwks }).verify(`Bearer ${await mint()}`);
      expect(hits).toEqual([]);
    });

    it('fetches the key set again for a key id it has not seen (a rotation)', async () => {
      const v = verifier();
      await v.verify(`Bearer ${await mint()}`);
      const rotated = await loadLocalIssuer({ issuer: origin, audience: 'moderation-api', groupsClaim: 'cognito:groups', keyFile: null });
      answers.set('/keys', [200, { keys: [...issuer.jwks.keys, ...rotated.jwks.keys] } satisfies JSONWebKeySet]);
      // jose waits 30 s after a fetch before another for an unknown key id; this one is older.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
      try {
        await expect(v.verify(`Bearer ${await rotated.mint({ user: 'bob', groups: ['moderators'] })}`)).resolves.toMatchObject({ username: 'bob' });
      } finally {
        vi.useRealTimers();
      }
      expect(hits).toEqual(['/.well-known/openid-configuration', '/keys', '/keys']);
    });

    it('is not a 401 when the keys cannot be had, and asks again on the next request', async () => {
      answers.set('/.well-known/openid-configuration', [503, { message: 'busy' }]);
      const v = verifier();
      const token = `Bearer ${await mint()}`;
      await expect(v.verify(token)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
      answers.set('/.well-known/openid-configuration', [200, { issuer: origin, jwks_uri: `${origin}/keys` }]);
      answers.set('/keys', [500, {}]);
      await expect(v.verify(token)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
      answers.set('/keys', [200, issuer.jwks]);
      await expect(v.verify(token)).resolves.toMatchObject({ username: 'alice' });
    });

    it('refuses a discovery document of another issuer', async () => {
      answers.set('/.well-known/openid-configuration', [200, { issuer: 'https://evil.example.com', jwks_uri: `${origin}/keys` }]);
      await expect(verifier().verify(`Bearer ${await mint()}`)).rejects.toThrow(/is for issuer "https:\/\/evil.example.com"/);
    });
  });

  describe('an invalid token is a 401 (AuthenticationError), with a plain message', () => {
    it('refuses a missing or empty Authorization header', async () => {
      expect(await refusal(verifier().verify(undefined))).toMatch(/Authorization: Bearer/);
      expect(await refusal(verifier().verify('Bearer '))).toMatch(/Authorization: Bearer/);
      expect(await refusal(verifier().verify('Basic YWxpY2U6cHc='))).toMatch(/Authorization: Bearer/);
    });

    it('refuses something that is not a JWT, and a token too long to have come through API Gateway', async () => {
      expect(await refusal(verifier().verify('Bearer not-a-jwt'))).toMatch(/not valid/);
      expect(await refusal(verifier().verify(`Bearer ${'a'.repeat(MAX_TOKEN_CHARS + 1)}`))).toMatch(/longer than/);
    });

    it('refuses a token signed by another key, even one that claims the issuer’s key id', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ iss: origin, aud: 'moderation-api', sub: 'mallory', exp: now + 600, 'cognito:groups': ['admins'] })
        .setProtectedHeader({ alg: 'RS256', kid: issuer.keyId })
        .sign(privateKey);
      expect(await refusal(verifier().verify(`Bearer ${forged}`))).toMatch(/not valid/);
    });

    it('refuses an unsigned token and an HS256 token keyed with the public key, without fetching keys', async () => {
      const claims = { iss: origin, aud: 'moderation-api', sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 600, 'cognito:groups': ['admins'] };
      await refusal(verifier().verify(`Bearer ${new UnsecuredJWT(claims).encode()}`));
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: issuer.keyId })).toString('base64url');
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const signature = createHmac('sha256', JSON.stringify(issuer.jwks.keys[0])).update(`${header}.${payload}`).digest('base64url');
      await refusal(verifier().verify(`Bearer ${header}.${payload}.${signature}`));
      expect(hits).toEqual([]);
    });

    it('refuses an expired token, on the clock it is given', async () => {
      const mintedAt = Date.now() - 7_200_000;
      const token = `Bearer ${await issuer.mint({ user: 'alice', groups: ['moderators'], ttlSeconds: 60, nowMs: mintedAt })}`;
      expect(await refusal(verifier().verify(token))).toMatch(/expired/);
      await expect(verifier({ now: () => mintedAt + 30_000 }).verify(token)).resolves.toBeDefined();
      expect(await refusal(verifier({ now: () => mintedAt + 61_000 }).verify(token))).toMatch(/expired/);
    });

    it('refuses a token that is not valid yet', async () => {
      expect(await refusal(verifier().verify(`Bearer ${await mint({ nbf: Math.floor(Date.now() / 1000) + 600 })}`))).toMatch(/nbf/);
    });

    it('refuses a token without exp or sub', async () => {
      expect(await refusal(verifier().verify(`Bearer ${await mint({ exp: undefined })}`))).toMatch(/no exp claim/);
      expect(await refusal(verifier().verify(`Bearer ${await mint({ sub: undefined })}`))).toMatch(/no sub claim/);
    });

    it('refuses a token from another issuer, even signed with the right key', async () => {
      expect(await refusal(verifier().verify(`Bearer ${await mint({ iss: 'https://evil.example.com' })}`))).toMatch(/iss/);
    });

    it('refuses a token for another audience, in aud or in client_id', async () => {
      expect(await refusal(verifier().verify(`Bearer ${await mint({ aud: 'another-api' })}`))).toMatch(/another audience/);
      expect(await refusal(verifier().verify(`Bearer ${await mint({ aud: undefined, client_id: 'another-api' })}`))).toMatch(/another audience/);
      expect(await refusal(verifier().verify(`Bearer ${await mint({ aud: undefined })}`))).toMatch(/another audience/);
      // As API Gateway: aud, when present, is what counts; client_id does not rescue it.
      expect(await refusal(verifier().verify(`Bearer ${await mint({ aud: 'another-api', client_id: 'moderation-api' })}`))).toMatch(/another audience/);
    });

    it('takes any of several audiences (the chat apps’ clients beside the moderators’), and still no other', async () => {
      const several = createTokenVerifier({ issuer: origin, audience: ['moderation-api', 'chat-app'], keys: issuer.jwks });
      await expect(several.verify(`Bearer ${await mint({ aud: 'chat-app' })}`)).resolves.toMatchObject({ aud: 'chat-app' });
      await expect(several.verify(`Bearer ${await mint({ aud: undefined, client_id: 'chat-app' })}`)).resolves.toMatchObject({ client_id: 'chat-app' });
      expect(await refusal(several.verify(`Bearer ${await mint({ aud: 'another-api' })}`))).toMatch(/accepts moderation-api or chat-app/);
    });
  });
});

describe('apiTokenSettings', () => {
  const env = { CURSOR_SECRET: 'x'.repeat(32) };

  it('is what the authorizer checks: JWT_ISSUER and JWT_AUDIENCE', () => {
    expect(apiTokenSettings(loadReviewApiSettings({ ...env, JWT_ISSUER: 'https://issuer.example.com/', JWT_AUDIENCE: 'client-1' }))).toEqual({
      issuer: 'https://issuer.example.com/',
      audience: ['client-1'],
    });
  });

  it('takes the chat apps’ clients beside the moderators’ (stage param memberJwtAudiences, joined into JWT_AUDIENCE)', () => {
    expect(apiTokenSettings(loadReviewApiSettings({ ...env, JWT_ISSUER: 'https://issuer.example.com/', JWT_AUDIENCE: 'moderators-client,chat-app, chat-web ' })).audience).toEqual(['moderators-client', 'chat-app', 'chat-web']);
  });

  it('fails the cold start without JWT_ISSUER, naming it', () => {
    expect(() => apiTokenSettings(loadReviewApiSettings(env))).toThrow(ConfigurationError);
    expect(() => apiTokenSettings(loadReviewApiSettings({ ...env, JWT_ISSUER: '' }))).toThrow(/JWT_ISSUER is required/);
  });
});
