import { ListChannelMessagesCommand, SendChannelMessageCommand, type ChannelMessageSummary, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { NoticeReadBack, NoticeSend, NoticeSendAnswer, NoticeSender, NoticeSendOptions } from '../notices/sending.js';
import { isTurnedAway, retryTurnedAway } from './chime-calls.js';

/**
 * Notices as Chime targeted messages: SendChannelMessage as the moderation bot, `Target` the
 * member, PERSISTENT and STANDARD, the notice's id as ClientRequestToken, and metadata that marks
 * it as this notice. On the one-attempt client (no hidden SDK retry), following the rule for
 * answers that get lost (BRIEF.md invariant 6):
 *
 *   send once (429 / 503, turned away unapplied, is repeated in place, unless a budget is set)
 *     ├── 201 ─────────────────────────────▶ SENT
 *     ├── a definite no ───────────────────▶ REFUSED
 *     └── no answer (500, a reset, a timeout, the budget) ──▶ UNKNOWN: the caller settles it by
 *                                                            `readBack`, never by guessing
 *
 *   readBack: ListChannelMessages as the bot, newest first, created since the send (less a
 *   minute for the clocks), at most READ_BACK_PAGES pages of 50, looking for the notice's metadata
 *     ├── found ───────────────────────────▶ FOUND (its MessageId)
 *     ├── the last page read, not found ───▶ ABSENT
 *     └── more pages than that, or a fault ▶ UNKNOWN
 */

/** Refusals that no repeat can turn into a send: the request itself is wrong for this channel. */
const PERMANENT = new Set(['BadRequestException', 'NotFoundException']);
/** Definite answers that say nothing landed (anything else may have landed). */
const REFUSALS = new Set([...PERMANENT, 'ForbiddenException', 'UnauthorizedClientException', 'ConflictException', 'ResourceLimitExceededException', 'ThrottledClientException', 'ServiceUnavailableException']);

/** Pages of ListChannelMessages (50 each, the model's maximum) one read-back reads at most. */
export const READ_BACK_PAGES = 4;
/** Listed from this long before the send: our clock and Chime's CreatedTimestamp may differ a little. */
export const READ_BACK_CLOCK_SKEW_MS = 60_000;

type ChimeError = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };

function read(error: unknown): { errorType: string; message: string; definite: boolean } {
  const err = (error ?? {}) as ChimeError;
  const errorType = err.name ?? 'Error';
  const message = err.message ?? String(error);
  const status = err.$metadata?.httpStatusCode;
  // A 4xx answer (other than a timeout's) is Chime's word; a 5xx other than 503, no status, an abort, is not.
  const definite = REFUSALS.has(errorType) || isTurnedAway(error) || (status !== undefined && status >= 400 && status < 500);
  return { errorType, message, definite };
}

export class ChimeNoticeSender implements NoticeSender {
  constructor(
    private readonly clients: {
      /** The one-attempt client (AwsClients.chimeWrites): a hidden retry of a send is an unknown. */
      writes: ChimeSDKMessagingClient;
      /** The client for the read-back (AwsClients.chime; a read is safe to retry). Default: `writes`. */
      reads?: ChimeSDKMessagingClient;
    },
  ) {}

  async send(notice: NoticeSend, options: NoticeSendOptions = {}): Promise<NoticeSendAnswer> {
    const command = new SendChannelMessageCommand({
      ChannelArn: notice.channelArn,
      ChimeBearer: notice.bot,
      Content: notice.content,
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      Metadata: notice.metadata,
      ClientRequestToken: notice.token,
      Target: [{ MemberArn: notice.to }],
    });
    try {
      const reply =
        options.budgetMs === undefined
          ? await retryTurnedAway(() => this.clients.writes.send(command))
          : // Within a budget: one attempt; a send still in flight when it runs out is UNKNOWN.
            await this.clients.writes.send(command, { abortSignal: AbortSignal.timeout(options.budgetMs) });
      return { kind: 'SENT', messageId: reply.MessageId ?? '' };
    } catch (error) {
      const answer = read(error);
      if (answer.definite) return { kind: 'REFUSED', permanent: PERMANENT.has(answer.errorType), errorType: answer.errorType, message: answer.message };
      return { kind: 'UNKNOWN', errorType: answer.errorType, message: answer.message };
    }
  }

  async readBack(notice: NoticeSend, sinceMs: number): Promise<NoticeReadBack> {
    const client = this.clients.reads ?? this.clients.writes;
    let next: string | undefined;
    try {
      for (let page = 0; page < READ_BACK_PAGES; page += 1) {
        const out = await client.send(
          new ListChannelMessagesCommand({
            ChannelArn: notice.channelArn,
            ChimeBearer: notice.bot,
            SortOrder: 'DESCENDING',
            NotBefore: new Date(sinceMs - READ_BACK_CLOCK_SKEW_MS),
            MaxResults: 50,
            ...(next ? { NextToken: next } : {}),
          }),
        );
        const found = (out.ChannelMessages ?? []).find((message) => isThisNotice(message, notice));
        if (found?.MessageId) return { kind: 'FOUND', messageId: found.MessageId };
        next = out.NextToken;
        // Every message since the send has been read (a targeted one of the bot's is always visible to it).
        if (!next) return { kind: 'ABSENT' };
      }
      return { kind: 'UNKNOWN', errorType: 'ReadBackWindowExceeded', message: `More than ${READ_BACK_PAGES * 50} messages since the send: the read-back cannot tell` };
    } catch (error) {
      const { errorType, message } = read(error);
      return { kind: 'UNKNOWN', errorType, message: `The read-back failed: ${message}` };
    }
  }
}

/** The bot's message carrying this notice's metadata (its id is in it), for this member. */
function isThisNotice(message: ChannelMessageSummary, notice: NoticeSend): boolean {
  if (message.Sender?.Arn !== notice.bot || message.Metadata !== notice.metadata) return false;
  const target = message.Target?.[0]?.MemberArn;
  return target === undefined || target === notice.to;
}
