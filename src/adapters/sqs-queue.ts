import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WorkMessage } from '../domain/item.js';
import type { DeadLetters, WorkQueue } from '../domain/ports.js';
import { parkedMessageBody } from './parked-payload.js';

export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: WorkMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: { callbackId: { DataType: 'String', StringValue: message.callbackId } },
      }),
    );
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
      }),
    );
  }
}

/**
 * The intake DLQ: malformed events are kept here with their reason, never dropped. No payload
 * can make keep() throw (one too large for SQS, nested too deep to serialise: see
 * parkedMessageBody); SQS failing to take the message does, so that Lambda retries the event.
 */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async keep(payload: unknown, reason: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: parkedMessageBody({ reason, ...details, keptAt: new Date().toISOString() }, payload),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
      }),
    );
  }
}
