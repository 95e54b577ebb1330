import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';

/**
 * The local identity provider: one RS256 key pair (API Gateway's JWT authorizer only accepts
 * RSA signatures), its public half served as a JWKS, and token minting for `npm run token` and
 * the tests. The pair is persisted under .local/ so `npm start` and `npm run token` agree
 * across processes and restarts; tests use an in-memory pair.
 */

export const JWT_ALGORITHM = 'RS256';
export const DEFAULT_KEY_FILE = fileURLToPath(new URL('../../.local/jwt-signing-key.json', import.meta.url));

export const localIssuerUrl = (host: string, port: number) => `http://${host}:${port}`;

export interface TokenRequest {
  /** Username (`username` claim). */
  user: string;
  groups: string[];
  /** Defaults to a stable UUID derived from the username, like a Cognito `sub`. */
  subject?: string;
  ttlSeconds?: number;
  /** Epoch ms used as "now" (tests move the clock). */
  nowMs?: number;
  /** Extra or overriding claims. */
  claims?: JWTPayload;
}

export interface LocalIssuer {
  issuer: string;
  audience: string;
  groupsClaim: string;
  keyId: string;
  jwks: JSONWebKeySet;
  mint(request: TokenRequest): Promise<string>;
  /** Signature, issuer and expiry checks as the authorizer does them (audience is the caller's). */
  verify(token: string, nowMs: number): Promise<JWTPayload>;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export const subjectFor = (user: string): string => {
  const hex = createHash('sha256').update(`local-user:${user}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

async function newKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: JWT_ALGORITHM }, publicJwk: { ...publicJwk, kid, alg: JWT_ALGORITHM, use: 'sig' } };
}

/** Reads the key file, or creates it; two processes starting at once end up with the same key. */
async function persistedKey(file: string): Promise<StoredKey> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = await newKey();
  const temporary = join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, JSON.stringify(key, null, 2), { mode: 0o600 });
  try {
    linkSync(temporary, file); // fails if another process won the race: use theirs
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
}

export async function loadLocalIssuer(options: {
  issuer: string;
  /** Both from the review API's settings (src/config.ts holds their defaults). */
  audience: string;
  groupsClaim: string;
  /** null: an in-memory key that dies with the process. */
  keyFile?: string | null;
}): Promise<LocalIssuer> {
  const stored = options.keyFile === null ? await newKey() : await persistedKey(options.keyFile ?? DEFAULT_KEY_FILE);
  const privateKey = (await importJWK(stored.privateJwk, JWT_ALGORITHM)) as CryptoKey;
  const jwks: JSONWebKeySet = { keys: [stored.publicJwk] };
  const keySet = createLocalJWKSet(jwks);
  const { audience, groupsClaim } = options;
  return {
    issuer: options.issuer,
    audience,
    groupsClaim,
    keyId: stored.kid,
    jwks,
    async mint(request) {
      const nowSeconds = Math.floor((request.nowMs ?? Date.now()) / 1000);
      // Built as one payload so `request.claims` can override anything (tests forge bad tokens).
      const payload: JWTPayload = {
        iss: options.issuer,
        aud: audience,
        sub: request.subject ?? subjectFor(request.user),
        iat: nowSeconds,
        exp: nowSeconds + (request.ttlSeconds ?? 3600),
        jti: randomBytes(12).toString('hex'),
        username: request.user,
        [groupsClaim]: request.groups,
        token_use: 'access',
        ...request.claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: JWT_ALGORITHM, kid: stored.kid, typ: 'JWT' }).sign(privateKey);
    },
    async verify(token, nowMs) {
      const { payload } = await jwtVerify(token, keySet, { issuer: options.issuer, algorithms: [JWT_ALGORITHM], currentDate: new Date(nowMs) });
      return payload;
    },
  };
}
