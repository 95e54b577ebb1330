import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthenticationError, TokenKeysUnavailableError } from '../errors.js';

/**
 * "Who is this token": the API's own check of the bearer token, in the function.
 *
 * API Gateway's JWT authorizer verifies the token too, but it hands the function the claims as
 * strings, with arrays flattened into `"[a b]"`, and from that string a group named
 * `readers,admins` or `Support admins` cannot be told apart from two groups. So the function
 * reads nothing from the authorizer's context: it verifies the token itself (same issuer, keys
 * and audience as the authorizer) and works from the verified payload, whose arrays are arrays.
 * Which *role* the token has is a separate question (src/http/principal.ts).
 *
 * What is checked, as the authorizer checks it: a signature by a key in the issuer's JWKS with an
 * RSA algorithm (API Gateway accepts only those; so `alg: none`, HS256 keyed with the public key
 * and foreign keys fail), `iss`, `exp` (required) and `nbf`, and the audience: `aud` when the
 * token has one, else `client_id` (Cognito access tokens carry no `aud`).
 *
 * Keys: from the issuer's OIDC discovery document (`jwks_uri`), or `{issuer}/.well-known/jwks.json`
 * (Cognito's, and the local issuer's) when the issuer has none. Built once per container, it
 * fetches the key set once and keeps it (jose's remote key set); a token signed with a key id it
 * has not seen makes it fetch again, at most once per 30 s, so a key rotation is picked up.
 */

/** RSA signatures only, as API Gateway's JWT authorizer. */
export const TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** API Gateway (HTTP API) refuses requests whose headers exceed 10 KB, so no real token is longer. */
export const MAX_TOKEN_CHARS = 10_240;

const FETCH_TIMEOUT_MS = 5_000;

declare const verified: unique symbol;
/** A payload that came out of `TokenVerifier.verify`, and only that: roles are read from nothing else. */
export type VerifiedToken = JWTPayload & { readonly [verified]: true };

export interface TokenVerifier {
  /** The verified payload of `Authorization: Bearer <token>`; AuthenticationError if there is none. */
  verify(authorization: string | undefined): Promise<VerifiedToken>;
}

export interface TokenVerifierOptions {
  /** The `iss` tokens must carry (JWT_ISSUER), exactly as the authorizer's issuerUrl. */
  issuer: string;
  /**
   * JWT_AUDIENCE: `aud`, or `client_id` when the token has no `aud`, must be one of these (the
   * moderators' client, and the chat apps' clients of stage param memberJwtAudiences).
   */
  audience: string | readonly string[];
  /** Where the key set is, if not where the issuer's discovery document says. */
  jwksUrl?: string;
  /** The key set itself, instead of fetching it (tests; a pinned key set). */
  keys?: JSONWebKeySet;
  /** For the discovery document and the key set (tests count the fetches). Default: global fetch. */
  fetch?: FetchImplementation;
  /** Epoch ms for `exp` / `nbf` (the local stack's clock, which tests move). Default: the system's. */
  now?: () => number;
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * The key set's URL from `{issuer}/.well-known/openid-configuration`. An issuer without one (a
 * definite 4xx answer, or a document without `jwks_uri`) has its keys at the Cognito path. No
 * answer, a 429 or a 5xx is not a definite answer: it throws, and the next request asks again.
 */
