import { listDecisions } from './audit.js';
import { nameChannels } from './channel-names.js';
import { claimReview, releaseClaim } from './claims.js';
import { decideMany, decideReview } from './decisions.js';
import type { ReviewDeps } from './deps.js';
import { actOnMessage, actOnReview } from './follow-ups.js';
import { describeCaller } from './me.js';
import { routeBuilder, type Route } from '../http/route.js';
import { getReview, listReviews } from './queue.js';
import { BulkDecisionRequest, CallbackIdParams, ClaimRequest, DecisionRequest, DecisionsQuery, MessageActionRequest, ReviewActionRequest, ReviewsQuery } from './schemas.js';
import { collectStats } from './stats.js';

/**
 * The held-messages room's routes: the review queue, claims, decisions, follow-up actions, the
 * audit log, statistics and the caller. Served by the review API function (src/api/tables.ts)
 * beside the other rooms' tables; described in the one OpenAPI document (src/api/document.ts).
 */

const defineRoute = routeBuilder<ReviewDeps>();

/** Views name channels by their ARN's last segment; these swap in Chime's names (never failing). */
const named = async <T extends { message: { channelArn: string; channelName: string } }>(deps: ReviewDeps, item: T): Promise<T> => {
  await nameChannels(deps.channelNames, [item.message]);
  return item;
};
const namedAll = async <T extends { items: Array<{ message: { channelArn: string; channelName: string } }> }>(deps: ReviewDeps, page: T): Promise<T> => {
  await nameChannels(deps.channelNames, page.items.map((i) => i.message));
  return page;
};

/** An admin's action on a message already SENT (redact, delete): same body, answer, problems and audit record. */
const sentMessageAction = (spec: { type: 'REDACT_MESSAGE' | 'DELETE_MESSAGE'; path: string; operationId: string; summary: string; description: string }) =>
  defineRoute({
    method: 'POST',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    access: 'admin',
    adminOnlyDetail: 'Only admins may redact or delete sent messages. Moderators may ban a held message’s sender (POST /reviews/{callbackId}/actions).',
    idempotent: true,
    body: { schema: MessageActionRequest, required: true },
    response: { description: 'The action as the audit log shows it.', schema: 'FollowUpResult' },
    problems: [404, 409, 413, 415, 502, 503],
    handle: async ({ principal, body, idempotencyKey }, { deps }) => {
      const result = await actOnMessage(deps, principal, spec.type, body, idempotencyKey);
      if (result.action) await nameChannels(deps.channelNames, [result.action]);
      return result;
    },
  });

