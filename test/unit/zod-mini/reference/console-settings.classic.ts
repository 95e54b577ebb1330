// Frozen copy of src/console-host/settings.ts before its schemas moved to zod/mini (classic zod API):
// the reference test/unit/zod-mini/console-settings.test.ts checks the migration against.
import * as z from 'zod';
import { ConfigurationError } from '../../../../src/errors.js';
import type { ConsoleConfigDocument } from '../../../../src/console-host/config-document.js';

/**
 * The console function's settings (serverless.yml sets them), read once at cold start and
 * validated: a missing issuer or client id fails the function at start, naming the variable.
 *
 * With Cognito, serverless.yml gives the hosted UI's endpoints directly. With an external OIDC
 * issuer only the issuer is needed: the endpoints come from its discovery document
 * (`/.well-known/openid-configuration`), fetched once per container.
 */
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

const ConsoleEnv = z.object({
  CONSOLE_OIDC_ISSUER: z.url({ error: 'is required: the issuer moderators sign in with' }),
  CONSOLE_OIDC_CLIENT_ID: z.string({ error: 'is required: the public app client of the console' }).trim().min(1),
  CONSOLE_OIDC_SCOPE: z.string().trim().min(1).default('openid email profile'),
  CONSOLE_OIDC_TOKEN_USE: z.enum(['access', 'id']).default('access'),
  CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: optionalUrl,
  CONSOLE_OIDC_TOKEN_ENDPOINT: optionalUrl,
  CONSOLE_OIDC_LOGOUT_ENDPOINT: optionalUrl,
  /** Cognito's /logout takes `logout_uri`; OIDC RP-initiated logout takes `post_logout_redirect_uri`. */
  CONSOLE_OIDC_LOGOUT_PARAMETER: z.enum(['logout_uri', 'post_logout_redirect_uri']).default('post_logout_redirect_uri'),
  MODERATOR_GROUP: z.string().trim().min(1).default('moderators'),
  ADMIN_GROUP: z.string().trim().min(1).default('admins'),
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
  end_session_endpoint: z.url().optional(),
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
      return Discovery.parse(await response.json());
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
