import { randomUUID } from 'node:crypto';
import { CreateChannelMembershipCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { expect } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { caseIdOf } from '../../src/reports/model.js';
import { userArn } from '../support/factories.js';
import { api, memberTokenFor } from '../support/review.js';
import { sendMessage, waitForStatus, type SentMessage } from '../support/stack.js';

/**
 * Test data for the people views, made the way members and moderators make it: messages sent
 * through the channel flow (SENT by the default policy), members joining the channel in Chime,
 * reports and appeals through the API with member tokens.
 */

/** A member with a readable, unique name ("ruth-3f2a1c"). */
export const someone = (name: string): string => userArn(`${name}-${randomUUID().slice(0, 6)}`);

export const join = (chime: ChimeSDKMessagingClient, channel: string, member: string) =>
  chime.send(new CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: member, Type: 'DEFAULT', ChimeBearer: member }));

/** A message that went through the channel flow and was SENT. */
export async function sentMessage(chime: ChimeSDKMessagingClient, content: string, options: { channel: string; sender: string }): Promise<SentMessage> {
  const sent = await sendMessage(chime, content, options);
  await waitForStatus(chime, sent, 'SENT');
  return sent;
}

export interface ReportBy {
  member: string;
  category: 'spam' | 'harassment' | 'hate' | 'sexual' | 'violence' | 'self-harm' | 'scam' | 'other';
  note?: string;
}

/** Each member joins the channel (to see the message) and reports it: one case. */
export async function reportAll(stack: LocalStack, chime: ChimeSDKMessagingClient, sent: SentMessage, reports: ReportBy[]): Promise<string> {
  for (const r of reports) {
    await join(chime, sent.channelArn, r.member).catch(() => undefined); // a member already in the channel
    const answer = await api(stack, 'POST', '/reports', {
      token: await memberTokenFor(stack, r.member),
      json: { channelArn: sent.channelArn, messageId: sent.messageId, category: r.category, ...(r.note ? { note: r.note } : {}) },
    });
    expect(answer.status, answer.text).toBe(200);
  }
  return caseIdOf(sent.channelArn, sent.messageId);
}

/** A SENT message reported by `reports`: its case id. */
export async function reportedMessage(stack: LocalStack, chime: ChimeSDKMessagingClient, content: string, options: { channel: string; sender: string; reports: ReportBy[] }): Promise<{ sent: SentMessage; caseId: string }> {
  const sent = await sentMessage(chime, content, options);
  return { sent, caseId: await reportAll(stack, chime, sent, options.reports) };
}
