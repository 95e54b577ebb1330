import * as z from 'zod/mini';
import { FOLLOW_UP_ACTIONS, FOLLOW_UP_OUTCOMES } from '../domain/follow-up.js';
import { STATUSES } from '../domain/item.js';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';
import { CallbackActionSchema, DecisionOriginSchema } from './schemas.js';

/**
 * The review API's answers, as zod schemas: the response bodies of the OpenAPI document, and the
 * types the handlers return (`z.output<typeof ReviewDetail>`). Nothing validates an answer at
 * runtime, so only the document reads these, and the route tables name them (REVIEW_RESPONSES)
 * instead of importing them: a Lambda function never builds them (its document was built while
 * packaging; src/api/document.ts). zod/mini, as in src/review/schemas.ts.
 */

const ExpiryActionSchema = z.enum(['DENY', 'ALLOW']);
const SenderView = z.object({ arn: z.string(), name: z.optional(z.string()) });

/** Any JSON document; the OpenAPI document is described by the OpenAPI 3.1 schema itself. */
const OpenApiDocument = z.looseObject({ openapi: z.string() });

export const Problem = z
  .looseObject({
    type: z.string().apply(meta, { description: 'A URI naming the kind of problem.' }),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.string().apply(meta, { description: 'What went wrong and what to do about it.' }),
    instance: z.optional(z.string()),
    requestId: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() })))
      .apply(meta, { description: 'Each invalid field (400 invalid-request).' }),
  })
  .apply(meta, { id: 'Problem', description: 'RFC 9457 problem details, with extension members (e.g. decidedBy, claimedBy, until).' });

export const Actor = z.object({ id: z.string(), name: z.optional(z.string()) }).apply(meta, { id: 'Actor' });

const ClaimView = z
  .object({
    subject: z.string(),
    username: z.optional(z.string()),
    until: z.string(),
    claimedAt: z.string(),
    active: z.boolean().apply(meta, { description: 'False once the lease has run out: anyone may claim it then.' }),
  })
  .apply(meta, { id: 'Claim' });

const Message = z
  .object({
    messageId: z.string(),
    channelArn: z.string(),
    channelName: z.string().apply(meta, { description: "The channel's Name in Chime, or the last segment of its ARN when the name cannot be read." }),
    content: z.string(),
    metadata: z.optional(z.string()),
    sender: SenderView,
    persistence: z.optional(z.enum(['PERSISTENT', 'NON_PERSISTENT'])),
    createdTimestamp: z.optional(z.string()),
    lastEditedTimestamp: z.optional(z.string()),
  })
  .apply(meta, { id: 'Message' });

export const PolicyVersionRefView = z
  .object({
    scope: z.string(),
    version: z.nullable(z.number().check(z.int())).apply(meta, { description: 'null for a candidate document (test, replay).' }),
    mode: z.enum(['enforce', 'shadow']),
    candidate: z.optional(z.boolean()),
  })
  .apply(meta, { id: 'PolicyVersionRef', description: 'A scope’s policy version that took part in a verdict (version 0 of global: the bundled POLICY_FILE).' });

