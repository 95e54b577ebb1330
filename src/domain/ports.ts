import type { CallbackRequest } from './callback.js';
import type { DecisionOrigin, HistoryEntry, ModerationItem, Status, WorkMessage } from './item.js';

/**
 * The three adapters the domain talks through. Each is small on purpose: the DynamoDB, SQS and
 * Chime implementations live in src/adapters, and clients are built once and injected.
 */

export interface Transition {
  callbackId: string;
  /** The write only happens if the item is in one of these statuses. */
  from: readonly Status[];
  to: Status;
  /** Optimistic concurrency: the write only happens if the item still has this version. */
  expectedVersion?: number;
  /**
   * Claim guard, evaluated inside the conditional write: it only happens if no one but this
   * token subject holds an unexpired claim at `now` (unclaimed, lapsed, or held by them).
   */
  claimableBy?: string;
  /** Top-level attributes to set (whole values; nested maps are replaced). */
  set?: Partial<Pick<ModerationItem, 'policy' | 'decision' | 'delivery' | 'outcome' | 'redriveCount'>> & Record<string, unknown>;
  /** Top-level attributes to remove. */
  remove?: string[];
  history: Omit<HistoryEntry, 'from' | 'to' | 'at'>;
  /** Epoch ms of the transition. */
  now: number;
  /** Skip the history entry (lease renewals and other bookkeeping). */
  quiet?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Opaque continuation; absent on the last page. */
  next?: Record<string, unknown>;
}

export interface StatusQuery {
  status: Status;
  /** Inclusive upper bound on the deadline (ISO). */
  deadlineAtOrBefore?: string;
  /** Only items last written before this ISO time. */
  updatedBefore?: string;
  limit?: number;
  next?: Record<string, unknown>;
}

/** Filters of the moderators' queue (all optional; combined with AND). */
export interface ReviewQueueFilters {
  channelArn?: string;
  senderArn?: string;
  /** A rule id that fired in the policy verdict. */
  ruleId?: string;
  /** `mine`: held by `subject` and unexpired; `none`: unclaimed or lapsed; `any`: no filter. */
  claimed?: 'mine' | 'none' | 'any';
}

export interface ReviewQueueQuery extends ReviewQueueFilters {
  /** Whose claims `claimed=mine` means. */
  subject: string;
  /** Epoch ms; decides which claims have lapsed. */
  now: number;
  limit: number;
  next?: Record<string, unknown>;
}

/** One day of the audit index, newest first, optionally filtered. */
export interface DecisionDayQuery {
  /** YYYY-MM-DD (UTC) of decidedAt. */
  day: string;
  /** Inclusive ISO bounds on decidedAt. */
  from: string;
  to: string;
  /** Token subject or username of the deciding moderator (or `policy`, `sweeper`). */
  actor?: string;
  channelArn?: string;
  origin?: DecisionOrigin;
  limit: number;
  next?: Record<string, unknown>;
}

/** Decisions of one day with decidedAt in [from, to], read at most `maxPages` index pages. */
export interface DecisionCountQuery {
  day: string;
  from: string;
  to: string;
  maxPages?: number;
}

export interface Count {
  count: number;
  /** False when the count stopped at its read budget: `count` is then a lower bound. */
  complete: boolean;
}

export interface ModerationStore {
  /** Creates the item unless the CallbackId is known; returns the existing one otherwise. */
  recordReceived(item: ModerationItem): Promise<{ created: true; item: ModerationItem } | { created: false; item: ModerationItem }>;
  get(callbackId: string): Promise<ModerationItem | undefined>;
  /** Applies one conditional transition; throws TransitionConflictError carrying the current item. */
  transition(change: Transition): Promise<ModerationItem>;
  /** Items in one status by deadline, soonest first, from the status+deadline index. */
  queryByStatus(query: StatusQuery): Promise<Page<ModerationItem>>;
}

/**
 * What the moderators' review API reads on top of the pipeline's port: the queue, the audit
 * log and the counts. A separate port so the pipeline (and its test doubles) need none of it.
 */
export interface ReviewStore extends ModerationStore {
  /**
   * PENDING_REVIEW items by deadline, soonest first, that match the filters: up to `limit` of
   * them, and `next` only when more may follow. Reads the status+deadline index; never scans.
   */
  listPendingReviews(query: ReviewQueueQuery): Promise<Page<ModerationItem>>;
  /** Decided items of one day from the audit index, newest decision first. */
  listDecisionsOfDay(query: DecisionDayQuery): Promise<Page<ModerationItem>>;
  /** How many items are in a status, reading at most `maxPages` index pages. */
  countByStatus(status: Status, options?: { maxPages?: number }): Promise<Count>;
  /** Decisions of one day with decidedAt in [from, to], by origin. */
  countDecisionsOfDay(query: DecisionCountQuery): Promise<{ byOrigin: Record<DecisionOrigin, number>; complete: boolean }>;
}

export interface WorkQueue {
  enqueue(message: WorkMessage): Promise<void>;
  /** Makes a received message visible again after `seconds` (backoff for retryable failures). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

/** Where input we cannot process is kept, with its reason (the intake DLQ). */
export interface DeadLetters {
  keep(payload: unknown, reason: string, details?: Record<string, unknown>): Promise<void>;
}

export interface CallbackSender {
  send(request: CallbackRequest): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
