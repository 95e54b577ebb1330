import type { z } from 'zod';
import type { CommunityPolicy, ReportCategory } from '../policy/community.js';
import { isClaimActive, type CaseChimeAction, type CaseRecord, type ReportedPointer, type ReporterRecord, type ReportRecord } from './model.js';
import type { CaseDetail, CaseSummary, ReportReceipt } from './responses.js';
import { categorySettings, reporterAccuracy, secondsUntil } from './scoring.js';

/** What members and moderators see of reports and cases. Pure. */

type ReportView = z.output<typeof ReportReceipt>['report'];
type ReporterCaseView = z.output<typeof ReportReceipt>['case'];

export function toReportView(report: Pick<ReportRecord | ReportedPointer, 'reportId' | 'caseId' | 'channelArn' | 'messageId' | 'category' | 'at'> & { note?: string }, policy: CommunityPolicy): ReportView {
  return {
    reportId: report.reportId,
    caseId: report.caseId,
    channelArn: report.channelArn,
    messageId: report.messageId,
    category: report.category,
    categoryLabel: categorySettings(policy, report.category).label,
    ...(report.note !== undefined ? { note: report.note } : {}),
    reportedAt: report.at,
  };
}

/** The case as a reporter sees it: its status and outcome, never who else reported it. */
export function toReporterCaseView(c: CaseRecord | undefined, caseId: string): ReporterCaseView {
  if (!c) return { caseId, status: 'OPEN' };
  return {
    caseId: c.caseId,
    status: c.status,
    ...(c.decision ? { decidedAt: c.decision.decidedAt } : {}),
    ...(c.decision?.publicReason !== undefined ? { publicReason: c.decision.publicReason } : {}),
  };
}

const chimeActionView = (a: CaseChimeAction) => ({
  actionId: a.actionId,
  outcome: a.outcome,
  ...(a.completedAt !== undefined ? { completedAt: a.completedAt } : {}),
  ...(a.confirmedBy !== undefined ? { confirmedBy: a.confirmedBy } : {}),
  ...(a.error ? { chimeError: { type: a.error.type, message: a.error.message } } : {}),
});

export function toCaseSummary(c: CaseRecord, policy: CommunityPolicy, nowMs: number): z.output<typeof CaseSummary> {
  const m = c.message;
  const d = c.decision;
  return {
    caseId: c.caseId,
    version: c.version,
    status: c.status,
    urgent: c.urgent,
    channelArn: c.channelArn,
    messageId: c.messageId,
    sender: { arn: c.sender.arn, ...(c.sender.name !== undefined ? { name: c.sender.name } : {}) },
    message: {
      content: m.content,
      ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
      ...(m.createdTimestamp !== undefined ? { createdTimestamp: m.createdTimestamp } : {}),
      ...(m.lastEditedTimestamp !== undefined ? { lastEditedTimestamp: m.lastEditedTimestamp } : {}),
      ...(m.target ? { target: m.target } : {}),
    },
    ...(c.messageChangedAt !== undefined ? { messageChangedAt: c.messageChangedAt } : {}),
    reporterCount: c.reporterCount,
    ...(c.reportersCapped ? { reportersCapped: true } : {}),
    categories: (Object.entries(c.categories) as Array<[ReportCategory, number]>)
      .map(([category, count]) => ({ category, label: categorySettings(policy, category).label, severity: categorySettings(policy, category).severity, count }))
      .sort((a, b) => b.severity - a.severity || b.count - a.count),
    severity: c.maxSeverity,
    weight: Math.round(c.weight * 1000) / 1000,
    priority: c.priority,
    firstReportAt: c.firstReportAt,
    lastReportAt: c.lastReportAt,
    dueAt: c.dueAt,
    secondsToDue: secondsUntil(c.dueAt, nowMs),
    claim: c.claim ? { ...c.claim, active: isClaimActive(c.claim, nowMs) } : null,
    decision: d
      ? {
          action: d.action,
          reason: d.reason,
          ...(d.publicReason !== undefined ? { publicReason: d.publicReason } : {}),
          decidedBy: d.actor,
          decidedAt: d.decidedAt,
          ...(d.chime ? { chime: chimeActionView(d.chime) } : {}),
        }
      : null,
    ...(c.autoHide ? { autoHide: { ...chimeActionView(c.autoHide), at: c.autoHide.at, reporters: c.autoHide.reporters, withinSeconds: c.autoHide.withinSeconds } } : {}),
  };
}

export function toCaseDetail(c: CaseRecord, reports: readonly ReportRecord[], reporters: ReadonlyMap<string, ReporterRecord>, policy: CommunityPolicy, nowMs: number): z.output<typeof CaseDetail> {
  return {
    ...toCaseSummary(c, policy, nowMs),
    reports: reports.map((r) => {
      const track = reporters.get(r.reporterArn) ?? { upheld: 0, dismissed: 0 };
      return {
        reporterArn: r.reporterArn,
        category: r.category,
        categoryLabel: categorySettings(policy, r.category).label,
        ...(r.note !== undefined ? { note: r.note } : {}),
        reportedAt: r.at,
        onBehalf: r.by.onBehalf,
        accuracyAtReport: r.accuracy,
        reporter: { accuracy: Math.round(reporterAccuracy(track) * 1000) / 1000, upheld: track.upheld, dismissed: track.dismissed },
      };
    }),
    reportsShown: reports.length,
    settled: c.decision !== undefined && c.settledAt !== undefined,
    history: c.history,
  };
}
