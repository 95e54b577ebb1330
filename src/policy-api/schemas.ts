import * as z from 'zod/mini';
import { CALLBACK_LIMITS } from '../domain/callback.js';
import { ENTRY_KEYS } from '../policy/merge.js';
import { scopedDocumentIssues, type ScopeKind } from '../policy/schema.js';
import { isScope, parseScope } from '../policy/scope.js';
import { CursorSchema, integerParam, IsoTimeSchema } from '../http/params.js';
import '../zod-messages.js';
import { meta } from '../http/schema-meta.js';

/**
 * Requests and answers of the live-policy routes (src/policy-api/routes.ts). Like the rest
 * of the API, they validate requests AND generate the OpenAPI document. zod/mini, as in
 * src/review/schemas.ts (which says why and how).
 */

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Bodies that carry a policy document may be this large: a 100,000-term list is ~1.5 MB of JSON. */
export const MAX_POLICY_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_TEST_MESSAGES = 100;
export const DEFAULT_REPLAY_LIMIT = 1000;
export const MAX_REPLAY_LIMIT = 5000;
export const MAX_REPLAY_DAYS = 31;
/** A replay calls classifier providers at most this many times (`classifierCalls.max`). */
export const MAX_REPLAY_CLASSIFIER_CALLS = 1000;

const ScopeSchema = z
  .string()
  .check(
    z.superRefine((text, ctx) => {
      const scope = parseScope(text);
      if (!isScope(scope)) ctx.addIssue({ code: 'custom', message: scope.problem });
    }),
  )
  .apply(meta, { description: '`global`, an app instance ARN or a channel ARN (URL-encoded in a path).' });

/**
 * A policy document field, validated as POLICY_FILE is (plus `mode`, `false` sections and
 * `remove`); every problem is reported with its path under the field. Scope-specific rules
 * (global has nothing to remove and is always enforced) are checked where the scope is known.
 * The document shows it as the PolicyDocument component (src/policy-api/document-schema.ts).
 */
const documentField = (description: string, kind: ScopeKind = 'channel') =>
  z
    .unknown()
    .check(
      z.superRefine((value, ctx) => {
        if (value === undefined) {
          ctx.addIssue({ code: 'custom', message: 'is required' });
          return;
        }
        for (const issue of scopedDocumentIssues(value, kind, ENTRY_KEYS)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }),
    )
    .apply(meta, { description, override: { $ref: '#/components/schemas/PolicyDocument' } });

const CommentSchema = z
  .string()
  .check(z.trim(), z.minLength(1, 'must say why (it is kept in the history)'), z.maxLength(1000))
  .apply(meta, { description: 'Why: kept in the version history.' });
const VersionNumber = z.number().check(z.int('must be a whole number'), z.gte(0));

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export const ScopeParams = z.strictObject({ scope: ScopeSchema });

export const PolicyListQuery = z.strictObject({ limit: integerParam(1, 100, 50, 'Scopes per page, 1-100.'), cursor: z.optional(CursorSchema) });

export const PolicyGetQuery = z.strictObject({
  effective: z
    .pipe(
      z._default(z.enum(['true', 'false'], { error: 'must be true or false' }), 'false'),
      z.transform((v: 'true' | 'false') => v === 'true'),
    )
    .apply(meta, { description: 'Also return the merged policy that applies at this scope (global → app instance → channel).' }),
});

export const PolicyVersionsQuery = z.strictObject({ limit: integerParam(1, 100, 25, 'Versions per page, 1-100.'), cursor: z.optional(CursorSchema) });

/** A whole number in a query string or path: `^\d{1,9}$`, then a number. */
const wholeNumberParam = () => z.pipe(z.string().check(z.regex(/^\d{1,9}$/, 'must be a whole number')), z.transform(Number));

export const PolicyVersionParams = z.strictObject({
  scope: ScopeSchema,
  version: wholeNumberParam().apply(meta, {
      description: 'A version number, as GET /policies/{scope}/versions lists them (0 on global: the bundled POLICY_FILE).',
      override: { type: 'integer', minimum: 0 },
    }),
});

export const PolicyDeleteQuery = z.strictObject({
  comment: CommentSchema,
  expectedVersion: z
    .optional(wholeNumberParam())
    .apply(meta, { description: 'Refuse (409) unless the policy is still at this version.', override: { type: 'integer', minimum: 0 } }),
});

export const PutPolicyRequest = z
  .strictObject({
    document: documentField('The policy for this scope, as written (YAML converted to JSON).'),
    comment: CommentSchema,
    expectedVersion: z.optional(VersionNumber)
      .apply(meta, { description: 'Refuse (409) unless the scope is still at this version (0: nothing stored yet).' }),
  })
  .apply(meta, { id: 'PutPolicyRequest' });
export type PutPolicyRequest = z.output<typeof PutPolicyRequest>;

export const RollbackRequest = z
  .strictObject({
    version: VersionNumber.apply(meta, { description: 'The version whose document becomes current again (0 on global: the bundled POLICY_FILE).' }),
    comment: CommentSchema,
    expectedVersion: z.optional(VersionNumber).apply(meta, { description: 'Refuse (409) unless the scope is still at this version.' }),
  })
  .apply(meta, { id: 'RollbackRequest' });
export type RollbackRequest = z.output<typeof RollbackRequest>;

const kindOf = (scope: string | undefined): ScopeKind | undefined => {
  const parsed = scope === undefined ? undefined : parseScope(scope);
  return parsed && isScope(parsed) ? parsed.kind : undefined;
};

type DocumentBody = { scope?: string | undefined; document?: unknown };

/** Global-only rules for a document sent beside its scope (the field itself was checked as a narrower scope's). */
function checkDocumentForScope(body: DocumentBody, ctx: z.core.$RefinementCtx<DocumentBody>) {
  if (body.document === undefined || kindOf(body.scope) !== 'global') return;
  for (const issue of scopedDocumentIssues(body.document, 'global')) {
    if (issue.path[0] === 'remove' || issue.path[0] === 'mode') ctx.addIssue({ code: 'custom', path: ['document', ...issue.path], message: issue.message });
  }
}

const TestMessage = z.strictObject({
  content: z
    .string()
    .check(
      z.maxLength(CALLBACK_LIMITS.contentMaxBytes),
      z.refine((v) => bytes(v) <= CALLBACK_LIMITS.contentMaxBytes, `must be at most ${CALLBACK_LIMITS.contentMaxBytes} bytes in UTF-8`),
    )
    .apply(meta, { description: 'The message as a sender would write it.' }),
  metadata: z.optional(z.string().check(z.maxLength(CALLBACK_LIMITS.metadataMaxBytes))),
  senderArn: z.optional(z.string().check(z.minLength(1), z.maxLength(1600))).apply(meta, { description: 'For the senders rules.' }),
  channelArn: z
    .optional(z.string().check(z.minLength(1), z.maxLength(1600)))
    .apply(meta, { description: 'Without `scope` or `document`: judge the message by the effective policy of this channel, as a worker would.' }),
});

export const PolicyTestRequest = z
  .strictObject({
    scope: z.optional(ScopeSchema)
      .apply(meta, { description: 'The effective policy at this scope; with `document`, the document stands in for this scope’s stored one.' }),
    document: z.optional(documentField('A candidate document. Alone: judged as the whole policy. With `scope`: merged with what the scope inherits.')),
    messages: z
      .array(TestMessage)
      .check(z.minLength(1, 'must hold at least one message'), z.maxLength(MAX_TEST_MESSAGES, `must hold at most ${MAX_TEST_MESSAGES} messages`)),
    classify: z
      .optional(z.boolean({ error: 'must be true or false' }))
      .apply(meta, { description: 'Call the scope’s classifiers (default true). `false`: the rules only, no provider call (a check as you type, which should not spend the quota).' }),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.scope === undefined && body.document === undefined) {
        body.messages.forEach((m, i) => {
          if (m.channelArn === undefined) ctx.addIssue({ code: 'custom', path: ['messages', i, 'channelArn'], message: 'is required when neither `scope` nor `document` is given' });
        });
      }
      checkDocumentForScope(body, ctx);
    }),
  )
  .apply(meta, { id: 'PolicyTestRequest' });
