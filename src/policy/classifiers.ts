/**
 * The `classifiers:` section of a policy document (issue 16, machine judgement): which
 * classifiers judge a scope's messages, with what thresholds, and what happens when they cannot.
 *
 *   classifiers:
 *     toxicity:                                   # the name; its rule id is `classifier:toxicity`
 *       provider: comprehend-toxicity             # | bedrock-guardrail (guardrailId, guardrailVersion) | http (url, secret)
 *       review: { Toxicity: 0.6 }                 # label → score in 0..1 (Guardrails: filter → LOW | MEDIUM | HIGH)
 *       deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 }
 *       onUnavailable: REVIEW                     # throttled, 5xx, timeout, open circuit, no budget: REVIEW | ALLOW | RULES_ONLY
 *       context: 5                                # the previous messages of the channel (contextOf: sender: of the sender in it)
 *
 * Which messages go (the pre-screen, src/classifiers/prescreen.ts): never what the rules DENY;
 * `judge` (default ALLOW, UPDATE and REVIEW) narrows it to the rules' verdicts listed; `minLength`;
 * `languages` (a cheap script check of the message against the languages' scripts; default the
 * provider's own languages), a message in another script takes `onUnsupportedLanguage`;
 * `skipSenders` (ARNs, a trailing `*` a prefix, as in `senders:`); `enabled: false` switches the
 * classifier off at this scope. `shadow: true` records what it would have done and applies nothing.
 *
 * Merge (src/policy/merge.ts calls {@link mergeClassifiers}; the same rule as the other
 * sections): `classifiers: false` switches every inherited classifier off at this scope; an entry
 * that names a `provider` defines the classifier afresh (nothing of an inherited one with that
 * name is kept: another provider reads other labels); an entry without one overrides the settings
 * it writes of the inherited classifier, threshold maps (`review`, `deny`) replaced whole, and
 * `skipSenders` a union. An override with nothing to override is kept aside and reported as
 * incomplete; it judges nothing.
 *
 * zod/mini, like src/policy/schema.ts (which takes the section into the document's schemas).
 */
import * as z from 'zod/mini';
import '../zod-messages.js';

export const CLASSIFIER_PROVIDERS = ['comprehend-toxicity', 'bedrock-guardrail', 'http'] as const;
export type ClassifierProviderName = (typeof CLASSIFIER_PROVIDERS)[number];

/** What a scope does with a message when a classifier cannot judge it (or it is not in a served language). */
export const UNAVAILABLE_PATHS = ['REVIEW', 'ALLOW', 'RULES_ONLY'] as const;
export type UnavailablePath = (typeof UNAVAILABLE_PATHS)[number];

/** The rules' verdicts that may be sent to a classifier (never DENY: a denied message needs no second opinion). */
export const JUDGED_ACTIONS = ['ALLOW', 'UPDATE', 'REVIEW'] as const;
export type JudgedAction = (typeof JUDGED_ACTIONS)[number];

/** Guardrails' confidence levels, and the scores they stand for (src/classifiers/ports.ts). */
export const CONFIDENCE_LEVELS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
export const LEVEL_SCORES: Readonly<Record<ConfidenceLevel, number>> = { NONE: 0, LOW: 1 / 3, MEDIUM: 2 / 3, HIGH: 1 };
const THRESHOLD_LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;

/** Comprehend DetectToxicContent: the overall score, and its labels. */
export const COMPREHEND_LABELS = ['Toxicity', 'PROFANITY', 'HATE_SPEECH', 'INSULT', 'GRAPHIC', 'HARASSMENT_OR_ABUSE', 'SEXUAL', 'VIOLENCE_OR_THREAT'] as const;
/** Bedrock Guardrails' content filters (ApplyGuardrail's contentPolicy.filters[].type). */
export const GUARDRAIL_FILTERS = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT', 'PROMPT_ATTACK'] as const;

