/**
 * The policy document: what operators write in `policy/*.yaml` (or JSON).
 *
 * Every field is optional. An empty document is a valid policy that allows everything:
 * a rule section that is absent is switched off, and a section that is present but empty
 * switches the rule on with the defaults documented below (e.g. `links: {}` sends every
 * message with a link to review, `pii: {}` masks e-mail addresses, phones and cards).
 * Unknown keys are rejected so that typos do not silently disable a rule.
 *
 * zod/mini: the worker validates the POLICY_FILE and every stored policy with these schemas, and
 * needs no other part of zod; the same rules and messages as the classic API (src/zod-messages.ts).
 */
import * as z from 'zod/mini';
import { NOTICE_KINDS } from '../domain/people.js';
import { DEFAULT_RULES, REPORT_CATEGORIES, parseDuration } from './community.js';
import { compileTerms, findTerms, termProblem, type CompiledTerms } from './terms.js';
import { ClassifiersSectionSchema, type ClassifiersSectionInput } from './classifiers.js';
import '../zod-messages.js';

/** Actions a rule that does not rewrite content may take. */
export const RuleActionSchema = z.enum(['ALLOW', 'REVIEW', 'DENY']);
/** Actions the PII rule may take (UPDATE = mask and deliver). */
export const PiiActionSchema = z.enum(['UPDATE', 'REVIEW', 'DENY']);

const TermSchema = z.string().check(
  z.trim(),
  z.minLength(1, 'term must not be empty'),
  z.superRefine((term, ctx) => {
    const problem = termProblem(term);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const DomainSchema = z.string().check(z.trim(), z.minLength(1, 'domain must not be empty'));

const SenderSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'sender ARN must not be empty'),
    z.refine((s: string) => !s.slice(0, -1).includes('*'), '`*` is only supported at the end (prefix match)'),
  );

/** A list of entries, empty when absent. */
const list = <T extends z.ZodMiniType>(entry: T) => z._default(z.array(entry), []);
const count = (fallback: number) => z._default(z.number().check(z.int(), z.positive()), fallback);

export const TermsSectionSchema = z.strictObject({
  /** Terms and phrases that DENY a message (`terms.block`). */
  block: list(TermSchema),
  /** Terms and phrases that send a message to human REVIEW (`terms.review`). */
  review: list(TermSchema),
});

export const PiiSectionSchema = z.strictObject({
  /** Mask e-mail addresses (`pii.email`). */
  email: z._default(z.boolean(), true),
  /** Mask phone numbers (`pii.phone`). */
  phone: z._default(z.boolean(), true),
  /** Mask Luhn-valid payment card numbers (`pii.card`). */
  card: z._default(z.boolean(), true),
  /** UPDATE delivers the masked content; REVIEW/DENY hold or reject the message instead. */
  action: z._default(PiiActionSchema, 'UPDATE'),
});

export const LinksSectionSchema = z.strictObject({
  /** Domains (and their subdomains) that are always fine. */
  allow: list(DomainSchema),
  /** Domains (and their subdomains) that DENY a message (`links.deny`). */
  deny: list(DomainSchema),
  /** What to do with a link to any other domain (`links.unknown`). */
  unknown: z._default(RuleActionSchema, 'REVIEW'),
});

export const ContentSectionSchema = z.strictObject({
  /** Longest content allowed, in characters (Unicode code points). */
  maxLength: count(4096),
  /** What to do with longer content (`content.length`). */
  action: z._default(RuleActionSchema, 'REVIEW'),
});

export const MetadataSectionSchema = z.strictObject({
  /** When metadata is present it must parse as JSON. */
  requireJson: z._default(z.boolean(), true),
  /** Largest metadata allowed, in UTF-8 bytes. */
  maxBytes: count(1024),
  /** What to do with malformed metadata (`metadata.malformed`). */
  action: z._default(RuleActionSchema, 'REVIEW'),
});

export const SendersSectionSchema = z.strictObject({
  /** Sender ARNs whose messages skip every content rule (`sender.allow`). Trailing `*` = prefix. */
  allow: list(SenderSchema),
  /** Sender ARNs whose messages are DENIED (`sender.deny`). Trailing `*` = prefix. */
  deny: list(SenderSchema),
});

// ─── The community sections: what the rules tell senders, reports, notices, appeals, strikes ──
//
// src/policy/community.ts is their contract (CommunityPolicy, every default applied). The
// sections are validated here as written, with no defaults: a narrower scope overrides only what
// it writes (src/policy/merge.ts), and communityPolicyOf fills in the rest last.

const SECOND = 1;
const MINUTE = 60 * SECOND;
const YEAR_IN_DAYS = 365;

/** `90s`, `15m`, `24h`, `7d`: a whole number and a unit (what parseDuration reads). */
const DURATION_PATTERN = /^\d{1,6}[smhd]$/;
const DURATION_FORMAT = 'must be a duration: a whole number and a unit (s, m, h or d), such as 90s, 15m, 24h or 7d';

/** A duration between `minSeconds` and 365 days. */
function duration(minSeconds = SECOND) {
  const least = minSeconds === MINUTE ? '1m' : `${minSeconds}s`;
  return z.string().check(
    z.regex(DURATION_PATTERN, DURATION_FORMAT),
    z.refine((text: string) => {
      const seconds = parseDuration(text);
      return seconds === undefined || (seconds >= minSeconds && seconds <= YEAR_IN_DAYS * 24 * 60 * MINUTE);
    }, `must be at least ${least} and at most ${YEAR_IN_DAYS}d`),
  );
}

/** Text a member or a moderator reads: 1 to `max` characters, not blank. */
const text = (max: number) =>
  z.string().check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value: string) => value.trim().length > 0, 'must not be blank'),
  );

