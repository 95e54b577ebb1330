import * as z from 'zod/mini';
import { FOLLOW_UP_OUTCOMES } from '../domain/follow-up.js';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';
import { REPORT_CATEGORIES } from '../policy/community.js';
import { AuditEntry } from '../review/responses.js';
import { CASE_ACTIONS, CASE_STATUSES } from './model.js';

/**
 * The reports room's answers (the OpenAPI document reads them; nothing validates an answer at
 * runtime). A member's view of a case never names another reporter; a moderator's names them all.
 */

const int = () => z.number().check(z.int());
const CaseStatus = z.enum(CASE_STATUSES);

// ─── Members ─────────────────────────────────────────────────────────────────────────────────

const ReportView = z
  .object({
    reportId: z.string(),
    caseId: z.string(),
    channelArn: z.string(),
    messageId: z.string(),
    category: z.enum(REPORT_CATEGORIES),
    categoryLabel: z.string(),
    note: z.optional(z.string()),
    reportedAt: z.string(),
  })
  .apply(meta, { id: 'Report' });

const ReporterCaseView = z
  .object({
    caseId: z.string(),
    status: CaseStatus.apply(meta, { description: 'OPEN: waiting for a moderator; ACTIONED: the message was redacted or deleted; DISMISSED: a moderator found no breach.' }),
    decidedAt: z.optional(z.string()),
    publicReason: z.optional(z.string()).apply(meta, { description: 'What the moderator wrote for reporters, if anything.' }),
  })
  .apply(meta, { id: 'ReporterCase', description: 'The case as its reporters see it: never who else reported it, nor how many.' });

export const ReportReceipt = z
  .object({
    report: ReportView,
    case: ReporterCaseView,
    repeated: z.boolean().apply(meta, { description: 'True when this member had reported the message already: the first report is answered, nothing was counted again.' }),
  })
  .apply(meta, { id: 'ReportReceipt' });

export const MyReportsPage = z
  .object({
    items: z.array(z.object({ report: ReportView, case: ReporterCaseView })),
    next: z.optional(z.string()).apply(meta, { description: 'Cursor of the next page; absent on the last.' }),
  })
  .apply(meta, { id: 'MyReportsPage' });

// ─── Moderators ──────────────────────────────────────────────────────────────────────────────

const CaseChimeActionView = z
  .object({
    actionId: z.string().apply(meta, { description: 'The follow-up action record (GET /decisions).' }),
    outcome: z.enum(FOLLOW_UP_OUTCOMES).apply(meta, { description: 'DONE: Chime confirmed it; FAILED: Chime refused (see `chimeError`); REQUESTED: asked for, Chime’s answer not known yet (settled by the next request on the case).' }),
    completedAt: z.optional(z.string()),
    confirmedBy: z.optional(z.enum(['answer', 'read-back'])),
    chimeError: z.optional(z.object({ type: z.string(), message: z.string() })),
  })
  .apply(meta, { id: 'CaseChimeAction' });

const CaseClaimView = z
  .object({ subject: z.string(), username: z.optional(z.string()), until: z.string(), claimedAt: z.string(), active: z.boolean() })
  .apply(meta, { id: 'CaseClaim' });

const CaseDecisionView = z
  .object({
    action: z.enum(CASE_ACTIONS),
    reason: z.string(),
    publicReason: z.optional(z.string()),
    decidedBy: z.object({ id: z.string(), name: z.optional(z.string()) }),
    decidedAt: z.string(),
    chime: z.optional(CaseChimeActionView).apply(meta, { description: 'REDACT / DELETE: the call in Chime, made after the decision was recorded.' }),
  })
  .apply(meta, { id: 'CaseDecision' });

