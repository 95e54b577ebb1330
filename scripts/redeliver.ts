/**
 * `npm run redeliver -- --status FAILED [--since <ISO time or 30m/2h/1d>] [--callback-id <id> …] [--url <API> --token <admin JWT>]`
 *
 * The operator's side of POST /operations/redeliver (README "Recovering FAILED messages"): after
 * a fix (a missing chime:ChannelFlowCallback grant, say), every FAILED message still in its window
 * gets the decision it recorded, delivered again. It calls the API until nothing more is left
 * (the API takes up to 100 items a call and says when there are more), and prints one line per
 * item and a summary.
 *
 *   locally    the review API of the stack `npm start` is running (.local/stack.json), with an
 *              admin token minted by its local issuer
 *   elsewhere  --url <the HTTP API's URL> and --token <an admin's JWT> (or TOKEN in the environment)
 *
 * Exit code 0 when every item taken was delivered or skipped, 1 when one failed again or the API
 * refused, 2 for a usage error.
 */
import { loadReviewApiSettings } from '../src/config.js';
import { parseCommandLine } from '../src/local/command-line.js';
import { localEndpoints } from '../src/local/discovery.js';
import { loadLocalIssuer } from '../src/local/issuer.js';

const usage = `usage: npm run redeliver -- --status FAILED [--since <ISO time | 30m | 2h | 1d>] [--until <ISO time>] [--callback-id <id>]…
         [--url <review API URL> --token <admin JWT>] [--batch <1-100>]
  Without --url: the review API of the stack npm start is running, as a local admin.
  Exit code: 0 every item delivered or skipped, 1 one failed again (or the API refused), 2 usage.`;

function usageError(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/** `--since 2h` (before now) or an ISO time. */
function sinceTime(value: string, nowMs: number): string {
  const relative = /^(\d+)(m|h|d)$/.exec(value);
  if (relative) return new Date(nowMs - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd']).toISOString();
  if (Number.isNaN(Date.parse(value))) usageError(`--since must be an ISO time or a duration such as 30m, 2h, 1d (got "${value}")`);
  return new Date(value).toISOString();
}

interface Result {
  callbackId: string;
  outcome: string;
  reason?: string;
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(
    {
      options: {
        status: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        'callback-id': { type: 'string', multiple: true },
        url: { type: 'string' },
        token: { type: 'string' },
        batch: { type: 'string', default: '25' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    usage,
  );
  if (values.status !== 'FAILED') usageError('--status FAILED is required (FAILED items are the ones re-delivered)');
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100) usageError('--batch must be a whole number from 1 to 100');
  const now = Date.now();

  let url = values.url;
  let token = values.token ?? process.env.TOKEN;
  if (!url) {
    const local = localEndpoints();
    url = local.api;
    if (!token) {
      const settings = loadReviewApiSettings({ ...process.env, CURSOR_SECRET: 'x'.repeat(32) });
      const issuer = await loadLocalIssuer({ issuer: local.issuer, audience: settings.jwtAudience, groupsClaim: settings.groupsClaim });
      token = await issuer.mint({ user: 'operator', groups: [settings.adminGroup], ttlSeconds: 900 });
    }
  }
  if (!token) usageError('--token (an admin\'s JWT) is required with --url (or set TOKEN)');

  const body: Record<string, unknown> = {
    status: 'FAILED',
    limit: batch,
    ...(values['callback-id']?.length ? { callbackIds: values['callback-id'] } : {}),
    ...(values.since ? { from: sinceTime(values.since, now) } : {}),
    ...(values.until ? { to: sinceTime(values.until, now) } : {}),
  };
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (let call = 1; ; call += 1) {
    const response = await fetch(`${url.replace(/\/$/, '')}/operations/redeliver`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as { results?: Result[]; more?: boolean; next?: string; detail?: string; title?: string };
    if (!response.ok) {
      console.error(`POST /operations/redeliver answered ${response.status}: ${answer.detail ?? answer.title ?? 'no detail'}`);
      return 1;
    }
    let progressed = false;
    for (const result of answer.results ?? []) {
      console.log(`${result.callbackId}  ${result.outcome}${result.reason ? `  ${result.reason}` : ''}`);
      counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
      if (!seen.has(result.callbackId) && result.outcome !== 'NOT_ATTEMPTED') progressed = true;
      seen.add(result.callbackId);
    }
    // Named items are taken in one call; otherwise go on from where the listing stopped while the
    // API says there are more and each call moves something.
    if (!answer.more || body.callbackIds || !progressed) break;
    if (answer.next) body.cursor = answer.next;
    else delete body.cursor;
    if (call >= 1000) break;
  }
  const summary = [...counts].map(([outcome, n]) => `${outcome} ${n}`).join(' · ');
  console.log(seen.size === 0 ? 'No FAILED message in its window: nothing to re-deliver.' : summary);
  return (counts.get('FAILED') ?? 0) > 0 ? 1 : 0;
}

process.exit(await main());
