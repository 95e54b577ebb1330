/**
 * How a notice is put in the channel (src/adapters/chime-notices.ts: SendChannelMessage as the
 * moderation bot, targeted at the member), how a send whose answer was lost is settled, and what
 * the answers mean.
 *
 * The send carries the notice's id as its ClientRequestToken, but nothing here relies on Chime
 * remembering it: the API reference calls it an "idempotency token" and says nothing of how long
 * it holds. A send whose answer was lost is settled by reading back (BRIEF.md invariant 6):
 * ListChannelMessages as the bot, newest first, since the send, looking for the notice's metadata
 * (which carries its id). Only when the read-back cannot tell is the same send made again, with
 * the same token: the last resort, not the plan.
 */

export interface NoticeSend {
  channelArn: string;
  /** The ChimeBearer: the moderation bot of the channel's AppInstance. */
  bot: string;
  /** The member it is for (`Target`). */
  to: string;
  content: string;
  /** Marks the message as this notice (`{"moderation":{"notice","ref","id"}}`): what a read-back looks for. */
  metadata: string;
  /** The notice's id: the send's ClientRequestToken. */
  token: string;
}

/**
 *   SENT      Chime's 201, with the message's id
 *   REFUSED   a definite no (nothing landed); `permanent` when sending again cannot help (the
 *             target is not in the channel, no such channel), otherwise (throttled, the bot not
 *             allowed yet: an operator can fix it) it is tried again later
 *   UNKNOWN   no answer (a reset, a 500, a timeout, the time budget ran out): it may have landed
 */
export type NoticeSendAnswer =
  | { kind: 'SENT'; messageId: string }
  | { kind: 'REFUSED'; permanent: boolean; errorType: string; message: string }
  | { kind: 'UNKNOWN'; errorType: string; message: string };

/**
 * A read-back of the channel as the bot, for a notice whose send may have landed:
 *
 *   FOUND     the notice is in the channel (its metadata): it landed, this is its MessageId
 *   ABSENT    every message since the send was read and it is not among them: it did not land
 *   UNKNOWN   the read-back could not tell (more messages since the send than the window reads,
 *             or the listing failed)
 */
export type NoticeReadBack = { kind: 'FOUND'; messageId: string } | { kind: 'ABSENT' } | { kind: 'UNKNOWN'; errorType: string; message: string };

export interface NoticeSendOptions {
  /**
   * At most this long for the whole send, in ms (an inline send after a decision: one attempt,
   * no repeat of a turned-away send); over it, the send is UNKNOWN and left to the sweeper.
   * Absent: the client's own timeouts, and a turned-away send repeated in place.
   */
  budgetMs?: number;
}

export interface NoticeSender {
  send(notice: NoticeSend, options?: NoticeSendOptions): Promise<NoticeSendAnswer>;
  /** Looks for the notice among the channel's messages created since `sinceMs` (epoch ms, the first send in doubt). */
  readBack(notice: NoticeSend, sinceMs: number): Promise<NoticeReadBack>;
}
