import type { z } from 'zod';
import { DAY_MS, secondsLeft, utcDay } from '../domain/deadline.js';
import { STATUSES, type DecisionOrigin, type Status } from '../domain/item.js';
import type { ReviewDeps } from './deps.js';
import type { Stats } from './schemas.js';

/**
 * Counts by status (Query COUNT on the status index), the oldest pending review and the
 * nearest deadline (the head of that index), and decisions by origin over the last 24 h (the
 * audit index, origin only). Each count has a read budget; past it the figure is a lower bound
 * and `countsComplete` / `complete` say so.
 */
export async function collectStats(deps: ReviewDeps): Promise<z.output<typeof Stats>> {
  const now = deps.clock.now();
  const since = new Date(now - DAY_MS).toISOString();
  const until = new Date(now).toISOString();
  const days = utcDay(since) === utcDay(until) ? [utcDay(until)] : [utcDay(since), utcDay(until)];

  const [counts, head, tallies] = await Promise.all([
    Promise.all(STATUSES.map(async (status) => [status, await deps.store.countByStatus(status)] as const)),
    deps.store.queryByStatus({ status: 'PENDING_REVIEW', limit: 1 }),
    Promise.all(days.map((day) => deps.store.countDecisionsOfDay({ day, from: since, to: until }))),
  ]);

  const byOrigin: Record<DecisionOrigin, number> = { AUTO: 0, MODERATOR: 0, EXPIRY: 0 };
  for (const tally of tallies) for (const origin of Object.keys(byOrigin) as DecisionOrigin[]) byOrigin[origin] += tally.byOrigin[origin];

  const nearest = head.items[0];
  // deadline = window start + window, so the nearest deadline is also the oldest CallbackId.
  const issuedAt = nearest ? Date.parse(nearest.deadline) - deps.callbackWindowSeconds * 1000 : undefined;
  return {
    generatedAt: until,
    counts: Object.fromEntries(counts.map(([status, count]) => [status, count.count])) as Record<Status, number>,
    countsComplete: counts.every(([, count]) => count.complete),
    pendingReview: {
      oldestAgeSeconds: issuedAt === undefined ? null : Math.max(0, Math.floor((now - issuedAt) / 1000)),
      nearestDeadline: nearest?.deadline ?? null,
      secondsToNearestDeadline: nearest ? secondsLeft(nearest.deadline, now) : null,
    },
    decisionsLast24h: { ...byOrigin, total: byOrigin.AUTO + byOrigin.MODERATOR + byOrigin.EXPIRY, complete: tallies.every((t) => t.complete) },
  };
}
