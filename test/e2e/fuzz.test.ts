/**
 * Bad input, everywhere (BRIEF invariant 5: "Bad input gets a clear error and loses nothing").
 *
 * A seeded, bounded fuzz suite against one local stack: at least 500 generated hostile inputs
 * across the four ways in from outside:
 *
 *   api      every route of ROUTES and POLICY_ROUTES through the local HTTP API, as a valid
 *            moderator or admin, one hostile part per request (test/fuzz/api-cases.ts)
 *   tokens   every guarded route with hostile Authorization headers and crafted groups
 *            (test/fuzz/token-cases.ts)
 *   console  the console's paths under /console/, traversal and odd encodings
 *            (test/fuzz/console-cases.ts)
 *   intake   the intake Lambda invoked with hostile events (test/fuzz/intake-cases.ts)
 *
 * Per input: the answer is the expected 4xx as application/problem+json with type, title,
 * status and detail (the console's refusals are text/plain by design; a 401 carries
 * `WWW-Authenticate: Bearer`); never a 5xx; the state is as it was (both tables, the Chime
 * emulator's callbacks, messages, channels and bans, the queues); Object.prototype is untouched;
 * and the event loop is never blocked for more than 50 ms while the input is refused. The stack
 * runs in this process (the HTTP API, the functions, the Chime emulator); DynamoDB and SQS run
 * in a child process, as they are remote services in AWS. A rejected event is on the intake DLQ
 * with its reason, and nothing of it is in the table.
 *
 * Not problem+json by design: the console's refusals (text/plain; it is a static file host for a
 * browser, src/console-host/assets.ts), and the 308 from /console to /console/.
 *
 * Inputs the API serves as valid (odd headers or path shapes on a read: the documented
 * non-errors) do their route's own work; a stall there is the route's cost, not the input's,
 * and is listed in the summary rather than failed (GET /stats fans out ~96 DynamoDB queries).
 *
 * Reproduce: the seed is fixed (FUZZ_SEED overrides it) and every failure names its input id;
 * `FUZZ_ONLY='^api#17$'` runs just that input (the rest are skipped, not changed).
 */
import { accessOf } from '../../src/http/route.js';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { apiCases, draftRequest, MIN_PER_ROUTE } from '../fuzz/api-cases.js';
import { judge, type HttpCase, type RunContext } from '../fuzz/cases.js';
import { consoleCases, makeConsoleSite } from '../fuzz/console-cases.js';
import { APP_INSTANCE, CHANNEL, PENDING_IDS, POLICY_DOCUMENT, SENDER } from '../fuzz/fixtures.js';
import { preview } from '../fuzz/hostile.js';
import { closeAgent, send, type RawRequest, type RawResponse } from '../fuzz/http.js';
import { intakeCases, type IntakeCase } from '../fuzz/intake-cases.js';
import { changedParts, fingerprint, prototypePollution, StallMeter, type Fingerprint } from '../fuzz/observe.js';
import { Rng } from '../fuzz/random.js';
import { startStorageProcess } from '../fuzz/storage.js';
import { tokenCases } from '../fuzz/token-cases.js';
import { aPendingReview, api, memberTokenFor, startReviewStack, tokenFor } from '../support/review.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026) >>> 0;
const ONLY = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined;
/** The longest the event loop may be blocked while one input is handled. */
const STALL_MS = 50;
const MIN_INPUTS = 500;

// ─── The inputs: a function of the seed alone ───────────────────────────────────────────────

const rng = new Rng(SEED);
const site = makeConsoleSite();
const API = apiCases(rng.fork('api'), 340);
const TOKENS = tokenCases(rng.fork('tokens'), API.infos, 90);
const CONSOLE = consoleCases(rng.fork('console'), site, 70);
const INTAKE = intakeCases(rng.fork('intake'), 150);

