import * as z from 'zod/mini';
import { CALLBACK_LIMITS } from '../domain/callback.js';
import { CHANNEL_ARN_PATTERN } from '../domain/arns.js';
import '../zod-messages.js';
import { CursorSchema, integerParam, IsoTimeSchema } from '../http/params.js';
import { meta } from '../http/schema-meta.js';
import { parseDuration } from '../policy/community.js';

/**
 * The review API's schemas: the single source for request validation AND the OpenAPI document
 * (src/http/openapi.ts renders these with z.toJSONSchema), so the two cannot drift.
 *
 * Every request object is strict: an unknown field is a 400, never silently ignored (a typo in
 * `expectedVersion` must not turn a guarded decision into an unguarded one).
 *
 * zod/mini (src/zod-messages.ts), like every schema the Lambda bundles carry: the same rules,
 * messages and JSON Schema as zod's classic API (test/unit/zod-mini/review-schemas.test.ts holds
 * them to the classic version; `npm run generate:api -- --check` to the committed document), a
 * fraction of the code to load at a cold start. `.apply(meta, …)` is the classic `.meta(…)`:
 * a copy of the schema, carrying the metadata, that inherits what the original carries.
 */

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Chime's CallbackId: 32–64 characters of `[A-Za-z0-9_-]` (the API's documented pattern). */
export const CALLBACK_ID_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;
export const SENDER_ARN_PATTERN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+\/(?:user|bot)\/[^/\s]+$/;
const RULE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

export const CallbackIdSchema = z
  .string()
  .check(z.regex(CALLBACK_ID_PATTERN, `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters of letters, digits, "-" or "_"`))
  .apply(meta, { description: "Chime's CallbackId of the held message (32-64 characters of [A-Za-z0-9_-])." });

export const ChannelArnSchema = z.string().check(z.regex(CHANNEL_ARN_PATTERN, 'must be a Chime channel ARN'))
  .apply(meta, { description: 'A Chime channel ARN.' });
export const CallbackActionSchema = z.enum(['ALLOW', 'DENY', 'UPDATE']);
export const DecisionOriginSchema = z.enum(['AUTO', 'MODERATOR', 'EXPIRY']);
export const SenderArnSchema = z.string().check(z.regex(SENDER_ARN_PATTERN, 'must be a Chime user or bot ARN'))
  .apply(meta, { description: 'A Chime AppInstanceUser or bot ARN.' });

// Paging and time parameters, shared with the policy routes (src/http/params.ts).
export { CursorSchema, integerParam, IsoTimeSchema };

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export const CallbackIdParams = z.strictObject({ callbackId: CallbackIdSchema });

export const ReviewsQuery = z.strictObject({
  channelArn: z.optional(ChannelArnSchema),
  senderArn: z.optional(SenderArnSchema),
  claimed: z
    ._default(z.enum(['mine', 'none', 'any']), 'any')
    .apply(meta, { description: '`mine`: claimed by the caller; `none`: unclaimed or lease lapsed; `any`: both.' }),
  rule: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must be a rule id such as terms.review')))
    .apply(meta, { description: 'Only items this policy rule held.' }),
  limit: integerParam(1, 100, 25, 'Items per page, 1-100.'),
  cursor: z.optional(CursorSchema),
});
export type ReviewsQuery = z.output<typeof ReviewsQuery>;

