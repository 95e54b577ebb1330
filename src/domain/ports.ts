import type { CallbackRequest } from './callback.js';
import type { HistoryEntry, ModerationItem, Status, WorkMessage } from './item.js';

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

export interface ModerationStore {
  /** Creates the item unless the CallbackId is known; returns the existing one otherwise. */
  recordReceived(item: ModerationItem): Promise<{ created: true; item: ModerationItem } | { created: false; item: ModerationItem }>;
  get(callbackId: string): Promise<ModerationItem | undefined>;
  /** Applies one conditional transition; throws TransitionConflictError carrying the current item. */
  transition(change: Transition): Promise<ModerationItem>;
  /** Items in one status by deadline, soonest first, from the status+deadline index. */
  queryByStatus(query: StatusQuery): Promise<Page<ModerationItem>>;
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
