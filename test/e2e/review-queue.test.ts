import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn, userArn } from '../support/factories.js';
import { aPendingReview, api, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';

describe('GET /reviews: the queue, most urgent first', () => {
  let stack: LocalStack;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    alice = await tokenFor(stack, 'alice');
    bob = await tokenFor(stack, 'bob');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const list = async (query: string, token = alice) => {
    const response = await api(stack, 'GET', `/reviews?${query}`, { token });
    expect(response.status, response.text).toBe(200);
    return response.body as { items: Array<Record<string, any>>; next?: string };
  };

  it('lists PENDING_REVIEW items by deadline, nearest first, with message, sender, reasons, deadline, time left and claim', async () => {
    const channel = channelArn();
    const now = stack.runtime.clock.now();
    const window = stack.config.callbackWindowSeconds * 1000;
    // Written out of order on purpose.
    const offsets = [5, 1, 4, 2, 3];
    const items = offsets.map((o) => aPendingReview(stack, now + window - 3_600_000 + o * 60_000, { channel, ruleIds: ['terms.review', 'pii.email'] }));
    for (const item of items) await stack.runtime.store.recordReceived(item);
    // Items in other states never appear in the queue.
    const received = { ...aPendingReview(stack, now + 60_000, { channel }), status: 'RECEIVED' as const };
    const delivered = { ...aPendingReview(stack, now + 60_000, { channel }), status: 'DELIVERED' as const };
    await stack.runtime.store.recordReceived(received);
    await stack.runtime.store.recordReceived(delivered);

    const askedAt = stack.runtime.clock.now();
    const page = await list(`channelArn=${encodeURIComponent(channel)}`);
    const answeredAt = stack.runtime.clock.now();
    const expected = [...items].sort((a, b) => a.deadline.localeCompare(b.deadline));
    expect(page.items.map((i) => i.callbackId)).toEqual(expected.map((i) => i.callbackId));
    expect(page.next).toBeUndefined();

    const first = page.items[0]!;
    const source = expected[0]!;
    expect(first).toMatchObject({
      callbackId: source.callbackId,
      version: 2,
      status: 'PENDING_REVIEW',
      message: { messageId: source.message.messageId, channelArn: channel, content: source.message.content, sender: { arn: source.message.sender.arn, name: 'carol' } },
      deadline: source.deadline,
      policy: { action: 'REVIEW', ruleIds: ['terms.review', 'pii.email'], findings: [{ ruleId: 'terms.review' }, { ruleId: 'pii.email' }] },
      claim: null,
    });
    // Time left, counted on the stack's clock: about 47 h here.
    expect(first.secondsLeft).toBeGreaterThanOrEqual(Math.floor((Date.parse(source.deadline) - answeredAt) / 1000));
    expect(first.secondsLeft).toBeLessThanOrEqual(Math.floor((Date.parse(source.deadline) - askedAt) / 1000));
    expect(Date.parse(first.expiryActionAt)).toBe(Date.parse(source.deadline) - stack.config.expiryMarginSeconds * 1000);
  });

  it('filters by channel, sender and rule, combined', async () => {
    const [c1, c2] = [channelArn(), channelArn()];
    const [dave, erin] = [userArn('dave'), userArn('erin')];
    const a = await seedPendingReviews(stack, 3, { channel: c1, sender: dave, ruleIds: ['links.review'] });
    const b = await seedPendingReviews(stack, 2, { channel: c1, sender: erin, ruleIds: ['terms.review'] });
    const c = await seedPendingReviews(stack, 2, { channel: c2, sender: dave, ruleIds: ['links.review', 'terms.review'] });
    const ids = (page: { items: Array<Record<string, any>> }) => page.items.map((i) => i.callbackId).sort();
    const sorted = (...groups: Array<Array<{ callbackId: string }>>) => groups.flat().map((i) => i.callbackId).sort();

    expect(ids(await list(`channelArn=${encodeURIComponent(c1)}`))).toEqual(sorted(a, b));
    expect(ids(await list(`channelArn=${encodeURIComponent(c1)}&senderArn=${encodeURIComponent(dave)}`))).toEqual(sorted(a));
    expect(ids(await list(`senderArn=${encodeURIComponent(dave)}&limit=100`))).toEqual(sorted(a, c));
    expect(ids(await list(`rule=links.review&limit=100`))).toEqual(sorted(a, c));
    expect(ids(await list(`rule=terms.review&channelArn=${encodeURIComponent(c2)}`))).toEqual(sorted(c));
    expect(ids(await list(`rule=no.such.rule`))).toEqual([]);
  });

  it('filters by claim: mine, none, any', async () => {
    const channel = channelArn();
    const [x, y, z] = await seedPendingReviews(stack, 3, { channel });
    expect((await api(stack, 'POST', `/reviews/${x!.callbackId}/claim`, { token: alice })).status).toBe(200);
    expect((await api(stack, 'POST', `/reviews/${y!.callbackId}/claim`, { token: bob })).status).toBe(200);
    const c = `channelArn=${encodeURIComponent(channel)}`;
    expect((await list(`${c}&claimed=mine`)).items.map((i) => i.callbackId)).toEqual([x!.callbackId]);
    expect((await list(`${c}&claimed=mine`, bob)).items.map((i) => i.callbackId)).toEqual([y!.callbackId]);
    expect((await list(`${c}&claimed=none`)).items.map((i) => i.callbackId)).toEqual([z!.callbackId]);
    const all = await list(`${c}&claimed=any`);
    expect(all.items.map((i) => i.callbackId)).toEqual([x!.callbackId, y!.callbackId, z!.callbackId]);
    expect(all.items[0]!.claim).toMatchObject({ username: 'alice', active: true });
    expect(all.items[1]!.claim).toMatchObject({ username: 'bob', active: true });
  });

  it('refuses a cursor used with other filters, by another caller, or altered', async () => {
    const channel = channelArn();
    await seedPendingReviews(stack, 3, { channel });
    const c = `channelArn=${encodeURIComponent(channel)}`;
    const first = await list(`${c}&limit=1`);
    expect(first.next).toBeDefined();
    expect((await list(`${c}&limit=1&cursor=${first.next}`)).items).toHaveLength(1);

    const expectInvalid = async (query: string, token = alice) => {
      const response = await api(stack, 'GET', `/reviews?${query}`, { token });
      expect(response.status).toBe(400);
      expect(response.body.type).toMatch(/\/invalid-cursor$/);
    };
    await expectInvalid(`limit=1&cursor=${first.next}`); // the channel filter dropped
    await expectInvalid(`${c}&rule=terms.review&limit=1&cursor=${first.next}`); // a filter added
    const [payload, signature] = first.next!.split('.');
    const forged = Buffer.from(JSON.stringify({ status: 'DELIVERED', deadline: '1970-01-01T00:00:00.000Z', callbackId: 'x'.repeat(48) })).toString('base64url');
    await expectInvalid(`${c}&limit=1&cursor=${forged}.${signature}`);
    await expectInvalid(`${c}&limit=1&cursor=${payload}.${signature!.slice(0, -2)}AA`);
    // `claimed=mine` cursors belong to the caller they were issued to.
    const [mine] = await seedPendingReviews(stack, 2, { channel });
    await api(stack, 'POST', `/reviews/${mine!.callbackId}/claim`, { token: alice });
    const mineFirst = await list(`claimed=mine&limit=1`);
    if (mineFirst.next) await expectInvalid(`claimed=mine&limit=1&cursor=${mineFirst.next}`, bob);
  });

  it('shows one item in full, with its history and version; 404 for an unknown one', async () => {
    const [item] = await seedPendingReviews(stack, 1);
    const response = await api(stack, 'GET', `/reviews/${item!.callbackId}`, { token: alice });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      callbackId: item!.callbackId,
      version: 2,
      status: 'PENDING_REVIEW',
      decision: null,
      history: [{ event: 'received' }, { event: 'held-for-review' }],
    });
    const missing = await api(stack, 'GET', `/reviews/${'0'.repeat(48)}`, { token: alice });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: expect.stringMatching(/\/not-found$/), status: 404 });
  });
});

