import { ChimeBearerNotConfiguredError, PeopleConflictError } from '../errors.js';
import { isAnnounced } from '../domain/people.js';
import type { CommunityPolicy } from '../policy/community.js';
import { caseActionIdOf, runCaseChimeAction } from './chime-actions.js';
import type { FinishDeps } from './deps.js';
import { autoHideDue, reportedKey, senderCaseKey, withAutoHide, withHistory, type CaseChimeAction, type CaseRecord, type ReportRecord } from './model.js';
import { policyFor } from './policies.js';
import { categorySettings } from './scoring.js';
import { RecordChangedError } from './store.js';
import { changeCase, moveReporter } from './writes.js';

/**
 * What a case still owes once it is written: the Chime action of its decision or of its
 * auto-hide while its outcome is unknown, and a decision's consequences. Every request that
 * touches a case (a report, a claim, a decision, an action) finishes it, so a request that died
 * half-way, or a Chime answer that was lost, is completed by the next one, never redone:
 *
 *   decision REDACT/DELETE, chime REQUESTED ─▶ the follow-up replayed (read back first) ─▶ DONE / FAILED
 *   auto-hide REQUESTED ──────────────────────▶ the same, for the redaction
 *   decided, not settled ─────────────────────▶ each reporter's record moves (upheld / dismissed,
 *                                                once per case: the record remembers the case),
 *                                                an upheld case strikes the sender (the strike id
 *                                                comes from the case), reporters are told the
 *                                                outcome (once per case and reporter: the notices
 *                                                room keys them) ─▶ settledAt
 *
 * The strike comes first (one write, whatever the number of reporters), then the reports, a
 * bounded number per request (a viral case has hundreds): what a request leaves, the sweeper's
 * cases task finishes, since a decided case waits in `CASES#SETTLE#<shard>` until it is settled.
 *
 * The consequences follow the moderator's decision, not Chime's outcome: a REDACT that Chime
 * refused is still upheld (the case shows the refusal; a moderator may act again).
 */
export async function finishCase(deps: FinishDeps, c: CaseRecord, policy: CommunityPolicy, budget: SettleBudget = requestBudget(deps)): Promise<CaseRecord> {
  let current = c;
  const d = current.decision;
  if (d && d.action !== 'DISMISS' && (!d.chime || d.chime.outcome === 'REQUESTED')) {
    const outcome = await chimeOutcome(deps, current, 'decision', () =>
      runCaseChimeAction(deps, current, {
        kind: 'decision',
        action: d.action === 'REDACT' ? 'REDACT_MESSAGE' : 'DELETE_MESSAGE',
        origin: 'MODERATOR',
        actor: d.actor,
        reason: d.reason,
        requestedAt: d.decidedAt,
      }),
    );
    current = await recordChimeOutcome(deps, current, 'decision', outcome);
  }
  if (current.autoHide?.outcome === 'REQUESTED') current = await runAutoHide(deps, current);
  if (current.decision && current.settledAt === undefined) current = await settle(deps, current, policy, budget);
  return current;
}

/** A Chime action of the case whose outcome is not known yet (its answer lost, or never tried). */
export const owesChime = (c: CaseRecord): boolean =>
  (c.decision !== undefined && c.decision.action !== 'DISMISS' && (!c.decision.chime || c.decision.chime.outcome === 'REQUESTED')) || c.autoHide?.outcome === 'REQUESTED';

/** How much of a case's settling one pass does: reports worked, and a time to stop by. */
export interface SettleBudget {
  maxReports: number;
  stopAt: number;
}
/** Reports one request settles (each: the reporter's record, a notice, the report): the rest are the sweeper's. */
export const SETTLE_REPORTS_PER_REQUEST = 25;
const SETTLE_MS_PER_REQUEST = 5_000;
const requestBudget = (deps: Pick<FinishDeps, 'clock'>): SettleBudget => ({ maxReports: SETTLE_REPORTS_PER_REQUEST, stopAt: deps.clock.now() + SETTLE_MS_PER_REQUEST });

/**
 * Runs a moderator's write on a case; when it is refused because the case is decided already,
 * the decided case is finished first (best effort), so that even a refused request settles what
 * the decision still owes. The refusal is the answer either way.
 */
export async function finishingDecided<T>(deps: FinishDeps, caseId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof PeopleConflictError && error.problemType === 'already-decided') {
      try {
        const c = await deps.cases.getCase(caseId);
        if (c) await finishCase(deps, c, await policyFor(deps, c.channelArn));
      } catch (finishing) {
        deps.warn('Could not finish a decided case while refusing a request on it', { caseId, error: String(finishing) });
      }
    }
    throw error;
  }
}

