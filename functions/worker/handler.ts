import { BatchProcessor, EventType, processPartialResponse, type ParsedRecord } from '@aws-lambda-powertools/batch';
import type { SqsRecord } from '@aws-lambda-powertools/parser/types';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { heldMilliseconds } from '../../src/domain/callback.js';
import { ItemTooLargeError, RetryableDeliveryError } from '../../src/errors.js';
import type { ChannelMessage } from '../../src/domain/message.js';
import { evaluate, type CompiledPolicy } from '../../src/policy/engine.js';
import { LivePolicies } from '../../src/policy/live.js';
import type { Runtime } from '../../src/runtime.js';
import { processWorkMessage } from '../../src/worker/process.js';
import { senderGate, type SenderGate } from '../../src/worker/sender-gate.js';
import type { DecisionAftercare } from '../../src/pipeline/decide.js';
import { parseRecordWithSchema } from '../../src/adapters/batch-record-parser.js';
import { WorkRecordSchema, type WorkMessageBody } from '../../src/worker/work-message.js';
import { classifyStep, type WorkerClassifiers } from '../../src/worker/classify.js';

type WorkRecord = ParsedRecord<SqsRecord, WorkMessageBody>;

/** What the worker uses: the table and counters, the work queue (backoff), Chime callbacks. */
export type WorkerRuntime = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds' | 'store' | 'counters' | 'queue' | 'callbacks'>;

/**
 * SQS batches with partial failures: a record fails alone (it throws), its batch-mates are
 * deleted. A retryable callback failure also pushes the record's visibility out by a backoff,
 * so a throttling Chime is not hammered every VisibilityTimeout.
 */
export function createWorkerHandler(runtime: WorkerRuntime, policy: LivePolicies | CompiledPolicy, people: { gate?: SenderGate; aftercare?: DecisionAftercare; classifiers?: WorkerClassifiers } = {}) {
  const { logger, metrics } = runtime;
  const deps = {
    store: runtime.store,
    callbacks: runtime.callbacks,
    clock: runtime.clock,
    leaseSeconds: runtime.leaseSeconds,
    observer: runtime.observer,
    // Live policies: each message's effective policy, from the container's cache (README "Live policies").
    evaluate: policy instanceof LivePolicies ? (message: ChannelMessage) => policy.evaluate(message) : (message: ChannelMessage) => evaluate(policy, message),
    callbackWindowSeconds: runtime.config.callbackWindowSeconds,
    // Before the policy: the moderation bot's notices pass unevaluated; restrictions and appeals' allowances (src/worker/sender-gate.ts).
    gate: people.gate ?? senderGate({ ...(runtime.config.moderationBotArn ? { moderationBotArn: runtime.config.moderationBotArn } : {}) }),
    ...(people.aftercare ? { aftercare: people.aftercare } : {}),
    // After the rules: the channel's classifiers (src/worker/classify.ts), when the container has providers.
    ...(people.classifiers ? { classify: classifyStep(people.classifiers) } : {}),
  };
  // Powertools parses each record (its JSON body checked with WorkMessageSchema) before our
  // handler sees it; a record that does not parse fails alone.
  const processor = new BatchProcessor(EventType.SQS, { parser: parseRecordWithSchema, schema: WorkRecordSchema, logger });

  const recordHandler = async (record: WorkRecord): Promise<void> => {
    const work = record.body;
    const outcome = await processWorkMessage(deps, work).catch((error: unknown) => {
      if (error instanceof ItemTooLargeError) metrics.addMetric('StoreItemTooLarge', MetricUnit.Count, 1);
      throw error;
    });
    metrics.addMetric(`Work${outcome.status}`, MetricUnit.Count, 1);
    // What a chat user waited for, end to end, when the policy decided (the dashboard's p50/p99).
    const held = outcome.status === 'DELIVERED' && outcome.item.decision?.origin === 'AUTO' ? heldMilliseconds(outcome.item) : undefined;
    if (held !== undefined) metrics.addMetric('AutoDecisionHeldMs', MetricUnit.Milliseconds, held);
    const classifiers = outcome.item?.policy?.classifiers?.map((c) => `${c.name}:${c.outcome}${c.path ? `→${c.path}` : ''}`);
    logger.info('Worked', { callbackId: work.callbackId, outcome: outcome.status, decision: outcome.item?.decision?.action, ruleIds: outcome.item?.policy?.ruleIds, ...(classifiers ? { classifiers } : {}) });
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
      // Statistics gathered during this invocation: one counter write per hour touched.
      await runtime.counters.flush();
    }
  };
}
