import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, DecisionOrigin, ModerationItem } from '../../src/domain/item.js';
import { subjectFor } from '../../src/local/issuer.js';
import type { LocalStack } from '../../src/local/stack.js';
import { recordDecision } from '../../src/pipeline/decide.js';
import { channelArn } from '../support/factories.js';
import { api, aPendingReview, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem } from '../support/stack.js';

const HOUR = 3_600_000;

/** Records a decision as of `atMs` through the real decision path (recordDecision). */
async function decidedAt(stack: LocalStack, atMs: number, origin: DecisionOrigin, options: { channel?: string; actor?: { id: string; name?: string } } = {}): Promise<ModerationItem> {
  const item = aPendingReview(stack, atMs + HOUR, { ...(options.channel ? { channel: options.channel } : {}) });
  await stack.runtime.store.recordReceived(item);
  const decision: Decision = {
    action: origin === 'EXPIRY' ? 'DENY' : 'ALLOW',
    origin,
    actor: options.actor ?? (origin === 'AUTO' ? { id: 'policy' } : origin === 'EXPIRY' ? { id: 'sweeper' } : { id: subjectFor('alice'), name: 'alice' }),
    reason: `${origin} at ${new Date(atMs).toISOString()}`,
    ruleIds: [],
    decidedAt: new Date(atMs).toISOString(),
  };
  return recordDecision({ store: stack.runtime.store, callbacks: stack.runtime.callbacks, clock: { now: () => atMs }, leaseSeconds: 30 }, item, decision, { from: ['PENDING_REVIEW'] });
}

