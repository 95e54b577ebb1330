import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadReviewApiSettings } from '../config.js';
import { readPolicyFile } from '../policy/load.js';
import { localEndpoints } from './discovery.js';
import { loadLocalIssuer } from './issuer.js';

/**
 * Policy as code: `npm run policy -- <command> …` drives the review API's /policies routes, against
 * `npm start` (a local admin token is minted, like `npm run token`) or a deployed API
 * (`--url https://… --token $TOKEN`). Answers are printed as JSON on stdout; a refusal prints the
 * problem (with every invalid field) on stderr and exits 1, so CI can gate on it.
 */
const USAGE = `usage: npm run --silent policy -- <command> [options]

  list                                     the stored scopes (global first)
  get <scope> [--effective]                a scope's document, version, who, when, why
  put <scope> <file.yaml|json> --comment <why> [--expected-version N]
  test [<scope>] [--file <candidate.yaml|json>] --message <text> [--message …]
       [--messages <messages.json>] [--channel <arn>] [--sender <arn>]
  replay <scope> <candidate.yaml|json> [--from <ISO>] [--to <ISO>] [--limit N] [--samples N]
                                           (default window: the last 24 hours)
  versions <scope> [--limit N] [--all]     the history, newest first
  rollback <scope> <version> --comment <why> [--expected-version N]
  delete <scope> --comment <why> [--expected-version N]

  <scope> is global, an app instance ARN or a channel ARN (given as is; the CLI encodes it).
  --url <review API>   default: the stack \`npm start\` is running (.local/stack.json), else 127.0.0.1:3000
  --token <JWT>        default: a 10-minute admin token from the local issuer (npm start only)`;

class UsageError extends Error {}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        comment: { type: 'string' },
        'expected-version': { type: 'string' },
        effective: { type: 'boolean' },
        file: { type: 'string' },
        message: { type: 'string', multiple: true },
        messages: { type: 'string' },
        channel: { type: 'string' },
        sender: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        limit: { type: 'string' },
        samples: { type: 'string' },
        all: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();

// Without --url: the stack `npm start` is running (.local/stack.json), whatever its ports.
const local = localEndpoints();
const baseUrl = (values.url ?? local.api).replace(/\/+$/, '');

async function bearer(): Promise<string> {
  if (values.token) return values.token;
  const url = new URL(baseUrl);
  if (!/^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname)) throw new UsageError(`--token is required for ${baseUrl} (the local issuer only signs for npm start)`);
  const settings = loadReviewApiSettings({ ...process.env, CURSOR_SECRET: 'x'.repeat(32) });
  const issuer = await loadLocalIssuer({
    // npm start's issuer is its API's own origin (or JWT_ISSUER).
    issuer: values.url ? (settings.jwtIssuer ?? url.origin) : local.issuer,
    audience: settings.jwtAudience,
    groupsClaim: settings.groupsClaim,
  });
  return issuer.mint({ user: process.env.USER ? `${process.env.USER}-cli` : 'policy-cli', groups: ['admins'], ttlSeconds: 600 });
}

const scopePath = (scope: string | undefined, suffix = '') => {
  if (!scope) throw new UsageError('a <scope> is required');
  return `/policies/${encodeURIComponent(scope)}${suffix}`;
};

const integer = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number`);
  return Number(text);
};

const required = (name: string, value: string | undefined): string => {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await bearer()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a gateway's own error page): shown as is.
  }
  if (!response.ok) {
    const problem = parsed as { title?: string; detail?: string; errors?: Array<{ path: string; message: string }> };
    const lines = [`${method} ${path}: ${response.status} ${problem.title ?? ''}`.trim(), problem.detail ?? (typeof parsed === 'string' ? parsed : '')];
    for (const e of problem.errors ?? []) lines.push(`  - ${e.path}: ${e.message}`);
    console.error(lines.filter(Boolean).join('\n'));
    process.exit(1);
  }
  return parsed;
}

async function main(): Promise<unknown> {
  const [command, ...args] = positionals;
  const expectedVersion = integer('expected-version', values['expected-version']);
  switch (command) {
    case 'list':
      return call('GET', '/policies?limit=100');
    case 'get':
      return call('GET', scopePath(args[0], values.effective ? '?effective=true' : ''));
    case 'put': {
      if (!args[1]) throw new UsageError('put needs a policy file: put <scope> <file.yaml|json>');
      return call('PUT', scopePath(args[0]), { document: readPolicyFile(args[1]), comment: required('comment', values.comment), ...(expectedVersion !== undefined ? { expectedVersion } : {}) });
    }
    case 'test': {
      const messages: unknown[] = values.messages ? (JSON.parse(readFileSync(values.messages, 'utf8')) as unknown[]) : [];
      for (const content of values.message ?? []) {
        messages.push({ content, ...(values.channel ? { channelArn: values.channel } : {}), ...(values.sender ? { senderArn: values.sender } : {}) });
      }
      if (messages.length === 0) throw new UsageError('test needs --message <text> (repeatable) or --messages <file.json>');
      return call('POST', '/policies/test', { ...(args[0] ? { scope: args[0] } : {}), ...(values.file ? { document: readPolicyFile(values.file) } : {}), messages });
    }
    case 'replay': {
      if (!args[0] || !args[1]) throw new UsageError('replay needs a scope and a candidate file: replay <scope> <file.yaml|json>');
      const to = values.to ?? new Date().toISOString();
      const from = values.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
      const limit = integer('limit', values.limit);
      const samples = integer('samples', values.samples);
      return call('POST', '/policies/replay', { scope: args[0], document: readPolicyFile(args[1]), from, to, ...(limit !== undefined ? { limit } : {}), ...(samples !== undefined ? { samples } : {}) });
    }
    case 'versions': {
      const limit = integer('limit', values.limit) ?? 25;
      const items: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = (await call('GET', scopePath(args[0], `/versions?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`))) as { items: unknown[]; next?: string };
        items.push(...page.items);
        cursor = values.all ? page.next : undefined;
      } while (cursor);
      return { scope: args[0], items };
    }
    case 'rollback': {
      const version = integer('version', args[1]);
      if (version === undefined) throw new UsageError('rollback needs a version: rollback <scope> <version>');
      return call('POST', scopePath(args[0], '/rollback'), { version, comment: required('comment', values.comment), ...(expectedVersion !== undefined ? { expectedVersion } : {}) });
    }
    case 'delete': {
      const query = new URLSearchParams({ comment: required('comment', values.comment), ...(expectedVersion !== undefined ? { expectedVersion: String(expectedVersion) } : {}) });
      return call('DELETE', scopePath(args[0], `?${query}`));
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  }
}

if (values.help) {
  console.log(USAGE);
} else {
  try {
    console.log(JSON.stringify(await main(), null, 2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
