import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combineReplayed, estimateCalls, replayClassifier, scoresUsable } from '../../../src/classifiers/replay.js';
import { CLASSIFIER_PRICES, unitsCost } from '../../../src/classifiers/prices.js';
import type { ClassifierRecord } from '../../../src/classifiers/record.js';
import type { ChannelMessage, PolicyVerdict } from '../../../src/domain/message.js';
import { classifierSettingsOf, mergeClassifiers, type ClassifiersSectionInput } from '../../../src/policy/classifiers.js';
import { classifierProvenance, effectiveClassifiersView } from '../../../src/policy-api/classifiers.js';

const settingsOf = (section: ClassifiersSectionInput) => classifierSettingsOf(mergeClassifiers([section])).active[0]!;
const TOXICITY = settingsOf({ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95 } } });
const STRICTER = settingsOf({ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.3 }, deny: { Toxicity: 0.5 } } });
const SHADOW = settingsOf({ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.3 }, shadow: true } });
const GUARD = settingsOf({ toxicity: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '2', review: { INSULTS: 'MEDIUM' } } });

const ALLOWED: PolicyVerdict = { action: 'ALLOW', ruleIds: [], reason: 'No policy rule matched', findings: [] };
const DENIED: PolicyVerdict = { action: 'DENY', ruleIds: ['blocked'], reason: 'blocked term', findings: [{ ruleId: 'blocked', action: 'DENY', reason: 'blocked term' }] };
const message = (content: string): ChannelMessage => ({ messageId: 'm1', channelArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/a/channel/c', content, sender: { arn: 'arn:aws:chime:us-east-1:111122223333:app-instance/a/user/u' } });
const recorded = (over: Partial<ClassifierRecord> = {}): ClassifierRecord => ({
  name: 'toxicity',
  ruleId: 'classifier:toxicity',
  provider: 'comprehend-toxicity',
  model: 'comprehend:DetectToxicContent',
  outcome: 'DECIDED',
  action: 'ALLOW',
  scores: { Toxicity: 0.55, INSULT: 0.4 },
  thresholds: { review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95 } },
  latencyMs: 12,
  attempts: 1,
  units: 3,
  ...over,
});

describe('replayClassifier: recorded scores against new thresholds', () => {
  it('recomputes the verdict from the recorded scores, with no call, and follows the thresholds', () => {
    const same = replayClassifier(TOXICITY, message('a message long enough'), ALLOWED, recorded());
    expect(same.record).toMatchObject({ outcome: 'DECIDED', source: 'recorded', action: 'ALLOW', attempts: 0, scores: { Toxicity: 0.55, INSULT: 0.4 }, units: 3, latencyMs: 12 });
    expect(same.findings).toEqual([]);
    expect(same.needsCall).toBe(false);

    const stricter = replayClassifier(STRICTER, message('a message long enough'), ALLOWED, recorded());
    expect(stricter.record).toMatchObject({ outcome: 'DECIDED', action: 'DENY', thresholds: { review: { Toxicity: 0.3 }, deny: { Toxicity: 0.5 } }, fired: [{ label: 'Toxicity', score: 0.55, threshold: 0.5, action: 'DENY' }] });
    expect(combineReplayed(ALLOWED, [stricter])).toMatchObject({ action: 'DENY', ruleIds: ['classifier:toxicity'] });
  });

  it('recomputes a shadow classifier as what it would have done, and applies nothing', () => {
    const shadow = replayClassifier(SHADOW, message('a message long enough'), ALLOWED, recorded({ outcome: 'SHADOW', shadow: true }));
    expect(shadow.record).toMatchObject({ outcome: 'SHADOW', shadow: true, action: 'REVIEW', source: 'recorded' });
    const verdict = combineReplayed(ALLOWED, [shadow]);
    expect(verdict.action).toBe('ALLOW');
    expect(verdict.classifiers?.[0]).toMatchObject({ outcome: 'SHADOW', action: 'REVIEW' });
  });

  it('reports NOT_SCORED (adding nothing) when nothing usable was recorded, and says a call would be needed', () => {
    for (const r of [undefined, recorded({ outcome: 'UNAVAILABLE', scores: undefined, reason: 'THROTTLED' }), recorded({ provider: 'http', model: 'x' })]) {
      const result = replayClassifier(TOXICITY, message('a message long enough'), ALLOWED, r);
      expect(result.record).toMatchObject({ outcome: 'NOT_SCORED', source: 'none', action: 'ALLOW', attempts: 0 });
      expect(result.needsCall).toBe(true);
      expect(result.text).toBe('a message long enough');
      expect(combineReplayed(ALLOWED, [result]).action).toBe('ALLOW');
    }
  });

  it('runs the pre-screen against the candidate’s rules first: a DENY is never sent nor rescored', () => {
    const result = replayClassifier(STRICTER, message('a message long enough'), DENIED, recorded());
    expect(result.record).toMatchObject({ outcome: 'SKIPPED', reason: 'RULES_DENY', attempts: 0 });
    expect(result.needsCall).toBe(false);
  });

  it('uses Guardrails scores only from the same guardrail and version', () => {
    const r = recorded({ provider: 'bedrock-guardrail', model: 'guardrail:g1:2', scores: { INSULTS: 2 / 3 }, levels: { INSULTS: 'MEDIUM' } });
    expect(scoresUsable(GUARD, r)).toBe(true);
    expect(scoresUsable(GUARD, { ...r, model: 'guardrail:g1:3' })).toBe(false);
    expect(replayClassifier(GUARD, message('a message long enough'), ALLOWED, r).record).toMatchObject({ outcome: 'DECIDED', action: 'REVIEW' });
  });
});

describe('estimateCalls: the projected cost from the prices file', () => {
  const prices = JSON.parse(readFileSync(new URL('../../../bench/prices-2026-12.json', import.meta.url), 'utf8'));

  it('reads its prices from bench/prices-2026-12.json', () => {
    expect(CLASSIFIER_PRICES.comprehendPerUnit).toBe(prices.comprehend.perUnit);
    expect(CLASSIFIER_PRICES.guardrailContentFiltersPerThousandTextUnits).toBe(prices.bedrockGuardrails.contentFiltersPerThousandTextUnits);
    expect(CLASSIFIER_PRICES.asOf).toBe(prices.asOf);
  });

  it('counts Comprehend units (100 characters, 3 at least per call) and Guardrails text units, and prices them', () => {
    const estimate = estimateCalls([
      { settings: TOXICITY, text: 'short' }, // 3 units (the minimum)
      { settings: TOXICITY, text: 'x'.repeat(450) }, // 5 units
      { settings: GUARD, text: 'y'.repeat(1500) }, // 2 text units
    ]);
    const comprehend = 8 * prices.comprehend.perUnit;
    const guard = (2 * prices.bedrockGuardrails.contentFiltersPerThousandTextUnits) / 1000;
    expect(estimate.calls).toBe(3);
    expect(estimate.byClassifier.map((l) => [l.provider, l.calls, l.textUnits])).toEqual([['comprehend-toxicity', 2, 8], ['bedrock-guardrail', 1, 2]]);
    expect(estimate.textUnits).toBe(10);
    expect(estimate.costUsd).toBeCloseTo(comprehend + guard, 9);
    expect(unitsCost('http', 5)).toBeNull();
    expect(estimateCalls([])).toEqual({ calls: 0, textUnits: 0, costUsd: 0, byClassifier: [] });
  });
});

describe('the effective view: merged classifiers with where each setting came from', () => {
  it('names the scope that wrote each setting, `default` for the rest, and forgets what `false` switched off', () => {
    const layers = [
      { scope: 'global', document: { classifiers: { toxicity: { provider: 'comprehend-toxicity' as const, review: { Toxicity: 0.6 } } } } },
      { scope: 'app', document: { classifiers: { toxicity: { onUnavailable: 'REVIEW' as const } } } },
      { scope: 'channel', document: { classifiers: { toxicity: { review: { Toxicity: 0.4 } } } } },
    ];
    const view = effectiveClassifiersView(mergeClassifiers(layers.map((l) => l.document.classifiers)), layers);
    expect(view.active).toHaveLength(1);
    expect(view.active[0]).toMatchObject({ name: 'toxicity', review: { Toxicity: 0.4 }, onUnavailable: 'REVIEW', from: { provider: 'global', review: 'channel', onUnavailable: 'app', deny: 'default', context: 'default' } });
    expect(classifierProvenance([...layers, { scope: 'x', document: { classifiers: false as const } }])).toEqual({});
  });
});
