import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { acceptEvent, type IntakeOutcome } from '../../src/intake/accept.js';
import type { Runtime } from '../../src/runtime.js';

/** What intake uses: DynamoDB (the table, the counters) and SQS (the work queue, the DLQ); no Chime. */
export type IntakeRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'store' | 'counters' | 'queue' | 'deadLetters'>;

/**
 * Chime invokes this asynchronously for every channel message. A thrown error makes Lambda
 * retry twice and then hand the event to the on-failure destination (the intake DLQ); the
 * RECEIVED record, if written, is re-driven by the sweeper. Malformed events are not thrown:
 * retrying cannot fix them, so they go straight to the DLQ with their reason.
 */
export function createIntakeHandler(runtime: IntakeRuntime) {
  const { logger, metrics } = runtime;
  const deps = {
    store: runtime.store,
    queue: runtime.queue,
    deadLetters: runtime.deadLetters,
    clock: runtime.clock,
    callbackWindowSeconds: runtime.config.callbackWindowSeconds,
  };
  return async (event: unknown, context?: Context): Promise<IntakeOutcome> => {
    if (context) logger.addContext(context);
    try {
      const result = await acceptEvent(deps, event);
      // IntakeAccepted, IntakeRequeued, IntakeHandedOver, IntakeDuplicate, IntakeRejected.
      metrics.addMetric(`Intake${result.outcome.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, letter: string) => letter.toUpperCase())}`, MetricUnit.Count, 1);
      if (result.outcome === 'REJECTED') logger.warn('Rejected a malformed channel flow event', { issues: result.issues });
      else if (result.outcome === 'HANDED_OVER') logger.warn('DynamoDB did not take the record; the event went to the work queue, whose worker records it', { ...result });
      else logger.info('Intake', { ...result });
      return result;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      // Statistics gathered during this invocation: one counter write per hour touched.
      await runtime.counters.flush();
    }
  };
}
