/**
 * The emulated guardrails: their configuration, and how one ApplyGuardrail request is assessed.
 *
 * Which blocks are judged: when any text block carries the `guard_content` qualifier only those
 * blocks are assessed and the others are read as context (the rule Converse applies to
 * guardContent); otherwise every text block is assessed. The classifier adapter relies on it:
 * it sends the previous messages as plain blocks and the message itself as `guard_content`.
 *
 * Content filters: a block's confidence per filter comes from a fixture whose `text` equals the
 * block, else from the development lexicon (src/local/classifier-lexicon.ts). A filter of
 * strength S blocks confidences at or above the level S lets through last: HIGH blocks LOW and
 * up, MEDIUM blocks MEDIUM and up, LOW blocks HIGH only, NONE blocks nothing (AWS's documented
 * filter strengths). PROMPT_ATTACK applies to INPUT only.
 * Denied topics are matched by their keywords (the emulator cannot read meaning), words and the
 * managed PROFANITY list whole-word and case-insensitively, PII (EMAIL, PHONE,
 * US_SOCIAL_SECURITY_NUMBER, IP_ADDRESS) by regular expressions.
 * Text units: each assessed block costs ceil(characters / 1,000), at least 1; each configured
 * policy reports them in `usage`.
 */
import { CONFIDENCES, CONTENT_FILTER_TYPES, containsWord, guardrailConfidences, profanityMatches, type Confidence, type ContentFilterType } from '../classifier-lexicon.js';
import { ControlError, isObject } from '../emulator-controls.js';
import { GUARDRAIL_ID, GUARDRAIL_VERSION, type ApplyGuardrailRequest } from './wire.js';

export type Strength = Confidence;
export type PiiType = 'EMAIL' | 'PHONE' | 'US_SOCIAL_SECURITY_NUMBER' | 'IP_ADDRESS';
const PII_PATTERNS: Record<PiiType, RegExp> = {
  EMAIL: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  PHONE: /\+?\d[\d\s().-]{7,}\d/g,
  US_SOCIAL_SECURITY_NUMBER: /\b\d{3}-\d{2}-\d{4}\b/g,
  IP_ADDRESS: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
};

export interface GuardrailConfig {
  /** The guardrail id (`[a-z0-9]+`); an ARN ending in it names it too. */
  id: string;
  /** Versions that exist. Default ['DRAFT']. */
  versions?: string[];
  /** Filter strengths. Default: every filter MEDIUM. A filter left out is not configured. */
  filters?: Partial<Record<ContentFilterType, Strength>>;
  deniedTopics?: Array<{ name: string; keywords: string[] }>;
  words?: string[];
  managedWordLists?: Array<'PROFANITY'>;
  pii?: Array<{ type: PiiType; action: 'BLOCKED' | 'ANONYMIZED' }>;
  /** What `outputs` says when the guardrail blocks. */
  blockedMessage?: string;
}

export interface GuardrailFixture {
  text: string;
  filters: Partial<Record<ContentFilterType, Confidence>>;
  /** Force the action (true: GUARDRAIL_INTERVENED, false: NONE) whatever the strengths say. */
  intervene?: boolean;
}

const DEFAULT_BLOCKED_MESSAGE = 'Sorry, the model cannot answer this question.';
const LEVEL = (c: Confidence) => CONFIDENCES.indexOf(c);

function isConfidence(v: unknown): v is Confidence {
  return typeof v === 'string' && (CONFIDENCES as readonly string[]).includes(v);
}

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) throw new ControlError(`${field} must be a list of non-empty strings`);
  return v as string[];
}

