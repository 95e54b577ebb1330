import { ChannelFlowCallbackCommand, GetChannelMessageCommand, GetChannelMessageStatusCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { parseTimestamp } from '../domain/deadline.js';
import type { CallbackRequest, ObservedMessage } from '../domain/callback.js';
import type { ChannelMessage } from '../domain/message.js';
import type { CallbackSender } from '../domain/ports.js';
import { retryTurnedAway } from './chime-calls.js';

/**
 * ChannelFlowCallback and its read-back (src/domain/callback.ts, settleCallback).
 *
 * The callback goes through a client that makes ONE attempt per call (`chimeWrites`, see
 * src/adapters/clients.ts): the SDK's own retry would meet Chime's answer to a second callback
 * after a first one that landed and lost its answer, and hide that it was ours. Only an answer
 * that says Chime turned the request away unapplied (429, 503) is retried here, in the open.
 *
 * The read-back is GetChannelMessageStatus, which Chime answers only for the message's sender,
 * so it is made with the sender as ChimeBearer (the execution role needs
 * chime:GetChannelMessageStatus). It is one attempt too: a status that cannot be read leaves the
 * callback in doubt, retried later, and a deliverer's time stays inside its lease
 * (LONGEST_CALLBACK_MS in src/adapters/clients.ts).
 */
/** The one-attempt client the callback sender and the moderation actions use (src/adapters/clients.ts). */
export const oneAttemptChime = (clients: { chimeWrites: ChimeSDKMessagingClient }) => ({ writes: clients.chimeWrites });

export class ChimeCallbackSender implements CallbackSender {
  constructor(
    private readonly clients: { writes: ChimeSDKMessagingClient },
    /** Tries of a callback Chime turns away (429, 503) before it is left to a later retry. */
    private readonly options: { turnedAwayAttempts?: number } = {},
  ) {}

  async send(request: CallbackRequest): Promise<void> {
    await retryTurnedAway(() => this.clients.writes.send(new ChannelFlowCallbackCommand(request)), this.options.turnedAwayAttempts);
  }

  async readStatus(message: Pick<ChannelMessage, 'channelArn' | 'messageId' | 'sender' | 'createdTimestamp' | 'lastEditedTimestamp' | 'persistence'>): Promise<ObservedMessage> {
    try {
      const reply = await this.clients.writes.send(
        new GetChannelMessageStatusCommand({ ChannelArn: message.channelArn, MessageId: message.messageId, ChimeBearer: message.sender.arn }),
      );
      const value = reply.Status?.Value;
      if (value === 'PENDING') return { status: 'PENDING', newerEdit: await this.newerEditPending(message) };
      if (value === 'SENT' || value === 'DENIED' || value === 'FAILED') {
        return { status: value, ...(reply.Status?.Detail ? { detail: reply.Status.Detail } : {}) };
      }
      return { status: 'UNREADABLE', errorType: 'UnexpectedStatus', message: `GetChannelMessageStatus answered status ${String(value)}` };
    } catch (error) {
      const err = error as { name?: string; message?: string };
      if (err.name === 'NotFoundException') return { status: 'GONE' };
      return { status: 'UNREADABLE', errorType: err.name ?? 'Error', message: err.message ?? String(error) };
    }
  }

  /**
   * Is the version pending a newer edit than the one our CallbackId is for? The sender reads the
   * newest version (GetChannelMessage); its edit time is compared with our event's. Unknown
   * (the read failed) counts as yes: it never turns a doubt into a conclusion.
   */
  private async newerEditPending(message: Pick<ChannelMessage, 'channelArn' | 'messageId' | 'sender' | 'createdTimestamp' | 'lastEditedTimestamp' | 'persistence'>): Promise<boolean> {
    // Only persistent messages are edited (and only they can be read back whole).
    if (message.persistence === 'NON_PERSISTENT') return false;
    try {
      const reply = await this.clients.writes.send(new GetChannelMessageCommand({ ChannelArn: message.channelArn, MessageId: message.messageId, ChimeBearer: message.sender.arn }));
      const latest = reply.ChannelMessage?.LastEditedTimestamp?.getTime();
      const ours = parseTimestamp(message.lastEditedTimestamp) ?? parseTimestamp(message.createdTimestamp) ?? 0;
      return latest !== undefined && latest > ours;
    } catch {
      return true;
    }
  }
}
