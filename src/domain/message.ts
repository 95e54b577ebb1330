/**
 * The channel message as our domain sees it: the fields of Chime's CHANNEL_MESSAGE_EVENT
 * (seed 000) after validation, with camelCase names. Nothing in here knows about AWS.
 */
export interface ChannelMessage {
  messageId: string;
  channelArn: string;
  /** Chime allows up to 4 KB. Empty string when the event carried none. */
  content: string;
  /** Opaque string, up to 1 KB. */
  metadata?: string;
  sender: { arn: string; name?: string };
  persistence?: 'PERSISTENT' | 'NON_PERSISTENT';
  type?: string;
  /** ISO-8601 as Chime sent it. */
  createdTimestamp?: string;
  /** Present when this event is for an edit of a persistent message. */
  lastEditedTimestamp?: string;
}

/** What the automatic policy concluded. REVIEW means "a human must decide". */
export type PolicyAction = 'ALLOW' | 'UPDATE' | 'DENY' | 'REVIEW';

/**
 * Where a finding sits in the message content: `[start, end)` as JavaScript string indices
 * (UTF-16 code units) into the content exactly as the sender wrote it, so a console can
 * highlight `content.slice(start, end)` in place.
 */
export interface Span {
  start: number;
  end: number;
}

/** One rule that fired. */
export interface Finding {
  /** Stable id of the rule, e.g. `terms.block`, `pii.email`, `links.deny`. */
  ruleId: string;
  action: PolicyAction;
  /** Human-readable, safe to show a moderator (never echoes a full card number). */
  reason: string;
  /**
   * The parts of the content that fired the rule (terms, PII, links), in order. Absent for
   * rules about the message as a whole (sender, length, metadata).
   */
  spans?: Span[];
}

export interface PolicyVerdict {
  /** The winning action after precedence DENY > REVIEW > UPDATE > ALLOW. */
  action: PolicyAction;
  /** Ids of every rule that fired, in the order they were found, without duplicates. */
  ruleIds: string[];
  /** One human-readable sentence summarising why (joins the findings' reasons). */
  reason: string;
  findings: Finding[];
  /** For UPDATE: the content with PII masked. Absent for other actions. */
  content?: string;
}
