import type { z } from 'zod';
import { DAY_MS, utcDay } from '../domain/deadline.js';
import { InvalidRequestError } from '../errors.js';
import type { ReviewDeps } from './deps.js';
import type { AuditPage, DecisionsQuery } from './schemas.js';
import { toAuditEntry } from './views.js';

/**
 * The audit log, newest first, without scans: the byDecisionDay index is partitioned by the
 * UTC day of the decision, so a listing walks days backwards from the end of the range and
 * queries each (filters are FilterExpressions within the day). A page stops after
 * MAX_DAYS_PER_PAGE empty-or-short days so a sparse range never makes one request slow; its
 * cursor then resumes at the next day.
 */
const MAX_DAYS_PER_PAGE = 31;
const MAX_RANGE_DAYS = 400;

/** Where the next page starts: the day, DynamoDB's position inside it, and the resolved range. */
interface AuditPosition {
  day: string;
  next?: Record<string, unknown>;
  from: string;
  to: string;
}

export const previousDay = (day: string): string => utcDay(new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString());

export async function listDecisions(deps: ReviewDeps, query: DecisionsQuery): Promise<z.output<typeof AuditPage>> {
  // The scope holds the filters as given; the resolved range travels in the position, so
  // "to = now" means the same instant on every page of one listing.
  const scope = { route: 'GET /decisions', moderator: query.moderator, channelArn: query.channelArn, origin: query.origin, from: query.from, to: query.to };
  const position = query.cursor === undefined ? undefined : deps.cursors.decode<AuditPosition>(scope, query.cursor);

  let from: string;
  let to: string;
  if (position) {
    ({ from, to } = position);
  } else {
    to = new Date(query.to !== undefined ? Date.parse(query.to) : deps.clock.now()).toISOString();
    from = new Date(query.from !== undefined ? Date.parse(query.from) : Date.parse(to) - deps.retentionDays * DAY_MS).toISOString();
    if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * DAY_MS) {
      throw new InvalidRequestError(`The time range spans more than ${MAX_RANGE_DAYS} days; narrow \`from\`/\`to\`.`, [{ path: 'from', message: `must be within ${MAX_RANGE_DAYS} days of \`to\`` }]);
    }
  }

  const lastDay = utcDay(from);
  let day = position?.day ?? utcDay(to);
  let next = position?.next;
  const items: z.output<typeof AuditPage>['items'] = [];
  for (let walked = 0; day >= lastDay && walked < MAX_DAYS_PER_PAGE && items.length < query.limit; walked += 1) {
    const page = await deps.store.listDecisionsOfDay({
      day,
      from,
      to,
      ...(query.moderator !== undefined ? { actor: query.moderator } : {}),
      ...(query.channelArn !== undefined ? { channelArn: query.channelArn } : {}),
      ...(query.origin !== undefined ? { origin: query.origin } : {}),
      limit: query.limit - items.length,
      ...(next ? { next } : {}),
    });
    items.push(...page.items.filter((item) => item.decision).map(toAuditEntry));
    if (page.next) {
      return { items, next: deps.cursors.encode(scope, { day, next: page.next, from, to } satisfies AuditPosition) };
    }
    day = previousDay(day);
    next = undefined;
  }
  return { items, ...(day >= lastDay ? { next: deps.cursors.encode(scope, { day, from, to } satisfies AuditPosition) } : {}) };
}
