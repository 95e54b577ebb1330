/**
 * Moderators' follow-up actions through the review API (README "For moderators"): ban a held
 * message's sender, redact or delete a sent message. Real local servers through stock clients:
 * what Chime does is read back from the Chime emulator, what is audited from GET /decisions.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  ForbiddenException,
  GetChannelMessageCommand,
  ListChannelBansCommand,
  NotFoundException,
  SendChannelMessageCommand,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../../src/local/issuer.js';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { api, aPendingReview, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';

type Entry = Record<string, any>;

const DEFAULT_BEARER = `${APP_INSTANCE}/bot/review-api`;

/** The audit log's entries for a query (one page of up to 100). */
async function auditOf(stack: LocalStack, token: string, query: Record<string, string>): Promise<Entry[]> {
  const response = await api(stack, 'GET', `/decisions?${new URLSearchParams({ limit: '100', ...query })}`, { token });
  expect(response.status, response.text).toBe(200);
  return response.body.items;
}

const actionsIn = (entries: Entry[]) => entries.filter((e) => e.kind === 'ACTION');

/** A restriction as the sender's record shows it (GET /senders/{memberArn}). */
async function restrictionOf(stack: LocalStack, token: string, memberArn: string, id: string): Promise<Entry> {
  const record = await api(stack, 'GET', `/senders/${encodeURIComponent(memberArn)}`, { token });
  expect(record.status, record.text).toBe(200);
  return [...record.body.restrictions.active, ...record.body.restrictions.past].find((r: Entry) => r.id === id);
}

async function bansOf(chime: ChimeSDKMessagingClient, channel: string, bearer: string): Promise<string[]> {
  const reply = await chime.send(new ListChannelBansCommand({ ChannelArn: channel, ChimeBearer: bearer }));
  return (reply.ChannelBans ?? []).map((b) => b.Member?.Arn ?? '');
}