const intBetween = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

/**
 * `X | false` where false switches something off at this scope. The union's own message is
 * what a value of neither kind gets; a value of the right kind gets its fields' own problems
 * (see {@link unionIssues}).
 */
const orFalse = <T extends z.ZodMiniType>(schema: T, what: string) => z.union([schema, z.literal(false)], { error: `must be ${what}, or false to switch it off here` });

/**
 * The rule ids a `rules:` entry may name: every rule of the engine (src/policy/engine.ts
 * RULE_IDS, which DEFAULT_RULES lists but for `sender.allow`, which never denies), and the
 * decisions no rule of the document makes: `callback.limits`, `moderator`, `expiry`.
 */
export const RULE_SETTING_IDS: readonly string[] = ['sender.allow', ...Object.keys(DEFAULT_RULES)];

const RuleSettingsSchema = z.strictObject({
  /** What the sender is told (`{reason}` in a notice). Never the blocked term or the list. */
  publicReason: z.optional(text(200)),
  /** Whether an automatic DENY by this rule counts as a strike against the sender. */
  strike: z.optional(z.boolean()),
});

export const RulesSectionSchema = z.strictObject(Object.fromEntries(RULE_SETTING_IDS.map((id) => [id, z.optional(RuleSettingsSchema)])) as Record<string, z.ZodMiniOptional<typeof RuleSettingsSchema>>);

const CategorySchema = z.strictObject({
  label: z.optional(text(60)),
  severity: z.optional(intBetween(1, 5)),
  /** The SLA target: act within this long of the first report. */
  sla: z.optional(duration(MINUTE)),
});

export const ReportsSectionSchema = z.strictObject({
  categories: z.optional(z.strictObject(Object.fromEntries(REPORT_CATEGORIES.map((c) => [c, z.optional(CategorySchema)])) as Record<(typeof REPORT_CATEGORIES)[number], z.ZodMiniOptional<typeof CategorySchema>>)),
  /** Per reporter; each limit applies. Replaced whole by a narrower scope that writes it. */
  rateLimits: z.optional(z.array(z.strictObject({ max: intBetween(1, 10_000), within: duration() })).check(z.maxLength(5, 'must have at most 5 limits'))),
  /** N distinct reporters within a window hide the message at once. Off unless set. */
  autoHide: z.optional(orFalse(z.strictObject({ reporters: intBetween(2, 1000), within: duration() }), 'an object with reporters and within')),
  notifyReporter: z.optional(z.boolean()),
});

