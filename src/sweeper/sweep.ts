import { isPastDeadline, isWithinMargin, stuckAfterMs, type LiveStatus } from '../domain/deadline.js';
import { toWorkMessage, type Decision, type ModerationItem } from '../domain/item.js';
import type { WorkQueue } from '../domain/ports.js';
import type { ExpiryAction } from '../config.js';
import { DeadlinePassedError, ItemTooLargeError, TransitionConflictError } from '../errors.js';
import { CALLBACK_LIMITS_RULE } from '../domain/callback.js';
import { expireItem, expireUndelivered, recordDecision, deliverDecision, resumeDelivery, type DecisionPathDeps, type DeliveryOutcome } from '../pipeline/decide.js';

export interface SweeperDeps extends DecisionPathDeps {
  queue: WorkQueue;
  expiryAction: ExpiryAction;
  expiryMarginSeconds: number;
  stuckAfterSeconds: number;
  /**
   * The live index's shards this sweep reads: one shard group of the fan-out (see
   * shardsOfGroup). Undefined: every shard (the local stack, tests).
   */
  shards?: readonly number[];
  /** Epoch ms after which the sweep takes no new page (the invocation's time budget). */
  stopAt?: number;
  /** Items worked at once; callbacks dominate a sweep's time, not our CPU. */
  concurrency?: number;
  /** Upper bound of items handled per category per sweep (benchmarks, tests); default: no bound but time. */
  maxItemsPerCategory?: number;
}

export interface SweepReport {
  /** Expiry policy applied (decided by the sweeper) and what delivery did. */
  expiryDecisions: number;
  /** Past their deadline: recorded EXPIRED, no callback. */
  expired: number;
  /** RECEIVED items nobody picked up: sent to the work queue again. */
  requeued: number;
  /** DECIDED items whose callback never landed: delivered again (or settled by read-back). */
  redelivered: number;
  /** Due by the index but not stuck after all (written meanwhile): their sweep moment moved on. */
  rescheduled: number;
  /** Lost a conditional write to someone else (a moderator, a worker): left alone. */
  lostRaces: number;
  /** Deliveries that will be retried on a later sweep or by the queue. */
  retryLater: number;
  /** Items read from the index (every one of them due): the sweep's cost. */
  read: number;
  /** True when the time budget ran out with due items left (the next run goes on). */
  cutShort: boolean;
  errors: Array<{ callbackId: string; error: string; itemTooLarge?: true }>;
  /** What the people rooms' tasks did (functions/sweeper/handler.ts SweeperTask), by task. */
  tasks?: Record<string, Record<string, number>>;
}

const SWEEPER = 'sweeper';

/** The reports of a fan-out's invocations as one. */
export function addSweepReports(reports: readonly SweepReport[]): SweepReport {
  const total: SweepReport = { expiryDecisions: 0, expired: 0, requeued: 0, redelivered: 0, rescheduled: 0, lostRaces: 0, retryLater: 0, read: 0, cutShort: false, errors: [] };
  for (const report of reports) {
    for (const key of ['expiryDecisions', 'expired', 'requeued', 'redelivered', 'rescheduled', 'lostRaces', 'retryLater', 'read'] as const) total[key] += report[key];
    total.cutShort ||= report.cutShort;
    total.errors.push(...report.errors);
    // The people rooms' tasks run in one invocation of the fan-out (group 0): their counts, added.
    for (const [task, counts] of Object.entries(report.tasks ?? {})) {
      const sum = ((total.tasks ??= {})[task] ??= {});
      for (const [key, count] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + count;
    }
  }
  return total;
}
export const DEFAULT_SWEEP_CONCURRENCY = 32;

/** The live index's shards of one group of the sweeper's fan-out: every `groups`-th shard from `group`. */
export function shardsOfGroup(group: number, groups: number, shards: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard).filter((shard) => shard % groups === group);
}

/**
 * One sweep of a group of shards. It never scans, and it reads only what is due: every read is a
 * key condition on the live index, whose sort key is each item's next sweep moment
 * (src/domain/deadline.ts sweepAt). With nothing due a sweep costs one small query per shard.
 *
 *   now ─────────────── actBy = deadline - margin ─────── deadline ──▶
 *   undecided here: left  │ undecided here: expiry action │ past: EXPIRED, no callback
 *
 * It scales with the traffic: the schedule fans out one invocation per shard group
 * (serverless.yml), each works its due items DEFAULT_SWEEP_CONCURRENCY at a time and goes on
 * until nothing is due or its time budget is spent (the next run carries on).
 *
 * Stuck work is re-driven: a RECEIVED item untouched for STUCK_AFTER_SECONDS goes back to the
 * work queue, and a DECIDED item whose delivery lease has lapsed is delivered again (the same
 * recorded decision). A DECIDED item past its deadline is never expired while a deliverer holds
 * its lease (the callback may be landing), and one whose callback may have landed is read back
 * before anything is recorded. Every write is conditional, so the sweeper loses cleanly to a
 * moderator. The index is read eventually consistently and the items strongly, so each item's
 * own state decides what is done; an item that moved on meanwhile is left alone.
 */
