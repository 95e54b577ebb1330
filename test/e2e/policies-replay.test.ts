import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, ModerationItem, RecordedVerdict } from '../../src/domain/item.js';
import type { PolicyAction } from '../../src/domain/message.js';
import type { LocalStack } from '../../src/local/stack.js';
import { recordDecision } from '../../src/pipeline/decide.js';
import { channelArn } from '../support/factories.js';
import { api, aPendingReview, startReviewStack, tokenFor } from '../support/review.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

/** A recorded verdict as the worker would have left it (the replay compares against `action`). */
const verdict = (action: PolicyAction): RecordedVerdict => ({ action, ruleIds: action === 'ALLOW' ? [] : [`recorded.${action.toLowerCase()}`], reason: `recorded ${action}`, findings: [] });

describe('POST /policies/replay on a seeded history with a hand-computed answer', () => {
  let stack: LocalStack;
  let moderator: string;
  const channel = channelArn();
  // Two whole UTC days in the past, so the window never straddles "today".
  const today = Date.parse(new Date().toISOString().slice(0, 10));
  const d1 = today - 3 * DAY + 10 * 60 * MINUTE;
  const d2 = today - 2 * DAY + 10 * 60 * MINUTE;
  const window = { from: new Date(today - 3 * DAY).toISOString(), to: new Date(today - DAY - 1000).toISOString() };

  /** One decided item through the real decision path, recorded at `atMs` with `recorded` as its policy verdict. */
  async function decided(atMs: number, content: string, recorded: PolicyAction, options: { channel?: string; shadow?: PolicyAction } = {}): Promise<ModerationItem> {
    const item = { ...aPendingReview(stack, atMs + 60 * MINUTE, { channel: options.channel ?? channel, content }), receivedAt: new Date(atMs - MINUTE).toISOString() };
    await stack.runtime.store.recordReceived(item);
    const decision: Decision = {
      action: recorded === 'DENY' ? 'DENY' : recorded === 'UPDATE' ? 'UPDATE' : 'ALLOW',
      origin: recorded === 'REVIEW' ? 'MODERATOR' : 'AUTO',
      actor: recorded === 'REVIEW' ? { id: 'sub-mo', name: 'mo' } : { id: 'policy' },
      reason: `seeded ${recorded}`,
      ruleIds: [],
      decidedAt: new Date(atMs).toISOString(),
    };
    return recordDecision({ store: stack.runtime.store, callbacks: stack.runtime.callbacks, clock: { now: () => atMs }, leaseSeconds: 30 }, item, decision, {
      from: ['PENDING_REVIEW'],
      set: { policy: verdict(recorded), ...(options.shadow ? { shadowPolicy: verdict(options.shadow) } : {}) },
    });
  }

  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startReviewStack();
    moderator = await tokenFor(stack, 'mo', ['moderators']);
    // Day 1 (recorded → what the candidate below must say, worked out by hand):
    ids.a = (await decided(d1 + 1 * MINUTE, 'hello team', 'ALLOW')).callbackId; //                 ALLOW  → ALLOW
    ids.c = (await decided(d1 + 2 * MINUTE, 'big giveaway today', 'ALLOW')).callbackId; //         ALLOW  → DENY    (blocks "giveaway")
    ids.e = (await decided(d1 + 3 * MINUTE, 'can I get a refund', 'REVIEW')).callbackId; //        REVIEW → ALLOW   (removes "refund")
    ids.g = (await decided(d1 + 4 * MINUTE, 'scamcoin to the moon', 'DENY')).callbackId; //        DENY   → DENY    (global still blocks it)
    // Day 2:
    ids.b = (await decided(d2 + 1 * MINUTE, 'hello again', 'ALLOW', { shadow: 'DENY' })).callbackId; // ALLOW → ALLOW (shadow said DENY)
    ids.d = (await decided(d2 + 2 * MINUTE, 'urgent: call me back', 'ALLOW')).callbackId; //        ALLOW  → REVIEW  (reviews "urgent")
    ids.f = (await decided(d2 + 3 * MINUTE, 'refund via wire transfer', 'REVIEW')).callbackId; //  REVIEW → REVIEW  ("wire transfer" stays)
    ids.h = (await decided(d2 + 4 * MINUTE, 'my number is +1 (555) 123-4567', 'UPDATE')).callbackId; // UPDATE → UPDATE (phone masked)
    // Still held for review, received on day 2:                                                      REVIEW → ALLOW
    const held = { ...aPendingReview(stack, Date.now() + DAY, { channel, content: 'refund please', ruleIds: ['terms.review'] }), receivedAt: new Date(d2 + 5 * MINUTE).toISOString() };
    await stack.runtime.store.recordReceived(held);
    ids.i = held.callbackId;
    // Not replayed: another channel (the scope is this channel), and a day outside the window.
    await decided(d2 + 6 * MINUTE, 'big giveaway', 'ALLOW', { channel: channelArn() });
    await decided(today - 5 * DAY, 'giveaway', 'ALLOW');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const candidate = { terms: { block: ['giveaway'], review: ['urgent'] }, remove: { terms: { review: ['refund'] } } };
  const replay = (extra: Record<string, unknown> = {}) => api(stack, 'POST', '/policies/replay', { token: moderator, json: { scope: channel, document: candidate, ...window, ...extra } });
  const zero = { ALLOW: 0, UPDATE: 0, REVIEW: 0, DENY: 0 };

  it('counts recorded → candidate actions, samples the changes and projects the review queue per day', async () => {
    const response = await replay();
    expect(response.status, response.text).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ scope: channel, evaluated: 9, changed: 4, capped: false, cap: { limit: 1000, reached: 'none' }, skipped: { noVerdict: 0 } });
    expect(body.matrix).toEqual({
      ALLOW: { ...zero, ALLOW: 2, DENY: 1, REVIEW: 1 },
      UPDATE: { ...zero, UPDATE: 1 },
      REVIEW: { ...zero, ALLOW: 2, REVIEW: 1 },
      DENY: { ...zero, DENY: 1 },
    });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(body.reviewQueue).toEqual([
      { day: day(d1), evaluated: 4, recorded: 1, candidate: 0 },
      { day: day(d2), evaluated: 5, recorded: 2, candidate: 2 },
    ]);
    expect(body.shadow).toEqual({ compared: 1, differ: 1, matrix: { ...Object.fromEntries(Object.keys(zero).map((k) => [k, zero])), ALLOW: { ...zero, DENY: 1 } } });

    expect(new Set(body.samples.map((s: { callbackId: string }) => s.callbackId))).toEqual(new Set([ids.c, ids.e, ids.d, ids.i]));
    const giveaway = body.samples.find((s: { callbackId: string }) => s.callbackId === ids.c);
    expect(giveaway).toMatchObject({
      channelArn: channel,
      content: 'big giveaway today',
      recorded: { action: 'ALLOW' },
      decision: { action: 'ALLOW', origin: 'AUTO' },
      candidate: { action: 'DENY', ruleIds: ['terms.block'], versions: [{ scope: 'global', version: 0 }, { scope: channel, version: null, candidate: true }] },
    });
    expect(giveaway.candidate.findings[0].spans).toEqual([{ start: 4, end: 12, text: 'giveaway' }]);
    expect(body.samples.find((s: { callbackId: string }) => s.callbackId === ids.i)).toMatchObject({ status: 'PENDING_REVIEW', decision: null, candidate: { action: 'ALLOW' } });
  });

  it('stops at the cap, newest first, and says so', async () => {
    const response = await replay({ limit: 3, samples: 5 });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ evaluated: 3, changed: 1, capped: true, cap: { limit: 3, reached: 'limit' } });
    // The three newest decisions: h (UPDATE), f (REVIEW), d (ALLOW → REVIEW).
    expect(response.body.matrix.UPDATE.UPDATE + response.body.matrix.REVIEW.REVIEW + response.body.matrix.ALLOW.REVIEW).toBe(3);
    expect(response.body.samples.map((s: { callbackId: string }) => s.callbackId)).toEqual([ids.d]);
  });

  it('writes nothing and refuses a bad request with every field named', async () => {
    const before = await stack.runtime.store.get(ids.c!);
    await replay();
    expect(await stack.runtime.store.get(ids.c!)).toEqual(before);
    const bad = await api(stack, 'POST', '/policies/replay', {
      token: moderator,
      json: { scope: 'nowhere', document: { terms: { block: [''] } }, from: window.to, to: window.from, limit: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.document.terms.block.0', 'body.from', 'body.limit', 'body.scope']);
    const backwards = await api(stack, 'POST', '/policies/replay', { token: moderator, json: { scope: channel, document: {}, from: window.to, to: window.from } });
    expect(backwards.body.errors).toEqual([{ path: 'body.from', message: 'must not be after `to`' }]);
  });
});
