import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC_PAYLOAD_MAX_BYTES, startInvokeEndpoint, type InvokeEndpoint } from '../../src/local/invoke-endpoint.js';
import { LocalLambda, type AsyncFailureRecord } from '../../src/local/lambda-runtime.js';

/** What the local Lambda does with an async event, matched to what Lambda does. */
describe('the local Lambda runtime, for async events', () => {
  it('retries an async event under one request id, and its failure record carries that id', async () => {
    const lambda = new LocalLambda();
    const requestIds: string[] = [];
    const records: AsyncFailureRecord[] = [];
    lambda.register(
      'failing',
      async (_event, context) => {
        requestIds.push(context.awsRequestId);
        throw new Error('down');
      },
      { retryDelaysMs: [1, 1], onFailure: async (record) => void records.push(record) },
    );
    lambda.invokeAsync('failing', { hello: 'world' });
    await lambda.drain();
    expect(requestIds).toHaveLength(3);
    expect(new Set(requestIds).size).toBe(1);
    expect(records).toMatchObject([{ requestContext: { requestId: requestIds[0], condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: { hello: 'world' } }]);
  });

  it('counts a record its destination refused (DestinationDeliveryFailures) instead of losing it without a trace', async () => {
    const lambda = new LocalLambda();
    lambda.register(
      'failing',
      async () => {
        throw new Error('down');
      },
      {
        retryDelaysMs: [1, 1],
        onFailure: async () => {
          throw new Error('the queue is gone');
        },
      },
    );
    lambda.invokeAsync('failing', {});
    await lambda.drain();
    expect(lambda.destinationDeliveryFailures('failing')).toBe(1);
  });
});

describe('the local Invoke endpoint, for payload sizes', () => {
  let lambda: LocalLambda;
  let endpoint: InvokeEndpoint;
  let client: LambdaClient;
  const received: number[] = [];
  beforeAll(async () => {
    lambda = new LocalLambda();
    lambda.register('echo', async (event: unknown) => void received.push(JSON.stringify(event).length));
    endpoint = await startInvokeEndpoint(lambda, { port: 0 });
    client = new LambdaClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await lambda?.close();
    await endpoint?.close();
  });

  /** A JSON string payload of exactly `bytes` bytes. */
  const payloadOf = (bytes: number) => Buffer.from(JSON.stringify('x'.repeat(bytes - 2)));

  it('accepts an Event invocation of up to 1 MB (Lambda\'s async limit since 2025)', async () => {
    expect(ASYNC_PAYLOAD_MAX_BYTES).toBe(1_048_576);
    const reply = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: payloadOf(ASYNC_PAYLOAD_MAX_BYTES) }));
    expect(reply.StatusCode).toBe(202);
    await lambda.drain();
    expect(received).toContain(ASYNC_PAYLOAD_MAX_BYTES);
  });

  it('refuses a larger Event invocation with 413 RequestEntityTooLargeException, and runs nothing', async () => {
    const before = received.length;
    const refused = client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: payloadOf(ASYNC_PAYLOAD_MAX_BYTES + 1) }));
    await expect(refused).rejects.toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
    await lambda.drain();
    expect(received).toHaveLength(before);
  });

  it('keeps the 6 MB limit for RequestResponse', async () => {
    const reply = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: payloadOf(2 * ASYNC_PAYLOAD_MAX_BYTES) }));
    expect(reply.StatusCode).toBe(200);
    expect(reply.FunctionError).toBeUndefined();
  });
});
