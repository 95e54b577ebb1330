// Frozen copy of src/policy-api/schemas.ts before the review API's schemas moved to zod/mini
// (classic zod API): the reference test/unit/zod-mini/review-schemas.test.ts checks the migration against.
// (One adaptation: the policy JSON Schema is now built on first use, scopedPolicyDocumentJsonSchema().)
import * as z from 'zod';
import { CALLBACK_LIMITS } from '../../../../src/domain/callback.js';
import { ENTRY_KEYS } from '../../../../src/policy/merge.js';
import { scopedPolicyDocumentJsonSchema, scopedDocumentIssues, type ScopeKind } from '../../../../src/policy/schema.js';
import { isScope, parseScope } from '../../../../src/policy/scope.js';
import { Actor, CursorSchema, integerParam, IsoTimeSchema, PolicyVersionRefView } from './review-schemas.classic.js';

/**
 * Requests and answers of the live-policy routes (src/policy-api/routes.ts). Like the rest
 * of the API, they validate requests AND generate the OpenAPI document.
 */

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Bodies that carry a policy document may be this large: a 100,000-term list is ~1.5 MB of JSON. */
export const MAX_POLICY_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_TEST_MESSAGES = 100;
export const DEFAULT_REPLAY_LIMIT = 1000;
export const MAX_REPLAY_LIMIT = 5000;
export const MAX_REPLAY_DAYS = 31;

const ScopeSchema = z
  .string()
  .superRefine((text, ctx) => {
    const scope = parseScope(text);
    if (!isScope(scope)) ctx.addIssue({ code: 'custom', message: scope.problem });
  })
  .meta({ description: '`global`, an app instance ARN or a channel ARN (URL-encoded in a path).' });

/** The stored document schema as an OpenAPI component; validation is scopedDocumentIssues (every field named). */
export const PolicyDocumentComponent = z.unknown().meta({ id: 'PolicyDocument', override: scopedPolicyDocumentJsonSchema() });

/**
 * A policy document field, validated as POLICY_FILE is (plus `mode`, `false` sections and
 * `remove`); every problem is reported with its path under the field. Scope-specific rules
 * (global has nothing to remove and is always enforced) are checked where the scope is known.
 */
const documentField = (description: string, kind: ScopeKind = 'channel') =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return;
      }
      for (const issue of scopedDocumentIssues(value, kind, ENTRY_KEYS)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    })
    .meta({ description, override: { $ref: '#/components/schemas/PolicyDocument' } });

const CommentSchema = z.string().trim().min(1, 'must say why (it is kept in the history)').max(1000).meta({ description: 'Why: kept in the version history.' });
const VersionNumber = z.number().int('must be a whole number').min(0);

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export const ScopeParams = z.strictObject({ scope: ScopeSchema });

export const PolicyListQuery = z.strictObject({ limit: integerParam(1, 100, 50, 'Scopes per page, 1-100.'), cursor: CursorSchema.optional() });

export const PolicyGetQuery = z.strictObject({
  effective: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: 'Also return the merged policy that applies at this scope (global → app instance → channel).' }),
});

export const PolicyVersionsQuery = z.strictObject({ limit: integerParam(1, 100, 25, 'Versions per page, 1-100.'), cursor: CursorSchema.optional() });

export const PolicyVersionParams = z.strictObject({
  scope: ScopeSchema,
  version: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .meta({ description: 'A version number, as GET /policies/{scope}/versions lists them (0 on global: the bundled POLICY_FILE).', override: { type: 'integer', minimum: 0 } }),
});

export const PolicyDeleteQuery = z.strictObject({
  comment: CommentSchema,
  expectedVersion: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .optional()
    .meta({ description: 'Refuse (409) unless the policy is still at this version.', override: { type: 'integer', minimum: 0 } }),
});

export const PutPolicyRequest = z
  .strictObject({
    document: documentField('The policy for this scope, as written (YAML converted to JSON).'),
    comment: CommentSchema,
    expectedVersion: VersionNumber.optional().meta({ description: 'Refuse (409) unless the scope is still at this version (0: nothing stored yet).' }),
  })
  .meta({ id: 'PutPolicyRequest' });
export type PutPolicyRequest = z.output<typeof PutPolicyRequest>;

export const RollbackRequest = z
  .strictObject({
    version: VersionNumber.meta({ description: 'The version whose document becomes current again (0 on global: the bundled POLICY_FILE).' }),
    comment: CommentSchema,
    expectedVersion: VersionNumber.optional().meta({ description: 'Refuse (409) unless the scope is still at this version.' }),
  })
  .meta({ id: 'RollbackRequest' });
export type RollbackRequest = z.output<typeof RollbackRequest>;

const kindOf = (scope: string | undefined): ScopeKind | undefined => {
  const parsed = scope === undefined ? undefined : parseScope(scope);
  return parsed && isScope(parsed) ? parsed.kind : undefined;
};