/**
 * Languages (ISO 639-1) and the script a message in each is written in: what the pre-screen's
 * cheap check looks at. A script is not a language (French is written in the Latin script too),
 * so a provider may still refuse a message the check let through: that answer (REFUSED,
 * UnsupportedLanguageException) takes the same `onUnsupportedLanguage` path.
 */
export const LANGUAGE_SCRIPTS: Readonly<Record<string, Script>> = {
  en: 'latin', fr: 'latin', de: 'latin', es: 'latin', it: 'latin', pt: 'latin', nl: 'latin', sv: 'latin', da: 'latin', no: 'latin', fi: 'latin',
  pl: 'latin', cs: 'latin', sk: 'latin', hu: 'latin', ro: 'latin', hr: 'latin', sl: 'latin', et: 'latin', lv: 'latin', lt: 'latin', tr: 'latin',
  vi: 'latin', id: 'latin', ms: 'latin', tl: 'latin', sw: 'latin', ca: 'latin', is: 'latin', ga: 'latin', sq: 'latin', af: 'latin',
  ru: 'cyrillic', uk: 'cyrillic', bg: 'cyrillic', sr: 'cyrillic', mk: 'cyrillic', kk: 'cyrillic',
  el: 'greek', ar: 'arabic', fa: 'arabic', ur: 'arabic', he: 'hebrew',
  hi: 'devanagari', mr: 'devanagari', ne: 'devanagari', bn: 'bengali', ta: 'tamil', te: 'telugu', gu: 'gujarati', kn: 'kannada', ml: 'malayalam', pa: 'gurmukhi',
  th: 'thai', zh: 'han', ja: 'japanese', ko: 'hangul', ka: 'georgian', hy: 'armenian',
};
export type Script =
  | 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'devanagari' | 'bengali' | 'tamil' | 'telugu' | 'gujarati' | 'kannada' | 'malayalam' | 'gurmukhi'
  | 'thai' | 'han' | 'japanese' | 'hangul' | 'georgian' | 'armenian';

/**
 * The languages each provider serves. Comprehend's toxicity detection is English only. Guardrails'
 * Standard tier names about 60 languages; these are the ones of our script table (check the
 * current list in the Bedrock user guide before relying on a rare one). `http`: whatever the
 * endpoint says it serves (`languages`), every language of the table by default.
 */
export const PROVIDER_LANGUAGES: Readonly<Record<ClassifierProviderName, readonly string[]>> = {
  'comprehend-toxicity': ['en'],
  'bedrock-guardrail': Object.keys(LANGUAGE_SCRIPTS),
  http: Object.keys(LANGUAGE_SCRIPTS),
};

const MAX_CLASSIFIERS = 5;
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const LABEL_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Guardrail identifiers: an id (10–12 lowercase letters and digits) or its ARN (ApplyGuardrail's guardrailIdentifier pattern). */
const GUARDRAIL_ID_PATTERN = /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
/** A numbered version, or DRAFT (ApplyGuardrail's guardrailVersion pattern). */
const GUARDRAIL_VERSION_PATTERN = /^(([1-9][0-9]{0,7})|(DRAFT))$/;
/** An SSM parameter name (`/a/b`) or a Secrets Manager secret ARN: where `http`'s bearer token is kept, never the token itself. */
const SECRET_PATTERN = /^(\/[A-Za-z0-9_.\-/]{1,1010}|arn:aws(-[^:]+)?:secretsmanager:[a-z0-9-]{1,20}:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512})$/;

const text = (max: number) =>
  z.string().check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value: string) => value.trim().length > 0, 'must not be blank'),
  );