/** One classifier's part in a verdict (src/classifiers/record.ts). */
const ClassifierRecordView = z
  .object({
    name: z.string(),
    ruleId: z.string().apply(meta, { description: '`classifier:<name>`: how its findings, notices and strikes name it.' }),
    provider: z.enum(['comprehend-toxicity', 'bedrock-guardrail', 'http']),
    model: z.optional(z.string()).apply(meta, { description: 'The model or guardrail version that answered (`comprehend:DetectToxicContent`, `guardrail:<id>:<version>`).' }),
    outcome: z.enum(['DECIDED', 'SHADOW', 'UNAVAILABLE', 'REFUSED', 'SKIPPED']).apply(meta, {
      description: 'DECIDED: scored and applied. SHADOW: scored, recorded, not applied. UNAVAILABLE: no judgement in time (throttled, 5xx, timeout, open circuit, no budget), `path` taken. REFUSED: the provider refused the input, `path` taken. SKIPPED: never sent (`reason`).',
    }),
    action: z.enum(['ALLOW', 'REVIEW', 'DENY']).apply(meta, { description: 'What it concluded (SHADOW: would have); for the other outcomes, the action of the path taken.' }),
    shadow: z.optional(z.boolean()),
    scores: z.optional(z.record(z.string(), z.number())).apply(meta, { description: 'Label → score in 0..1 (`Toxicity` is Comprehend’s overall score; Guardrails levels as NONE 0, LOW 1/3, MEDIUM 2/3, HIGH 1).' }),
    levels: z.optional(z.record(z.string(), z.string())),
    intervened: z.optional(z.boolean()),
    thresholds: z.optional(z.object({ review: z.record(z.string(), z.number()), deny: z.record(z.string(), z.number()) })),
    fired: z.optional(z.array(z.object({ label: z.string(), score: z.number(), threshold: z.number(), action: z.enum(['REVIEW', 'DENY']), level: z.optional(z.string()) }))),
    latencyMs: z.optional(z.number()),
    attempts: z.number().check(z.int()),
    units: z.optional(z.number()),
    contextMessages: z.optional(z.number().check(z.int())),
    contextUnavailable: z.optional(z.string()),
    path: z.optional(z.enum(['REVIEW', 'ALLOW', 'RULES_ONLY'])),
    reason: z.optional(z.string()),
    detail: z.optional(z.string()),
  })
  .apply(meta, { id: 'ClassifierRecord', description: 'What one classifier of the scope did with the message.' });

const PolicyView = z
  .object({
    action: z.string(),
    ruleIds: z.array(z.string()),
    reason: z.string(),
    versions: z
      .optional(z.array(PolicyVersionRefView))
      .apply(meta, { description: 'Live policies: the scope versions that produced this verdict, broadest first (absent on items decided before live policies).' }),
    findings: z.array(
      z.object({
        ruleId: z.string(),
        action: z.string(),
        reason: z.string(),
        spans: z
          .optional(z.array(z.object({ start: z.number().check(z.int()), end: z.number().check(z.int()) })))
          .apply(meta, { description: 'Where the rule fired: [start, end) as UTF-16 indices into message.content as the sender wrote it.' }),
      }),
    ),
    classifiers: z.optional(z.array(ClassifierRecordView)).apply(meta, { description: 'What each classifier of the scope did (absent when the scope has none).' }),
  })
  .apply(meta, { id: 'PolicyVerdict' });

/** A shadow scope's verdict, recorded beside the applied one (README "Live policies"). */
const ShadowPolicyView = z
  .extend(PolicyView, {
    differs: z.boolean().apply(meta, { description: 'True when its action is not the applied verdict’s.' }),
  })
  .apply(meta, { id: 'ShadowVerdict', description: 'What the policy would have decided with its shadow-mode scopes enforced. Recorded, never applied.' });

const MessageUpdate = z
  .object({
    content: z.optional(z.string()),
    metadata: z.optional(z.string()),
    messageAttributes: z.optional(z.record(z.string(), z.object({ StringValues: z.array(z.string()) }))),
    pushNotification: z.optional(z.object({ title: z.optional(z.string()), body: z.optional(z.string()), type: z.optional(z.enum(['DEFAULT', 'VOIP'])) })),
  })
  .apply(meta, { id: 'MessageUpdate' });

const DecisionView = z
  .object({
    action: CallbackActionSchema,
    origin: DecisionOriginSchema,
    actor: Actor,
    reason: z.string(),
    publicReason: z.optional(z.string()).apply(meta, { description: 'A moderator’s DENY or UPDATE: what the sender’s notice said instead of the policy’s reason.' }),
    ruleIds: z.array(z.string()),
    update: z.optional(MessageUpdate),
    decidedAt: z.string(),
  })
  .apply(meta, { id: 'Decision' });