const NoticeKindSchema = orFalse(z.strictObject({ enabled: z.optional(z.boolean()), text: z.optional(text(1000)) }), 'an object with enabled and text');

/** An https URL, `{ref}` allowed (the decision's reference is filled in). */
const AppealUrlSchema = z.string().check(
  z.maxLength(2000, 'must be at most 2000 characters'),
  z.refine((value: string) => {
    if (!/^https:\/\/\S+$/.test(value)) return false;
    try {
      return new URL(value.replaceAll('{ref}', 'ref')).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL (it may hold {ref}, the decision’s reference)'),
);

export const NoticesSectionSchema = z.strictObject({
  ...(Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, z.optional(NoticeKindSchema)])) as Record<(typeof NOTICE_KINDS)[number], z.ZodMiniOptional<typeof NoticeKindSchema>>),
  appealUrl: z.optional(AppealUrlSchema),
});

export const AppealsSectionSchema = z.strictObject({
  /** How long after a decision it can be appealed. */
  window: z.optional(duration()),
  /** How long an overturned DENY's exact content is let through for its sender in its channel. */
  allowance: z.optional(duration()),
});

export const StrikesSectionSchema = z.strictObject({
  /** How long a strike counts. */
  decay: z.optional(duration()),
});

const EscalationStepSchema = z
  .strictObject({
    strikes: intBetween(1, 1000),
    within: duration(),
    action: z.enum(['HOLD', 'BAN']),
    for: duration(),
    /** BAN only: this channel (default) or every channel of the AppInstance. */
    scope: z.optional(z.enum(['channel', 'app-instance'])),
    /** Tell the sender (default true). */
    notify: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((step, ctx) => {
      if (step.scope !== undefined && step.action !== 'BAN') ctx.addIssue({ code: 'custom', path: ['scope'], message: 'applies to a BAN only (a HOLD is for the sender’s messages everywhere the policy applies)' });
    }),
  );

export const EscalationSectionSchema = orFalse(z.array(EscalationStepSchema).check(z.maxLength(10, 'must have at most 10 steps')), 'a list of steps');

export const ApprovalsSectionSchema = z.strictObject({
  /** A ban longer than this needs a second moderator. */
  banLongerThan: z.optional(duration()),
  /** A ban across an AppInstance needs a second moderator. */
  appInstanceBans: z.optional(z.boolean()),
});

const reasons = z.optional(z.array(text(200)).check(z.maxLength(50, 'must have at most 50 reasons')));
export const CannedReasonsSectionSchema = z.strictObject({ deny: reasons, ban: reasons, case: reasons, appeal: reasons });

/** The community sections (none of them is a rule: each has its settings' defaults in community.ts). */
export const COMMUNITY_SECTIONS = ['rules', 'reports', 'notices', 'appeals', 'strikes', 'escalation', 'approvals', 'cannedReasons'] as const;
export type CommunitySection = (typeof COMMUNITY_SECTIONS)[number];

const COMMUNITY_SCHEMAS = {
  rules: RulesSectionSchema,
  reports: ReportsSectionSchema,
  notices: NoticesSectionSchema,
  appeals: AppealsSectionSchema,
  strikes: StrikesSectionSchema,
  escalation: EscalationSectionSchema,
  approvals: ApprovalsSectionSchema,
  cannedReasons: CannedReasonsSectionSchema,
} as const satisfies Record<CommunitySection, z.ZodMiniType>;

/** The community sections of a document, as written (what merge.ts merges and communityPolicyOf reads). */
export type CommunityDocument = { [S in CommunitySection]?: z.input<(typeof COMMUNITY_SCHEMAS)[S]> };

export const PolicyDocumentSchema = z.strictObject({
  /** Format version of the document; only 1 exists. */
  version: z.optional(z.literal(1)),
  /** Free text for operators. */
  description: z.optional(z.string()),
  terms: z.optional(TermsSectionSchema),
  pii: z.optional(PiiSectionSchema),
  links: z.optional(LinksSectionSchema),
  content: z.optional(ContentSectionSchema),
  metadata: z.optional(MetadataSectionSchema),
  senders: z.optional(SendersSectionSchema),
  rules: z.optional(RulesSectionSchema),
  reports: z.optional(ReportsSectionSchema),
  notices: z.optional(NoticesSectionSchema),
  appeals: z.optional(AppealsSectionSchema),
  strikes: z.optional(StrikesSectionSchema),
  escalation: z.optional(EscalationSectionSchema),
  approvals: z.optional(ApprovalsSectionSchema),
  cannedReasons: z.optional(CannedReasonsSectionSchema),
  /** Machine judgement (src/policy/classifiers.ts): classifiers by name, or false. */
  classifiers: z.optional(ClassifiersSectionSchema),
});

/** A validated policy document (defaults applied). */
export type PolicyDocument = z.output<typeof PolicyDocumentSchema>;
/** A policy document as written (before defaults). */
export type PolicyDocumentInput = z.input<typeof PolicyDocumentSchema>;

// ─── Live policies: documents stored per scope (global, app instance, channel) ──────────────
//
// A stored document is today's schema plus three things a narrower scope needs (src/policy/
// merge.ts applies them; README "Live policies" documents the rule):
//   - `mode: enforce | shadow` (default enforce): a shadow scope's verdict is recorded beside
//     the decision but never applied;
//   - a section may be `false`: the rule is switched off at this scope (and below it, unless a
//     narrower scope switches it on again);
//   - `remove:` lists entries inherited from a broader scope that no longer apply here.
// Documents are stored as written (defaults are applied only to the merged, effective policy),
// so a narrower scope overrides only the settings it actually names.

/** How a scope's policy takes part in decisions. */
export const PolicyModeSchema = z.enum(['enforce', 'shadow']);
export type PolicyMode = z.output<typeof PolicyModeSchema>;

/** The rule sections, in the order the engine applies them. */
export const POLICY_SECTIONS = ['senders', 'content', 'metadata', 'terms', 'links', 'pii'] as const;
export type PolicySection = (typeof POLICY_SECTIONS)[number];

/** The entry schema of each list field (the pre-scan of scopedDocumentIssues). */
const LIST_ENTRIES: Record<string, z.ZodMiniType> = { terms: TermSchema, links: DomainSchema, senders: SenderSchema };

/**
 * The most problems one document reports. A list of 150,000 blank terms is one mistake many times
 * over: it gets this many problems, and one saying how many more there were, not 150,000 (whose
 * answer alone would be megabytes, and whose collection would take the process seconds).
 */
export const MAX_DOCUMENT_ISSUES = 100;
const MORE_ENTRIES = 'has more invalid entries';

/**
 * The invalid entries of a list field, stopping at MAX_DOCUMENT_ISSUES: checked entry by entry
 * before the section is parsed whole, so a list of many bad entries costs no more than a few.
 */
function listIssues(entries: unknown, schema: z.ZodMiniType, path: Array<string | number>): { issues: DocumentIssue[]; more: boolean } {
  const issues: DocumentIssue[] = [];
  if (!Array.isArray(entries)) return { issues, more: false };
  let invalid = 0;
  for (let i = 0; i < entries.length; i += 1) {
    const result = schema.safeParse(entries[i]);
    if (result.success) continue;
    if (invalid === MAX_DOCUMENT_ISSUES) return { issues, more: true };
    invalid += 1;
    issues.push(...toDocumentIssues(result.error.issues, [...path, i]));
  }
  return { issues, more: false };
}

const SECTION_SCHEMAS = {
  terms: TermsSectionSchema,
  pii: PiiSectionSchema,
  links: LinksSectionSchema,
  content: ContentSectionSchema,
  metadata: MetadataSectionSchema,
  senders: SendersSectionSchema,
} as const satisfies Record<PolicySection, z.ZodMiniType>;

/** The list fields of each section that merge as unions (and that `remove` can subtract from). */
export const POLICY_LISTS = {
  terms: ['block', 'review'],
  links: ['allow', 'deny'],
  senders: ['allow', 'deny'],
} as const;
export type ListSection = keyof typeof POLICY_LISTS;

export const RemoveSectionSchema = z.strictObject({
  terms: z.optional(z.strictObject({ block: z.optional(z.array(TermSchema)), review: z.optional(z.array(TermSchema)) })),
  links: z.optional(z.strictObject({ allow: z.optional(z.array(DomainSchema)), deny: z.optional(z.array(DomainSchema)) })),
  senders: z.optional(z.strictObject({ allow: z.optional(z.array(SenderSchema)), deny: z.optional(z.array(SenderSchema)) })),
});

/** A section as written in a stored document: its settings, or `false` to switch the rule off. */
export type SectionInput<S extends PolicySection> = z.input<(typeof SECTION_SCHEMAS)[S]> | false;

/** A stored policy document, as written (no defaults applied). */
export interface ScopedPolicyDocument extends CommunityDocument {
  version?: 1;
  description?: string;
  mode?: PolicyMode;
  terms?: SectionInput<'terms'>;
  pii?: SectionInput<'pii'>;
  links?: SectionInput<'links'>;
  content?: SectionInput<'content'>;
  metadata?: SectionInput<'metadata'>;
  senders?: SectionInput<'senders'>;
  remove?: z.input<typeof RemoveSectionSchema>;
  /** Machine judgement (src/policy/classifiers.ts); merged by mergeClassifiers. */
  classifiers?: ClassifiersSectionInput;
}

/** Where a document is stored; `global` has nothing to inherit, so nothing to remove. */
export type ScopeKind = 'global' | 'app-instance' | 'channel';

export interface DocumentIssue {
  /** Field path inside the document, e.g. `['terms', 'block', 3]`; empty for the document itself. */
  path: Array<string | number>;
  message: string;
}

/** A union branch that failed on the value's kind itself (`true` where an object or false is wanted). */
const wrongKind = (branch: readonly z.core.$ZodIssue[]) => branch.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));