export const REVIEW_ROUTES: readonly Route<ReviewDeps>[] = [
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    access: 'public',
    response: { description: 'The OpenAPI 3.1 document of this API.', schema: 'OpenApiDocument' },
    problems: [],
    handle: async (_input, { openApiDocument }) => openApiDocument(),
  }),
  defineRoute({
    method: 'GET',
    path: '/reviews',
    operationId: 'listReviews',
    summary: 'The review queue: PENDING_REVIEW items, nearest deadline first',
    query: ReviewsQuery,
    response: { description: 'One page of the queue.', schema: 'ReviewPage' },
    problems: [],
    handle: async ({ principal, query }, { deps }) => namedAll(deps, await listReviews(deps, principal, query)),
  }),
  defineRoute({
    method: 'GET',
    path: '/reviews/{callbackId}',
    operationId: 'getReview',
    summary: 'One item in full, with its history and version',
    params: CallbackIdParams,
    response: { description: 'The item.', schema: 'ReviewDetail' },
    problems: [404],
    handle: async ({ params }, { deps }) => named(deps, await getReview(deps, params.callbackId)),
  }),
  defineRoute({
    method: 'POST',
    path: '/reviews/{callbackId}/claim',
    operationId: 'claimReview',
    summary: 'Claim an item (a lease); claiming again extends it',
    description: '409 if someone else holds an unexpired lease (the problem names them and until when).',
    params: CallbackIdParams,
    body: { schema: ClaimRequest, required: false },
    response: { description: 'The item, with your claim.', schema: 'ReviewDetail' },
    problems: [404, 409, 410, 413, 415],
    handle: async ({ principal, params, body }, { deps }) => named(deps, await claimReview(deps, principal, params.callbackId, body.leaseSeconds)),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/reviews/{callbackId}/claim',
    operationId: 'releaseClaim',
    summary: 'Release your claim (admins: anyone’s)',
    params: CallbackIdParams,
    response: { description: 'The item, unclaimed.', schema: 'ReviewDetail' },
    problems: [404, 409, 410],
    handle: async ({ principal, params }, { deps }) => named(deps, await releaseClaim(deps, principal, params.callbackId)),
  }),
  defineRoute({
    method: 'POST',
    path: '/reviews/{callbackId}/decision',
    operationId: 'decideReview',
    summary: 'Decide: ALLOW, DENY (with a reason) or UPDATE (edit, then allow)',
    description:
      'Recorded with a conditional write, then delivered to Chime. 200 with the item: DELIVERED, or DECIDED when delivery will be retried. ' +
      '409 when already decided (by whom, how, when), claimed by someone else, or `expectedVersion` is stale; 410 past the deadline.',
    params: CallbackIdParams,
    idempotent: true,
    body: { schema: DecisionRequest, required: true },
    response: { description: 'The item after the decision.', schema: 'ReviewDetail' },
    problems: [404, 409, 410, 413, 415],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => named(deps, await decideReview(deps, principal, params.callbackId, body, { ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) })),
  }),
  defineRoute({
    method: 'POST',
    path: '/reviews/decisions',
    operationId: 'decideMany',
    summary: 'Up to 25 decisions at once, with a result for each',
    description:
      'Each decision is recorded, then delivered within the request’s time budget; one not delivered by then stays DECIDED and is handed to the workers (its result is 200 with the item DECIDED). One not even recorded in time is 503 `not-attempted`: send the request again with the same Idempotency-Key, and the decisions already made are answered as they were.',
    idempotent: true,
    body: { schema: BulkDecisionRequest, required: true },
    response: { description: 'One result per decision, in request order.', schema: 'BulkDecisionResult' },
    problems: [409, 413, 415],
    handle: async ({ principal, body, idempotencyKey }, { deps }) => {
      const result = await decideMany(deps, principal, body, idempotencyKey);
      await nameChannels(deps.channelNames, result.results.flatMap((r) => (r.item ? [r.item.message] : [])));
      return result;
    },
  }),
  // Follow-up actions in Chime (src/review/follow-ups.ts), audited in GET /decisions.
  defineRoute({
    method: 'POST',
    path: '/reviews/{callbackId}/actions',
    operationId: 'actOnReview',
    summary: "A follow-up action on an item's sender: BAN_SENDER bans them (the two-person rule applies)",
    description:
      'Whatever the item’s status (held, decided, delivered …), beside or after a decision. Through the senders room: a restriction on the sender’s record ' +
      '(GET /senders/{memberArn}), PENDING_APPROVAL when the policy’s two-person rule asks for a second moderator (`approvals`: longer than `banLongerThan`, ' +
      'without an end, or across the AppInstance), else ACTIVE with Chime CreateChannelBan made as the configured bearer; lifted at its end by the sweeper, by an admin, ' +
      'or by an overturned appeal. Noted in the item’s history. Without the senders room: a permanent channel ban, recorded in the audit log (GET /decisions, kind ACTION). ' +
      '409 not-restrictable for the moderation bot; 503 when no bearer is configured or Chime does not answer; 502 when Chime refuses the bearer.',
    params: CallbackIdParams,
    idempotent: true,
    body: { schema: ReviewActionRequest, required: true },
    response: { description: 'The restriction (or, without the senders room, the action as the audit log shows it), and the item.', schema: 'FollowUpResult' },
    problems: [404, 409, 413, 415, 502, 503],
    handle: async ({ principal, params, body, idempotencyKey }, { deps }) => {
      const result = await actOnReview(deps, principal, params.callbackId, body, idempotencyKey);
      await nameChannels(deps.channelNames, [...(result.action ? [result.action] : []), ...(result.item ? [result.item.message] : [])]);
      return result;
    },
  }),
  sentMessageAction({
    type: 'REDACT_MESSAGE',
    path: '/messages/redact',
    operationId: 'redactMessage',
    summary: 'Admins: redact a sent message in Chime (it stays, its content is removed)',
    description:
      'Chime RedactChannelMessage, as the configured bearer, for a message already SENT (allowed by policy and reported later, say). ' +
      'Recorded in the audit log (GET /decisions, kind ACTION). 404 when Chime has no such message; 409 when it is still in the channel flow.',
  }),
  sentMessageAction({
    type: 'DELETE_MESSAGE',
    path: '/messages/delete',
    operationId: 'deleteMessage',
    summary: 'Admins: delete a sent message in Chime (it is gone)',
    description:
      'Chime DeleteChannelMessage, as the configured bearer (Chime lets only AppInstanceAdmins delete), for a message already SENT. ' +
      'Recorded in the audit log (GET /decisions, kind ACTION). 404 when Chime has no such message.',
  }),
  defineRoute({
    method: 'GET',
    path: '/decisions',
    operationId: 'listDecisions',
    summary: 'The audit log: every decision (AUTO, MODERATOR, EXPIRY) and follow-up action (ban, redact, delete), newest first',
    query: DecisionsQuery,
    response: { description: 'One page of the audit log.', schema: 'AuditPage' },
    problems: [],
    handle: async ({ query }, { deps }) => {
      const page = await listDecisions(deps, query);
      await nameChannels(deps.channelNames, page.items);
      return page;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/stats',
    operationId: 'getStats',
    summary: 'Counts by status, the oldest pending review, the nearest deadline, decisions in the last 24 h',
    response: { description: 'The figures.', schema: 'Stats' },
    problems: [],
    handle: (_input, { deps }) => collectStats(deps),
  }),
  defineRoute({
    method: 'GET',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who you are (subject, username, groups, admin) and the expiry rules every held message is on',
    response: { description: 'The caller, and the expiry action, margin and callback window.', schema: 'Me' },
    problems: [],
    handle: async ({ principal }, { deps }) => describeCaller(deps, principal),
  }),
];

export { pathPattern, toRouterPath } from '../http/route-paths.js';
