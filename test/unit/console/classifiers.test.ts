import { describe, expect, it } from 'vitest';
import { estimateText, factsText, formatUsd, levelBars, outcomeText, outcomeTone, scoreBars, type ClassifierRecordView } from '../../../console/src/lib/classifiers.js';

const toxicity = (over: Partial<ClassifierRecordView> = {}): ClassifierRecordView => ({
  name: 'toxicity',
  ruleId: 'classifier:toxicity',
  provider: 'comprehend-toxicity',
  model: 'comprehend:DetectToxicContent',
  outcome: 'DECIDED',
  action: 'REVIEW',
  scores: { Toxicity: 0.7, INSULT: 0.95, PROFANITY: 0.1, HATE_SPEECH: 0.05 },
  thresholds: { review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.95, INSULT: 0.9, HATE_SPEECH: 0.8 } },
  fired: [
    { label: 'Toxicity', score: 0.7, threshold: 0.6, action: 'REVIEW' },
    { label: 'INSULT', score: 0.95, threshold: 0.6, action: 'REVIEW' },
    { label: 'INSULT', score: 0.95, threshold: 0.9, action: 'DENY' },
  ],
  latencyMs: 41.6,
  attempts: 1,
  units: 3,
  contextMessages: 5,
  ...over,
});

const guardrail = (over: Partial<ClassifierRecordView> = {}): ClassifierRecordView => ({
  name: 'guard',
  ruleId: 'classifier:guard',
  provider: 'bedrock-guardrail',
  model: 'guardrail:gr7abc123:3',
  outcome: 'DECIDED',
  action: 'DENY',
  scores: { VIOLENCE: 1 / 3, INSULTS: 1 },
  levels: { VIOLENCE: 'LOW', INSULTS: 'HIGH' },
  intervened: true,
  thresholds: { review: { INSULTS: 2 / 3 }, deny: { VIOLENCE: 1, INSULTS: 1 } },
  fired: [
    { label: 'INSULTS', score: 1, threshold: 2 / 3, action: 'REVIEW', level: 'HIGH' },
    { label: 'INTERVENED', score: 1, threshold: 1, action: 'DENY' },
  ],
  attempts: 1,
  ...over,
});

describe('classifier scores as bars', () => {
  it('gives each label a value text with its score and both thresholds, the overall score first', () => {
    const bars = scoreBars(toxicity());
    expect(bars.map((b) => b.label)).toEqual(['Toxicity', 'INSULT', 'HATE_SPEECH', 'PROFANITY']);
    const insult = bars[1]!;
    expect(insult).toMatchObject({ score: 0.95, percent: 95, review: 0.6, deny: 0.9, fired: 'DENY' });
    expect(insult.valueText).toBe('INSULT 0.95, review at 0.60, deny at 0.90, reached deny');
    expect(bars[0]!.valueText).toBe('Toxicity 0.70, review at 0.60, deny at 0.95, reached review');
    expect(bars[2]!.valueText).toBe('HATE_SPEECH 0.05, deny at 0.80');
    expect(bars[3]).toEqual({ label: 'PROFANITY', score: 0.1, percent: 10, valueText: 'PROFANITY 0.10' });
  });

  it('clamps the drawing to the scale and has no bars without scores', () => {
    expect(scoreBars(toxicity({ scores: { Toxicity: 1.4 }, fired: [] }))[0]!.percent).toBe(100);
    expect(scoreBars(toxicity({ scores: undefined, outcome: 'UNAVAILABLE' }))).toEqual([]);
  });

  it('shows Guardrails as four-step level bars, thresholds as levels, never as score bars', () => {
    expect(scoreBars(guardrail())).toEqual([]);
    const bars = levelBars(guardrail());
    expect(bars.map((b) => [b.label, b.level, b.step])).toEqual([
      ['INSULTS', 'HIGH', 3],
      ['VIOLENCE', 'LOW', 1],
    ]);
    expect(bars[0]!.valueText).toBe('INSULTS HIGH, review at MEDIUM, deny at HIGH, reached review');
    expect(bars[1]!.valueText).toBe('VIOLENCE LOW, deny at HIGH');
    expect(levelBars(toxicity())).toEqual([]);
  });
});