/**
 * zod's issues with each union resolved: when exactly one branch fits the value's kind (an
 * object for `{…} | false`), that branch's own issues, each at its field's path; otherwise the
 * union's issue (its message says what is wanted). Without this, a wrong field inside an
 * escalation step would read as "Invalid input" on the whole section.
 */
export function unionIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const fitting = issue.code === 'invalid_union' ? issue.errors.filter((branch) => !wrongKind(branch)) : [];
    if (fitting.length !== 1) {
      out.push(issue);
      continue;
    }
    for (const inner of unionIssues(fitting[0]!)) out.push({ ...inner, path: [...issue.path, ...inner.path] });
  }
  return out;
}

/** Zod issues → one issue per field, unknown keys named by their own path (a console can point at the line). */
function toDocumentIssues(issues: readonly z.core.$ZodIssue[], prefix: Array<string | number> = []): DocumentIssue[] {
  const out: DocumentIssue[] = [];
  for (const issue of unionIssues(issues)) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: 'is not a known field' });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

const DocumentShapeSchema = z.strictObject({
  version: z.optional(z.literal(1)),
  description: z.optional(z.string()),
  mode: z.optional(PolicyModeSchema),
  terms: z.optional(z.unknown()),
  pii: z.optional(z.unknown()),
  links: z.optional(z.unknown()),
  content: z.optional(z.unknown()),
  metadata: z.optional(z.unknown()),
  senders: z.optional(z.unknown()),
  // Checked on its own (after its lists' pre-scan), like the sections.
  remove: z.optional(z.unknown()),
  // The community sections: checked one by one, like the rule sections.
  rules: z.optional(z.unknown()),
  reports: z.optional(z.unknown()),
  notices: z.optional(z.unknown()),
  appeals: z.optional(z.unknown()),
  strikes: z.optional(z.unknown()),
  escalation: z.optional(z.unknown()),
  approvals: z.optional(z.unknown()),
  cannedReasons: z.optional(z.unknown()),
  // Checked on its own, like the community sections.
  classifiers: z.optional(z.unknown()),
});

