import type { z } from 'zod';
import { redeliverFailed } from './redeliver.js';
import type { ReviewDeps } from '../review/deps.js';
import type { Principal } from '../http/principal.js';
import { routeBuilder, type Route } from '../http/route.js';
import { nameChannels } from '../review/channel-names.js';
import type { FailedPage, RedeliverResult } from './responses.js';
import { FailedQuery, RedeliverRequest } from './schemas.js';
import { toReviewDetail } from '../review/views.js';

/** `GET /operations/failed`: FAILED items whose window is open, nearest deadline first. */
export async function listFailed(deps: ReviewDeps, query: FailedQuery): Promise<z.output<typeof FailedPage>> {
  const scope = { route: 'GET /operations/failed' };
  const start = query.cursor === undefined ? undefined : deps.cursors.decode<Record<string, unknown>>(scope, query.cursor);
  const now = deps.clock.now();
  const page = await deps.store.listFailed({ openAfter: new Date(now).toISOString(), limit: query.limit, ...(start ? { next: start } : {}) });
  return {
    items: page.items.map((item) => toReviewDetail(item, now, deps.expiryMarginSeconds, deps.expiryAction)),
    ...(page.next ? { next: deps.cursors.encode(scope, page.next) } : {}),
  };
}

/** `POST /operations/redeliver` (admins). */
export async function redeliver(deps: ReviewDeps, principal: Principal, request: RedeliverRequest): Promise<z.output<typeof RedeliverResult>> {
  // The listing position is signed, and only good for the same filters.
  const scope = { route: 'POST /operations/redeliver', from: request.from, to: request.to };
  const { cursor, ...asked } = request;
  const after = cursor === undefined ? undefined : deps.cursors.decode<Record<string, unknown>>(scope, cursor);
  const { results, more, next } = await redeliverFailed(deps, { id: principal.subject, name: principal.username }, { ...asked, ...(after ? { after } : {}) });
  const now = deps.clock.now();
  return {
    results: results.map(({ item, ...result }) => ({ ...result, ...(item ? { item: toReviewDetail(item, now, deps.expiryMarginSeconds, deps.expiryAction) } : {}) })),
    more,
    ...(next ? { next: deps.cursors.encode(scope, next) } : {}),
  };
}

const defineRoute = routeBuilder<ReviewDeps>();

/** The operations room's routes: recovery of FAILED items, for operators. */
export const OPERATIONS_ROUTES: readonly Route<ReviewDeps>[] = [
  // Recovery for operators (src/operations/redeliver.ts): FAILED items, and their decisions delivered again.
  defineRoute({
    method: 'GET',
    path: '/operations/failed',
    operationId: 'listFailed',
    summary: 'FAILED items whose callback window is still open, nearest deadline first',
    description: 'What POST /operations/redeliver would take. Each item says why it failed (`outcome`) and what was decided.',
    query: FailedQuery,
    response: { description: 'One page of FAILED items.', schema: 'FailedPage' },
    problems: [],
    handle: async ({ query }, { deps }) => {
      const page = await listFailed(deps, query);
      await nameChannels(deps.channelNames, page.items.map((i) => i.message));
      return page;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/operations/redeliver',
    operationId: 'redeliverFailed',
    summary: 'Admins: deliver again the recorded decision of FAILED items whose window is still open',
    description:
      'After a fix (a missing chime:ChannelFlowCallback grant, say): each FAILED item is reopened under the normal delivery lease and its recorded decision is sent again, never a new one. ' +
      'The answer says what happened to each. Items not reached in time stay FAILED (`NOT_ATTEMPTED`, `more: true`): call again. A second call does nothing to an item the first delivered.',
    access: 'admin',
    adminOnlyDetail: 'Only admins may re-deliver FAILED items.',
    body: { schema: RedeliverRequest, required: true },
    response: { description: 'One result per item taken.', schema: 'RedeliverResult' },
    problems: [413, 415],
    handle: async ({ principal, body }, { deps }) => redeliver(deps, principal, body),
  }),
];
