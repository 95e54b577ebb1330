import type { Actor } from './item.js';

/**
 * The people in the chat: what the rooms (src/reports, src/appeals, src/senders, src/notices) and
 * the pipeline tell each other. Each port is implemented in its room over the control table
 * (src/adapters/control-records.ts); these are the only calls across rooms.
 *
 * Strikes are per member per AppInstance (a member is the same person in every channel of it).
 */

/** A chat member in an AppInstance. */
export interface MemberRef {
  appInstanceArn: string;
  memberArn: string;
}

/** What a strike was for: its id is derived from it, so a redelivered decision records nothing new. */
export type StrikeSource =
  /** An automatic DENY by a rule marked `strike: true`. */
  | { kind: 'rule'; callbackId: string; ruleIds: string[] }
  /** A moderator's DENY of a held message. */
  | { kind: 'moderator'; callbackId: string }
  /** A report upheld (a case decided REDACT or DELETE). */
  | { kind: 'report'; caseId: string };

export const strikeIdOf = (source: StrikeSource): string => (source.kind === 'report' ? `report:${source.caseId}` : `${source.kind}:${source.callbackId}`);

export interface Strike {
  id: string;
  member: MemberRef;
  source: StrikeSource;
  channelArn: string;
  /** The message it was for. */
  messageId: string;
  /** Who upheld it (`policy` for a rule). */
  actor: Actor;
  at: string;
  /** When it stops counting (policy `strikes.decay` after `at`). */
  decaysAt: string;
  /** Removed by an overturned appeal. */
  removed?: { at: string; by: Actor; appealId: string };
}

export type RestrictionKind = 'HOLD' | 'BAN';
export type RestrictionScope = 'channel' | 'app-instance';
/**
 *   PENDING_APPROVAL  a ban waiting for a second moderator (the two-person rule)
 *   ACTIVE            in force until `endsAt` (or until lifted)
 *   ENDED             ran its course (a timed ban lifted by the sweeper)
 *   LIFTED            lifted early (an admin, or an overturned appeal)
 *   REJECTED          the approval was refused
 */
export type RestrictionStatus = 'PENDING_APPROVAL' | 'ACTIVE' | 'ENDED' | 'LIFTED' | 'REJECTED';

/** A note on the decision a notice, a strike or an appeal is about. */
export type DecisionRef = { kind: 'message'; callbackId: string } | { kind: 'case'; caseId: string };

export const decisionKeyOf = (ref: DecisionRef): string => (ref.kind === 'message' ? `message:${ref.callbackId}` : `case:${ref.caseId}`);

