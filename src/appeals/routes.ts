import { routeBuilder, type Route } from '../http/route.js';
import { createAppeal, getAppeal, listAppeals } from './appeals.js';
import { decideAppeal } from './decisions.js';
import type { AppealDeps } from './deps.js';
import { AppealDecisionRequest, AppealIdParams, AppealRequest, AppealsQuery } from './schemas.js';

/**
 * The appeals room's routes: a member appeals a decision that went against them
 * (`access: 'member'`), moderators work the appeals. Served by the review API function
 * (src/api/tables.ts).
 */

const defineRoute = routeBuilder<AppealDeps>();

export const APPEALS_ROUTES: readonly Route<AppealDeps>[] = [
  defineRoute({
    method: 'POST',
    path: '/appeals',
    operationId: 'appealDecision',
    summary: 'Members: appeal a decision about your message (once per decision, within the policy’s window)',
    description:
      'By the member the decision was about: the held message’s sender (`callbackId`, as the notice names it), or the reported message’s sender (`caseId`); ' +
      'anyone else gets 404, as for a decision that does not exist. Once per decision: a second appeal is 409 `already-appealed` (with the appeal’s id); ' +
      'the same request with the same Idempotency-Key answers the first one (200). Only a decision that took effect and went against the member: ' +
      'a message DENY or UPDATE delivered to Chime, a case REDACT or DELETE done in Chime, or a case with a ban; otherwise 409 `not-appealable` ' +
      '(a decision still being delivered can be appealed a moment later: the detail says so). After the policy’s window (`appeals.window`, 14 days from the decision by default): 410.',
    access: 'member',
    idempotent: true,
    body: { schema: AppealRequest, required: true },
    response: { description: 'The appeal, as the member sees it.', schema: 'MemberAppeal' },
    problems: [404, 409, 410, 413, 415],
    handle: async ({ principal, member, body, idempotencyKey }, { deps }) => createAppeal(deps, principal, member!, body, idempotencyKey),
  }),
  defineRoute({
    method: 'GET',
    path: '/appeals',
    operationId: 'listAppeals',
    summary: 'Appeals by status (PENDING by default), oldest first',
    query: AppealsQuery,
    response: { description: 'One page of appeals.', schema: 'AppealPage' },
    problems: [],
    handle: async ({ query }, { deps }) => listAppeals(deps, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/appeals/{appealId}',
    operationId: 'getAppeal',
    summary: 'One appeal: the decision appealed (the message, its rules, who decided and why), the member’s text, the outcome and what it did',
    params: AppealIdParams,
    response: { description: 'The appeal.', schema: 'Appeal' },
    problems: [404],
    handle: async ({ params }, { deps }) => getAppeal(deps, params.appealId),
  }),
  defineRoute({
    method: 'POST',
    path: '/appeals/{appealId}/decision',
    operationId: 'decideAppeal',
    summary: 'Decide an appeal: UPHOLD (the decision stands) or OVERTURN (it is undone)',
    description:
      'Whoever made the decision appealed may not decide its appeal: 403 `four-eyes` (an automatic or expiry decision: any moderator may). One outcome per appeal: ' +
      'the second is 409 `already-decided`, saying who decided what; the same request with the same Idempotency-Key answers the first. ' +
      'OVERTURN of a denied or changed message allows its exact content for its sender in its channel for the policy’s `appeals.allowance` (24 hours by default), ' +
      'so a resend is SENT; it lifts the restrictions the decision caused and removes its strike. Either outcome is sent to the member (an `appealOutcome` notice) ' +
      'and written to the audit log (GET /decisions, kind ACTION, APPEAL_UPHOLD or APPEAL_OVERTURN). Each effect is recorded on the appeal once done; one that ' +
      'fails is tried again by the sweeper (`settledAt` is set when all are done).',
    params: AppealIdParams,
    idempotent: true,
    body: { schema: AppealDecisionRequest, required: true },
    response: { description: 'The appeal, decided.', schema: 'Appeal' },
    problems: [404, 409, 413, 415],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => decideAppeal(deps, principal, params.appealId, body, idempotencyKey),
  }),
];