const BLOCKED_TERM_ECHO = 'must not contain a blocked term';

/** `{reason}` and the like are filled in later: never read as words of the text. */
const withoutPlaceholders = (template: string) => template.replace(/\{[A-Za-z]+\}/g, ' ');

/**
 * Where a document's public texts (each rule's `publicReason`, each notice's `text`) contain a
 * term of the document's own `terms.block`, as the engine matches terms (obfuscation, phrases):
 * a notice must never tell a sender, nor the channel, what the blocklist holds. `compiled` is the
 * document's compiled terms when the caller has them (POLICY_FILE at start); otherwise its block
 * list is compiled here, and only when there is a text to check. Fields that are not valid are
 * skipped (their own problems are reported elsewhere).
 */
export function blockedTermEchoes(doc: Readonly<Record<string, unknown>>, compiled?: CompiledTerms): DocumentIssue[] {
  const texts: Array<{ path: Array<string | number>; text: string }> = [];
  const rules = doc.rules;
  if (rules && typeof rules === 'object') {
    for (const [id, settings] of Object.entries(rules as Record<string, unknown>)) {
      const reason = (settings as { publicReason?: unknown } | undefined)?.publicReason;
      if (typeof reason === 'string') texts.push({ path: ['rules', id, 'publicReason'], text: reason });
    }
  }
  const classifiers = doc.classifiers;
  if (classifiers && typeof classifiers === 'object') {
    for (const [name, entry] of Object.entries(classifiers as Record<string, unknown>)) {
      const reason = (entry as { publicReason?: unknown } | undefined)?.publicReason;
      if (typeof reason === 'string') texts.push({ path: ['classifiers', name, 'publicReason'], text: reason });
    }
  }
  const notices = doc.notices;
  if (notices && typeof notices === 'object') {
    for (const kind of NOTICE_KINDS) {
      const template = ((notices as Record<string, unknown>)[kind] as { text?: unknown } | false | undefined) || undefined;
      if (typeof template?.text === 'string') texts.push({ path: ['notices', kind, 'text'], text: template.text });
    }
  }
  if (texts.length === 0) return [];
  let terms = compiled;
  if (!terms) {
    const block = (doc.terms as { block?: unknown } | false | undefined) || undefined;
    if (!Array.isArray(block?.block) || block.block.length === 0 || !block.block.every((t) => typeof t === 'string' && termProblem(t) === undefined)) return [];
    terms = compileTerms(block.block as string[], []);
  }
  const issues: DocumentIssue[] = [];
  for (const { path, text: value } of texts) {
    const found = findTerms(terms, withoutPlaceholders(value)).block;
    if (found.length > 0) issues.push({ path, message: `${BLOCKED_TERM_ECHO} (${JSON.stringify(found[0])} is in terms.block)` });
  }
  return issues;
}