const byGroup = <T extends { group: string }>(cases: T[]) => {
  const groups = new Map<string, T[]>();
  for (const c of cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return [...groups];
};
const selected = <T extends { id: string }>(cases: T[]) => (ONLY ? cases.filter((c) => ONLY.test(c.id)) : cases);

// ─── Reporting ──────────────────────────────────────────────────────────────────────────────

interface Finding {
  id: string;
  title: string;
  request: string;
  response: string;
  failures: string[];
}

/** Valid requests (served, 2xx) that blocked the loop past the bound on their own: the route's cost. */
const slowServed = new Set<string>();
const tally = new Map<string, { inputs: number; failed: number; retriedStalls: number }>();
const count = (target: string, failed: boolean, retried: boolean) => {
  const t = tally.get(target) ?? { inputs: 0, failed: 0, retriedStalls: 0 };
  t.inputs += 1;
  if (failed) t.failed += 1;
  if (retried) t.retriedStalls += 1;
  tally.set(target, t);
};

function describeRequest(request: RawRequest): string {
  const headers = (request.headers ?? [])
    .map(([k, v]) => `${k}: ${k === 'authorization' && v.length > 40 ? `${v.slice(0, 20)}…(${v.length} chars)` : preview(v, 60)}`)
    .join('; ');
  const body = request.body ? ` body (${request.body.length} bytes): ${preview(request.body.toString('utf8'), 160)}` : '';
  return `${request.method} ${preview(request.path, 200)}${headers ? ` [${headers}]` : ''}${body}`;
}
const describeResponse = (response: RawResponse | undefined) =>
  response ? `${response.status} ${response.headers['content-type'] ?? '(no content-type)'} ${preview(response.text, 240)}` : '(no answer)';

function report(findings: Finding[]): string {
  return [
    `${findings.length} input(s) found a defect (seed ${SEED}; rerun one with FUZZ_SEED=${SEED} FUZZ_ONLY='^<id>$' npx vitest run test/e2e/fuzz.test.ts):`,
    ...findings.map((f) => [`[${f.id}] ${f.title}`, `    request:  ${f.request}`, `    response: ${f.response}`, ...f.failures.map((x) => `    - ${x}`)].join('\n')),
  ].join('\n');
}

// ─── The run ────────────────────────────────────────────────────────────────────────────────

describe(`fuzz: hostile inputs get a clear 4xx and change nothing (seed ${SEED})`, () => {
  let stack: LocalStack;
  let storage: Awaited<ReturnType<typeof startStorageProcess>> | undefined;
  let ctx: RunContext;
  const meter = new StallMeter();
  let state: Fingerprint;

  beforeAll(async () => {
    // DynamoDB and SQS in a process of their own: remote services in AWS, their work is not ours
    // to count as blocking this loop (which runs the HTTP API, the functions and the Chime emulator).
    // Endpoints configured in the environment (DynamoDB Local, AWS) are used as they are.
    const configured = { dynamodb: process.env.DYNAMODB_ENDPOINT || undefined, sqs: process.env.SQS_ENDPOINT || undefined };
    if (!configured.dynamodb || !configured.sqs) storage = await startStorageProcess();
    stack = await startReviewStack({
      consoleDir: site.root,
      dynamodbEndpoint: configured.dynamodb ?? storage!.endpoints.dynamodb,
      sqsEndpoint: configured.sqs ?? storage!.endpoints.sqs,
    });
    const moderator = await tokenFor(stack, 'fuzz-moderator');
    const admin = await tokenFor(stack, 'fuzz-admin', ['moderators', 'admins']);
    // A chat member, for the members' routes (reports): a member of nothing.
    const member = await memberTokenFor(stack, `${APP_INSTANCE}/user/fuzz-member`);
    // The held items every API input aims at, with the ids the generator knows.
    const deadline = stack.runtime.clock.now() + stack.config.callbackWindowSeconds * 1000 - 60_000;
    for (const [i, callbackId] of PENDING_IDS.entries()) {
      await stack.runtime.store.recordReceived({ ...aPendingReview(stack, deadline + i * 1000, { channel: CHANNEL, sender: SENDER }), callbackId });
    }
    // Stored policies, so that listings page and versions exist.
    for (const [scope, comment] of [[CHANNEL, 'v1'], [CHANNEL, 'v2'], [APP_INSTANCE, 'app']] as const) {
      const put = await api(stack, 'PUT', `/policies/${encodeURIComponent(scope)}`, { token: admin, json: { document: POLICY_DOCUMENT, comment } });
      expect(put.status, put.text).toBe(200);
    }
    const cursor = async (path: string) => {
      const page = await api(stack, 'GET', path, { token: moderator });
      expect(page.body?.next, `${path} gives a next page`).toEqual(expect.any(String));
      return page.body.next as string;
    };
    const foreign = await generateKeyPair('RS256');
    ctx = {
      token: (role) => (role === 'admin' ? admin : role === 'member' ? member : moderator),
      cursors: {
        reviews: await cursor('/reviews?limit=1'),
        policies: await cursor('/policies?limit=1'),
        versions: await cursor(`/policies/${encodeURIComponent(CHANNEL)}/versions?limit=1`),
      },
      mint: (claims, options = {}) =>
        stack.issuer.mint({ user: options.user ?? 'mallory', groups: [], nowMs: stack.runtime.clock.now(), claims, ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}) }),
      issuer: { issuer: stack.issuer.issuer, audience: stack.issuer.audience, groupsClaim: stack.issuer.groupsClaim, keyId: stack.issuer.keyId, publicJwk: stack.issuer.jwks.keys[0] as Record<string, unknown> },
      foreignKey: foreign.privateKey,
      now: () => stack.runtime.clock.now(),
    };
    meter.start();
    state = await fingerprint(stack);
  }, 60_000);

  afterAll(async () => {
    meter.stop();
    closeAgent();
    await stack?.stop();
    await storage?.stop();
    rmSync(dirname(site.root), { recursive: true, force: true });
    const lines = [...tally].map(([target, t]) => `  ${target.padEnd(8)} ${String(t.inputs).padStart(4)} inputs, ${t.failed} failed, ${t.retriedStalls} re-run after a first block over ${STALL_MS} ms`);
    const slow = [...slowServed].map((s) => `  served as valid, yet slow: ${s}`);
    console.log(`fuzz summary (seed ${SEED}):\n${[...lines, ...slow].join('\n')}`);
  });

  /**
   * One HTTP input: the answer judged, the state compared, the longest block measured. The
   * machine has 2 cores and other processes: a GC pause or a descheduling can block the loop
   * past 50 ms by accident. Rather than loosen the bound, an input that breaches it is run once
   * more, and fails only if it breaches it again.
   */
  async function runHttp(c: HttpCase): Promise<Finding | undefined> {
    const request = await c.build(ctx);
    const attempt = async () => {
      meter.reset();
      let response: RawResponse | undefined;
      let error: unknown;
      try {
        response = await send(stack.endpoints.api, request);
      } catch (e) {
        error = e;
      }
      const blocked = await meter.longestBlockMs();
      const after = await fingerprint(stack);
      const changed = changedParts(state, after);
      state = after;
      return { response, error, blocked, changed };
    };
    const first = await attempt();
    let blocked = [first.blocked];
    if (first.blocked > STALL_MS) blocked = [first.blocked, (await attempt()).blocked];
    const failures: string[] = [];
    if (first.error) failures.push(`no answer: ${(first.error as Error).message}`);
    else failures.push(...judge(first.response!, request, c.expect));
    if (first.changed.length > 0) failures.push(`changed state: ${first.changed.join(', ')}`);
    // The bound is for bad input: refusing it must be cheap. An input the API serves as valid (odd
    // headers or path shapes on a read: the documented non-errors) does that route's own work, whose
    // cost is the route's, not the input's: it is listed in the summary, not failed.
    const served = first.response !== undefined && first.response.status < 300;
    if (blocked.every((ms) => ms > STALL_MS)) {
      const what = `blocked the event loop for ${blocked.map((ms) => `${Math.round(ms)} ms`).join(', then ')} (run twice; the bound is ${STALL_MS} ms)`;
      if (served) slowServed.add(`${c.route ?? c.target}: ${what}`);
      else failures.push(what);
    }
    const polluted = prototypePollution();
    if (polluted.length > 0) failures.push(`polluted Object.prototype: ${polluted.join(', ')}`);
    if (c.group !== 'baseline') count(c.target, failures.length > 0, blocked.length > 1);
    if (failures.length === 0) return undefined;
    return { id: c.id, title: `${c.group} · ${c.route ?? c.target} · ${c.name}`, request: describeRequest(request), response: describeResponse(first.response), failures };
  }

  async function runAll(cases: HttpCase[]) {
    const findings: Finding[] = [];
    for (const c of selected(cases)) {
      const finding = await runHttp(c);
      if (finding) findings.push(finding);
    }
    if (findings.length > 0) expect.fail(report(findings));
  }

  it('sends every harmless baseline unchanged first: the expected answer, and no change (the oracle’s footing)', async () => {
    const findings: Finding[] = [];
    for (const info of API.infos.filter((i) => i.baseline.harmless)) {
      const finding = await runHttp({ id: `baseline:${info.route.operationId}`, target: 'api', group: 'baseline', route: info.key, name: 'as is', expect: { statuses: info.baseline.harmless! }, build: draftRequest(info, {}) });
      if (finding) findings.push(finding);
    }
    if (findings.length > 0) expect.fail(report(findings));
  });

  it(`generates at least ${MIN_INPUTS} inputs over every target and every route (api ${API.cases.length}, tokens ${TOKENS.length}, console ${CONSOLE.length}, intake ${INTAKE.length})`, () => {
    const total = API.cases.length + TOKENS.length + CONSOLE.length + INTAKE.length;
    expect(total).toBeGreaterThanOrEqual(MIN_INPUTS);
    for (const info of API.infos) {
      expect(API.cases.filter((c) => c.route === info.key).length, `${info.key} is fuzzed`).toBeGreaterThanOrEqual(MIN_PER_ROUTE);
      if (info.route.idempotent) expect(API.cases.some((c) => c.route === info.key && c.group === 'idempotency-key'), `${info.key}'s Idempotency-Key is fuzzed`).toBe(true);
      if (accessOf(info.route) !== 'public') expect(TOKENS.some((c) => c.route === info.key), `${info.key} meets hostile callers`).toBe(true);
    }
    // The same seed, the same inputs.
    const again = apiCases(new Rng(SEED).fork('api'), 340).cases.map((c) => `${c.id} ${c.name}`);
    expect(again).toEqual(API.cases.map((c) => `${c.id} ${c.name}`));
  });

  describe('api: every route, as a moderator or admin, one hostile part at a time', () => {
    for (const [group, cases] of byGroup(API.cases)) {
      it(`${group} (${cases.length} inputs)`, () => runAll(cases), 180_000);
    }
  });

  describe('tokens: hostile callers get 401, crafted groups never a role', () => {
    for (const [group, cases] of byGroup(TOKENS)) {
      it(`${group} (${cases.length} inputs)`, () => runAll(cases), 120_000);
    }
  });

  describe('console: paths under /console/', () => {
    for (const [group, cases] of byGroup(CONSOLE)) {
      it(`${group} (${cases.length} inputs)`, () => runAll(cases), 120_000);
    }
  });

  describe('intake: hostile events are REJECTED onto the DLQ with their reason, or accepted if Chime could send them', () => {
    /** Everything on the intake DLQ, taken off it. */
    async function drainDlq(): Promise<Array<Record<string, unknown>>> {
      const bodies: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 10; i++) {
        const page = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
        const messages = page.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) {
          bodies.push(JSON.parse(m.Body ?? 'null') as Record<string, unknown>);
          await stack.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
      return bodies;
    }

    const callbackIdOf = (event: unknown): string | undefined => {
      const id = (event as { CallbackId?: unknown } | null | undefined)?.CallbackId;
      return typeof id === 'string' && id.length > 0 && id.length <= 1024 ? id : undefined;
    };

    async function runIntake(c: IntakeCase, compareTables: boolean): Promise<Finding | undefined> {
      const event = c.event(stack.runtime.clock.now());
      const callbackId = callbackIdOf(event);
      const before = compareTables ? tables : undefined;
      const invoke = async () => {
        meter.reset();
        const result = await stack.lambda.invoke('intake', event);
        return { result, blocked: await meter.longestBlockMs() };
      };
      const { result, blocked: firstBlock } = await invoke();
      const failures: string[] = [];
      const outcome = result.ok ? (result.payload as { outcome?: string; issues?: unknown }) : undefined;
      if (!result.ok) failures.push(`threw ${result.error.errorType}: ${result.error.errorMessage}`);
      const dlq = await drainDlq();
      const rejected = outcome?.outcome === 'REJECTED';
      if (c.verdict === 'reject' && outcome && !rejected) failures.push(`was ${outcome.outcome}; Chime could never send it, so it must be REJECTED`);
      if (c.verdict === 'accept' && outcome && outcome.outcome !== 'ACCEPTED') failures.push(`was ${outcome.outcome} ${preview(outcome.issues, 200)}; Chime could send it, so it must be ACCEPTED`);
      if (rejected) {
        const issues = outcome.issues;
        if (!Array.isArray(issues) || issues.length === 0 || !issues.every((i) => typeof i === 'string' && i.length > 0)) failures.push(`REJECTED without its issues: ${preview(issues)}`);
        if (dlq.length !== 1) failures.push(`${dlq.length} messages on the intake DLQ, expected 1`);
        else {
          const [kept] = dlq as [Record<string, unknown>];
          if (kept.reason !== 'INVALID_EVENT') failures.push(`kept with reason ${preview(kept.reason)}, expected INVALID_EVENT`);
          if (JSON.stringify(kept.issues) !== JSON.stringify(issues)) failures.push(`kept with issues ${preview(kept.issues)}, answered ${preview(issues)}`);
          if (!('payload' in kept) && typeof kept.payloadPreview !== 'string') failures.push('kept without the event or a preview of it');
        }
        if (callbackId && (await stack.runtime.store.get(callbackId))) failures.push(`left an item for ${callbackId} in the table`);
        if (before) {
          tables = await fingerprint(stack, { queues: false });
          const changed = changedParts(before, tables);
          if (changed.length > 0) failures.push(`changed state: ${changed.join(', ')}`);
        }
      }
      if (outcome?.outcome === 'ACCEPTED') {
        if (dlq.length > 0) failures.push(`accepted, yet ${dlq.length} message(s) on the intake DLQ`);
        const item = callbackId ? await stack.runtime.store.get(callbackId) : undefined;
        if (!item) failures.push(`accepted, but no item for ${callbackId} in the table`);
        const content = (event as { ChannelMessage?: { Content?: unknown } }).ChannelMessage?.Content;
        if (item && typeof content === 'string' && item.message.content !== content) failures.push(`recorded content ${preview(item.message.content)} differs from the event's ${preview(content)}`);
      }
      const blocked = [firstBlock];
      if (firstBlock > STALL_MS) {
        blocked.push((await invoke()).blocked);
        await drainDlq();
      }
      if (blocked.every((ms) => ms > STALL_MS)) failures.push(`blocked the event loop for ${blocked.map((ms) => `${Math.round(ms)} ms`).join(', then ')} (run twice; the bound is ${STALL_MS} ms)`);
      const polluted = prototypePollution();
      if (polluted.length > 0) failures.push(`polluted Object.prototype: ${polluted.join(', ')}`);
      count('intake', failures.length > 0, blocked.length > 1);
      if (failures.length === 0) return undefined;
      return { id: c.id, title: `${c.group} · intake · ${c.name} (expected ${c.verdict})`, request: `invoke intake with ${preview(event, 300)}`, response: result.ok ? preview(result.payload, 300) : `threw ${result.error.errorType}`, failures };
    }

    /** The tables as the last rejected event left them. */
    let tables: Fingerprint;

    it('starts with an empty intake DLQ', async () => {
      expect(await stack.queueDepth('intakeDlq')).toEqual({ visible: 0, inFlight: 0 });
      tables = await fingerprint(stack, { queues: false });
    });

    // Rejections first, with the tables compared; acceptances after (the workers then act on what was accepted).
    const rejects = INTAKE.filter((c) => c.verdict === 'reject');
    const others = INTAKE.filter((c) => c.verdict !== 'reject');
    for (const [group, cases] of byGroup(rejects)) {
      it(`rejected · ${group} (${cases.length} inputs)`, async () => {
        const findings: Finding[] = [];
        for (const c of selected(cases)) {
          const finding = await runIntake(c, true);
          if (finding) findings.push(finding);
        }
        if (findings.length > 0) expect.fail(report(findings));
      }, 120_000);
    }
    it(`accepted (or either) · events Chime could send (${others.length} inputs)`, async () => {
      const findings: Finding[] = [];
      for (const c of selected(others)) {
        const finding = await runIntake(c, false);
        if (finding) findings.push(finding);
      }
      if (findings.length > 0) expect.fail(report(findings));
    }, 120_000);
  });
});
