/**
 * Replaying classifiers on recorded scores (POST /policies/replay), and what calling them again
 * would cost. Pure: no provider is asked here (src/policy-api/classifiers.ts makes the capped
 * calls through the stage).
 *
 * A classifier of the candidate policy, for one recorded item:
 *   the pre-screen (against the candidate's rules verdict) says no   SKIPPED, as the stage would
 *   the item's record of that classifier has scores, from the same
 *     provider (and, for Guardrails, the same guardrail and version)  recomputed: the recorded
 *                                                                   scores against the candidate's
 *                                                                   thresholds (DECIDED, or SHADOW)
 *   otherwise                                                       NOT_SCORED: nothing to recompute
 *                                                                   from; only a capped replay calls
 * A NOT_SCORED classifier adds nothing to the verdict (the message is judged by the rules and the
 * other classifiers): the answer counts them, so that nobody mistakes "not scored" for "allowed".
 */
import type { ChannelMessage, Finding, PolicyAction, PolicyVerdict } from '../domain/message.js';
import type { ClassifierSettings } from '../policy/classifiers.js';
import { prescreen } from './prescreen.js';
import type { ClassifierRecord } from './record.js';
import { costOf } from './stage.js';
import { roundUsd, unitsCost } from './prices.js';
import { combine, conclusionOf, firedThresholds, pathAction, pathFindings, scoreFindings, type ClassifierResult } from './verdict.js';

/** Where a replayed classifier's conclusion came from. */
export type ReplaySource = 'recorded' | 'called' | 'none';

/** A classifier's record in a replay: the stage's record, or NOT_SCORED, and where it came from. */
export type ReplayClassifierRecord = Omit<ClassifierRecord, 'outcome'> & { outcome: ClassifierRecord['outcome'] | 'NOT_SCORED'; source: ReplaySource };

export interface ReplayClassifierResult {
  record: ReplayClassifierRecord;
  findings: Finding[];
  /** The pre-screen let it through and no usable scores were recorded: a capped replay would call the provider. */
  needsCall: boolean;
  /** The text a call would send (the pre-screen's). */
  text?: string;
}

const baseOf = (settings: ClassifierSettings) => ({
  name: settings.name,
  ruleId: settings.ruleId,
  provider: settings.provider.kind,
  ...(settings.shadow ? { shadow: true as const } : {}),
});

/** Whether a record's scores came from the provider the candidate classifier names (another provider reads other labels). */
export function scoresUsable(settings: ClassifierSettings, recorded: ClassifierRecord | undefined): recorded is ClassifierRecord & { scores: Record<string, number> } {
  if (!recorded?.scores || recorded.provider !== settings.provider.kind) return false;
  if (settings.provider.kind === 'bedrock-guardrail') return recorded.model === `guardrail:${settings.provider.guardrailId}:${settings.provider.guardrailVersion}`;
  return true;
}

