import type { CallbackRequest, ObservedMessage } from './callback.js';
import type { ChannelMessage } from './message.js';
import type { LiveStatus } from './deadline.js';
import type { FollowUpCompletion, FollowUpRecord } from './follow-up.js';
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
  /** The item's deadline (as recorded): the live index's sort key is derived from it. */
  deadline: string;
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
  /**
   * Move the item's sweep moment (the live index's sort key) even though its status stays. A
   * change of status always moves it; a same-status write (a claim, a failed delivery attempt, a
   * lease) does not, so retries never rewrite an index entry when nothing due has changed.
   */
  reschedule?: boolean;
  /**
   * Instead of appending an entry, replace the one at `index` (a holder renewing their claim
   * bumps the count of their `claimed` entry). The write only happens if the history still has
   * `length` entries and the one at `index` is still the one read (`at`); otherwise it is a
   * TransitionConflictError like any lost condition, and the caller re-reads.
   */
  coalesce?: { index: number; length: number; at: string; entry: HistoryEntry };
}

export interface Page<T> {
  items: T[];
  /** Opaque continuation; absent on the last page. */
  next?: Record<string, unknown>;
}

/** Live items whose sweep moment (src/domain/deadline.ts sweepAt) has come. */
export interface DueQuery {
  status: LiveStatus;
  /** ISO time: items due at or before it. */
  at: string;
  /** The live index's shards to read (default: all). A sweeper invocation reads its own group. */
  shards?: readonly number[];
  limit: number;
  next?: Record<string, unknown>;
}

