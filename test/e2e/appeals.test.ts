/**
 * Appeals end to end (README "Appeals"): the whole local stack over HTTP, a stock Chime client as
 * the chat app. A moderator denies a held message; its sender appeals it; the moderator who denied
 * it may not decide the appeal (403 four-eyes); a second moderator overturns it, and the same
 * content from the same sender in that channel is then SENT. Every field of bad input is a 400
 * problem with nothing stored; an appeal against a decision still being delivered is refused
 * until it has taken effect.
 */
import { randomUUID } from 'node:crypto';
import { ListChannelMessagesCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlAppealStore } from '../../src/adapters/control-appeals.js';
import { ControlRecords } from '../../src/adapters/control-records.js';
import { appealIdOf } from '../../src/appeals/model.js';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, callbackId, channelArn, userArn } from '../support/factories.js';
import { api, memberTokenFor, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, itemsFor, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const BOT = `${APP_INSTANCE}/bot/moderation`;

describe('appeals, through the local stack', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let appeals: ControlAppealStore;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startReviewStack({ moderationBotArn: '{appInstanceArn}/bot/moderation' });
    chime = chimeClient(stack, { maxAttempts: 1 });
    appeals = new ControlAppealStore(new ControlRecords(stack.clients.documents, stack.config.controlTableName));
    alice = await tokenFor(stack, 'alice');
    bob = await tokenFor(stack, 'bob');
  }, 60_000);
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  /** A message the policy holds for a moderator, from a new sender in a new channel. */
  async function held(content = `I want a refund for order ${randomUUID().slice(0, 6)}`) {
    const channel = channelArn();
    const sender = userArn(`s-${randomUUID().slice(0, 8)}`);
    const sent = await sendMessage(chime, content, { channel, sender });
    const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'the message held for review');
    return { channel, sender, sent, item, content };
  }

  const list = async (channel: string, bearer: string) =>
    (await chime.send(new ListChannelMessagesCommand({ ChannelArn: channel, ChimeBearer: bearer, SortOrder: 'ASCENDING', MaxResults: 50 }))).ChannelMessages ?? [];

  it('a denied message appealed, overturned by a second moderator: the same content from the same sender is then SENT', async () => {
    const { channel, sender, sent, item, content } = await held();
    const denied = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'refund scam again', publicReason: 'it looks like a scam' } });
    expect(denied.status, denied.text).toBe(200);
    expect(denied.body).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY', origin: 'MODERATOR', publicReason: 'it looks like a scam' } });
    await waitForStatus(chime, sent, 'DENIED');
    // The sender is told, with the moderator's public reason (never the audit log's).
    const notice = await waitFor(async () => (await list(channel, sender)).find((m) => m.Sender?.Arn === BOT), { what: 'the deny notice' });
    expect(notice.Content).toContain('Your message was not sent: it looks like a scam.');
    expect(notice.Content).not.toContain('refund scam again');

    const member = await memberTokenFor(stack, sender);
    const appealed = await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: item.callbackId, text: 'I really do want my money back' }, headers: { 'idempotency-key': 'appeal-1' } });
    expect(appealed.status, appealed.text).toBe(200);
    expect(appealed.body).toEqual({ appealId: appealIdOf({ kind: 'message', callbackId: item.callbackId }), status: 'PENDING', ref: { kind: 'message', callbackId: item.callbackId }, text: 'I really do want my money back', createdAt: expect.any(String) });
    const { appealId } = appealed.body;
    // Its answer was lost: the same request again answers the same appeal; another appeal is 409.
    expect((await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: item.callbackId, text: 'I really do want my money back' }, headers: { 'idempotency-key': 'appeal-1' } })).body).toEqual(appealed.body);
    const again = await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: item.callbackId, text: 'please' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringMatching(/already-appealed$/), appealId });
    // Another member cannot appeal it (nor learn it exists).
    const stranger = await api(stack, 'POST', '/appeals', { token: await memberTokenFor(stack, userArn('stranger')), json: { callbackId: item.callbackId, text: 'x' } });
    expect(stranger.status).toBe(404);

    // Moderators: the queue, the appeal with the decision appealed.
    const queue = await api(stack, 'GET', '/appeals?status=PENDING&limit=100', { token: bob });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((a: { appealId: string }) => a.appealId)).toContain(appealId);
    const detail = await api(stack, 'GET', `/appeals/${appealId}`, { token: bob });
    expect(detail.body).toMatchObject({ status: 'PENDING', appealed: { action: 'DENY', origin: 'MODERATOR', reason: 'refund scam again', message: { content }, sender: { arn: sender } }, text: 'I really do want my money back' });

    // The moderator who denied it may not decide the appeal.
    const own = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: alice, json: { outcome: 'OVERTURN', reason: 'I was wrong' } });
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ type: expect.stringMatching(/four-eyes$/) });
    const overturned = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: bob, json: { outcome: 'OVERTURN', reason: 'A real refund request' }, headers: { 'idempotency-key': 'o-1' } });
    expect(overturned.status, overturned.text).toBe(200);
    expect(overturned.body).toMatchObject({ status: 'OVERTURNED', effects: { allowance: { status: 'DONE' }, notice: { status: 'DONE' }, audit: { status: 'DONE' } }, settledAt: expect.any(String) });
    const late = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: alice, json: { outcome: 'UPHOLD', reason: 'no' } });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ type: expect.stringMatching(/already-decided$/), detail: expect.stringContaining('bob') });

    // The same content, from the same sender, in that channel: SENT, let through by the allowance.
    const resent = await sendMessage(chime, content, { channel, sender });
    await waitForStatus(chime, resent, 'SENT');
    const [resentItem] = await itemsFor(stack, resent);
    expect(resentItem).toMatchObject({ decision: { action: 'ALLOW', ruleIds: ['appeal.allowance'] } });
    // Other content from them is judged as ever; the same content from someone else too.
    const other = await sendMessage(chime, `${content}!`, { channel, sender });
    await waitForItem(stack, other, (i) => i.status === 'PENDING_REVIEW', 'other content held');
    const copycat = await sendMessage(chime, content, { channel, sender: userArn(`c-${randomUUID().slice(0, 8)}`) });
    await waitForItem(stack, copycat, (i) => i.status === 'PENDING_REVIEW', 'the same content from another sender held');

    // The member is told the outcome; the audit log shows the appeal's decision.
    await waitFor(async () => (await list(channel, sender)).some((m) => m.Sender?.Arn === BOT && m.Content === 'Your appeal was reviewed: overturned. A real refund request'), { what: 'the outcome notice' });
    const audit = await api(stack, 'GET', `/decisions?channelArn=${encodeURIComponent(channel)}&limit=100`, { token: bob });
    expect(audit.body.items.find((e: { action: string }) => e.action === 'APPEAL_OVERTURN')).toMatchObject({ kind: 'ACTION', status: 'DONE', decidedBy: { name: 'bob' }, reason: 'A real refund request', target: { appealId, reviewCallbackId: item.callbackId } });
  });

  it('refuses an appeal while its decision is still being delivered, and takes it once it has taken effect', async () => {
    const { sender, item } = await held();
    // Chime turns the callback away: the DENY is recorded, not delivered.
    stack.simulator.setFaults({ callbackUnavailableRate: 1 });
    try {
      const denied = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'spam' } });
      expect(denied.body).toMatchObject({ status: 'DECIDED' });
      const member = await memberTokenFor(stack, sender);
      const early = await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: item.callbackId, text: 'no!' } });
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ type: expect.stringMatching(/not-appealable$/), why: 'being-delivered', detail: expect.stringMatching(/still being delivered.*try again/i) });
      expect(await appeals.get(appealIdOf({ kind: 'message', callbackId: item.callbackId }))).toBeUndefined();
    } finally {
      stack.simulator.setFaults({ callbackUnavailableRate: 0 });
    }
    await waitFor(async () => (await stack.runtime.store.get(item.callbackId))?.status === 'DELIVERED', { what: 'the DENY delivered by the worker' });
    const member = await memberTokenFor(stack, sender);
    const appealed = await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: item.callbackId, text: 'no!' } });
    expect(appealed.status, appealed.text).toBe(200);
  });

  it('answers bad input in every field with 400 problem+json, and stores nothing', async () => {
    const { sender, item } = await held();
    const denied = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'spam' } });
    expect(denied.body).toMatchObject({ status: 'DELIVERED' });
    const member = await memberTokenFor(stack, sender);
    const cb = item.callbackId;
    const bodies: Array<[unknown, string]> = [
      [{}, 'body.text'],
      [{ text: 'x' }, 'body.callbackId'],
      [{ callbackId: cb, caseId: 'a'.repeat(32), text: 'x' }, 'body.caseId'],
      [{ callbackId: 'short', text: 'x' }, 'body.callbackId'],
      [{ callbackId: 7, text: 'x' }, 'body.callbackId'],
      [{ caseId: 'not a case!', text: 'x' }, 'body.caseId'],
      [{ callbackId: cb }, 'body.text'],
      [{ callbackId: cb, text: '' }, 'body.text'],
      [{ callbackId: cb, text: '   ' }, 'body.text'],
      [{ callbackId: cb, text: 'x'.repeat(2001) }, 'body.text'],
      [{ callbackId: cb, text: ['x'] }, 'body.text'],
      [{ callbackId: cb, text: 'x', memberArn: 'me' }, 'body.memberArn'],
      [{ callbackId: cb, text: 'x', content: 'forged' }, 'body'],
      [[], 'body'],
    ];
    for (const [json, path] of bodies) {
      const response = await api(stack, 'POST', '/appeals', { token: member, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((e: { path: string }) => e.path), JSON.stringify(json)).toContain(path);
    }
    const malformed = await api(stack, 'POST', '/appeals', { token: member, raw: '{"callbackId":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ type: expect.stringMatching(/malformed-json$/) });
    const badKey = await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: cb, text: 'x' }, headers: { 'idempotency-key': 'not a key' } });
    expect(badKey.status).toBe(400);
    expect(await appeals.get(appealIdOf({ kind: 'message', callbackId: cb }))).toBeUndefined();

    // A member may not name another member; a moderator's token names no member.
    expect((await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: cb, text: 'x', memberArn: userArn('someone-else') } })).status).toBe(403);
    expect((await api(stack, 'POST', '/appeals', { token: bob, json: { callbackId: cb, text: 'x' } })).body).toMatchObject({ status: 403, type: expect.stringMatching(/no-member-identity$/) });
    expect(await appeals.get(appealIdOf({ kind: 'message', callbackId: cb }))).toBeUndefined();

    const { appealId } = (await api(stack, 'POST', '/appeals', { token: member, json: { callbackId: cb, text: 'fair?' } })).body;
    const decisions: Array<[unknown, string]> = [
      [{}, 'body.outcome'],
      [{ outcome: 'MAYBE', reason: 'x' }, 'body.outcome'],
      [{ outcome: 'OVERTURN' }, 'body.reason'],
      [{ outcome: 'OVERTURN', reason: '' }, 'body.reason'],
      [{ outcome: 'OVERTURN', reason: 'x'.repeat(501) }, 'body.reason'],
      [{ outcome: 'OVERTURN', reason: 'x', expectedVersion: 0 }, 'body.expectedVersion'],
      [{ outcome: 'OVERTURN', reason: 'x', expectedVersion: 1.5 }, 'body.expectedVersion'],
      [{ outcome: 'OVERTURN', reason: 'x', note: 'y' }, 'body'],
    ];
    for (const [json, path] of decisions) {
      const response = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: bob, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path), JSON.stringify(json)).toContain(path);
    }
    expect((await api(stack, 'POST', `/appeals/not-an-appeal/decision`, { token: bob, json: { outcome: 'UPHOLD', reason: 'x' } })).status).toBe(400);
    expect((await api(stack, 'GET', '/appeals?status=MAYBE', { token: bob })).status).toBe(400);
    expect((await api(stack, 'GET', '/appeals?limit=0', { token: bob })).status).toBe(400);
    expect((await api(stack, 'GET', '/appeals?cursor=abc.def', { token: bob })).status).toBe(400);
    expect((await api(stack, 'GET', `/appeals/${callbackId()}`, { token: bob })).status).toBe(400);
    // Members do not work the queue.
    expect((await api(stack, 'GET', '/appeals', { token: member })).status).toBe(403);
    expect(await appeals.get(appealId)).toMatchObject({ status: 'PENDING', version: 1 });
  });
});
