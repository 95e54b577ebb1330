import type { ChannelMessage } from './message.js';

/**
 * Deadline maths (invariant 4: deadlines are conservative).
 *
 *   start ───────────── window (48 h) ─────────────▶ deadline
 *                                   actBy ◀─margin─┘
 *
 * `start` is the earliest moment we know the CallbackId could have been issued: the message's
 * CreatedTimestamp, or our receipt time if that is earlier or the timestamp is missing/garbled.
 * For an edit, Chime issues a new CallbackId when the edit is made, so the edit's
 * LastEditedTimestamp takes the place of CreatedTimestamp: counting from the creation of a
 * week-old message would declare every edit of it expired on arrival.
 */

/**
 * Epoch milliseconds of a timestamp, or undefined when it names no moment a Date can hold
 * (beyond ±8.64e15 ms, `new Date(ms).toISOString()` throws RangeError: "-9999999999999999"
 * would otherwise break every deadline computed from it).
 */
export function parseTimestamp(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const numeric = Number(value);
  // Chime sends ISO-8601; accept epoch milliseconds or seconds too rather than lose the information.
  const ms = Number.isFinite(numeric) ? (numeric < 1e11 ? numeric * 1000 : numeric) : Date.parse(value);
  return Number.isNaN(new Date(ms).getTime()) ? undefined : ms;
}

export function windowStart(message: Pick<ChannelMessage, 'createdTimestamp' | 'lastEditedTimestamp'>, receivedAtMs: number): number {
  const issuedAt = parseTimestamp(message.lastEditedTimestamp) ?? parseTimestamp(message.createdTimestamp);
  return issuedAt === undefined ? receivedAtMs : Math.min(issuedAt, receivedAtMs);
}

export function deadlineFor(
  message: Pick<ChannelMessage, 'createdTimestamp' | 'lastEditedTimestamp'>,
  receivedAtMs: number,
  windowSeconds: number,
): Date {
  return new Date(windowStart(message, receivedAtMs) + windowSeconds * 1000);
}

/** The last moment we act on an undecided item: `deadline - margin`. */
export function actBy(deadline: string | Date, marginSeconds: number): Date {
  return new Date(new Date(deadline).getTime() - marginSeconds * 1000);
}

export const isPastDeadline = (deadline: string, nowMs: number): boolean => nowMs >= Date.parse(deadline);

export const isWithinMargin = (deadline: string, nowMs: number, marginSeconds: number): boolean =>
  nowMs >= actBy(deadline, marginSeconds).getTime();

/** Whole seconds from now until `moment` (negative once it has passed). */
export const secondsLeft = (moment: string | Date, nowMs: number): number => Math.floor((new Date(moment).getTime() - nowMs) / 1000);

export const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) of an ISO time: the partition key of the audit index. */
export const utcDay = (iso: string): string => iso.slice(0, 10);

/** Epoch seconds at which a terminal item's TTL removes it. */
export const retentionExpiry = (nowMs: number, retentionDays: number): number => Math.floor((nowMs + retentionDays * DAY_MS) / 1000);

/** The statuses the sweeper watches; every other status is terminal. */
export type LiveStatus = 'RECEIVED' | 'PENDING_REVIEW' | 'DECIDED';
export const LIVE_STATUSES: readonly LiveStatus[] = ['RECEIVED', 'PENDING_REVIEW', 'DECIDED'];
export const isLiveStatus = (status: string): status is LiveStatus => (LIVE_STATUSES as readonly string[]).includes(status);

/**
 * How long a RECEIVED item may sit before the sweeper sends it to the work queue again: the
 * stuck time, doubled with each re-drive already made (up to 64×). A queue that is only slow
 * (a backlog, a throttled table) is not flooded with copies of what it already holds, and a
 * message really lost is still re-driven within the first stuck time.
 */
export function stuckAfterMs(item: { redriveCount?: number }, stuckAfterSeconds: number): number {
  return stuckAfterSeconds * 1000 * 2 ** Math.min(item.redriveCount ?? 0, 6);
}

/**
 * The moment the sweeper must next look at a live item (the sort key of the live-status index,
 * so a sweep reads what is due and nothing else):
 *
 *   PENDING_REVIEW  deadline − margin                        apply the expiry policy
 *   RECEIVED        min(last write + stuck × 2^re-drives, deadline − margin) re-drive it, or the expiry policy
 *   DECIDED         min(last write + stuck, deadline)          deliver again, or EXPIRED
 *
 * For PENDING_REVIEW this is deadline order shifted by a constant, so the review queue, read
 * in this order, is still "nearest deadline first".
 */
export function sweepAt(
  status: LiveStatus,
  item: { deadline: string; updatedAt: string; redriveCount?: number },
  settings: { expiryMarginSeconds: number; stuckAfterSeconds: number },
): string {
  const margin = actBy(item.deadline, settings.expiryMarginSeconds).getTime();
  const lastWrite = Date.parse(item.updatedAt);
  switch (status) {
    case 'PENDING_REVIEW':
      return new Date(margin).toISOString();
    case 'RECEIVED':
      // The re-drive backoff is RECEIVED's alone: a decided item is never made to wait longer.
      return new Date(Math.min(lastWrite + stuckAfterMs(item, settings.stuckAfterSeconds), margin)).toISOString();
    case 'DECIDED':
      return new Date(Math.min(lastWrite + settings.stuckAfterSeconds * 1000, Date.parse(item.deadline))).toISOString();
  }
}
