import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PARKED_BODY_MAX_BYTES } from '../../src/adapters/parked-payload.js';
import { SqsDeadLetters, SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { systemClock } from '../../src/domain/ports.js';
import { acceptEvent, type IntakeDeps } from '../../src/intake/accept.js';
import { sqsFailureDestination } from '../../src/local/lambda-runtime.js';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import type { WorkMessage } from '../../src/domain/item.js';
import { processWorkMessage } from '../../src/worker/process.js';
import { aChannelFlowEvent } from '../support/factories.js';
import { reviewDepsOn, startBackends, TEST_KEYS, type Backends } from '../support/backends.js';

describe('intake (against real DynamoDB and SQS endpoints)', () => {
  let backends: Backends;
  let deps: IntakeDeps;
  beforeAll(async () => {
    backends = await startBackends();
    deps = { store: backends.store, queue: backends.queue, deadLetters: backends.deadLetters, clock: systemClock, callbackWindowSeconds: 172_800 };
  });
  beforeEach(async () => {
    await backends.purge('work');
    await backends.purge('intakeDlq');
  });
  afterAll(() => backends?.stop());

  it('records the CallbackId with its deadline, then queues it for a worker', async () => {
    const event = aChannelFlowEvent({ message: { createdTimestamp: '2026-11-21T10:00:00.000Z' } });
    const result = await acceptEvent(deps, event);
    expect(result).toEqual({ outcome: 'ACCEPTED', callbackId: event.CallbackId, deadline: '2026-11-23T10:00:00.000Z' });
    expect(await backends.store.get(event.CallbackId)).toMatchObject({ status: 'RECEIVED', version: 1, deadline: '2026-11-23T10:00:00.000Z' });
    const queued = await backends.receive('work');
    expect(queued.map((m) => (m.body as { callbackId: string }).callbackId)).toEqual([event.CallbackId]);
  });

  it('queues a duplicate again while no worker has decided it (the first enqueue may have failed)', async () => {
    const event = aChannelFlowEvent();
    await acceptEvent(deps, event);
    expect(await acceptEvent(deps, event)).toMatchObject({ outcome: 'REQUEUED' });
    expect(await backends.receive('work')).toHaveLength(2);
  });

  it('does not queue a duplicate of a message already past the worker', async () => {
    const event = aChannelFlowEvent();
    await acceptEvent(deps, event);
    await backends.store.transition({ callbackId: event.CallbackId, deadline: new Date(Date.now() + 86_400_000).toISOString(), from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 'worker', event: 'held' }, now: Date.now() });
    await backends.purge('work');
    expect(await acceptEvent(deps, event)).toEqual({ outcome: 'DUPLICATE', callbackId: event.CallbackId, status: 'PENDING_REVIEW' });
    expect(await backends.receive('work')).toHaveLength(0);
  });

  it('loses nothing when the first enqueue fails: the record stays, and the retry queues it', async () => {
    const event = aChannelFlowEvent();
    const broken = new SqsWorkQueue(backends.clients.sqs, `${backends.resources.workQueueUrl}-does-not-exist`);
    await expect(acceptEvent({ ...deps, queue: broken }, event)).rejects.toThrow();
    expect(await backends.store.get(event.CallbackId)).toMatchObject({ status: 'RECEIVED' });
    // Lambda retries the failed async invocation with the same event.
    expect(await acceptEvent(deps, event)).toMatchObject({ outcome: 'REQUEUED' });
    expect(await backends.receive('work')).toHaveLength(1);
  });

  it('hands the event to the work queue when DynamoDB does not take the record, and the worker then records it', async () => {
    const event = aChannelFlowEvent();
    const unreachable = new DynamoDbModerationStore(backends.clients.documents, { tableName: `${backends.resources.tableName}-does-not-exist`, retentionDays: 30, keys: TEST_KEYS });
    const result = await acceptEvent({ ...deps, store: unreachable }, event);
    expect(result).toMatchObject({ outcome: 'HANDED_OVER', callbackId: event.CallbackId, recordError: expect.stringMatching(/ResourceNotFound|non-existent|not found/i) });
    expect(await backends.store.get(event.CallbackId)).toBeUndefined();
    const [queued] = await backends.receive('work');
    expect(queued?.body).toMatchObject({ callbackId: event.CallbackId, deadline: (result as { deadline: string }).deadline });
    // The worker finds no item and rebuilds it from the work message before deciding.
    const outcome = await processWorkMessage({ ...reviewDepsOn(backends), evaluate: () => ({ action: 'REVIEW', ruleIds: ['terms.review'], reason: 'held', findings: [] }) }, queued!.body as WorkMessage);
    expect(outcome.status).toBe('PENDING_REVIEW');
    expect(await backends.store.get(event.CallbackId)).toMatchObject({ status: 'PENDING_REVIEW', history: [{ event: 'received' }, { event: 'held-for-review' }] });
    expect(await backends.receive('intakeDlq')).toHaveLength(0);
  });

  it('throws both errors to Lambda when neither DynamoDB nor SQS takes the event', async () => {
    const unreachable = new DynamoDbModerationStore(backends.clients.documents, { tableName: `${backends.resources.tableName}-does-not-exist`, retentionDays: 30, keys: TEST_KEYS });
    const broken = new SqsWorkQueue(backends.clients.sqs, `${backends.resources.workQueueUrl}-does-not-exist`);
    await expect(acceptEvent({ ...deps, store: unreachable, queue: broken }, aChannelFlowEvent())).rejects.toThrow(/Neither DynamoDB nor SQS took CallbackId/);
  });

  it('keeps a malformed event on the intake DLQ with its reason, and records nothing', async () => {
    const event = aChannelFlowEvent({ callbackId: 'too-short' });
    const result = await acceptEvent(deps, event);
    expect(result).toEqual({ outcome: 'REJECTED', issues: ['CallbackId must be 32-64 characters'] });
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({ reason: 'INVALID_EVENT', issues: ['CallbackId must be 32-64 characters'], payload: event });
    expect(await backends.store.get('too-short')).toBeUndefined();
    expect(await backends.receive('work')).toHaveLength(0);
  });

  it('keeps even a payload that is not an object', async () => {
    expect(await acceptEvent(deps, 'garbage')).toMatchObject({ outcome: 'REJECTED' });
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({ reason: 'INVALID_EVENT', payload: 'garbage' });
  });

  it.each([
    ['CreatedTimestamp', '-10000000000000'],
    ['LastEditedTimestamp', '-9999999999999999'],
  ])('refuses a %s of %s with its reason on the DLQ, instead of throwing RangeError', async (field, value) => {
    const event = aChannelFlowEvent();
    (event.ChannelMessage as Record<string, unknown>)[field] = value;
    const result = await acceptEvent(deps, event);
    expect(result).toEqual({ outcome: 'REJECTED', issues: [expect.stringMatching(new RegExp(`^ChannelMessage\\.${field} must be an ISO-8601 time`))] });
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({ reason: 'INVALID_EVENT', issues: (result as { issues: string[] }).issues, payloadTruncated: false, payload: event });
    expect(await backends.store.get(event.CallbackId)).toBeUndefined();
  });

  it('keeps a 1 MB event within SQS\'s 256 KiB, with its reason, size, digest and a preview', async () => {
    const event = aChannelFlowEvent({ message: { content: 'x'.repeat(1_000_000) } });
    const json = JSON.stringify(event);
    expect(await acceptEvent(deps, event)).toEqual({ outcome: 'REJECTED', issues: ['ChannelMessage.Content must be at most 8192 bytes in UTF-8'] });
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({
      reason: 'INVALID_EVENT',
      issues: ['ChannelMessage.Content must be at most 8192 bytes in UTF-8'],
      payloadTruncated: true,
      payloadBytes: Buffer.byteLength(json),
      payloadDigest: createHash('sha256').update(json).digest('hex'),
      payloadPreview: json.slice(0, 2048),
    });
    expect(Buffer.byteLength(JSON.stringify(kept?.body))).toBeLessThanOrEqual(PARKED_BODY_MAX_BYTES);
  });

  const nested = (depth: number, wrap: (inner: unknown) => unknown) => {
    let value: unknown = wrap(undefined);
    for (let i = 1; i < depth; i++) value = wrap(value);
    return value;
  };

  it.each([
    ['a 200 KB array nested 100,000 deep', nested(100_000, (inner) => (inner === undefined ? [] : [inner]))],
    ['20,000 levels of nested objects', nested(20_000, (inner) => (inner === undefined ? {} : { a: inner }))],
  ])('keeps %s, which cannot be serialised, with its reason', async (_name, payload) => {
    expect(await acceptEvent(deps, payload)).toMatchObject({ outcome: 'REJECTED' });
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({ reason: 'INVALID_EVENT', issues: expect.arrayContaining([expect.any(String)]), payloadTruncated: true, payloadBytesEstimated: true, payloadSerialisationError: expect.stringMatching(/RangeError/) });
  });

  it('throws when SQS does not take the parked event, so that Lambda retries it', async () => {
    const broken = new SqsDeadLetters(backends.clients.sqs, `${backends.resources.intakeDlqUrl}-does-not-exist`);
    await expect(acceptEvent({ ...deps, deadLetters: broken }, aChannelFlowEvent({ callbackId: 'too-short' }))).rejects.toThrow();
  });

  it('delivers a failed async invocation\'s record to the DLQ whatever its event holds, as Lambda\'s on-failure destination', async () => {
    const record = {
      version: '1.0' as const,
      timestamp: new Date().toISOString(),
      requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:intake:$LATEST', condition: 'RetriesExhausted' as const, approximateInvokeCount: 3 },
      requestPayload: nested(100_000, (inner) => (inner === undefined ? [] : [inner])),
      responseContext: { statusCode: 200, executedVersion: '$LATEST' as const, functionError: 'Unhandled' as const },
      responsePayload: { errorType: 'Error', errorMessage: 'SQS was down' },
    };
    await sqsFailureDestination(backends.clients.sqs, backends.resources.intakeDlqUrl)(record);
    const [kept] = await backends.receive('intakeDlq');
    expect(kept?.body).toMatchObject({
      version: '1.0',
      requestContext: record.requestContext,
      responsePayload: record.responsePayload,
      payloadTruncated: true,
      payloadBytes: 200_000,
      payloadBytesEstimated: true,
    });
    expect(kept?.body).not.toHaveProperty('requestPayload');
  });
});