async function discoverJwksUrl(issuer: string, fetchImpl: FetchImplementation): Promise<URL> {
  const url = `${withoutTrailingSlash(issuer)}/.well-known/openid-configuration`;
  const fallback = new URL(`${withoutTrailingSlash(issuer)}/.well-known/jwks.json`);
  let response: Response;
  try {
    response = await fetchImpl(url, { method: 'GET', redirect: 'manual', headers: new Headers({ accept: 'application/json' }), signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (cause) {
    throw new TokenKeysUnavailableError(issuer, url, 'no answer', { cause });
  }
  if (response.status === 429 || response.status >= 500) throw new TokenKeysUnavailableError(issuer, url, `HTTP ${response.status}`);
  if (response.status !== 200) {
    await response.body?.cancel();
    return fallback;
  }
  const document = (await response.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
  if (typeof document?.jwks_uri !== 'string') return fallback;
  // OpenID Connect Discovery 1.0 §4.3: the document must be the issuer's own.
  if (document.issuer !== issuer) throw new TokenKeysUnavailableError(issuer, url, `the document is for issuer ${JSON.stringify(document.issuer)}`);
  try {
    return new URL(document.jwks_uri);
  } catch (cause) {
    throw new TokenKeysUnavailableError(issuer, url, `jwks_uri ${JSON.stringify(document.jwks_uri)} is not a URL`, { cause });
  }
}

/** A key resolver over the issuer's remote key set; fetching fails as TokenKeysUnavailableError, never as a 401. */
function remoteKeys(options: TokenVerifierOptions, fetchImpl: FetchImplementation): JWTVerifyGetKey {
  let resolving: Promise<{ url: URL; keys: JWTVerifyGetKey }> | undefined;
  const resolve = () =>
    (resolving ??= (async () => {
      const url = options.jwksUrl ? new URL(options.jwksUrl) : await discoverJwksUrl(options.issuer, fetchImpl);
      // cacheMaxAge Infinity: keys are fetched once per container, and again only for an unknown key id.
      return { url, keys: createRemoteJWKSet(url, { cacheMaxAge: Infinity, timeoutDuration: FETCH_TIMEOUT_MS, [customFetch]: fetchImpl }) };
    })().catch((error: unknown) => {
      resolving = undefined; // a failed discovery is retried by the next request, not remembered
      throw error;
    }));
  return async (header, token) => {
    const { url, keys } = await resolve();
    try {
      return await keys(header, token);
    } catch (error) {
      // No key for the token's kid/alg is the token's problem; anything else is the key set's.
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
      throw new TokenKeysUnavailableError(options.issuer, url.href, error instanceof Error ? error.message : String(error), { cause: error });
    }
  };
}

/** What went wrong, in words a caller can act on; never the token itself. */
function refusal(error: unknown): unknown {
  if (error instanceof joseErrors.JWTExpired) return new AuthenticationError('The token has expired; get a new one.', {}, { cause: error });
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const message = error.reason === 'missing' ? `The token has no ${error.claim} claim.` : `The token's ${error.claim} claim is not valid here.`;
    return new AuthenticationError(message, { claim: error.claim }, { cause: error });
  }
  if (error instanceof joseErrors.JOSEError) return new AuthenticationError("The token is not valid: not signed with the issuer's keys (RSA), or malformed.", {}, { cause: error });
  return error; // TokenKeysUnavailableError, or a bug: a 500, logged
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience, now } = options;
  const accepted: readonly string[] = typeof audience === 'string' ? [audience] : audience;
  const fetchImpl: FetchImplementation = options.fetch ?? ((url, init) => fetch(url, init));
  const getKey: JWTVerifyGetKey = options.keys ? createLocalJWKSet(options.keys) : remoteKeys(options, fetchImpl);
  return {
    async verify(authorization) {
      // API Gateway takes the token with or without the `Bearer` prefix; so do we.
      const token = /^(?:Bearer\s+)?(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token || /^bearer$/i.test(token)) throw new AuthenticationError('Send `Authorization: Bearer <token>` with a token from your identity provider.');
      if (token.length > MAX_TOKEN_CHARS) throw new AuthenticationError(`The token is longer than ${MAX_TOKEN_CHARS} characters.`);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer,
          algorithms: TOKEN_ALGORITHMS,
          requiredClaims: ['exp', 'sub'],
          ...(now ? { currentDate: new Date(now()) } : {}),
        }));
      } catch (error) {
        throw refusal(error);
      }
      // The authorizer's audience rule: `aud` when present (one value or a list), else `client_id`.
      const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const matches = audiences.length > 0 ? audiences.some((aud) => accepted.includes(aud)) : typeof payload.client_id === 'string' && accepted.includes(payload.client_id);
      if (!matches) throw new AuthenticationError(`The token is for another audience; this API accepts ${accepted.join(' or ')}.`, { audience });
      return payload as VerifiedToken;
    },
  };
}
