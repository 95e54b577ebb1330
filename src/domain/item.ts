import type { ChannelMessage, PolicyVerdict } from './message.js';
import type { ClassifierRecord } from '../classifiers/record.js';

/**
 * The lifecycle of one CallbackId.
 *
 *   RECEIVED ──worker──▶ DECIDED ──callback confirmed (200, or read back)──▶ DELIVERED
 *      │                   ▲  │                                              ▲
 *      └──▶ PENDING_REVIEW ┘  ├──resolved by something else──▶ ALREADY_RESOLVED
 *            (moderator or    ├──window closed, nothing landed──▶ EXPIRED    │ a confirmed
 *             expiry policy)  └──refused (a missing grant, an invalid request)──▶ FAILED
 *                                   ▲                                         │ callback always
 *                                   └── POST /operations/redeliver ◀──────────┘ wins (the record
 *                                       (FAILED, window open: the same decision)  says what Chime did)
 *
 * Any non-terminal item whose deadline has passed becomes EXPIRED, and no callback is sent.
 * DECIDED means "recorded, not yet delivered": whoever finds it delivers that same decision.
 * What is recorded about a callback is only ever what Chime confirmed or refused
 * (src/domain/callback.ts settleCallback); an unknown outcome keeps the item DECIDED.
 */
export const STATUSES = [
  'RECEIVED',
  'PENDING_REVIEW',
  'DECIDED',
  'DELIVERED',
  'EXPIRED',
  'ALREADY_RESOLVED',
  'FAILED',
] as const;
export type Status = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<Status> = new Set(['DELIVERED', 'EXPIRED', 'ALREADY_RESOLVED', 'FAILED']);
export const UNDECIDED_STATUSES = ['RECEIVED', 'PENDING_REVIEW'] as const satisfies readonly Status[];

export const isTerminal = (status: Status): boolean => TERMINAL_STATUSES.has(status);

/** What a callback can do (seed 001). REVIEW is not a callback: it is a wait for a human. */
export type CallbackAction = 'ALLOW' | 'UPDATE' | 'DENY';

/** Who made a decision: the automatic policy, a moderator, or the expiry policy. */
export type DecisionOrigin = 'AUTO' | 'MODERATOR' | 'EXPIRY';

export interface Actor {
  /** `policy`, `sweeper`, or the moderator's token subject. */
  id: string;
  /** The moderator's username, when known. */
  name?: string;
}

export interface PushNotification {
  title?: string;
  body?: string;
  type?: 'DEFAULT' | 'VOIP';
}

/** The fields a callback may change (the 2021-12-21 ChannelFlowCallback shape). */
export interface MessageUpdate {
  content?: string;
  metadata?: string;
  messageAttributes?: Record<string, { StringValues: string[] }>;
  pushNotification?: PushNotification;
}

export interface Decision {
  action: CallbackAction;
  origin: DecisionOrigin;
  actor: Actor;
  reason: string;
  /**
   * A moderator's DENY or UPDATE: what the sender's notice says instead of the `moderator`
   * rule's public reason (src/notices). `reason` stays the audit log's and is never shown to them.
   */
  publicReason?: string;
  ruleIds: string[];
  update?: MessageUpdate;
  decidedAt: string;
  /**
   * A moderator's Idempotency-Key (src/http/idempotency.ts) and a digest of what they asked:
   * the same request sent again is answered with this decision, never refused as "already decided".
   */
  idempotency?: { key: string; requestHash: string };
}

export interface Delivery {
  attempts: number;
  /** Epoch ms until which one deliverer holds the right to call back. */
  leaseUntil: number;
  /**
   * A callback of ours may have landed and that is not settled yet (an answer was lost and the
   * read-back could not tell): the next answer is read back before anything is concluded.
   */
  inDoubt?: boolean;
  lastAttemptAt?: string;
  lastError?: string;
  deliveredAt?: string;
  /** How delivery was confirmed: Chime's 200, or a read-back of the message after a lost answer. */
  confirmedBy?: 'answer' | 'read-back';
}

