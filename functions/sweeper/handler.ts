import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Runtime } from '../../src/runtime.js';
import { sweep, type SweepReport } from '../../src/sweeper/sweep.js';

/** Runs on a schedule (and on demand through Invoke). Returns its report. */
export function createSweeperHandler(runtime: Runtime, options: { maxItemsPerCategory?: number } = {}) {
  const { logger, metrics, config } = runtime;
  const deps = {
    store: runtime.store,
    callbacks: runtime.callbacks,
    clock: runtime.clock,
    leaseSeconds: runtime.leaseSeconds,
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
        logger.error('Sweep finished with errors', { errors: report.errors });
      } else if (report.expiryDecisions + report.expired + report.requeued + report.redelivered > 0) {
        logger.info('Sweep', { ...report });
      }
      return report;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
