import type { Clock, ReviewStore, StatisticsReader } from '../domain/ports.js';

export interface QueueGauges {
  /** PENDING_REVIEW items now (from the statistics counters). */
  pendingReviews: number;
  /** Since Chime issued the oldest pending CallbackId; undefined when nothing is held. */
  oldestPendingReviewAgeSeconds?: number;
  /** Until the nearest deadline of a held message (negative once past); undefined when nothing is held. */
  nearestDeadlineSeconds?: number;
}

const HOUR_MS = 3_600_000;

/**
 * The review queue's gauges, for the dashboard and its alarms: the sweeper emits them on every
 * run. They cost one query per counter shard and one per live-index shard, whatever the volume.
 */
export async function queueGauges(deps: { store: Pick<ReviewStore, 'nearestPendingReview'>; statistics: StatisticsReader; clock: Clock; callbackWindowSeconds: number }): Promise<QueueGauges> {
  const now = deps.clock.now();
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const windowHours = Math.ceil(deps.callbackWindowSeconds / 3600) + 2;
  const [window, nearest] = await Promise.all([
    deps.statistics.hourly(new Date(currentHour - windowHours * HOUR_MS).toISOString(), new Date(currentHour).toISOString()),
    deps.store.nearestPendingReview(),
  ]);
  const pendingReviews = Math.max(0, window.hours.reduce((sum, hour) => sum + hour.statuses.PENDING_REVIEW, 0));
  if (!nearest) return { pendingReviews };
  const deadline = Date.parse(nearest.deadline);
  return {
    pendingReviews,
    oldestPendingReviewAgeSeconds: Math.max(0, Math.floor((now - (deadline - deps.callbackWindowSeconds * 1000)) / 1000)),
    nearestDeadlineSeconds: Math.floor((deadline - now) / 1000),
  };
}
