/**
 * The review API's store operations against a real DynamoDB endpoint (dynalite, or
 * DYNAMODB_ENDPOINT): the claim guard inside the conditional write, the filtered queue, the
 * audit index and the counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import { TransitionConflictError } from '../../src/errors.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordDecision } from '../../src/pipeline/decide.js';
import { claimReview } from '../../src/review/claims.js';
import { shardOf } from '../../src/adapters/table-keys.js';
import { reviewDepsOn, startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { aMessage, callbackId, channelArn } from '../support/factories.js';

const NOW = Date.parse('2026-05-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function pending(overrides: Partial<ModerationItem> = {}): ModerationItem {
  return {
    callbackId: callbackId(),
    message: aMessage(),
    receivedAt: iso(NOW),
    deadline: iso(NOW + 3_600_000),
    status: 'PENDING_REVIEW',
    version: 2,
    updatedAt: iso(NOW),
    policy: { action: 'REVIEW', ruleIds: ['terms.review'], reason: 'r', findings: [] },
    history: [],
    ...overrides,
  };
}

describe('review store operations', () => {
  let backends: Backends;

  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(async () => {
    await backends?.stop();
  });

  const claimTo = (item: ModerationItem, subject: string, untilMs: number, now = NOW) =>
    backends.store.transition({
      callbackId: item.callbackId,
      deadline: item.deadline,
      from: ['PENDING_REVIEW'],
      to: 'PENDING_REVIEW',
      claimableBy: subject,
      set: { claim: { subject, until: iso(untilMs), claimedAt: iso(now) } },
      history: { actor: subject, event: 'claimed' },
      now,
    });

  describe('the claim guard', () => {
    it('lets the first claimant in and keeps everyone else out until the lease ends', async () => {
      const item = pending();
      await backends.store.recordReceived(item);
      await claimTo(item, 'alice', NOW + 60_000);
      const refused = await claimTo(item, 'bob', NOW + 60_000, NOW + 59_999).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TransitionConflictError);
      expect((refused as TransitionConflictError).current?.claim?.subject).toBe('alice');
      // The holder may write; at `until` the lease is over and anyone may.
      await expect(claimTo(item, 'alice', NOW + 120_000, NOW + 30_000)).resolves.toMatchObject({ claim: { subject: 'alice' } });
      await expect(claimTo(item, 'bob', NOW + 300_000, NOW + 120_000)).resolves.toMatchObject({ claim: { subject: 'bob' } });
    });

    it('guards a decision the same way, and the winner’s write removes the claim', async () => {
      const item = pending();
      await backends.store.recordReceived(item);
      await claimTo(item, 'alice', NOW + 60_000);
      const deps = { store: backends.store, callbacks: backends.callbacks, clock: { now: () => NOW + 1_000 }, leaseSeconds: 30 };
      const decision = (who: string) => ({ action: 'ALLOW' as const, origin: 'MODERATOR' as const, actor: { id: who }, reason: 'ok', ruleIds: [], decidedAt: iso(NOW + 1_000) });
      await expect(recordDecision(deps, item, decision('bob'), { from: ['PENDING_REVIEW'], claimableBy: 'bob', remove: ['claim'] })).rejects.toBeInstanceOf(TransitionConflictError);
      const decided = await recordDecision(deps, item, decision('alice'), { from: ['PENDING_REVIEW'], claimableBy: 'alice', remove: ['claim'] });
      expect(decided).toMatchObject({ status: 'DECIDED', auditKey: `2026-05-01#${shardOf(item.callbackId, TEST_KEYS.auditShards)}`, auditSort: `${iso(NOW + 1_000)}#${item.callbackId}`, decidedById: 'alice' });
      expect(decided.claim).toBeUndefined();
    });
  });

  describe('listPendingReviews', () => {
    it('returns exactly `limit` matches across sparse filtered pages, with a position to resume from', async () => {
      const channel = channelArn();
      const items = Array.from({ length: 300 }, (_, i) => pending({ deadline: iso(NOW + 7_200_000 + i), message: aMessage(i % 10 === 0 ? { channelArn: channel } : {}) }));
      for (let i = 0; i < items.length; i += 25) await Promise.all(items.slice(i, i + 25).map((item) => backends.store.recordReceived(item)));
      const wanted = items.filter((_, i) => i % 10 === 0).map((i) => i.callbackId);

      const first = await backends.store.listPendingReviews({ channelArn: channel, subject: 's', now: NOW, limit: 20 });
      expect(first.items.map((i) => i.callbackId)).toEqual(wanted.slice(0, 20));
      expect(first.next).toBeDefined();
      const rest = await backends.store.listPendingReviews({ channelArn: channel, subject: 's', now: NOW, limit: 20, next: first.next! });
      expect(rest.items.map((i) => i.callbackId)).toEqual(wanted.slice(20));
      expect(rest.next).toBeUndefined();
    });
  });

  describe('the audit index', () => {
    it('holds decided items only, by day, newest first, with filters', async () => {
      const channel = channelArn();
      const deps = (at: number) => ({ store: backends.store, callbacks: backends.callbacks, clock: { now: () => at }, leaseSeconds: 30 });
      const decide = async (at: number, origin: 'AUTO' | 'MODERATOR', actor: string) => {
        const item = pending({ deadline: iso(at + 3_600_000), message: aMessage({ channelArn: channel }) });
        await backends.store.recordReceived(item);
        return recordDecision(deps(at), item, { action: 'ALLOW', origin, actor: { id: actor, name: actor }, reason: 'r', ruleIds: [], decidedAt: iso(at) }, { from: ['PENDING_REVIEW'] });
      };
      const a = await decide(Date.parse('2026-04-10T01:00:00.000Z'), 'AUTO', 'policy');
      const b = await decide(Date.parse('2026-04-10T05:00:00.000Z'), 'MODERATOR', 'alice');
      const c = await decide(Date.parse('2026-04-10T09:00:00.000Z'), 'MODERATOR', 'bob');
      await decide(Date.parse('2026-04-11T09:00:00.000Z'), 'MODERATOR', 'bob');
      await backends.store.recordReceived(pending({ message: aMessage({ channelArn: channel }) })); // undecided: not in the index

      const day = { day: '2026-04-10', from: '2026-04-01T00:00:00.000Z', to: '2026-04-30T00:00:00.000Z', channelArn: channel };
      expect((await backends.store.listDecisionsOfDay({ ...day, limit: 10 })).items.map((i) => i.callbackId)).toEqual([c.callbackId, b.callbackId, a.callbackId]);
      expect((await backends.store.listDecisionsOfDay({ ...day, origin: 'MODERATOR', limit: 10 })).items.map((i) => i.callbackId)).toEqual([c.callbackId, b.callbackId]);
      expect((await backends.store.listDecisionsOfDay({ ...day, actor: 'alice', limit: 10 })).items.map((i) => i.callbackId)).toEqual([b.callbackId]);
      // The time range bounds the listing within the day.
      expect((await backends.store.listDecisionsOfDay({ ...day, from: '2026-04-10T04:00:00.000Z', to: '2026-04-10T06:00:00.000Z', limit: 10 })).items.map((i) => i.callbackId)).toEqual([b.callbackId]);
    });
  });

  describe('the audit index across shards', () => {
    it('pages one busy day newest first, exactly, with no gap or repeat across its shards', async () => {
      const channel = channelArn();
      const base = Date.parse('2026-03-03T00:00:00.000Z');
      const deps = (at: number) => ({ store: backends.store, callbacks: backends.callbacks, clock: { now: () => at }, leaseSeconds: 30 });
      const decided: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        const at = base + (i % 7 === 0 ? 0 : i) * 60_000; // several decisions share one instant
        const item = pending({ deadline: iso(at + 3_600_000), message: aMessage({ channelArn: channel }) });
        await backends.store.recordReceived(item);
        await recordDecision(deps(at), item, { action: 'DENY', origin: 'MODERATOR', actor: { id: 'carol', name: 'carol' }, reason: 'r', ruleIds: [], decidedAt: iso(at) }, { from: ['PENDING_REVIEW'] });
        decided.push(item.callbackId);
      }
      const expected = [...decided].sort((x, y) => {
        const item = (id: string) => decided.indexOf(id);
        const at = (id: string) => (item(id) % 7 === 0 ? 0 : item(id));
        return at(y) - at(x) || (y < x ? -1 : 1);
      });
      const query = { day: '2026-03-03', from: '2026-03-03T00:00:00.000Z', to: '2026-03-03T23:59:59.999Z', channelArn: channel };
      const seen: string[] = [];
      let next: Record<string, unknown> | undefined;
      do {
        const page = await backends.store.listDecisionsOfDay({ ...query, limit: 6, ...(next ? { next } : {}) });
        seen.push(...page.items.map((i) => i.callbackId));
        next = page.next;
      } while (next);
      expect(seen).toEqual(expected);
    });
  });

  describe('two renewals of one claim at once', () => {
    it('counts both: the loser of the write reads again and renews on top, none is lost silently', async () => {
      const item = pending({ deadline: iso(Date.now() + 3_600_000), receivedAt: iso(Date.now()), updatedAt: iso(Date.now()) });
      await backends.store.recordReceived(item);
      const alice = { subject: 'sub-alice', username: 'alice', groups: ['moderators'], isAdmin: false, isModerator: true };
      const deps = reviewDepsOn(backends);
      await claimReview(deps, alice, item.callbackId, 300);
      await claimReview(deps, alice, item.callbackId, 300); // the `claimed` entry now counts 2
      // Both renewals read the item before either writes (a latch on the store's reads).
      let waiting = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      const latched = { ...deps, store: Object.assign(Object.create(Object.getPrototypeOf(deps.store)), deps.store, {
        get: async (id: string) => {
          const read = await deps.store.get(id);
          if (++waiting === 2) release();
          await bothRead;
          return read;
        },
      }) };
      await Promise.all([claimReview(latched, alice, item.callbackId, 300), claimReview(latched, alice, item.callbackId, 300)]);
      const current = (await backends.store.get(item.callbackId))!;
      expect(current.history.filter((h) => h.event === 'claimed')).toEqual([expect.objectContaining({ count: 4 })]);
    });
  });

  describe('what the eventually consistent index says, checked against the item', () => {
    it('leaves out of the queue, the nearest deadline and the sweep an item whose index entry is stale', async () => {
      // The index still files it under PENDING_REVIEW (a write not yet propagated to the GSI);
      // the item itself, read strongly, was decided.
      const stale = pending({ deadline: iso(Date.now() + 60_000), receivedAt: iso(Date.now()), updatedAt: iso(Date.now()) });
      await backends.store.recordReceived(stale);
      await backends.clients.documents.send(
        new UpdateCommand({ TableName: backends.resources.tableName, Key: { callbackId: stale.callbackId }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'DECIDED' } }),
      );
      const queue = await backends.store.listPendingReviews({ subject: 'x', now: Date.now(), claimed: 'any', limit: 100 });
      expect(queue.items.map((i) => i.callbackId)).not.toContain(stale.callbackId);
      expect((await backends.store.nearestPendingReview())?.callbackId).not.toBe(stale.callbackId);
      const due = await backends.store.listDue({ status: 'PENDING_REVIEW', at: iso(Date.now() + 86_400_000), limit: 100 });
      expect(due.items.map((i) => i.callbackId)).not.toContain(stale.callbackId);
    });
  });
});
