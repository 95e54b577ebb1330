import { routeBuilder, type Route } from '../http/route.js';
import { actOnCase } from './actions.js';
import { claimCase, getCase, listCases, releaseCaseClaim } from './cases.js';
import { decideCase } from './decisions.js';
import type { ReportDeps } from './deps.js';
import { listMyReports, submitReport } from './reports.js';
import { CaseActionRequest, CaseClaimRequest, CaseDecisionRequest, CaseIdParams, CasesQuery, MyReportsQuery, ReportRequest } from './schemas.js';

/**
 * The reports room's routes: members report sent messages (`access: 'member'`), moderators work
 * the cases the reports gather into. Served by the review API function (src/api/tables.ts).
 */

const defineRoute = routeBuilder<ReportDeps>();

export const REPORTS_ROUTES: readonly Route<ReportDeps>[] = [
  defineRoute({
    method: 'POST',
    path: '/reports',
    operationId: 'reportMessage',
    summary: 'Members: report a message that was sent (one report per member per message)',
    description:
      'The message is read from Chime as the API’s bearer, never taken from the request (a `content` field is refused, 400). ' +
      'The reporter must be a member of the channel and able to see the message, which must be SENT and not redacted; otherwise 404, the same for every reason. ' +
      'A repeat of a report answers the first one (200, `repeated`), counted once. Per-reporter limits come from policy (`reports.rateLimits`): 429 with Retry-After. ' +
      '503 when Chime does not answer (nothing stored).',
    access: 'member',
    body: { schema: ReportRequest, required: true },
    response: { description: 'The report, and its case as the reporter may see it.', schema: 'ReportReceipt' },
    problems: [404, 413, 415, 429, 502, 503],
    handle: async ({ principal, member, body }, { deps }) => submitReport(deps, principal, member!, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/reports/mine',
    operationId: 'listMyReports',
    summary: 'Members: your reports, newest first, with how each case ended',
    access: 'member',
    query: MyReportsQuery,
    response: { description: 'One page of your reports.', schema: 'MyReportsPage' },
    problems: [],
    handle: async ({ member, query }, { deps }) => listMyReports(deps, member!, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/cases',
    operationId: 'listCases',
    summary: 'Cases of reported messages: by SLA due time or by priority, filtered',
    query: CasesQuery,
    response: { description: 'One page of cases.', schema: 'CasePage' },
    problems: [],
    handle: async ({ query }, { deps }) => listCases(deps, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/cases/{caseId}',
    operationId: 'getCase',
    summary: 'One case in full: its reports (with notes and each reporter’s record), history, version, claim',
    params: CaseIdParams,
    response: { description: 'The case.', schema: 'CaseDetail' },
    problems: [404],
    handle: async ({ params }, { deps }) => getCase(deps, params.caseId),
  }),
  defineRoute({
    method: 'POST',
    path: '/cases/{caseId}/claim',
    operationId: 'claimCase',
    summary: 'Claim a case (a lease); claiming again extends it',
    description: '409 if someone else holds an unexpired lease (the problem names them and until when), or if the case is decided.',
    params: CaseIdParams,
    body: { schema: CaseClaimRequest, required: false },
    response: { description: 'The case, with your claim.', schema: 'CaseDetail' },
    problems: [404, 409, 413, 415],
    handle: async ({ principal, params, body }, { deps }) => claimCase(deps, principal, params.caseId, body.leaseSeconds),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/cases/{caseId}/claim',
    operationId: 'releaseCaseClaim',
    summary: 'Release your claim on a case (admins: anyone’s)',
    params: CaseIdParams,
    response: { description: 'The case, unclaimed.', schema: 'CaseDetail' },
    problems: [404, 409],
    handle: async ({ principal, params }, { deps }) => releaseCaseClaim(deps, principal, params.caseId),
  }),
  defineRoute({
    method: 'POST',
    path: '/cases/{caseId}/decision',
    operationId: 'decideCase',
    summary: 'Decide a case: DISMISS, REDACT or DELETE (one decision per case)',
    description:
      'Recorded with a conditional write, then carried out: REDACT and DELETE in Chime as the configured bearer (audited in GET /decisions; a refusal is shown on the case as FAILED with Chime’s answer), ' +
      'each reporter’s record moves (upheld or dismissed), an upheld case strikes the sender, and reporters are told the outcome when policy says so. ' +
      '409 when decided already (by whom, what, when), claimed by someone else, or `expectedVersion` is stale. 503 for REDACT/DELETE with no bearer configured (nothing recorded).',
    params: CaseIdParams,
    idempotent: true,
    body: { schema: CaseDecisionRequest, required: true },
    response: { description: 'The case after the decision.', schema: 'CaseDetail' },
    problems: [404, 409, 413, 415, 503],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => decideCase(deps, principal, params.caseId, body, idempotencyKey),
  }),
  defineRoute({
    method: 'POST',
    path: '/cases/{caseId}/actions',
    operationId: 'actOnCase',
    summary: "An action on a case's sender: BAN_SENDER or NOTIFY_SENDER (a warning)",
    description:
      'BAN_SENDER through the senders room (the two-person rule applies; `for` and `scope`), or a permanent channel ban (CreateChannelBan) when that room is absent. ' +
      'NOTIFY_SENDER: a warning notice with the reason, through the notices room (503 not-configured without it). Both audited; noted in the case’s history.',
    params: CaseIdParams,
    idempotent: true,
    body: { schema: CaseActionRequest, required: true },
    response: { description: 'The case, with the action.', schema: 'CaseActionResult' },
    problems: [404, 409, 413, 415, 502, 503],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => actOnCase(deps, principal, params.caseId, body, idempotencyKey),
  }),
];
