// Frozen copy of src/review/schemas.ts before the review API's schemas moved to zod/mini (classic
// zod API): the reference test/unit/zod-mini/review-schemas.test.ts checks the migration against.
import * as z from 'zod';
import { CALLBACK_LIMITS } from '../../../../src/domain/callback.js';
import { FOLLOW_UP_ACTIONS, FOLLOW_UP_OUTCOMES } from '../../../../src/domain/follow-up.js';
import { STATUSES } from '../../../../src/domain/item.js';
import { CHANNEL_ARN_PATTERN } from '../../../../src/intake/event.js';
import { parseDuration } from '../../../../src/policy/community.js';

/**
 * The review API's schemas: the single source for request validation AND the OpenAPI document
 * (src/http/openapi.ts renders these with z.toJSONSchema), so the two cannot drift.
 *
 * Every request object is strict: an unknown field is a 400, never silently ignored (a typo in
 * `expectedVersion` must not turn a guarded decision into an unguarded one).
 */

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Chime's CallbackId: 32–64 characters of `[A-Za-z0-9_-]` (the API's documented pattern). */
export const CALLBACK_ID_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;
export const SENDER_ARN_PATTERN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+\/(?:user|bot)\/[^/\s]+$/;
const RULE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

export const CallbackIdSchema = z
  .string()
  .regex(CALLBACK_ID_PATTERN, `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters of letters, digits, "-" or "_"`)
  .meta({ description: "Chime's CallbackId of the held message (32-64 characters of [A-Za-z0-9_-])." });

export const ChannelArnSchema = z.string().regex(CHANNEL_ARN_PATTERN, 'must be a Chime channel ARN').meta({ description: 'A Chime channel ARN.' });
const CallbackActionSchema = z.enum(['ALLOW', 'DENY', 'UPDATE']);
const DecisionOriginSchema = z.enum(['AUTO', 'MODERATOR', 'EXPIRY']);
const ExpiryActionSchema = z.enum(['DENY', 'ALLOW']);
const SenderView = z.object({ arn: z.string(), name: z.string().optional() });
export const SenderArnSchema = z.string().regex(SENDER_ARN_PATTERN, 'must be a Chime user or bot ARN').meta({ description: 'A Chime AppInstanceUser or bot ARN.' });

/**
 * A whole number in a query string. Strict on purpose: `z.coerce.number()` would accept "",
 * " 7" and "1e1". The document shows it as an integer with its bounds.
 */
export const integerParam = (min: number, max: number, fallback: number, description: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback)
    .meta({ description, override: { type: 'integer', minimum: min, maximum: max, default: fallback } });

export const CursorSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'is not a cursor this API issued')
  .meta({ description: 'Opaque: the `next` of the previous page. Valid only with the same filters.' });

export const IsoTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z' });

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export const CallbackIdParams = z.strictObject({ callbackId: CallbackIdSchema });

export const ReviewsQuery = z.strictObject({
  channelArn: ChannelArnSchema.optional(),
  senderArn: SenderArnSchema.optional(),
  claimed: z
    .enum(['mine', 'none', 'any'])
    .default('any')
    .meta({ description: '`mine`: claimed by the caller; `none`: unclaimed or lease lapsed; `any`: both.' }),
  rule: z.string().regex(RULE_ID_PATTERN, 'must be a rule id such as terms.review').optional().meta({ description: 'Only items this policy rule held.' }),
  limit: integerParam(1, 100, 25, 'Items per page, 1-100.'),
  cursor: CursorSchema.optional(),
});
export type ReviewsQuery = z.output<typeof ReviewsQuery>;