/**
 * One transition, kept inside the item: our only audit trail for denied messages. Bounded
 * (src/domain/history.ts): repeated bookkeeping is merged or folded, status changes never are.
 */
export interface HistoryEntry {
  at: string;
  actor: string;
  from?: Status;
  to: Status;
  event: string;
  reason?: string;
  /** How many events this entry stands for (a renewed claim; a folded stretch of history). */
  count?: number;
  /** When the last of them happened. */
  lastAt?: string;
  /** `history-compacted` only: folded entries by event. */
  counts?: Record<string, number>;
  /** The write that added it (src/adapters/dynamodb-store.ts): how a lost answer is settled. */
  writeId?: string;
}

/**
 * A moderator's exclusive right to work a PENDING_REVIEW item until `until`. Advisory for
 * everyone but moderators: the sweeper's expiry policy ignores it, so a claim never strands a
 * message past its deadline.
 */
export interface Claim {
  /** The token subject of the holder. */
  subject: string;
  username?: string;
  /** ISO time the lease runs out (exclusive). */
  until: string;
  /** ISO time the holder first claimed it (kept when the holder extends the lease). */
  claimedAt: string;
}

/** One scope's policy version that took part in a verdict (version 0 of global: the bundled POLICY_FILE). */
export interface PolicyVersionRef {
  scope: string;
  version: number;
  mode: 'enforce' | 'shadow';
}

/**
 * A verdict as recorded on the item: masked content dropped, the policy versions that produced it
 * kept, and what each classifier of the scope did (src/classifiers/record.ts).
 */
export type RecordedVerdict = Omit<PolicyVerdict, 'content'> & { versions?: PolicyVersionRef[]; classifiers?: ClassifierRecord[] };

export interface ModerationItem {
  callbackId: string;
  message: ChannelMessage;
  /** ISO time intake first saw this CallbackId. */
  receivedAt: string;
  /** ISO time after which Chime refuses the callback. GSI sort key. */
  deadline: string;
  status: Status;
  /** Incremented on every write; clients use it for optimistic concurrency. */
  version: number;
  updatedAt: string;
  /** The automatic policy's verdict (kept even when a human decides later). */
  policy?: RecordedVerdict;
  /**
   * Live policies in shadow mode: what the chain would have decided with its shadow scopes
   * enforced, recorded beside the applied verdict (never applied).
   */
  shadowPolicy?: RecordedVerdict;
  decision?: Decision;
  /** Top-level copies of the decision time, the keys of the audit index (byDecisionDay). */
  decisionDay?: string;
  decidedAt?: string;
  /** Held by a moderator while PENDING_REVIEW. */
  claim?: Claim;
  delivery?: Delivery;
  /**
   * For terminal failures: why. `unsettled`: EXPIRED while a callback of ours may have landed
   * and no read-back could tell (recorded as not known, never as a fact).
   */
  outcome?: { reason: string; errorType?: string; unsettled?: true };
  history: HistoryEntry[];
  /** TTL, epoch seconds; set once the item is terminal. */
  expiresAt?: number;
  redriveCount?: number;
  /**
   * The id of the last write applied to the item. Every write carries a fresh one and is
   * conditional on it not being there yet, so a write is applied at most once, and a write whose
   * answer was lost is recognised as ours on the read-back.
   */
  lastWriteId?: string;
}

/** The body of a work-queue message: enough to decide without reading the table. */
export interface WorkMessage {
  callbackId: string;
  message: ChannelMessage;
  deadline: string;
  receivedAt: string;
}

export const toWorkMessage = (item: ModerationItem): WorkMessage => ({
  callbackId: item.callbackId,
  message: item.message,
  deadline: item.deadline,
  receivedAt: item.receivedAt,
});
