import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Runtime } from '../../src/runtime.js';
import { queueGauges } from '../../src/sweeper/gauges.js';
import type { DecisionAftercare } from '../../src/pipeline/decide.js';
import { shardsOfGroup, sweep, type SweepReport } from '../../src/sweeper/sweep.js';

/** What the sweeper uses: the table and counters, the work queue, Chime callbacks. */
export type SweeperRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds' | 'store' | 'counters' | 'queue' | 'callbacks'>;

/**
 * The schedule's input (serverless.yml): which group of the live index's shards this invocation
 * sweeps. No input (a manual Invoke, the local stack): every shard.
 */
export interface SweepEvent {
  shardGroup?: number;
  shardGroups?: number;
}

/**
 * Work of the people rooms the sweeper does on its schedule (src/senders: lifting timed bans;
 * src/notices: notices and aftercare whose first attempt failed): each reads its own queue in
 * the control table, does what is due before `stopAt`, and says what it did (counts, published as
 * metrics `Sweep<Name><Key>`). Run once per fan-out (group 0, or an unsplit sweep), after the
 * items; a task that throws is logged and never fails the sweep.
 */
export interface SweeperTask {
  name: string;
  run(options: { nowMs: number; stopAt: number }): Promise<Record<string, number>>;
}

/** Time kept back from the function's timeout: the last page's items finish, the metrics go out. */
const SWEEP_SAFETY_MS = 15_000;

function shardsFor(event: unknown, shards: number): { shards?: number[]; group?: number } {
  const { shardGroup, shardGroups } = (event ?? {}) as SweepEvent;
  if (shardGroup === undefined && shardGroups === undefined) return {};
  if (!Number.isInteger(shardGroups) || shardGroups! < 1 || !Number.isInteger(shardGroup) || shardGroup! < 0 || shardGroup! >= shardGroups!) {
    throw new Error(`Invalid sweep event: shardGroup must be a whole number below shardGroups (got ${JSON.stringify({ shardGroup, shardGroups })})`);
  }
  return { shards: shardsOfGroup(shardGroup!, shardGroups!, shards), group: shardGroup! };
}

/** Runs on a schedule, one invocation per shard group (and on demand through Invoke). Returns its report. */
export function createSweeperHandler(runtime: SweeperRuntime, options: { maxItemsPerCategory?: number; tasks?: readonly SweeperTask[]; aftercare?: DecisionAftercare } = {}) {
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
    ...(options.maxItemsPerCategory !== undefined ? { maxItemsPerCategory: options.maxItemsPerCategory } : {}),
    ...(options.aftercare ? { aftercare: options.aftercare } : {}),
  };
  return async (event?: unknown, context?: Context): Promise<SweepReport> => {
    if (context) logger.addContext(context);
    try {
      const { shards, group } = shardsFor(event, config.shards.status);
      const remaining = context?.getRemainingTimeInMillis();
      const report = await sweep({
        ...deps,
        ...(shards ? { shards } : {}),
        ...(remaining !== undefined ? { stopAt: runtime.clock.now() + Math.max(1_000, remaining - SWEEP_SAFETY_MS) } : {}),
      });
      if (report.cutShort) metrics.addMetric('SweepCutShort', MetricUnit.Count, 1);
      for (const key of ['expiryDecisions', 'expired', 'requeued', 'redelivered', 'rescheduled', 'lostRaces', 'retryLater'] as const) {
        if (report[key] > 0) metrics.addMetric(`Sweep${key[0]!.toUpperCase()}${key.slice(1)}`, MetricUnit.Count, report[key]);
      }
      if (report.errors.length > 0) {
        metrics.addMetric('SweepErrors', MetricUnit.Count, report.errors.length);
        const tooLarge = report.errors.filter((e) => e.itemTooLarge).length;
        if (tooLarge > 0) metrics.addMetric('StoreItemTooLarge', MetricUnit.Count, tooLarge);
        logger.error('Sweep finished with errors', { errors: report.errors });
      } else if (report.expiryDecisions + report.expired + report.requeued + report.redelivered > 0) {
        logger.info('Sweep', { ...report, ...(group !== undefined ? { shardGroup: group } : {}) });
      }
      // The queue's gauges for the dashboard, once per fan-out (group 0, or an unsplit sweep); a
      // failure here never fails the sweep.
      if (group === undefined || group === 0) await queueGauges({ store: runtime.store, statistics: runtime.counters, clock: runtime.clock, callbackWindowSeconds: config.callbackWindowSeconds })
        .then((gauges) => {
          metrics.addMetric('PendingReviews', MetricUnit.Count, gauges.pendingReviews);
          if (gauges.oldestPendingReviewAgeSeconds !== undefined) metrics.addMetric('OldestPendingReviewAgeSeconds', MetricUnit.Seconds, gauges.oldestPendingReviewAgeSeconds);
          if (gauges.nearestDeadlineSeconds !== undefined) metrics.addMetric('NearestDeadlineSeconds', MetricUnit.Seconds, gauges.nearestDeadlineSeconds);
        })
        .catch((error: unknown) => logger.warn('Could not compute the queue gauges', { error: String(error) }));
      if (group === undefined || group === 0) {
        const stopAt = runtime.clock.now() + Math.max(1_000, (context?.getRemainingTimeInMillis() ?? 60_000) - SWEEP_SAFETY_MS);
        for (const task of options.tasks ?? []) {
          try {
            const done = await task.run({ nowMs: runtime.clock.now(), stopAt });
            for (const [key, count] of Object.entries(done)) if (count > 0) metrics.addMetric(`Sweep${task.name}${key[0]!.toUpperCase()}${key.slice(1)}`, MetricUnit.Count, count);
            report.tasks = { ...report.tasks, [task.name]: done };
          } catch (error) {
            metrics.addMetric('SweepErrors', MetricUnit.Count, 1);
            logger.error(`Sweeper task ${task.name} failed`, { error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
          }
        }
      }
      return report;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      // Statistics gathered during this invocation: one counter write per hour touched.
      await runtime.counters.flush();
    }
  };
}
