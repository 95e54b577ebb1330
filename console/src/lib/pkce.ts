/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) for a public client: the browser
 * holds no secret. Uses Web Crypto, available in browsers and in Node 20.
 */

const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};

/** 32 random bytes → 43 characters of [A-Za-z0-9_-], inside RFC 7636's 43–128. */
export function randomVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  challenge: string;
}

export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scope);
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export function tokenRequestBody(input: { clientId: string; code: string; redirectUri: string; verifier: string }): URLSearchParams {
  return new URLSearchParams({ grant_type: 'authorization_code', client_id: input.clientId, code: input.code, redirect_uri: input.redirectUri, code_verifier: input.verifier });
}

/** The payload of a JWT, unverified: only to read `exp` and the username for display. The API verifies. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
