import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/domain/item.js';
import type { ModerationStore } from '../../src/domain/ports.js';
import { deliverDecision, recordDecision } from '../../src/pipeline/decide.js';
import { toCallbackRequest } from '../../src/domain/callback.js';
import { addSweepReports, shardsOfGroup, sweep, type SweeperDeps } from '../../src/sweeper/sweep.js';
import { processWorkMessage } from '../../src/worker/process.js';
import { evaluate, loadPolicyFile, resolvePolicyPath } from '../../src/policy/index.js';
import { newItem } from '../../src/intake/accept.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { aMessage, callbackId } from '../support/factories.js';
import { pendingMessage } from '../support/pending.js';
import { AdjustableClock } from '../support/wait.js';

const policy = loadPolicyFile(resolvePolicyPath());
const WINDOW = 172_800;
const MARGIN = 3_600;

const moderatorAllow = (at: number): Decision => ({ action: 'ALLOW', origin: 'MODERATOR', actor: { id: 'sub-alice', name: 'alice' }, reason: 'fine', ruleIds: [], decidedAt: new Date(at).toISOString() });

describe('the sweeper (against real DynamoDB, SQS and the Chime simulator)', () => {
  let backends: Backends;
  let clock: AdjustableClock;
  let deps: SweeperDeps;

  beforeAll(async () => {
    clock = new AdjustableClock();
    // Chime and we share one clock here: what matters is our deadline versus Chime's window.
    backends = await startBackends({ simulator: { now: () => clock.now() } });
  });
  beforeEach(async () => {
    deps = {
      store: backends.store,
      callbacks: backends.callbacks,
      clock,
      leaseSeconds: 30,
      queue: backends.queue,
      expiryAction: 'DENY',
      expiryMarginSeconds: MARGIN,
      stuckAfterSeconds: 300,
      maxItemsPerCategory: 500,
    };
    // Each test starts from a clean slate: everything earlier is made terminal.
    await sweep({ ...deps, clock: { now: () => clock.now() + 10 * 86_400_000 } });
    await backends.purge('work');
  });
  afterAll(() => backends?.stop());

  const heldForReview = async (content = 'please refund me') => {
    const pending = await pendingMessage(backends, content, { clock });
    const outcome = await processWorkMessage({ ...deps, evaluate: (m) => evaluate(policy, m), callbackWindowSeconds: WINDOW }, pending.work);
    expect(outcome.status).toBe('PENDING_REVIEW');
    return pending;
  };
  const callbacksFor = (id: string) => backends.simulator.callbacks().filter((c) => c.callbackId === id);

  it('leaves an undecided item alone until it is inside the margin, and reads nothing that is not due', async () => {
    const { work } = await heldForReview();
    clock.advance((WINDOW - MARGIN - 60) * 1000);
    const report = await sweep(deps);
    expect(report.expiryDecisions).toBe(0);
    expect(report.read).toBe(0);
    expect((await backends.store.get(work.callbackId))?.status).toBe('PENDING_REVIEW');
  });

  it('applies the expiry action once inside the margin, and only once', async () => {
    const { work, messageId } = await heldForReview();
    clock.advance((WINDOW - MARGIN + 1) * 1000);
    expect(await sweep(deps)).toMatchObject({ expiryDecisions: 1, errors: [] });
    expect(await sweep(deps)).toMatchObject({ expiryDecisions: 0, redelivered: 0 });
    const item = await backends.store.get(work.callbackId);
    expect(item).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY', origin: 'EXPIRY', actor: { id: 'sweeper' }, ruleIds: ['expiry'] } });
    expect(callbacksFor(work.callbackId)).toMatchObject([{ deleteResource: true, outcome: { status: 200 } }]);
    expect(backends.simulator.messages().find((m) => m.messageId === messageId)?.status).toBe('DENIED');
  });

  it('allows instead when EXPIRY_ACTION is ALLOW', async () => {
    const { work } = await heldForReview();
    clock.advance((WINDOW - MARGIN + 1) * 1000);
    await sweep({ ...deps, expiryAction: 'ALLOW' });
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DELIVERED', decision: { action: 'ALLOW', origin: 'EXPIRY' } });
    expect(callbacksFor(work.callbackId)).toMatchObject([{ deleteResource: false }]);
  });

  it('records an item already past its deadline as EXPIRED and sends no callback', async () => {
    const { work } = await heldForReview();
    clock.advance(WINDOW * 1000 + 1);
    expect(await sweep(deps)).toMatchObject({ expired: 1, expiryDecisions: 0 });
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'EXPIRED', outcome: { reason: expect.stringMatching(/no callback/) } });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });

  it('loses cleanly to a moderator who decided first', async () => {
    const { work } = await heldForReview();
    clock.advance((WINDOW - MARGIN + 1) * 1000);
    // The moderator's decision lands between the sweeper's query and its write.
    const racing: ModerationStore = {
      ...backends.store,
      get: (id) => backends.store.get(id),
      recordReceived: (item) => backends.store.recordReceived(item),
      transition: (change) => backends.store.transition(change),
      reschedule: (item) => backends.store.reschedule(item),
      appendHistory: (id, entry, now) => backends.store.appendHistory(id, entry, now),
      listDue: async (query) => {
        const page = await backends.store.listDue(query);
        if (query.status === 'PENDING_REVIEW' && page.items.some((i) => i.callbackId === work.callbackId)) {
          await recordDecision({ ...deps }, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] });
        }
        return page;
      },
    };
    const report = await sweep({ ...deps, store: racing });
    expect(report).toMatchObject({ expiryDecisions: 0, lostRaces: 1 });
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DECIDED', decision: { origin: 'MODERATOR' } });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });

  it('re-queues a RECEIVED item that no worker picked up, once per stuck period', async () => {
    const { work } = await pendingMessage(backends, 'lost in the mail', { clock });
    await backends.purge('work'); // the enqueued copy is lost
    clock.advance(301_000);
    expect(await sweep(deps)).toMatchObject({ requeued: 1 });
    expect(await sweep(deps)).toMatchObject({ requeued: 0 });
    const queued = await backends.receive('work');
    expect(queued.map((m) => (m.body as { callbackId: string }).callbackId)).toEqual([work.callbackId]);
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'RECEIVED', redriveCount: 1 });
  });

  it('waits twice as long before each next re-drive of the same item: a backlog is not flooded with copies', async () => {
    const { work } = await pendingMessage(backends, 'queued but slow', { clock });
    await backends.purge('work');
    clock.advance(301_000);
    expect(await sweep(deps)).toMatchObject({ requeued: 1 });
    clock.advance(301_000);
    expect(await sweep(deps)).toMatchObject({ requeued: 0, read: 0 }); // not due until 600 s after the first re-drive
    clock.advance(300_000);
    expect(await sweep(deps)).toMatchObject({ requeued: 1 });
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'RECEIVED', redriveCount: 2 });
    expect((await backends.store.get(work.callbackId))!.history.at(-1)?.reason).toMatch(/within 600s/);
  });

  it('delivers a recorded decision whose callback never landed, once its lease lapsed', async () => {
    const { work, messageId } = await heldForReview('refund please');
    await recordDecision(deps, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] }); // …and then the process died
    expect(await sweep(deps)).toMatchObject({ redelivered: 0 }); // not stuck yet
    clock.advance(301_000);
    expect(await sweep(deps)).toMatchObject({ redelivered: 1 });
    expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DELIVERED', decision: { origin: 'MODERATOR' } });
    expect(backends.simulator.messages().find((m) => m.messageId === messageId)?.status).toBe('SENT');
  });

  it('expires a recorded decision that can no longer be delivered', async () => {
    const { work } = await heldForReview();
    await recordDecision(deps, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] });
    clock.advance(WINDOW * 1000 + 1);
    expect(await sweep(deps)).toMatchObject({ expired: 1 });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });

  it('pages through more items than one query returns, and stops at its per-sweep cap', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 15; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const item = newItem(callbackId(), aMessage({ createdTimestamp: undefined }), clock.now() - WINDOW * 1000 - 1000, WINDOW);
          await backends.store.recordReceived({ ...item, status: 'PENDING_REVIEW' });
          ids.push(item.callbackId);
        }),
      );
    }
    // The cap counts items read, and every item read is due.
    expect(await sweep({ ...deps, maxItemsPerCategory: 120 })).toMatchObject({ expired: 120, read: 120, errors: [] });
    expect(await sweep({ ...deps, maxItemsPerCategory: 120 })).toMatchObject({ expired: 30, read: 30 });
    const statuses = await Promise.all(ids.map(async (id) => (await backends.store.get(id))?.status));
    expect(new Set(statuses)).toEqual(new Set(['EXPIRED']));
  });

  describe('a delivery in flight at the deadline', () => {
    it('is never expired while its deliverer holds the lease; once the lease lapses, a callback that landed is read back and recorded DELIVERED', async () => {
      const { work, messageId } = await heldForReview('a refund, decided at the last second');
      // A moderator decides ten seconds before the deadline; the deliverer takes the lease…
      clock.advance((WINDOW - 10) * 1000);
      const decided = await recordDecision(deps, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] });
      // …its callback lands in Chime, and its answer is on the way when the deadline passes.
      await backends.callbacks.send(toCallbackRequest(decided, decided.decision!));
      clock.advance(11_000);
      expect(await sweep(deps)).toMatchObject({ expired: 0, retryLater: 1 });
      expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DECIDED' });
      // The deliverer died without writing. After its lease, the sweeper asks Chime before concluding.
      clock.advance(30_000);
      expect(await sweep(deps)).toMatchObject({ expired: 0, redelivered: 1 });
      expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DELIVERED', delivery: { confirmedBy: 'read-back' } });
      expect(backends.simulator.messages().find((m) => m.messageId === messageId)?.status).toBe('SENT');
    });

    it('records a callback Chime accepted DELIVERED even if the item was expired meanwhile: Chime\'s word is the fact', async () => {
      const { work } = await heldForReview();
      const decided = await recordDecision(deps, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] });
      // An older sweeper (or anything else) wrote EXPIRED while this deliverer was calling.
      await backends.store.transition({ callbackId: decided.callbackId, deadline: decided.deadline, from: ['DECIDED'], to: 'EXPIRED', set: { outcome: { reason: 'x' } }, history: { actor: 'sweeper', event: 'expired' }, now: clock.now() });
      const outcome = await deliverDecision(deps, decided, 'alice');
      expect(outcome).toMatchObject({ status: 'DELIVERED', item: { status: 'DELIVERED', delivery: { confirmedBy: 'answer' } } });
      expect((await backends.store.get(work.callbackId))?.outcome).toBeUndefined();
    });

    it('leaves a past-deadline item in doubt DECIDED while Chime cannot be read, then EXPIRED marked unsettled an hour on', async () => {
      const { work } = await heldForReview();
      const decided = await recordDecision(deps, work, moderatorAllow(clock.now()), { from: ['PENDING_REVIEW'] });
      await backends.store.transition({ callbackId: decided.callbackId, deadline: decided.deadline, from: ['DECIDED'], to: 'DECIDED', expectedVersion: decided.version, set: { delivery: { attempts: 1, leaseUntil: 0, inDoubt: true } }, history: { actor: 'worker', event: 'delivery-in-doubt' }, now: clock.now() });
      const unreadable: SweeperDeps = { ...deps, callbacks: { send: (r) => backends.callbacks.send(r), readStatus: async () => ({ status: 'UNREADABLE', errorType: 'ThrottledClientException', message: 'slow down' }) } };
      clock.advance(WINDOW * 1000 + 1_000);
      expect(await sweep(unreadable)).toMatchObject({ expired: 0, retryLater: 1 });
      expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'DECIDED' });
      clock.advance(3_600_000);
      expect(await sweep(unreadable)).toMatchObject({ expired: 1 });
      expect(await backends.store.get(work.callbackId)).toMatchObject({ status: 'EXPIRED', outcome: { unsettled: true } });
    });
  });

  it('fans out per shard group under a deadline storm: every held item gets the expiry action once, each shard read by one group', async () => {
    const groups = TEST_KEYS.statusShards;
    const ids = await Promise.all(
      Array.from({ length: 240 }, async (_, i) => {
        const item = newItem(callbackId(), aMessage({ createdTimestamp: undefined, content: `storm ${i}` }), clock.now() - (WINDOW - MARGIN + 60) * 1000, WINDOW);
        await backends.store.recordReceived({ ...item, status: 'PENDING_REVIEW' });
        return item.callbackId;
      }),
    );
    // Held items the emulator never issued: it refuses their callbacks (400), which is recorded FAILED.
    // What matters here is that each is decided once, by the one group that owns its shard.
    const reports = await Promise.all(Array.from({ length: groups }, (_, group) => sweep({ ...deps, shards: shardsOfGroup(group, groups, TEST_KEYS.statusShards), maxItemsPerCategory: undefined })));
    const total = addSweepReports(reports);
    expect(total).toMatchObject({ expiryDecisions: 240, read: 240, lostRaces: 0, errors: [] });
    for (const report of reports) expect(report.read).toBeGreaterThan(0);
    const items = await Promise.all(ids.map((id) => backends.store.get(id)));
    for (const item of items) expect(item?.history.filter((h) => h.event.startsWith('decided:'))).toHaveLength(1);
    expect(await sweep(deps)).toMatchObject({ expiryDecisions: 0, read: 0 });
  });
});