/** An unknown key of `rules:` is a rule id that does not exist: say which exist. */
function ruleIdIssue(issue: DocumentIssue): DocumentIssue {
  if (issue.path.length !== 2 || issue.path[0] !== 'rules' || issue.message !== 'is not a known field') return issue;
  return { path: issue.path, message: `is not a rule id (one of ${RULE_SETTING_IDS.join(', ')})` };
}

/** The policy-list key of an entry: how `remove` finds an inherited entry, and how unions dedupe. */
export type EntryKey = (entry: string) => string;

/**
 * Every problem of a stored document, for the scope kind it is meant for: the schema's checks
 * (the same as POLICY_FILE's, section by section) and the rules of scopes. Empty when valid.
 */
export function scopedDocumentIssues(raw: unknown, kind: ScopeKind, keys?: { [S in ListSection]: EntryKey }): DocumentIssue[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{ path: [], message: 'must be an object (a policy document: terms, pii, links, content, metadata, senders …)' }];
  }
  const shape = DocumentShapeSchema.safeParse(raw);
  const issues: DocumentIssue[] = shape.success ? [] : toDocumentIssues(shape.error.issues);
  const doc = raw as Record<string, unknown>;
  for (const section of POLICY_SECTIONS) {
    const value = doc[section];
    if (value === undefined || value === false) continue;
    if (value === true || value === null) {
      issues.push({ path: [section], message: 'must be an object with the section’s settings, or false to switch the rule off' });
      continue;
    }
    // Its lists first, entry by entry with a stop: the whole section is parsed only when they are clean.
    const lists = section in POLICY_LISTS && typeof value === 'object' ? (POLICY_LISTS[section as ListSection] as readonly string[]) : [];
    const bad = lists.map((list) => listIssues((value as Record<string, unknown>)[list], LIST_ENTRIES[section]!, [section, list]));
    if (bad.some((b) => b.issues.length > 0)) {
      for (const [i, b] of bad.entries()) {
        issues.push(...b.issues);
        if (b.more) issues.push({ path: [section, lists[i]!], message: `${MORE_ENTRIES} than the first ${MAX_DOCUMENT_ISSUES} reported` });
      }
      // A misspelt key beside them is a problem of its own (`revue:` next to an empty term).
      const known = Object.keys(SECTION_SCHEMAS[section].def.shape);
      for (const key of Object.keys(value as object)) if (!known.includes(key)) issues.push({ path: [section, key], message: 'is not a known field' });
      continue;
    }
    const result = SECTION_SCHEMAS[section].safeParse(value);
    if (!result.success) issues.push(...toDocumentIssues(result.error.issues, [section]));
  }
  let communityValid = true;
  for (const section of COMMUNITY_SECTIONS) {
    const value = doc[section];
    if (value === undefined) continue;
    const result = COMMUNITY_SCHEMAS[section].safeParse(value);
    if (result.success) continue;
    communityValid = false;
    issues.push(...toDocumentIssues(result.error.issues, [section]).map(ruleIdIssue));
  }
  if (doc.classifiers !== undefined) {
    const result = ClassifiersSectionSchema.safeParse(doc.classifiers);
    if (!result.success) issues.push(...toDocumentIssues(result.error.issues, ['classifiers']));
  }
  if (communityValid && shape.success) issues.push(...blockedTermEchoes(doc));
  let removeValid = true;
  if (doc.remove !== undefined) {
    const remove = doc.remove;
    const bad = typeof remove === 'object' && remove !== null
      ? (Object.keys(POLICY_LISTS) as ListSection[]).flatMap((section) =>
          POLICY_LISTS[section].map((list) => ({ section, list, ...listIssues((remove as Record<string, Record<string, unknown> | undefined>)[section]?.[list], LIST_ENTRIES[section]!, ['remove', section, list]) })),
        )
      : [];
    if (bad.some((b) => b.issues.length > 0)) {
      removeValid = false;
      for (const b of bad) {
        issues.push(...b.issues);
        if (b.more) issues.push({ path: ['remove', b.section, b.list], message: `${MORE_ENTRIES} than the first ${MAX_DOCUMENT_ISSUES} reported` });
      }
    } else {
      const result = RemoveSectionSchema.safeParse(remove);
      if (!result.success) {
        removeValid = false;
        issues.push(...toDocumentIssues(result.error.issues, ['remove']));
      }
    }
  }
  if (kind === 'global') {
    if (doc.remove !== undefined) issues.push({ path: ['remove'], message: 'global inherits nothing, so there is nothing to remove' });
    if (doc.mode === 'shadow') issues.push({ path: ['mode'], message: 'global is always enforced (it is what a shadow scope is compared against); try a new global policy with POST /policies/replay' });
  }
  // An entry both added and removed by one document is a contradiction, not a preference.
  if (keys && shape.success && removeValid && doc.remove && typeof doc.remove === 'object') {
    const remove = doc.remove as Record<string, Record<string, string[] | undefined> | undefined>;
    for (const section of Object.keys(POLICY_LISTS) as ListSection[]) {
      const own = doc[section];
      if (!own || typeof own !== 'object') continue;
      for (const list of POLICY_LISTS[section]) {
        const added = new Set(((own as Record<string, unknown>)[list] as string[] | undefined)?.map(keys[section]) ?? []);
        (remove[section]?.[list] ?? []).forEach((entry, i) => {
          if (added.has(keys[section](entry))) issues.push({ path: ['remove', section, list, i], message: `is also added by ${section}.${list} in this document` });
        });
      }
    }
  }
  // One entry per field: a value that breaks two checks (`''`: empty, and no letters) reads as one problem.
  const byPath = new Map<string, DocumentIssue>();
  for (const issue of issues) {
    const key = JSON.stringify(issue.path);
    const seen = byPath.get(key);
    if (!seen) byPath.set(key, { ...issue });
    else if (!seen.message.includes(issue.message)) seen.message = `${seen.message}; ${issue.message}`;
  }
  // At most MAX_DOCUMENT_ISSUES problems, and a word for what was left out (a list's own note first).
  const all = [...byPath.values()];
  const notes = all.filter((issue) => issue.message.startsWith(MORE_ENTRIES));
  const problems = all.filter((issue) => !issue.message.startsWith(MORE_ENTRIES));
  if (problems.length <= MAX_DOCUMENT_ISSUES) return [...problems, ...notes];
  return [...problems.slice(0, MAX_DOCUMENT_ISSUES), ...notes, { path: [], message: `and ${problems.length - MAX_DOCUMENT_ISSUES} more problems (the first ${MAX_DOCUMENT_ISSUES} are listed)` }];
}

