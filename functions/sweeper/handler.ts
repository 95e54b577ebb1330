import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Runtime } from '../../src/runtime.js';
import { queueGauges } from '../../src/sweeper/gauges.js';
import { sweep, type SweepReport } from '../../src/sweeper/sweep.js';

/** What the sweeper uses: the table and counters, the work queue, Chime callbacks. */
export type SweeperRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds' | 'store' | 'counters' | 'queue' | 'callbacks'>;

/** Runs on a schedule (and on demand through Invoke). Returns its report. */
export function createSweeperHandler(runtime: SweeperRuntime, options: { maxItemsPerCategory?: number } = {}) {
  const { logger, metrics, config } = runtime;
  const deps = {
    store: runtime.store,
    callbacks: runtime.callbacks,
    clock: runtime.clock,
    leaseSeconds: runtime.leaseSeconds,
    observer: runtime.observer,
    queue: runtime.queue,
    expiryAction: config.expiryAction,
    expiryMarginSeconds: config.expiryMarginSeconds,
    stuckAfterSeconds: config.stuckAfterSeconds,
    maxItemsPerCategory: options.maxItemsPerCategory ?? 500,
  };
  return async (_event?: unknown, context?: Context): Promise<SweepReport> => {
    if (context) logger.addContext(context);
    try {
      const report = await sweep(deps);
      for (const key of ['expiryDecisions', 'expired', 'requeued', 'redelivered', 'lostRaces', 'retryLater'] as const) {
        if (report[key] > 0) metrics.addMetric(`Sweep${key[0]!.toUpperCase()}${key.slice(1)}`, MetricUnit.Count, report[key]);
      }
      if (report.errors.length > 0) {
        metrics.addMetric('SweepErrors', MetricUnit.Count, report.errors.length);
        const tooLarge = report.errors.filter((e) => e.itemTooLarge).length;
        if (tooLarge > 0) metrics.addMetric('StoreItemTooLarge', MetricUnit.Count, tooLarge);
        logger.error('Sweep finished with errors', { errors: report.errors });
      } else if (report.expiryDecisions + report.expired + report.requeued + report.redelivered > 0) {
        logger.info('Sweep', { ...report });
      }
      // The queue's gauges for the dashboard; a failure here never fails the sweep.
      await queueGauges({ store: runtime.store, statistics: runtime.counters, clock: runtime.clock, callbackWindowSeconds: config.callbackWindowSeconds })
        .then((gauges) => {
          metrics.addMetric('PendingReviews', MetricUnit.Count, gauges.pendingReviews);
          if (gauges.oldestPendingReviewAgeSeconds !== undefined) metrics.addMetric('OldestPendingReviewAgeSeconds', MetricUnit.Seconds, gauges.oldestPendingReviewAgeSeconds);
          if (gauges.nearestDeadlineSeconds !== undefined) metrics.addMetric('NearestDeadlineSeconds', MetricUnit.Seconds, gauges.nearestDeadlineSeconds);
        })
        .catch((error: unknown) => logger.warn('Could not compute the queue gauges', { error: String(error) }));
      return report;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      // Statistics gathered during this invocation: one counter write per hour touched.
      await runtime.counters.flush();
    }
  };
}