describe('follow-up actions (convenient Chime, the default bearer)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let alice: string;
  let bob: string;
  let root: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack, { maxAttempts: 1 });
    alice = await tokenFor(stack, 'alice');
    bob = await tokenFor(stack, 'bob');
    root = await tokenFor(stack, 'root', ['admins']);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  describe('POST /reviews/{callbackId}/actions BAN_SENDER', () => {
    it("bans a held message's sender through the senders room: a short ban at once, in the item's history and the sender's record; Chime refuses their next message", async () => {
      const channel = channelArn();
      const mallory = userArn(`mallory-${randomUUID().slice(0, 8)}`);
      const sent = await sendMessage(chime, 'refund now, or else', { channel, sender: mallory });
      const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');

      const response = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam wave from this account', for: '24h' } });
      expect(response.status, response.text).toBe(200);
      expect(response.body.restriction).toEqual({ restrictionId: expect.any(String), status: 'ACTIVE' });
      expect(response.body.action).toBeUndefined();
      const restriction = await restrictionOf(stack, alice, mallory, response.body.restriction.restrictionId);
      expect(restriction).toMatchObject({
        action: 'BAN',
        scope: 'channel',
        channelArn: channel,
        forSeconds: 86_400,
        reason: 'spam wave from this account',
        requestedBy: { id: subjectFor('alice'), name: 'alice' },
        cause: { kind: 'moderator', callbackId: held.callbackId },
        chime: { bans: [expect.objectContaining({ channelArn: channel, outcome: 'DONE', confirmedBy: 'answer' })] },
      });
      // The item is still held (a ban is not a decision), and its history says who banned and why;
      // the note is bookkeeping: the version (a moderator's expectedVersion) and the sweep moment stay.
      expect(response.body.item).toMatchObject({ callbackId: held.callbackId, status: 'PENDING_REVIEW', version: held.version });
      expect(response.body.item.history.at(-1)).toMatchObject({
        actor: 'alice',
        from: 'PENDING_REVIEW',
        to: 'PENDING_REVIEW',
        event: 'sender-banned',
        reason: `spam wave from this account (restriction ${response.body.restriction.restrictionId})`,
      });

      // Chime: banned, and refused on the next message.
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([mallory]);
      await expect(sendMessage(chime, 'let me back in', { channel, sender: mallory })).rejects.toBeInstanceOf(ForbiddenException);
    });

    it('waits for a second moderator when the ban is longer than the policy allows alone (the two-person rule); the requester may not approve it', async () => {
      const channel = channelArn();
      const spammer = userArn(`spammer-${randomUUID().slice(0, 8)}`);
      const sent = await sendMessage(chime, 'refund me please', { channel, sender: spammer });
      const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');

      const asked = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'known spammer' } });
      expect(asked.status, asked.text).toBe(200);
      expect(asked.body.restriction).toMatchObject({ status: 'PENDING_APPROVAL' });
      expect(asked.body.item.history.at(-1)).toMatchObject({ event: 'sender-ban-requested', actor: 'alice' });
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([]);

      const own = await api(stack, 'POST', `/approvals/${asked.body.restriction.restrictionId}/decision`, { token: alice, json: { approve: true, reason: 'mine' } });
      expect(own.status).toBe(403);
      expect(own.body.type).toMatch(/four-eyes$/);
      const approved = await api(stack, 'POST', `/approvals/${asked.body.restriction.restrictionId}/decision`, { token: bob, json: { approve: true, reason: 'clear spam' } });
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body).toMatchObject({ status: 'ACTIVE', chime: { bans: [{ outcome: 'DONE' }] } });
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([spammer]);

      // Beside and after a decision: a second ban (another request) finds Chime banned already.
      const decided = await api(stack, 'POST', `/reviews/${held.callbackId}/decision`, { token: bob, json: { action: 'DENY', reason: 'spam' } });
      expect(decided.status, decided.text).toBe(200);
      const again = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: bob, json: { type: 'BAN_SENDER', reason: 'making sure', for: '1h' } });
      expect(again.status, again.text).toBe(200);
      expect(again.body.item.status).toBe('DELIVERED');
      const second = await restrictionOf(stack, bob, spammer, again.body.restriction.restrictionId);
      expect(second.chime.bans).toEqual([expect.objectContaining({ outcome: 'DONE', already: true })]);
      expect(again.body.item.history.map((h: Entry) => h.event)).toEqual(expect.arrayContaining(['sender-ban-requested', 'sender-banned']));
    });

    it('answers 404 for an unknown item and 400 for a body it does not accept, recording nothing', async () => {
      const unknown = await api(stack, 'POST', `/reviews/${'x'.repeat(40)}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'why' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.type).toMatch(/\/not-found$/);

      const item = aPendingReview(stack, Date.now() + 3_600_000);
      await stack.runtime.store.recordReceived(item);
      for (const json of [{ type: 'BAN_SENDER' }, { type: 'BAN_SENDER', reason: '   ' }, { type: 'KICK', reason: 'x' }, { type: 'BAN_SENDER', reason: 'x', extra: 1 }]) {
        const response = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json });
        expect(response.status, JSON.stringify(json)).toBe(400);
        expect(response.body.type).toMatch(/\/invalid-request$/);
      }
      expect(await auditOf(stack, alice, { channelArn: item.message.channelArn })).toEqual([]);
    });
  });

  describe('POST /messages/redact and /messages/delete (admins)', () => {
    it('redacts a sent message: it reads back Redacted, its content removed, and the redaction is audited', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'See you at the standup', { channel });
      await waitForStatus(chime, sent, 'SENT');

      const response = await api(stack, 'POST', '/messages/redact', { token: root, json: { channelArn: channel, messageId: sent.messageId, reason: 'reported: harassment' } });
      expect(response.status, response.text).toBe(200);
      expect(response.body.action).toMatchObject({
        kind: 'ACTION',
        action: 'REDACT_MESSAGE',
        origin: 'MODERATOR',
        status: 'DONE',
        decidedBy: { id: subjectFor('root'), name: 'root' },
        reason: 'reported: harassment',
        target: { channelArn: channel, messageId: sent.messageId },
        chimeBearer: DEFAULT_BEARER,
      });
      expect(response.body.item).toBeUndefined();

      const read = await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.messageId, ChimeBearer: userArn('bob') }));
      expect(read.ChannelMessage).toMatchObject({ MessageId: sent.messageId, Redacted: true });
      expect(read.ChannelMessage?.Content).toBeUndefined();

      const audit = await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR', moderator: 'root' });
      expect(audit).toEqual([response.body.action]);
    });

    it('deletes a sent message: it is gone, and the deletion is audited', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'Lunch at noon?', { channel });
      await waitForStatus(chime, sent, 'SENT');

      const response = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: sent.messageId, reason: 'leaked customer data' } });
      expect(response.status, response.text).toBe(200);
      expect(response.body.action).toMatchObject({ action: 'DELETE_MESSAGE', status: 'DONE', decidedBy: { name: 'root' }, reason: 'leaked customer data' });
      await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.messageId, ChimeBearer: sent.sender }))).rejects.toBeInstanceOf(NotFoundException);

      const audit = actionsIn(await auditOf(stack, alice, { channelArn: channel }));
      expect(audit.map((e) => [e.action, e.status, e.reason])).toEqual([['DELETE_MESSAGE', 'DONE', 'leaked customer data']]);
    });

    it('is for admins: a moderator gets 403 admins-only, and nothing is done or recorded', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'Quarterly numbers attached', { channel });
      await waitForStatus(chime, sent, 'SENT');
      for (const path of ['/messages/redact', '/messages/delete']) {
        const response = await api(stack, 'POST', path, { token: alice, json: { channelArn: channel, messageId: sent.messageId, reason: 'I think it is bad' } });
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ type: expect.stringMatching(/\/admins-only$/), requiredGroups: ['admins'] });
        expect(response.body.detail).toMatch(/Only admins may redact or delete sent messages/);
      }
      const read = await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.messageId, ChimeBearer: sent.sender }));
      expect(read.ChannelMessage).toMatchObject({ Content: 'Quarterly numbers attached', Redacted: false });
      expect(await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR' })).toEqual([]);
    });

    it("validates with the model's limits: MessageId 1-128 of [-_a-zA-Z0-9], a channel ARN, a reason, nothing else", async () => {
      const channel = channelArn();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ channelArn: channel, messageId: '', reason: 'r' }, 'body.messageId'],
        [{ channelArn: channel, messageId: 'm'.repeat(129), reason: 'r' }, 'body.messageId'],
        [{ channelArn: channel, messageId: 'has space', reason: 'r' }, 'body.messageId'],
        [{ channelArn: channel, messageId: 'a/b', reason: 'r' }, 'body.messageId'],
        [{ channelArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/x/user/y', messageId: 'm1', reason: 'r' }, 'body.channelArn'],
        [{ channelArn: `${APP_INSTANCE}/channel/${'c'.repeat(1600)}`, messageId: 'm1', reason: 'r' }, 'body.channelArn'],
        [{ channelArn: channel, messageId: 'm1' }, 'body.reason'],
        [{ channelArn: channel, messageId: 'm1', reason: 'r', subChannelId: 's' }, 'body'],
      ];
      for (const [json, path] of cases) {
        const response = await api(stack, 'POST', '/messages/redact', { token: root, json });
        expect(response.status, JSON.stringify(json).slice(0, 200)).toBe(400);
        expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      }
      const longest = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: 'm'.repeat(128), reason: 'r' } });
      expect(longest.status).toBe(404); // valid, and Chime has no such message
      expect(longest.body).toMatchObject({ type: expect.stringMatching(/\/not-found$/), operation: 'DeleteChannelMessage', chimeErrorType: 'NotFoundException' });
    });

    it('answers 404 when Chime has no such message, and the audit log shows the attempt FAILED, never DONE', async () => {
      const channel = channelArn();
      await waitForStatus(chime, await sendMessage(chime, 'hello', { channel }), 'SENT');
      const response = await api(stack, 'POST', '/messages/redact', { token: root, json: { channelArn: channel, messageId: 'no-such-message', reason: 'reported' } });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/\/not-found$/), chimeErrorType: 'NotFoundException', channelArn: channel, messageId: 'no-such-message' });
      const [attempt, ...more] = actionsIn(await auditOf(stack, alice, { channelArn: channel }));
      expect(more).toEqual([]);
      expect(attempt).toMatchObject({ action: 'REDACT_MESSAGE', status: 'FAILED', chimeError: { type: 'NotFoundException' }, decidedBy: { name: 'root' } });
    });

    it('answers 409 chime-conflict for a message still held in the channel flow (decide it instead)', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'can I get a refund?', { channel });
      await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');
      const response = await api(stack, 'POST', '/messages/redact', { token: root, json: { channelArn: channel, messageId: sent.messageId, reason: 'too early' } });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/\/chime-conflict$/), chimeErrorType: 'ConflictException' });
      expect(response.body.detail).toMatch(/decide it in the review queue/);
      expect(actionsIn(await auditOf(stack, alice, { channelArn: channel })).map((e) => e.status)).toEqual(['FAILED']);
    });
  });

  describe('when the audit record cannot be written', () => {
    it('does nothing in Chime if the request cannot be recorded first (500, nothing deleted, no entry)', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'delete me later', { channel });
      await waitForStatus(chime, sent, 'SENT');
      stack.crashes.failNextFollowUpWrites('recordFollowUp');
      const response = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: sent.messageId, reason: 'leak' } });
      expect(response.status).toBe(500);
      expect(response.body.type).toMatch(/\/internal-error$/);
      expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.messageId, ChimeBearer: sent.sender }))).ChannelMessage?.Content).toBe('delete me later');
      expect(await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR' })).toEqual([]);
    });

    it('says so (500 action-not-recorded) when Chime did it but the outcome could not be written; the log shows it REQUESTED, not DONE', async () => {
      const channel = channelArn();
      const sent = await sendMessage(chime, 'delete me now', { channel });
      await waitForStatus(chime, sent, 'SENT');
      stack.crashes.failNextFollowUpWrites('completeFollowUp');
      const response = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: sent.messageId, reason: 'leak' } });
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/\/action-not-recorded$/), action: 'DELETE_MESSAGE', actionId: expect.stringMatching(/^ACTION#/) });
      await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.messageId, ChimeBearer: sent.sender }))).rejects.toBeInstanceOf(NotFoundException);

      const [entry, ...more] = actionsIn(await auditOf(stack, alice, { channelArn: channel, moderator: 'root' }));
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ callbackId: response.body.actionId, action: 'DELETE_MESSAGE', status: 'REQUESTED', reason: 'leak' });
      expect(entry!.completedAt).toBeUndefined();
    });
  });
});

describe('follow-up actions in strict Chime', () => {
  const OTHER_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/99999999-8888-7777-6666-555555555555';
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let alice: string;
  let root: string;

  beforeAll(async () => {
    // The bearer names the channel's own AppInstance; it is an AppInstanceAdmin of APP_INSTANCE
    // only, so in OTHER_INSTANCE it is a bearer without the rights.
    stack = await startReviewStack({ chimeStrict: true, chimeBearerArn: '{appInstanceArn}/bot/review-api', chimeAppInstanceAdmins: [DEFAULT_BEARER] });
    chime = chimeClient(stack, { maxAttempts: 1 });
    alice = await tokenFor(stack, 'alice');
    root = await tokenFor(stack, 'root', ['moderators', 'admins']);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  /** A created channel with `members`, as strict Chime wants it. */
  async function channelWith(instance: string, members: string[]): Promise<string> {
    const owner = `${instance}/user/owner`;
    const channel = (await chime.send(new CreateChannelCommand({ AppInstanceArn: instance, Name: 'support', ChimeBearer: owner }))).ChannelArn!;
    for (const member of members) await chime.send(new CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: member, Type: 'DEFAULT', ChimeBearer: owner }));
    return channel;
  }

  /** A review item for a message `sender` posted (strict channels have no flow until setup-flow associates one). */
  async function heldItemFrom(channel: string, sender: string) {
    const item = aPendingReview(stack, Date.now() + 3_600_000, { channel, sender });
    await stack.runtime.store.recordReceived(item);
    return item;
  }

  const post = (channel: string, sender: string, content: string) => chime.send(new SendChannelMessageCommand({ ChannelArn: channel, ChimeBearer: sender, Content: content, Type: 'STANDARD', Persistence: 'PERSISTENT' }));

  it('bans, redacts and deletes as an AppInstanceAdmin bearer', async () => {
    const mallory = `${APP_INSTANCE}/user/mallory`;
    const carol = `${APP_INSTANCE}/user/carol`;
    const channel = await channelWith(APP_INSTANCE, [mallory, carol]);
    const item = await heldItemFrom(channel, mallory);

    const ban = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam', for: '1h' } });
    expect(ban.status, ban.text).toBe(200);
    expect(ban.body.restriction).toMatchObject({ status: 'ACTIVE' });
    expect((await restrictionOf(stack, alice, mallory, ban.body.restriction.restrictionId)).chime.bans).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
    await expect(post(channel, mallory, 'hello again')).rejects.toBeInstanceOf(ForbiddenException);

    const first = await post(channel, carol, 'my card is 4111 1111 1111 1111');
    const redact = await api(stack, 'POST', '/messages/redact', { token: root, json: { channelArn: channel, messageId: first.MessageId, reason: 'card number' } });
    expect(redact.status, redact.text).toBe(200);
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: first.MessageId!, ChimeBearer: carol }))).ChannelMessage).toMatchObject({ Redacted: true });

    const second = await post(channel, carol, 'and my password is hunter2');
    const del = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: second.MessageId, reason: 'password' } });
    expect(del.status, del.text).toBe(200);
    await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: second.MessageId!, ChimeBearer: carol }))).rejects.toBeInstanceOf(NotFoundException);

    const audit = actionsIn(await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR' }));
    // The ban is on the sender's record (the senders room), not a follow-up action.
    expect(audit.map((e) => [e.action, e.status, e.decidedBy.name])).toEqual([
      ['DELETE_MESSAGE', 'DONE', 'root'],
      ['REDACT_MESSAGE', 'DONE', 'root'],
    ]);
  });

  it("answers 502 chime-bearer-forbidden when Chime refuses the bearer's rights, and records the attempt FAILED, never DONE", async () => {
    const eve = `${OTHER_INSTANCE}/user/eve`;
    const channel = await channelWith(OTHER_INSTANCE, [eve]);
    const item = await heldItemFrom(channel, eve);

    // A ban is recorded (the worker enforces it) with Chime's refusal on its call, never DONE.
    const ban = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam', for: '1h' } });
    expect(ban.status, ban.text).toBe(200);
    expect((await restrictionOf(stack, alice, eve, ban.body.restriction.restrictionId)).chime.bans).toEqual([
      expect.objectContaining({ outcome: 'FAILED', error: expect.objectContaining({ type: 'ForbiddenException' }) }),
    ]);
    await post(channel, eve, 'still allowed to post'); // nothing happened in Chime

    const sent = await post(channel, eve, 'a sent message');
    const del = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: sent.MessageId, reason: 'x' } });
    expect(del.status).toBe(502);
    expect(del.body).toMatchObject({ type: expect.stringMatching(/\/chime-bearer-forbidden$/), operation: 'DeleteChannelMessage' });
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.MessageId!, ChimeBearer: eve }))).ChannelMessage?.Content).toBe('a sent message');

    const audit = actionsIn(await auditOf(stack, alice, { channelArn: channel }));
    expect(audit.map((e) => [e.action, e.status, e.chimeError?.type])).toEqual([['DELETE_MESSAGE', 'FAILED', 'ForbiddenException']]);
  });
});

describe('follow-up actions without a configured bearer', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startReviewStack({ chimeBearerArn: null });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 chime-bearer-not-configured for redact and delete, naming the setting, and records nothing; a ban is recorded for the worker to enforce', async () => {
    const alice = await tokenFor(stack, 'alice', ['moderators', 'admins']);
    const item = aPendingReview(stack, Date.now() + 3_600_000);
    await stack.runtime.store.recordReceived(item);
    // A ban is a restriction the worker enforces; its Chime call is FAILED, not configured.
    const ban = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam', for: '1h' } });
    expect(ban.status, ban.text).toBe(200);
    expect((await restrictionOf(stack, alice, item.message.sender.arn, ban.body.restriction.restrictionId)).chime.bans).toEqual([
      expect.objectContaining({ outcome: 'FAILED', error: expect.objectContaining({ type: 'ChimeBearerNotConfigured' }) }),
    ]);
    const requests: Array<[string, unknown]> = [
      ['/messages/redact', { channelArn: item.message.channelArn, messageId: item.message.messageId, reason: 'x' }],
      ['/messages/delete', { channelArn: item.message.channelArn, messageId: item.message.messageId, reason: 'x' }],
    ];
    for (const [path, json] of requests) {
      const response = await api(stack, 'POST', path, { token: alice, json });
      expect(response.status, path).toBe(503);
      expect(response.body.type).toMatch(/\/chime-bearer-not-configured$/);
      expect(response.body.detail).toMatch(/chimeBearerArn \(CHIME_BEARER_ARN\) is not set/);
    }
    expect(await auditOf(stack, alice, { channelArn: item.message.channelArn })).toEqual([]);
    // The ban's note is bookkeeping: the version stays.
    expect((await stack.runtime.store.get(item.callbackId))!.version).toBe(item.version);
  });
});
