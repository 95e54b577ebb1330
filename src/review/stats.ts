import type { z } from 'zod';
import { secondsLeft } from '../domain/deadline.js';
import { STATUSES, type DecisionOrigin, type Status } from '../domain/item.js';
import type { ReviewDeps } from './deps.js';
import type { Stats } from './responses.js';

/**
 * The figures of GET /stats, from the statistics counters (src/adapters/dynamodb-counters.ts),
 * so their cost is the same at any volume: one query per counter shard over the callback window,
 * plus the heads of the live index's PENDING_REVIEW shards for the nearest deadline.
 *
 *   counts            live statuses: summed status moves of the items received in the window
 *                     (exact: every live item is younger than the window); terminal statuses:
 *                     how many of those items ended so
 *   decisionsLast24h  decisions made in the last 24 hours (whole hours), by origin
 *   decisionsByHour   the same, hour by hour, for the dashboard's chart
 */
export async function collectStats(deps: ReviewDeps): Promise<z.output<typeof Stats>> {
  const now = deps.clock.now();
  const until = new Date(now).toISOString();
  // Every live item was received within the callback window (plus the sweeper's slack).
  const windowHours = Math.ceil(deps.callbackWindowSeconds / 3600) + 2;
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;

  const [window, nearest, decisionsByHour] = await Promise.all([
    deps.statistics.hourly(hourOf(currentHour - windowHours * HOUR_MS), hourOf(currentHour)),
    deps.store.nearestPendingReview(),
    countDecisionsByHour(deps.statistics, now),
  ]);

  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const hour of window.hours) for (const status of STATUSES) counts[status] += hour.statuses[status];
  // A negative gauge can only be drift (a lost flush of a +1): never show less than nothing.
  for (const status of STATUSES) counts[status] = Math.max(0, counts[status]);

  const byOrigin: Record<DecisionOrigin, number> = { AUTO: 0, MODERATOR: 0, EXPIRY: 0 };
  for (const hour of decisionsByHour) for (const origin of Object.keys(byOrigin) as DecisionOrigin[]) byOrigin[origin] += hour[origin];

  // deadline = window start + window, so the nearest deadline is also the oldest CallbackId.
  const issuedAt = nearest ? Date.parse(nearest.deadline) - deps.callbackWindowSeconds * 1000 : undefined;
  return {
    generatedAt: until,
    counts,
    countsComplete: window.complete,
    pendingReview: {
      oldestAgeSeconds: issuedAt === undefined ? null : Math.max(0, Math.floor((now - issuedAt) / 1000)),
      nearestDeadline: nearest?.deadline ?? null,
      secondsToNearestDeadline: nearest ? secondsLeft(nearest.deadline, now) : null,
    },
    decisionsLast24h: { ...byOrigin, total: byOrigin.AUTO + byOrigin.MODERATOR + byOrigin.EXPIRY, complete: decisionsByHour.every((h) => h.complete) },
    decisionsByHour,
  };
}

const hourOf = (ms: number): string => new Date(ms).toISOString().slice(0, 13);

const HOUR_MS = 3_600_000;

export type HourlyDecisions = { hour: string } & Record<DecisionOrigin, number> & { complete: boolean };

/**
 * Where hourly decision counts come from. The statistics counters' reader (`hourly(fromHour,
 * toHour)`) has this shape as it is; `hourlyFromAuditIndex` gives the same figures from the
 * audit index's per-day counts until then.
 */
export interface HourlyDecisionSource {
  hourly(fromHour: string, toHour: string): Promise<{ hours: Array<{ hour: string; decisions: Record<DecisionOrigin, number> }>; complete: boolean }>;
}

/**
 * The dashboard's chart: decisions by origin in each of the 24 UTC hours up to now, oldest
 * first; the last is the current, partial hour. Hours the source does not list are zeros.
 */
export async function countDecisionsByHour(source: HourlyDecisionSource, nowMs: number): Promise<HourlyDecisions[]> {
  const currentHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const starts = Array.from({ length: 24 }, (_, i) => currentHour - (23 - i) * HOUR_MS);
  const { hours, complete } = await source.hourly(new Date(starts[0]!).toISOString(), new Date(currentHour).toISOString());
  const byHour = new Map(hours.map((h) => [Date.parse(h.hour), h.decisions]));
  return starts.map((start) => {
    const decisions = byHour.get(start);
    return { hour: new Date(start).toISOString(), AUTO: decisions?.AUTO ?? 0, MODERATOR: decisions?.MODERATOR ?? 0, EXPIRY: decisions?.EXPIRY ?? 0, complete };
  });
}
