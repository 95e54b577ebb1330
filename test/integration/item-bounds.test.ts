/**
 * No sequence of API calls can make an item undecidable (issue: ~3,000 claims once took an item
 * past DynamoDB's 400 KB limit and stranded its message PENDING). Against the embedded servers,
 * or DYNAMODB_ENDPOINT (DynamoDB Local), through the review API's own operations.
 */
import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { derivedAttributes } from '../../src/adapters/table-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPACTED_EVENT, ITEM_SIZE_BUDGET_BYTES, MAX_HISTORY_ENTRIES, approximateItemBytes, isTrail } from '../../src/domain/history.js';
import type { HistoryEntry, ModerationItem } from '../../src/domain/item.js';
import { recordDecision, deliverDecision } from '../../src/pipeline/decide.js';
import { claimReview, releaseClaim } from '../../src/review/claims.js';
import { decideReview } from '../../src/review/decisions.js';
import type { ReviewDeps } from '../../src/review/deps.js';
import type { Principal } from '../../src/http/principal.js';
import { sweep } from '../../src/sweeper/sweep.js';
import { reviewDepsOn, startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { channelArn, userArn } from '../support/factories.js';

const alice: Principal = { subject: 'sub-alice', username: 'alice', groups: ['moderators'], isAdmin: false, isModerator: true };
const bob: Principal = { subject: 'sub-bob', username: 'bob', groups: ['moderators'], isAdmin: false, isModerator: true };
/** 1,000 in `npm test`; `npm run test:long` (CI, every build) runs 10,000. */
const CYCLES = Number(process.env.ITEM_BOUNDS_CYCLES || 1_000);

describe('item size stays bounded', () => {
  let backends: Backends;
  let deps: ReviewDeps;

  beforeAll(async () => {
    backends = await startBackends();
    deps = reviewDepsOn(backends);
  });
  afterAll(async () => {
    await backends?.stop();
  });

  /** A real held message: sent through the simulator (so Chime knows its CallbackId), recorded PENDING_REVIEW. */
  async function heldMessage(history: HistoryEntry[] = [], deadline = new Date(Date.now() + 47 * 3_600_000).toISOString()): Promise<ModerationItem> {
    const channel = channelArn();
    const sender = userArn('mallory');
    const reply = await fetch(`${backends.simulator.endpoint}/channels/${encodeURIComponent(channel)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-chime-bearer': sender },
      body: JSON.stringify({ Content: 'a refund please', Type: 'STANDARD', Persistence: 'PERSISTENT' }),
    });
    const { MessageId } = (await reply.json()) as { MessageId: string };
    await backends.simulator.idle();
    const event = backends.invocations.find((e) => e.ChannelMessage.MessageId === MessageId)!;
    const now = new Date().toISOString();
    const item: ModerationItem = {
      callbackId: event.CallbackId,
      message: { messageId: MessageId, channelArn: channel, content: 'a refund please', sender: { arn: sender, name: 'mallory' }, createdTimestamp: event.ChannelMessage.CreatedTimestamp },
      receivedAt: now,
      deadline,
      status: 'PENDING_REVIEW',
      version: 2,
      updatedAt: now,
      policy: { action: 'REVIEW', ruleIds: ['terms.review'], reason: 'Content contains term "refund" that requires review', findings: [] },
      history: [{ at: now, actor: 'intake', to: 'RECEIVED', event: 'received' }, { at: now, actor: 'worker', from: 'RECEIVED', to: 'PENDING_REVIEW', event: 'held-for-review' }, ...history],
    };
    await backends.store.recordReceived(item);
    return item;
  }

  /**
   * A held message whose item an older, unbounded version grew to within a few hundred bytes of
   * DynamoDB's 400 KB limit (thousands of unmerged `claim-extended` entries): the largest history
   * the table still accepts, found by trying, so the next write of any size is refused.
   */
  async function heldMessageAtTheLimit(deadline?: string): Promise<ModerationItem> {
    const base = Date.now();
    const entry = (i: number): HistoryEntry => ({
      at: new Date(base + i).toISOString(),
      actor: 'alice',
      from: 'PENDING_REVIEW',
      to: 'PENDING_REVIEW',
      event: 'claim-extended',
      reason: `until ${new Date(base + i + 300_000).toISOString()}`,
    });
    const item = await heldMessage([], deadline);
    const fits = async (n: number) => {
      try {
        const history = [...item.history, ...Array.from({ length: n }, (_, i) => entry(i))];
        // Written raw, as the older version left it, with the index keys this version derives.
        const grown = { ...item, history };
        await backends.clients.documents.send(new PutCommand({ TableName: backends.resources.tableName, Item: { ...grown, ...derivedAttributes(grown, TEST_KEYS) } }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'ValidationException') return false;
        throw error;
      }
    };
    let low = 1000; // fits
    let high = 6000; // does not
    expect(await fits(low)).toBe(true);
    expect(await fits(high)).toBe(false);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await fits(mid)) low = mid;
      else high = mid;
    }
    expect(await fits(low)).toBe(true);
    return (await backends.store.get(item.callbackId))!;
  }

  const chimeStatus = (item: ModerationItem) => backends.simulator.messages().find((m) => m.messageId === item.message.messageId)?.status;

  it(`survives ${CYCLES.toLocaleString('en')} claim/extend/release cycles, stays under ${ITEM_SIZE_BUDGET_BYTES / 1024} KB, and is then decided and delivered`, async () => {
    const item = await heldMessage();
    let largest = 0;
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const who = cycle % 2 === 0 ? alice : bob;
      await claimReview(deps, who, item.callbackId, 300);
      await claimReview(deps, who, item.callbackId, 300); // the console renews while the item is open
      const released = await releaseClaim(deps, who, item.callbackId);
      if (cycle % 500 === 0) largest = Math.max(largest, approximateItemBytes(await backends.store.get(item.callbackId)));
      expect(released.claim).toBeNull();
    }
    const stored = (await backends.store.get(item.callbackId))!;
    largest = Math.max(largest, approximateItemBytes(stored));
    expect(largest).toBeLessThan(ITEM_SIZE_BUDGET_BYTES);
    const bookkeeping = stored.history.filter((e) => !isTrail(e));
    expect(bookkeeping.length).toBeLessThanOrEqual(MAX_HISTORY_ENTRIES + 1);
    // Nothing is lost from the record: the folded entry and the kept ones account for every event.
    const summary = stored.history.find((e) => e.event === COMPACTED_EVENT);
    const keptEvents = bookkeeping.filter((e) => e !== summary).reduce((n, e) => n + (e.count ?? 1), 0);
    expect((summary?.count ?? 0) + keptEvents).toBe(CYCLES * 3);
    // Renewals were merged into their claimed entry: one entry, count 2.
    expect(bookkeeping.filter((e) => e.event === 'claimed').every((e) => e.count === 2)).toBe(true);

    const decided = await decideReview(deps, alice, item.callbackId, { action: 'DENY', reason: 'spam wave' });
    expect(decided.status).toBe('DELIVERED');
    expect(decided.history.filter((e) => isTrail({ ...e, from: e.from as never, to: e.to as never })).map((e) => e.event)).toEqual([
      'received',
      'held-for-review',
      'decided:DENY',
      'delivered',
    ]);
    expect(chimeStatus(item)).toBe('DENIED');
  }, 600_000);

  it('decides and delivers an item an older version left at the size limit (compact first, then write)', async () => {
    const item = await heldMessageAtTheLimit();
    const legacyEntries = item.history.filter((e) => e.event === 'claim-extended').length;
    expect(legacyEntries).toBeGreaterThan(2000);
    const decided = await decideReview(deps, bob, item.callbackId, { action: 'ALLOW' });
    expect(decided.status).toBe('DELIVERED');
    expect(chimeStatus(item)).toBe('SENT');
    const stored = (await backends.store.get(item.callbackId))!;
    expect(approximateItemBytes(stored)).toBeLessThan(ITEM_SIZE_BUDGET_BYTES);
    // The fallback folded everything but the trail before writing: all of it is in one entry.
    expect(stored.history.find((e) => e.event === COMPACTED_EVENT)?.count).toBe(legacyEntries);
  });

  it("lets the sweeper's expiry path through the same fallback", async () => {
    // Inside the expiry margin (a minute before its deadline): the sweeper applies EXPIRY_ACTION=ALLOW.
    const item = await heldMessageAtTheLimit(new Date(Date.now() + 60_000).toISOString());
    const report = await sweep({
      ...deps,
      expiryAction: 'ALLOW',
      expiryMarginSeconds: 3600,
      stuckAfterSeconds: 300,
      maxItemsPerCategory: 500,
    });
    expect(report.errors).toEqual([]);
    const stored = (await backends.store.get(item.callbackId))!;
    expect(stored.status).toBe('DELIVERED');
    expect(stored.decision?.origin).toBe('EXPIRY');
    expect(chimeStatus(item)).toBe('SENT');
  });

  it('keeps the delivery path bounded too: retried callbacks fold like any bookkeeping', async () => {
    const item = await heldMessage();
    const decision = { action: 'ALLOW' as const, origin: 'MODERATOR' as const, actor: { id: 'sub-alice', name: 'alice' }, reason: 'ok', ruleIds: [], decidedAt: new Date().toISOString() };
    let current = await recordDecision(deps, item, decision, { from: ['PENDING_REVIEW'] });
    backends.simulator.setFaults({ callbackUnavailableRate: 1 });
    // One try per delivery: each is turned away, recorded, and left for the next.
    const callbacks = new ChimeCallbackSender(oneAttemptChime(backends.clients), { turnedAwayAttempts: 1 });
    try {
      for (let attempt = 0; attempt < 120; attempt += 1) {
        const outcome = await deliverDecision({ ...deps, callbacks }, current, 'worker');
        expect(outcome.status).toBe('RETRY');
        current = outcome.item;
      }
    } finally {
      backends.simulator.setFaults({ callbackUnavailableRate: 0 });
    }
    expect(current.history.filter((e) => !isTrail(e)).length).toBeLessThanOrEqual(MAX_HISTORY_ENTRIES + 1);
    const delivered = await deliverDecision(deps, current, 'worker');
    expect(delivered.status).toBe('DELIVERED');
  });
});