export function parseGuardrailConfig(body: unknown): Required<GuardrailConfig> {
  if (!isObject(body)) throw new ControlError('A guardrail is a JSON object {id, versions, filters, deniedTopics, words, managedWordLists, pii}');
  if (typeof body.id !== 'string' || !GUARDRAIL_ID.test(body.id)) throw new ControlError('guardrail id must match [a-z0-9]+');
  const versions = body.versions === undefined ? ['DRAFT'] : stringList(body.versions, 'versions');
  for (const v of versions) if (!GUARDRAIL_VERSION.test(v)) throw new ControlError(`version ${v} must be DRAFT or 1..99999999`);
  const filters: Partial<Record<ContentFilterType, Strength>> = {};
  if (body.filters === undefined) for (const t of CONTENT_FILTER_TYPES) filters[t] = 'MEDIUM';
  else {
    if (!isObject(body.filters)) throw new ControlError('filters must be an object of filter type → strength');
    for (const [type, strength] of Object.entries(body.filters)) {
      if (!(CONTENT_FILTER_TYPES as readonly string[]).includes(type)) throw new ControlError(`Unknown filter ${type} (known: ${CONTENT_FILTER_TYPES.join(', ')})`);
      if (!isConfidence(strength)) throw new ControlError(`filter ${type} strength must be NONE, LOW, MEDIUM or HIGH`);
      filters[type as ContentFilterType] = strength;
    }
  }
  const deniedTopics = body.deniedTopics === undefined ? [] : body.deniedTopics;
  if (!Array.isArray(deniedTopics)) throw new ControlError('deniedTopics must be a list of {name, keywords}');
  const topics = deniedTopics.map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || t.name === '') throw new ControlError(`deniedTopics[${i}] needs a name`);
    return { name: t.name, keywords: stringList(t.keywords, `deniedTopics[${i}].keywords`) };
  });
  const words = body.words === undefined ? [] : stringList(body.words, 'words');
  const managed = body.managedWordLists === undefined ? [] : stringList(body.managedWordLists, 'managedWordLists');
  if (managed.some((m) => m !== 'PROFANITY')) throw new ControlError('managedWordLists may only hold PROFANITY');
  const piiList = body.pii === undefined ? [] : body.pii;
  if (!Array.isArray(piiList)) throw new ControlError('pii must be a list of {type, action}');
  const pii = piiList.map((p, i) => {
    if (!isObject(p) || typeof p.type !== 'string' || !(p.type in PII_PATTERNS)) throw new ControlError(`pii[${i}].type must be one of ${Object.keys(PII_PATTERNS).join(', ')}`);
    if (p.action !== 'BLOCKED' && p.action !== 'ANONYMIZED') throw new ControlError(`pii[${i}].action must be BLOCKED or ANONYMIZED`);
    return { type: p.type as PiiType, action: p.action as 'BLOCKED' | 'ANONYMIZED' };
  });
  if (body.blockedMessage !== undefined && typeof body.blockedMessage !== 'string') throw new ControlError('blockedMessage must be a string');
  return {
    id: body.id,
    versions,
    filters,
    deniedTopics: topics,
    words,
    managedWordLists: managed as Array<'PROFANITY'>,
    pii,
    blockedMessage: (body.blockedMessage as string | undefined) ?? DEFAULT_BLOCKED_MESSAGE,
  };
}

export function parseGuardrailFixture(body: unknown): GuardrailFixture {
  if (!isObject(body)) throw new ControlError('A fixture is a JSON object {text, filters, intervene?}');
  if (typeof body.text !== 'string' || body.text === '') throw new ControlError('fixture text must be a non-empty string');
  const filters: Partial<Record<ContentFilterType, Confidence>> = {};
  if (body.filters !== undefined) {
    if (!isObject(body.filters)) throw new ControlError('fixture filters must be an object of filter type → confidence');
    for (const [type, c] of Object.entries(body.filters)) {
      if (!(CONTENT_FILTER_TYPES as readonly string[]).includes(type)) throw new ControlError(`Unknown filter ${type} (known: ${CONTENT_FILTER_TYPES.join(', ')})`);
      if (!isConfidence(c)) throw new ControlError(`fixture filter ${type} must be NONE, LOW, MEDIUM or HIGH`);
      filters[type as ContentFilterType] = c;
    }
  }
  if (body.intervene !== undefined && typeof body.intervene !== 'boolean') throw new ControlError('fixture intervene must be a boolean');
  return { text: body.text, filters, ...(body.intervene !== undefined ? { intervene: body.intervene } : {}) };
}

/** Does a filter of this strength block this confidence? */
export function blocks(strength: Strength, confidence: Confidence): boolean {
  if (strength === 'NONE' || confidence === 'NONE') return false;
  return LEVEL(confidence) >= LEVEL('HIGH') - (LEVEL(strength) - LEVEL('LOW'));
}

const textUnits = (text: string) => Math.max(1, Math.ceil([...text].length / 1000));

