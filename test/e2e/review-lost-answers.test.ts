/**
 * The review API when an answer is lost (BRIEF.md invariant 6): Chime applies a callback, a ban,
 * a deletion or a redaction and the connection drops before the answer (the emulator's
 * `loseAnswerRate`); DynamoDB applies a moderator's decision and its answer is lost (the SDK
 * retries it). What the API answers and what it records must be what happened. And a client
 * that never got an answer retries with the same Idempotency-Key and is told the first outcome.
 */
import { randomUUID } from 'node:crypto';
import { GetChannelMessageCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';

const BEARER = `${APP_INSTANCE}/bot/review-api`;

describe('the review API when an answer is lost', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let alice: string;
  let root: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack, { maxAttempts: 1 });
    alice = await tokenFor(stack, 'alice');
    root = await tokenFor(stack, 'root', ['admins']);
  });
  afterEach(() => stack.simulator.setFaults({ loseAnswerRate: 0, callbackUnavailableRate: 0 }));
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const held = async (content = 'refund please') => {
    const sent = await sendMessage(chime, content, { channel: channelArn(), sender: userArn(`u-${randomUUID().slice(0, 8)}`) });
    const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');
    return { sent, item };
  };
  const callbacksOf = (callbackId: string) => stack.simulator.callbacks().filter((c) => c.callbackId === callbackId);
  const sentMessage = async (content: string) => {
    const sent = await sendMessage(chime, content, { channel: channelArn(), sender: userArn(`u-${randomUUID().slice(0, 8)}`) });
    await waitForStatus(chime, sent, 'SENT');
    return sent;
  };

  it('records a decision whose callback landed with its answer lost DELIVERED, confirmed by read-back, never ALREADY_RESOLVED', async () => {
    const { sent, item } = await held();
    stack.simulator.setFaults({ loseAnswerRate: 1 });
    const response = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' } });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ status: 'DELIVERED' });
    const stored = await stack.runtime.store.get(item.callbackId);
    expect(stored).toMatchObject({ status: 'DELIVERED', delivery: { confirmedBy: 'read-back' } });
    expect(callbacksOf(item.callbackId)).toMatchObject([{ outcome: { status: 200, answerLost: true } }]);
    await waitForStatus(chime, sent, 'SENT');
  });

  it('answers a moderator whose decision write was applied with its answer lost 200, not a 409 naming themselves', async () => {
    const { sent, item } = await held();
    const faults = loseNextAnswer(stack.clients.dynamodb, (command, input) => {
      const values = (input as { ExpressionAttributeValues?: Record<string, { S?: string }> }).ExpressionAttributeValues ?? {};
      return command === 'UpdateItemCommand' && values[':to']?.S === 'DECIDED';
    });
    try {
      const response = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'no' } });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY' } });
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    await waitForStatus(chime, sent, 'DENIED');
  });

  /** A restriction as the sender's record shows it (GET /senders/{memberArn}). */
  const restrictionOf = async (memberArn: string, id: string) => {
    const record = await api(stack, 'GET', `/senders/${encodeURIComponent(memberArn)}`, { token: alice });
    expect(record.status, record.text).toBe(200);
    return [...record.body.restrictions.active, ...record.body.restrictions.past].find((r: { id: string }) => r.id === id);
  };

  it('records a ban applied with its answer lost DONE (confirmed by read-back), never "already banned"', async () => {
    const { item } = await held();
    stack.simulator.setFaults({ loseAnswerRate: 1 });
    const response = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam', for: '1h' } });
    expect(response.status, response.text).toBe(200);
    expect(response.body.restriction).toMatchObject({ status: 'ACTIVE' });
    const restriction = await restrictionOf(item.message.sender.arn, response.body.restriction.restrictionId);
    expect(restriction.chime.bans).toEqual([expect.objectContaining({ outcome: 'DONE', confirmedBy: 'read-back' })]);
    expect(restriction.chime.bans[0].already).toBeUndefined();
    expect(stack.simulator.channels().find((c) => c.channelArn === item.message.channelArn)?.bans).toContain(item.message.sender.arn);
  });

  it('records a deletion applied with its answer lost DONE, never FAILED by the retry\'s 404', async () => {
    const sent = await sentMessage('delete me');
    stack.simulator.setFaults({ loseAnswerRate: 1 });
    const response = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: sent.channelArn, messageId: sent.messageId, reason: 'abuse' } });
    expect(response.status, response.text).toBe(200);
    expect(response.body.action).toMatchObject({ status: 'DONE', confirmedBy: 'read-back' });
    await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: BEARER }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('records a redaction applied with its answer lost DONE', async () => {
    const sent = await sentMessage('redact me');
    stack.simulator.setFaults({ loseAnswerRate: 1 });
    const response = await api(stack, 'POST', '/messages/redact', { token: root, json: { channelArn: sent.channelArn, messageId: sent.messageId, reason: 'pii' } });
    expect(response.status, response.text).toBe(200);
    expect(response.body.action).toMatchObject({ status: 'DONE', confirmedBy: 'read-back' });
  });

  describe('Idempotency-Key', () => {
    it('answers a retried ban with the first outcome and never bans twice; another request under the key is 409', async () => {
      const { item } = await held();
      const key = randomUUID();
      const ban = { type: 'BAN_SENDER', reason: 'spam', for: '1h' };
      const first = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: ban, headers: { 'idempotency-key': key } });
      expect(first.status, first.text).toBe(200);
      const bansBefore = stack.simulator.channels().find((c) => c.channelArn === item.message.channelArn)!.bans.length;
      const again = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: ban, headers: { 'idempotency-key': key } });
      expect(again.status, again.text).toBe(200);
      expect(again.body.restriction).toEqual(first.body.restriction);
      expect(stack.simulator.channels().find((c) => c.channelArn === item.message.channelArn)!.bans.length).toBe(bansBefore);
      // One restriction on the sender's record, noted once on the item.
      const record = await api(stack, 'GET', `/senders/${encodeURIComponent(item.message.sender.arn)}`, { token: alice });
      expect(record.body.restrictions.active.map((r: { id: string }) => r.id)).toEqual([first.body.restriction.restrictionId]);
      expect(again.body.item.history.filter((h: { event: string }) => h.event === 'sender-banned')).toHaveLength(1);
      const other = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { ...ban, reason: 'something else' }, headers: { 'idempotency-key': key } });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ type: expect.stringMatching(/idempotency-key-reused$/) });
    });

    it('answers a retried decision with the decision it made (200), and the same key with another decision 409', async () => {
      const { item } = await held();
      const key = randomUUID();
      const first = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' }, headers: { 'idempotency-key': key } });
      expect(first.status, first.text).toBe(200);
      const again = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' }, headers: { 'idempotency-key': key } });
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ callbackId: item.callbackId, decision: { action: 'ALLOW' } });
      expect(callbacksOf(item.callbackId)).toHaveLength(1);
      const other = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'changed my mind' }, headers: { 'idempotency-key': key } });
      expect(other.status).toBe(409);
      // Without the key, the same request is what it always was: already decided.
      const plain = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' } });
      expect(plain.status).toBe(409);
      expect(plain.body.type).toMatch(/already-decided$/);
    });

    it('replays a bulk request decision by decision', async () => {
      const a = await held();
      const b = await held();
      const key = randomUUID();
      const body = { decisions: [{ callbackId: a.item.callbackId, action: 'ALLOW' }, { callbackId: b.item.callbackId, action: 'DENY', reason: 'no' }] };
      const first = await api(stack, 'POST', '/reviews/decisions', { token: alice, json: body, headers: { 'idempotency-key': key } });
      expect(first.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200]);
      const again = await api(stack, 'POST', '/reviews/decisions', { token: alice, json: body, headers: { 'idempotency-key': key } });
      expect(again.body.results.map((r: { status: number }) => r.status)).toEqual([200, 200]);
      expect(callbacksOf(a.item.callbackId)).toHaveLength(1);
      expect(callbacksOf(b.item.callbackId)).toHaveLength(1);
    });

    it('refuses a malformed key with 400 problem+json before doing anything', async () => {
      const { item } = await held();
      const response = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'ALLOW' }, headers: { 'idempotency-key': 'not a key!' } });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await stack.runtime.store.get(item.callbackId)).toMatchObject({ status: 'PENDING_REVIEW' });
    });
  });
});