export const ReviewSummary = z
  .object({
    callbackId: z.string(),
    version: z.number().check(z.int()),
    status: z.enum(STATUSES),
    message: Message,
    receivedAt: z.string(),
    deadline: z.string().apply(meta, { description: 'After this Chime refuses the callback.' }),
    secondsLeft: z.number().check(z.int()).apply(meta, { description: 'Until the deadline (negative once past).' }),
    expiryActionAt: z.string().apply(meta, { description: 'When the sweeper applies the expiry policy if nobody has decided.' }),
    secondsUntilExpiryAction: z.number().check(z.int()),
    expiryAction: ExpiryActionSchema.apply(meta, { description: 'What the sweeper does at `expiryActionAt` if nobody has decided.' }),
    policy: z.nullable(PolicyView).apply(meta, { description: 'Why the automatic policy held it.' }),
    shadowPolicy: z.optional(ShadowPolicyView),
    claim: z.nullable(ClaimView),
  })
  .apply(meta, { id: 'ReviewSummary' });

export const ReviewDetail = z
  .extend(ReviewSummary, {
    decision: z.nullable(DecisionView),
    delivery: z.nullable(
      z.object({
        attempts: z.number().check(z.int()),
        lastAttemptAt: z.optional(z.string()),
        lastError: z.optional(z.string()),
        deliveredAt: z.optional(z.string()),
        confirmedBy: z.optional(z.enum(['answer', 'read-back'])).apply(meta, { description: 'How delivery was confirmed: Chime’s answer, or a read-back of the message after the answer was lost.' }),
        inDoubt: z.optional(z.boolean()).apply(meta, { description: 'An answer was lost and not settled yet: the next attempt is read back before anything is recorded.' }),
      }),
    ),
    outcome: z.nullable(
      z.object({
        reason: z.string(),
        errorType: z.optional(z.string()),
        unsettled: z.optional(z.boolean()).apply(meta, { description: 'EXPIRED while a callback of ours may have landed and Chime could not be read to tell: not known, not a fact.' }),
      }),
    ),
    history: z
      .array(
        z.object({
          at: z.string(),
          actor: z.string(),
          from: z.optional(z.string()),
          to: z.string(),
          event: z.string(),
          reason: z.optional(z.string()),
          count: z
            .optional(z.number().check(z.int()))
            .apply(meta, { description: 'How many events this entry stands for (a renewed claim, a folded stretch).' }),
          lastAt: z.optional(z.string()).apply(meta, { description: 'When the last of them happened.' }),
          counts: z.optional(z.record(z.string(), z.number().check(z.int())))
            .apply(meta, { description: '`history-compacted`: folded entries by event.' }),
        }),
      )
      .apply(meta, {
          description:
            'Oldest first. Every status change is kept; claim renewals update their `claimed` entry (count, lastAt), and older bookkeeping is folded into one `history-compacted` entry, so an item never outgrows its size budget.',
        }),
  })
  .apply(meta, { id: 'ReviewDetail' });

export const ReviewPage = z
  .object({ items: z.array(ReviewSummary), next: z.optional(z.string())
  .apply(meta, { description: 'Cursor of the next page; absent on the last.' }) })
  .apply(meta, { id: 'ReviewPage' });

export const BulkDecisionResult = z
  .object({
    results: z.array(
      z.object({
        callbackId: z.string(),
        status: z.number().check(z.int()).apply(meta, { description: 'The status this decision alone would have had (200, 404, 409, 410 …).' }),
        item: z.optional(ReviewDetail),
        problem: z.optional(Problem),
      }),
    ),
  })
  .apply(meta, { id: 'BulkDecisionResult' });

/**
 * One line of the audit log: a decision (kind DECISION), or a moderator's follow-up action in
 * Chime (kind ACTION: BAN_SENDER, REDACT_MESSAGE, DELETE_MESSAGE). Both carry every member a
 * decision has, so a reader written for decisions still reads actions (see each description).
 */
