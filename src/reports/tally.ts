import { PeopleNotFoundError } from '../errors.js';
import type { CommunityPolicy } from '../policy/community.js';
import type { FinishDeps } from './deps.js';
import { evictedTallies, reporterKeyOf as legacyKey, TALLY_BATCH, withReport, type CaseRecord, type MessageSnapshot, type ReportRecord } from './model.js';
import { RecordChangedError } from './store.js';
import { indexByPriority } from './writes.js';

/**
 * A stored report counted on its case, exactly once, while the case remembers only the last few
 * reporters it counted (TALLIED_KEPT), whatever the number of reports. A case write counts a
 * batch: this report and others of the case still waiting in the tally queue (a message many
 * members report at once is counted by whoever wins each write, not by one write per report).
 *
 *   the report is stored unflagged, waiting in CASES#TALLY#<shard>
 *   each attempt reads the case (version v), the waiting reporters (the index), then the reports
 *   themselves, strongly:
 *     this report is flagged `tallied` ──────────▶ counted already
 *     the case remembers its reporter ───────────▶ counted (whoever counted it has not flagged it
 *                                                   yet, or died first): flag it
 *     otherwise the batch (this report, and waiting ones neither flagged nor remembered): the
 *     reports the next case forgets are flagged first (a written case remembered them, so they
 *     are counted), the case written at v with the batch counted and remembered, the batch flagged
 *   every attempt lost to other writers ─────────▶ not counted yet: the report stays in the tally
 *                                                   queue; the next writer of the case, a repeat
 *                                                   or the sweeper's cases task counts it. The
 *                                                   request still succeeds.
 *
 * Why nothing is counted twice: a reporter leaves the case's memory only after their report was
 * flagged, and each attempt reads the reports after the case. So a report counted at a version up
 * to v is remembered by v or was flagged before v was read; one counted after v makes the write
 * at v lose. The batch is never larger than the memory, so a write never forgets its own batch.
 */
export async function tallyReport(
  deps: Pick<FinishDeps, 'cases' | 'clock' | 'warn'>,
  report: ReportRecord,
  message: MessageSnapshot | undefined,
  policy: CommunityPolicy,
  options: { read?: CaseRecord; attempts?: number } = {},
): Promise<{ record: CaseRecord; tallied: boolean; conflicts: number; counted: number }> {
  const attempts = options.attempts ?? 12;
  const { caseId, reporterArn } = report;
  let conflicts = 0;
  let current = options.read ?? (await deps.cases.getCase(caseId));
  for (let attempt = 1; ; attempt += 1) {
    if (!current) throw new PeopleNotFoundError('case', caseId);
    const remembered = new Set(current.tallied ?? []);
    const waiting = (await deps.cases.waitingReporters(caseId, TALLY_BATCH * 2)).filter((arn) => arn !== reporterArn && !remembered.has(arn));
    const candidates = [reporterArn, ...waiting].slice(0, TALLY_BATCH);
    const stored = new Map((await deps.cases.getReports(caseId, candidates)).map((r) => [r.reporterArn, r]));
    const own = stored.get(reporterArn) ?? report;
    if (own.tallied) return { record: current, tallied: true, conflicts, counted: 0 };
    if (remembered.has(reporterArn) || (current.reporterKeys !== undefined && current.reporterKeys.includes(legacyKey(reporterArn)))) {
      await flagTallied(deps, caseId, reporterArn);
      return { record: current, tallied: true, conflicts, counted: 0 };
    }
    const batch = [own, ...candidates.slice(1).map((arn) => stored.get(arn)).filter((r): r is ReportRecord => r !== undefined && !r.tallied)];
    const nowIso = new Date(deps.clock.now()).toISOString();
    let next = current;
    for (const r of batch) next = withReport(next, countedOf(r), r === own ? message : undefined, policy, nowIso) ?? next;
    const forgotten = evictedTallies(current, next);
    if (forgotten.length > 0) await Promise.all((await deps.cases.getReports(caseId, forgotten)).filter((r) => !r.tallied).map((r) => flagTallied(deps, caseId, r.reporterArn)));
    try {
      const saved = await deps.cases.saveCase(next, current.version);
      await Promise.all(batch.map((r) => flagTallied(deps, caseId, r.reporterArn)));
      await indexByPriority(deps, saved);
      return { record: saved, tallied: true, conflicts, counted: batch.length };
    } catch (error) {
      if (!(error instanceof RecordChangedError)) throw error;
      conflicts += 1;
      const now = error.current as CaseRecord | undefined;
      if (attempt >= attempts) {
        deps.warn('A report is stored but its case kept changing under it: it waits in the tally queue, for the next writer of the case or the sweeper', { caseId, conflicts });
        return { record: now ?? current, tallied: false, conflicts, counted: 0 };
      }
      current = now;
      await jitter(attempt);
    }
  }
}

const countedOf = (r: ReportRecord) => ({ reporterArn: r.reporterArn, category: r.category, at: r.at, accuracy: r.accuracy });

/** The report counted on its case: flagged, out of the tally queue (idempotent). */
export async function flagTallied(deps: Pick<FinishDeps, 'cases'>, caseId: string, reporterArn: string): Promise<void> {
  await deps.cases.updateReport(caseId, reporterArn, { set: { tallied: true }, remove: ['queueKey', 'queueSort'] });
}

const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));
