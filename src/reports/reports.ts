import type { z } from 'zod';
import { appInstanceOf } from '../domain/arns.js';
import { ChimeBearerNotConfiguredError, InvalidRequestError, PeopleNotFoundError, RateLimitedError } from '../errors.js';
import type { Member } from '../http/member.js';
import type { Principal } from '../http/principal.js';
import type { CommunityPolicy } from '../policy/community.js';
import type { ReportDeps } from './deps.js';
import { autoHideIfDue, expireReport, finishCase, settleReport } from './finish.js';
import {
  caseIdOf,
  openCase,
  rateLimitFor,
  reportedKey,
  reportIdOf,
  reportKey,
  senderCaseKey,
  tallyQueueOf,
  type CaseRecord,
  type MessageSnapshot,
  type ReportRecord,
} from './model.js';
import { policyFor } from './policies.js';
import type { ChimeMessageView } from './ports.js';
import type { MyReportsPage, ReportReceipt } from './responses.js';
import type { MyReportsQuery, ReportRequest } from './schemas.js';
import { toReportView, toReporterCaseView } from './views.js';
import { tallyReport } from './tally.js';
import { countAgainstLimits, indexByPriority } from './writes.js';

/**
 * `POST /reports`: a member reports a message that was sent.
 *
 *   reported it already? ─ yes ─▶ the first report, 200 (nothing counted again; whatever the first
 *        │                        request left undone is finished: the case count, the pointers)
 *   over a rate limit? ── yes ─▶ 429 with Retry-After (checked before anything is stored)
 *   Chime, as our bearer: is the reporter a member of the channel; the message SENT, not
 *   redacted, and (targeted) theirs to see? ── no ─▶ 404, the same for every reason
 *                                          ── no answer ─▶ 503, nothing stored
 *   count it against the limits (the reporter's record, once per message)
 *   the report (one per reporter per message, by key: of two at once, one is created, both answer it)
 *   the case (one per message, by key): created, or the report counted on it exactly once
 *   (src/reports/tally.ts; a case too busy to take it now counts it later: still 200)
 *   pointers: the sender's cases, the reporter's reports
 *   auto-hide, when policy asks for it and the threshold is met
 *
 * Every write settles its own lost answer (a write id it is conditional on), and every step can
 * be done again: a repeat of the request, even after the first one's answer was lost, ends in
 * the same report counted once.
 */
export async function submitReport(deps: ReportDeps, principal: Principal, member: Member, request: ReportRequest): Promise<z.output<typeof ReportReceipt>> {
  const now = deps.clock.now();
  const nowIso = new Date(now).toISOString();
  const reporterArn = member.memberArn;
  const caseId = caseIdOf(request.channelArn, request.messageId);
  const policy = await policyFor(deps, request.channelArn);

  const first = await deps.cases.getReport(caseId, reporterArn);
  if (first) return receipt(await completeReport(deps, first, undefined, policy), first, policy, true);

  const limited = rateLimitFor(await deps.cases.getReporter(reporterArn), policy.reports.rateLimits, now);
  if (limited) throw new RateLimitedError('reports', limited.limit, limited.retryAfterSeconds);

  const seen = await readReportedMessage(deps, request.channelArn, request.messageId, reporterArn);

  const accuracy = await countAgainstLimits(deps, reporterArn, caseId, nowIso, policy, now);
  const { record: report, created } = await deps.cases.createReport({
    ...reportKey(caseId, reporterArn),
    kind: 'REPORT',
    reportId: reportIdOf(caseId, reporterArn),
    caseId,
    channelArn: request.channelArn,
    messageId: request.messageId,
    reporterArn,
    category: request.category,
    ...(request.note !== undefined ? { note: request.note } : {}),
    at: nowIso,
    by: { subject: principal.subject, onBehalf: member.onBehalf },
    accuracy,
    // Waits in the tally queue until its case counts it (src/reports/tally.ts).
    ...tallyQueueOf({ caseId, at: nowIso, reporterArn }),
  });
  // A twin of this request created it first: one report, which both answer.
  return receipt(await completeReport(deps, report, seen, policy), report, policy, !created);
}

const notVisible = (messageId: string) =>
  new PeopleNotFoundError('message', messageId, `There is no message ${messageId} in that channel that you can report. Only a message that was sent, that is still there, and that you can see (as a member of the channel) can be reported.`);

/**
 * The message as Chime holds it, if the reporter may report it; the same 404 for every reason
 * they may not (no such channel or message, not a member, not sent, redacted, targeted at
 * someone else), so a report tells the reporter nothing they could not see.
 */
export async function readReportedMessage(deps: ReportDeps, channelArn: string, messageId: string, reporterArn: string): Promise<ChimeMessageView> {
  const reader = deps.reportedMessages;
  const bearer = reader?.bearerFor(channelArn);
  if (!reader || !bearer) throw new ChimeBearerNotConfiguredError('GetChannelMessage', channelArn);
  if (!(await reader.isMember(channelArn, reporterArn, bearer))) throw notVisible(messageId);
  let message = await reader.read(channelArn, messageId, bearer, { readerIsBearer: true });
  // Chime shows a targeted message to its sender and its target only, so our bearer cannot read
  // one between two members; the reporter can if it is theirs to see (Chime answers NotFound to
  // anyone else). What is kept is still what Chime answered, never what the reporter sent.
  if (!message && reporterArn !== bearer) message = await reader.read(channelArn, messageId, reporterArn, { readerIsBearer: false });
  if (!message || message.status !== 'SENT' || message.redacted || message.content === undefined) throw notVisible(messageId);
  if (message.target && message.sender.arn !== reporterArn && !message.target.includes(reporterArn)) throw notVisible(messageId);
  if (message.sender.arn === reporterArn) {
    throw new InvalidRequestError('You cannot report your own message: delete or edit it instead.', [{ path: 'body.messageId', message: 'is a message you sent' }]);
  }
  return message;
}

