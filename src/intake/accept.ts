import { deadlineFor } from '../domain/deadline.js';
import { toWorkMessage, type ModerationItem } from '../domain/item.js';
import type { Clock, DeadLetters, ModerationStore, WorkQueue } from '../domain/ports.js';
import { parseChannelFlowEvent } from './event.js';

export interface IntakeDeps {
  store: ModerationStore;
  queue: WorkQueue;
  deadLetters: DeadLetters;
  clock: Clock;
  callbackWindowSeconds: number;
}

export type IntakeOutcome =
  /** First sight of this CallbackId: recorded and queued. */
  | { outcome: 'ACCEPTED'; callbackId: string; deadline: string }
  /** A duplicate of an item still waiting for a worker: queued again, since the first enqueue may have failed. */
  | { outcome: 'REQUEUED'; callbackId: string; deadline: string }
  /**
   * DynamoDB did not take (or did not confirm) the record: the event is handed to the work queue
   * anyway, and the worker records it before it decides (it rebuilds a missing item from the
   * work message). The event is durable in SQS, so Lambda need not retry it, and it never waits
   * on the intake DLQ for an operator.
   */
  | { outcome: 'HANDED_OVER'; callbackId: string; deadline: string; recordError: string }
  /** A duplicate of an item already past the worker: nothing to do. */
  | { outcome: 'DUPLICATE'; callbackId: string; status: string }
  /** Unusable event: kept on the intake DLQ with the reason. */
  | { outcome: 'REJECTED'; issues: string[] };

export function newItem(callbackId: string, message: ModerationItem['message'], nowMs: number, windowSeconds: number): ModerationItem {
  const at = new Date(nowMs).toISOString();
  return {
    callbackId,
    message,
    receivedAt: at,
    deadline: deadlineFor(message, nowMs, windowSeconds).toISOString(),
    status: 'RECEIVED',
    version: 1,
    updatedAt: at,
    history: [{ at, actor: 'intake', to: 'RECEIVED', event: 'received' }],
  };
}

/**
 * Record, then enqueue. The record comes first so that an enqueue that fails (and a Lambda that
 * then gives up) still leaves a RECEIVED item the sweeper will re-drive: nothing is lost. When
 * the record is what fails, the event goes to the work queue all the same (HANDED_OVER): two
 * stores have to fail together before an event is left to Lambda's retries and the intake DLQ.
 * Intake does no policy work; it is on the latency path of every chat message.
 */
export async function acceptEvent(deps: IntakeDeps, event: unknown): Promise<IntakeOutcome> {
  const parsed = parseChannelFlowEvent(event, deps.clock.now());
  if (!parsed.ok) {
    await deps.deadLetters.keep(event, 'INVALID_EVENT', { issues: parsed.issues });
    return { outcome: 'REJECTED', issues: parsed.issues };
  }

  const item = newItem(parsed.callbackId, parsed.message, deps.clock.now(), deps.callbackWindowSeconds);
  let recorded: Awaited<ReturnType<IntakeDeps['store']['recordReceived']>>;
  try {
    recorded = await deps.store.recordReceived(item);
  } catch (recordError) {
    // Applied or not, it is the worker's to settle: its first write is conditional on RECEIVED,
    // and a missing item is rebuilt from this message. If SQS fails too, both errors go to Lambda.
    try {
      await deps.queue.enqueue(toWorkMessage(item));
    } catch (enqueueError) {
      throw new AggregateError([recordError, enqueueError], `Neither DynamoDB nor SQS took CallbackId ${item.callbackId}: ${String(recordError)}; ${String(enqueueError)}`);
    }
    return { outcome: 'HANDED_OVER', callbackId: item.callbackId, deadline: item.deadline, recordError: String(recordError) };
  }
  if (recorded.created) {
    await deps.queue.enqueue(toWorkMessage(item));
    return { outcome: 'ACCEPTED', callbackId: item.callbackId, deadline: item.deadline };
  }
  const existing = recorded.item;
  if (existing.status === 'RECEIVED') {
    // The worker dedupes by conditional write, so a second copy costs one no-op, never a second decision.
    await deps.queue.enqueue(toWorkMessage(existing));
    return { outcome: 'REQUEUED', callbackId: existing.callbackId, deadline: existing.deadline };
  }
  return { outcome: 'DUPLICATE', callbackId: existing.callbackId, status: existing.status };
}
