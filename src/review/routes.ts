import { z } from 'zod';
import { listDecisions } from './audit.js';
import { claimReview, releaseClaim } from './claims.js';
import { decideMany, decideReview } from './decisions.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from './principal.js';
import { getReview, listReviews } from './queue.js';
import {
  AuditPage,
  BulkDecisionRequest,
  BulkDecisionResult,
  CallbackIdParams,
  ClaimRequest,
  DecisionRequest,
  DecisionsQuery,
  ReviewDetail,
  ReviewPage,
  ReviewsQuery,
  Stats,
} from './schemas.js';
import { collectStats } from './stats.js';

/**
 * THE route table. The hono app registers exactly these routes, and the OpenAPI document is
 * generated from exactly these entries with the same zod schemas that validate the requests:
 * "every route is documented" and "the document matches the validation" hold by construction.
 */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  principal: Principal;
  params: Output<P>;
  query: Output<Q>;
  body: Output<B>;
}

export interface RouteContext {
  deps: ReviewDeps;
  /** The OpenAPI document (built by the app from this table). */
  openApiDocument: () => unknown;
}

export interface RouteSpec<P, Q, B> {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/reviews/{callbackId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** No bearer token needed (only the document itself). */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: { schema: B; required: boolean };
  response: { description: string; schema: z.ZodType };
  /** Problem statuses this route answers besides 400/401/403/500. */
  problems: number[];
  handle(input: RouteInput<P, Q, B>, context: RouteContext): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Route = RouteSpec<any, any, any>;

const defineRoute = <P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): Route => spec as Route;

/** Any JSON document; the OpenAPI document is described by the OpenAPI 3.1 schema itself. */
const OpenApiDocumentSchema = z.looseObject({ openapi: z.string() });

export const ROUTES: readonly Route[] = [
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    public: true,
    response: { description: 'The OpenAPI 3.1 document of this API.', schema: OpenApiDocumentSchema },
    problems: [],
    handle: async (_input, { openApiDocument }) => openApiDocument(),
  }),
  defineRoute({
    method: 'GET',
    path: '/reviews',
    operationId: 'listReviews',
    summary: 'The review queue: PENDING_REVIEW items, nearest deadline first',
    query: ReviewsQuery,
    response: { description: 'One page of the queue.', schema: ReviewPage },
    problems: [],
    handle: ({ principal, query }, { deps }) => listReviews(deps, principal, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/reviews/{callbackId}',
    operationId: 'getReview',
    summary: 'One item in full, with its history and version',
    params: CallbackIdParams,
    response: { description: 'The item.', schema: ReviewDetail },
    problems: [404],
    handle: ({ params }, { deps }) => getReview(deps, params.callbackId),
  }),
  defineRoute({
    method: 'POST',
    path: '/reviews/{callbackId}/claim',
    operationId: 'claimReview',
    summary: 'Claim an item (a lease); claiming again extends it',
    description: '409 if someone else holds an unexpired lease (the problem names them and until when).',
    params: CallbackIdParams,
    body: { schema: ClaimRequest, required: false },
    response: { description: 'The item, with your claim.', schema: ReviewDetail },
    problems: [404, 409, 410, 413, 415],
    handle: ({ principal, params, body }, { deps }) => claimReview(deps, principal, params.callbackId, body.leaseSeconds),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/reviews/{callbackId}/claim',
    operationId: 'releaseClaim',
    summary: 'Release your claim (admins: anyone’s)',
    params: CallbackIdParams,
    response: { description: 'The item, unclaimed.', schema: ReviewDetail },
    problems: [404, 409, 410],
    handle: ({ principal, params }, { deps }) => releaseClaim(deps, principal, params.callbackId),
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
    body: { schema: DecisionRequest, required: true },
    response: { description: 'The item after the decision.', schema: ReviewDetail },
    problems: [404, 409, 410, 413, 415],
    handle: ({ principal, params, body }, { deps }) => decideReview(deps, principal, params.callbackId, body),
  }),
  defineRoute({
    method: 'POST',
    path: '/reviews/decisions',
    operationId: 'decideMany',
    summary: 'Up to 25 decisions at once, with a result for each',
    body: { schema: BulkDecisionRequest, required: true },
    response: { description: 'One result per decision, in request order.', schema: BulkDecisionResult },
    problems: [413, 415],
    handle: ({ principal, body }, { deps }) => decideMany(deps, principal, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/decisions',
    operationId: 'listDecisions',
    summary: 'The audit log: every decision (AUTO, MODERATOR, EXPIRY), newest first',
    query: DecisionsQuery,
    response: { description: 'One page of the audit log.', schema: AuditPage },
    problems: [],
    handle: ({ query }, { deps }) => listDecisions(deps, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/stats',
    operationId: 'getStats',
    summary: 'Counts by status, the oldest pending review, the nearest deadline, decisions in the last 24 h',
    response: { description: 'The figures.', schema: Stats },
    problems: [],
    handle: (_input, { deps }) => collectStats(deps),
  }),
];

/** `/reviews/{callbackId}` → `/reviews/:callbackId` (hono's syntax). */
export const toRouterPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

/** Matches a concrete path against a template, for 405 answers and the local gateway's routeKey. */
export const pathPattern = (path: string): RegExp => new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