export const AuditEntry = z
  .object({
    kind: z.enum(['DECISION', 'ACTION'])
      .apply(meta, { description: 'DECISION: a callback decision; ACTION: a follow-up action in Chime (ban, redact, delete), a warning to a sender (NOTIFY_SENDER), or an appeal’s outcome (APPEAL_UPHOLD, APPEAL_OVERTURN: `status` DONE once its effects are all done).' }),
    callbackId: z.string().apply(meta, { description: 'The CallbackId; for an ACTION, the action record’s own id (`ACTION#…`).' }),
    decidedAt: z.string().apply(meta, { description: 'When it was decided; for an ACTION, when it was asked for.' }),
    origin: DecisionOriginSchema.apply(meta, { description: 'AUTO, MODERATOR or EXPIRY; for an ACTION, MODERATOR, or AUTO for a reported message hidden by policy (`reports.autoHide`).' }),
    action: z.enum([...CallbackActionSchema.options, ...FOLLOW_UP_ACTIONS]),
    decidedBy: Actor,
    reason: z.string(),
    ruleIds: z.array(z.string())
      .apply(meta, { description: 'The rules that held the message (for BAN_SENDER, the banned message’s; empty for REDACT/DELETE).' }),
    update: z.optional(MessageUpdate),
    channelArn: z.string(),
    channelName: z.string().apply(meta, { description: "The channel's Name in Chime, or the last segment of its ARN." }),
    messageId: z.string().apply(meta, { description: 'The message; for BAN_SENDER the held message that prompted the ban.' }),
    sender: SenderView.apply(meta, {
        description: "The message's sender; for BAN_SENDER the banned member. For REDACT_MESSAGE and DELETE_MESSAGE the API does not read the message (it may not), so `arn` is empty.",
      }),
    original: z
      .object({ content: z.string(), metadata: z.optional(z.string()) })
      .apply(meta, { description: 'The message as the sender wrote it; for REDACT_MESSAGE and DELETE_MESSAGE, not known (empty content).' }),
    policy: z.nullable(PolicyView).apply(meta, { description: 'The automatic verdict; null for an ACTION.' }),
    shadowPolicy: z.optional(ShadowPolicyView),
    status: z.enum([...STATUSES, ...FOLLOW_UP_OUTCOMES]).apply(meta, {
        description:
          'A DECISION: where delivery stands now. An ACTION: DONE (Chime confirmed it), FAILED (Chime refused; see `chimeError`), or REQUESTED (asked for; Chime’s answer is not known: check in Chime).',
      }),
    deliveredAt: z.optional(z.string()),
    target: z
      .optional(
        z.object({
          channelArn: z.string(),
          messageId: z.optional(z.string()),
          memberArn: z.optional(z.string()).apply(meta, { description: 'BAN_SENDER: the member banned.' }),
          reviewCallbackId: z.optional(z.string()).apply(meta, { description: 'BAN_SENDER: the review item it was taken from.' }),
          caseId: z.optional(z.string()).apply(meta, { description: 'A case’s action (its decision, its auto-hide, or POST /cases/{caseId}/actions): the case.' }),
          appealId: z.optional(z.string()).apply(meta, { description: 'APPEAL_UPHOLD, APPEAL_OVERTURN: the appeal (GET /appeals/{appealId}).' }),
        }),
      )
      .apply(meta, { description: 'ACTION only: what was acted on in Chime.' }),
    completedAt: z.optional(z.string()).apply(meta, { description: 'ACTION only: when Chime answered.' }),
    alreadyBanned: z.optional(z.boolean()).apply(meta, { description: 'BAN_SENDER only: Chime had banned the member already (still DONE).' }),
    confirmedBy: z
      .optional(z.enum(['answer', 'read-back']))
      .apply(meta, {
        description:
          'ACTION, DONE: how it is known that Chime did it: its answer, or (when the answer was lost) a read-back of Chime’s state. A DECISION: how the callback was confirmed, when delivered.',
      }),
    chimeError: z.optional(z.object({ type: z.string(), message: z.string() })).apply(meta, { description: 'ACTION, FAILED: what Chime answered.' }),
    chimeBearer: z.optional(z.string()).apply(meta, { description: 'ACTION only: the AppInstanceUser or bot the API acted as.' }),
  })
  .apply(meta, { id: 'AuditEntry' });

