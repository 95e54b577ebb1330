import { isPastDeadline } from '../domain/deadline.js';
import type { ModerationItem } from '../domain/item.js';
import {
  AlreadyDecidedError,
  ClaimConflictError,
  DeadlinePassedError,
  ItemNotFoundError,
  NotReviewableError,
  VersionConflictError,
} from '../errors.js';
import { blockingClaim } from './views.js';

/**
 * Why `subject` may not act on this item now, as the typed error the API answers with, or
 * undefined when nothing stands in the way. Used twice: before a write, to refuse early with a
 * clear reason; and after a conditional write lost, on the item as it is now, to say who won.
 * The order matters: a decision already made trumps a deadline, a deadline trumps a claim.
 */
export function obstacleFor(
  callbackId: string,
  item: ModerationItem | undefined,
  subject: string,
  nowMs: number,
  expectedVersion?: number,
): Error | undefined {
  if (!item) return new ItemNotFoundError(callbackId);
  if (item.decision) return new AlreadyDecidedError(callbackId, item.status, item.decision);
  if (item.status === 'EXPIRED' || isPastDeadline(item.deadline, nowMs)) return new DeadlinePassedError(callbackId, item.deadline);
  if (item.status !== 'PENDING_REVIEW') return new NotReviewableError(callbackId, item.status);
  const claim = blockingClaim(item, subject, nowMs);
  if (claim) return new ClaimConflictError(callbackId, claim);
  if (expectedVersion !== undefined && item.version !== expectedVersion) return new VersionConflictError(callbackId, expectedVersion, item.version);
  return undefined;
}

/** After a lost conditional write: the reason, or a version conflict if the item merely moved on. */
export function explainLostWrite(callbackId: string, current: ModerationItem | undefined, subject: string, nowMs: number, versionRead: number, expectedVersion?: number): Error {
  return obstacleFor(callbackId, current, subject, nowMs, expectedVersion) ?? new VersionConflictError(callbackId, expectedVersion ?? versionRead, current!.version);
}
