import * as z from 'zod/mini';
import '../zod-messages.js';
import { Actor, PolicyVersionRefView } from '../review/responses.js';
import { meta } from '../http/schema-meta.js';

/**
 * The live-policy routes' answers (src/policy-api/routes.ts), as zod schemas: for the OpenAPI
 * document and the handlers' types only, like src/review/responses.ts (which says why).
 */

const ModeSchema = z.enum(['enforce', 'shadow']);
const ActionSchema = z.enum(['ALLOW', 'UPDATE', 'REVIEW', 'DENY']);
const int = () => z.number().check(z.int());
const PathSchema = z.enum(['REVIEW', 'ALLOW', 'RULES_ONLY']);
const ProviderSchema = z.enum(['comprehend-toxicity', 'bedrock-guardrail', 'http']);

export const PolicySummary = z
  .object({
    scope: z.string(),
    kind: z.enum(['global', 'app-instance', 'channel']),
    version: int().apply(meta, { description: '0: nothing stored yet (global: the bundled POLICY_FILE applies).' }),
    mode: ModeSchema,
    source: z.enum(['store', 'POLICY_FILE', 'none']).apply(meta, {
        description:
          '`store`: a stored version; `POLICY_FILE`: global with nothing stored (the bundled file applies); `none`: nothing of its own (deleted, or never stored): it inherits.',
      }),
    updatedBy: z.nullable(Actor),
    updatedAt: z.nullable(z.string()),
    comment: z.nullable(z.string()),
    bytes: z.optional(int()).apply(meta, { description: 'Size of the document as JSON.' }),
  })
  .apply(meta, { id: 'PolicySummary' });

export const PolicyList = z.object({ items: z.array(PolicySummary), next: z.optional(z.string()) }).apply(meta, { id: 'PolicyList' });

const UnmatchedRemoval = z.object({ scope: z.string(), path: z.string(), entry: z.string() });

const MergedPolicyView = z.object({
  layers: z.array(PolicyVersionRefView).apply(meta, { description: 'The scopes merged, broadest first.' }),
  document: z.record(z.string(), z.unknown()).apply(meta, { description: 'The merged policy as the engine applies it (defaults filled in).' }),
});

const seconds = () => int().apply(meta, { description: 'Seconds.' });
const NoticeView = z.object({ enabled: z.boolean(), text: z.string() });

/** src/policy/community.ts CommunityPolicy: the effective community settings, every default applied. */
export const CommunityPolicyView = z
  .object({
    rules: z
      .record(z.string(), z.object({ publicReason: z.string(), strike: z.boolean() }))
      .apply(meta, { description: 'By rule id: what a notice tells the sender (`{reason}`), and whether the rule’s DENY is a strike.' }),
    reports: z.object({
      categories: z.record(z.string(), z.object({ label: z.string(), severity: int(), slaSeconds: seconds() })),
      rateLimits: z.array(z.object({ max: int(), withinSeconds: seconds() })).apply(meta, { description: 'Per reporter; each applies.' }),
      autoHide: z
        .optional(z.object({ reporters: int(), withinSeconds: seconds() }))
        .apply(meta, { description: 'This many distinct reporters within the window hide the message at once. Absent: off.' }),
      notifyReporter: z.boolean(),
    }),
    notices: z.object({
      deny: NoticeView,
      update: NoticeView,
      hold: NoticeView,
      reportOutcome: NoticeView,
      appealOutcome: NoticeView,
      restriction: NoticeView,
      warning: NoticeView,
      appealUrl: z.string(),
    }),
    appeals: z.object({ windowSeconds: seconds(), allowanceSeconds: seconds() }),
    strikes: z.object({ decaySeconds: seconds() }),
    escalation: z
      .array(
        z.object({
          strikes: int(),
          withinSeconds: seconds(),
          action: z.enum(['HOLD', 'BAN']),
          forSeconds: seconds(),
          scope: z.enum(['channel', 'app-instance']),
          notify: z.boolean(),
        }),
      )
      .apply(meta, { description: 'The ladder; empty: no escalation.' }),
    approvals: z.object({ banLongerThanSeconds: seconds(), appInstanceBans: z.boolean() }),
    cannedReasons: z.object({ deny: z.array(z.string()), ban: z.array(z.string()), case: z.array(z.string()), appeal: z.array(z.string()) }),
  })
  .apply(meta, { id: 'CommunityPolicy' });

const FromView = z
  .record(z.string(), z.string())
  .apply(meta, { description: 'Setting → the scope that wrote it (the narrowest, when several did), or `default`.' });

