import type { ConsoleAuthConfig } from '../../../src/console-host/config-document';
import { authorizeUrl, challengeFor, randomVerifier, tokenRequestBody } from '../lib/pkce';
import { sessionFromToken, sessions } from './session';

/**
 * Signing in. Locally (`npm start`) a form posts a username and groups to the local issuer's
 * token endpoint. In AWS the browser goes to Cognito's hosted UI (or the configured OIDC
 * provider) with the authorization code flow and PKCE, and comes back to the console with a
 * code it exchanges for tokens. Either way the result is a Session (sessionStorage).
 */

export type OidcConfig = Extract<ConsoleAuthConfig, { kind: 'oidc' }>;

const PENDING = 'moderation-console.oidc-pending';

/** Where the provider sends the browser back: the console's root (registered as the callback URL). */
export const redirectUri = () => `${location.origin}/console/`;

export async function signInLocally(tokenEndpoint: string, username: string, groups: string): Promise<void> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: username.trim(), groups: groups.split(',').map((g) => g.trim()).filter(Boolean) }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; expiresAt?: string; detail?: string };
  if (!response.ok || !body.token) throw new Error(body.detail ?? `The local issuer answered ${response.status}.`);
  sessions.set(sessionFromToken(body.token, { username: username.trim(), ...(body.expiresAt ? { expiresAt: Date.parse(body.expiresAt) } : {}) }));
}

/** Off to the provider; `returnTo` (the moderator's place) comes back with the code. */
export async function beginOidcSignIn(config: OidcConfig, returnTo: string): Promise<void> {
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  location.assign(authorizeUrl({ authorizationEndpoint: config.authorizationEndpoint, clientId: config.clientId, redirectUri: redirectUri(), scope: config.scope, state, challenge: await challengeFor(verifier) }));
}

/**
 * Back from the provider with `?code&state`: exchange the code (with the PKCE verifier) for
 * tokens. Returns where to go next, or undefined when this page load is not a callback.
 */
export async function completeOidcSignIn(config: OidcConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING);
  if (error) throw new Error(`The sign-in was refused: ${params.get('error_description') ?? error}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('This sign-in answer does not match a sign-in started here. Start again.');
  const response = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({ clientId: config.clientId, code: code!, redirectUri: redirectUri(), verifier: pending.verifier }),
  });
  const tokens = (await response.json().catch(() => ({}))) as { access_token?: string; id_token?: string; expires_in?: number; error_description?: string; error?: string };
  const token = config.tokenUse === 'id' ? tokens.id_token : tokens.access_token;
  if (!response.ok || !token) throw new Error(`The identity provider did not issue a token: ${tokens.error_description ?? tokens.error ?? response.status}`);
  sessions.set(sessionFromToken(token, tokens.expires_in ? { expiresAt: Date.now() + tokens.expires_in * 1000 } : {}));
  return pending.returnTo;
}

/** Sign out here and, when the provider supports it, there too. */
export function signOut(auth: ConsoleAuthConfig): void {
  sessions.signOut();
  if (auth.kind === 'oidc' && auth.logout) {
    const url = new URL(auth.logout.endpoint);
    url.searchParams.set('client_id', auth.clientId);
    url.searchParams.set(auth.logout.returnParameter, redirectUri());
    location.assign(url.toString());
  }
}