export const DecisionsQuery = z
  .strictObject({
    moderator: z
      .optional(z.string().check(z.minLength(1), z.maxLength(256)))
      .apply(meta, { description: 'Token subject or username of the decider (`policy` and `sweeper` for the automatic origins).' }),
    channelArn: z.optional(ChannelArnSchema),
    origin: z.optional(DecisionOriginSchema),
    from: z.optional(IsoTimeSchema).apply(meta, { description: 'Inclusive start of the time range (default: the retention period before `to`).' }),
    to: z.optional(IsoTimeSchema).apply(meta, { description: 'Inclusive end of the time range (default: now).' }),
    limit: integerParam(1, 100, 25, 'Entries per page, 1-100.'),
    cursor: z.optional(CursorSchema),
  })
  .check(z.refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be after `to`', path: ['from'] }));
export type DecisionsQuery = z.output<typeof DecisionsQuery>;

export const ClaimRequest = z
  .strictObject({
    leaseSeconds: z
      ._default(z.number().check(z.int('must be a whole number'), z.gte(1), z.lte(3600)), 300)
      .apply(meta, { description: 'Lease length; re-claiming extends it.' }),
  })
  .apply(meta, { id: 'ClaimRequest' });
export type ClaimRequest = z.output<typeof ClaimRequest>;

const PushNotificationSchema = z
  .strictObject({
    title: z.optional(z.string().check(z.maxLength(CALLBACK_LIMITS.pushTitleMax))),
    body: z.optional(z.string().check(z.maxLength(CALLBACK_LIMITS.pushBodyMax))),
    type: z.optional(z.enum(['DEFAULT', 'VOIP'])),
  })
  .apply(meta, { id: 'PushNotification' });

const MessageAttributesSchema = z
  .record(
    z.string().check(z.minLength(1), z.maxLength(64)),
    z.strictObject({ StringValues: z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.minLength(1), z.maxLength(50)) }),
  )
  .apply(meta, { id: 'MessageAttributes', description: 'Chime MessageAttributes: name → { StringValues }.' });

const EDIT_FIELDS = ['content', 'metadata', 'messageAttributes', 'pushNotification'] as const;

const decisionFields = {
  action: CallbackActionSchema.apply(meta, { description: 'ALLOW: unchanged; DENY: Chime drops it (a reason is required); UPDATE: send with the edits.' }),
  content: z
    .optional(
      z
        .string()
        .check(
          z.minLength(1, 'must not be empty'),
          z.maxLength(CALLBACK_LIMITS.contentMaxBytes),
          z.refine((v) => bytes(v) <= CALLBACK_LIMITS.contentMaxBytes, `must be at most ${CALLBACK_LIMITS.contentMaxBytes} bytes in UTF-8`),
        ),
    )
    .apply(meta, { description: 'UPDATE only: the new content (1 character to 4 KB).' }),
  metadata: z
    .optional(
      z
        .string()
        .check(
          z.maxLength(CALLBACK_LIMITS.metadataMaxBytes),
          z.refine((v) => bytes(v) <= CALLBACK_LIMITS.metadataMaxBytes, `must be at most ${CALLBACK_LIMITS.metadataMaxBytes} bytes in UTF-8`),
        ),
    )
    .apply(meta, { description: 'UPDATE only: the new metadata (at most 1 KB).' }),
  messageAttributes: z.optional(MessageAttributesSchema),
  pushNotification: z.optional(PushNotificationSchema),
  reason: z
    .optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000)))
    .apply(meta, { description: 'Why; required for DENY. Kept in the audit log.' }),
  publicReason: z
    .optional(z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(300)))
    .apply(meta, {
      description:
        'DENY or UPDATE: what the sender’s notice says (instead of the policy’s reason for moderators’ decisions). `reason` stays in the audit log and is never shown to them.',
    }),
  expectedVersion: z
    .optional(z.number().check(z.int('must be a whole number'), z.gte(1)))
    .apply(meta, { description: 'Refuse (409) unless the item is still at this version.' }),
};

type DecisionShape = { action: 'ALLOW' | 'DENY' | 'UPDATE'; reason?: string | undefined } & Partial<Record<(typeof EDIT_FIELDS)[number], unknown>>;