describe('GET /reviews: paging through 250 items', () => {
  let stack: LocalStack;
  let token: string;
  let seeded: string[];
  let everyThird: string[];
  const deadlineOf = new Map<string, string>();

  beforeAll(async () => {
    stack = await startReviewStack();
    token = await tokenFor(stack, 'alice');
    const first = stack.runtime.clock.now() + 3_600_000;
    // Deadlines tie in groups of five: the cursor must page through ties too (the index
    // position includes the CallbackId).
    const items = Array.from({ length: 250 }, (_, i) => aPendingReview(stack, first + Math.floor(i / 5) * 1000));
    for (let i = 0; i < items.length; i += 25) await Promise.all(items.slice(i, i + 25).map((item) => stack.runtime.store.recordReceived(item)));
    for (const item of items) deadlineOf.set(item.callbackId, item.deadline);
    seeded = items.map((i) => i.callbackId);
    // Re-label every third item with another rule, for a filtered walk.
    everyThird = [];
    for (const [i, item] of items.entries()) {
      if (i % 3 !== 0) continue;
      await stack.runtime.store.transition({
        callbackId: item.callbackId,
        deadline: item.deadline,
        from: ['PENDING_REVIEW'],
        to: 'PENDING_REVIEW',
        set: { policy: { ...item.policy!, ruleIds: ['links.review'] } },
        history: { actor: 'test', event: 'relabelled' },
        now: stack.runtime.clock.now(),
        quiet: true,
      });
      everyThird.push(item.callbackId);
    }
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const expectDeadlineOrder = (ids: string[]) => {
    const deadlines = ids.map((id) => deadlineOf.get(id)!);
    expect(deadlines).toEqual([...deadlines].sort());
  };

  const walk = async (query: string) => {
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const response = await api(stack, 'GET', `/reviews?${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(response.status, response.text).toBe(200);
      seen.push(...response.body.items.map((i: { callbackId: string }) => i.callbackId));
      pageSizes.push(response.body.items.length);
      cursor = response.body.next;
      if (!cursor) return { seen, pageSizes };
    }
    throw new Error('more than 100 pages');
  };

  it.each([7, 25, 100])('visits every item exactly once, in deadline order, %i at a time', async (limit) => {
    const { seen, pageSizes } = await walk(`limit=${limit}`);
    expect(seen).toHaveLength(250);
    expect(new Set(seen)).toEqual(new Set(seeded));
    expectDeadlineOrder(seen);
    // Full pages until the last, which is never empty.
    expect(pageSizes.slice(0, -1).every((n) => n === limit)).toBe(true);
    expect(pageSizes.at(-1)).toBeGreaterThan(0);
  });

  it('pages a filtered queue without duplicates or gaps', async () => {
    const { seen, pageSizes } = await walk('limit=9&rule=links.review');
    expect(seen).toHaveLength(everyThird.length);
    expect(new Set(seen)).toEqual(new Set(everyThird));
    expectDeadlineOrder(seen);
    expect(pageSizes.slice(0, -1).every((n) => n === 9)).toBe(true);
    const rest = await walk('limit=50&rule=terms.review');
    expect(rest.seen).toHaveLength(250 - everyThird.length);
    expect(new Set(rest.seen)).toEqual(new Set(seeded.filter((id) => !everyThird.includes(id))));
  });
});
