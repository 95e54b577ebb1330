import {
  AssociateChannelFlowCommand,
  CreateChannelCommand,
  DescribeChannelCommand,
  GetChannelMessageCommand,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import { randomUUID } from 'node:crypto';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, userArn } from '../support/factories.js';
import { aPendingReview } from '../support/review.js';
import { sendMessage, waitForItem, type SentMessage } from '../support/stack.js';

/** Test data for the console: named channels, real held messages, and seeded items with spans. */

/**
 * A channel with a readable Name, created with CreateChannel and given the project's channel
 * flow (the flow the simulator gives channels it creates implicitly).
 */
export async function namedChannel(chime: ChimeSDKMessagingClient, name: string): Promise<string> {
  const owner = userArn('channel-admin');
  const probe = `${APP_INSTANCE}/channel/flow-probe-${randomUUID()}`;
  const flowArn = (await chime.send(new DescribeChannelCommand({ ChannelArn: probe, ChimeBearer: owner }))).Channel?.ChannelFlowArn;
  if (!flowArn) throw new Error('The simulator has no default channel flow');
  const channel = (await chime.send(new CreateChannelCommand({ AppInstanceArn: APP_INSTANCE, Name: name, ChannelId: `${name.toLowerCase().replace(/\W+/g, '-')}-${randomUUID().slice(0, 8)}`, ChimeBearer: owner })))
    .ChannelArn!;
  await chime.send(new AssociateChannelFlowCommand({ ChannelArn: channel, ChannelFlowArn: flowArn, ChimeBearer: owner }));
  return channel;
}

/** A message the default policy holds for review ("refund" is a review term), waiting in the queue. */
export async function heldMessage(stack: LocalStack, chime: ChimeSDKMessagingClient, content: string, options: { channel: string; sender?: string }): Promise<{ sent: SentMessage; item: ModerationItem }> {
  const sent = await sendMessage(chime, content, { channel: options.channel, sender: options.sender ?? userArn('dana') });
  const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', `"${content}" to be held for review`);
  return { sent, item };
}

export async function deliveredContent(chime: ChimeSDKMessagingClient, sent: SentMessage): Promise<string | undefined> {
  return (await chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender }))).ChannelMessage?.Content;
}

/**
 * A held item written straight to the store with findings that carry spans, for the
 * highlighting (the policy engine's offsets arrive separately; the console must not wait).
 */
export async function seedWithSpans(stack: LocalStack, channel: string, deadlineMs: number): Promise<ModerationItem> {
  const content = 'Refund me now or mail carol@example.com, see https://bit.example/x';
  const base = aPendingReview(stack, deadlineMs, { channel, content, sender: userArn('erin') });
  const span = (text: string) => ({ start: content.indexOf(text), end: content.indexOf(text) + text.length });
  const item: ModerationItem = {
    ...base,
    policy: {
      action: 'REVIEW',
      ruleIds: ['terms.review', 'pii.email', 'links.unknown'],
      reason: 'Content contains "refund"; an email address; an unknown link',
      findings: [
        { ruleId: 'terms.review', action: 'REVIEW', reason: 'Content contains term "refund" that requires review', spans: [span('Refund')] },
        { ruleId: 'pii.email', action: 'UPDATE', reason: 'Content contains an email address', spans: [span('carol@example.com')] },
        { ruleId: 'links.unknown', action: 'REVIEW', reason: 'Content links to bit.example, which is not on the allow list', spans: [span('https://bit.example/x')] },
      ],
    },
  };
  await stack.runtime.store.recordReceived(item);
  return item;
}