const intBetween = (min: number, max: number) => z.number().check(z.int(), z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`));

const SenderPrefixSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'sender ARN must not be empty'),
    z.refine((s: string) => !s.slice(0, -1).includes('*'), '`*` is only supported at the end (prefix match)'),
  );

/** A threshold: a score in 0..1, or (Guardrails) the lowest confidence level that fires. */
const ThresholdValueSchema = z.union([z.number().check(z.gte(0, 'must be between 0 and 1'), z.lte(1, 'must be between 0 and 1')), z.enum(THRESHOLD_LEVELS)], {
  error: 'must be a score between 0 and 1 (or, for bedrock-guardrail, a confidence level: LOW, MEDIUM or HIGH)',
});
const ThresholdsSchema = z.record(z.string(), ThresholdValueSchema);

const HttpsUrlSchema = z.string().check(
  z.maxLength(2000, 'must be at most 2000 characters'),
  z.refine((value: string) => {
    try {
      const url = new URL(value);
      // Plain http only to this machine (a model beside the worker, the local stack).
      return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https:// URL (http:// only for 127.0.0.1 or localhost)'),
);

const ClassifierFields = {
  provider: z.optional(z.enum(CLASSIFIER_PROVIDERS, { error: `must be one of ${CLASSIFIER_PROVIDERS.join(', ')}` })),
  /** `false` switches the classifier off at this scope (and below, unless a narrower scope writes `true`). */
  enabled: z.optional(z.boolean()),
  guardrailId: z.optional(z.string().check(z.regex(GUARDRAIL_ID_PATTERN, 'must be a guardrail id (lowercase letters and digits) or its ARN'))),
  guardrailVersion: z.optional(z.string().check(z.regex(GUARDRAIL_VERSION_PATTERN, 'must be a version number (1, 2, …) or DRAFT'))),
  url: z.optional(HttpsUrlSchema),
  /** Where the endpoint's bearer token is kept: an SSM parameter name or a Secrets Manager ARN. */
  secret: z.optional(z.string().check(z.regex(SECRET_PATTERN, 'must be an SSM parameter name (/path/name) or a Secrets Manager secret ARN, never the secret itself'))),
  /** `http`: the labels the endpoint answers with; thresholds may name only these when set. */
  labels: z.optional(z.array(z.string().check(z.regex(LABEL_PATTERN, 'must be a label name (letters, digits, _ . -)'))).check(z.maxLength(50, 'must have at most 50 labels'))),
  review: z.optional(ThresholdsSchema),
  deny: z.optional(ThresholdsSchema),
  /** bedrock-guardrail: what a GUARDRAIL_INTERVENED answer does (topics, words, PII, or filters under the thresholds). Default REVIEW. */
  onIntervention: z.optional(z.enum(['REVIEW', 'DENY'])),
  strike: z.optional(z.boolean()),
  publicReason: z.optional(text(200)),
  onUnavailable: z.optional(z.enum(UNAVAILABLE_PATHS)),
  context: z.optional(intBetween(0, 10)),
  contextOf: z.optional(z.enum(['channel', 'sender'])),
  judge: z.optional(
    z.array(z.enum(JUDGED_ACTIONS, { error: 'must be ALLOW, UPDATE or REVIEW (what the rules DENY is never sent to a classifier)' })).check(z.minLength(1, 'must name at least one verdict (or set enabled: false)')),
  ),
  minLength: z.optional(intBetween(0, 4096)),
  languages: z.optional(z.array(z.string()).check(z.minLength(1, 'must name at least one language'))),
  onUnsupportedLanguage: z.optional(z.enum(UNAVAILABLE_PATHS)),
  skipSenders: z.optional(z.array(SenderPrefixSchema).check(z.maxLength(100, 'must have at most 100 entries'))),
  shadow: z.optional(z.boolean()),
  /** How long a message waits for this classifier in all, retries included (ms). */
  timeoutMs: z.optional(intBetween(100, 10_000)),
};

type Issue = { path: Array<string | number>; message: string };

const PROVIDER_ONLY: Readonly<Record<string, ClassifierProviderName>> = {
  guardrailId: 'bedrock-guardrail',
  guardrailVersion: 'bedrock-guardrail',
  onIntervention: 'bedrock-guardrail',
  url: 'http',
  secret: 'http',
  labels: 'http',
};

/** The provider-dependent checks of one entry (the shape itself is the schema's). */
export function classifierEntryIssues(entry: Readonly<Record<string, unknown>>): Issue[] {
  const issues: Issue[] = [];
  const provider = entry.provider as ClassifierProviderName | undefined;
  for (const [field, only] of Object.entries(PROVIDER_ONLY)) {
    if (entry[field] === undefined) continue;
    if (provider === undefined) issues.push({ path: [field], message: `needs provider: an entry without one overrides an inherited classifier's settings, not its provider's` });
    else if (provider !== only) issues.push({ path: [field], message: `applies to provider ${only} only` });
  }
  if (provider === 'bedrock-guardrail') {
    if (entry.guardrailId === undefined) issues.push({ path: ['guardrailId'], message: 'is required for provider bedrock-guardrail' });
    if (entry.guardrailVersion === undefined) issues.push({ path: ['guardrailVersion'], message: 'is required for provider bedrock-guardrail' });
  }
  if (provider === 'http' && entry.url === undefined) issues.push({ path: ['url'], message: 'is required for provider http' });

  const known: readonly string[] | undefined =
    provider === 'comprehend-toxicity' ? COMPREHEND_LABELS : provider === 'bedrock-guardrail' ? GUARDRAIL_FILTERS : provider === 'http' ? (entry.labels as string[] | undefined) : undefined;
  for (const list of ['review', 'deny'] as const) {
    const thresholds = entry[list] as Record<string, unknown> | undefined;
    if (!thresholds) continue;
    for (const [label, value] of Object.entries(thresholds)) {
      const path = [list, label];
      if (!LABEL_PATTERN.test(label)) issues.push({ path, message: 'is not a label name (letters, digits, _ . -)' });
      else if (known && !known.includes(label)) issues.push({ path, message: `is not a label of ${provider} (one of ${known.join(', ')})` });
      if (provider === 'bedrock-guardrail' && typeof value === 'number') issues.push({ path, message: 'must be a confidence level for bedrock-guardrail: LOW, MEDIUM or HIGH' });
      if (provider !== undefined && provider !== 'bedrock-guardrail' && typeof value === 'string') issues.push({ path, message: `must be a score between 0 and 1 for ${provider} (confidence levels are Guardrails')` });
    }
  }
  const languages = entry.languages as string[] | undefined;
  if (languages) {
    const served = provider ? PROVIDER_LANGUAGES[provider] : Object.keys(LANGUAGE_SCRIPTS);
    languages.forEach((language, i) => {
      if (!(language in LANGUAGE_SCRIPTS)) issues.push({ path: ['languages', i], message: `is not a language code we know (ISO 639-1, one of ${Object.keys(LANGUAGE_SCRIPTS).join(', ')})` });
      else if (!served.includes(language)) issues.push({ path: ['languages', i], message: `is not served by ${provider} (it serves ${served.join(', ')})` });
    });
  }
  if (entry.contextOf !== undefined && entry.context === 0) issues.push({ path: ['contextOf'], message: 'has no effect with context: 0' });
  return issues;
}