/** One candidate classifier on one recorded item: recomputed from its recorded scores, skipped, or not scored. */
export function replayClassifier(settings: ClassifierSettings, message: ChannelMessage, rules: { action: PolicyAction; content?: string }, recorded: ClassifierRecord | undefined): ReplayClassifierResult {
  const screen = prescreen(settings, message, rules);
  if (!screen.go) {
    return {
      record: { ...baseOf(settings), outcome: 'SKIPPED', source: 'none', action: screen.path ? pathAction(screen.path) : 'ALLOW', attempts: 0, reason: screen.reason, detail: screen.detail, ...(screen.path ? { path: screen.path } : {}) },
      findings: screen.path ? pathFindings(settings, screen.path, 'its language is not served') : [],
      needsCall: false,
    };
  }
  if (scoresUsable(settings, recorded)) {
    const answer = { scores: recorded.scores, ...(recorded.levels ? { levels: recorded.levels as Record<string, 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH'> } : {}), ...(recorded.intervened !== undefined ? { intervened: recorded.intervened } : {}) };
    const fired = firedThresholds(settings, answer);
    return {
      record: {
        ...baseOf(settings),
        ...(recorded.model ? { model: recorded.model } : {}),
        outcome: settings.shadow ? 'SHADOW' : 'DECIDED',
        source: 'recorded',
        action: conclusionOf(fired),
        scores: recorded.scores,
        ...(recorded.levels ? { levels: recorded.levels } : {}),
        ...(recorded.intervened !== undefined ? { intervened: recorded.intervened } : {}),
        thresholds: { review: { ...settings.review }, deny: { ...settings.deny } },
        ...(fired.length > 0 ? { fired } : {}),
        ...(recorded.latencyMs !== undefined ? { latencyMs: recorded.latencyMs } : {}),
        attempts: 0,
        ...(recorded.units !== undefined ? { units: recorded.units } : {}),
      },
      findings: scoreFindings(settings, fired),
      needsCall: false,
    };
  }
  const why = recorded === undefined ? 'no record of this classifier on the item' : recorded.scores ? `the recorded scores are from another provider or guardrail (${recorded.model ?? recorded.provider})` : `recorded ${recorded.outcome}${recorded.reason ? ` (${recorded.reason})` : ''}: no scores`;
  return {
    record: { ...baseOf(settings), outcome: 'NOT_SCORED', source: 'none', action: 'ALLOW', attempts: 0, reason: 'NO_RECORDED_SCORES', detail: `Not scored: ${why}` },
    findings: [],
    needsCall: true,
    text: screen.text,
  };
}

/**
 * The rules' verdict joined with the replayed classifiers, as the stage joins them (the
 * strictest wins; shadows and NOT_SCORED add nothing).
 */
export function combineReplayed<V extends PolicyVerdict>(rules: V, results: readonly Pick<ReplayClassifierResult, 'record' | 'findings'>[]): V & { classifiers?: ReplayClassifierRecord[] } {
  // combine reads a record's `shadow` and keeps the records as they are: NOT_SCORED passes through unchanged.
  return combine(rules, results as unknown as ClassifierResult[]) as V & { classifiers?: ReplayClassifierRecord[] };
}

/** One call a replay would make: which classifier, and the text it would send (no context: see src/policy-api/classifiers.ts). */
export interface PlannedCall {
  settings: ClassifierSettings;
  text: string;
}

export interface CallsEstimate {
  calls: number;
  textUnits: number;
  /** USD at the prices file's list prices; null when a provider has no published price (`http`). */
  costUsd: number | null;
  byClassifier: Array<{ name: string; provider: ClassifierSettings['provider']['kind']; calls: number; textUnits: number; costUsd: number | null }>;
}

/** What the calls would cost: billing units as the stage counts them (costOf, no context), priced from the prices file. */
export function estimateCalls(planned: readonly PlannedCall[]): CallsEstimate {
  const by = new Map<string, CallsEstimate['byClassifier'][number]>();
  for (const { settings, text } of planned) {
    const key = `${settings.name}\u0000${settings.provider.kind}`;
    const line = by.get(key) ?? { name: settings.name, provider: settings.provider.kind, calls: 0, textUnits: 0, costUsd: 0 };
    const units = costOf(settings.provider, text, []).textUnits;
    line.calls += 1;
    line.textUnits += units;
    const cost = unitsCost(settings.provider.kind, units);
    line.costUsd = line.costUsd === null || cost === null ? null : line.costUsd + cost;
    by.set(key, line);
  }
  const byClassifier = [...by.values()].map((l) => ({ ...l, costUsd: l.costUsd === null ? null : roundUsd(l.costUsd) }));
  const costs = byClassifier.map((l) => l.costUsd);
  return {
    calls: byClassifier.reduce((n, l) => n + l.calls, 0),
    textUnits: byClassifier.reduce((n, l) => n + l.textUnits, 0),
    costUsd: costs.some((c) => c === null) ? null : roundUsd(costs.reduce<number>((a, c) => a + (c ?? 0), 0)),
    byClassifier,
  };
}