/** Global-only rules for a document sent beside its scope (the field itself was checked as a narrower scope's). */
function checkDocumentForScope(body: { scope?: string | undefined; document?: unknown }, ctx: z.RefinementCtx) {
  if (body.document === undefined || kindOf(body.scope) !== 'global') return;
  for (const issue of scopedDocumentIssues(body.document, 'global')) {
    if (issue.path[0] === 'remove' || issue.path[0] === 'mode') ctx.addIssue({ code: 'custom', path: ['document', ...issue.path], message: issue.message });
  }
}

const TestMessage = z.strictObject({
  content: z
    .string()
    .max(CALLBACK_LIMITS.contentMaxBytes)
    .refine((v) => bytes(v) <= CALLBACK_LIMITS.contentMaxBytes, `must be at most ${CALLBACK_LIMITS.contentMaxBytes} bytes in UTF-8`)
    .meta({ description: 'The message as a sender would write it.' }),
  metadata: z.string().max(CALLBACK_LIMITS.metadataMaxBytes).optional(),
  senderArn: z.string().min(1).max(1600).optional().meta({ description: 'For the senders rules.' }),
  channelArn: z.string().min(1).max(1600).optional().meta({ description: 'Without `scope` or `document`: judge the message by the effective policy of this channel, as a worker would.' }),
});

export const PolicyTestRequest = z
  .strictObject({
    scope: ScopeSchema.optional().meta({ description: 'The effective policy at this scope; with `document`, the document stands in for this scope’s stored one.' }),
    document: documentField('A candidate document. Alone: judged as the whole policy. With `scope`: merged with what the scope inherits.').optional(),
    messages: z.array(TestMessage).min(1, 'must hold at least one message').max(MAX_TEST_MESSAGES, `must hold at most ${MAX_TEST_MESSAGES} messages`),
  })
  .superRefine((body, ctx) => {
    if (body.scope === undefined && body.document === undefined) {
      body.messages.forEach((m, i) => {
        if (m.channelArn === undefined) ctx.addIssue({ code: 'custom', path: ['messages', i, 'channelArn'], message: 'is required when neither `scope` nor `document` is given' });
      });
    }
    checkDocumentForScope(body, ctx);
  })
  .meta({ id: 'PolicyTestRequest' });
export type PolicyTestRequest = z.output<typeof PolicyTestRequest>;

export const PolicyReplayRequest = z
  .strictObject({
    scope: ScopeSchema.meta({ description: 'Where the candidate would be stored: only messages this scope judges are replayed.' }),
    document: documentField('The candidate document for `scope`.'),
    from: IsoTimeSchema.meta({ description: 'Start of the window (inclusive): messages decided or held in it are replayed.' }),
    to: IsoTimeSchema.meta({ description: 'End of the window (inclusive).' }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPLAY_LIMIT)
      .default(DEFAULT_REPLAY_LIMIT)
      .meta({ description: `At most this many recorded messages are evaluated (newest first); the answer says when the cap was reached. 1-${MAX_REPLAY_LIMIT}.` }),
    samples: z.number().int().min(0).max(100).default(20).meta({ description: 'How many changed items to show, spread over the changes.' }),
  })
  .superRefine((body, ctx) => {
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    if (from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after `to`' });
    if (to - from > MAX_REPLAY_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['from'], message: `must be within ${MAX_REPLAY_DAYS} days of \`to\`` });
    checkDocumentForScope(body, ctx);
  })
  .meta({ id: 'PolicyReplayRequest' });
export type PolicyReplayRequest = z.output<typeof PolicyReplayRequest>;

// ─── Answers ─────────────────────────────────────────────────────────────────────────────────

const ModeSchema = z.enum(['enforce', 'shadow']);
const ActionSchema = z.enum(['ALLOW', 'UPDATE', 'REVIEW', 'DENY']);

export const PolicySummary = z
  .object({
    scope: z.string(),
    kind: z.enum(['global', 'app-instance', 'channel']),
    version: z.number().int().meta({ description: '0: nothing stored yet (global: the bundled POLICY_FILE applies).' }),
    mode: ModeSchema,
    source: z
      .enum(['store', 'POLICY_FILE', 'none'])
      .meta({ description: '`store`: a stored version; `POLICY_FILE`: global with nothing stored (the bundled file applies); `none`: nothing of its own (deleted, or never stored): it inherits.' }),
    updatedBy: Actor.nullable(),
    updatedAt: z.string().nullable(),
    comment: z.string().nullable(),
    bytes: z.number().int().optional().meta({ description: 'Size of the document as JSON.' }),
  })
  .meta({ id: 'PolicySummary' });

export const PolicyList = z.object({ items: z.array(PolicySummary), next: z.string().optional() }).meta({ id: 'PolicyList' });

const UnmatchedRemoval = z.object({ scope: z.string(), path: z.string(), entry: z.string() });

const MergedPolicyView = z.object({
  layers: z.array(PolicyVersionRefView).meta({ description: 'The scopes merged, broadest first.' }),
  document: z.record(z.string(), z.unknown()).meta({ description: 'The merged policy as the engine applies it (defaults filled in).' }),
});