export const FollowUpResult = z
  .object({
    // The action as the audit log shows it (GET /decisions).
    action: z.optional(AuditEntry).apply(meta, { description: 'The action as the audit log shows it: redactions, deletions, and a ban where no senders room is configured.' }),
    restriction: z
      .optional(z.object({ restrictionId: z.string(), status: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'ENDED', 'LIFTED', 'REJECTED']) }))
      .apply(meta, { description: "BAN_SENDER through the senders room: the restriction on the sender's record (PENDING_APPROVAL while it waits for a second moderator; GET /senders/{memberArn})." }),
    item: z.optional(ReviewDetail).apply(meta, { description: 'BAN_SENDER: the review item, with the ban in its history.' }),
  })
  .apply(meta, { id: 'FollowUpResult' });

export const AuditPage = z.object({ items: z.array(AuditEntry), next: z.optional(z.string()) }).apply(meta, { id: 'AuditPage' });

const StatusCounts = z.object(Object.fromEntries(STATUSES.map((s) => [s, z.number().check(z.int())])) as Record<(typeof STATUSES)[number], z.ZodMiniNumber>);

export const Stats = z
  .object({
    generatedAt: z.string(),
    counts: StatusCounts.apply(meta, {
        description:
          'RECEIVED, PENDING_REVIEW and DECIDED: how many items are in that status now. The others: how many of the items received within the callback window (48 h) ended so. From counters, not a scan: approximate only after a crash, and self-healing within the window.',
      }),
    countsComplete: z.boolean().apply(meta, { description: 'False if a counter shard could not be read (the figures are then lower bounds).' }),
    pendingReview: z.object({
      oldestAgeSeconds: z.nullable(z.number().check(z.int())).apply(meta, { description: 'Since Chime issued the oldest pending CallbackId.' }),
      nearestDeadline: z.nullable(z.string()),
      secondsToNearestDeadline: z.nullable(z.number().check(z.int())),
    }),
    decisionsLast24h: z.object({
      AUTO: z.number().check(z.int()),
      MODERATOR: z.number().check(z.int()),
      EXPIRY: z.number().check(z.int()),
      total: z.number().check(z.int()),
      complete: z.boolean(),
    }),
    decisionsByHour: z
      .array(
        z.object({
          hour: z.string().apply(meta, { description: 'Start of the UTC hour (ISO-8601).' }),
          AUTO: z.number().check(z.int()),
          MODERATOR: z.number().check(z.int()),
          EXPIRY: z.number().check(z.int()),
          complete: z.boolean(),
        }),
      )
      .apply(meta, { description: 'Decisions by origin in each of the last 24 hours, oldest first; the last entry is the current, partial hour.' }),
  })
  .apply(meta, { id: 'Stats' });

/** Who the caller is, and the clock rules every held message is on. */
export const Me = z
  .object({
    subject: z.string().apply(meta, { description: "The token's `sub`: what claims and decisions are recorded under." }),
    username: z.string(),
    groups: z.array(z.string()),
    isAdmin: z.boolean().apply(meta, { description: "Admins may also release anyone's claim." }),
    expiryAction: ExpiryActionSchema.apply(meta, { description: 'What the sweeper does to a held message nobody decided in time.' }),
    expiryMarginSeconds: z.number().check(z.int()).apply(meta, { description: 'The sweeper acts this long before the deadline.' }),
    callbackWindowSeconds: z.number().check(z.int())
      .apply(meta, { description: "Chime's callback window: the deadline is this long after the message was sent." }),
  })
  .apply(meta, { id: 'Me' });

/** The held-messages room's answers, by the name its route table gives them (RouteSpec.response.schema). */
export const REVIEW_RESPONSES = { OpenApiDocument, ReviewPage, ReviewDetail, BulkDecisionResult, FollowUpResult, AuditPage, Stats, Me } as const;
