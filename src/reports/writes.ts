import { PeopleNotFoundError, RateLimitedError } from '../errors.js';
import type { CommunityPolicy } from '../policy/community.js';
import type { ReportDeps } from './deps.js';
import { evictedSettled, newReporter, parseSettledRef, rateLimitFor, settledRefOf, withOutcome, withReportMade, type CaseRecord, type ReporterRecord, type ReportRecord } from './model.js';
import { reporterAccuracy } from './scoring.js';
import { RecordChangedError } from './store.js';

/**
 * The one way the room changes a record: read it, compute the next one (a pure function of
 * src/reports/model.ts), write it conditionally on the version read. A write that loses is tried
 * again on the record as it is now, so the change is re-judged against what won: a second
 * moderator's decision meets the first one's and throws its 409; a report that met a decision
 * is counted on the decided case.
 */

const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));

/**
 * Applies `change` to the case until a write of it wins (or `change` says there is nothing to do:
 * undefined). `change` may throw (an obstacle): the error is the answer. After a write, the
 * case's priority entry is brought up to date (best effort: the listing mends one that lags).
 */
export async function changeCase(
  deps: Pick<ReportDeps, 'cases' | 'warn'>,
  caseId: string,
  change: (current: CaseRecord) => CaseRecord | undefined,
  options: { read?: CaseRecord; attempts?: number } = {},
): Promise<{ record: CaseRecord; changed: boolean }> {
  let current = options.read ?? (await deps.cases.getCase(caseId));
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; ; attempt += 1) {
    if (!current) throw new PeopleNotFoundError('case', caseId);
    const next = change(current);
    if (!next) return { record: current, changed: false };
    try {
      const saved = await deps.cases.saveCase(next, current.version);
      await indexByPriority(deps, saved);
      return { record: saved, changed: true };
    } catch (error) {
      if (!(error instanceof RecordChangedError) || attempt >= attempts) throw error;
      current = error.current as CaseRecord | undefined;
      await jitter(attempt);
    }
  }
}

export async function indexByPriority(deps: Pick<ReportDeps, 'cases' | 'warn'>, c: CaseRecord): Promise<void> {
  try {
    await deps.cases.indexByPriority(c);
  } catch (error) {
    deps.warn('A case was written but its priority entry was not; the priority listing mends it when it meets it', { caseId: c.caseId, error: String(error) });
  }
}

/** Applies `change` to a reporter's record (created when they have none) until a write wins. */
async function changeReporter(deps: Pick<ReportDeps, 'cases'>, memberArn: string, change: (current: ReporterRecord) => ReporterRecord | undefined): Promise<ReporterRecord> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.cases.getReporter(memberArn);
    const current = stored ?? ({ ...newReporter(memberArn), version: 0 } as ReporterRecord);
    const next = change(current);
    if (!next) return current;
    try {
      return await deps.cases.saveReporter(next, stored?.version);
    } catch (error) {
      if (!(error instanceof RecordChangedError) || attempt >= 8) throw error;
      await jitter(attempt);
    }
  }
}

/**
 * Counts a report against the reporter's rate limits, once (a retry of the same report finds it
 * counted), and answers their accuracy as it stands. Refused with 429 when a limit is reached:
 * checked again on every attempt, so two reports at once cannot both take the last place.
 */
export async function countAgainstLimits(deps: Pick<ReportDeps, 'cases'>, memberArn: string, caseId: string, at: string, policy: CommunityPolicy, nowMs: number): Promise<number> {
  const saved = await changeReporter(deps, memberArn, (current) => {
    if (current.recent.some((r) => r.caseId === caseId)) return undefined;
    const limited = rateLimitFor(current, policy.reports.rateLimits, nowMs);
    if (limited) throw new RateLimitedError('reports', limited.limit, limited.retryAfterSeconds);
    return withReportMade(current, at, caseId, policy.reports.rateLimits, nowMs);
  });
  return reporterAccuracy(saved);
}

/**
 * A decided case's outcome on one reporter's record (upheld or dismissed), exactly once per report,
 * however late a case is settled again. Two marks, written in this order: the reporter's record
 * remembers the report (its newest SETTLED_KEPT), then the report is flagged `outcomeCounted`.
 * Each attempt reads the record, then the report: a report that is flagged, or that the record
 * remembers, is counted already. One leaves the record's memory only after its report is flagged
 * (here, before the write that drops it), so whichever mark a request died between, the next one
 * counts nothing twice, and the record stays small.
 */
export async function moveReporter(deps: Pick<ReportDeps, 'cases'>, report: Pick<ReportRecord, 'caseId' | 'reporterArn' | 'at'>, upheld: boolean): Promise<void> {
  const ref = settledRefOf(report);
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.cases.getReporter(report.reporterArn);
    const flagged = await deps.cases.getReport(report.caseId, report.reporterArn);
    if (flagged?.outcomeCounted) return;
    const current = stored ?? ({ ...newReporter(report.reporterArn), version: 0 } as ReporterRecord);
    const next = withOutcome(current, ref, upheld);
    if (next) {
      for (const old of evictedSettled(current, next)) await flagOutcomeOf(deps, report.reporterArn, old);
      try {
        await deps.cases.saveReporter(next, stored?.version);
      } catch (error) {
        if (!(error instanceof RecordChangedError) || attempt >= 8) throw error;
        await jitter(attempt);
        continue;
      }
    }
    await deps.cases.updateReport(report.caseId, report.reporterArn, { set: { outcomeCounted: true } });
    return;
  }
}

/** A report the reporter's record is about to forget: flagged counted first (it is: the record remembered it). */
async function flagOutcomeOf(deps: Pick<ReportDeps, 'cases'>, reporterArn: string, ref: string): Promise<void> {
  const { caseId, at } = parseSettledRef(ref);
  const report = await deps.cases.getReport(caseId, reporterArn);
  // Gone (expired), or another report of a newer case of the same message: nothing to mark.
  if (!report || report.at !== at || report.outcomeCounted) return;
  await deps.cases.updateReport(caseId, reporterArn, { set: { outcomeCounted: true } });
}
