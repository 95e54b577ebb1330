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
    it("bans a held message's sender: their next message is refused by Chime, and the ban is audited and in the item's history", async () => {
      const channel = channelArn();
      const mallory = userArn(`mallory-${randomUUID().slice(0, 8)}`);
      const sent = await sendMessage(chime, 'refund now, or else', { channel, sender: mallory });
      const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');

      const response = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam wave from this account' } });
      expect(response.status, response.text).toBe(200);
      expect(response.body.action).toMatchObject({
        kind: 'ACTION',
        callbackId: expect.stringMatching(/^ACTION#/),
        action: 'BAN_SENDER',
        origin: 'MODERATOR',
        status: 'DONE',
        decidedBy: { id: subjectFor('alice'), name: 'alice' },
        reason: 'spam wave from this account',
        channelArn: channel,
        messageId: sent.messageId,
        sender: { arn: mallory },
        original: { content: 'refund now, or else' },
        ruleIds: held.policy!.ruleIds,
        target: { channelArn: channel, memberArn: mallory, reviewCallbackId: held.callbackId, messageId: sent.messageId },
        alreadyBanned: false,
        chimeBearer: DEFAULT_BEARER,
        completedAt: expect.any(String),
      });
      // The item is still held (a ban is not a decision), and its history says who banned and why;
      // the note is bookkeeping: the version (a moderator's expectedVersion) and the sweep moment stay.
      expect(response.body.item).toMatchObject({ callbackId: held.callbackId, status: 'PENDING_REVIEW', version: held.version });
      expect((await stack.runtime.store.get(held.callbackId))).toMatchObject({ updatedAt: (await stack.runtime.store.get(held.callbackId))!.updatedAt, version: held.version });
      expect(response.body.item.history.at(-1)).toMatchObject({ actor: 'alice', from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: 'sender-banned', reason: 'spam wave from this account' });

      // Chime: banned, and refused on the next message.
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([mallory]);
      await expect(sendMessage(chime, 'let me back in', { channel, sender: mallory })).rejects.toBeInstanceOf(ForbiddenException);

      // The audit log: with the moderator filters, the channel filter and origin MODERATOR.
      const byAlice = actionsIn(await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR', moderator: 'alice' }));
      expect(byAlice).toEqual([response.body.action]);
      expect(actionsIn(await auditOf(stack, alice, { channelArn: channel, moderator: subjectFor('alice') }))).toHaveLength(1);
      expect(await auditOf(stack, alice, { channelArn: channel, moderator: 'bob' })).toEqual([]);
      expect(await auditOf(stack, alice, { channelArn: channel, origin: 'AUTO' })).toEqual([]);
    });

    it('works beside and after a decision: banning a delivered item again is a success that says the sender was already banned', async () => {
      const channel = channelArn();
      const spammer = userArn(`spammer-${randomUUID().slice(0, 8)}`);
      const sent = await sendMessage(chime, 'refund me please', { channel, sender: spammer });
      const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');

      const first = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'known spammer' } });
      expect(first.status, first.text).toBe(200);
      const decided = await api(stack, 'POST', `/reviews/${held.callbackId}/decision`, { token: bob, json: { action: 'DENY', reason: 'spam' } });
      expect(decided.status, decided.text).toBe(200);
      expect(decided.body.status).toBe('DELIVERED');

      const again = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: bob, json: { type: 'BAN_SENDER', reason: 'making sure' } });
      expect(again.status, again.text).toBe(200);
      expect(again.body.action).toMatchObject({ status: 'DONE', alreadyBanned: true, decidedBy: { name: 'bob' } });
      expect(again.body.item.status).toBe('DELIVERED');
      expect(again.body.item.history.map((h: Entry) => h.event)).toEqual(expect.arrayContaining(['sender-banned', 'sender-already-banned']));
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([spammer]);

      // Newest first, decisions and actions in one time order.
      const entries = await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR' });
      expect(entries.map((e) => `${e.kind} ${e.action}`)).toEqual(['ACTION BAN_SENDER', 'DECISION DENY', 'ACTION BAN_SENDER']);
      expect(entries[1]).toMatchObject({ kind: 'DECISION', callbackId: held.callbackId, decidedBy: { name: 'bob' } });
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
    it('does nothing in Chime if the request cannot be recorded first (500, no ban, no entry)', async () => {
      const channel = channelArn();
      const troll = userArn(`troll-${randomUUID().slice(0, 8)}`);
      const held = await waitForItem(stack, await sendMessage(chime, 'refund?', { channel, sender: troll }), (i) => i.status === 'PENDING_REVIEW', 'held');
      stack.crashes.failNextFollowUpWrites('recordFollowUp');
      const response = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'troll' } });
      expect(response.status).toBe(500);
      expect(response.body.type).toMatch(/\/internal-error$/);
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([]);
      await sendMessage(chime, 'still here', { channel, sender: troll });
      expect(await auditOf(stack, alice, { channelArn: channel, origin: 'MODERATOR' })).toEqual([]);
    });

    it('says so (500 action-not-recorded) when Chime did it but the outcome could not be written; the log shows it REQUESTED, not DONE', async () => {
      const channel = channelArn();
      const troll = userArn(`troll-${randomUUID().slice(0, 8)}`);
      const held = await waitForItem(stack, await sendMessage(chime, 'refund?', { channel, sender: troll }), (i) => i.status === 'PENDING_REVIEW', 'held');
      stack.crashes.failNextFollowUpWrites('completeFollowUp');
      const response = await api(stack, 'POST', `/reviews/${held.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'troll' } });
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/\/action-not-recorded$/), action: 'BAN_SENDER', actionId: expect.stringMatching(/^ACTION#/) });
      expect(response.body.detail).toMatch(new RegExp(`Chime banned ${troll} from .*shows action ACTION#\\S+ as REQUESTED`));
      expect(await bansOf(chime, channel, DEFAULT_BEARER)).toEqual([troll]);

      const [entry, ...more] = actionsIn(await auditOf(stack, alice, { channelArn: channel, moderator: 'alice' }));
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ callbackId: response.body.actionId, action: 'BAN_SENDER', status: 'REQUESTED', reason: 'troll' });
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

    const ban = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam' } });
    expect(ban.status, ban.text).toBe(200);
    expect(ban.body.action).toMatchObject({ status: 'DONE', chimeBearer: DEFAULT_BEARER });
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
    expect(audit.map((e) => [e.action, e.status, e.decidedBy.name])).toEqual([
      ['DELETE_MESSAGE', 'DONE', 'root'],
      ['REDACT_MESSAGE', 'DONE', 'root'],
      ['BAN_SENDER', 'DONE', 'alice'],
    ]);
  });

  it("answers 502 chime-bearer-forbidden when Chime refuses the bearer's rights, and records the attempt FAILED, never DONE", async () => {
    const eve = `${OTHER_INSTANCE}/user/eve`;
    const channel = await channelWith(OTHER_INSTANCE, [eve]);
    const item = await heldItemFrom(channel, eve);

    const ban = await api(stack, 'POST', `/reviews/${item.callbackId}/actions`, { token: alice, json: { type: 'BAN_SENDER', reason: 'spam' } });
    expect(ban.status).toBe(502);
    expect(ban.body).toMatchObject({
      type: expect.stringMatching(/\/chime-bearer-forbidden$/),
      operation: 'CreateChannelBan',
      chimeErrorType: 'ForbiddenException',
      bearer: `${OTHER_INSTANCE}/bot/review-api`,
    });
    expect(ban.body.detail).toMatch(/Check the configured bearer's rights \(stage param chimeBearerArn\)/);
    await post(channel, eve, 'still allowed to post'); // nothing happened in Chime

    const sent = await post(channel, eve, 'a sent message');
    const del = await api(stack, 'POST', '/messages/delete', { token: root, json: { channelArn: channel, messageId: sent.MessageId, reason: 'x' } });
    expect(del.status).toBe(502);
    expect(del.body).toMatchObject({ type: expect.stringMatching(/\/chime-bearer-forbidden$/), operation: 'DeleteChannelMessage' });
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: sent.MessageId!, ChimeBearer: eve }))).ChannelMessage?.Content).toBe('a sent message');

    const audit = actionsIn(await auditOf(stack, alice, { channelArn: channel }));
    expect(audit.map((e) => [e.action, e.status, e.chimeError?.type])).toEqual([
      ['DELETE_MESSAGE', 'FAILED', 'ForbiddenException'],
      ['BAN_SENDER', 'FAILED', 'ForbiddenException'],
    ]);
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

  it('answers 503 chime-bearer-not-configured, naming the setting, and records nothing', async () => {
    const alice = await tokenFor(stack, 'alice', ['moderators', 'admins']);
    const item = aPendingReview(stack, Date.now() + 3_600_000);
    await stack.runtime.store.recordReceived(item);
    const requests: Array<[string, unknown]> = [
      [`/reviews/${item.callbackId}/actions`, { type: 'BAN_SENDER', reason: 'spam' }],
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
    expect((await stack.runtime.store.get(item.callbackId))!.version).toBe(item.version);
  });
});