export const CaseSummary = z
  .object({
    caseId: z.string(),
    version: int(),
    status: CaseStatus,
    urgent: z.boolean().apply(meta, { description: 'Hidden at once by policy (`reports.autoHide`): first in every order.' }),
    channelArn: z.string(),
    messageId: z.string(),
    sender: z.object({ arn: z.string(), name: z.optional(z.string()) }),
    message: z
      .object({
        content: z.string(),
        metadata: z.optional(z.string()),
        createdTimestamp: z.optional(z.string()),
        lastEditedTimestamp: z.optional(z.string()),
        target: z.optional(z.array(z.string())).apply(meta, { description: 'A targeted message: the members it was for.' }),
      })
      .apply(meta, { description: 'As Chime held it at the first report (refreshed when a later report found it changed), never as a reporter described it.' }),
    messageChangedAt: z.optional(z.string()),
    reporterCount: int().apply(meta, { description: 'Distinct members who reported it.' }),
    reportersCapped: z.optional(z.boolean()).apply(meta, { description: 'More members reported it than a case counts (500); later reports are kept, not counted.' }),
    categories: z.array(z.object({ category: z.enum(REPORT_CATEGORIES), label: z.string(), severity: int(), count: int() })),
    severity: int().apply(meta, { description: 'The highest of the categories’ severities (1-5).' }),
    weight: z.number().apply(meta, { description: 'Σ of the reporters’ accuracy when they reported.' }),
    priority: z.number().apply(meta, { description: 'severity × (1 + ln(1 + weight)): see README "Reports and cases".' }),
    firstReportAt: z.string(),
    lastReportAt: z.string(),
    dueAt: z.string().apply(meta, { description: 'The SLA target: the first report plus the shortest SLA of the categories.' }),
    secondsToDue: int().apply(meta, { description: 'The countdown (negative once overdue).' }),
    claim: z.nullable(CaseClaimView),
    decision: z.nullable(CaseDecisionView),
    autoHide: z.optional(z.extend(CaseChimeActionView, { at: z.string(), reporters: int(), withinSeconds: int() })),
  })
  .apply(meta, { id: 'CaseSummary' });

export const CaseDetail = z
  .extend(CaseSummary, {
    reports: z.array(
      z.object({
        reporterArn: z.string(),
        category: z.enum(REPORT_CATEGORIES),
        categoryLabel: z.string(),
        note: z.optional(z.string()),
        reportedAt: z.string(),
        onBehalf: z.boolean().apply(meta, { description: 'Made by a service acting for the member.' }),
        accuracyAtReport: z.number(),
        reporter: z
          .object({ accuracy: z.number(), upheld: int(), dismissed: int() })
          .apply(meta, { description: 'The reporter’s record now: accuracy = (upheld + 1) / (upheld + dismissed + 2).' }),
      }),
    ),
    reportsShown: int().apply(meta, { description: 'Reports listed here (the first 100 by reporter); `reporterCount` counts them all.' }),
    settled: z.boolean().apply(meta, { description: 'A decided case: its consequences (reporters’ records, the strike, the outcome notices) are all carried out.' }),
    history: z.array(
      z.object({ at: z.string(), actor: z.string(), event: z.string(), reason: z.optional(z.string()), count: z.optional(int()), lastAt: z.optional(z.string()) }),
    ),
  })
  .apply(meta, { id: 'CaseDetail' });

export const CasePage = z
  .object({ items: z.array(CaseSummary), next: z.optional(z.string()).apply(meta, { description: 'Cursor of the next page; absent on the last.' }) })
  .apply(meta, { id: 'CasePage' });

export const CaseActionResult = z
  .object({
    case: CaseDetail,
    action: z.optional(AuditEntry).apply(meta, { description: 'The follow-up action as the audit log shows it (a ban without the senders room, a warning).' }),
    restriction: z
      .optional(z.object({ restrictionId: z.string(), status: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'ENDED', 'LIFTED', 'REJECTED']) }))
      .apply(meta, { description: 'BAN_SENDER through the senders room: the restriction (PENDING_APPROVAL while it waits for a second moderator).' }),
  })
  .apply(meta, { id: 'CaseActionResult' });

/** The reports room's answers, by the name its route table gives them. */
export const REPORTS_RESPONSES = { ReportReceipt, MyReportsPage, CasePage, CaseDetail, CaseActionResult } as const;
