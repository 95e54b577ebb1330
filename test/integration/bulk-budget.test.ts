/**
 * A bulk decision never outruns the API's time (the review API function has 10 s): decisions are
 * recorded until BULK_BUDGET.recordByMs and delivered here until BULK_BUDGET.deliverByMs; later
 * ones are recorded without a lease and handed to the workers, or (not even recorded in time)
 * answered 503 not-attempted, with nothing done to them. Real DynamoDB and the Chime emulator;
 * each callback here "takes" 350 ms of the request's clock, and each write 100 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { CallbackSender } from '../../src/domain/ports.js';
import { BULK_BUDGET, decideMany } from '../../src/review/decisions.js';
import { reviewDepsOn, startBackends, type Backends } from '../support/backends.js';
import { pendingMessage } from '../support/pending.js';

describe('a bulk decision inside its time budget', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(() => backends?.stop());

  it('delivers what fits, hands the rest to the workers unleased, and answers 503 for what it could not start', async () => {
    // A clock only the test moves: real time spent on a loaded machine must not shift the budget.
    let nowMs = Date.now();
    const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
    const held: ModerationItem[] = [];
    for (let i = 0; i < 15; i += 1) {
      const { item } = await pendingMessage(backends, `refund ${i}`);
      held.push((await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 'worker', event: 'held-for-review' }, now: clock.now() }))!);
    }
    // A slow Chime and a slow table: every callback moves the request's clock on by 350 ms, every write by 100 ms.
    const slow: CallbackSender = {
      send: async (request) => {
        clock.advance(350);
        await backends.callbacks.send(request);
      },
      readStatus: (message) => backends.callbacks.readStatus(message),
    };
    const store = Object.assign(Object.create(Object.getPrototypeOf(backends.store)), backends.store, {
      transition: async (change: Parameters<typeof backends.store.transition>[0]) => {
        clock.advance(100);
        return backends.store.transition(change);
      },
    });
    const deps = reviewDepsOn(backends, { store, callbacks: slow, clock });
    await backends.purge('work');
    const principal = { subject: 'sub-ada', username: 'ada', groups: ['moderators'], isAdmin: false, isModerator: true };
    const result = await decideMany(deps, principal, { decisions: held.map((i) => ({ callbackId: i.callbackId, action: 'ALLOW' as const })) });

    const statuses = result.results.map((r) => (r.status === 200 ? r.item!.status : `${r.status} ${r.problem?.type.split('/').at(-1)}`));
    // Five at a time: the first round is recorded and delivered (by 2.75 s: past deliverByMs), later
    // ones are only recorded (for the workers), and past recordByMs not attempted at all.
    expect(statuses.filter((s) => s === 'DELIVERED').length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 'DECIDED').length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === '503 not-attempted').length).toBeGreaterThan(0);
    expect(BULK_BUDGET.recordByMs + BULK_BUDGET.deliverByMs).toBeLessThan(10_000);
    for (const [i, r] of result.results.entries()) {
      const stored = (await backends.store.get(held[i]!.callbackId))!;
      if (r.status === 503) expect(stored).toMatchObject({ status: 'PENDING_REVIEW' });
      if (r.status === 200 && r.item!.status === 'DECIDED') expect(stored.delivery?.leaseUntil).toBe(0);
    }
    // What was handed over is on the work queue for a worker to deliver at once.
    const queued = (await backends.receive('work')).map((m) => (m.body as { callbackId: string }).callbackId);
    const decidedOnly = result.results.filter((r) => r.status === 200 && r.item!.status === 'DECIDED').map((r) => r.callbackId);
    expect(queued.sort()).toEqual(decidedOnly.sort());
  });
});