export const EffectivePolicyView = MergedPolicyView.extend({
  shadow: MergedPolicyView.optional().meta({ description: 'When a scope of the chain is in shadow mode: every scope merged as if enforced. Its verdicts are recorded, never applied.' }),
  unmatchedRemovals: z.array(UnmatchedRemoval).meta({ description: '`remove` entries that match nothing inherited (probably stale or misspelt).' }),
}).meta({ id: 'EffectivePolicy' });

export const PolicyDetail = PolicySummary.extend({
  document: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The stored document as written; null when the scope has none of its own.' }),
  effective: EffectivePolicyView.optional(),
}).meta({ id: 'PolicyDetail' });

export const PolicyVersionView = z
  .object({
    version: z.number().int(),
    kind: z.enum(['put', 'rollback', 'delete']),
    mode: ModeSchema,
    deleted: z.boolean(),
    updatedBy: Actor,
    updatedAt: z.string(),
    comment: z.string(),
    restoredVersion: z.number().int().optional(),
    bytes: z.number().int().optional(),
  })
  .meta({ id: 'PolicyVersion' });

export const PolicyVersionPage = z.object({ scope: z.string(), items: z.array(PolicyVersionView), next: z.string().optional() }).meta({ id: 'PolicyVersionPage' });

/** One version with its document: what a console diffs, and what a rollback would restore. */
export const PolicyVersionDetail = z
  .object({
    scope: z.string(),
    version: z.number().int(),
    source: z.enum(['store', 'POLICY_FILE']).meta({ description: '`POLICY_FILE`: version 0 of global, the bundled file; `store`: a stored version.' }),
    entry: PolicyVersionView.nullable().meta({ description: 'The history entry (who, when, why); null for version 0 of global.' }),
    document: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The document of that version as written; null when the version is a deletion.' }),
  })
  .meta({ id: 'PolicyVersionDetail' });

const SpanView = z.object({
  start: z.number().int(),
  end: z.number().int(),
  text: z.string().meta({ description: 'content.slice(start, end): what matched, as written.' }),
});

const FindingView = z.object({
  ruleId: z.string(),
  action: ActionSchema,
  reason: z.string(),
  spans: z.array(SpanView).optional().meta({ description: 'Where the rule fired: [start, end) UTF-16 offsets into the content as sent. Absent for rules about the whole message.' }),
});

const VerdictView = z.object({
  action: ActionSchema,
  ruleIds: z.array(z.string()),
  reason: z.string(),
  findings: z.array(FindingView),
  content: z.string().optional().meta({ description: 'UPDATE: the content as it would be delivered (PII masked).' }),
  versions: z.array(PolicyVersionRefView),
});

export const PolicyTestResult = z
  .object({
    results: z.array(
      VerdictView.extend({
        index: z.number().int(),
        shadow: VerdictView.optional().meta({ description: 'When a scope of the chain is in shadow mode: its verdict (recorded, never applied).' }),
      }),
    ),
  })
  .meta({ id: 'PolicyTestResult' });

const ActionCounts = z.object({ ALLOW: z.number().int(), UPDATE: z.number().int(), REVIEW: z.number().int(), DENY: z.number().int() });
const Matrix = z
  .object({ ALLOW: ActionCounts, UPDATE: ActionCounts, REVIEW: ActionCounts, DENY: ActionCounts })
  .meta({ description: 'matrix[recorded][candidate] = how many messages.' });

export const PolicyReplayResult = z
  .object({
    scope: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    evaluated: z.number().int().meta({ description: 'Recorded messages judged by the candidate.' }),
    capped: z.boolean().meta({ description: 'True when the cap stopped the replay before the whole window was read: the figures cover the newest `evaluated` messages.' }),
    cap: z.object({ limit: z.number().int(), reached: z.enum(['none', 'limit', 'reads']) }),
    skipped: z.object({ noVerdict: z.number().int() }).meta({ description: 'Items read but not judged (no recorded verdict to compare with).' }),
    matrix: Matrix,
    changed: z.number().int(),
    samples: z.array(
      z.object({
        callbackId: z.string(),
        channelArn: z.string(),
        receivedAt: z.string(),
        status: z.string(),
        content: z.string(),
        recorded: z.object({ action: ActionSchema, ruleIds: z.array(z.string()), reason: z.string(), versions: z.array(PolicyVersionRefView).optional() }),
        decision: z.object({ action: z.string(), origin: z.string(), decidedAt: z.string() }).nullable().meta({ description: 'What was finally done (a moderator may have decided a REVIEW).' }),
        candidate: VerdictView,
      }),
    ),
    reviewQueue: z
      .array(z.object({ day: z.string(), evaluated: z.number().int(), recorded: z.number().int(), candidate: z.number().int() }))
      .meta({ description: 'Per UTC day the message arrived: messages the recorded policy held for review, and how many the candidate would.' }),
    shadow: z
      .object({ compared: z.number().int(), differ: z.number().int(), matrix: Matrix.meta({ description: 'matrix[applied][shadow] of the verdicts recorded side by side.' }) })
      .meta({ description: 'Items recorded with a shadow verdict: applied vs shadow, as recorded.' }),
  })
  .meta({ id: 'PolicyReplayResult' });