export function assess(guardrail: Required<GuardrailConfig>, request: ApplyGuardrailRequest, fixtures: ReadonlyMap<string, GuardrailFixture>, latencyMs: number) {
  const guarded = request.content.some((b) => b.qualifiers.includes('guard_content'));
  const assessed = request.content.filter((b) => !guarded || b.qualifiers.includes('guard_content'));
  const full = request.outputScope === 'FULL';
  const confidence = Object.fromEntries(CONTENT_FILTER_TYPES.map((t) => [t, 'NONE'])) as Record<ContentFilterType, Confidence>;
  let forced: boolean | undefined;
  const topicHits = new Set<string>();
  const wordHits = new Set<string>();
  const profanityHits = new Set<string>();
  const piiHits: Array<{ match: string; type: PiiType; action: 'BLOCKED' | 'ANONYMIZED' }> = [];

  for (const block of assessed) {
    const fixture = fixtures.get(block.text);
    const levels = fixture ? { ...Object.fromEntries(CONTENT_FILTER_TYPES.map((t) => [t, 'NONE'])), ...fixture.filters } : guardrailConfidences(block.text);
    if (fixture?.intervene !== undefined) forced = forced === true ? true : fixture.intervene;
    for (const t of CONTENT_FILTER_TYPES) {
      const c = levels[t] as Confidence;
      if (LEVEL(c) > LEVEL(confidence[t])) confidence[t] = c;
    }
    for (const topic of guardrail.deniedTopics) if (topic.keywords.some((k) => containsWord(block.text, k))) topicHits.add(topic.name);
    for (const w of guardrail.words) if (containsWord(block.text, w)) wordHits.add(w);
    if (guardrail.managedWordLists.includes('PROFANITY')) for (const w of profanityMatches(block.text)) profanityHits.add(w);
    for (const p of guardrail.pii) for (const m of block.text.match(PII_PATTERNS[p.type]) ?? []) piiHits.push({ match: m, type: p.type, action: p.action });
  }

  const filters = (Object.entries(guardrail.filters) as Array<[ContentFilterType, Strength]>)
    .filter(([type]) => type !== 'PROMPT_ATTACK' || request.source === 'INPUT')
    .map(([type, strength]) => {
      const blocked = blocks(strength, confidence[type]);
      return { type, confidence: confidence[type], filterStrength: strength, action: blocked ? 'BLOCKED' : 'NONE', detected: blocked };
    })
    .filter((f) => full || f.confidence !== 'NONE');
  const topics = guardrail.deniedTopics
    .filter((t) => full || topicHits.has(t.name))
    .map((t) => ({ name: t.name, type: 'DENY', action: topicHits.has(t.name) ? 'BLOCKED' : 'NONE', detected: topicHits.has(t.name) }));
  const customWords = [...wordHits].map((match) => ({ match, action: 'BLOCKED', detected: true }));
  const managedWordLists = [...profanityHits].map((match) => ({ match, type: 'PROFANITY', action: 'BLOCKED', detected: true }));
  const piiEntities = piiHits.map((p) => ({ match: p.match, type: p.type, action: p.action, detected: true }));

  const blockedByPolicy =
    filters.some((f) => f.action === 'BLOCKED') || topics.some((t) => t.action === 'BLOCKED') || customWords.length > 0 || managedWordLists.length > 0 || piiHits.some((p) => p.action === 'BLOCKED');
  const anonymized = piiHits.some((p) => p.action === 'ANONYMIZED');
  const intervened = forced ?? (blockedByPolicy || anonymized);

  const units = assessed.reduce((n, b) => n + textUnits(b.text), 0);
  const usage = {
    topicPolicyUnits: guardrail.deniedTopics.length > 0 ? units : 0,
    contentPolicyUnits: Object.keys(guardrail.filters).length > 0 ? units : 0,
    wordPolicyUnits: guardrail.words.length > 0 || guardrail.managedWordLists.length > 0 ? units : 0,
    sensitiveInformationPolicyUnits: guardrail.pii.length > 0 ? units : 0,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
  };
  const characters = (blocks: typeof request.content) => blocks.reduce((n, b) => n + [...b.text].length, 0);
  const guardrailCoverage = { textCharacters: { guarded: characters(assessed), total: characters(request.content) } };

  let outputs: Array<{ text: string }> = [];
  if (intervened) {
    outputs =
      blockedByPolicy || forced === true
        ? [{ text: guardrail.blockedMessage }]
        : assessed.map((b) => ({ text: piiHits.reduce((t, p) => t.split(p.match).join(`{${p.type}}`), b.text) }));
  }
  const assessment: Record<string, unknown> = {};
  if (filters.length > 0) assessment.contentPolicy = { filters };
  if (topics.length > 0) assessment.topicPolicy = { topics };
  if (customWords.length > 0 || managedWordLists.length > 0) assessment.wordPolicy = { customWords, managedWordLists };
  if (piiEntities.length > 0) assessment.sensitiveInformationPolicy = { piiEntities, regexes: [] };
  assessment.invocationMetrics = { guardrailProcessingLatency: latencyMs, usage, guardrailCoverage };

  return {
    usage,
    action: intervened ? 'GUARDRAIL_INTERVENED' : 'NONE',
    ...(intervened ? { actionReason: 'Guardrail blocked.' } : {}),
    outputs,
    assessments: [assessment],
    guardrailCoverage,
  };
}