export const ClassifierEntrySchema = z.strictObject(ClassifierFields).check(
  z.superRefine((entry, ctx) => {
    for (const issue of classifierEntryIssues(entry as Record<string, unknown>)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }),
);

/** The section: classifiers by name, or `false` (every inherited classifier off at this scope). */
export const ClassifiersSectionSchema = z.union(
  [
    z.record(z.string(), ClassifierEntrySchema).check(
      z.superRefine((section, ctx) => {
        const names = Object.keys(section);
        for (const name of names) {
          if (!NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a classifier name: a lowercase letter, then lowercase letters, digits or -, at most 40' });
        }
        if (names.length > MAX_CLASSIFIERS) ctx.addIssue({ code: 'custom', path: [], message: `must have at most ${MAX_CLASSIFIERS} classifiers` });
      }),
    ),
    z.literal(false),
  ],
  { error: 'must be an object of classifiers by name, or false to switch every classifier off here' },
);

export type ClassifierEntryInput = z.input<typeof ClassifierEntrySchema>;
export type ClassifiersSectionInput = z.input<typeof ClassifiersSectionSchema>;
/** The merged section: classifiers by name, as written (no defaults). */
export type MergedClassifiers = Record<string, ClassifierEntryInput>;

// ─── Merge ────────────────────────────────────────────────────────────────────────────────

/** The sections of `documents` (broadest first) merged, as written. */
export function mergeClassifiers(sections: ReadonlyArray<ClassifiersSectionInput | undefined>): MergedClassifiers {
  let merged = new Map<string, ClassifierEntryInput>();
  for (const section of sections) {
    if (section === undefined) continue;
    if (section === false) {
      merged = new Map();
      continue;
    }
    for (const [name, own] of Object.entries(section)) {
      const inherited = merged.get(name);
      if (own.provider !== undefined || inherited === undefined) {
        merged.set(name, { ...own });
        continue;
      }
      const out: Record<string, unknown> = { ...inherited };
      for (const [field, value] of Object.entries(own)) {
        if (value === undefined) continue;
        // Scalars, lists and the threshold maps replace what was inherited; skipSenders is a union.
        out[field] = field === 'skipSenders' ? [...new Set([...((inherited.skipSenders as string[] | undefined) ?? []), ...(value as string[])])] : value;
      }
      merged.set(name, out as ClassifierEntryInput);
    }
  }
  const out: MergedClassifiers = {};
  for (const [name, entry] of merged) Object.defineProperty(out, name, { value: entry, enumerable: true, writable: true, configurable: true });
  return out;
}

// ─── Effective settings (every default applied): what the stage reads ───────────────────────

export type ProviderSettings =
  | { kind: 'comprehend-toxicity' }
  | { kind: 'bedrock-guardrail'; guardrailId: string; guardrailVersion: string }
  | { kind: 'http'; url: string; secret?: string; labels?: string[] };

export interface ClassifierSettings {
  name: string;
  /** `classifier:<name>`: how its findings, notices and strikes name it. */
  ruleId: string;
  provider: ProviderSettings;
  /** label → threshold score (Guardrails' levels as their scores, LEVEL_SCORES). */
  review: Readonly<Record<string, number>>;
  deny: Readonly<Record<string, number>>;
  /** bedrock-guardrail: what an intervention does; undefined for the others. */
  onIntervention?: 'REVIEW' | 'DENY';
  strike: boolean;
  publicReason: string;
  onUnavailable: UnavailablePath;
  context: number;
  contextOf: 'channel' | 'sender';
  judge: readonly JudgedAction[];
  minLength: number;
  /** The scripts of the languages sent (empty: no script check). */
  scripts: readonly Script[];
  languages: readonly string[];
  onUnsupportedLanguage: UnavailablePath;
  skipSenders: readonly string[];
  shadow: boolean;
  timeoutMs: number;
}

export const DEFAULT_CLASSIFIER = {
  publicReason: 'an automatic check found it may break this channel’s rules',
  strike: false,
  onUnavailable: 'RULES_ONLY' as UnavailablePath,
  onUnsupportedLanguage: 'RULES_ONLY' as UnavailablePath,
  onIntervention: 'REVIEW' as const,
  context: 0,
  contextOf: 'channel' as const,
  judge: JUDGED_ACTIONS,
  minLength: 1,
  timeoutMs: 1500,
};

export const classifierRuleId = (name: string): string => `classifier:${name}`;

const levelScore = (value: number | string): number => (typeof value === 'number' ? value : LEVEL_SCORES[value as ConfidenceLevel] ?? 1);
const thresholdsOf = (written: Record<string, number | string> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(written ?? {}).map(([label, value]) => [label, levelScore(value)]));

export interface EffectiveClassifiers {
  /** Enabled, complete classifiers, in the order written. */
  active: ClassifierSettings[];
  /** Off at this scope (`enabled: false`). */
  disabled: string[];
  /** Overrides with no provider anywhere in the chain: they judge nothing. */
  incomplete: string[];
}

/** The merged section with every default applied. */
export function classifierSettingsOf(merged: MergedClassifiers): EffectiveClassifiers {
  const out: EffectiveClassifiers = { active: [], disabled: [], incomplete: [] };
  for (const [name, entry] of Object.entries(merged)) {
    if (entry.enabled === false) {
      out.disabled.push(name);
      continue;
    }
    const provider = providerOf(entry);
    if (!provider) {
      out.incomplete.push(name);
      continue;
    }
    const languages = entry.languages ?? (provider.kind === 'http' ? [] : PROVIDER_LANGUAGES[provider.kind]);
    out.active.push({
      name,
      ruleId: classifierRuleId(name),
      provider,
      review: thresholdsOf(entry.review),
      deny: thresholdsOf(entry.deny),
      ...(provider.kind === 'bedrock-guardrail' ? { onIntervention: entry.onIntervention ?? DEFAULT_CLASSIFIER.onIntervention } : {}),
      strike: entry.strike ?? DEFAULT_CLASSIFIER.strike,
      publicReason: entry.publicReason ?? DEFAULT_CLASSIFIER.publicReason,
      onUnavailable: entry.onUnavailable ?? DEFAULT_CLASSIFIER.onUnavailable,
      context: entry.context ?? DEFAULT_CLASSIFIER.context,
      contextOf: entry.contextOf ?? DEFAULT_CLASSIFIER.contextOf,
      judge: entry.judge ?? DEFAULT_CLASSIFIER.judge,
      minLength: entry.minLength ?? DEFAULT_CLASSIFIER.minLength,
      languages,
      scripts: [...new Set(languages.map((language) => LANGUAGE_SCRIPTS[language]).filter((s): s is Script => s !== undefined))],
      onUnsupportedLanguage: entry.onUnsupportedLanguage ?? DEFAULT_CLASSIFIER.onUnsupportedLanguage,
      skipSenders: entry.skipSenders ?? [],
      shadow: entry.shadow ?? false,
      timeoutMs: entry.timeoutMs ?? DEFAULT_CLASSIFIER.timeoutMs,
    });
  }
  return out;
}

function providerOf(entry: ClassifierEntryInput): ProviderSettings | undefined {
  switch (entry.provider) {
    case 'comprehend-toxicity':
      return { kind: 'comprehend-toxicity' };
    case 'bedrock-guardrail':
      return entry.guardrailId && entry.guardrailVersion ? { kind: 'bedrock-guardrail', guardrailId: entry.guardrailId, guardrailVersion: entry.guardrailVersion } : undefined;
    case 'http':
      return entry.url ? { kind: 'http', url: entry.url, ...(entry.secret ? { secret: entry.secret } : {}), ...(entry.labels ? { labels: entry.labels } : {}) } : undefined;
    default:
      return undefined;
  }
}

/**
 * The rule settings (src/policy/community.ts RuleSettings) of the merged classifiers, by rule id:
 * how a classifier's DENY counts as a strike and what its notice tells the sender, exactly as a
 * rule's `rules:` settings do. Disabled classifiers keep theirs (a decision recorded before a
 * scope switched one off still names it).
 */
export function classifierRuleSettings(merged: MergedClassifiers): Record<string, { publicReason: string; strike: boolean }> {
  const out: Record<string, { publicReason: string; strike: boolean }> = {};
  for (const [name, entry] of Object.entries(merged)) {
    out[classifierRuleId(name)] = { publicReason: entry.publicReason ?? DEFAULT_CLASSIFIER.publicReason, strike: entry.strike ?? DEFAULT_CLASSIFIER.strike };
  }
  return out;
}