/**
 * Auto-hide (policy `reports.autoHide`, off unless set): enough distinct members reported the
 * message within the window, so it is redacted at once, as the bearer, through the same audited
 * follow-up machinery (actor `auto-hide`), and the case is marked urgent. Recorded on the case
 * first (REQUESTED), then done: one auto-hide per case, whoever gets there.
 */
export async function autoHideIfDue(deps: FinishDeps, c: CaseRecord, policy: CommunityPolicy): Promise<CaseRecord> {
  const now = deps.clock.now();
  if (!autoHideDue(c, policy, now)) return c;
  const nowIso = new Date(now).toISOString();
  let marked: { record: CaseRecord };
  try {
    marked = await changeCase(deps, c.caseId, (current) => (autoHideDue(current, policy, now) ? withAutoHide(current, caseActionIdOf(current.caseId, 'autohide'), policy, nowIso) : undefined), { read: c });
  } catch (error) {
    // A case many members report at once: the next report (its threshold still met) hides it.
    if (!(error instanceof RecordChangedError)) throw error;
    deps.warn('Auto-hide is due but the case kept changing under it; the next report tries again', { caseId: c.caseId });
    return c;
  }
  return marked.record.autoHide?.outcome === 'REQUESTED' ? runAutoHide(deps, marked.record) : marked.record;
}

async function runAutoHide(deps: FinishDeps, c: CaseRecord): Promise<CaseRecord> {
  const hide = c.autoHide!;
  const outcome = await chimeOutcome(deps, c, 'autohide', () =>
    runCaseChimeAction(deps, c, {
      kind: 'autohide',
      action: 'REDACT_MESSAGE',
      origin: 'AUTO',
      actor: { id: 'auto-hide', name: 'auto-hide' },
      reason: `${hide.reporters} members reported it within ${hide.withinSeconds} s (policy reports.autoHide)`,
      requestedAt: hide.at,
    }),
  );
  return recordChimeOutcome(deps, c, 'autohide', outcome);
}

/** The action's outcome; with no bearer to act as, FAILED by our own refusal (nothing was done in Chime, nor audited there). */
async function chimeOutcome(deps: FinishDeps, c: CaseRecord, kind: 'decision' | 'autohide', run: () => Promise<CaseChimeAction>): Promise<CaseChimeAction> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ChimeBearerNotConfiguredError)) throw error;
    deps.warn('A case action could not be done in Chime: no bearer is configured (CHIME_BEARER_ARN)', { caseId: c.caseId, operation: error.operation });
    return {
      actionId: caseActionIdOf(c.caseId, kind),
      outcome: 'FAILED',
      completedAt: new Date(deps.clock.now()).toISOString(),
      error: { type: 'ChimeBearerNotConfigured', message: `No ChimeBearer is configured for ${error.operation} (CHIME_BEARER_ARN): nothing was done in Chime` },
    };
  }
}

/** The outcome on the case, unless a known one is there already (a concurrent request settled it first). */
async function recordChimeOutcome(deps: FinishDeps, c: CaseRecord, kind: 'decision' | 'autohide', outcome: CaseChimeAction): Promise<CaseRecord> {
  const { record } = await changeCase(
    deps,
    c.caseId,
    (current) => {
      const known = kind === 'decision' ? current.decision?.chime : current.autoHide;
      if (known && known.outcome !== 'REQUESTED') return undefined;
      if (known?.outcome === outcome.outcome) return undefined;
      const event = { at: outcome.completedAt ?? new Date(deps.clock.now()).toISOString(), actor: kind === 'autohide' ? 'auto-hide' : 'reports', event: `chime-${outcome.outcome.toLowerCase()}`, reason: `${kind === 'autohide' ? 'auto-hide' : current.decision!.action}${outcome.error ? `: ${outcome.error.type}: ${outcome.error.message}` : ''}` };
      if (kind === 'decision') return { ...current, decision: { ...current.decision!, chime: outcome }, history: withHistory(current.history, event) };
      return { ...current, autoHide: { ...current.autoHide!, ...outcome }, history: withHistory(current.history, event) };
    },
    { read: c },
  );
  return record;
}

/** What reporters are told: a template value, public (never the moderators' reason). */
const outcomeText = (c: CaseRecord) => (c.decision!.action === 'DISMISS' ? 'no rule was broken, so it stays' : c.decision!.action === 'REDACT' ? 'the message was hidden' : 'the message was removed');

/** Did this report take part in the decision? Made at or before it (a report after it joins the case, counted, and moves nothing). */
export const judgedBy = (report: Pick<ReportRecord, 'at'>, c: CaseRecord) => c.decision !== undefined && report.at <= c.decision.decidedAt;

