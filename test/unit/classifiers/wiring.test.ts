import { describe, expect, it } from 'vitest';
import { classifyStep } from '../../../src/worker/classify.js';
import { classifierSettingsOf, mergeClassifiers } from '../../../src/policy/classifiers.js';
import { aMessage } from '../../support/factories.js';

describe('classifyStep', () => {
  const rules = { action: 'ALLOW' as const, ruleIds: [], reason: 'No policy rule matched', findings: [] };
  const work = { callbackId: 'c'.repeat(40), message: aMessage({ content: 'hello there, friend' }), deadline: new Date(Date.now() + 3_600_000).toISOString(), receivedAt: new Date().toISOString() };
  const unused = () => {
    throw new Error('not expected to be called');
  };

  it('returns the rules’ verdict itself when the channel has no classifiers (no budget, breaker or provider touched)', async () => {
    const step = classifyStep({ settingsFor: () => [], stage: { providers: { forClassifier: unused }, budget: { take: unused }, breaker: { allow: unused, succeeded: unused, failed: unused, state: unused }, now: Date.now } });
    expect(await step(work, rules)).toBe(rules);
  });

  it('judges with the channel’s classifiers, never waiting past the deadline less its guard', async () => {
    const asked: number[] = [];
    const settings = classifierSettingsOf(mergeClassifiers([{ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.5 } } }])).active;
    const step = classifyStep({
      settingsFor: async () => settings,
      stage: {
        providers: { forClassifier: () => ({ kind: 'comprehend-toxicity', classify: async (r) => (asked.push(r.answerBy), { kind: 'SCORED', scores: { Toxicity: 0.8 }, model: 'm', latencyMs: 1, units: 3 }) }) },
        budget: { take: async () => ({ granted: true }) },
        breaker: { allow: () => true, succeeded: () => {}, failed: () => {}, state: () => 'CLOSED' },
        now: Date.now,
      },
    });
    expect(await step(work, rules)).toMatchObject({ action: 'REVIEW', ruleIds: ['classifier:toxicity'] });
    expect(asked[0]).toBeLessThanOrEqual(Date.now() + 1500);
    const late = { ...work, deadline: new Date(Date.now() + 30_000).toISOString() };
    expect(await step(late, rules)).toMatchObject({ action: 'ALLOW', classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'TIMEOUT', attempts: 0 })] });
  });
});
