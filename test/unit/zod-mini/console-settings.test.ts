/**
 * The console function's settings moved from the classic zod API to zod/mini (a smaller bundle).
 * Same rules, same messages: loadConsoleSettings and the discovery document's check must answer
 * exactly what the classic version (a frozen copy in reference/) answers, value or error.
 */
import { describe, expect, it } from 'vitest';
import * as mini from '../../../src/console-host/settings.js';
import * as classic from './reference/console-settings.classic.js';

type Outcome = { value: unknown } | { error: string; name: string };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

const base = { CONSOLE_OIDC_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x', CONSOLE_OIDC_CLIENT_ID: 'client' };
const values: Record<string, string[]> = {
  CONSOLE_OIDC_ISSUER: ['https://issuer.example.com', ' https://issuer.example.com ', 'issuer', '', '   '],
  CONSOLE_OIDC_CLIENT_ID: ['abc', ' abc ', '', '   '],
  CONSOLE_OIDC_SCOPE: ['openid', ' openid email ', '', '   '],
  CONSOLE_OIDC_TOKEN_USE: ['access', 'id', 'ID', 'refresh', ''],
  CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: ['https://x.auth.us-east-1.amazoncognito.com/oauth2/authorize', ' https://x/a ', 'nope', '', '   '],
  CONSOLE_OIDC_TOKEN_ENDPOINT: ['https://x/t', 'nope', ''],
  CONSOLE_OIDC_LOGOUT_ENDPOINT: ['https://x/logout', 'nope', ''],
  CONSOLE_OIDC_LOGOUT_PARAMETER: ['logout_uri', 'post_logout_redirect_uri', 'redirect', ''],
  MODERATOR_GROUP: ['mods', ' mods ', '', '   '],
  ADMIN_GROUP: ['admins', '   '],
};

function envs(): NodeJS.ProcessEnv[] {
  const out: NodeJS.ProcessEnv[] = [{}, base];
  for (const [name, candidates] of Object.entries(values)) {
    for (const value of candidates) out.push({ ...base, [name]: value });
  }
  out.push(Object.fromEntries(Object.entries(values).map(([name, candidates]) => [name, candidates.at(-1)!])));
  return out;
}

describe('console settings on zod/mini answer as the classic ones did', () => {
  it('loadConsoleSettings', async () => {
    let errors = 0;
    for (const env of envs()) {
      const expected = await outcome(() => classic.loadConsoleSettings(env));
      if ('error' in expected) errors++;
      expect(await outcome(() => mini.loadConsoleSettings(env)), JSON.stringify(env)).toEqual(expected);
    }
    expect(errors).toBeGreaterThan(10);
  });

  it('the OIDC discovery document', async () => {
    const settings = classic.loadConsoleSettings({ ...base, CONSOLE_OIDC_ISSUER: 'https://issuer.example.com' });
    const documents: unknown[] = [
      { authorization_endpoint: 'https://issuer.example.com/authorize', token_endpoint: 'https://issuer.example.com/token', extra: 1 },
      { authorization_endpoint: 'https://issuer.example.com/authorize', token_endpoint: 'https://issuer.example.com/token', end_session_endpoint: 'https://issuer.example.com/logout' },
      { authorization_endpoint: 'https://issuer.example.com/authorize', token_endpoint: 'token' },
      { authorization_endpoint: 'https://issuer.example.com/authorize', end_session_endpoint: 3 },
      {},
      [],
      'not a document',
    ];
    for (const document of documents) {
      const fetchImpl = (async () => new Response(JSON.stringify(document), { status: 200 })) as typeof fetch;
      expect(await outcome(() => mini.oidcConfigSource(settings, fetchImpl)()), JSON.stringify(document)).toEqual(await outcome(() => classic.oidcConfigSource(settings, fetchImpl)()));
    }
  });
});
