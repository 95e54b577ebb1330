import type { z } from 'zod';
import { DAY_MS, utcDay } from '../domain/deadline.js';
import { isFollowUpRecord } from '../domain/follow-up.js';
import { InvalidRequestError } from '../errors.js';
import type { ReviewDeps } from './deps.js';
import type { AuditPage } from './responses.js';
import type { DecisionsQuery } from './schemas.js';
import { toActionAuditEntry, toAuditEntry } from './views.js';

/**
 * The audit log, newest first, without scans: the audit index is partitioned by the UTC day of
 * the decision (and write-sharded within it; the store merges a day's shards), so a listing
 * walks days backwards from the end of the range. Days are read DAYS_AT_ONCE at a time, in
 * parallel; a page stops after MAX_DAYS_PER_PAGE days, so a sparse range never makes one
 * request slow (each day costs one query per audit shard), and its cursor resumes at the next.
 */
const DAYS_AT_ONCE = 4;
const MAX_DAYS_PER_PAGE = 16;
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
  const encode = (at: AuditPosition) => deps.cursors.encode(scope, at);
  for (let walked = 0; day >= lastDay && walked < MAX_DAYS_PER_PAGE && items.length < query.limit; ) {
    const days: string[] = [];
    for (let d = day; d >= lastDay && days.length < Math.min(DAYS_AT_ONCE, MAX_DAYS_PER_PAGE - walked); d = previousDay(d)) days.push(d);
    const wanted = query.limit - items.length;
    const pages = await Promise.all(
      days.map((d, i) =>
        deps.store.listDecisionsOfDay({
          day: d,
          from,
          to,
          ...(query.moderator !== undefined ? { actor: query.moderator } : {}),
          ...(query.channelArn !== undefined ? { channelArn: query.channelArn } : {}),
          ...(query.origin !== undefined ? { origin: query.origin } : {}),
          limit: wanted,
          ...(i === 0 && next ? { next } : {}),
        }),
      ),
    );
    // Newest day first. An older day is only used once every newer one was read to its end.
    for (const [i, page] of pages.entries()) {
      const d = days[i]!;
      if (page.items.length > query.limit - items.length) {
        // Read while the newer days were unknown: more than fits. Start this day afresh next page.
        return { items, next: encode({ day: d, ...(i === 0 && next ? { next } : {}), from, to }) };
      }
      // Decided items and follow-up action records share the index, in one time order.
      for (const record of page.items) {
        if (isFollowUpRecord(record)) items.push(toActionAuditEntry(record));
        else if (record.decision) items.push(toAuditEntry(record));
      }
      if (page.next) return { items, next: encode({ day: d, next: page.next, from, to }) };
    }
    walked += days.length;
    day = previousDay(days[days.length - 1]!);
    next = undefined;
  }
  return { items, ...(day >= lastDay ? { next: deps.cursors.encode(scope, { day, from, to } satisfies AuditPosition) } : {}) };
}
