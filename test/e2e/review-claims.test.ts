import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';
import { AdjustableClock } from '../support/wait.js';

describe('claims: leases on review items', () => {
  let stack: LocalStack;
  const clock = new AdjustableClock();
  let alice: string;
  let bob: string;
  let ada: string;

  beforeAll(async () => {
    stack = await startReviewStack({ clock });
    // Long-lived tokens: the tests move the clock forward by minutes.
    alice = await tokenFor(stack, 'alice', ['moderators'], { ttlSeconds: 86_400 });
    bob = await tokenFor(stack, 'bob', ['moderators'], { ttlSeconds: 86_400 });
    ada = await tokenFor(stack, 'ada', ['admins'], { ttlSeconds: 86_400 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const pending = async () => (await seedPendingReviews(stack, 1))[0]!;
  const claim = (id: string, token: string, body?: unknown) => api(stack, 'POST', `/reviews/${id}/claim`, { token, ...(body !== undefined ? { json: body } : {}) });
  const release = (id: string, token: string) => api(stack, 'DELETE', `/reviews/${id}/claim`, { token });

  it('grants a 300 s lease by default, records who holds it, and bumps the version', async () => {
    const item = await pending();
    const before = clock.now();
    const response = await claim(item.callbackId, alice);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ version: 3, claim: { username: 'alice', active: true } });
    const until = Date.parse(response.body.claim.until);
    expect(until).toBeGreaterThanOrEqual(before + 300_000);
    expect(until).toBeLessThan(before + 310_000);
    expect(response.body.history.at(-1)).toMatchObject({ actor: 'alice', event: 'claimed' });
  });

  it('honours leaseSeconds up to 3600 and refuses more', async () => {
    const item = await pending();
    const response = await claim(item.callbackId, alice, { leaseSeconds: 3600 });
    expect(response.status).toBe(200);
    expect(Date.parse(response.body.claim.until) - clock.now()).toBeGreaterThan(3590_000);
    const tooLong = await claim(item.callbackId, alice, { leaseSeconds: 3601 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([{ path: 'body.leaseSeconds', message: expect.stringMatching(/3600/) }]);
  });

  it('answers 409 to someone else while the lease runs, naming the holder and until when', async () => {
    const item = await pending();
    const mine = await claim(item.callbackId, alice);
    const theirs = await claim(item.callbackId, bob);
    expect(theirs.status).toBe(409);
    expect(theirs.headers.get('content-type')).toContain('application/problem+json');
    expect(theirs.body).toMatchObject({
      type: expect.stringMatching(/\/claim-conflict$/),
      status: 409,
      claimedBy: { username: 'alice' },
      until: mine.body.claim.until,
      detail: expect.stringContaining('alice'),
    });
    // And refuses bob's decision while alice holds it; nothing changes.
    const decision = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: bob, json: { action: 'DENY', reason: 'spam' } });
    expect(decision.status).toBe(409);
    expect(decision.body.type).toMatch(/\/claim-conflict$/);
    expect((await stack.runtime.store.get(item.callbackId))).toMatchObject({ status: 'PENDING_REVIEW', version: 3, claim: { username: 'alice' } });
  });

  it('extends the lease when the holder claims again, keeping when it was first claimed', async () => {
    const item = await pending();
    const first = await claim(item.callbackId, alice, { leaseSeconds: 60 });
    clock.advance(30_000);
    const again = await claim(item.callbackId, alice, { leaseSeconds: 600 });
    expect(again.status).toBe(200);
    expect(Date.parse(again.body.claim.until)).toBeGreaterThan(Date.parse(first.body.claim.until));
    expect(again.body.claim.claimedAt).toBe(first.body.claim.claimedAt);
    // The renewal does not add an entry: the holder's `claimed` entry counts it (bounded history).
    expect(again.body.history.length).toBe(first.body.history.length);
    expect(again.body.history.at(-1)).toMatchObject({ event: 'claimed', actor: 'alice', count: 2 });
    expect(Date.parse(again.body.history.at(-1).lastAt) - Date.parse(again.body.history.at(-1).at)).toBeGreaterThanOrEqual(30_000);
  });

  it('lets anyone claim once the lease has run out', async () => {
    const item = await pending();
    await claim(item.callbackId, alice, { leaseSeconds: 60 });
    clock.advance(59_000);
    expect((await claim(item.callbackId, bob)).status).toBe(409);
    clock.advance(1_000);
    const listed = await api(stack, 'GET', `/reviews/${item.callbackId}`, { token: bob });
    expect(listed.body.claim).toMatchObject({ username: 'alice', active: false });
    const taken = await claim(item.callbackId, bob);
    expect(taken.status).toBe(200);
    expect(taken.body.claim).toMatchObject({ username: 'bob', active: true });
  });

  it('releases: the holder may, another moderator may not, an admin may release anyone’s', async () => {
    const item = await pending();
    await claim(item.callbackId, alice);
    const refused = await release(item.callbackId, bob);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/claim-conflict$/), claimedBy: { username: 'alice' } });

    const released = await release(item.callbackId, alice);
    expect(released.status).toBe(200);
    expect(released.body.claim).toBeNull();
    expect(released.body.history.at(-1)).toMatchObject({ actor: 'alice', event: 'released' });

    await claim(item.callbackId, bob);
    const byAdmin = await release(item.callbackId, ada);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.claim).toBeNull();
    expect(byAdmin.body.history.at(-1)).toMatchObject({ actor: 'ada', event: 'released', reason: expect.stringContaining('bob') });
  });

  it('treats releasing an unclaimed item as done, without writing', async () => {
    const item = await pending();
    const response = await release(item.callbackId, alice);
    expect(response.status).toBe(200);
    expect(response.body.version).toBe(2);
  });

  it('lets exactly one of two simultaneous claims win', async () => {
    for (let round = 0; round < 5; round += 1) {
      const item = await pending();
      const results = await Promise.all([claim(item.callbackId, alice), claim(item.callbackId, bob)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!.body.claim.username;
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.claimedBy.username).toBe(winner);
      expect((await stack.runtime.store.get(item.callbackId))?.claim?.username).toBe(winner);
    }
  });

  it('refuses to claim an item that is already decided, saying by whom', async () => {
    const item = await pending();
    await claim(item.callbackId, alice);
    // The decision lands (the Chime simulator does not know this seeded CallbackId, so the
    // callback fails; the decision is recorded all the same).
    const decided = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: alice, json: { action: 'DENY', reason: 'scam' } });
    expect(decided.status).toBe(200);
    expect(decided.body.claim).toBeNull();
    const response = await claim(item.callbackId, bob);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/\/already-decided$/), decidedBy: { name: 'alice' }, action: 'DENY', origin: 'MODERATOR', itemStatus: 'FAILED' });
  });

  it('never keeps the expiry policy from running: the sweeper decides a claimed item at the margin', async () => {
    const [item] = await seedPendingReviews(stack, 1, { firstDeadlineMs: clock.now() + stack.config.expiryMarginSeconds * 1000 + 60_000 });
    await claim(item!.callbackId, alice, { leaseSeconds: 3600 });
    clock.advance(120_000); // now inside the margin, with alice's lease still running
    const report = await stack.sweepNow();
    expect(report.expiryDecisions).toBeGreaterThanOrEqual(1);
    const after = await stack.runtime.store.get(item!.callbackId);
    expect(after?.decision).toMatchObject({ origin: 'EXPIRY', actor: { id: 'sweeper' } });
  });

  it('answers 410 to a claim past the deadline', async () => {
    const [item] = await seedPendingReviews(stack, 1, { firstDeadlineMs: clock.now() + 1_000 });
    clock.advance(2_000);
    const response = await claim(item!.callbackId, alice);
    expect(response.status).toBe(410);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/\/deadline-passed$/), deadline: item!.deadline });
  });
});
