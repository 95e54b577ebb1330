import { routeBuilder, type Route } from '../http/route.js';
import type { SendersDeps } from './deps.js';
import { addNote, cannedReasons, decideApproval, imposeRestriction, liftRestriction, listApprovals, senderRecord } from './operations.js';
import {
  ApprovalDecisionRequest,
  ApprovalParams,
  ApprovalsQuery,
  CannedReasonsQuery,
  LiftQuery,
  MemberParams,
  NoteRequest,
  RestrictionParams,
  RestrictionRequest,
  SenderQuery,
} from './schemas.js';

/**
 * The senders room (moderators): a sender's record, notes and restrictions, the approvals of the
 * two-person rule, and the canned reasons of every reason picker. Served by the review API
 * function (src/api/tables.ts); strikes and escalation themselves happen in the decision paths
 * (src/senders/strikes.ts) and the sweeper (src/senders/sweeper-task.ts).
 */

const defineRoute = routeBuilder<SendersDeps>();

export const SENDERS_ROUTES: readonly Route<SendersDeps>[] = [
  defineRoute({
    method: 'GET',
    path: '/senders/{memberArn}',
    operationId: 'getSender',
    summary: "A sender's record: strikes, restrictions, reports against them, notes, held and denied messages",
    description: 'The member ARN is URL-encoded in the path. Messages come newest first, a page at a time (`cursor`); the rest is bounded (see each list).',
    params: MemberParams,
    query: SenderQuery,
    response: { description: "The sender's record.", schema: 'SenderRecord' },
    problems: [],
    handle: async ({ params, query }, { deps }) => senderRecord(deps, params.memberArn, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/senders/{memberArn}/notes',
    operationId: 'addSenderNote',
    summary: 'Add a note to a sender’s record (moderators only ever see it)',
    params: MemberParams,
    body: { schema: NoteRequest, required: true },
    response: { description: 'The note.', schema: 'SenderNote' },
    problems: [413, 415],
    handle: async ({ principal, params, body }, { deps }) => addNote(deps, principal, params.memberArn, body),
  }),
  defineRoute({
    method: 'POST',
    path: '/senders/{memberArn}/restrictions',
    operationId: 'restrictSender',
    summary: 'Hold every message of a sender for review, or ban them (the two-person rule applies)',
    description:
      'HOLD: every message of the member (in the channel, or everywhere) goes to review while it lasts. BAN: CreateChannelBan as the configured bearer (every channel the member is in, for scope app-instance) and the worker denies their messages. ' +
      'A ban longer than the policy’s `approvals.banLongerThan` (or without `for`), or across the AppInstance, waits as PENDING_APPROVAL for a second moderator (POST /approvals/{approvalId}/decision). ' +
      'Each Chime call is recorded DONE, FAILED (with Chime’s answer) or REQUESTED (unknown: the sweeper settles it by reading back).',
    params: MemberParams,
    idempotent: true,
    body: { schema: RestrictionRequest, required: true },
    response: { description: 'The restriction.', schema: 'Restriction' },
    problems: [409, 413, 415],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => imposeRestriction(deps, principal, params.memberArn, body, idempotencyKey),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/senders/{memberArn}/restrictions/{restrictionId}',
    operationId: 'liftSenderRestriction',
    summary: 'Admins: lift a restriction now (a ban’s channels are unbanned; a pending one is withdrawn)',
    access: 'admin',
    adminOnlyDetail: 'Only admins may lift a restriction early. Moderators may ask for one (POST /senders/{memberArn}/restrictions) or decide an approval.',
    params: RestrictionParams,
    query: LiftQuery,
    response: { description: 'The restriction, LIFTED (or as it was, when it had ended).', schema: 'Restriction' },
    problems: [404],
    handle: async ({ principal, params, query }, { deps }) => liftRestriction(deps, principal, params.memberArn, params.restrictionId, query.reason),
  }),
  defineRoute({
    method: 'GET',
    path: '/approvals',
    operationId: 'listApprovals',
    summary: 'Bans waiting for a second moderator (the two-person rule), oldest first',
    query: ApprovalsQuery,
    response: { description: 'One page of pending approvals.', schema: 'ApprovalPage' },
    problems: [],
    handle: async ({ query }, { deps }) => listApprovals(deps, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/approvals/{approvalId}/decision',
    operationId: 'decideApproval',
    summary: 'Approve (the ban is applied now, its `for` counting from now) or reject a pending ban',
    description:
      'Whoever asked for the ban gets 403 `four-eyes` (an automatic escalation step may be approved by any moderator). ' +
      'Two moderators at once: one wins, the other gets 409 `approval-conflict` naming who decided and how.',
    params: ApprovalParams,
    body: { schema: ApprovalDecisionRequest, required: true },
    response: { description: 'The restriction after the decision.', schema: 'Restriction' },
    problems: [404, 409, 413, 415],
    handle: async ({ principal, params, body }, { deps }) => decideApproval(deps, principal, params.approvalId, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/canned-reasons',
    operationId: 'getCannedReasons',
    summary: 'The canned reasons of a channel’s effective policy, for every reason picker (deny, ban, case, appeal)',
    query: CannedReasonsQuery,
    response: { description: 'The reasons, by form.', schema: 'CannedReasons' },
    problems: [503],
    handle: async ({ query }, { deps }) => cannedReasons(deps, query.channelArn),
  }),
];
