/**
 * The shared classifier budget against a provider that enforces its quota (issue 16, "Budget").
 * Twelve workers, each with its own DynamoDbRateBudget, as twelve Lambda containers would
 * have, share one control table (dynalite, or DYNAMODB_ENDPOINT). They call the Comprehend
 * emulator through the stock SDK client as fast as the budget lets them. The emulator enforces
 * 25 requests/s over a sliding second. Rates are counted from the emulator's own call log, per
 * second of its clock, over the steady-state seconds. The first and the last second of the run
 * are partial and left out. Nothing here measures our own speed.
 *
 * Set to the quota itself, the budget keeps to the rate, but a sliding-second limiter still
 * throttles the calls whose arrival jitter puts them a moment early, about 1 in 10 here. No
 * limiter avoids that at exactly the rate; src/classifiers/budget.ts explains why. Set to 90% of
 * the quota, which the README advises and DEFAULT_BUDGETS does, none is throttled on a quiet
 * machine. On a loaded one, event-loop stalls bunch a few arrivals (everything runs in this one
 * process), hence the tolerance of 5%.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ComprehendClient, DetectToxicContentCommand } from '@aws-sdk/client-comprehend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRateBudget } from '../../src/classifiers/budget.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';
import { startBackends, type Backends } from '../support/backends.js';

const QUOTA = 25;
const WORKERS = 12;
/** Each "message" a worker handles between two takes: the rest of its pipeline, in ms. */
const MESSAGE_MS = 5;
const KEY = 'comprehend-toxicity';

interface RunResult {
  /** Takes the budget granted (each one call to the provider). */
  granted: number;
  /** Takes it refused: the messages that take the scope's onUnavailable path. */
  overflow: number;
  /** Granted calls the provider answered with its throttling error. */
  throttled: number;
  /** Calls in the emulator's log, per whole second of its clock, steady state only. */
  perSecond: number[];
  /** Every call the emulator logged in the run. */
  emulatorCalls: number;
}

describe('the classifier budget shared by many workers', () => {
  let backends: Backends;
  let emulator: ComprehendEmulator;
  let comprehend: ComprehendClient;

  beforeAll(async () => {
    backends = await startBackends();
    emulator = await startComprehendEmulator({ port: 0, quota: QUOTA, log: () => {} });
    // One attempt per call: an SDK retry of a throttled call would be a call the budget never granted.
    comprehend = new ComprehendClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    comprehend?.destroy();
    await emulator?.close();
    await backends?.stop();
  });

  async function run(options: { budgetRate: number; seconds: number }): Promise<RunResult> {
    await fetch(`${emulator.endpoint}/_emulator/calls`, { method: 'DELETE' });
    // A fresh quota window: the previous run's last second must not count against this one.
    await fetch(`${emulator.endpoint}/_emulator/quota`, { method: 'POST', body: JSON.stringify({ requestsPerSecond: QUOTA }) });
    const limits = { [KEY]: { requestsPerSecond: options.budgetRate } };
    const result = { granted: 0, overflow: 0, throttled: 0 };
    const stopAt = Date.now() + options.seconds * 1000;
    const worker = async (n: number) => {
      // A generous timeout: on a busy machine a slow table must not turn grants into (fail-closed) refusals.
      const budget = new DynamoDbRateBudget(backends.clients.documents, { tableName: backends.resources.controlTableName, limits, timeoutMs: 5_000 });
      for (let message = 0; Date.now() < stopAt; message += 1) {
        const text = `worker ${n} message ${message}: see you at the standup`;
        const answer = await budget.take(KEY, { requests: 1, textUnits: Math.max(3, Math.ceil(text.length / 100)) }, Date.now());
        if (!answer.granted) {
          result.overflow += 1;
        } else {
          result.granted += 1;
          try {
            await comprehend.send(new DetectToxicContentCommand({ LanguageCode: 'en', TextSegments: [{ Text: text }] }));
          } catch (error) {
            if ((error as Error).name !== 'TooManyRequestsException') throw error;
            result.throttled += 1;
          }
        }
        await sleep(MESSAGE_MS);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, n) => worker(n)));

    const calls = (await (await fetch(`${emulator.endpoint}/_emulator/calls`)).json()) as Array<{ operation: string; at: string }>;
    const bySecond = new Map<number, number>();
    for (const call of calls) {
      const second = Math.floor(Date.parse(call.at) / 1000);
      bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
    }
    const seconds = [...bySecond.keys()].sort((a, b) => a - b);
    // Steady state: every whole second between the first and the last (those are partial).
    const steady: number[] = [];
    for (let s = seconds[0]! + 1; s < seconds.at(-1)!; s += 1) steady.push(bySecond.get(s) ?? 0);
    return { ...result, perSecond: steady, emulatorCalls: calls.length };
  }

  const steadyMean = (r: RunResult) => r.perSecond.reduce((a, b) => a + b, 0) / r.perSecond.length;
  /**
   * Within 10% of `rate`: over the whole steady state, and over every two seconds in a row. A
   * single second is not the measure: an arrival delayed by a busy event loop moves a window's
   * grants (2 or 3) across a second's edge, making one second 3 over and the next 3 under.
   */
  const expectWithinTenPercent = (r: RunResult, rate: number) => {
    expect(r.perSecond.length).toBeGreaterThanOrEqual(3);
    expect(steadyMean(r)).toBeLessThanOrEqual(rate * 1.1);
    for (let i = 1; i < r.perSecond.length; i += 1) expect(r.perSecond[i - 1]! + r.perSecond[i]!).toBeLessThanOrEqual(2 * rate * 1.1);
  };

  it('keeps the stack within 10% of the configured rate when the budget is the quota; the overflow never reaches the provider', async () => {
    const r = await run({ budgetRate: QUOTA, seconds: 6 });
    console.info(`budget ${QUOTA}/s (the quota), ${WORKERS} workers: calls per second ${JSON.stringify(r.perSecond)}, granted ${r.granted}, overflow ${r.overflow}, throttled ${r.throttled}`);
    expectWithinTenPercent(r, QUOTA);
    // Every granted take is one call, and nothing refused reached the provider.
    expect(r.emulatorCalls).toBe(r.granted);
    expect(r.overflow).toBeGreaterThan(r.granted);
  });

  it('is (all but) never throttled with the budget at 90% of the quota, as the README advises', async () => {
    const budget = Math.floor(QUOTA * 0.9);
    const r = await run({ budgetRate: budget, seconds: 6 });
    console.info(`budget ${budget}/s (90% of the quota), ${WORKERS} workers: calls per second ${JSON.stringify(r.perSecond)}, granted ${r.granted}, overflow ${r.overflow}, throttled ${r.throttled}`);
    expectWithinTenPercent(r, budget);
    expect(r.emulatorCalls).toBe(r.granted);
    expect(r.throttled).toBeLessThanOrEqual(Math.ceil(r.granted * 0.05));
  });

  it('shows the provider throttling when the budget is set far above the quota (the emulator really enforces it)', async () => {
    const r = await run({ budgetRate: QUOTA * 2, seconds: 4 });
    console.info(`budget ${QUOTA * 2}/s against a quota of ${QUOTA}/s: calls per second ${JSON.stringify(r.perSecond)}, throttled ${r.throttled}`);
    expect(r.emulatorCalls).toBe(r.granted);
    expect(r.throttled).toBeGreaterThan(0);
    expectWithinTenPercent(r, QUOTA * 2);
  });
});
