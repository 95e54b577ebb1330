import { describe, expect, it } from 'vitest';
import { combine, conclusionOf, firedThresholds, pathFindings, scoreFindings } from '../../../src/classifiers/verdict.js';
import type { ClassifierRecord } from '../../../src/classifiers/record.js';
import type { PolicyVerdict } from '../../../src/domain/message.js';
import { LEVEL_SCORES, classifierSettingsOf, mergeClassifiers, type ClassifiersSectionInput } from '../../../src/policy/classifiers.js';

const settingsOf = (section: ClassifiersSectionInput) => classifierSettingsOf(mergeClassifiers([section])).active[0]!;
const TOXICITY = settingsOf({ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6, INSULT: 0.5 }, deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 } } });
const GUARD = settingsOf({ guard: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '2', deny: { VIOLENCE: 'HIGH' }, review: { INSULTS: 'MEDIUM' }, onIntervention: 'REVIEW' } });

const ALLOWED: PolicyVerdict = { action: 'ALLOW', ruleIds: [], reason: 'No policy rule matched', findings: [] };
const record = (over: Partial<ClassifierRecord> = {}): ClassifierRecord => ({ name: 'toxicity', ruleId: 'classifier:toxicity', provider: 'comprehend-toxicity', outcome: 'DECIDED', action: 'REVIEW', attempts: 1, ...over });

describe('firedThresholds', () => {
  it('fires at the threshold itself, DENY before REVIEW, one per label', () => {
    expect(firedThresholds(TOXICITY, { scores: { Toxicity: 0.6, INSULT: 0.2 } })).toEqual([{ label: 'Toxicity', score: 0.6, threshold: 0.6, action: 'REVIEW' }]);
    expect(firedThresholds(TOXICITY, { scores: { Toxicity: 0.97, INSULT: 0.95, HATE_SPEECH: 0.1 } })).toEqual([
      { label: 'Toxicity', score: 0.97, threshold: 0.95, action: 'DENY' },
      { label: 'INSULT', score: 0.95, threshold: 0.5, action: 'REVIEW' },
    ]);
    expect(firedThresholds(TOXICITY, { scores: { Toxicity: 0.1 } })).toEqual([]);
    expect(firedThresholds(TOXICITY, { scores: {} })).toEqual([]);
  });

  it('compares Guardrails levels, and fires the intervention action', () => {
    const fired = firedThresholds(GUARD, { scores: { VIOLENCE: LEVEL_SCORES.HIGH, INSULTS: LEVEL_SCORES.LOW }, levels: { VIOLENCE: 'HIGH', INSULTS: 'LOW' }, intervened: true });
    expect(fired).toEqual([
      { label: 'VIOLENCE', score: 1, threshold: 1, action: 'DENY', level: 'HIGH' },
      { label: 'INTERVENED', score: 1, threshold: 1, action: 'REVIEW' },
    ]);
    expect(conclusionOf(fired)).toBe('DENY');
    expect(scoreFindings(GUARD, fired).map((f) => f.reason)).toEqual(['guard: VIOLENCE HIGH ≥ HIGH (deny)', 'guard: the guardrail intervened (onIntervention: REVIEW)']);
    expect(firedThresholds(GUARD, { scores: { INSULTS: LEVEL_SCORES.MEDIUM }, intervened: false })).toEqual([{ label: 'INSULTS', score: 0.667, threshold: 0.667, action: 'REVIEW', level: 'MEDIUM' }]);
  });

  it('writes findings that name the classifier’s rule id, the label, the score and the threshold', () => {
    expect(scoreFindings(TOXICITY, [{ label: 'INSULT', score: 0.95, threshold: 0.5, action: 'REVIEW' }])).toEqual([{ ruleId: 'classifier:toxicity', action: 'REVIEW', reason: 'toxicity: INSULT 0.95 ≥ 0.5 (review)' }]);
  });
});

describe('combine', () => {
  it('holds what the rules allowed when a classifier says REVIEW, replacing the rules’ “nothing matched”', () => {
    const findings = scoreFindings(TOXICITY, [{ label: 'INSULT', score: 0.95, threshold: 0.5, action: 'REVIEW' }]);
    const out = combine(ALLOWED, [{ record: record(), findings }]);
    expect(out).toMatchObject({ action: 'REVIEW', ruleIds: ['classifier:toxicity'], reason: 'toxicity: INSULT 0.95 ≥ 0.5 (review)', findings, classifiers: [record()] });
  });

  it('lets the strictest win and never softens; an UPDATE’s masked content goes when UPDATE is no longer the action', () => {
    const deny = { action: 'DENY' as const, ruleIds: ['terms.block'], reason: 'blocked', findings: [{ ruleId: 'terms.block', action: 'DENY' as const, reason: 'blocked' }] };
    const review = scoreFindings(TOXICITY, [{ label: 'INSULT', score: 0.9, threshold: 0.5, action: 'REVIEW' }]);
    expect(combine(deny, [{ record: record(), findings: review }])).toMatchObject({ action: 'DENY', reason: 'blocked; toxicity: INSULT 0.9 ≥ 0.5 (review)' });
    const update: PolicyVerdict = { action: 'UPDATE', ruleIds: ['pii.email'], reason: 'email', findings: [{ ruleId: 'pii.email', action: 'UPDATE', reason: 'email' }], content: 'mail ******' };
    expect(combine(update, [{ record: record({ action: 'ALLOW' }), findings: [] }])).toMatchObject({ action: 'UPDATE', content: 'mail ******', ruleIds: ['pii.email'] });
    const held = combine(update, [{ record: record(), findings: review }]);
    expect(held.action).toBe('REVIEW');
    expect(held).not.toHaveProperty('content');
  });

  it('applies nothing of a shadow classifier, and records it', () => {
    const findings = scoreFindings(TOXICITY, [{ label: 'Toxicity', score: 0.99, threshold: 0.95, action: 'DENY' }]);
    const shadow = record({ outcome: 'SHADOW', action: 'DENY', shadow: true });
    expect(combine(ALLOWED, [{ record: shadow, findings }])).toEqual({ ...ALLOWED, classifiers: [shadow] });
  });

  it('adds a REVIEW finding for a REVIEW path, and nothing for ALLOW or RULES_ONLY', () => {
    expect(pathFindings(TOXICITY, 'REVIEW', 'THROTTLED')).toEqual([{ ruleId: 'classifier:toxicity', action: 'REVIEW', reason: 'toxicity could not judge it (THROTTLED): held for review' }]);
    expect(pathFindings(TOXICITY, 'ALLOW', 'THROTTLED')).toEqual([]);
    expect(pathFindings(TOXICITY, 'RULES_ONLY', 'THROTTLED')).toEqual([]);
  });

  it('returns the rules’ verdict untouched when no classifier ran', () => {
    expect(combine(ALLOWED, [])).toBe(ALLOWED);
  });
});
