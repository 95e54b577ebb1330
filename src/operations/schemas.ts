import * as z from 'zod/mini';
import '../zod-messages.js';
import { CursorSchema, integerParam, IsoTimeSchema } from '../http/params.js';
import { meta } from '../http/schema-meta.js';
import { CallbackIdSchema } from '../review/schemas.js';

/** The operations room's requests: recovery of FAILED items (src/operations/redeliver.ts). */

export const RedeliverRequest = z
  .strictObject({
    status: z.literal('FAILED', { error: 'must be FAILED (the only status re-delivered)' }).apply(meta, { description: 'Which items: FAILED ones, whose recorded decision is delivered again.' }),
    callbackIds: z
      .optional(z.array(CallbackIdSchema).check(z.minLength(1), z.maxLength(100)))
      .apply(meta, { description: 'These items only (1-100). Otherwise every FAILED item whose window is still open, nearest deadline first.' }),
    from: z.optional(IsoTimeSchema).apply(meta, { description: 'Only items that failed at or after this time.' }),
    to: z.optional(IsoTimeSchema).apply(meta, { description: 'Only items that failed at or before this time.' }),
    limit: z._default(z.number().check(z.int('must be a whole number'), z.gte(1), z.lte(100)), 25).apply(meta, { description: 'Items to take in this call, 1-100 (the answer says when there are more).' }),
    cursor: z.optional(CursorSchema).apply(meta, { description: 'The previous answer’s `next`: go on with the listing where it stopped (same `from` and `to`).' }),
  })
  .check(z.refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be after `to`', path: ['from'] }))
  .apply(meta, { id: 'RedeliverRequest' });
export type RedeliverRequest = z.output<typeof RedeliverRequest>;

export const FailedQuery = z.strictObject({
  limit: integerParam(1, 100, 25, 'Items per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});
export type FailedQuery = z.output<typeof FailedQuery>;

