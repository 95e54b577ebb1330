import * as z from 'zod/mini';
import '../zod-messages.js';
import { CursorSchema, integerParam } from '../http/params.js';
import { meta } from '../http/schema-meta.js';
import { MEMBER_ARN_PATTERN } from '../domain/arns.js';
import { CallbackIdSchema } from '../review/schemas.js';
import { APPEAL_ID_PATTERN, APPEAL_OUTCOMES, APPEAL_STATUSES } from './model.js';

/**
 * The appeals room's requests (zod/mini, strict objects, bounded strings): the single source for
 * their validation and their part of the OpenAPI document.
 */

/** A report case's id (src/reports/model.ts CASE_ID_PATTERN): 32 characters of [A-Za-z0-9_-]. */
export const CaseIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{32}$/, 'must be a case id (32 characters of letters, digits, "-" or "_")'))
  .apply(meta, { description: 'A report case (GET /cases/{caseId}).' });

export const AppealIdSchema = z
  .string()
  .check(z.regex(APPEAL_ID_PATTERN, 'must be an appeal id (32 characters of letters, digits, "-" or "_")'))
  .apply(meta, { description: 'An appeal (32 characters of [A-Za-z0-9_-]).' });

const MemberArnSchema = z
  .string()
  .check(z.maxLength(1600, 'must be at most 1600 characters'), z.regex(MEMBER_ARN_PATTERN, 'must be a Chime AppInstanceUser or AppInstanceBot ARN'))
  .apply(meta, { description: 'A Chime AppInstanceUser or AppInstanceBot ARN.' });

export const AppealIdParams = z.strictObject({ appealId: AppealIdSchema });

export const AppealRequest = z
  .strictObject({
    callbackId: z.optional(CallbackIdSchema).apply(meta, { description: 'The held message whose decision is appealed (its CallbackId, as the notice names it). Give this or `caseId`.' }),
    caseId: z.optional(CaseIdSchema).apply(meta, { description: 'The report case whose decision is appealed. Give this or `callbackId`.' }),
    text: z
      .string()
      .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(2000, 'must be at most 2000 characters'))
      .apply(meta, { description: 'Why the decision was wrong, in the member’s words (1-2000 characters).' }),
    memberArn: z.optional(MemberArnSchema).apply(meta, { description: 'Only a token in the service group (an app’s backend) names the member it acts for; a member may leave it out or name themselves.' }),
  })
  .check(
    z.superRefine((body, ctx) => {
      if ((body.callbackId === undefined) === (body.caseId === undefined)) {
        ctx.addIssue({ code: 'custom', path: [body.callbackId === undefined ? 'callbackId' : 'caseId'], message: 'give exactly one of callbackId and caseId' });
      }
    }),
  )
  .apply(meta, { id: 'AppealRequest' });
export type AppealRequest = z.output<typeof AppealRequest>;

export const AppealsQuery = z.strictObject({
  status: z._default(z.enum(APPEAL_STATUSES), 'PENDING').apply(meta, { description: 'PENDING (the queue, the default), UPHELD or OVERTURNED.' }),
  limit: integerParam(1, 100, 25, 'Appeals per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});
export type AppealsQuery = z.output<typeof AppealsQuery>;

export const AppealDecisionRequest = z
  .strictObject({
    outcome: z.enum(APPEAL_OUTCOMES).apply(meta, { description: 'UPHOLD: the decision stands. OVERTURN: it was wrong; its effects are undone.' }),
    reason: z
      .string()
      .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(500, 'must be at most 500 characters'))
      .apply(meta, { description: 'Why (1-500 characters). The member reads it in the outcome notice; kept in the audit log.' }),
    expectedVersion: z.optional(z.number().check(z.int('must be a whole number'), z.gte(1))).apply(meta, { description: 'Refuse (409) unless the appeal is still at this version.' }),
  })
  .apply(meta, { id: 'AppealDecisionRequest' });
export type AppealDecisionRequest = z.output<typeof AppealDecisionRequest>;
