/**
 * What the console says about a classifier's record (`policy.classifiers[]`, see
 * src/classifiers/record.ts): the outcome in words, and each label's score as a bar with the
 * thresholds on the same 0..1 scale. Pure, so the words and numbers are unit-tested; the
 * component (components/ClassifierVerdicts.tsx) only lays them out.
 *
 * Every bar carries a value text that says everything the drawing shows (score, thresholds,
 * which one it reached), so neither a screen reader nor a colour-blind moderator depends on the
 * drawing.
 */

/** The record's shape as the API serves it (structurally the generated ClassifierRecord). */
export interface ClassifierRecordView {
  name: string;
  ruleId: string;
  provider: 'comprehend-toxicity' | 'bedrock-guardrail' | 'http';
  model?: string;
  /** NOT_SCORED: replay only (no recorded scores to recompute from, and no call made). */
  outcome: 'DECIDED' | 'SHADOW' | 'UNAVAILABLE' | 'REFUSED' | 'SKIPPED' | 'NOT_SCORED';
  /** Replay only: recomputed from the recorded scores, from a new (capped) call, or neither. */
  source?: 'recorded' | 'called' | 'none';
  action: 'ALLOW' | 'REVIEW' | 'DENY';
  shadow?: boolean;
  scores?: Record<string, number>;
  levels?: Record<string, string>;
  intervened?: boolean;
  thresholds?: { review: Record<string, number>; deny: Record<string, number> };
  fired?: Array<{ label: string; score: number; threshold: number; action: 'REVIEW' | 'DENY'; level?: string }>;
  latencyMs?: number;
  attempts: number;
  units?: number;
  contextMessages?: number;
  contextUnavailable?: string;
  path?: 'REVIEW' | 'ALLOW' | 'RULES_ONLY';
  reason?: string;
  detail?: string;
}

export const PROVIDER_NAMES: Readonly<Record<ClassifierRecordView['provider'], string>> = {
  'comprehend-toxicity': 'Amazon Comprehend toxicity',
  'bedrock-guardrail': 'Amazon Bedrock Guardrails',
  http: 'HTTP classifier',
};

/** Guardrails' confidence levels, in order; the API records them as scores 0, 1/3, 2/3, 1. */
export const LEVELS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type Level = (typeof LEVELS)[number];

const levelOfScore = (score: number): Level => LEVELS[Math.max(0, Math.min(3, Math.round(score * 3)))]!;

export const formatScore = (score: number): string => score.toFixed(2);

const ACTION_DONE: Record<ClassifierRecordView['action'], string> = { ALLOW: 'allowed', REVIEW: 'held for review', DENY: 'denied' };
const WOULD: Record<ClassifierRecordView['action'], string> = { ALLOW: 'would have allowed it', REVIEW: 'would have held it for review', DENY: 'would have denied it' };

const PATH_WORDS: Record<NonNullable<ClassifierRecordView['path']>, string> = {
  REVIEW: 'took the REVIEW path (held for a moderator)',
  ALLOW: 'took the ALLOW path',
  RULES_ONLY: 'took the RULES_ONLY path (the rules alone decided)',
};

const UNAVAILABLE_REASONS: Record<string, string> = {
  THROTTLED: 'throttled',
  FAULT: 'the service failed',
  TIMEOUT: 'no answer in time',
  CIRCUIT_OPEN: 'circuit open after repeated failures',
  BUDGET: 'over the request budget',
};

const SKIP_REASONS: Record<string, string> = {
  RULES_DENY: 'the rules already deny it',
  NOT_JUDGED: 'the rules’ verdict is not one this classifier judges',
  SENDER_SKIPPED: 'the sender is on its skip list',
  EMPTY: 'no text to judge',
  SHORT: 'too short',
  LANGUAGE: 'another script or language than it serves',
};

const firedLabels = (r: ClassifierRecordView, action?: 'REVIEW' | 'DENY'): string =>
  (r.fired ?? [])
    .filter((f) => action === undefined || f.action === action)
    .map((f) => (f.label === 'INTERVENED' ? 'the guardrail intervened' : `${f.label} ${f.level ?? formatScore(f.score)}`))
    .join(', ');

