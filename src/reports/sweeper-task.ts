import type { FinishDeps } from './deps.js';
import { finishCase, owesChime, settleReport } from './finish.js';
import { SETTLE_GRACE_SECONDS } from './model.js';
import { policyFor } from './policies.js';
import { tallyReport } from './tally.js';

/** A marker whose case was never decided (the deciding request lost, or died before writing) is dropped after this. */
const UNDECIDED_MARKER_MS = 10 * 60_000;
/** A report whose case never got created (its request died; a repeat by the member creates it) leaves the tally queue after this. */
const ORPHAN_REPORT_MS = 24 * 3_600_000;

/**
 * The sweeper's cases task (functions/sweeper/handler.ts SweeperTask), the backstop of the
 * reports room:
 *
 *   CASES#SETTLE#<shard>: decided cases whose consequences may be owed (a deciding request that
 *   died, a REDACT/DELETE whose answer was lost, a viral case's hundreds of reporters, a notice
 *   not recorded) are finished, as a request on the case would, with the sweep's time; a case
 *   still owing is looked at again later, one settled or never decided leaves the queue.
 *
 *   CASES#TALLY#<shard>: reports stored but not counted on their case (it was too busy) are
 *   counted, and settled when their case is.
 *
 * What it did is counted (metrics `SweepCases<Key>`).
 */
export function casesSweeperTask(deps: FinishDeps, options: { batch?: number } = {}) {
  const batch = options.batch ?? 25;
  return {
    name: 'Cases',
    async run({ nowMs, stopAt }: { nowMs: number; stopAt: number }): Promise<Record<string, number>> {
      const counts = { settled: 0, owed: 0, dropped: 0, tallied: 0, untallied: 0, errors: 0 };
      for (const owed of await deps.cases.owedSettlements(new Date(nowMs).toISOString(), batch)) {
        if (deps.clock.now() >= stopAt) break;
        try {
          const c = await deps.cases.getCase(owed.caseId);
          if (!c?.decision) {
            if (!c || nowMs - Date.parse(owed.createdAt) > UNDECIDED_MARKER_MS) {
              await deps.cases.clearSettlement(owed.caseId);
              counts.dropped += 1;
            } else await deps.cases.oweSettlement(owed.caseId, new Date(nowMs + SETTLE_GRACE_SECONDS * 1000).toISOString());
            continue;
          }
          const done = (x: typeof c) => x.settledAt !== undefined && !owesChime(x);
          const after = done(c) ? c : await finishCase(deps, c, await policyFor(deps, c.channelArn), { maxReports: Number.POSITIVE_INFINITY, stopAt });
          if (done(after)) {
            await deps.cases.clearSettlement(owed.caseId);
            if (!done(c)) counts.settled += 1;
          } else {
            counts.owed += 1;
            await deps.cases.oweSettlement(owed.caseId, new Date(nowMs + 5 * SETTLE_GRACE_SECONDS * 1000).toISOString());
          }
        } catch (error) {
          counts.errors += 1;
          deps.warn('A decided case could not be finished; tried again on a later sweep', { caseId: owed.caseId, error: String(error) });
        }
      }
      // Rounds until none waits (each tally counts a batch of its case's waiting reports), or time is up.
      const seen = new Set<string>();
      for (let round = 0; round < 50 && deps.clock.now() < stopAt; round += 1) {
        const waiting = (await deps.cases.untalliedReports(batch)).filter((r) => !seen.has(`${r.caseId}|${r.reporterArn}`));
        if (waiting.length === 0) break;
        for (const report of waiting) {
          if (deps.clock.now() >= stopAt) break;
          seen.add(`${report.caseId}|${report.reporterArn}`);
          try {
            const c = await deps.cases.getCase(report.caseId);
            if (!c) {
              if (nowMs - Date.parse(report.at) > ORPHAN_REPORT_MS) await deps.cases.updateReport(report.caseId, report.reporterArn, { remove: ['queueKey', 'queueSort'] });
              counts.untallied += 1;
              continue;
            }
            const policy = await policyFor(deps, c.channelArn);
            const { record, tallied, counted } = await tallyReport(deps, report, undefined, policy, { read: c });
            counts.tallied += counted;
            if (!tallied) {
              counts.untallied += 1;
              continue;
            }
            if (record.decision && record.settledAt !== undefined) await settleReport(deps, record, report, policy);
          } catch (error) {
            counts.errors += 1;
            deps.warn('A report could not be counted on its case; tried again on a later sweep', { caseId: report.caseId, error: String(error) });
          }
        }
      }
      return counts;
    },
  };
}
