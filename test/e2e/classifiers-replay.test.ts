/**
 * Classifiers in the policy API (issue 16): the test box calls them through the stock Comprehend
 * client against our emulator; replay recomputes them from the items' recorded scores and calls
 * the provider only under an explicit cap; the estimate prices the calls from the prices file and
 * calls nothing. The emulator's call log counts what reached it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifierRecord } from '../../src/classifiers/record.js';
import type { Decision, ModerationItem, RecordedVerdict } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';
import { recordDecision } from '../../src/pipeline/decide.js';
import { channelArn } from '../support/factories.js';
import { api, aPendingReview, startReviewStack, tokenFor } from '../support/review.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const PRICES = JSON.parse(readFileSync(new URL('../../bench/prices-2026-12.json', import.meta.url), 'utf8'));

const TOXICITY = { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95 }, onUnavailable: 'REVIEW' };

/** A classifier's record as the worker leaves it on the item. */
const scored = (toxicity: number): ClassifierRecord => ({
  name: 'toxicity',
  ruleId: 'classifier:toxicity',
  provider: 'comprehend-toxicity',
  model: 'comprehend:DetectToxicContent',
  outcome: 'DECIDED',
  action: toxicity >= 0.6 ? 'REVIEW' : 'ALLOW',
  scores: { Toxicity: toxicity },
  thresholds: { review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95 } },
  latencyMs: 20,
  attempts: 1,
  units: 3,
});

