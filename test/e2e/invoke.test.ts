import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { aChannelFlowEvent } from '../support/factories.js';
import { startTestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';

describe('the Lambda Invoke endpoint, with the stock Lambda client', () => {
  let stack: LocalStack;
  let lambda: LambdaClient;
  beforeAll(async () => {
    stack = await startTestStack();
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    lambda?.destroy();
    await stack?.stop();
  });

  const payload = (value: unknown) => Buffer.from(JSON.stringify(value));
  const parse = (bytes?: Uint8Array) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

  it('invokes intake synchronously and returns its outcome', async () => {
    const event = aChannelFlowEvent();
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'intake', Payload: payload(event) }));
    expect(reply.StatusCode).toBe(200);
    expect(parse(reply.Payload)).toMatchObject({ outcome: 'ACCEPTED', callbackId: event.CallbackId });
    // The worker picks it up; this CallbackId is unknown to Chime, so the callback is refused and recorded.
    await waitFor(async () => {
      const item = await stack.runtime.store.get(event.CallbackId);
      return item && item.status !== 'RECEIVED' && item.status !== 'DECIDED' ? item : undefined;
    });
  });

  it('accepts a full function ARN and an Event invocation', async () => {
    const event = aChannelFlowEvent();
    const reply = await lambda.send(new InvokeCommand({ FunctionName: stack.lambda.arn('intake'), InvocationType: 'Event', Payload: payload(event) }));
    expect(reply.StatusCode).toBe(202);
    await waitFor(() => stack.runtime.store.get(event.CallbackId));
  });

  it('keeps a malformed event on the intake DLQ, with its reason', async () => {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'intake', Payload: payload({ EventType: 'CHANNEL_MESSAGE_EVENT' }) }));
    expect(parse(reply.Payload)).toMatchObject({ outcome: 'REJECTED' });
    const kept = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, MaxNumberOfMessages: 10 }));
    const bodies = (kept.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(bodies).toContainEqual(expect.objectContaining({ reason: 'INVALID_EVENT', issues: expect.arrayContaining(['CallbackId is required']) }));
  });

  it('runs the sweeper on demand and returns its report', async () => {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'sweeper', Payload: payload({}) }));
    expect(parse(reply.Payload)).toMatchObject({ expired: expect.any(Number), requeued: expect.any(Number), errors: [] });
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('reports a worker failure as a function error, as Lambda does', async () => {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'worker', Payload: payload({ Records: 'not a list' }) }));
    expect(reply.FunctionError).toBe('Unhandled');
    expect(parse(reply.Payload)).toHaveProperty('errorMessage');
  });

  it('fails only the poison record of a batch; its batch-mates are decided, and it ends on the work DLQ', async () => {
    const events = Array.from({ length: 3 }, () => aChannelFlowEvent());
    await stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.resources.workQueueUrl,
        Entries: [
          { Id: 'poison', MessageBody: '{"callbackId": 42}' },
          ...events.map((e, i) => ({
            Id: `ok${i}`,
            MessageBody: JSON.stringify({ callbackId: e.CallbackId, deadline: new Date(Date.now() + 3_600_000).toISOString(), receivedAt: new Date().toISOString(), message: { messageId: e.ChannelMessage.MessageId, channelArn: e.ChannelMessage.ChannelArn, content: 'fine', sender: { arn: e.ChannelMessage.Sender.Arn } } }),
          })),
        ],
      }),
    );
    // Unknown to Chime, so each callback is refused and recorded FAILED: decided and settled all the same.
    for (const e of events) await waitFor(async () => (await stack.runtime.store.get(e.CallbackId))?.status === 'FAILED', { what: `${e.CallbackId} settled` });
    const dead = await waitFor(async () => {
      const reply = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.workDlqUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] }));
      return reply.Messages?.length ? reply.Messages : undefined;
    }, { timeoutMs: 40_000, what: 'the poison message on the work DLQ' });
    expect(dead.map((m) => m.Body)).toEqual(['{"callbackId": 42}']);
  }, 60_000);
});
