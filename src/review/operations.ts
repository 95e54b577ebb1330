import type { z } from 'zod';
import { redeliverFailed } from '../operations/redeliver.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from './principal.js';
import type { FailedPage, RedeliverResult } from './responses.js';
import type { FailedQuery, RedeliverRequest } from './schemas.js';
import { toReviewDetail } from './views.js';

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
