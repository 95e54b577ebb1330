import * as z from 'zod/mini';
import { meta } from '../http/schema-meta.js';
import { ReviewDetail } from '../review/responses.js';

export const FailedPage = z
  .object({
    items: z.array(ReviewDetail),
    next: z.optional(z.string()).apply(meta, { description: 'Cursor of the next page; absent on the last.' }),
  })
  .apply(meta, { id: 'FailedPage' });

export const RedeliverResult = z
  .object({
    results: z.array(
      z.object({
        callbackId: z.string(),
        outcome: z.enum(['DELIVERED', 'FAILED', 'ALREADY_RESOLVED', 'EXPIRED', 'QUEUED', 'SKIPPED', 'NOT_ATTEMPTED']).apply(meta, {
          description:
            'DELIVERED: Chime took the recorded decision. FAILED: refused again (see `reason`). QUEUED: Chime did not take it now; the workers retry it. SKIPPED: not FAILED, its window closed, or it changed meanwhile. NOT_ATTEMPTED: out of time; still FAILED, call again. ALREADY_RESOLVED / EXPIRED: what Chime showed.',
        }),
        reason: z.optional(z.string()),
        item: z.optional(ReviewDetail),
      }),
    ),
    more: z.boolean().apply(meta, { description: 'More FAILED items match than this call took: call again.' }),
    next: z.optional(z.string()).apply(meta, { description: 'Where the listing stopped: send it as `cursor` to go on from there (items before it were taken, or left out by `from`/`to`).' }),
  })
  .apply(meta, { id: 'RedeliverResult' });

/** The operations room's answers, by the name its route table gives them. */
export const OPERATIONS_RESPONSES = { FailedPage, RedeliverResult } as const;