const snapshotOf = (m: ChimeMessageView): MessageSnapshot => ({
  content: m.content ?? '',
  ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
  ...(m.createdTimestamp !== undefined ? { createdTimestamp: m.createdTimestamp } : {}),
  ...(m.lastEditedTimestamp !== undefined ? { lastEditedTimestamp: m.lastEditedTimestamp } : {}),
  ...(m.target ? { target: m.target } : {}),
});

/**
 * The report counted on its case (opened by it when it is the message's first), the pointers,
 * auto-hide, and whatever the case still owes. `seen` is what Chime holds now; a repeat that
 * finds no case (the first request died before it) reads Chime again.
 */
async function completeReport(deps: ReportDeps, report: ReportRecord, seen: ChimeMessageView | undefined, policy: CommunityPolicy): Promise<CaseRecord> {
  const counted = { reporterArn: report.reporterArn, category: report.category, at: report.at, accuracy: report.accuracy };
  let c = await deps.cases.getCase(report.caseId);
  if (!c) {
    const message = seen ?? (await readReportedMessage(deps, report.channelArn, report.messageId, report.reporterArn));
    const opened = await deps.cases.createCase(
      openCase({
        caseId: report.caseId,
        appInstanceArn: appInstanceOf(report.channelArn),
        channelArn: report.channelArn,
        messageId: report.messageId,
        sender: message.sender,
        message: snapshotOf(message),
        report: counted,
        policy,
      }),
    );
    c = opened.record;
    if (opened.created) {
      await indexByPriority(deps, c);
      await deps.cases.recordPointer({ ...senderCaseKey(c.senderArn, c.caseId), kind: 'SENDER_CASE', caseId: c.caseId, channelArn: c.channelArn, messageId: c.messageId, firstReportAt: c.firstReportAt });
    }
  }
  // Counted once whatever happens (src/reports/tally.ts): a repeat, a twin request or a retry
  // after a lost answer adds nothing; a case too busy to take it now counts it later.
  c = (await tallyReport(deps, report, seen ? snapshotOf(seen) : undefined, policy, { read: c })).record;
  if (seen === undefined) {
    // A repeat: make sure the sender's pointer exists (the first request may have died before it).
    await deps.cases.recordPointer({ ...senderCaseKey(c.senderArn, c.caseId), kind: 'SENDER_CASE', caseId: c.caseId, channelArn: c.channelArn, messageId: c.messageId, firstReportAt: c.firstReportAt });
  }
  await deps.cases.recordPointer({
    ...reportedKey(report.reporterArn, report.at, report.caseId),
    kind: 'REPORTED',
    caseId: report.caseId,
    reportId: report.reportId,
    channelArn: report.channelArn,
    messageId: report.messageId,
    category: report.category,
    ...(report.note !== undefined ? { note: report.note } : {}),
    at: report.at,
  });
  // The report is stored and counted (or queued to be): what follows is the case's own work,
  // which a busy case may not get done now. It is never the report's failure: the next request
  // on the case or the sweeper's cases task does it.
  try {
    if (c.decision) await expireReport(deps, c, report);
    c = await autoHideIfDue(deps, c, policy);
    // A report made while the case was being decided took part in the decision: its reporter's
    // record moves with it (settleReport does nothing more for a report made after the decision).
    if (c.decision && c.settledAt !== undefined) await settleReport(deps, c, report, policy);
    return await finishCase(deps, c, policy);
  } catch (error) {
    deps.warn('A report is stored, but the work on its case that followed did not all get done; left to the next request or the sweeper', { caseId: c.caseId, error: String(error) });
    return c;
  }
}

function receipt(c: CaseRecord, report: ReportRecord, policy: CommunityPolicy, repeated: boolean): z.output<typeof ReportReceipt> {
  return { report: toReportView(report, policy), case: toReporterCaseView(c, c.caseId), repeated };
}

/** `GET /reports/mine`: the member's reports, newest first, with how their cases ended. */
export async function listMyReports(deps: ReportDeps, member: Member, query: MyReportsQuery): Promise<z.output<typeof MyReportsPage>> {
  const scope = { route: 'GET /reports/mine', memberArn: member.memberArn };
  const start = query.cursor === undefined ? undefined : deps.cursors.decode<Record<string, unknown>>(scope, query.cursor);
  const page = await deps.cases.listReportedBy(member.memberArn, { limit: query.limit, ...(start ? { next: start } : {}) });
  const cases = new Map((await deps.cases.getCases(page.items.map((p) => p.caseId))).map((c) => [c.caseId, c]));
  const items = await Promise.all(
    page.items.map(async (pointer) => {
      const policy = await policyFor(deps, pointer.channelArn);
      return { report: toReportView(pointer, policy), case: toReporterCaseView(cases.get(pointer.caseId), pointer.caseId) };
    }),
  );
  return { items, ...(page.next ? { next: deps.cursors.encode(scope, page.next) } : {}) };
}

