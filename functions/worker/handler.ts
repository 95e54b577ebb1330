import { BatchProcessor, EventType, processPartialResponse, type ParsedRecord } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { SqsRecord } from '@aws-lambda-powertools/parser/types';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import { RetryableDeliveryError } from '../../src/errors.js';
import type { ChannelMessage } from '../../src/domain/message.js';
import { evaluate, type CompiledPolicy } from '../../src/policy/index.js';
import type { Runtime } from '../../src/runtime.js';
import { processWorkMessage } from '../../src/worker/process.js';
import { WorkMessageSchema } from '../../src/worker/work-message.js';

type WorkRecord = ParsedRecord<SqsRecord, z.infer<typeof WorkMessageSchema>>;

/**
 * SQS batches with partial failures: a record fails alone (it throws), its batch-mates are
 * deleted. A retryable callback failure also pushes the record's visibility out by a backoff,
 * so a throttling Chime is not hammered every VisibilityTimeout.
 */
export function createWorkerHandler(runtime: Runtime, policy: CompiledPolicy) {
  const { logger, metrics } = runtime;
  const deps = {
    store: runtime.store,
    callbacks: runtime.callbacks,
    clock: runtime.clock,
    leaseSeconds: runtime.leaseSeconds,
    evaluate: (message: ChannelMessage) => evaluate(policy, message),
    callbackWindowSeconds: runtime.config.callbackWindowSeconds,
  };
  // Powertools parses each record's JSON body with the schema before our handler sees it.
  const processor = new BatchProcessor(EventType.SQS, { parser, innerSchema: WorkMessageSchema, transformer: 'json', logger });

  const recordHandler = async (record: WorkRecord): Promise<void> => {
    const work = record.body;
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