/** The outcome in one line: "Held for review by toxicity (INSULT 0.95)", "Shadow: would have denied it", "Unavailable (throttled): took the REVIEW path…". */
export function outcomeText(r: ClassifierRecordView): string {
  const path = r.path ? PATH_WORDS[r.path] : undefined;
  const shadowNote = r.shadow && r.outcome !== 'SHADOW' ? ' (a shadow classifier: nothing applied)' : '';
  switch (r.outcome) {
    case 'DECIDED': {
      if (r.action === 'ALLOW') return `Allowed by ${r.name}: no threshold reached${shadowNote}`;
      const why = firedLabels(r, r.action) || firedLabels(r);
      return `${ACTION_DONE[r.action].replace(/^./, (c) => c.toUpperCase())} by ${r.name}${why ? ` (${why})` : ''}${shadowNote}`;
    }
    case 'SHADOW': {
      const why = r.action === 'ALLOW' ? '' : firedLabels(r, r.action) || firedLabels(r);
      return `Shadow: ${WOULD[r.action]}${why ? ` (${why})` : ''}; nothing applied`;
    }
    case 'UNAVAILABLE': {
      const reason = r.reason ? (UNAVAILABLE_REASONS[r.reason] ?? r.reason) : undefined;
      return `Unavailable${reason ? ` (${reason})` : ''}: ${path ?? `the message was ${ACTION_DONE[r.action]}`}${shadowNote}`;
    }
    case 'REFUSED':
      return `Refused by the provider${r.reason ? ` (${r.reason})` : ''}: ${path ?? `the message was ${ACTION_DONE[r.action]}`}${shadowNote}`;
    case 'SKIPPED': {
      const reason = r.reason ? (SKIP_REASONS[r.reason] ?? r.reason) : 'not sent';
      return `Skipped: ${reason}${path ? `; ${path}` : ''}${shadowNote}`;
    }
    case 'NOT_SCORED':
      return 'Not scored: no recorded scores to recompute from, and no call made (it adds nothing to the verdict)';
  }
}

/** Which way the outcome leans, for emphasis (the words above say the same). */
export function outcomeTone(r: ClassifierRecordView): 'deny' | 'review' | 'shadow' | 'unavailable' | 'quiet' {
  if (r.outcome === 'SHADOW') return 'shadow';
  if (r.outcome === 'UNAVAILABLE' || r.outcome === 'REFUSED') return 'unavailable';
  if (r.outcome === 'DECIDED' && !r.shadow) return r.action === 'DENY' ? 'deny' : r.action === 'REVIEW' ? 'review' : 'quiet';
  return 'quiet';
}

/** The facts line under the outcome: model, latency, units, attempts, context. */
export function factsText(r: ClassifierRecordView): string[] {
  const facts: string[] = [];
  if (r.source === 'recorded') facts.push('recomputed from the recorded scores, no call made');
  if (r.source === 'called') facts.push('called the provider now');
  if (r.intervened !== undefined) facts.push(r.intervened ? 'the guardrail intervened' : 'the guardrail did not intervene');
  if (r.latencyMs !== undefined) facts.push(`${Math.round(r.latencyMs)} ms`);
  if (r.units !== undefined) facts.push(`${r.units} ${r.units === 1 ? 'unit' : 'units'}`);
  if (r.attempts > 1 && r.source === undefined) facts.push(`${r.attempts} calls (retried)`);
  if (r.contextMessages !== undefined) facts.push(`${r.contextMessages} previous ${r.contextMessages === 1 ? 'message' : 'messages'} as context`);
  if (r.contextUnavailable) facts.push(`judged without context: ${r.contextUnavailable}`);
  return facts;
}

export interface ScoreBar {
  label: string;
  score: number;
  /** 0..100, for the drawing. */
  percent: number;
  review?: number;
  deny?: number;
  /** The strongest threshold the score reached. */
  fired?: 'REVIEW' | 'DENY';
  valueText: string;
}

export interface LevelBar {
  label: string;
  level: Level;
  /** 0 (NONE) .. 3 (HIGH). */
  step: number;
  review?: Level;
  deny?: Level;
  fired?: 'REVIEW' | 'DENY';
  valueText: string;
}

function firedFor(r: ClassifierRecordView, label: string): 'REVIEW' | 'DENY' | undefined {
  const fired = (r.fired ?? []).filter((f) => f.label === label);
  if (fired.some((f) => f.action === 'DENY')) return 'DENY';
  return fired.length > 0 ? 'REVIEW' : undefined;
}

const reachedText = (fired: 'REVIEW' | 'DENY' | undefined) => (fired === 'DENY' ? ', reached deny' : fired === 'REVIEW' ? ', reached review' : '');