/** A JSON Schema rendering of a section, or `false` (for the OpenAPI document). */
const switchableJsonSchema = (section: PolicySection) => ({
  anyOf: [z.toJSONSchema(SECTION_SCHEMAS[section], { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }), { const: false, description: 'Switches the rule off at this scope.' }],
});

/**
 * The stored document as one zod schema, for the OpenAPI document (component `PolicyDocument`).
 * Validation goes through {@link scopedDocumentIssues}, which knows the scope kind and names
 * every field. Built on first use and kept: only GET /openapi.json (and `npm run generate:api`)
 * asks for it, so a cold start never pays for it, and a bundle that does not use it (the
 * worker's) leaves it, and zod's JSON Schema code, out.
 */
let scopedJsonSchema: Record<string, unknown> | undefined;
export function scopedPolicyDocumentJsonSchema(): Record<string, unknown> {
  if (scopedJsonSchema) return scopedJsonSchema;
  const { $schema: _dialect, ...schema } = z.toJSONSchema(DocumentShapeSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  for (const section of POLICY_SECTIONS) schema.properties[section] = switchableJsonSchema(section);
  for (const section of COMMUNITY_SECTIONS) {
    const { $schema: _sectionDialect, ...rendered } = z.toJSONSchema(COMMUNITY_SCHEMAS[section], { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    schema.properties[section] = rendered;
  }
  const { $schema: _classifiersDialect, ...classifiers } = z.toJSONSchema(ClassifiersSectionSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  schema.properties.classifiers = classifiers;
  // `remove` is validated on its own (scopedDocumentIssues); the document shows its schema.
  const { $schema: _removeDialect, ...remove } = z.toJSONSchema(RemoveSectionSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  schema.properties.remove = remove;
  scopedJsonSchema = {
    ...schema,
    description:
      'A policy document as stored for one scope: the POLICY_FILE schema, plus `mode` (enforce | shadow), a section may be `false` (rule off here), and `remove` (inherited list entries that do not apply here). The community sections (rules, reports, notices, appeals, strikes, escalation, approvals, cannedReasons) hold durations as `90s`, `15m`, `24h` or `7d`.',
  };
  return scopedJsonSchema;
}
