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

const VerdictView = z.object({
  action: ActionSchema,
  ruleIds: z.array(z.string()),
  reason: z.string(),
  findings: z.array(FindingView),
  content: z.optional(z.string()).apply(meta, { description: 'UPDATE: the content as it would be delivered (PII masked).' }),
  versions: z.array(PolicyVersionRefView),
});

export const PolicyTestResult = z
  .object({
    results: z.array(
      z.extend(VerdictView, {
        index: int(),
        shadow: z.optional(VerdictView)
          .apply(meta, { description: 'When a scope of the chain is in shadow mode: its verdict (recorded, never applied).' }),
      }),
    ),
  })
  .apply(meta, { id: 'PolicyTestResult' });

const ActionCounts = z.object({ ALLOW: int(), UPDATE: int(), REVIEW: int(), DENY: int() });
const Matrix = z
  .object({ ALLOW: ActionCounts, UPDATE: ActionCounts, REVIEW: ActionCounts, DENY: ActionCounts })
  .apply(meta, { description: 'matrix[recorded][candidate] = how many messages.' });

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
  })
  .apply(meta, { id: 'PolicyReplayResult' });

/** DELETE /policies/{scope}: the deletion, as recorded in the history. */
const PolicyDeletion = z.extend(PolicyVersionView, { scope: z.string() });

/** The policy API's answers, by the name its route table gives them (RouteSpec.response.schema). */
export const POLICY_RESPONSES = { PolicyList, PolicyTestResult, PolicyReplayResult, PolicyDetail, PolicyDeletion, PolicyVersionPage, PolicyVersionDetail } as const;