export const DecisionsQuery = z
  .strictObject({
    moderator: z.string().min(1).max(256).optional().meta({ description: 'Token subject or username of the decider (`policy` and `sweeper` for the automatic origins).' }),
    channelArn: ChannelArnSchema.optional(),
    origin: DecisionOriginSchema.optional(),
    from: IsoTimeSchema.optional().meta({ description: 'Inclusive start of the time range (default: the retention period before `to`).' }),
    to: IsoTimeSchema.optional().meta({ description: 'Inclusive end of the time range (default: now).' }),
    limit: integerParam(1, 100, 25, 'Entries per page, 1-100.'),
    cursor: CursorSchema.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be after `to`', path: ['from'] });
export type DecisionsQuery = z.output<typeof DecisionsQuery>;

export const ClaimRequest = z
  .strictObject({
    leaseSeconds: z.number().int('must be a whole number').min(1).max(3600).default(300).meta({ description: 'Lease length; re-claiming extends it.' }),
  })
  .meta({ id: 'ClaimRequest' });
export type ClaimRequest = z.output<typeof ClaimRequest>;

const PushNotificationSchema = z
  .strictObject({
    title: z.string().max(CALLBACK_LIMITS.pushTitleMax).optional(),
    body: z.string().max(CALLBACK_LIMITS.pushBodyMax).optional(),
    type: z.enum(['DEFAULT', 'VOIP']).optional(),
  })
  .meta({ id: 'PushNotification' });

const MessageAttributesSchema = z
  .record(
    z.string().min(1).max(64),
    z.strictObject({ StringValues: z.array(z.string().min(1).max(512)).min(1).max(50) }),
  )
  .meta({ id: 'MessageAttributes', description: 'Chime MessageAttributes: name → { StringValues }.' });

const EDIT_FIELDS = ['content', 'metadata', 'messageAttributes', 'pushNotification'] as const;

const decisionFields = {
  action: CallbackActionSchema.meta({ description: 'ALLOW: unchanged; DENY: Chime drops it (a reason is required); UPDATE: send with the edits.' }),
  content: z
    .string()
    .min(1, 'must not be empty')
    .max(CALLBACK_LIMITS.contentMaxBytes)
    .refine((v) => bytes(v) <= CALLBACK_LIMITS.contentMaxBytes, `must be at most ${CALLBACK_LIMITS.contentMaxBytes} bytes in UTF-8`)
    .optional()
    .meta({ description: 'UPDATE only: the new content (1 character to 4 KB).' }),
  metadata: z
    .string()
    .max(CALLBACK_LIMITS.metadataMaxBytes)
    .refine((v) => bytes(v) <= CALLBACK_LIMITS.metadataMaxBytes, `must be at most ${CALLBACK_LIMITS.metadataMaxBytes} bytes in UTF-8`)
    .optional()
    .meta({ description: 'UPDATE only: the new metadata (at most 1 KB).' }),
  messageAttributes: MessageAttributesSchema.optional(),
  pushNotification: PushNotificationSchema.optional(),
  reason: z.string().trim().min(1, 'must not be empty').max(1000).optional().meta({ description: 'Why; required for DENY. Kept in the audit log.' }),
  publicReason: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(300)
    .optional()
    .meta({
      description:
        'DENY or UPDATE: what the sender’s notice says (instead of the policy’s reason for moderators’ decisions). `reason` stays in the audit log and is never shown to them.',
    }),
  expectedVersion: z.number().int('must be a whole number').min(1).optional().meta({ description: 'Refuse (409) unless the item is still at this version.' }),
};

type DecisionShape = { action: 'ALLOW' | 'DENY' | 'UPDATE'; reason?: string | undefined } & Partial<Record<(typeof EDIT_FIELDS)[number], unknown>>;

/** Rules that span fields: what each action may carry. */
function checkDecisionFields(decision: DecisionShape, ctx: z.RefinementCtx) {
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

export const DecisionRequest = z.strictObject(decisionFields).superRefine(checkDecisionFields).meta({ id: 'DecisionRequest' });
export type DecisionRequest = z.output<typeof DecisionRequest>;

export const MAX_BULK_DECISIONS = 25;

/** Chime's MessageId (the API model): 1–128 characters of `[-_a-zA-Z0-9]`. */
export const MessageIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[-_a-zA-Z0-9]*$/, 'must be letters, digits, "-" or "_" (Chime\'s MessageId)')
  .meta({ description: "Chime's MessageId (1-128 characters of [-_a-zA-Z0-9])." });

const actionReason = z.string().trim().min(1, 'must not be empty').max(1000).meta({ description: 'Why; required. Kept in the audit log.' });

export const ReviewActionRequest = z
  .strictObject({
    type: z.enum(['BAN_SENDER']).meta({ description: "BAN_SENDER: ban the held message's sender (through the senders room: the two-person rule applies)." }),
    reason: actionReason,
    for: z
      .string()
      .regex(/^\d{1,6}[smhd]$/, 'must be a duration such as 90s, 15m, 24h or 7d')
      .refine((v) => parseDuration(v) !== 0, 'must be longer than 0')
      .optional()
      .meta({ description: 'How long (`24h`, `7d`); without it the ban lasts until lifted. A ban longer than the policy’s `approvals.banLongerThan` waits for a second moderator.' }),
    scope: z.enum(['channel', 'app-instance']).optional().meta({ description: "The item's channel (the default) or every channel of the AppInstance (always needs a second moderator by default)." }),
  })
  .meta({ id: 'ReviewActionRequest' });
export type ReviewActionRequest = z.output<typeof ReviewActionRequest>;

export const MessageActionRequest = z
  .strictObject({
    // The model's ChimeArn is at most 1600 characters; the pattern makes it a channel's.
    channelArn: ChannelArnSchema.max(1600, 'must be at most 1600 characters'),
    messageId: MessageIdSchema,
    reason: actionReason,
  })
  .meta({ id: 'MessageActionRequest', description: 'A message already sent to a channel (SENT in Chime).' });
export type MessageActionRequest = z.output<typeof MessageActionRequest>;

export const BulkDecisionRequest = z
  .strictObject({
    decisions: z
      .array(z.strictObject({ callbackId: CallbackIdSchema, ...decisionFields }).superRefine(checkDecisionFields))
      .min(1, 'must hold at least one decision')
      .max(MAX_BULK_DECISIONS, `must hold at most ${MAX_BULK_DECISIONS} decisions`),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.decisions.forEach((d, i) => {
      if (seen.has(d.callbackId)) ctx.addIssue({ code: 'custom', path: ['decisions', i, 'callbackId'], message: 'appears more than once' });
      seen.add(d.callbackId);
    });
  })
  .meta({ id: 'BulkDecisionRequest' });
export type BulkDecisionRequest = z.output<typeof BulkDecisionRequest>;

// ─── Responses ───────────────────────────────────────────────────────────────────────────────

export const Problem = z
  .looseObject({
    type: z.string().meta({ description: 'A URI naming the kind of problem.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong and what to do about it.' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'Each invalid field (400 invalid-request).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, with extension members (e.g. decidedBy, claimedBy, until).' });

export const Actor = z.object({ id: z.string(), name: z.string().optional() }).meta({ id: 'Actor' });

const ClaimView = z
  .object({
    subject: z.string(),
    username: z.string().optional(),
    until: z.string(),
    claimedAt: z.string(),
    active: z.boolean().meta({ description: 'False once the lease has run out: anyone may claim it then.' }),
  })
  .meta({ id: 'Claim' });

const Message = z
  .object({
    messageId: z.string(),
    channelArn: z.string(),
    channelName: z.string().meta({ description: "The channel's Name in Chime, or the last segment of its ARN when the name cannot be read." }),
    content: z.string(),
    metadata: z.string().optional(),
    sender: SenderView,
    persistence: z.enum(['PERSISTENT', 'NON_PERSISTENT']).optional(),
    createdTimestamp: z.string().optional(),
    lastEditedTimestamp: z.string().optional(),
  })
  .meta({ id: 'Message' });

export const PolicyVersionRefView = z
  .object({
    scope: z.string(),
    version: z.number().int().nullable().meta({ description: 'null for a candidate document (test, replay).' }),
    mode: z.enum(['enforce', 'shadow']),
    candidate: z.boolean().optional(),
  })
  .meta({ id: 'PolicyVersionRef', description: 'A scope’s policy version that took part in a verdict (version 0 of global: the bundled POLICY_FILE).' });

const PolicyView = z
  .object({
    action: z.string(),
    ruleIds: z.array(z.string()),
    reason: z.string(),
    versions: z
      .array(PolicyVersionRefView)
      .optional()
      .meta({ description: 'Live policies: the scope versions that produced this verdict, broadest first (absent on items decided before live policies).' }),
    findings: z.array(
      z.object({
        ruleId: z.string(),
        action: z.string(),
        reason: z.string(),
        spans: z
          .array(z.object({ start: z.number().int(), end: z.number().int() }))
          .optional()
          .meta({ description: 'Where the rule fired: [start, end) as UTF-16 indices into message.content as the sender wrote it.' }),
      }),
    ),
  })
  .meta({ id: 'PolicyVerdict' });

/** A shadow scope's verdict, recorded beside the applied one (README "Live policies"). */
const ShadowPolicyView = PolicyView.extend({
  differs: z.boolean().meta({ description: 'True when its action is not the applied verdict’s.' }),
}).meta({ id: 'ShadowVerdict', description: 'What the policy would have decided with its shadow-mode scopes enforced. Recorded, never applied.' });

const MessageUpdate = z
  .object({
    content: z.string().optional(),
    metadata: z.string().optional(),
    messageAttributes: z.record(z.string(), z.object({ StringValues: z.array(z.string()) })).optional(),
    pushNotification: z.object({ title: z.string().optional(), body: z.string().optional(), type: z.enum(['DEFAULT', 'VOIP']).optional() }).optional(),
  })
  .meta({ id: 'MessageUpdate' });

const DecisionView = z
  .object({
    action: CallbackActionSchema,
    origin: DecisionOriginSchema,
    actor: Actor,
    reason: z.string(),
    publicReason: z.string().optional().meta({ description: 'A moderator’s DENY or UPDATE: what the sender’s notice said instead of the policy’s reason.' }),
    ruleIds: z.array(z.string()),
    update: MessageUpdate.optional(),
    decidedAt: z.string(),
  })
  .meta({ id: 'Decision' });

export const ReviewSummary = z
  .object({
    callbackId: z.string(),
    version: z.number().int(),
    status: z.enum(STATUSES),
    message: Message,
    receivedAt: z.string(),
    deadline: z.string().meta({ description: 'After this Chime refuses the callback.' }),
    secondsLeft: z.number().int().meta({ description: 'Until the deadline (negative once past).' }),
    expiryActionAt: z.string().meta({ description: 'When the sweeper applies the expiry policy if nobody has decided.' }),
    secondsUntilExpiryAction: z.number().int(),
    expiryAction: ExpiryActionSchema.meta({ description: 'What the sweeper does at `expiryActionAt` if nobody has decided.' }),
    policy: PolicyView.nullable().meta({ description: 'Why the automatic policy held it.' }),
    shadowPolicy: ShadowPolicyView.optional(),
    claim: ClaimView.nullable(),
  })
  .meta({ id: 'ReviewSummary' });

export const ReviewDetail = ReviewSummary.extend({
  decision: DecisionView.nullable(),
  delivery: z
    .object({
      attempts: z.number().int(),
      lastAttemptAt: z.string().optional(),
      lastError: z.string().optional(),
      deliveredAt: z.string().optional(),
      confirmedBy: z.enum(['answer', 'read-back']).optional().meta({ description: 'How delivery was confirmed: Chime’s answer, or a read-back of the message after the answer was lost.' }),
      inDoubt: z.boolean().optional().meta({ description: 'An answer was lost and not settled yet: the next attempt is read back before anything is recorded.' }),
    })
    .nullable(),
  outcome: z
    .object({
      reason: z.string(),
      errorType: z.string().optional(),
      unsettled: z.boolean().optional().meta({ description: 'EXPIRED while a callback of ours may have landed and Chime could not be read to tell: not known, not a fact.' }),
    })
    .nullable(),
  history: z
    .array(
      z.object({
        at: z.string(),
        actor: z.string(),
        from: z.string().optional(),
        to: z.string(),
        event: z.string(),
        reason: z.string().optional(),
        count: z.number().int().optional().meta({ description: 'How many events this entry stands for (a renewed claim, a folded stretch).' }),
        lastAt: z.string().optional().meta({ description: 'When the last of them happened.' }),
        counts: z.record(z.string(), z.number().int()).optional().meta({ description: '`history-compacted`: folded entries by event.' }),
      }),
    )
    .meta({
      description:
        'Oldest first. Every status change is kept; claim renewals update their `claimed` entry (count, lastAt), and older bookkeeping is folded into one `history-compacted` entry, so an item never outgrows its size budget.',
    }),
}).meta({ id: 'ReviewDetail' });

export const ReviewPage = z
  .object({ items: z.array(ReviewSummary), next: z.string().optional().meta({ description: 'Cursor of the next page; absent on the last.' }) })
  .meta({ id: 'ReviewPage' });

export const BulkDecisionResult = z
  .object({
    results: z.array(
      z.object({
        callbackId: z.string(),
        status: z.number().int().meta({ description: 'The status this decision alone would have had (200, 404, 409, 410 …).' }),
        item: ReviewDetail.optional(),
        problem: Problem.optional(),
      }),
    ),
  })
  .meta({ id: 'BulkDecisionResult' });

/**
 * One line of the audit log: a decision (kind DECISION), or a moderator's follow-up action in
 * Chime (kind ACTION: BAN_SENDER, REDACT_MESSAGE, DELETE_MESSAGE). Both carry every member a
 * decision has, so a reader written for decisions still reads actions (see each description).
 */
export const AuditEntry = z
  .object({
    kind: z.enum(['DECISION', 'ACTION']).meta({
      description:
        'DECISION: a callback decision; ACTION: a follow-up action in Chime (ban, redact, delete), a warning to a sender (NOTIFY_SENDER), or an appeal’s outcome (APPEAL_UPHOLD, APPEAL_OVERTURN: `status` DONE once its effects are all done).',
    }),
    callbackId: z.string().meta({ description: 'The CallbackId; for an ACTION, the action record’s own id (`ACTION#…`).' }),
    decidedAt: z.string().meta({ description: 'When it was decided; for an ACTION, when it was asked for.' }),
    origin: DecisionOriginSchema.meta({ description: 'AUTO, MODERATOR or EXPIRY; for an ACTION, MODERATOR, or AUTO for a reported message hidden by policy (`reports.autoHide`).' }),
    action: z.enum([...CallbackActionSchema.options, ...FOLLOW_UP_ACTIONS]),
    decidedBy: Actor,
    reason: z.string(),
    ruleIds: z.array(z.string()).meta({ description: 'The rules that held the message (for BAN_SENDER, the banned message’s; empty for REDACT/DELETE).' }),
    update: MessageUpdate.optional(),
    channelArn: z.string(),
    channelName: z.string().meta({ description: "The channel's Name in Chime, or the last segment of its ARN." }),
    messageId: z.string().meta({ description: 'The message; for BAN_SENDER the held message that prompted the ban.' }),
    sender: SenderView.meta({
      description: "The message's sender; for BAN_SENDER the banned member. For REDACT_MESSAGE and DELETE_MESSAGE the API does not read the message (it may not), so `arn` is empty.",
    }),
    original: z
      .object({ content: z.string(), metadata: z.string().optional() })
      .meta({ description: 'The message as the sender wrote it; for REDACT_MESSAGE and DELETE_MESSAGE, not known (empty content).' }),
    policy: PolicyView.nullable().meta({ description: 'The automatic verdict; null for an ACTION.' }),
    shadowPolicy: ShadowPolicyView.optional(),
    status: z.enum([...STATUSES, ...FOLLOW_UP_OUTCOMES]).meta({
      description:
        'A DECISION: where delivery stands now. An ACTION: DONE (Chime confirmed it), FAILED (Chime refused; see `chimeError`), or REQUESTED (asked for; Chime’s answer is not known: check in Chime).',
    }),
    deliveredAt: z.string().optional(),
    target: z
      .object({
        channelArn: z.string(),
        messageId: z.string().optional(),
        memberArn: z.string().optional().meta({ description: 'BAN_SENDER: the member banned.' }),
        reviewCallbackId: z.string().optional().meta({ description: 'BAN_SENDER: the review item it was taken from.' }),
        caseId: z.string().optional().meta({ description: 'A case’s action (its decision, its auto-hide, or POST /cases/{caseId}/actions): the case.' }),
        appealId: z.string().optional().meta({ description: 'APPEAL_UPHOLD, APPEAL_OVERTURN: the appeal (GET /appeals/{appealId}).' }),
      })
      .optional()
      .meta({ description: 'ACTION only: what was acted on in Chime.' }),
    completedAt: z.string().optional().meta({ description: 'ACTION only: when Chime answered.' }),
    alreadyBanned: z.boolean().optional().meta({ description: 'BAN_SENDER only: Chime had banned the member already (still DONE).' }),
    confirmedBy: z
      .enum(['answer', 'read-back'])
      .optional()
      .meta({
        description:
          'ACTION, DONE: how it is known that Chime did it: its answer, or (when the answer was lost) a read-back of Chime’s state. A DECISION: how the callback was confirmed, when delivered.',
      }),
    chimeError: z.object({ type: z.string(), message: z.string() }).optional().meta({ description: 'ACTION, FAILED: what Chime answered.' }),
    chimeBearer: z.string().optional().meta({ description: 'ACTION only: the AppInstanceUser or bot the API acted as.' }),
  })
  .meta({ id: 'AuditEntry' });

export const FollowUpResult = z
  .object({
    // The action as the audit log shows it (GET /decisions).
    action: AuditEntry.optional().meta({ description: 'The action as the audit log shows it: redactions, deletions, and a ban where no senders room is configured.' }),
    restriction: z
      .object({ restrictionId: z.string(), status: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'ENDED', 'LIFTED', 'REJECTED']) })
      .optional()
      .meta({ description: "BAN_SENDER through the senders room: the restriction on the sender's record (PENDING_APPROVAL while it waits for a second moderator; GET /senders/{memberArn})." }),
    item: ReviewDetail.optional().meta({ description: 'BAN_SENDER: the review item, with the ban in its history.' }),
  })
  .meta({ id: 'FollowUpResult' });

export const AuditPage = z.object({ items: z.array(AuditEntry), next: z.string().optional() }).meta({ id: 'AuditPage' });

const StatusCounts = z.object(Object.fromEntries(STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof STATUSES)[number], z.ZodNumber>);

export const Stats = z
  .object({
    generatedAt: z.string(),
    counts: StatusCounts.meta({
      description:
        'RECEIVED, PENDING_REVIEW and DECIDED: how many items are in that status now. The others: how many of the items received within the callback window (48 h) ended so. From counters, not a scan: approximate only after a crash, and self-healing within the window.',
    }),
    countsComplete: z.boolean().meta({ description: 'False if a counter shard could not be read (the figures are then lower bounds).' }),
    pendingReview: z.object({
      oldestAgeSeconds: z.number().int().nullable().meta({ description: 'Since Chime issued the oldest pending CallbackId.' }),
      nearestDeadline: z.string().nullable(),
      secondsToNearestDeadline: z.number().int().nullable(),
    }),
    decisionsLast24h: z.object({
      AUTO: z.number().int(),
      MODERATOR: z.number().int(),
      EXPIRY: z.number().int(),
      total: z.number().int(),
      complete: z.boolean(),
    }),
    decisionsByHour: z
      .array(
        z.object({
          hour: z.string().meta({ description: 'Start of the UTC hour (ISO-8601).' }),
          AUTO: z.number().int(),
          MODERATOR: z.number().int(),
          EXPIRY: z.number().int(),
          complete: z.boolean(),
        }),
      )
      .meta({ description: 'Decisions by origin in each of the last 24 hours, oldest first; the last entry is the current, partial hour.' }),
  })
  .meta({ id: 'Stats' });

/** Who the caller is, and the clock rules every held message is on. */
export const Me = z
  .object({
    subject: z.string().meta({ description: "The token's `sub`: what claims and decisions are recorded under." }),
    username: z.string(),
    groups: z.array(z.string()),
    isAdmin: z.boolean().meta({ description: "Admins may also release anyone's claim." }),
    expiryAction: ExpiryActionSchema.meta({ description: 'What the sweeper does to a held message nobody decided in time.' }),
    expiryMarginSeconds: z.number().int().meta({ description: 'The sweeper acts this long before the deadline.' }),
    callbackWindowSeconds: z.number().int().meta({ description: "Chime's callback window: the deadline is this long after the message was sent." }),
  })
  .meta({ id: 'Me' });