/**
 * One bar per scored label (not for Guardrails, see levelBars): the overall `Toxicity` first,
 * then the labels with a threshold or that fired, then the rest, each group by score descending.
 */
export function scoreBars(r: ClassifierRecordView): ScoreBar[] {
  if (r.provider === 'bedrock-guardrail' || !r.scores) return [];
  const review = r.thresholds?.review ?? {};
  const deny = r.thresholds?.deny ?? {};
  const rank = (label: string) => (label === 'Toxicity' ? 0 : firedFor(r, label) || label in review || label in deny ? 1 : 2);
  return Object.entries(r.scores)
    .sort(([a, sa], [b, sb]) => rank(a) - rank(b) || sb - sa || a.localeCompare(b))
    .map(([label, score]) => {
      const fired = firedFor(r, label);
      const bar: ScoreBar = { label, score, percent: Math.round(Math.max(0, Math.min(1, score)) * 1000) / 10, valueText: '' };
      if (review[label] !== undefined) bar.review = review[label];
      if (deny[label] !== undefined) bar.deny = deny[label];
      if (fired) bar.fired = fired;
      bar.valueText = `${label} ${formatScore(score)}${bar.review !== undefined ? `, review at ${formatScore(bar.review)}` : ''}${bar.deny !== undefined ? `, deny at ${formatScore(bar.deny)}` : ''}${reachedText(fired)}`;
      return bar;
    });
}

/** Guardrails: one four-step bar per content filter (NONE/LOW/MEDIUM/HIGH), thresholds as levels. */
export function levelBars(r: ClassifierRecordView): LevelBar[] {
  if (r.provider !== 'bedrock-guardrail') return [];
  const review = r.thresholds?.review ?? {};
  const deny = r.thresholds?.deny ?? {};
  const levels: Record<string, Level> = {};
  for (const [label, score] of Object.entries(r.scores ?? {})) levels[label] = levelOfScore(score);
  for (const [label, level] of Object.entries(r.levels ?? {})) if ((LEVELS as readonly string[]).includes(level)) levels[label] = level as Level;
  return Object.entries(levels)
    .sort(([a, la], [b, lb]) => LEVELS.indexOf(lb) - LEVELS.indexOf(la) || a.localeCompare(b))
    .map(([label, level]) => {
      const fired = firedFor(r, label);
      const bar: LevelBar = { label, level, step: LEVELS.indexOf(level), valueText: '' };
      if (review[label] !== undefined) bar.review = levelOfScore(review[label]);
      if (deny[label] !== undefined) bar.deny = levelOfScore(deny[label]);
      if (fired) bar.fired = fired;
      bar.valueText = `${label} ${level}${bar.review ? `, review at ${bar.review}` : ''}${bar.deny ? `, deny at ${bar.deny}` : ''}${reachedText(fired)}`;
      return bar;
    });
}

/** The title line: "toxicity · Amazon Comprehend toxicity · comprehend:DetectToxicContent". */
export function titleParts(r: ClassifierRecordView): { name: string; provider: string; model?: string } {
  return { name: r.name, provider: PROVIDER_NAMES[r.provider] ?? r.provider, ...(r.model ? { model: r.model } : {}) };
}

/** What calling the providers would take (POST /policies/replay's `classifiers.estimate`). */
export interface CallsEstimateView {
  calls: number;
  textUnits: number;
  costUsd: number | null;
  byClassifier: Array<{ name: string; provider: ClassifierRecordView['provider']; calls: number; textUnits: number; costUsd: number | null }>;
}

/** "$0.0042", "$1.25", "under $0.0001", "no published price": small sums stay visible. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return 'no published price';
  if (usd === 0) return '$0';
  if (usd < 0.0001) return 'under $0.0001';
  if (usd < 0.01) return `$${Number(usd.toPrecision(2))}`;
  return `$${usd.toFixed(2)}`;
}

/** "12 calls · 36 text units · about $0.0043" (the units are each provider's billing units). */
export function estimateText(e: Pick<CallsEstimateView, 'calls' | 'textUnits' | 'costUsd'>): string {
  if (e.calls === 0) return 'no calls';
  return `${e.calls} ${e.calls === 1 ? 'call' : 'calls'} · ${e.textUnits} text ${e.textUnits === 1 ? 'unit' : 'units'} · ${e.costUsd === null ? 'no published price for some' : `about ${formatUsd(e.costUsd)}`}`;
}
