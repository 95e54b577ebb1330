import { call, type Api } from '../api/client';
import { ErrorState, Loading } from '../components/States';
import { HourlyChart } from '../components/HourlyChart';
import { useNow, usePolling } from '../hooks';
import { formatAge, formatClock, formatDuration, formatTimestamp } from '../lib/time';

/** The figures (GET /stats, refreshed every 15 s): counts by status, the queue's clock, 24 h of decisions. */
export function DashboardView(props: { api: Api }) {
  const polled = usePolling(() => call(props.api.GET('/stats')), 15_000, 'stats');
  const now = useNow();
  const stats = polled.data;
  if (!stats) return polled.error ? <ErrorState error={polled.error} what="the figures" onRetry={polled.refresh} /> : <Loading what="the figures" />;
  const pending = stats.pendingReview;
  const elapsed = now - polled.receivedAt;
  const lower = (complete: boolean) => (complete ? '' : ' (at least)');
  return (
    <section class="dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <p class="hint">As of {formatTimestamp(stats.generatedAt)}; refreshes every 15 s.</p>
      <div class="cards">
        <div class="card emphasis">
          <h2>Waiting for review</h2>
          <p class="big">{stats.counts.PENDING_REVIEW}</p>
        </div>
        <div class="card">
          <h2>Oldest pending</h2>
          <p class="big">{pending.oldestAgeSeconds === null ? '—' : formatAge(pending.oldestAgeSeconds * 1000 + elapsed)}</p>
        </div>
        <div class="card">
          <h2>Nearest deadline</h2>
          <p class="big">{pending.nearestDeadline === null || pending.secondsToNearestDeadline === null ? '—' : `in ${formatDuration(pending.secondsToNearestDeadline * 1000 - elapsed)}`}</p>
          {pending.nearestDeadline && <p class="muted">Chime's deadline at {formatClock(pending.nearestDeadline, { nowMs: now })}</p>}
        </div>
        <div class="card">
          <h2>Decisions in 24 h</h2>
          <p class="big">{stats.decisionsLast24h.total}</p>
          <p class="muted">
            {stats.decisionsLast24h.AUTO} automatic · {stats.decisionsLast24h.MODERATOR} by moderators · {stats.decisionsLast24h.EXPIRY} by expiry{lower(stats.decisionsLast24h.complete)}
          </p>
        </div>
      </div>

      <h2>Items by status{lower(stats.countsComplete)}</h2>
      <dl class="status-counts">
        {Object.entries(stats.counts).map(([status, count]) => (
          <div key={status}>
            <dt>{status}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>

      <HourlyChart hours={stats.decisionsByHour} />
    </section>
  );
}
