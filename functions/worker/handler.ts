import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { RetryableDeliveryError } from '../../src/errors.js';
import type { Runtime } from '../../src/runtime.js';
import { processWorkMessage } from '../../src/worker/process.js';
import { parseWorkMessage } from '../../src/worker/work-message.js';

/**
 * SQS batches with partial failures: a record fails alone (it throws), its batch-mates are
 * deleted. A retryable callback failure also pushes the record's visibility out by a backoff,
 * so a throttling Chime is not hammered every VisibilityTimeout.
 */
export function createWorkerHandler(runtime: Runtime) {
  const { logger, metrics } = runtime;
  const deps = {
    store: runtime.store,
    callbacks: runtime.callbacks,
    clock: runtime.clock,
    leaseSeconds: runtime.leaseSeconds,
    evaluate: runtime.evaluate,
    callbackWindowSeconds: runtime.config.callbackWindowSeconds,
  };
  const processor = new BatchProcessor(EventType.SQS);

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const work = parseWorkMessage(record.body);
    const outcome = await processWorkMessage(deps, work);
    metrics.addMetric(`Work${outcome.status}`, MetricUnit.Count, 1);
    logger.info('Worked', { callbackId: work.callbackId, outcome: outcome.status, decision: outcome.item.decision?.action, ruleIds: outcome.item.policy?.ruleIds });
    if (outcome.status === 'RETRY' || outcome.status === 'BUSY') {
      await runtime.queue.retryLater(record.receiptHandle, outcome.retryAfterSeconds);
      throw new RetryableDeliveryError(work.callbackId, outcome.status === 'RETRY' ? outcome.errorType : 'DeliveryLeaseHeld', outcome.item.delivery?.attempts ?? 0);
    }
  };

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) logger.addContext(context);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        ...(context ? { context } : {}),
        // Report every record as failed rather than fail the invocation: the outcome is the same
        // (all redelivered) and the per-record backoff set above is kept.
        throwOnFullBatchFailure: false,
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