export type PolicyTestRequest = z.output<typeof PolicyTestRequest>;

export const PolicyReplayRequest = z
  .strictObject({
    scope: ScopeSchema.apply(meta, { description: 'Where the candidate would be stored: only messages this scope judges are replayed.' }),
    document: documentField('The candidate document for `scope`.'),
    from: IsoTimeSchema.apply(meta, { description: 'Start of the window (inclusive): messages decided or held in it are replayed.' }),
    to: IsoTimeSchema.apply(meta, { description: 'End of the window (inclusive).' }),
    limit: z
      ._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_REPLAY_LIMIT)), DEFAULT_REPLAY_LIMIT)
      .apply(meta, { description: `At most this many recorded messages are evaluated (newest first); the answer says when the cap was reached. 1-${MAX_REPLAY_LIMIT}.` }),
    samples: z
      ._default(z.number().check(z.int(), z.gte(0), z.lte(100)), 20)
      .apply(meta, { description: 'How many changed items to show, spread over the changes.' }),
    classifierCalls: z
      .optional(
        z.strictObject({
          max: z
            .number({ error: 'must be a whole number' })
            .check(z.int('must be a whole number'), z.gte(1, 'must be at least 1'), z.lte(MAX_REPLAY_CLASSIFIER_CALLS, `must be at most ${MAX_REPLAY_CLASSIFIER_CALLS}`)),
        }),
      )
      .apply(meta, {
        description: `Without it, classifiers are recomputed from the items' recorded scores and no provider is called. With it, what has no usable recorded scores is sent to the provider, at most \`max\` calls in all (1-${MAX_REPLAY_CLASSIFIER_CALLS}), through the workers' budget and breaker.`,
      }),
    estimate: z
      .optional(z.boolean({ error: 'must be true or false' }))
      .apply(meta, { description: 'Dry run (default false): replay on recorded scores and answer what the calls `classifierCalls.max` allows would cost (items, calls after the pre-screen, text units, USD), calling nothing.' }),
  })
  .check(
    z.superRefine((body, ctx) => {
      const from = Date.parse(body.from);
      const to = Date.parse(body.to);
      if (from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after `to`' });
      if (to - from > MAX_REPLAY_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['from'], message: `must be within ${MAX_REPLAY_DAYS} days of \`to\`` });
      checkDocumentForScope(body, ctx);
    }),
  )
  .apply(meta, { id: 'PolicyReplayRequest' });
export type PolicyReplayRequest = z.output<typeof PolicyReplayRequest>;
