/**
 * Scores and thresholds → what a classifier concludes, and how that joins the rules' verdict.
 * Pure.
 *
 * A label fires DENY when its score reaches the `deny` threshold, else REVIEW when it reaches the
 * `review` one (`≥`: a threshold of 0.6 fires at 0.6). A Guardrails answer of
 * GUARDRAIL_INTERVENED fires `onIntervention` (label INTERVENED), whatever the thresholds say: the
 * guardrail's own topics, words and PII filters have no score. A classifier's conclusion is the
 * strictest of what fired, ALLOW when nothing did.
 *
 * Joined with the rules' verdict, the strictest wins (DENY > REVIEW > UPDATE > ALLOW): a
 * classifier can hold or deny what the rules let through, never soften what they decided. Its
 * findings carry the rule id `classifier:<name>`, so its `publicReason` and `strike` flow into
 * notices and strikes exactly as a rule's do (src/notices/compose.ts reads them by rule id).
 */
import type { Finding, PolicyAction, PolicyVerdict } from '../domain/message.js';
import type { ClassifierSettings, UnavailablePath } from '../policy/classifiers.js';
import { CONFIDENCE_LEVELS, LEVEL_SCORES } from '../policy/classifiers.js';
import type { ClassifyAnswer } from './ports.js';
import type { ClassifierRecord, FiredThreshold } from './record.js';

type Scored = Extract<ClassifyAnswer, { kind: 'SCORED' }>;

const RANK: Readonly<Record<PolicyAction, number>> = { ALLOW: 0, UPDATE: 1, REVIEW: 2, DENY: 3 };
export const strictest = (a: PolicyAction, b: PolicyAction): PolicyAction => (RANK[b] > RANK[a] ? b : a);

/** The rules' reason when nothing fired (src/policy/engine.ts NO_MATCH_REASON): replaced, not joined. */
const NO_MATCH_REASON = 'No policy rule matched';

const round = (score: number): number => Math.round(score * 1000) / 1000;
const levelOf = (score: number): string | undefined => CONFIDENCE_LEVELS.find((level) => Math.abs(LEVEL_SCORES[level] - score) < 1e-9);

/** The thresholds a scored answer reached, DENY before REVIEW, in the order the policy wrote them. */
export function firedThresholds(settings: ClassifierSettings, answer: Pick<Scored, 'scores' | 'levels' | 'intervened'>): FiredThreshold[] {
  const fired: FiredThreshold[] = [];
  const levels = settings.provider.kind === 'bedrock-guardrail';
  const at = (label: string, score: number, threshold: number, action: 'REVIEW' | 'DENY'): FiredThreshold => {
    const level = levels ? (answer.levels?.[label] ?? levelOf(score)) : undefined;
    return { label, score: round(score), threshold: round(threshold), action, ...(level ? { level } : {}) };
  };
  for (const [label, threshold] of Object.entries(settings.deny)) {
    const score = answer.scores[label];
    if (score !== undefined && score >= threshold) fired.push(at(label, score, threshold, 'DENY'));
  }
  for (const [label, threshold] of Object.entries(settings.review)) {
    const score = answer.scores[label];
    if (score !== undefined && score >= threshold && !fired.some((f) => f.label === label)) fired.push(at(label, score, threshold, 'REVIEW'));
  }
  if (answer.intervened && settings.onIntervention) fired.push({ label: 'INTERVENED', score: 1, threshold: 1, action: settings.onIntervention });
  return fired;
}

export const conclusionOf = (fired: readonly FiredThreshold[]): 'ALLOW' | 'REVIEW' | 'DENY' =>
  fired.some((f) => f.action === 'DENY') ? 'DENY' : fired.length > 0 ? 'REVIEW' : 'ALLOW';

function describe(settings: ClassifierSettings, f: FiredThreshold): string {
  if (f.label === 'INTERVENED') return `${settings.name}: the guardrail intervened (onIntervention: ${f.action})`;
  const shown = (score: number, level: string | undefined) => (level ? level : String(score));
  const thresholdLevel = settings.provider.kind === 'bedrock-guardrail' ? levelOf(f.threshold) : undefined;
  return `${settings.name}: ${f.label} ${shown(f.score, f.level)} ≥ ${shown(f.threshold, thresholdLevel)} (${f.action === 'DENY' ? 'deny' : 'review'})`;
}

/** The findings of what fired: one per threshold, each naming the label, the score and the threshold. */
export function scoreFindings(settings: ClassifierSettings, fired: readonly FiredThreshold[]): Finding[] {
  return fired.map((f) => ({ ruleId: settings.ruleId, action: f.action, reason: describe(settings, f) }));
}

/** The action a path applies: REVIEW holds the message; ALLOW and RULES_ONLY leave the rules' verdict as it is. */
export const pathAction = (path: UnavailablePath): 'ALLOW' | 'REVIEW' => (path === 'REVIEW' ? 'REVIEW' : 'ALLOW');

/**
 * The finding of a path taken (UNAVAILABLE, REFUSED, an unsupported language): REVIEW only. ALLOW
 * and RULES_ONLY add none: the message is decided by the rules either way (a classifier never
 * softens, so "allow" cannot mean more than "add nothing"); they differ in what is recorded (the
 * record's `path`), and a RULES_ONLY scope says so in its audit trail.
 */
export function pathFindings(settings: ClassifierSettings, path: UnavailablePath, why: string): Finding[] {
  if (path !== 'REVIEW') return [];
  return [{ ruleId: settings.ruleId, action: 'REVIEW', reason: `${settings.name} could not judge it (${why}): held for review` }];
}

/** One classifier's part in the verdict: what is recorded, and the findings applied (none for a shadow). */
export interface ClassifierResult {
  record: ClassifierRecord;
  findings: Finding[];
}

export type ClassifiedVerdict<V extends PolicyVerdict> = V & { classifiers?: ClassifierRecord[] };

/**
 * The rules' verdict with the classifiers' results joined: the strictest action, the findings and
 * rule ids added (ruleIds only of findings that hold or deny), the reason extended, and every
 * classifier's record kept. An UPDATE's masked content is kept only if UPDATE is still the action.
 */
export function combine<V extends PolicyVerdict>(rules: V, results: readonly ClassifierResult[]): ClassifiedVerdict<V> {
  if (results.length === 0) return rules;
  const findings = results.flatMap((r) => (r.record.shadow ? [] : r.findings));
  let action = rules.action;
  for (const f of findings) action = strictest(action, f.action);
  const ruleIds = [...rules.ruleIds];
  for (const f of findings) if (f.action !== 'ALLOW' && !ruleIds.includes(f.ruleId)) ruleIds.push(f.ruleId);
  const reasons = findings.map((f) => f.reason);
  const reason = reasons.length === 0 ? rules.reason : rules.findings.length === 0 && rules.reason === NO_MATCH_REASON ? reasons.join('; ') : `${rules.reason}; ${reasons.join('; ')}`;
  const { content, ...rest } = rules;
  return {
    ...(rest as V),
    action,
    ruleIds,
    reason,
    findings: [...rules.findings, ...findings],
    ...(action === 'UPDATE' && content !== undefined ? { content } : {}),
    classifiers: results.map((r) => r.record),
  };
}
