import { isPastDeadline, isWithinMargin, type LiveStatus } from '../domain/deadline.js';
import { toWorkMessage, type Decision, type ModerationItem } from '../domain/item.js';
import type { WorkQueue } from '../domain/ports.js';
import type { ExpiryAction } from '../config.js';
import { DeadlinePassedError, ItemTooLargeError, TransitionConflictError } from '../errors.js';
import { expireItem, recordDecision, deliverDecision, resumeDelivery, type DecisionPathDeps, type DeliveryOutcome } from '../pipeline/decide.js';

export interface SweeperDeps extends DecisionPathDeps {
  queue: WorkQueue;
  expiryAction: ExpiryAction;
  expiryMarginSeconds: number;
  stuckAfterSeconds: number;
  /** Upper bound of items handled per category per sweep, so one run stays inside its timeout. */
  maxItemsPerCategory: number;
}

export interface SweepReport {
  /** Expiry policy applied (decided by the sweeper) and what delivery did. */
  expiryDecisions: number;
  /** Past their deadline: recorded EXPIRED, no callback. */
  expired: number;
  /** RECEIVED items nobody picked up: sent to the work queue again. */
  requeued: number;
  /** DECIDED items whose callback never landed: delivered again. */
  redelivered: number;
  /** Lost a conditional write to someone else (a moderator, a worker): left alone. */
  lostRaces: number;
  /** Deliveries that will be retried on a later sweep or by the queue. */
  retryLater: number;
  /** Items read from the index (every one of them due): the sweep's cost. */
  read: number;
  errors: Array<{ callbackId: string; error: string; itemTooLarge?: true }>;
}

const SWEEPER = 'sweeper';

/**
 * One sweep. It never scans, and it reads only what is due: every read is a key condition on
 * the live index, whose sort key is each item's next sweep moment (src/domain/deadline.ts
 * sweepAt). With nothing due a sweep costs one small query per shard, however many items live.
 *
 *   now ─────────────── actBy = deadline - margin ─────── deadline ──▶
 *   undecided here: left  │ undecided here: expiry action │ past: EXPIRED, no callback
 *
 * Stuck work is re-driven: a RECEIVED item untouched for STUCK_AFTER_SECONDS goes back to the
 * work queue, and a DECIDED item whose delivery lease has lapsed is delivered again (the same
 * recorded decision). Every write is conditional, so the sweeper loses cleanly to a moderator.
 * The index is read eventually consistently and the items strongly, so each item's own state
 * decides what is done; an item that moved on meanwhile is left alone.
 */
