/**
 * Notices to senders end to end (README "Notices"): the whole local stack, a stock Chime client as
 * the chat app. A denied message brings its sender the moderation bot's targeted notice, with the
 * rule's public reason and never the blocked term; nobody else in the channel sees it; the notice
 * itself passes through the channel flow unevaluated (no loop); a redelivered decision sends no
 * second notice.
 */
import { randomUUID } from 'node:crypto';
import { GetChannelMessageCommand, ListChannelMessagesCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlNoticeStore } from '../../src/adapters/control-notices.js';
import { ControlRecords } from '../../src/adapters/control-records.js';
import { toWorkMessage } from '../../src/domain/item.js';
import { noticeIdOf } from '../../src/notices/compose.js';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { chimeClient, itemsFor, sendMessage, startTestStack, waitForItem, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const BOT = `${APP_INSTANCE}/bot/moderation`;

describe('notices to senders, through the local stack', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let notices: ControlNoticeStore;

  beforeAll(async () => {
    stack = await startTestStack({ moderationBotArn: '{appInstanceArn}/bot/moderation', faults: { duplicateInvocations: 1, duplicateDelayMs: 20 } });
    chime = chimeClient(stack, { maxAttempts: 1 });
    notices = new ControlNoticeStore(new ControlRecords(stack.clients.documents, stack.config.controlTableName));
  }, 60_000);
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const list = async (channel: string, bearer: string) =>
    (await chime.send(new ListChannelMessagesCommand({ ChannelArn: channel, ChimeBearer: bearer, SortOrder: 'ASCENDING', MaxResults: 50 }))).ChannelMessages ?? [];
  const botMessages = (channel: string) => stack.simulator.messages().filter((m) => m.channelArn === channel && m.sender.arn === BOT);

  it('tells the sender of a denied message why, in the channel, and nobody else', async () => {
    const channel = channelArn();
    const sender = userArn(`s-${randomUUID().slice(0, 8)}`);
    const other = userArn(`o-${randomUUID().slice(0, 8)}`);
    await waitForStatus(chime, await sendMessage(chime, 'hello all', { channel, sender: other }), 'SENT');
    const denied = await sendMessage(chime, 'cheap SCAMCOIN for everyone', { channel, sender });
    await waitForStatus(chime, denied, 'DENIED');
    const [item] = await itemsFor(stack, denied);
    expect(item).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY', ruleIds: ['terms.block'] } });

    // The notice is the bot's targeted message; it went through the flow like any message.
    const seen = await waitFor(async () => (await list(channel, sender)).find((m) => m.Sender?.Arn === BOT), { what: 'the notice, as the sender lists the channel' });
    expect(seen.Target).toEqual([{ MemberArn: sender }]);
    expect(seen.Content).toBe(`Your message was not sent: it contains language this channel does not allow. If you think this is a mistake, appeal: https://example.com/appeal?ref=${item!.callbackId}`);
    expect(seen.Content!.toLowerCase()).not.toContain('scamcoin');
    expect(JSON.parse(seen.Metadata!)).toEqual({ moderation: { notice: 'deny', ref: item!.callbackId, id: noticeIdOf({ about: { kind: 'message', callbackId: item!.callbackId }, kind: 'deny', to: sender }) } });

    // Another member of the channel sees the chat, not the notice; read directly, it is not found.
    const theirs = await list(channel, other);
    expect(theirs.map((m) => m.Content)).toContain('hello all');
    expect(theirs.some((m) => m.Sender?.Arn === BOT)).toBe(false);
    await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: channel, MessageId: seen.MessageId!, ChimeBearer: other }))).rejects.toBeInstanceOf(NotFoundException);

    // Recorded SENT with Chime's MessageId; the notice's own item was let through unevaluated.
    const record = await notices.get(noticeIdOf({ about: { kind: 'message', callbackId: item!.callbackId }, kind: 'deny', to: sender }));
    expect(record).toMatchObject({ status: 'SENT', messageId: seen.MessageId, attempts: 1 });
    const [noticeItem] = await itemsFor(stack, { channelArn: channel, messageId: seen.MessageId!, sender: BOT });
    expect(noticeItem).toMatchObject({ status: 'DELIVERED', decision: { action: 'ALLOW', ruleIds: ['moderation.bot'] } });
    expect(botMessages(channel)).toHaveLength(1);
  });

  it('sends no second notice when the decision is delivered again, invoked twice, or swept', async () => {
    const channel = channelArn();
    const sender = userArn(`s-${randomUUID().slice(0, 8)}`);
    const denied = await sendMessage(chime, 'send me your password please', { channel, sender });
    const item = await waitForItem(stack, denied, (i) => i.status === 'DELIVERED', 'the DENY delivered');
    await waitFor(() => botMessages(channel).length === 1, { what: 'the first notice' });

    // The same work message again (an SQS redelivery), and a sweep.
    await stack.runtime.queue.enqueue(toWorkMessage(item));
    await stack.sweepNow();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stack.sweepNow();
    expect(botMessages(channel)).toHaveLength(1);
    expect(stack.simulator.invocations().filter((e) => e.ChannelMessage.MessageId === denied.messageId).length).toBeGreaterThanOrEqual(2); // Chime invoked intake twice
    expect(await notices.get(noticeIdOf({ about: { kind: 'message', callbackId: item.callbackId }, kind: 'deny', to: sender }))).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('tells the sender of a message the policy changed (PII hidden), and says nothing about an allowed one', async () => {
    const channel = channelArn();
    const sender = userArn(`s-${randomUUID().slice(0, 8)}`);
    const changed = await sendMessage(chime, 'mail me at someone@example.com', { channel, sender });
    const allowed = await sendMessage(chime, 'see you tomorrow', { channel, sender });
    await waitForStatus(chime, changed, 'SENT');
    await waitForStatus(chime, allowed, 'SENT');
    const notice = await waitFor(async () => (await list(channel, sender)).find((m) => m.Sender?.Arn === BOT), { what: 'the update notice' });
    expect(notice.Content).toBe('Your message was changed before it was sent: it contained an e-mail address, which was hidden.');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(botMessages(channel)).toHaveLength(1);
  });
});
