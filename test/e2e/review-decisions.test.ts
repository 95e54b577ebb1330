import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { subjectFor } from '../../src/local/issuer.js';
import { channelArn, userArn } from '../support/factories.js';
import { api, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';
import { callbacksFor, chimeClient, sendMessage, waitForItem, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('decisions, checked in the Chime simulator', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack);
    alice = await tokenFor(stack, 'alice');
    bob = await tokenFor(stack, 'bob');
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  /** A real message through Chime that the policy holds for review ("refund" is a review term). */
  const held = async (content = 'Can I get a refund for my order?', options: { channel?: string; sender?: string; metadata?: string } = {}) => {
    const sent = await sendMessage(chime, content, options);
    const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'PENDING_REVIEW');
    return { sent, item };
  };
  const simulated = (sent: SentMessage) => stack.simulator.messages().find((m) => m.messageId === sent.messageId)!;
  const decide = (item: Pick<ModerationItem, 'callbackId'>, body: unknown, token = alice) => api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token, json: body });

  it('ALLOW: 200 DELIVERED, the message is SENT unchanged, and the decision records the token’s subject and username', async () => {
    const { sent, item } = await held('Can I get a refund for my order? Thanks', { metadata: '{"ticket":42}' });
    const response = await decide(item, { action: 'ALLOW', reason: 'a normal support question' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'DELIVERED',
      decision: { action: 'ALLOW', origin: 'MODERATOR', actor: { id: subjectFor('alice'), name: 'alice' }, reason: 'a normal support question', ruleIds: ['terms.review'] },
      claim: null,
    });
    expect(simulated(sent)).toMatchObject({ status: 'SENT', content: 'Can I get a refund for my order? Thanks', metadata: '{"ticket":42}' });
    expect(callbacksFor(stack, item.callbackId)).toHaveLength(1);
  });

  it('DENY: the message is DENIED in Chime, and our record keeps what was denied and why', async () => {
    const { sent, item } = await held('I want a refund NOW or I will post your address');
    const response = await decide(item, { action: 'DENY', reason: 'threatens doxxing' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY', reason: 'threatens doxxing' } });
    expect(simulated(sent).status).toBe('DENIED');
    const [callback] = callbacksFor(stack, item.callbackId);
    expect(callback).toMatchObject({ deleteResource: true, outcome: { status: 200 } });
    const stored = await stack.runtime.store.get(item.callbackId);
    expect(stored?.message.content).toBe('I want a refund NOW or I will post your address');
  });

  it('UPDATE: the message is SENT with the edited Content, Metadata, MessageAttributes and PushNotification', async () => {
    const { sent, item } = await held('refund me, my card is 4111 1111 1111 1111');
    const response = await decide(item, {
      action: 'UPDATE',
      content: 'refund me, my card is [redacted]',
      metadata: '{"moderated":true}',
      messageAttributes: { topic: { StringValues: ['billing', 'refunds'] } },
      pushNotification: { title: 'Billing', body: 'A message about a refund', type: 'DEFAULT' },
      reason: 'card number removed',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'DELIVERED', decision: { action: 'UPDATE', update: { content: 'refund me, my card is [redacted]' } } });
    expect(simulated(sent)).toMatchObject({
      status: 'SENT',
      content: 'refund me, my card is [redacted]',
      metadata: '{"moderated":true}',
      messageAttributes: { topic: { StringValues: ['billing', 'refunds'] } },
      pushNotification: { Title: 'Billing', Body: 'A message about a refund', Type: 'DEFAULT' },
    });
    // The audit record keeps the original; Chime has only the edit.
    expect((await stack.runtime.store.get(item.callbackId))?.message.content).toContain('4111 1111 1111 1111');
  });

  it('answers 409 with who decided what, how and when, to a second decision', async () => {
    const { item } = await held();
    expect((await decide(item, { action: 'ALLOW' })).status).toBe(200);
    const second = await decide(item, { action: 'DENY', reason: 'changed my mind' }, bob);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      type: expect.stringMatching(/\/already-decided$/),
      status: 409,
      decidedBy: { id: subjectFor('alice'), name: 'alice' },
      action: 'ALLOW',
      origin: 'MODERATOR',
      decidedAt: expect.any(String),
      itemStatus: 'DELIVERED',
    });
    expect(callbacksFor(stack, item.callbackId)).toHaveLength(1);
  });

  it('answers 409 to a stale expectedVersion, and decides with the current one', async () => {
    const { sent, item } = await held();
    const claimed = await api(stack, 'POST', `/reviews/${item.callbackId}/claim`, { token: alice });
    const stale = await decide(item, { action: 'ALLOW', expectedVersion: item.version });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ type: expect.stringMatching(/\/version-conflict$/), expectedVersion: item.version, currentVersion: claimed.body.version });
    expect((await stack.runtime.store.get(item.callbackId))?.status).toBe('PENDING_REVIEW');
    const current = await decide(item, { action: 'ALLOW', expectedVersion: claimed.body.version });
    expect(current.status).toBe(200);
    expect(simulated(sent).status).toBe('SENT');
  });

  it('answers 200 DECIDED when Chime throttles, then delivers the same decision through the workers', async () => {
    const { sent, item } = await held();
    stack.simulator.setFaults({ callbackThrottleRate: 1 });
    let response;
    try {
      response = await decide(item, { action: 'DENY', reason: 'spam' });
    } finally {
      stack.simulator.setFaults({ callbackThrottleRate: 0 });
    }
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'DECIDED', decision: { action: 'DENY' }, delivery: { attempts: 1, lastError: expect.stringMatching(/Throttled/) } });
    // Handed to the work queue: a worker delivers the recorded decision, not a new one.
    const delivered = await waitFor(async () => {
      const current = await stack.runtime.store.get(item.callbackId);
      return current?.status === 'DELIVERED' ? current : undefined;
    }, { what: 'the decision to be delivered', timeoutMs: 20_000 });
    expect(delivered.decision).toMatchObject({ action: 'DENY', origin: 'MODERATOR', reason: 'spam' });
    expect(simulated(sent).status).toBe('DENIED');
    expect(callbacksFor(stack, item.callbackId).filter((c) => c.outcome.status === 200)).toHaveLength(1);
  });

  it('refuses what Chime would refuse, and changes nothing', async () => {
    const { item } = await held();
    const response = await decide(item, { action: 'UPDATE', pushNotification: { title: 'x'.repeat(51) } });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'body.pushNotification.title', message: expect.stringMatching(/50/) }]);
    expect(await stack.runtime.store.get(item.callbackId)).toEqual(item);
  });

  it('refuses to decide an item that is not held for review', async () => {
    const [seeded] = await seedPendingReviews(stack, 1);
    await stack.runtime.store.transition({ callbackId: seeded!.callbackId, deadline: seeded!.deadline, from: ['PENDING_REVIEW'], to: 'RECEIVED', history: { actor: 'test', event: 'reset' }, now: Date.now() });
    const response = await decide(seeded!, { action: 'ALLOW' });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/\/not-reviewable$/), itemStatus: 'RECEIVED' });
  });

  describe('POST /reviews/decisions (bulk)', () => {
    it('denies everything held from one sender, with a result for each item', async () => {
      const spammer = userArn(`spammer-${Date.now()}`);
      const channel = channelArn();
      const messages = await Promise.all([1, 2, 3].map((n) => held(`refund scam number ${n}`, { channel, sender: spammer })));
      const bystander = await held('Can I get a refund please?', { channel });
      const queue = await api(stack, 'GET', `/reviews?senderArn=${encodeURIComponent(spammer)}`, { token: alice });
      expect(queue.body.items).toHaveLength(3);

      // One of them was decided a moment earlier by bob; one id does not exist.
      await decide(messages[0]!.item, { action: 'ALLOW' }, bob);
      const missing = '9'.repeat(48);
      const response = await api(stack, 'POST', '/reviews/decisions', {
        token: alice,
        json: { decisions: [...queue.body.items.map((i: { callbackId: string }) => ({ callbackId: i.callbackId, action: 'DENY', reason: 'spam wave' })), { callbackId: missing, action: 'DENY', reason: 'spam wave' }] },
      });
      expect(response.status).toBe(200);
      const results = response.body.results as Array<{ callbackId: string; status: number; item?: { status: string }; problem?: Record<string, unknown> }>;
      expect(results.map((r) => r.callbackId)).toEqual([...queue.body.items.map((i: { callbackId: string }) => i.callbackId), missing]);
      const byId = new Map(results.map((r) => [r.callbackId, r]));
      expect(byId.get(messages[0]!.item.callbackId)).toMatchObject({ status: 409, problem: { type: expect.stringMatching(/already-decided/), decidedBy: { name: 'bob' } } });
      for (const { item, sent } of messages.slice(1)) {
        expect(byId.get(item.callbackId)).toMatchObject({ status: 200, item: { status: 'DELIVERED' } });
        expect(simulated(sent).status).toBe('DENIED');
      }
      expect(byId.get(missing)).toMatchObject({ status: 404, problem: { type: expect.stringMatching(/not-found/) } });
      expect(simulated(bystander.sent).status).toBe('PENDING');
    });
  });
});