/** The kinds of notice the moderation bot sends (each switched on or off per scope in policy `notices`). */
export const NOTICE_KINDS = ['deny', 'update', 'hold', 'reportOutcome', 'appealOutcome', 'restriction', 'warning'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * A notice to send: once per (`about`, `kind`, `to`), whatever the redeliveries. Recorded
 * before it is sent (record, then deliver, as decisions are); a failed send is retried and
 * recorded on the notice, never on the decision it is about.
 */
export interface NoticeRequest {
  kind: NoticeKind;
  about: DecisionRef | { kind: 'restriction'; restrictionId: string } | { kind: 'appeal'; appealId: string } | { kind: 'warning'; actionId: string };
  channelArn: string;
  /** The member who gets it (a targeted message: only they and the bot see it). */
  to: string;
  /** The template's values (`{reason}`, `{appealUrl}`, `{outcome}`, `{until}` …), public only: never a blocked term. */
  values: Record<string, string>;
}

/**
 * What `Notices.announce` did, so that its caller knows whether its part is done:
 *
 *   recorded: true   the notice's record exists (written now, or found: announce is idempotent).
 *                    The caller's part is DONE, whatever `status` says: from here the notices room
 *                    sends it, retries it (its sweeper task) and records its fate on the record:
 *                    SENT, PENDING (a send left for the sweeper: refused for now, no answer, or
 *                    over the inline time budget), FAILED, NOT_SENT (no moderation bot), CANCELLED
 *   SWITCHED_OFF     the channel's policy switches this kind of notice off: nothing is owed (DONE)
 *   TO_THE_BOT       it is addressed to the moderation bot itself: nothing is owed (DONE)
 *   NOT_RECORDED     no record could be written (the policy could not be read, the store failed):
 *                    nothing was sent and nothing will be unless the caller announces again. The
 *                    caller records its own step as failed and retries it (announce again: the
 *                    notice's id comes from `about`, `kind` and `to`, so a repeat sends it once)
 *
 * `announce` never throws (a caller that ignores the answer loses only the retry).
 */
export type NoticeAnnouncement =
  | { recorded: true; noticeId: string; status: 'PENDING' | 'SENT' | 'FAILED' | 'NOT_SENT' | 'CANCELLED' }
  | { recorded: false; status: 'SWITCHED_OFF' | 'TO_THE_BOT' }
  | { recorded: false; status: 'NOT_RECORDED'; error: string };

/** Is the caller's part done (a record exists, or none is owed)? False: announce again later. */
export const isAnnounced = (answer: NoticeAnnouncement): boolean => answer.recorded || answer.status !== 'NOT_RECORDED';

/** Records notices and has them sent (src/notices). Never throws: its answer says whether the notice is recorded. */
export interface Notices {
  announce(notice: NoticeRequest): Promise<NoticeAnnouncement>;
}

/** Strikes (src/senders). */
export interface StrikeLedger {
  /**
   * Records a strike once (its id comes from its source) and applies the escalation ladder of
   * the channel's policy to the member's strikes that still count. Idempotent.
   */
  record(strike: Omit<Strike, 'id' | 'decaysAt'>): Promise<void>;
  /** An overturned appeal: the strike no longer counts. False when there was none. */
  remove(source: StrikeSource, by: Actor, appealId: string): Promise<boolean>;
}

/** What imposes a restriction: an escalation step, or a moderator (a case's BAN_SENDER, the sender page). */
export type RestrictionCause =
  | { kind: 'escalation'; step: number; strikeIds: string[]; ruleIds: string[] }
  | { kind: 'moderator'; caseId?: string; callbackId?: string };

/** Restrictions (src/senders), as the worker, the reports and the appeals rooms need them. */
export interface SenderRestrictions {
  /**
   * Imposes a HOLD or a BAN (CreateChannelBan now; lifted by the sweeper at `forSeconds`, or
   * never when it is absent). A ban over the policy's threshold, or across the AppInstance, waits
   * for a second moderator (`pendingApproval`). Idempotent by `key` (an escalation step for a
   * given strike, a moderator's Idempotency-Key).
   */
  impose(input: {
    key: string;
    member: MemberRef;
    channelArn: string;
    kind: RestrictionKind;
    scope: RestrictionScope;
    forSeconds?: number;
    reason: string;
    by: Actor;
    cause: RestrictionCause;
    /** A digest of the request behind an Idempotency-Key: the same key with another request is refused (409). */
    requestHash?: string;
  }): Promise<{ restrictionId: string; status: RestrictionStatus }>;
  /** The ACTIVE restrictions that apply to a member's message in a channel now. */
  activeFor(member: MemberRef, channelArn: string, nowMs: number): Promise<Array<{ id: string; kind: RestrictionKind; endsAt?: string }>>;
  /** Lifts a restriction early (DeleteChannelBan for a ban), audited with who and why. */
  lift(restrictionId: string, by: Actor, reason: string): Promise<void>;
}

/**
 * Content a moderator's overturned appeal let through: the same content (by hash) from the same
 * sender in the same channel is allowed, unevaluated, until it expires (policy
 * `appeals.allowance`, 24 hours by default).
 */
export interface Allowances {
  grant(allowance: { channelArn: string; senderArn: string; contentHash: string; appealId: string; until: string }): Promise<void>;
  find(channelArn: string, senderArn: string, contentHash: string, nowMs: number): Promise<{ appealId: string; until: string } | undefined>;
}

/**
 * The community settings of a channel's effective policy (src/policy/community.ts), as of at most
 * POLICY_REFRESH_SECONDS ago: every function that sends notices or applies strikes reads them here.
 */
export interface CommunityPolicies {
  forChannel(channelArn: string): Promise<import('../policy/community.js').CommunityPolicy>;
}