/** FAILED items whose callback window is still open, nearest deadline first (redelivery). */
export interface FailedQuery {
  /** ISO time: items whose deadline is after it. */
  openAfter: string;
  limit: number;
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

export interface ModerationStore {
  /** Creates the item unless the CallbackId is known; returns the existing one otherwise. */
  recordReceived(item: ModerationItem): Promise<{ created: true; item: ModerationItem } | { created: false; item: ModerationItem }>;
  get(callbackId: string): Promise<ModerationItem | undefined>;
  /** Applies one conditional transition; throws TransitionConflictError carrying the current item. */
  transition(change: Transition): Promise<ModerationItem>;
  /**
   * Live items of one status that are due for the sweeper, soonest first, across every shard
   * of the live index. A key condition, never a filter: what is read is what is due.
   */
  listDue(query: DueQuery): Promise<Page<ModerationItem>>;
  /**
   * Moves a live item's sweep moment to what its state says now (a due item the sweeper found
   * not to be stuck after all). Bookkeeping: the version stays, so nobody's expectedVersion is
   * invalidated; skipped (false) if the item changed since it was read.
   */
  reschedule(item: ModerationItem): Promise<boolean>;
  /**
   * Adds an entry to the item's history and nothing else: no status, version, updatedAt or
   * index key changes (a ban noted on the item it came from must not postpone a stuck item's
   * re-drive, nor invalidate a moderator's expectedVersion). Bounded like every history.
   */
  appendHistory(callbackId: string, entry: Omit<HistoryEntry, 'at'>, now: number): Promise<ModerationItem | undefined>;
}

/**
 * What the moderators' review API reads on top of the pipeline's port: the queue and the audit
 * log. A separate port so the pipeline (and its test doubles) need none of it.
 */
export interface ReviewStore extends ModerationStore {
  /**
   * PENDING_REVIEW items by deadline, soonest first, that match the filters: up to `limit` of
   * them, and `next` only when more may follow. Merges the shards of the live index; never scans.
   */
  listPendingReviews(query: ReviewQueueQuery): Promise<Page<ModerationItem>>;
  /**
   * One day of the audit index, newest first: decided items and moderators' follow-up action
   * records (src/domain/follow-up.ts) in one time order. Tell them apart with isFollowUpRecord.
   */
  listDecisionsOfDay(query: DecisionDayQuery): Promise<Page<ModerationItem | FollowUpRecord>>;
  /** Writes a new follow-up action record (REQUESTED); throws if its key exists. */
  recordFollowUp(record: FollowUpRecord): Promise<void>;
  /**
   * Records how a REQUESTED action ended (DONE or FAILED), once: an outcome is never
   * overwritten, so it throws if the record is missing or no longer REQUESTED. Returns the record.
   */
  completeFollowUp(id: string, completion: FollowUpCompletion): Promise<FollowUpRecord>;
  /** The PENDING_REVIEW item whose deadline is nearest (the heads of every shard). */
  nearestPendingReview(): Promise<ModerationItem | undefined>;
  /** FAILED items whose window is still open, nearest deadline first, across every shard. */
  listFailed(query: FailedQuery): Promise<Page<ModerationItem>>;
}

/** One item's change to the statistics: status moves (by receipt hour) and decisions (by decision hour). */
export interface CounterDelta {
  /** ISO time the item was received: its status counts live in that hour's bucket. */
  receivedAt: string;
  statuses?: Partial<Record<Status, number>>;
  /** ISO time of a decision, and its origin. */
  decision?: { decidedAt: string; origin: DecisionOrigin };
}

/**
 * Statistics as counters (src/adapters/dynamodb-counters.ts): recorded in memory while an
 * invocation runs, written as one increment per hourly bucket when it ends (`flush`). Best
 * effort by design: a lost flush makes a figure approximate, never a decision wrong.
 */
export interface Counters {
  record(delta: CounterDelta): void;
  flush(): Promise<void>;
}

/** One hour of counters, summed over every shard. */
export interface HourlyCounts {
  /** ISO start of the hour. */
  hour: string;
  /** Net status moves of the items received in that hour. */
  statuses: Record<Status, number>;
  /** Decisions made in that hour, by origin. */
  decisions: Record<DecisionOrigin, number>;
}

export interface StatisticsReader {
  /** Every hour in [fromHour, toHour] (ISO hours), oldest first; `complete` is false if a shard could not be read. */
  hourly(fromHour: string, toHour: string): Promise<{ hours: HourlyCounts[]; complete: boolean }>;
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

/**
 * ChannelFlowCallback, and the read-back that settles one whose answer was lost. `send` makes one
 * attempt (retrying in place only what Chime turned away unapplied) and throws Chime's answer.
 */
export interface CallbackSender {
  send(request: CallbackRequest): Promise<void>;
  /** What Chime shows of the message now, as its sender sees it. Never throws: UNREADABLE. */
  readStatus(message: Pick<ChannelMessage, 'channelArn' | 'messageId' | 'sender' | 'createdTimestamp' | 'lastEditedTimestamp' | 'persistence'>): Promise<ObservedMessage>;
}

/** How an action in Chime was known to have happened: Chime's answer, or a read-back after a lost one. */
export interface ModerationOutcome {
  confirmedBy: 'answer' | 'read-back';
}

/**
 * Moderators' follow-up actions in Chime (src/adapters/chime-channel-moderation.ts), called as
 * the configured ChimeBearer. Failures are ChimeActionError (what Chime answered, classified;
 * UNCONFIRMED when neither the answer nor a read-back could tell). `inDoubt`: an earlier request
 * may have done it already (a replay with the same idempotency key): Chime's state is read first.
 */
export interface ChannelModeration {
  /** The ChimeBearer the actions run as in this channel; undefined when none is configured. */
  bearerFor(channelArn: string): string | undefined;
  /** CreateChannelBan. A member already banned is not an error: `alreadyBanned` (unknown when settled by read-back). */
  ban(channelArn: string, memberArn: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome & { alreadyBanned?: boolean }>;
  /** DeleteChannelBan (a timed ban's end, a lifted one). A member not banned is not an error: `notBanned`. */
  unban?(channelArn: string, memberArn: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome & { notBanned?: boolean }>;
  /** RedactChannelMessage: the message stays, its content is removed. */
  redact(channelArn: string, messageId: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome>;
  /** DeleteChannelMessage: the message is gone. */
  delete(channelArn: string, messageId: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
