import { isPastDeadline } from '../domain/deadline.js';
import { toWorkMessage, type Decision, type ModerationItem, type Status } from '../domain/item.js';
import type { WorkQueue } from '../domain/ports.js';
import type { ExpiryAction } from '../config.js';
import { DeadlinePassedError, TransitionConflictError } from '../errors.js';
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
  errors: Array<{ callbackId: string; error: string }>;
}

const SWEEPER = 'sweeper';

/**
 * One sweep. It never scans: every read is a Query on the status+deadline index.
 *
 *   now ─────────────── actBy = deadline - margin ─────── deadline ──▶
 *   undecided here: left  │ undecided here: expiry action │ past: EXPIRED, no callback
 *
 * Stuck work is re-driven: a RECEIVED item untouched for STUCK_AFTER_SECONDS goes back to the
 * work queue, and a DECIDED item whose delivery lease has lapsed is delivered again (the same
 * recorded decision). Every write is conditional, so the sweeper loses cleanly to a moderator.
 */
export async function sweep(deps: SweeperDeps): Promise<SweepReport> {
  const report: SweepReport = { expiryDecisions: 0, expired: 0, requeued: 0, redelivered: 0, lostRaces: 0, retryLater: 0, errors: [] };
  const now = deps.clock.now();
  const marginCutoff = new Date(now + deps.expiryMarginSeconds * 1000).toISOString();
  const stuckCutoff = new Date(now - deps.stuckAfterSeconds * 1000).toISOString();

  const guarded = async (item: ModerationItem, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof TransitionConflictError) report.lostRaces += 1;
      else report.errors.push({ callbackId: item.callbackId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };

  // 1. Undecided items inside the margin: the expiry policy, or EXPIRED if already too late.
  for (const status of ['PENDING_REVIEW', 'RECEIVED'] as const satisfies readonly Status[]) {
    await forEachItem(deps, status, { deadlineAtOrBefore: marginCutoff }, (item) =>
      guarded(item, async () => {
        if (isPastDeadline(item.deadline, deps.clock.now())) {
          await expireItem(deps, item, SWEEPER, 'Deadline passed while undecided; no callback sent');
          report.expired += 1;
          return;
        }
        const outcome = await applyExpiryPolicy(deps, item);
        report.expiryDecisions += 1;
        if (outcome.status === 'RETRY' || outcome.status === 'BUSY') report.retryLater += 1;
      }),
    );
  }

  // 2. RECEIVED items no worker picked up (an enqueue failed, a message was lost): queue again.
  await forEachItem(deps, 'RECEIVED', { updatedBefore: stuckCutoff }, async (item) => {
    if (item.deadline <= marginCutoff) return; // handled by step 1
    await guarded(item, async () => {
      // Touch first (conditional on the version we read), so concurrent sweeps re-drive once.
      const touched = await deps.store.transition({
        callbackId: item.callbackId,
        from: ['RECEIVED'],
        to: 'RECEIVED',
        expectedVersion: item.version,
        set: { redriveCount: (item.redriveCount ?? 0) + 1 },
        history: { actor: SWEEPER, event: 'requeued', reason: `No worker decided it within ${deps.stuckAfterSeconds}s` },
        now: deps.clock.now(),
      });
      await deps.queue.enqueue(toWorkMessage(touched));
      report.requeued += 1;
    });
  });

  // 3. DECIDED items: past the deadline → EXPIRED; stuck with a lapsed lease → deliver again.
  await forEachItem(deps, 'DECIDED', {}, async (item) => {
    const deadlinePassed = isPastDeadline(item.deadline, deps.clock.now());
    if (!deadlinePassed && item.updatedAt >= stuckCutoff) return;
    await guarded(item, async () => {
      if (deadlinePassed) {
        await expireItem(deps, item, SWEEPER, 'Deadline passed before the recorded decision was delivered');
        report.expired += 1;
        return;
      }
      const outcome = await resumeDelivery(deps, item, SWEEPER);
      if (outcome.status === 'BUSY' || outcome.status === 'RETRY') report.retryLater += 1;
      else report.redelivered += 1;
    });
  });
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

/** Pages through one status of the index, handling up to `maxItemsPerCategory` items. */
async function forEachItem(
  deps: SweeperDeps,
  status: Status,
  filter: { deadlineAtOrBefore?: string; updatedBefore?: string },
  handle: (item: ModerationItem) => Promise<void>,
): Promise<void> {
  let next: Record<string, unknown> | undefined;
  let seen = 0;
  do {
    const page = await deps.store.queryByStatus({ status, ...filter, limit: 100, ...(next ? { next } : {}) });
    const batch = page.items.slice(0, deps.maxItemsPerCategory - seen);
    seen += batch.length;
    let index = 0;
    const lane = async () => {
      for (let i = index++; i < batch.length; i = index++) await handle(batch[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, batch.length) }, lane));
    next = page.next;
  } while (next && seen < deps.maxItemsPerCategory);
}
