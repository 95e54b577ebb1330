import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.js';
import '../zod-messages.js';
import type { ConsoleConfigDocument } from './config-document.js';

/**
 * The console function's settings (serverless.yml sets them), read once at cold start and
 * validated: a missing issuer or client id fails the function at start, naming the variable.
 *
 * With Cognito, serverless.yml gives the hosted UI's endpoints directly. With an external OIDC
 * issuer only the issuer is needed: the endpoints come from its discovery document
 * (`/.well-known/openid-configuration`), fetched once per container.
 *
 * zod/mini: the same rules and messages as the classic API, and the console's bundle needs no
 * more of zod than this (src/zod-messages.ts).
 */
const optionalUrl = z.optional(
  z.pipe(
    z.pipe(
      z.string().check(z.trim()),
      z.transform((v: string) => (v === '' ? undefined : v)),
    ),
    z.optional(z.url()),
  ),
);

const trimmedName = (fallback: string) => z._default(z.string().check(z.trim(), z.minLength(1)), fallback);

const ConsoleEnv = z.object({
  CONSOLE_OIDC_ISSUER: z.url({ error: 'is required: the issuer moderators sign in with' }),
  CONSOLE_OIDC_CLIENT_ID: z.string({ error: 'is required: the public app client of the console' }).check(z.trim(), z.minLength(1)),
  CONSOLE_OIDC_SCOPE: trimmedName('openid email profile'),
  CONSOLE_OIDC_TOKEN_USE: z._default(z.enum(['access', 'id']), 'access'),
  CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: optionalUrl,
  CONSOLE_OIDC_TOKEN_ENDPOINT: optionalUrl,
  CONSOLE_OIDC_LOGOUT_ENDPOINT: optionalUrl,
  /** Cognito's /logout takes `logout_uri`; OIDC RP-initiated logout takes `post_logout_redirect_uri`. */
  CONSOLE_OIDC_LOGOUT_PARAMETER: z._default(z.enum(['logout_uri', 'post_logout_redirect_uri']), 'post_logout_redirect_uri'),
  MODERATOR_GROUP: trimmedName('moderators'),
  ADMIN_GROUP: trimmedName('admins'),
});

export type ConsoleSettings = z.output<typeof ConsoleEnv>;

export function loadConsoleSettings(env: NodeJS.ProcessEnv = process.env): ConsoleSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConsoleEnv.safeParse(present);
  if (!result.success) {
    throw new ConfigurationError(`Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  }
  return result.data;
}

const Discovery = z.looseObject({
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  end_session_endpoint: z.optional(z.url()),
});

/**
 * The config document for a deployed stack. Discovery runs at most once per container while it
 * succeeds; a failure is not cached, so the next request tries again.
 */
export function oidcConfigSource(settings: ConsoleSettings, fetchImpl: typeof fetch = fetch): () => Promise<ConsoleConfigDocument> {
  let discovered: Promise<z.output<typeof Discovery>> | undefined;
  const discover = () => {
    discovered ??= (async () => {
      const url = `${settings.CONSOLE_OIDC_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetchImpl(url, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`OIDC discovery at ${url} answered ${response.status}`);
      const checked = Discovery.safeParse(await response.json());
      // zod/mini names its error $ZodError; config.json's 502 shows it as the classic API did.
      if (!checked.success) throw Object.assign(checked.error, { name: 'ZodError' });
      return checked.data;
    })().catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  return async () => {
    const explicit = settings.CONSOLE_OIDC_AUTHORIZATION_ENDPOINT && settings.CONSOLE_OIDC_TOKEN_ENDPOINT;
    const endpoints = explicit
      ? { authorization_endpoint: settings.CONSOLE_OIDC_AUTHORIZATION_ENDPOINT!, token_endpoint: settings.CONSOLE_OIDC_TOKEN_ENDPOINT!, end_session_endpoint: settings.CONSOLE_OIDC_LOGOUT_ENDPOINT }
      : await discover();
    const logoutEndpoint = settings.CONSOLE_OIDC_LOGOUT_ENDPOINT ?? endpoints.end_session_endpoint;
    return {
      apiBaseUrl: '',
      groups: { moderator: settings.MODERATOR_GROUP, admin: settings.ADMIN_GROUP },
      auth: {
        kind: 'oidc',
        issuer: settings.CONSOLE_OIDC_ISSUER,
        clientId: settings.CONSOLE_OIDC_CLIENT_ID,
        authorizationEndpoint: endpoints.authorization_endpoint,
        tokenEndpoint: endpoints.token_endpoint,
        scope: settings.CONSOLE_OIDC_SCOPE,
        tokenUse: settings.CONSOLE_OIDC_TOKEN_USE,
        ...(logoutEndpoint ? { logout: { endpoint: logoutEndpoint, returnParameter: settings.CONSOLE_OIDC_LOGOUT_PARAMETER } } : {}),
      },
    };
  };
}

/** `npm start`: the sign-in form and the local issuer's token endpoint (which exists only locally). */
export const LOCAL_TOKEN_PATH = '/_local/token';

export function localConfigDocument(groups: { moderator: string; admin: string }): ConsoleConfigDocument {
  return { apiBaseUrl: '', groups, auth: { kind: 'local', tokenEndpoint: LOCAL_TOKEN_PATH } };
}
