import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { callbacksFor, chimeClient, sendMessage, waitForItem } from '../support/stack.js';
import { AdjustableClock } from '../support/wait.js';

describe('races: exactly one decision wins', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  const clock = new AdjustableClock();
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startReviewStack({ clock });
    chime = chimeClient(stack);
    // Valid for the whole run, even after the clock jumps to the margin (47 h on).
    alice = await tokenFor(stack, 'alice', ['moderators'], { ttlSeconds: 3 * 86_400 });
    bob = await tokenFor(stack, 'bob', ['moderators'], { ttlSeconds: 3 * 86_400 });
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const heldItems = async (count: number, label: string) =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const sent = await sendMessage(chime, `refund request ${label} ${i}`);
        return { sent, item: await waitForItem(stack, sent, (it) => it.status === 'PENDING_REVIEW', 'PENDING_REVIEW') };
      }),
    );

  const decided = (history: Array<{ event: string }>) => history.filter((h) => h.event.startsWith('decided:'));

  it('two moderators deciding the same item at once: one 200, one 409 that names the winner; one callback', async () => {
    for (const { item } of await heldItems(6, 'two-moderators')) {
      const [a, b] = await Promise.all([
        api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' } }),
        api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: bob, json: { action: 'DENY', reason: 'no' } }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? { name: 'alice', action: 'ALLOW' } : { name: 'bob', action: 'DENY' };
      const loser = a.status === 409 ? a : b;
      expect(loser.body).toMatchObject({ type: expect.stringMatching(/\/already-decided$/), decidedBy: { name: winner.name }, action: winner.action });

      const stored = await stack.runtime.store.get(item.callbackId);
      expect(decided(stored!.history)).toHaveLength(1);
      expect(stored?.decision).toMatchObject({ actor: { name: winner.name }, action: winner.action });
      const calls = callbacksFor(stack, item.callbackId);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.deleteResource).toBe(winner.action === 'DENY');
    }
  });

  it('a moderator against the sweeper at the margin: exactly one effective decision and one callback', async () => {
    const items = await heldItems(8, 'margin');
    // Into the expiry margin (deadline - margin), before the deadline.
    clock.advance((stack.config.callbackWindowSeconds - stack.config.expiryMarginSeconds / 2) * 1000);
    const [responses, report] = await Promise.all([
      Promise.all(items.map(({ item }) => api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW', reason: 'fine' } }))),
      stack.sweepNow(),
    ]);
    let moderatorWins = 0;
    for (const [i, { item, sent }] of items.entries()) {
      const response = responses[i]!;
      const stored = (await stack.runtime.store.get(item.callbackId))!;
      expect(decided(stored.history)).toHaveLength(1);
      const calls = callbacksFor(stack, item.callbackId);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.outcome.status).toBe(200);
      if (response.status === 200) {
        moderatorWins += 1;
        expect(stored.decision).toMatchObject({ origin: 'MODERATOR', action: 'ALLOW' });
        expect(calls[0]!.deleteResource).toBe(false);
      } else {
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ decidedBy: { id: 'sweeper' }, origin: 'EXPIRY', action: stack.config.expiryAction });
        expect(stored.decision).toMatchObject({ origin: 'EXPIRY' });
      }
      const message = stack.simulator.messages().find((m) => m.messageId === sent.messageId)!;
      expect(message.status).toBe(stored.decision!.action === 'DENY' ? 'DENIED' : 'SENT');
    }
    // The sweeper's report agrees: it decided exactly the items the moderator did not.
    expect(report.expiryDecisions).toBe(items.length - moderatorWins);
  });
});
