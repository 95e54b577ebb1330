import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPACTED_EVENT, isTrail, MAX_HISTORY_ENTRIES } from '../../src/domain/history.js';
import type { LocalStack } from '../../src/local/stack.js';
import { api, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';

/** What a moderator sees when an item meets DynamoDB's size limit: never a bare 500. */
describe('item size limits through the review API', () => {
  let stack: LocalStack;
  let alice: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    alice = await tokenFor(stack, 'alice');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('renewing a claim every minute for hours adds one history entry, not one per renewal', async () => {
    const [item] = await seedPendingReviews(stack, 1);
    for (let renewal = 0; renewal < 120; renewal += 1) {
      const response = await api(stack, 'POST', `/reviews/${item!.callbackId}/claim`, { token: alice, json: { leaseSeconds: 300 } });
      expect(response.status).toBe(200);
    }
    const detail = (await api(stack, 'GET', `/reviews/${item!.callbackId}`, { token: alice })).body;
    const claims = detail.history.filter((e: { event: string }) => e.event === 'claimed');
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ actor: 'alice', count: 120, lastAt: expect.any(String) });
  });

  it('claim/release cycles fold into one counted entry and the item stays decidable', async () => {
    const [item] = await seedPendingReviews(stack, 1);
    for (let cycle = 0; cycle < 60; cycle += 1) {
      expect((await api(stack, 'POST', `/reviews/${item!.callbackId}/claim`, { token: alice })).status).toBe(200);
      expect((await api(stack, 'DELETE', `/reviews/${item!.callbackId}/claim`, { token: alice })).status).toBe(200);
    }
    const detail = (await api(stack, 'GET', `/reviews/${item!.callbackId}`, { token: alice })).body;
    const bookkeeping = detail.history.filter((e: { from?: string; to: string; event: string }) => !isTrail(e as never));
    expect(bookkeeping.length).toBeLessThanOrEqual(MAX_HISTORY_ENTRIES + 1);
    expect(detail.history.find((e: { event: string }) => e.event === COMPACTED_EVENT)).toMatchObject({ counts: { claimed: expect.any(Number), released: expect.any(Number) } });
  });

  it('answers a write DynamoDB refuses for size with a problem+json that says so, and changes nothing', async () => {
    // An item some other way grown to the limit (here: a 390 KB verdict reason from an older
    // version): compaction cannot help, so the decision is refused, plainly.
    const [item] = await seedPendingReviews(stack, 1);
    const bloated = { ...item!, callbackId: `${item!.callbackId.slice(0, 40)}bloated1`, policy: { ...item!.policy!, reason: '' } };
    // The longest reason the table still accepts: the next write of any size is refused.
    for (let length = 409_600; ; length -= 100) {
      bloated.policy.reason = 'x'.repeat(length);
      const stored = await stack.runtime.store.recordReceived(bloated).then(() => true, (error: Error) => (error.name === 'ValidationException' ? false : Promise.reject(error)));
      if (stored) break;
    }
    const response = await api(stack, 'POST', `/reviews/${bloated.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'spam' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/item-too-large$/), callbackId: bloated.callbackId, requestId: expect.any(String) });
    expect(response.body.detail).toMatch(/400 KB limit/);
    expect((await stack.runtime.store.get(bloated.callbackId))?.status).toBe('PENDING_REVIEW');
  });
});
