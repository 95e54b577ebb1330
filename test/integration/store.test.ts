import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransitionConflictError } from '../../src/errors.js';
import { newItem } from '../../src/intake/accept.js';
import { aMessage, callbackId } from '../support/factories.js';
import { shardOf } from '../../src/adapters/table-keys.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';

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
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 'test', event: 'held' }, now: Date.now() });
    const again = await backends.store.recordReceived({ ...item, message: { ...item.message, content: 'changed' } });
    expect(again.created).toBe(false);
    expect(again.item).toMatchObject({ status: 'PENDING_REVIEW', message: { content: item.message.content } });
  });

  it('applies a transition from an expected status: version, history and TTL follow', async () => {
    const item = await received();
    const decided = await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'DECIDED', set: { outcome: { reason: 'x' } }, history: { actor: 'worker', event: 'decided:ALLOW', reason: 'clean' }, now: Date.now() });
    expect(decided).toMatchObject({ status: 'DECIDED', version: 2, outcome: { reason: 'x' } });
    expect(decided.history.at(-1)).toMatchObject({ from: 'RECEIVED', to: 'DECIDED', actor: 'worker', event: 'decided:ALLOW', reason: 'clean' });
    expect(decided.expiresAt).toBeUndefined();
    const delivered = await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['DECIDED'], to: 'DELIVERED', remove: ['outcome'], history: { actor: 'worker', event: 'delivered' }, now: Date.now() });
    expect(delivered.outcome).toBeUndefined();
    expect(delivered.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });

  it('refuses a transition from another status and says what the item is now', async () => {
    const item = await received();
    const error = await backends.store
      .transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['PENDING_REVIEW'], to: 'DECIDED', history: { actor: 'alice', event: 'decided:DENY' }, now: Date.now() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransitionConflictError);
    expect((error as TransitionConflictError).current).toMatchObject({ status: 'RECEIVED', version: 1 });
    expect((error as Error).message).toMatch(/is RECEIVED \(version 1\); expected status PENDING_REVIEW/);
  });

  it('refuses a stale expected version', async () => {
    const item = await received();
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'RECEIVED', history: { actor: 'sweeper', event: 'requeued' }, now: Date.now() });
    await expect(
      backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'DECIDED', expectedVersion: 1, history: { actor: 'x', event: 'y' }, now: Date.now() }),
    ).rejects.toMatchObject({ current: { version: 2 } });
  });

  it('refuses a transition on an unknown CallbackId without creating it', async () => {
    const id = callbackId();
    await expect(backends.store.transition({ callbackId: id, deadline: new Date().toISOString(), from: ['RECEIVED'], to: 'DECIDED', history: { actor: 'x', event: 'y' }, now: Date.now() })).rejects.toMatchObject({ current: undefined });
    expect(await backends.store.get(id)).toBeUndefined();
  });

  it('lets exactly one of many concurrent deciders win', async () => {
    const item = await received();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'DECIDED', history: { actor: `decider-${i}`, event: 'decided' }, now: Date.now() }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof TransitionConflictError)).toHaveLength(9);
    expect((await backends.store.get(item.callbackId))?.history.filter((h) => h.event === 'decided')).toHaveLength(1);
  });

  it('keeps live items in the sharded live index by sweep moment: lists what is due, soonest first, across shards, with paging', async () => {
    // A table of its own: everything other tests leave RECEIVED is due by any later time.
    const own = await startBackends();
    const base = Date.parse('2031-01-01T00:00:00Z');
    const store = own.store;
    const made = [];
    for (let i = 0; i < 12; i += 1) {
      // Received at base + i minutes with a 1 h window: a RECEIVED item is due at min(received + 300 s stuck, deadline − margin=1 h) = received.
      const item = newItem(callbackId(), aMessage({ createdTimestamp: undefined }), base + i * 60_000, 3600);
      await store.recordReceived({ ...item, updatedAt: new Date(base + i * 60_000 - 300_000).toISOString() });
      made.push(item);
    }
    const due = await store.listDue({ status: 'RECEIVED', at: new Date(base + 7 * 60_000).toISOString(), limit: 100 });
    expect(due.items.map((i) => i.callbackId)).toEqual(made.slice(0, 8).map((i) => i.callbackId));
    expect(due.next).toBeUndefined();

    // Paging: three at a time, in order, no gap and no repeat, whatever shard each item is in.
    const paged: string[] = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await store.listDue({ status: 'RECEIVED', at: new Date(base + 11 * 60_000).toISOString(), limit: 3, ...(next ? { next } : {}) });
      paged.push(...page.items.map((i) => i.callbackId));
      next = page.next;
    } while (next);
    expect(paged).toEqual(made.map((i) => i.callbackId));
    expect(new Set(made.map((i) => shardOf(i.callbackId, TEST_KEYS.statusShards))).size).toBeGreaterThan(1);

    // A terminal item leaves the index (a FAILED one moves to FAILED#shard by its deadline, for a
    // re-delivery while its window is open); a live one moves partitions with its status.
    await store.transition({ callbackId: made[0]!.callbackId, deadline: made[0]!.deadline, from: ['RECEIVED'], to: 'FAILED', history: { actor: 't', event: 'f' }, now: base });
    await store.transition({ callbackId: made[8]!.callbackId, deadline: made[8]!.deadline, from: ['RECEIVED'], to: 'EXPIRED', history: { actor: 't', event: 'e' }, now: base });
    await store.transition({ callbackId: made[1]!.callbackId, deadline: made[1]!.deadline, from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 't', event: 'held' }, now: base });
    const after = await store.listDue({ status: 'RECEIVED', at: new Date(base + 7 * 60_000).toISOString(), limit: 100 });
    expect(after.items.map((i) => i.callbackId)).toEqual(made.slice(2, 8).map((i) => i.callbackId));
    const failed = (await store.get(made[0]!.callbackId)) as unknown as Record<string, unknown>;
    expect(failed.liveKey).toBe(`FAILED#${shardOf(made[0]!.callbackId, TEST_KEYS.statusShards)}`);
    expect(failed.dueKey).toBe(`${made[0]!.deadline}#${made[0]!.callbackId}`);
    expect((await store.listFailed({ openAfter: new Date(base).toISOString(), limit: 10 })).items.map((i) => i.callbackId)).toContain(made[0]!.callbackId);
    expect((await store.listFailed({ openAfter: made[0]!.deadline, limit: 10 })).items.map((i) => i.callbackId)).not.toContain(made[0]!.callbackId);
    const expired = (await store.get(made[8]!.callbackId)) as unknown as Record<string, unknown>;
    expect(expired.liveKey).toBeUndefined();
    expect(expired.dueKey).toBeUndefined();
    const held = (await store.get(made[1]!.callbackId)) as unknown as Record<string, unknown>;
    expect(held.liveKey).toBe(`PENDING_REVIEW#${shardOf(made[1]!.callbackId, TEST_KEYS.statusShards)}`);
    // Held for review, it is due at deadline − margin (here: its receipt, as the window is the margin).
    expect(held.dueKey).toBe(`${new Date(Date.parse(made[1]!.deadline) - 3600_000).toISOString()}#${made[1]!.callbackId}`);
    await own.stop();
  });

  it('counts every status move and decision into the statistics, by hour', async () => {
    const hour = '2032-02-02T10';
    const at = Date.parse(`${hour}:15:00Z`);
    const item = newItem(callbackId(), aMessage({ createdTimestamp: undefined }), at, 172_800);
    await backends.store.recordReceived(item);
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'DECIDED', set: { decision: { action: 'ALLOW', origin: 'AUTO', actor: { id: 'policy' }, reason: 'r', ruleIds: [], decidedAt: new Date(at + 1000).toISOString() } }, history: { actor: 'w', event: 'decided:ALLOW' }, now: at + 1000 });
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['DECIDED', 'ALREADY_RESOLVED'], to: 'DELIVERED', history: { actor: 'w', event: 'delivered' }, now: at + 2000 });
    await backends.counters.flush();
    const { hours, complete } = await backends.counters.hourly(hour, hour);
    expect(complete).toBe(true);
    expect(hours).toHaveLength(1);
    expect(hours[0]!.statuses).toMatchObject({ RECEIVED: 0, DECIDED: 0, DELIVERED: 1 });
    expect(hours[0]!.decisions).toEqual({ AUTO: 1, MODERATOR: 0, EXPIRY: 0 });
  });
});
