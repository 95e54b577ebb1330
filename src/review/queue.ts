import type { z } from 'zod';
import { ItemNotFoundError } from '../errors.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from '../http/principal.js';
import type { ReviewDetail, ReviewPage } from './responses.js';
import type { ReviewsQuery } from './schemas.js';
import { toReviewDetail, toReviewSummary } from './views.js';

/** The cursor scope of a queue listing: its filters, and the caller when `claimed=mine`. */
const queueScope = (query: ReviewsQuery, principal: Principal) => ({
  route: 'GET /reviews',
  channelArn: query.channelArn,
  senderArn: query.senderArn,
  rule: query.rule,
  claimed: query.claimed,
  ...(query.claimed === 'mine' ? { subject: principal.subject } : {}),
});

/** PENDING_REVIEW items, nearest deadline first, filtered, one page at a time. */
export async function listReviews(deps: ReviewDeps, principal: Principal, query: ReviewsQuery): Promise<z.output<typeof ReviewPage>> {
  const scope = queueScope(query, principal);
  const start = query.cursor === undefined ? undefined : deps.cursors.decode<Record<string, unknown>>(scope, query.cursor);
  const now = deps.clock.now();
  const page = await deps.store.listPendingReviews({
    ...(query.channelArn !== undefined ? { channelArn: query.channelArn } : {}),
    ...(query.senderArn !== undefined ? { senderArn: query.senderArn } : {}),
    ...(query.rule !== undefined ? { ruleId: query.rule } : {}),
    claimed: query.claimed,
    subject: principal.subject,
    now,
    limit: query.limit,
    ...(start ? { next: start } : {}),
  });
  return {
    items: page.items.map((item) => toReviewSummary(item, now, deps.expiryMarginSeconds, deps.expiryAction)),
    ...(page.next ? { next: deps.cursors.encode(scope, page.next) } : {}),
  };
}

export async function getReview(deps: ReviewDeps, callbackId: string): Promise<z.output<typeof ReviewDetail>> {
  const item = await deps.store.get(callbackId);
  if (!item) throw new ItemNotFoundError(callbackId);
  return toReviewDetail(item, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction);
}
