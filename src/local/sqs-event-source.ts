import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { InvocationResult } from './lambda-runtime.js';

/**
 * Lambda's SQS event source mapping, locally: receive a batch, hand it to the function as an
 * SQSEvent, and delete only what the function did not report in `batchItemFailures`. If the
 * invocation fails outright (an error, a timeout, a crash) nothing is deleted, so the whole
 * batch comes back after its visibility timeout, exactly as in AWS.
 */
export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  /** Concurrent pollers (Lambda scales its pollers with the backlog). */
  concurrency?: number;
  /** Override of the queue's visibility timeout for received messages (tests use short ones). */
  visibilityTimeoutSeconds?: number;
  /**
   * Pause after an empty receive, doubling while the queue stays empty, up to `maxIdleDelayMs`.
   * local-aws-sqs long polls block for the full wait, so we poll short instead, and `wake()`
   * cuts the pause short when the stack knows a message was just sent.
   */
  idleDelayMs?: number;
  maxIdleDelayMs?: number;
  invoke: (event: SQSEvent) => Promise<InvocationResult>;
  onError?: (error: unknown) => void;
}

export interface SqsEventSource {
  stop(): Promise<void>;
  /** Poll now (a message was just sent to the queue). */
  wake(): void;
  /** Batches handed to the function so far. */
  readonly stats: { batches: number; records: number; failedRecords: number; failedInvocations: number };
}

export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}) },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const stats = { batches: 0, records: 0, failedRecords: 0, failedInvocations: 0 };
  const region = options.queueArn.split(':')[3] ?? 'us-east-1';
  let running = true;
  const sleepers = new Set<() => void>();
  // Counts wake-ups, so a poll that was already in flight when a message arrived (and came back
  // empty) does not then go to sleep on that message.
  let wakeups = 0;
  const wake = () => {
    wakeups += 1;
    for (const resume of sleepers) resume();
    sleepers.clear();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        sleepers.delete(resume);
        resolve();
      };
      const timer = setTimeout(resume, ms);
      sleepers.add(resume);
    });

  const pollOnce = async (): Promise<number> => {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'], // local-aws-sqs ignores MessageSystemAttributeNames
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: options.visibilityTimeoutSeconds } : {}),
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    const records = messages.map((m) => toSqsRecord(m, options.queueArn, region));
    stats.batches += 1;
    stats.records += records.length;
    const result = await options.invoke({ Records: records });
    if (!result.ok) {
      stats.failedInvocations += 1;
      return messages.length;
    }
    const failed = new Set(((result.payload as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    stats.failedRecords += failed.size;
    const toDelete = records.filter((r) => !failed.has(r.messageId));
    if (toDelete.length > 0) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    return messages.length;
  };

  const minDelay = options.idleDelayMs ?? 20;
  const maxDelay = options.maxIdleDelayMs ?? 500;
  const loop = async () => {
    let delay = minDelay;
    while (running) {
      try {
        const seen = wakeups;
        const count = await pollOnce();
        if (count > 0 || wakeups !== seen) delay = minDelay;
        else if (running) {
          await sleep(delay);
          delay = Math.min(maxDelay, delay * 2);
        }
      } catch (error) {
        options.onError?.(error);
        if (running) await sleep(250);
      }
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 2 }, () => loop());
  return {
    stats,
    wake,
    async stop() {
      running = false;
      wake();
      await Promise.allSettled(loops);
    },
  };
}