const EffectiveClassifiersView = z
  .object({
    active: z.array(
      z.object({
        name: z.string(),
        ruleId: z.string(),
        provider: z.object({ kind: ProviderSchema, guardrailId: z.optional(z.string()), guardrailVersion: z.optional(z.string()), url: z.optional(z.string()), secret: z.optional(z.string()), labels: z.optional(z.array(z.string())) }),
        review: z.record(z.string(), z.number()),
        deny: z.record(z.string(), z.number()),
        onIntervention: z.optional(z.enum(['REVIEW', 'DENY'])),
        strike: z.boolean(),
        publicReason: z.string(),
        onUnavailable: PathSchema,
        context: int(),
        contextOf: z.enum(['channel', 'sender']),
        judge: z.array(z.enum(['ALLOW', 'UPDATE', 'REVIEW'])),
        minLength: int(),
        languages: z.array(z.string()),
        onUnsupportedLanguage: PathSchema,
        skipSenders: z.array(z.string()),
        shadow: z.boolean(),
        timeoutMs: int(),
        from: FromView,
      }),
    ),
    disabled: z.array(z.object({ name: z.string(), from: FromView })).apply(meta, { description: 'Switched off here (`enabled: false`).' }),
    incomplete: z.array(z.object({ name: z.string(), from: FromView })).apply(meta, { description: 'Overrides with no provider anywhere in the chain: they judge nothing.' }),
  })
  .apply(meta, { description: 'The applied scopes’ classifiers merged, every default applied (thresholds as scores; Guardrails levels as LOW 1/3, MEDIUM 2/3, HIGH 1).' });

export const EffectivePolicyView = z
  .extend(MergedPolicyView, {
    community: CommunityPolicyView.apply(meta, {
      description:
        'The community settings that apply here (rules’ public reasons and strikes, reports, notices, appeals, strikes, escalation, approvals, canned reasons): the enforced scopes merged, every default applied, durations in seconds. A shadow scope’s are never applied.',
    }),
    shadow: z
      .optional(MergedPolicyView)
      .apply(meta, { description: 'When a scope of the chain is in shadow mode: every scope merged as if enforced. Its verdicts are recorded, never applied.' }),
    unmatchedRemovals: z.array(UnmatchedRemoval)
      .apply(meta, { description: '`remove` entries that match nothing inherited (probably stale or misspelt).' }),
    classifiers: EffectiveClassifiersView,
  })
  .apply(meta, { id: 'EffectivePolicy' });

export const PolicyDetail = z
  .extend(PolicySummary, {
    document: z
      .nullable(z.record(z.string(), z.unknown()))
      .apply(meta, { description: 'The stored document as written; null when the scope has none of its own.' }),
    effective: z.optional(EffectivePolicyView),
  })
  .apply(meta, { id: 'PolicyDetail' });

export const PolicyVersionView = z
  .object({
    version: int(),
    kind: z.enum(['put', 'rollback', 'delete']),
    mode: ModeSchema,
    deleted: z.boolean(),
    updatedBy: Actor,
    updatedAt: z.string(),
    comment: z.string(),
    restoredVersion: z.optional(int()),
    bytes: z.optional(int()),
  })
  .apply(meta, { id: 'PolicyVersion' });

export const PolicyVersionPage = z
  .object({ scope: z.string(), items: z.array(PolicyVersionView), next: z.optional(z.string()) })
  .apply(meta, { id: 'PolicyVersionPage' });

/** One version with its document: what a console diffs, and what a rollback would restore. */
export const PolicyVersionDetail = z
  .object({
    scope: z.string(),
    version: int(),
    source: z.enum(['store', 'POLICY_FILE'])
      .apply(meta, { description: '`POLICY_FILE`: version 0 of global, the bundled file; `store`: a stored version.' }),
    entry: z.nullable(PolicyVersionView).apply(meta, { description: 'The history entry (who, when, why); null for version 0 of global.' }),
    document: z
      .nullable(z.record(z.string(), z.unknown()))
      .apply(meta, { description: 'The document of that version as written; null when the version is a deletion.' }),
  })
  .apply(meta, { id: 'PolicyVersionDetail' });

const SpanView = z.object({
  start: int(),
  end: int(),
  text: z.string().apply(meta, { description: 'content.slice(start, end): what matched, as written.' }),
});

const FindingView = z.object({
  ruleId: z.string(),
  action: ActionSchema,
  reason: z.string(),
  spans: z
    .optional(z.array(SpanView))
    .apply(meta, { description: 'Where the rule fired: [start, end) UTF-16 offsets into the content as sent. Absent for rules about the whole message.' }),
});