describe('classifiers in the policy API: the test box, replay on recorded scores, capped calls and the estimate', () => {
  let comprehend: ComprehendEmulator;
  let stack: LocalStack;
  let admin: string;
  let moderator: string;
  const channel = channelArn();
  const today = Date.parse(new Date().toISOString().slice(0, 10));
  const day = today - 2 * DAY + 10 * 60 * MINUTE;
  const window = { from: new Date(today - 3 * DAY).toISOString(), to: new Date(today - DAY - 1000).toISOString() };
  // Five recorded items: three scored by the toxicity classifier, two from before it existed.
  const HISTORY: Array<{ content: string; toxicity?: number }> = [
    { content: 'you are all so slow today', toxicity: 0.7 },
    { content: 'that plan is a bit silly honestly', toxicity: 0.5 },
    { content: 'see you at the standup tomorrow', toxicity: 0.05 },
    { content: 'lunch is in the kitchen now' },
    { content: 'the build is green again' },
  ];

  const detectCalls = () => comprehend.calls().filter((c) => c.operation === 'DetectToxicContent').length;

  async function decided(atMs: number, content: string, toxicity: number | undefined): Promise<ModerationItem> {
    const item = { ...aPendingReview(stack, atMs + 60 * MINUTE, { channel, content }), receivedAt: new Date(atMs - MINUTE).toISOString() };
    await stack.runtime.store.recordReceived(item);
    const held = toxicity !== undefined && toxicity >= 0.6;
    const policy: RecordedVerdict = {
      action: held ? 'REVIEW' : 'ALLOW',
      ruleIds: held ? ['classifier:toxicity'] : [],
      reason: held ? `toxicity: Toxicity ${toxicity} ≥ 0.6 (review)` : 'No policy rule matched',
      findings: held ? [{ ruleId: 'classifier:toxicity', action: 'REVIEW', reason: `toxicity: Toxicity ${toxicity} ≥ 0.6 (review)` }] : [],
      ...(toxicity !== undefined ? { classifiers: [scored(toxicity)] } : {}),
    };
    const decision: Decision = {
      action: 'ALLOW',
      origin: held ? 'MODERATOR' : 'AUTO',
      actor: held ? { id: 'sub-mo', name: 'mo' } : { id: 'policy' },
      reason: 'seeded',
      ruleIds: [],
      decidedAt: new Date(atMs).toISOString(),
    };
    return recordDecision({ store: stack.runtime.store, callbacks: stack.runtime.callbacks, clock: { now: () => atMs }, leaseSeconds: 30 }, item, decision, { from: ['PENDING_REVIEW'], set: { policy } });
  }

  beforeAll(async () => {
    comprehend = await startComprehendEmulator({ quota: 1000 });
    stack = await startReviewStack({ classifiers: { endpoints: { comprehend: comprehend.endpoint } } });
    admin = await tokenFor(stack, 'ada', ['admins']);
    moderator = await tokenFor(stack, 'mo', ['moderators']);
    for (const [i, h] of HISTORY.entries()) await decided(day + i * MINUTE, h.content, h.toxicity);
  });
  afterAll(async () => {
    await stack?.stop();
    await comprehend?.close();
  });

  const test = (document: unknown, content: string) => api(stack, 'POST', '/policies/test', { token: moderator, json: { scope: channel, document, messages: [{ content, channelArn: channel }] } });
  const replay = (document: unknown, extra: Record<string, unknown> = {}) => api(stack, 'POST', '/policies/replay', { token: moderator, json: { scope: channel, document, ...window, ...extra } });

  it('the test box scores a message through the emulator (one call) and answers the record beside the rules’ verdict', async () => {
    const text = 'nobody would miss you if you were gone';
    comprehend.addFixture({ text, toxicity: 0.7, labels: { INSULT: 0.95 } });
    const before = detectCalls();
    const response = await test({ classifiers: { toxicity: TOXICITY } }, text);
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    expect(detectCalls() - before).toBe(1);
    const result = response.body.results[0];
    // The rules' verdict as before; the classifiers' beside it, and the two joined.
    expect(result).toMatchObject({ index: 0, action: 'ALLOW' });
    expect(result.classifiers).toEqual([
      expect.objectContaining({
        name: 'toxicity',
        provider: 'comprehend-toxicity',
        model: 'comprehend:DetectToxicContent',
        outcome: 'DECIDED',
        action: 'REVIEW',
        scores: expect.objectContaining({ Toxicity: 0.7, INSULT: 0.95 }),
        thresholds: { review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95 } },
        fired: [{ label: 'Toxicity', score: 0.7, threshold: 0.6, action: 'REVIEW' }],
        latencyMs: expect.any(Number),
        units: 3,
        attempts: 1,
      }),
    ]);
    expect(result.combined).toMatchObject({ action: 'REVIEW', ruleIds: ['classifier:toxicity'] });
  });

  it('the test box calls nothing with classify: false (a check as you type), and answers the rules alone', async () => {
    const before = detectCalls();
    const response = await api(stack, 'POST', '/policies/test', {
      token: moderator,
      json: { scope: channel, document: { classifiers: { toxicity: TOXICITY } }, classify: false, messages: [{ content: 'nobody would miss you if you were gone' }] },
    });
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    expect(response.body.results[0].classifiers).toBeUndefined();
    expect(detectCalls()).toBe(before);
    const bad = await api(stack, 'POST', '/policies/test', { token: moderator, json: { scope: channel, classify: 'no', messages: [{ content: 'x' }] } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('classify');
  });

  it('the test box shows a shadow classifier as what it would have done, applying nothing', async () => {
    const text = 'a shadow classifier judges this one';
    comprehend.addFixture({ text, toxicity: 0.97, labels: {} });
    const response = await test({ classifiers: { toxicity: { ...TOXICITY, shadow: true } } }, text);
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    const result = response.body.results[0];
    expect(result.classifiers[0]).toMatchObject({ outcome: 'SHADOW', shadow: true, action: 'DENY' });
    expect(result.combined.action).toBe('ALLOW');
  });

  it('replays on recorded scores with no provider call, and its verdicts follow changed thresholds', async () => {
    const before = detectCalls();
    const same = await replay({ classifiers: { toxicity: TOXICITY } });
    expect(same.status, same.text.slice(0, 500)).toBe(200);
    expect(same.body).toMatchObject({ evaluated: 5, changed: 0 });
    expect(same.body.classifiers).toMatchObject({ source: 'recorded', calls: { max: 0, made: 0 }, items: 5 });
    expect(same.body.classifiers.byClassifier).toEqual([
      { name: 'toxicity', provider: 'comprehend-toxicity', shadow: false, recorded: 3, called: 0, notScored: 2, skipped: 0, unavailable: 0, actions: { ALLOW: 2, REVIEW: 1, DENY: 0 } },
    ]);

    // Stricter: 0.5 now reviews, and 0.7 is denied.
    const stricter = await replay({ classifiers: { toxicity: { ...TOXICITY, review: { Toxicity: 0.4 }, deny: { Toxicity: 0.65 } } } });
    expect(stricter.status, stricter.text.slice(0, 500)).toBe(200);
    expect(stricter.body.matrix.ALLOW).toMatchObject({ ALLOW: 3, REVIEW: 1 });
    expect(stricter.body.matrix.REVIEW).toMatchObject({ DENY: 1 });
    expect(stricter.body.changed).toBe(2);
    const sample = stricter.body.samples.find((s: { content: string }) => s.content === HISTORY[1]!.content);
    expect(sample.candidate.classifiers[0]).toMatchObject({ outcome: 'DECIDED', source: 'recorded', action: 'REVIEW', attempts: 0, scores: { Toxicity: 0.5 } });

    // Shadow: recorded as what it would have done; the verdicts do not change.
    const shadow = await replay({ classifiers: { toxicity: { ...TOXICITY, review: { Toxicity: 0.4 }, shadow: true } } });
    expect(shadow.status).toBe(200);
    expect(shadow.body.matrix.REVIEW).toMatchObject({ ALLOW: 1 });
    expect(shadow.body.classifiers.byClassifier[0]).toMatchObject({ shadow: true, recorded: 3, actions: { ALLOW: 1, REVIEW: 2 } });
    expect(detectCalls()).toBe(before);
  });

  it('estimates the calls, text units and cost from the prices file, calling nothing', async () => {
    const before = detectCalls();
    const response = await replay({ classifiers: { fresh: TOXICITY } }, { estimate: true, classifierCalls: { max: 2 } });
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    expect(detectCalls()).toBe(before);
    const { classifiers } = response.body;
    expect(classifiers).toMatchObject({ estimateOnly: true, calls: { max: 2, made: 0 }, items: 5 });
    // Every message is under 300 characters: 3 Comprehend units each (the per-request minimum).
    const perCall = PRICES.comprehend.minimumUnitsPerRequest * PRICES.comprehend.perUnit;
    expect(classifiers.estimate.prices).toEqual({ file: 'bench/prices-2026-12.json', asOf: PRICES.asOf, currency: 'USD' });
    expect(classifiers.estimate.needed).toMatchObject({ calls: 5, textUnits: 15 });
    expect(classifiers.estimate.needed.costUsd).toBeCloseTo(5 * perCall, 9);
    expect(classifiers.estimate.capped).toMatchObject({ calls: 2, textUnits: 6 });
    expect(classifiers.estimate.capped.costUsd).toBeCloseTo(2 * perCall, 9);
    console.log(`replay estimate: ${classifiers.estimate.needed.calls} calls, ${classifiers.estimate.needed.textUnits} units, $${classifiers.estimate.needed.costUsd} (capped at 2: $${classifiers.estimate.capped.costUsd}; prices ${PRICES.asOf})`);
  });

  it('with classifierCalls.max 2 calls the provider at most twice over five unscored items', async () => {
    const before = detectCalls();
    const response = await replay({ classifiers: { fresh: TOXICITY } }, { classifierCalls: { max: 2 } });
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    const made = detectCalls() - before;
    expect(made).toBeLessThanOrEqual(2);
    expect(made).toBe(2);
    expect(response.body.classifiers).toMatchObject({ source: 'recorded+calls', estimateOnly: false, calls: { max: 2, made: 2 } });
    expect(response.body.classifiers.byClassifier[0]).toMatchObject({ name: 'fresh', called: 2, notScored: 3 });
  });

  it('answers 400 naming the field for bad classifier fields, and calls nothing', async () => {
    const before = detectCalls();
    for (const [extra, field] of [
      [{ classifierCalls: { max: 0 } }, 'classifierCalls.max'],
      [{ classifierCalls: { max: 1.5 } }, 'classifierCalls.max'],
      [{ classifierCalls: { max: 1001 } }, 'classifierCalls.max'],
      [{ classifierCalls: { max: 'two' } }, 'classifierCalls.max'],
      [{ classifierCalls: { max: 2, every: true } }, 'classifierCalls'],
      [{ classifierCalls: 5 }, 'classifierCalls'],
      [{ estimate: 'yes' }, 'estimate'],
    ] as const) {
      const response = await replay({ classifiers: { fresh: TOXICITY } }, extra);
      expect(response.status, JSON.stringify(extra)).toBe(400);
      expect(response.text, JSON.stringify(extra)).toContain(field);
    }
    expect(detectCalls()).toBe(before);
  });

  it('the effective view shows the merged classifiers and where each setting came from', async () => {
    const app = channel.split('/channel/')[0]!;
    const put = async (scope: string, document: unknown) => {
      const response = await api(stack, 'PUT', `/policies/${encodeURIComponent(scope)}`, { token: admin, json: { document, comment: 'classifiers view' } });
      expect(response.status, response.text.slice(0, 300)).toBe(200);
    };
    await put(app, { classifiers: { toxicity: TOXICITY } });
    await put(channel, { classifiers: { toxicity: { review: { Toxicity: 0.5 } } } });
    const response = await api(stack, 'GET', `/policies/${encodeURIComponent(channel)}?effective=true`, { token: moderator });
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    expect(response.body.effective.classifiers.active).toEqual([
      expect.objectContaining({ name: 'toxicity', provider: { kind: 'comprehend-toxicity' }, review: { Toxicity: 0.5 }, deny: { Toxicity: 0.95 }, onUnavailable: 'REVIEW', from: expect.objectContaining({ provider: app, review: channel, deny: app, context: 'default' }) }),
    ]);
  });

  it('a classifier that cannot be reached takes its onUnavailable path in the test box, never a 5xx', async () => {
    comprehend.setFaults({ unavailableRate: 1 });
    try {
      const response = await test({ classifiers: { toxicity: TOXICITY } }, 'the emulator is down for this one');
      expect(response.status, response.text.slice(0, 500)).toBe(200);
      expect(response.body.results[0].classifiers[0]).toMatchObject({ outcome: 'UNAVAILABLE', path: 'REVIEW', action: 'REVIEW' });
      expect(response.body.results[0].combined.action).toBe('REVIEW');
    } finally {
      comprehend.setFaults({ unavailableRate: 0 });
    }
  });
});
