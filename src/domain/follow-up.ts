import type { Actor } from './item.js';

/**
 * Moderators' follow-up actions: what they do in Chime after (or beside) a decision, when the
 * message itself is no longer the problem but its sender is, or when a message that went out
 * turns out to be harmful. None of them is a callback: there is no deadline, and Chime's
 * operations can be repeated (a second ban answers Conflict, a second redaction changes nothing).
 *
 * Each action is one small record in the moderation table, beside the items, on the audit index,
 * so GET /decisions lists it in time order with the decisions. Its lifecycle:
 *
 *   REQUESTED ──Chime did it──▶ DONE        (a ban of someone already banned is DONE, alreadyBanned)
 *       │
 *       ├─────Chime refused ──▶ FAILED      (a 4xx, throttled or unavailable: with Chime's answer)
 *       │
 *       └─────no answer ──────▶ stays REQUESTED (a service failure, a timeout, a crash of the API,
 *                                            or an outcome that could not be written)
 *
 * It is written REQUESTED before Chime is called, so nothing happens in Chime without a record
 * of who asked for it and why; and it only ever says DONE after Chime confirmed it. A record
 * left REQUESTED claims nothing: it says "asked for, outcome unknown".
 */

/**
 * NOTIFY_SENDER: a case's warning to the sender, handed to the notices room (src/reports/actions.ts).
 * APPEAL_UPHOLD, APPEAL_OVERTURN: a moderator's outcome of an appeal (src/appeals), DONE once its
 * effects (allowance, lifted restrictions, removed strike, the member's notice) are all done.
 */
export const FOLLOW_UP_ACTIONS = ['BAN_SENDER', 'REDACT_MESSAGE', 'DELETE_MESSAGE', 'NOTIFY_SENDER', 'APPEAL_UPHOLD', 'APPEAL_OVERTURN'] as const;
export type FollowUpAction = (typeof FOLLOW_UP_ACTIONS)[number];

export const FOLLOW_UP_OUTCOMES = ['REQUESTED', 'DONE', 'FAILED'] as const;
export type FollowUpOutcome = (typeof FOLLOW_UP_OUTCOMES)[number];

/**
 * The key prefix of action records. A Chime CallbackId is 32–64 characters of [A-Za-z0-9_-],
 * never with '#', so `ACTION#…` can never collide with an item (nor be read as a review).
 */
export const FOLLOW_UP_PREFIX = 'ACTION#';

/** What Chime answered when it refused (the SDK's exception name and message). */
export interface ChimeRefusal {
  type: string;
  message: string;
  /** How the refusal was classified (NOT_FOUND, FORBIDDEN …): a replay answers the same problem. */
  refusal?: 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'BAD_REQUEST' | 'BUSY' | 'UNCONFIRMED';
}

export interface FollowUpRecord {
  /** `ACTION#<uuid>`: the table's key, so records share the items' table and audit index. */
  callbackId: string;
  kind: 'ACTION';
  action: FollowUpAction;
  /**
   * MODERATOR (admins are moderators too), or AUTO for the reports room's auto-hide (policy
   * `reports.autoHide`, actor `auto-hide`); the audit index filters on it.
   */
  origin: 'MODERATOR' | 'AUTO';
  actor: Actor;
  reason: string;
  /** ISO time the action was asked for: its place in the audit log. */
  requestedAt: string;
  /** The channel acted on (top-level: the audit index projects it for the channel filter). */
  channelArn: string;
  /** The message acted on (REDACT/DELETE), or the held message that prompted a ban. */
  messageId?: string;
  /** BAN_SENDER: the member banned, as the held message named them. */
  member?: { arn: string; name?: string };
  /** BAN_SENDER: the review item it was taken from. */
  reviewCallbackId?: string;
  /** A case's action (src/reports): the case it was taken on (its decision, auto-hide, or POST /cases/{caseId}/actions). */
  caseId?: string;
  /** An appeal's outcome (src/appeals): the appeal. */
  appealId?: string;
  /** BAN_SENDER: the rules that held the message, as decisions carry them. */
  ruleIds?: string[];
  /** BAN_SENDER: the held message as its sender wrote it (the ban's evidence). */
  original?: { content: string; metadata?: string };
  /** The ChimeBearer the API acted as. */
  bearer: string;
  outcome: FollowUpOutcome;
  /** ISO time Chime answered (DONE or FAILED). */
  completedAt?: string;
  /** BAN_SENDER: Chime answered Conflict, the member was banned already. Still DONE. */
  alreadyBanned?: boolean;
  /**
   * How the outcome was known: Chime's answer, or (after an answer was lost) a read-back of
   * Chime's state (DescribeChannelBan, GetChannelMessage).
   */
  confirmedBy?: 'answer' | 'read-back';
  /** A hash of the request, when the client sent an Idempotency-Key: a replay must match it. */
  requestHash?: string;
  /** FAILED: what Chime answered. */
  error?: ChimeRefusal;
  /** TTL, epoch seconds (RETENTION_DAYS, like terminal items). */
  expiresAt: number;
}

/** How an action ended, as the store records it on a REQUESTED record. */
export type FollowUpCompletion =
  | { outcome: 'DONE'; completedAt: string; alreadyBanned?: boolean; confirmedBy?: 'answer' | 'read-back' }
  | { outcome: 'FAILED'; completedAt: string; error: ChimeRefusal; confirmedBy?: 'answer' | 'read-back' };

export const isFollowUpRecord = (record: { callbackId: string }): record is FollowUpRecord => record.callbackId.startsWith(FOLLOW_UP_PREFIX);