export async function sweep(deps: SweeperDeps): Promise<SweepReport> {
  const report: SweepReport = { expiryDecisions: 0, expired: 0, requeued: 0, redelivered: 0, rescheduled: 0, lostRaces: 0, retryLater: 0, read: 0, cutShort: false, errors: [] };
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

  /** Due by the index, but written since (not stuck): move its sweep moment instead of acting. */
  const reschedule = async (item: ModerationItem) => {
    if (await deps.store.reschedule(item)) report.rescheduled += 1;
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
    if (outcome.status === 'RETRY') await handOver(deps, outcome.item);
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
      // Re-driven before: it waits twice as long each time (stuckAfterMs), a backlog is not flooded.
      if (Date.parse(item.updatedAt) + stuckAfterMs(item, deps.stuckAfterSeconds) > now) return reschedule(item);
      // Touch first (conditional on the version read), so concurrent sweeps re-drive once; the
      // touch moves its sweep moment to the next stuck check.
      const touched = await deps.store.transition({
        callbackId: item.callbackId,
        deadline: item.deadline,
        from: ['RECEIVED'],
        to: 'RECEIVED',
        expectedVersion: item.version,
        reschedule: true,
        set: { redriveCount: (item.redriveCount ?? 0) + 1 },
        history: { actor: SWEEPER, event: 'requeued', reason: `No worker decided it within ${Math.round(stuckAfterMs(item, deps.stuckAfterSeconds) / 1000)}s` },
        now: deps.clock.now(),
      });
      await deps.queue.enqueue(toWorkMessage(touched));
      report.requeued += 1;
    }),
  );

  // 3. DECIDED: past the deadline, settled or EXPIRED; stuck with a lapsed lease, delivered again.
  await forEachDue(deps, 'DECIDED', at, report, (item) =>
    guarded(item, async () => {
      if (item.status !== 'DECIDED') return;
      const leased = (item.delivery?.leaseUntil ?? 0) > deps.clock.now();
      if (isPastDeadline(item.deadline, deps.clock.now())) {
        // A deliverer holds it: its callback may be landing right now. It settles the outcome.
        if (leased) {
          report.retryLater += 1;
          return;
        }
        const outcome = await expireUndelivered(deps, item, SWEEPER);
        if (outcome.status === 'EXPIRED') report.expired += 1;
        else if (outcome.status === 'RETRY' || outcome.status === 'BUSY') report.retryLater += 1;
        else report.redelivered += 1;
        return;
      }
      if (item.updatedAt >= stuckCutoff) return reschedule(item);
      const outcome = await resumeDelivery(deps, item, SWEEPER);
      if (outcome.status === 'BUSY' || outcome.status === 'RETRY') report.retryLater += 1;
      else report.redelivered += 1;
      if (outcome.status === 'RETRY') await handOver(deps, outcome.item);
    }),
  );
  return report;
}

/**
 * A delivery Chime did not take now (throttled, or in doubt) goes to the work queue: the workers
 * retry it within seconds, with backoff, rather than the sweeper a stuck time later, which could
 * be after the deadline. If the queue cannot take it, the sweeper still will (its sweep moment).
 */
async function handOver(deps: SweeperDeps, item: ModerationItem): Promise<void> {
  await deps.queue.enqueue(toWorkMessage(item)).catch(() => undefined);
}

/**
 * What the expiry policy does to an item: EXPIRY_ACTION, except for a message held because the
 * policy's own UPDATE or DENY could not be sent (`callback.limits`): allowing it unchanged would
 * publish what the policy meant to mask or refuse, so it is denied.
 */
export function expiryActionFor(item: Pick<ModerationItem, 'policy'>, configured: ExpiryAction): ExpiryAction {
  const heldForLimits = item.policy?.ruleIds.includes(CALLBACK_LIMITS_RULE) ?? false;
  const policyWantedChange = item.policy?.findings.some((f) => f.ruleId !== CALLBACK_LIMITS_RULE && (f.action === 'UPDATE' || f.action === 'DENY')) ?? false;
  return heldForLimits && policyWantedChange ? 'DENY' : configured;
}

async function applyExpiryPolicy(deps: SweeperDeps, item: ModerationItem): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const action = expiryActionFor(item, deps.expiryAction);
  const decision: Decision = {
    action,
    origin: 'EXPIRY',
    actor: { id: SWEEPER },
    reason:
      action === deps.expiryAction
        ? `No decision within ${deps.expiryMarginSeconds}s of the deadline (${item.deadline}); expiry policy ${action}`
        : `No decision within ${deps.expiryMarginSeconds}s of the deadline (${item.deadline}); denied, not ${deps.expiryAction}: the policy meant to change or refuse it and Chime would not take that (callback.limits)`,
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

/**
 * Pages through the due items of one live status in this sweep's shards, soonest first, working
 * `concurrency` items at once, until nothing more is due, the time budget is spent, or (when set)
 * `maxItemsPerCategory` items were read. Every item read is due.
 */
async function forEachDue(deps: SweeperDeps, status: LiveStatus, at: string, report: SweepReport, handle: (item: ModerationItem) => Promise<void>): Promise<void> {
  const concurrency = deps.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  const max = deps.maxItemsPerCategory ?? Number.POSITIVE_INFINITY;
  let next: Record<string, unknown> | undefined;
  let seen = 0;
  do {
    if (deps.stopAt !== undefined && deps.clock.now() >= deps.stopAt) {
      report.cutShort = true;
      return;
    }
    const page = await deps.store.listDue({ status, at, limit: Math.min(100, max - seen), ...(deps.shards ? { shards: deps.shards } : {}), ...(next ? { next } : {}) });
    seen += page.items.length;
    report.read += page.items.length;
    let index = 0;
    // Each lane checks the budget before every item: a slow Chime must not carry one page past
    // the invocation's timeout. What is left is still due, and the next run takes it.
    const lane = async () => {
      for (let i = index++; i < page.items.length; i = index++) {
        if (deps.stopAt !== undefined && deps.clock.now() >= deps.stopAt) {
          report.cutShort = true;
          return;
        }
        await handle(page.items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, page.items.length) }, lane));
    if (report.cutShort) return;
    next = page.next;
  } while (next && seen < max);
}