describe('a classifier outcome in words', () => {
  it('says who held or denied it and why', () => {
    expect(outcomeText(toxicity({ action: 'REVIEW', fired: [{ label: 'INSULT', score: 0.95, threshold: 0.6, action: 'REVIEW' }] }))).toBe('Held for review by toxicity (INSULT 0.95)');
    expect(outcomeText(toxicity({ action: 'DENY' }))).toBe('Denied by toxicity (INSULT 0.95)');
    expect(outcomeText(guardrail())).toBe('Denied by guard (the guardrail intervened)');
    expect(outcomeText(toxicity({ action: 'ALLOW', fired: [] }))).toBe('Allowed by toxicity: no threshold reached');
    expect(outcomeTone(toxicity({ action: 'DENY' }))).toBe('deny');
  });

  it('says what a shadow classifier would have done, and that nothing was applied', () => {
    const r = toxicity({ outcome: 'SHADOW', shadow: true, action: 'REVIEW', fired: [{ label: 'INSULT', score: 0.95, threshold: 0.6, action: 'REVIEW' }] });
    expect(outcomeText(r)).toBe('Shadow: would have held it for review (INSULT 0.95); nothing applied');
    expect(outcomeTone(r)).toBe('shadow');
    expect(outcomeText(toxicity({ outcome: 'UNAVAILABLE', shadow: true, reason: 'TIMEOUT', path: 'REVIEW' }))).toContain('(a shadow classifier: nothing applied)');
  });

  it('names the path taken when the provider was unavailable or refused', () => {
    expect(outcomeText(toxicity({ outcome: 'UNAVAILABLE', reason: 'THROTTLED', path: 'REVIEW', scores: undefined }))).toBe('Unavailable (throttled): took the REVIEW path (held for a moderator)');
    expect(outcomeText(toxicity({ outcome: 'UNAVAILABLE', reason: 'CIRCUIT_OPEN', path: 'RULES_ONLY' }))).toBe('Unavailable (circuit open after repeated failures): took the RULES_ONLY path (the rules alone decided)');
    expect(outcomeText(toxicity({ outcome: 'REFUSED', reason: 'TextSizeLimitExceededException', path: 'ALLOW' }))).toBe('Refused by the provider (TextSizeLimitExceededException): took the ALLOW path');
    expect(outcomeTone(toxicity({ outcome: 'REFUSED' }))).toBe('unavailable');
  });

  it('says why a message was never sent', () => {
    expect(outcomeText(toxicity({ outcome: 'SKIPPED', reason: 'SHORT', action: 'ALLOW' }))).toBe('Skipped: too short');
    expect(outcomeText(toxicity({ outcome: 'SKIPPED', reason: 'LANGUAGE', path: 'REVIEW' }))).toBe('Skipped: another script or language than it serves; took the REVIEW path (held for a moderator)');
    expect(outcomeText(toxicity({ outcome: 'SKIPPED', reason: 'SOMETHING_NEW' }))).toBe('Skipped: SOMETHING_NEW');
  });

  it('lists latency, units, retries and context', () => {
    expect(factsText(toxicity())).toEqual(['42 ms', '3 units', '5 previous messages as context']);
    expect(factsText(toxicity({ attempts: 3, units: 1, contextMessages: 1, contextUnavailable: 'ListChannelMessages throttled', latencyMs: undefined }))).toEqual([
      '1 unit',
      '3 calls (retried)',
      '1 previous message as context',
      'judged without context: ListChannelMessages throttled',
    ]);
    expect(factsText(guardrail())[0]).toBe('the guardrail intervened');
  });
});

describe('replay records and the cost of calling again', () => {
  it('says a replayed classifier was recomputed from recorded scores, or not scored', () => {
    expect(factsText(toxicity({ source: 'recorded', attempts: 0, latencyMs: undefined, units: undefined, contextMessages: undefined }))).toEqual(['recomputed from the recorded scores, no call made']);
    expect(factsText(toxicity({ source: 'called', attempts: 2, latencyMs: 12, units: undefined, contextMessages: undefined }))).toEqual(['called the provider now', '12 ms']);
    expect(outcomeText(toxicity({ outcome: 'NOT_SCORED', source: 'none', action: 'ALLOW' }))).toBe('Not scored: no recorded scores to recompute from, and no call made (it adds nothing to the verdict)');
  });

  it('prints the calls, units and cost, keeping small sums visible', () => {
    expect(estimateText({ calls: 12, textUnits: 36, costUsd: 0.0036 })).toBe('12 calls · 36 text units · about $0.0036');
    expect(estimateText({ calls: 1, textUnits: 1, costUsd: 1.5 })).toBe('1 call · 1 text unit · about $1.50');
    expect(estimateText({ calls: 3, textUnits: 3, costUsd: null })).toBe('3 calls · 3 text units · no published price for some');
    expect(estimateText({ calls: 0, textUnits: 0, costUsd: 0 })).toBe('no calls');
    expect(formatUsd(0.00000003)).toBe('under $0.0001');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.0003)).toBe('$0.0003');
  });
});