/** One classifier's part in a test or replayed verdict (src/classifiers/record.ts, src/classifiers/replay.ts). */
export const PolicyClassifierRecordView = z
  .object({
    name: z.string(),
    ruleId: z.string().apply(meta, { description: '`classifier:<name>`.' }),
    provider: ProviderSchema,
    model: z.optional(z.string()),
    outcome: z.enum(['DECIDED', 'SHADOW', 'UNAVAILABLE', 'REFUSED', 'SKIPPED', 'NOT_SCORED']).apply(meta, {
      description:
        'DECIDED: scored and applied. SHADOW: scored, not applied (`action` is what it would have done). UNAVAILABLE / REFUSED: no judgement, `path` taken. SKIPPED: the pre-screen did not send it (`reason`). NOT_SCORED (replay only): no recorded scores to recompute from and no call made; it adds nothing to the verdict.',
    }),
    source: z.optional(z.enum(['recorded', 'called', 'none'])).apply(meta, { description: 'Replay only: recomputed from the recorded scores, from a new call (capped), or neither.' }),
    action: z.enum(['ALLOW', 'REVIEW', 'DENY']),
    shadow: z.optional(z.boolean()),
    scores: z.optional(z.record(z.string(), z.number())),
    levels: z.optional(z.record(z.string(), z.string())),
    intervened: z.optional(z.boolean()),
    thresholds: z.optional(z.object({ review: z.record(z.string(), z.number()), deny: z.record(z.string(), z.number()) })),
    fired: z.optional(z.array(z.object({ label: z.string(), score: z.number(), threshold: z.number(), action: z.enum(['REVIEW', 'DENY']), level: z.optional(z.string()) }))),
    latencyMs: z.optional(z.number()),
    attempts: int().apply(meta, { description: 'Provider calls made now for this message (0 when recomputed from recorded scores).' }),
    units: z.optional(z.number()),
    contextMessages: z.optional(int()),
    contextUnavailable: z.optional(z.string()),
    path: z.optional(PathSchema),
    reason: z.optional(z.string()),
    detail: z.optional(z.string()),
  })
  .apply(meta, { id: 'PolicyClassifierRecord' });

const VerdictView = z.object({
  action: ActionSchema,
  ruleIds: z.array(z.string()),
  reason: z.string(),
  findings: z.array(FindingView),
  content: z.optional(z.string()).apply(meta, { description: 'UPDATE: the content as it would be delivered (PII masked).' }),
  versions: z.array(PolicyVersionRefView),
  classifiers: z
    .optional(z.array(PolicyClassifierRecordView))
    .apply(meta, { description: 'Replay: each classifier of the candidate, as replayed (the verdict above includes what they concluded). Absent when the scope has none.' }),
});

const CombinedView = z
  .object({ action: ActionSchema, ruleIds: z.array(z.string()), reason: z.string(), findings: z.array(FindingView) })
  .apply(meta, { description: 'The rules’ verdict joined with the classifiers’ (the strictest wins; shadows add nothing): what a worker would decide.' });

export const PolicyTestResult = z
  .object({
    results: z.array(
      z.extend(VerdictView, {
        index: int(),
        shadow: z.optional(VerdictView)
          .apply(meta, { description: 'When a scope of the chain is in shadow mode: its verdict (recorded, never applied).' }),
        classifiers: z
          .optional(z.array(PolicyClassifierRecordView))
          .apply(meta, { description: 'Each classifier of the scope, called now through the same stage, budget and breaker as the workers (no context sent). Absent when the scope has none. The verdict above is the rules’ alone.' }),
        combined: z.optional(CombinedView),
      }),
    ),
  })
  .apply(meta, { id: 'PolicyTestResult' });

const ActionCounts = z.object({ ALLOW: int(), UPDATE: int(), REVIEW: int(), DENY: int() });
const Matrix = z
  .object({ ALLOW: ActionCounts, UPDATE: ActionCounts, REVIEW: ActionCounts, DENY: ActionCounts })
  .apply(meta, { description: 'matrix[recorded][candidate] = how many messages.' });

const CallsEstimateView = z.object({
  calls: int(),
  textUnits: int().apply(meta, { description: 'Billing units as the stage counts them: Comprehend 100-character units (3 at least per call), Guardrails 1,000-character text units. No context is sent.' }),
  costUsd: z.nullable(z.number()).apply(meta, { description: 'At the prices file’s list prices; null when a provider has no published price (`http`).' }),
  byClassifier: z.array(z.object({ name: z.string(), provider: ProviderSchema, calls: int(), textUnits: int(), costUsd: z.nullable(z.number()) })),
});

