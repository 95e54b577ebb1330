/**
 * What the reports room reads from Chime before it takes a report (src/adapters/
 * chime-reported-messages.ts): never what the reporter says about a message, always what Chime
 * holds. Both reads are idempotent (the SDK's own retries are harmless); a read that does not tell
 * throws ChimeReadError (FORBIDDEN for a bearer Chime refuses, UNAVAILABLE for no answer).
 */

/** A message as one reader sees it in Chime (GetChannelMessage). */
export interface ChimeMessageView {
  messageId: string;
  channelArn: string;
  /** Absent once redacted. */
  content?: string;
  metadata?: string;
  sender: { arn: string; name?: string };
  /** SENT, PENDING, FAILED, DENIED as Chime says it to this reader. */
  status?: string;
  redacted: boolean;
  createdTimestamp?: string;
  lastEditedTimestamp?: string;
  /** A targeted message: the members it is for (only they and the sender may see it). */
  target?: string[];
}

export interface ReportedMessages {
  /** The ChimeBearer the room reads as in this channel (CHIME_BEARER_ARN); undefined when none is configured. */
  bearerFor(channelArn: string): string | undefined;
  /** DescribeChannelMembership as `bearer`: is `memberArn` a member of the channel now (not banned, not gone)? */
  isMember(channelArn: string, memberArn: string, bearer: string): Promise<boolean>;
  /** GetChannelMessage as `reader`; undefined when Chime has no such message for that reader (NotFound, or refused to them). */
  read(channelArn: string, messageId: string, reader: string, options: { readerIsBearer: boolean }): Promise<ChimeMessageView | undefined>;
}