export async function sweep(deps: SweeperDeps): Promise<SweepReport> {
  const report: SweepReport = { expiryDecisions: 0, expired: 0, requeued: 0, redelivered: 0, lostRaces: 0, retryLater: 0, read: 0, errors: [] };
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const stuckCutoff = new Date(now - deps.stuckAfterSeconds * 1000).toISOString();

  const guarded = async (item: ModerationItem, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof TransitionConflictError) report.lostRaces += 1;
      else report.errors.push({ callbackId: item.callbackId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ...(error instanceof ItemTooLargeError ? { itemTooLarge: true as const } : {}) });
    }
  };

  /** The expiry policy for an undecided item inside the margin, or EXPIRED once it is too late. */
  const expire = async (item: ModerationItem) => {
    if (isPastDeadline(item.deadline, deps.clock.now())) {
      await expireItem(deps, item, SWEEPER, 'Deadline passed while undecided; no callback sent');
      report.expired += 1;
      return;
    }
    const outcome = await applyExpiryPolicy(deps, item);
    report.expiryDecisions += 1;
    if (outcome.status === 'RETRY' || outcome.status === 'BUSY') report.retryLater += 1;
  };

  // 1. Held for review, inside the margin: the expiry policy.
  await forEachDue(deps, 'PENDING_REVIEW', at, report, (item) =>
    guarded(item, async () => {
      if (item.status !== 'PENDING_REVIEW') return; // decided since the index was read
      if (isWithinMargin(item.deadline, now, deps.expiryMarginSeconds)) await expire(item);
    }),
  );

  // 2. RECEIVED: inside the margin, the expiry policy; stuck (no worker decided it: an enqueue
  //    failed, a message was lost), back to the work queue.
  await forEachDue(deps, 'RECEIVED', at, report, (item) =>
    guarded(item, async () => {
      if (item.status !== 'RECEIVED') return;
      if (isWithinMargin(item.deadline, now, deps.expiryMarginSeconds)) return expire(item);
      if (item.updatedAt >= stuckCutoff) return;
      // Touch first (conditional on the version read), so concurrent sweeps re-drive once.
      const touched = await deps.store.transition({
        callbackId: item.callbackId,
        deadline: item.deadline,
        from: ['RECEIVED'],
        to: 'RECEIVED',
        expectedVersion: item.version,
        set: { redriveCount: (item.redriveCount ?? 0) + 1 },
        history: { actor: SWEEPER, event: 'requeued', reason: `No worker decided it within ${deps.stuckAfterSeconds}s` },
        now: deps.clock.now(),
      });
      await deps.queue.enqueue(toWorkMessage(touched));
      report.requeued += 1;
    }),
  );

  // 3. DECIDED: past the deadline, EXPIRED; stuck with a lapsed lease, delivered again.
  await forEachDue(deps, 'DECIDED', at, report, (item) =>
    guarded(item, async () => {
      if (item.status !== 'DECIDED') return;
      if (isPastDeadline(item.deadline, deps.clock.now())) {
        await expireItem(deps, item, SWEEPER, 'Deadline passed before the recorded decision was delivered');
        report.expired += 1;
        return;
      }
      if (item.updatedAt >= stuckCutoff) return;
      const outcome = await resumeDelivery(deps, item, SWEEPER);
      if (outcome.status === 'BUSY' || outcome.status === 'RETRY') report.retryLater += 1;
      else report.redelivered += 1;
    }),
  );
  return report;
}

async function applyExpiryPolicy(deps: SweeperDeps, item: ModerationItem): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const decision: Decision = {
    action: deps.expiryAction,
    origin: 'EXPIRY',
    actor: { id: SWEEPER },
    reason: `No decision within ${deps.expiryMarginSeconds}s of the deadline (${item.deadline}); expiry policy ${deps.expiryAction}`,
    ruleIds: ['expiry'],
    decidedAt: new Date(now).toISOString(),
  };
  try {
    const decided = await recordDecision(deps, item, decision, { from: [item.status], expectedVersion: item.version });
    return await deliverDecision(deps, decided, SWEEPER);
  } catch (error) {
    if (error instanceof DeadlinePassedError) {
      return { status: 'EXPIRED', item: await expireItem(deps, item, SWEEPER, 'Deadline passed while undecided; no callback sent') };
    }
    throw error;
  }
}

/** Items handled at once within a page: callbacks dominate a sweep's time, not our CPU. */
const SWEEP_CONCURRENCY = 8;

/**
 * Pages through the due items of one live status, soonest first, handling at most
 * `maxItemsPerCategory` of them: the budget counts items read, and every item read is due.
 */
async function forEachDue(deps: SweeperDeps, status: LiveStatus, at: string, report: SweepReport, handle: (item: ModerationItem) => Promise<void>): Promise<void> {
  let next: Record<string, unknown> | undefined;
  let seen = 0;
  do {
    const page = await deps.store.listDue({ status, at, limit: Math.min(100, deps.maxItemsPerCategory - seen), ...(next ? { next } : {}) });
    seen += page.items.length;
    report.read += page.items.length;
    let index = 0;
    const lane = async () => {
      for (let i = index++; i < page.items.length; i = index++) await handle(page.items[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, page.items.length) }, lane));
    next = page.next;
  } while (next && seen < deps.maxItemsPerCategory);
}
