import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { systemClock } from '../../src/domain/ports.js';
import { acceptEvent, type IntakeDeps } from '../../src/intake/accept.js';
import { aChannelFlowEvent } from '../support/factories.js';
import { startBackends, type Backends } from '../support/backends.js';

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
});