describe('GET /decisions: the audit log', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let alice: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack);
    alice = await tokenFor(stack, 'alice');
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const audit = async (query: string) => {
    const response = await api(stack, 'GET', `/decisions?${query}`, { token: alice });
    expect(response.status, response.text).toBe(200);
    return response.body as { items: Array<Record<string, any>>; next?: string };
  };

  it('records every origin, AUTO, MODERATOR and EXPIRY, newest first: who, when, what, why, and from what', async () => {
    const channel = channelArn();
    // AUTO: a clean message the policy allows.
    const clean = await sendMessage(chime, 'See you at the standup', { channel });
    const auto = await waitForItem(stack, clean, (i) => i.status === 'DELIVERED', 'auto-delivered');
    // MODERATOR: a held message a moderator denies.
    const heldSent = await sendMessage(chime, 'refund or else', { channel });
    const held = await waitForItem(stack, heldSent, (i) => i.status === 'PENDING_REVIEW', 'held');
    expect((await api(stack, 'POST', `/reviews/${held.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'threat' } })).status).toBe(200);
    // EXPIRY: an undecided item inside the expiry margin, decided by the sweeper.
    const late = aPendingReview(stack, Date.now() + (stack.config.expiryMarginSeconds * 1000) / 2, { channel });
    await stack.runtime.store.recordReceived(late);
    expect((await stack.sweepNow()).expiryDecisions).toBe(1);

    const page = await audit(`channelArn=${encodeURIComponent(channel)}&limit=100`);
    expect(page.items.map((e) => e.origin)).toEqual(['EXPIRY', 'MODERATOR', 'AUTO']);
    const decidedTimes = page.items.map((e) => e.decidedAt);
    expect(decidedTimes).toEqual([...decidedTimes].sort().reverse());
    expect(page.items[1]).toMatchObject({
      callbackId: held.callbackId,
      action: 'DENY',
      decidedBy: { id: subjectFor('alice'), name: 'alice' },
      reason: 'threat',
      ruleIds: ['terms.review'],
      channelArn: channel,
      messageId: heldSent.messageId,
      sender: { arn: heldSent.sender },
      original: { content: 'refund or else' },
      policy: { action: 'REVIEW', ruleIds: ['terms.review'] },
      status: 'DELIVERED',
      deliveredAt: expect.any(String),
    });
    expect(page.items[2]).toMatchObject({ callbackId: auto.callbackId, decidedBy: { id: 'policy' }, action: 'ALLOW' });
    expect(page.items[0]).toMatchObject({ callbackId: late.callbackId, decidedBy: { id: 'sweeper' }, action: stack.config.expiryAction });
  });

  it('filters by origin, by moderator (username or subject) and by channel', async () => {
    const channel = channelArn();
    const now = Date.now();
    await decidedAt(stack, now - 3 * HOUR, 'AUTO', { channel });
    const byAlice = await decidedAt(stack, now - 2 * HOUR, 'MODERATOR', { channel });
    const byBob = await decidedAt(stack, now - 1 * HOUR, 'MODERATOR', { channel, actor: { id: subjectFor('bob'), name: 'bob' } });
    const c = `channelArn=${encodeURIComponent(channel)}`;
    const ids = (page: { items: Array<Record<string, any>> }) => page.items.map((e) => e.callbackId);
    expect(ids(await audit(`${c}&origin=MODERATOR`))).toEqual([byBob.callbackId, byAlice.callbackId]);
    expect(ids(await audit(`${c}&moderator=alice`))).toEqual([byAlice.callbackId]);
    expect(ids(await audit(`${c}&moderator=${subjectFor('bob')}`))).toEqual([byBob.callbackId]);
    expect(ids(await audit(`${c}&origin=AUTO&moderator=alice`))).toEqual([]);
    expect((await audit(`${c}`)).items).toHaveLength(3);
  });

  it('walks a time range across days, newest first, page by page without duplicates or gaps', async () => {
    const channel = channelArn();
    const end = Date.parse('2026-03-10T12:00:00.000Z');
    // Two decisions a day over six days, and one on each side of the range.
    const inRange: ModerationItem[] = [];
    for (let day = 0; day < 6; day += 1) {
      for (const hour of [2, 9]) inRange.push(await decidedAt(stack, end - day * 24 * HOUR - hour * HOUR, day % 2 ? 'AUTO' : 'MODERATOR', { channel }));
    }
    await decidedAt(stack, end + HOUR, 'AUTO', { channel });
    await decidedAt(stack, end - 10 * 24 * HOUR, 'AUTO', { channel });
    const from = new Date(end - 6 * 24 * HOUR).toISOString();
    const to = new Date(end).toISOString();
    const query = `channelArn=${encodeURIComponent(channel)}&from=${from}&to=${to}&limit=5`;

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await audit(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((e) => e.callbackId));
      cursor = page.next;
      pages += 1;
    } while (cursor && pages < 20);
    const expected = [...inRange].sort((a, b) => b.decision!.decidedAt.localeCompare(a.decision!.decidedAt)).map((i) => i.callbackId);
    expect(seen).toEqual(expected);

    const first = await audit(query);
    const tampered = await api(stack, 'GET', `/decisions?channelArn=${encodeURIComponent(channel)}&from=${from}&limit=5&cursor=${first.next}`, { token: alice });
    expect(tampered.status).toBe(400);
    expect(tampered.body.type).toMatch(/\/invalid-cursor$/);
  });
});

describe('GET /stats', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startReviewStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts by status, finds the oldest pending review and the nearest deadline, and counts decisions by origin over 24 h', async () => {
    const now = Date.now();
    const window = stack.config.callbackWindowSeconds * 1000;
    const pending = [now + 40 * HOUR, now + 10 * HOUR, now + 30 * HOUR].map((deadline) => aPendingReview(stack, deadline));
    for (const item of pending) await stack.runtime.store.recordReceived(item);
    await stack.runtime.store.recordReceived({ ...aPendingReview(stack, now + 47 * HOUR), status: 'RECEIVED' });
    await decidedAt(stack, now - 1 * HOUR, 'AUTO');
    await decidedAt(stack, now - 2 * HOUR, 'AUTO');
    await decidedAt(stack, now - 20 * HOUR, 'MODERATOR');
    await decidedAt(stack, now - 30 * HOUR, 'EXPIRY'); // outside the last 24 h
    // Written straight through the store, not inside an invocation: write its counters now.
    await stack.runtime.counters.flush();

    const response = await api(stack, 'GET', '/stats', { token: await tokenFor(stack, 'alice') });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      counts: { RECEIVED: 1, PENDING_REVIEW: 3, DECIDED: 4, DELIVERED: 0, EXPIRED: 0, ALREADY_RESOLVED: 0, FAILED: 0 },
      countsComplete: true,
      pendingReview: { nearestDeadline: new Date(now + 10 * HOUR).toISOString() },
      decisionsLast24h: { AUTO: 2, MODERATOR: 1, EXPIRY: 0, total: 3, complete: true },
    });
    // The nearest deadline is also the oldest CallbackId: issued (window - 10 h) ago.
    const expectedAge = (window - 10 * HOUR) / 1000;
    expect(response.body.pendingReview.oldestAgeSeconds).toBeGreaterThanOrEqual(expectedAge - 1);
    expect(response.body.pendingReview.oldestAgeSeconds).toBeLessThan(expectedAge + 30);
    expect(response.body.pendingReview.secondsToNearestDeadline).toBeLessThanOrEqual(10 * 3600);
    expect(response.body.pendingReview.secondsToNearestDeadline).toBeGreaterThan(10 * 3600 - 30);
  });
});