/** The decision's consequences for one report: its reporter's record, their notice, its retention. Idempotent. */
export async function settleReport(deps: FinishDeps, c: CaseRecord, report: ReportRecord, policy: CommunityPolicy): Promise<void> {
  if (!judgedBy(report, c)) return expireReport(deps, c, report);
  if (report.outcomeSettledAt !== undefined) return;
  const upheld = c.decision!.action !== 'DISMISS';
  if (!report.outcomeCounted) await moveReporter(deps, report, upheld);
  if (deps.notices && policy.reports.notifyReporter) {
    const answer = await deps.notices.announce({
      kind: 'reportOutcome',
      about: { kind: 'case', caseId: c.caseId },
      channelArn: c.channelArn,
      to: report.reporterArn,
      values: { outcome: outcomeText(c), category: categorySettings(policy, report.category).label, reason: c.decision!.publicReason ?? '', ref: c.caseId },
    });
    // Not recorded: the case stays unsettled, and the next pass announces again (once per case, kind and reporter).
    if (!isAnnounced(answer)) throw new Error(`The report outcome notice could not be recorded: ${answer.status === 'NOT_RECORDED' ? answer.error : answer.status}`);
  }
  await deps.cases.updateReport(c.caseId, report.reporterArn, {
    set: { outcomeCounted: true, outcomeSettledAt: new Date(deps.clock.now()).toISOString(), ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}) },
  });
  if (c.expiresAt !== undefined) await deps.cases.expireWith(reportedKey(report.reporterArn, report.at, report.caseId), c.expiresAt);
}

/** A report kept as long as its decided case (RETENTION_DAYS after the decision): the report, and the reporter's pointer to it. */
export async function expireReport(deps: FinishDeps, c: CaseRecord, report: ReportRecord): Promise<void> {
  if (c.expiresAt === undefined || report.expiresAt === c.expiresAt) return;
  await deps.cases.updateReport(c.caseId, report.reporterArn, { set: { expiresAt: c.expiresAt } });
  await deps.cases.expireWith(reportedKey(report.reporterArn, report.at, report.caseId), c.expiresAt);
}

/** Nothing left to do for this report on a decided case. */
const reportSettled = (c: CaseRecord, report: ReportRecord) => (judgedBy(report, c) ? report.outcomeSettledAt !== undefined : c.expiresAt === undefined || report.expiresAt === c.expiresAt);

/**
 * Every consequence of the decision, then `settledAt` (and the case out of the settle queue).
 * The strike first: it does not wait for the reports. Then the reports not settled yet, within the
 * budget; past it, or on a failure, the case stays unsettled for the next request or the sweeper.
 */
async function settle(deps: FinishDeps, c: CaseRecord, policy: CommunityPolicy, budget: SettleBudget): Promise<CaseRecord> {
  const d = c.decision!;
  try {
    if (d.action !== 'DISMISS' && deps.strikeLedger) {
      await deps.strikeLedger.record({
        member: { appInstanceArn: c.appInstanceArn, memberArn: c.senderArn },
        source: { kind: 'report', caseId: c.caseId },
        channelArn: c.channelArn,
        messageId: c.messageId,
        actor: d.actor,
        at: d.decidedAt,
      });
    }
    if (c.expiresAt !== undefined) await deps.cases.expireWith(senderCaseKey(c.senderArn, c.caseId), c.expiresAt);
    let worked = 0;
    let next: Record<string, unknown> | undefined;
    do {
      const page = await deps.cases.listReports(c.caseId, { limit: 100, ...(next ? { next } : {}) });
      for (const report of page.items) {
        if (reportSettled(c, report)) continue;
        if (worked >= budget.maxReports || deps.clock.now() >= budget.stopAt) return c;
        worked += 1;
        await settleReport(deps, c, report, policy);
      }
      next = page.next;
    } while (next);
  } catch (error) {
    deps.warn('A decided case’s consequences were not all carried out; the next request on the case, or the sweeper, finishes them', { caseId: c.caseId, error: String(error) });
    return c;
  }
  const at = new Date(deps.clock.now()).toISOString();
  try {
    const { record } = await changeCase(deps, c.caseId, (current) => (current.settledAt !== undefined ? undefined : { ...current, settledAt: at, history: withHistory(current.history, { at, actor: 'reports', event: 'settled', reason: `${d.action === 'DISMISS' ? 'dismissed' : 'upheld'} for every reporter` }) }), { read: c });
    // A REDACT / DELETE whose outcome is still unknown keeps it in the settle queue: the sweeper reads Chime back.
    if (!owesChime(record)) await deps.cases.clearSettlement(c.caseId).catch((error: unknown) => deps.warn('A settled case is still in the settle queue; the sweeper takes it out', { caseId: c.caseId, error: String(error) }));
    return record;
  } catch (error) {
    if (!(error instanceof RecordChangedError)) throw error;
    deps.warn('A case’s consequences are carried out but its settledAt lost to other writers; the sweeper writes it', { caseId: c.caseId });
    return c;
  }
}
