import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransitionConflictError } from '../../src/errors.js';
import { newItem } from '../../src/intake/accept.js';
import { aMessage, callbackId } from '../support/factories.js';
import { startBackends, type Backends } from '../support/backends.js';

describe('the DynamoDB moderation store (against a real DynamoDB endpoint)', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(() => backends?.stop());

  const received = async (overrides: { deadlineOffsetMs?: number } = {}) => {
    const item = newItem(callbackId(), aMessage(), Date.now() + (overrides.deadlineOffsetMs ?? 0), 172_800);
    await backends.store.recordReceived(item);
    return item;
  };

  it('records a CallbackId once and hands back the existing item to a duplicate', async () => {
    const item = newItem(callbackId(), aMessage(), Date.now(), 172_800);
    expect((await backends.store.recordReceived(item)).created).toBe(true);
    await backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 'test', event: 'held' }, now: Date.now() });
    const again = await backends.store.recordReceived({ ...item, message: { ...item.message, content: 'changed' } });
    expect(again.created).toBe(false);
    expect(again.item).toMatchObject({ status: 'PENDING_REVIEW', message: { content: item.message.content } });
  });

  it('applies a transition from an expected status: version, history and TTL follow', async () => {
    const item = await received();
    const decided = await backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'DECIDED', set: { outcome: { reason: 'x' } }, history: { actor: 'worker', event: 'decided:ALLOW', reason: 'clean' }, now: Date.now() });
    expect(decided).toMatchObject({ status: 'DECIDED', version: 2, outcome: { reason: 'x' } });
    expect(decided.history.at(-1)).toMatchObject({ from: 'RECEIVED', to: 'DECIDED', actor: 'worker', event: 'decided:ALLOW', reason: 'clean' });
    expect(decided.expiresAt).toBeUndefined();
    const delivered = await backends.store.transition({ callbackId: item.callbackId, from: ['DECIDED'], to: 'DELIVERED', remove: ['outcome'], history: { actor: 'worker', event: 'delivered' }, now: Date.now() });
    expect(delivered.outcome).toBeUndefined();
    expect(delivered.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });

  it('refuses a transition from another status and says what the item is now', async () => {
    const item = await received();
    const error = await backends.store
      .transition({ callbackId: item.callbackId, from: ['PENDING_REVIEW'], to: 'DECIDED', history: { actor: 'alice', event: 'decided:DENY' }, now: Date.now() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransitionConflictError);
    expect((error as TransitionConflictError).current).toMatchObject({ status: 'RECEIVED', version: 1 });
    expect((error as Error).message).toMatch(/is RECEIVED \(version 1\); expected status PENDING_REVIEW/);
  });

  it('refuses a stale expected version', async () => {
    const item = await received();
    await backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'RECEIVED', history: { actor: 'sweeper', event: 'requeued' }, now: Date.now() });
    await expect(
      backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'DECIDED', expectedVersion: 1, history: { actor: 'x', event: 'y' }, now: Date.now() }),
    ).rejects.toMatchObject({ current: { version: 2 } });
  });

  it('refuses a transition on an unknown CallbackId without creating it', async () => {
    const id = callbackId();
    await expect(backends.store.transition({ callbackId: id, from: ['RECEIVED'], to: 'DECIDED', history: { actor: 'x', event: 'y' }, now: Date.now() })).rejects.toMatchObject({ current: undefined });
    expect(await backends.store.get(id)).toBeUndefined();
  });

  it('lets exactly one of many concurrent deciders win', async () => {
    const item = await received();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'DECIDED', history: { actor: `decider-${i}`, event: 'decided' }, now: Date.now() }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof TransitionConflictError)).toHaveLength(9);
    expect((await backends.store.get(item.callbackId))?.history.filter((h) => h.event === 'decided')).toHaveLength(1);
  });

  it('queries one status by deadline, soonest first, with bounds and paging', async () => {
    // A status no other test in this file uses, so the partition holds only these items.
    const ids: string[] = [];
    for (const offset of [5, 1, 3, 2, 4]) {
      const item = newItem(callbackId(), aMessage({ createdTimestamp: undefined }), Date.parse('2030-01-01T00:00:00Z') + offset * 60_000, 60);
      await backends.store.recordReceived(item);
      await backends.store.transition({ callbackId: item.callbackId, from: ['RECEIVED'], to: 'FAILED', history: { actor: 't', event: 'f' }, now: Date.now() });
      ids[offset] = item.callbackId;
    }
    const all = await backends.store.queryByStatus({ status: 'FAILED' });
    expect(all.items.map((i) => i.callbackId)).toEqual([ids[1], ids[2], ids[3], ids[4], ids[5]]);

    const bounded = await backends.store.queryByStatus({ status: 'FAILED', deadlineAtOrBefore: new Date(Date.parse('2030-01-01T00:03:00Z') + 60_000).toISOString() });
    expect(bounded.items.map((i) => i.callbackId)).toEqual([ids[1], ids[2], ids[3]]);

    const first = await backends.store.queryByStatus({ status: 'FAILED', limit: 2 });
    const second = await backends.store.queryByStatus({ status: 'FAILED', limit: 2, ...(first.next ? { next: first.next } : {}) });
    expect([...first.items, ...second.items].map((i) => i.callbackId)).toEqual([ids[1], ids[2], ids[3], ids[4]]);

    expect((await backends.store.queryByStatus({ status: 'FAILED', updatedBefore: '2000-01-01T00:00:00.000Z' })).items).toEqual([]);
  });
});