/** Rules that span fields: what each action may carry. */
function checkDecisionFields(decision: DecisionShape, ctx: z.core.$RefinementCtx<DecisionShape>) {
  const edits = EDIT_FIELDS.filter((field) => decision[field] !== undefined);
  if (decision.action === 'UPDATE' && edits.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['action'], message: `UPDATE needs at least one of ${EDIT_FIELDS.join(', ')}` });
  }
  if (decision.action !== 'UPDATE') {
    for (const field of edits) ctx.addIssue({ code: 'custom', path: [field], message: `is only allowed with action UPDATE` });
  }
  if (decision.action === 'DENY' && decision.reason === undefined) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required to DENY (Chime keeps no copy of a denied message; the reason is the record)' });
  }
}

export const DecisionRequest = z.strictObject(decisionFields).check(z.superRefine(checkDecisionFields)).apply(meta, { id: 'DecisionRequest' });
export type DecisionRequest = z.output<typeof DecisionRequest>;

export const MAX_BULK_DECISIONS = 25;

/** Chime's MessageId (the API model): 1–128 characters of `[-_a-zA-Z0-9]`. */
export const MessageIdSchema = z
  .string()
  .check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(128, 'must be at most 128 characters'),
    z.regex(/^[-_a-zA-Z0-9]*$/, 'must be letters, digits, "-" or "_" (Chime\'s MessageId)'),
  )
  .apply(meta, { description: "Chime's MessageId (1-128 characters of [-_a-zA-Z0-9])." });

const actionReason = z
  .string()
  .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000)).apply(meta, { description: 'Why; required. Kept in the audit log.' });

export const ReviewActionRequest = z
  .strictObject({
    type: z.enum(['BAN_SENDER']).apply(meta, { description: "BAN_SENDER: ban the held message's sender (through the senders room: the two-person rule applies)." }),
    reason: actionReason,
    for: z
      .optional(z.string().check(z.regex(/^\d{1,6}[smhd]$/, 'must be a duration such as 90s, 15m, 24h or 7d'), z.refine((v) => parseDuration(v) !== 0, 'must be longer than 0')))
      .apply(meta, { description: 'How long (`24h`, `7d`); without it the ban lasts until lifted. A ban longer than the policy’s `approvals.banLongerThan` waits for a second moderator.' }),
    scope: z.optional(z.enum(['channel', 'app-instance'])).apply(meta, { description: "The item's channel (the default) or every channel of the AppInstance (always needs a second moderator by default)." }),
  })
  .apply(meta, { id: 'ReviewActionRequest' });
export type ReviewActionRequest = z.output<typeof ReviewActionRequest>;

export const MessageActionRequest = z
  .strictObject({
    // The model's ChimeArn is at most 1600 characters; the pattern makes it a channel's.
    channelArn: ChannelArnSchema.check(z.maxLength(1600, 'must be at most 1600 characters')),
    messageId: MessageIdSchema,
    reason: actionReason,
  })
  .apply(meta, { id: 'MessageActionRequest', description: 'A message already sent to a channel (SENT in Chime).' });
export type MessageActionRequest = z.output<typeof MessageActionRequest>;

export const BulkDecisionRequest = z
  .strictObject({
    decisions: z
      .array(z.strictObject({ callbackId: CallbackIdSchema, ...decisionFields }).check(z.superRefine(checkDecisionFields)))
      .check(
        z.minLength(1, 'must hold at least one decision'),
        z.maxLength(MAX_BULK_DECISIONS, `must hold at most ${MAX_BULK_DECISIONS} decisions`),
      ),
  })
  .check(
    z.superRefine((body, ctx) => {
      const seen = new Set<string>();
      body.decisions.forEach((d, i) => {
        if (seen.has(d.callbackId)) ctx.addIssue({ code: 'custom', path: ['decisions', i, 'callbackId'], message: 'appears more than once' });
        seen.add(d.callbackId);
      });
    }),
  )
  .apply(meta, { id: 'BulkDecisionRequest' });
export type BulkDecisionRequest = z.output<typeof BulkDecisionRequest>;