const ReplayClassifiersView = z
  .object({
    source: z.enum(['recorded', 'recorded+calls', 'none']).apply(meta, {
      description: '`recorded`: recomputed from the items’ recorded scores, no provider called. `recorded+calls`: `classifierCalls.max` allowed calls for what had no usable scores. `none`: the candidate has no classifiers.',
    }),
    estimateOnly: z.boolean().apply(meta, { description: '`estimate: true`: nothing was called; `estimate` is what the capped calls would cost.' }),
    calls: z.object({ max: int(), made: int() }).apply(meta, { description: 'Provider calls: the cap (0 without `classifierCalls`) and how many went.' }),
    items: int().apply(meta, { description: 'Items judged by a candidate with classifiers.' }),
    byClassifier: z.array(
      z.object({
        name: z.string(),
        provider: ProviderSchema,
        shadow: z.boolean(),
        recorded: int().apply(meta, { description: 'Recomputed from recorded scores.' }),
        called: int(),
        notScored: int(),
        skipped: int().apply(meta, { description: 'Not sent by the pre-screen (against the candidate’s rules verdict).' }),
        unavailable: int().apply(meta, { description: 'Called, but no judgement (UNAVAILABLE or REFUSED): its path taken.' }),
        actions: z.object({ ALLOW: int(), REVIEW: int(), DENY: int() }).apply(meta, { description: 'What it concluded over the scored items (a shadow: what it would have done).' }),
      }),
    ),
    estimate: z
      .object({
        items: int(),
        prices: z.object({ file: z.string(), asOf: z.string(), currency: z.string() }),
        needed: CallsEstimateView.apply(meta, { description: 'Every call after the pre-screen for what has no usable recorded scores.' }),
        capped: CallsEstimateView.apply(meta, { description: 'The calls `classifierCalls.max` allows (the first of `needed`, newest items first): what a run with this cap calls.' }),
      })
      .apply(meta, { description: 'The projected cost of calling providers, made before any call.' }),
  })
  .apply(meta, { description: 'The candidate’s classifiers over the replayed items.' });

export const PolicyReplayResult = z
  .object({
    scope: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    evaluated: int().apply(meta, { description: 'Recorded messages judged by the candidate.' }),
    capped: z
      .boolean()
      .apply(meta, { description: 'True when the cap stopped the replay before the whole window was read: the figures cover the newest `evaluated` messages.' }),
    cap: z.object({ limit: int(), reached: z.enum(['none', 'limit', 'reads']) }),
    skipped: z.object({ noVerdict: int() }).apply(meta, { description: 'Items read but not judged (no recorded verdict to compare with).' }),
    matrix: Matrix,
    changed: int(),
    samples: z.array(
      z.object({
        callbackId: z.string(),
        channelArn: z.string(),
        receivedAt: z.string(),
        status: z.string(),
        content: z.string(),
        recorded: z.object({ action: ActionSchema, ruleIds: z.array(z.string()), reason: z.string(), versions: z.optional(z.array(PolicyVersionRefView)) }),
        decision: z
          .nullable(z.object({ action: z.string(), origin: z.string(), decidedAt: z.string() }))
          .apply(meta, { description: 'What was finally done (a moderator may have decided a REVIEW).' }),
        candidate: VerdictView,
      }),
    ),
    reviewQueue: z
      .array(z.object({ day: z.string(), evaluated: int(), recorded: int(), candidate: int() }))
      .apply(meta, { description: 'Per UTC day the message arrived: messages the recorded policy held for review, and how many the candidate would.' }),
    shadow: z
      .object({ compared: int(), differ: int(), matrix: Matrix.apply(meta, { description: 'matrix[applied][shadow] of the verdicts recorded side by side.' }) })
      .apply(meta, { description: 'Items recorded with a shadow verdict: applied vs shadow, as recorded.' }),
    classifiers: ReplayClassifiersView,
  })
  .apply(meta, { id: 'PolicyReplayResult' });

/** DELETE /policies/{scope}: the deletion, as recorded in the history. */
const PolicyDeletion = z.extend(PolicyVersionView, { scope: z.string() });

/** The policy API's answers, by the name its route table gives them (RouteSpec.response.schema). */
export const POLICY_RESPONSES = { PolicyList, PolicyTestResult, PolicyReplayResult, PolicyDetail, PolicyDeletion, PolicyVersionPage, PolicyVersionDetail } as const;
