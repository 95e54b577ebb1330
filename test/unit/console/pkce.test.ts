import { describe, expect, it } from 'vitest';
import { authorizeUrl, challengeFor, jwtClaims, randomVerifier, tokenRequestBody } from '../../../console/src/lib/pkce.js';

describe('sign-in with the authorization code flow and PKCE', () => {
  it('derives the S256 challenge as RFC 7636 appendix B does', async () => {
    expect(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 URL-safe characters, never twice the same', () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(a);
  });

  it('asks for a code with the challenge, and trades it with the verifier', () => {
    const url = new URL(authorizeUrl({ authorizationEndpoint: 'https://idp.example/oauth2/authorize', clientId: 'abc', redirectUri: 'https://api.example/console/', scope: 'openid email', state: 'st', challenge: 'ch' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ response_type: 'code', client_id: 'abc', redirect_uri: 'https://api.example/console/', scope: 'openid email', state: 'st', code_challenge: 'ch', code_challenge_method: 'S256' });
    expect(tokenRequestBody({ clientId: 'abc', code: 'c0de', redirectUri: 'https://api.example/console/', verifier: 'v' }).toString()).toBe(
      'grant_type=authorization_code&client_id=abc&code=c0de&redirect_uri=https%3A%2F%2Fapi.example%2Fconsole%2F&code_verifier=v',
    );
  });

  it('reads a token’s claims for display (the API does the verifying)', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 's', username: 'zoë', exp: 1 })).toString('base64url');
    expect(jwtClaims(`h.${payload}.sig`)).toEqual({ sub: 's', username: 'zoë', exp: 1 });
    expect(jwtClaims('not a token')).toBeUndefined();
  });
});
