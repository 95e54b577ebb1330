/**
 * The classifier stage with in-test fakes of OUR ports (src/classifiers/ports.ts, context.ts):
 * a scripted provider, a scripted budget, a counting breaker, a clock that sleeping advances.
 */
import { describe, expect, it } from 'vitest';
import { budgetKeyOf, costOf, runClassifierStage, type ClassifierStageDeps } from '../../../src/classifiers/stage.js';
import type { ContextRequest, ContextSource } from '../../../src/classifiers/context.js';
import type { CircuitBreaker, ClassifierProvider, ClassifyAnswer, ClassifyRequest, RateBudget } from '../../../src/classifiers/ports.js';
import type { PolicyVerdict } from '../../../src/domain/message.js';
import { classifierSettingsOf, mergeClassifiers, type ClassifiersSectionInput } from '../../../src/policy/classifiers.js';
import { aMessage } from '../../support/factories.js';

const ALLOWED: PolicyVerdict = { action: 'ALLOW', ruleIds: [], reason: 'No policy rule matched', findings: [] };
const DENIED: PolicyVerdict = { action: 'DENY', ruleIds: ['terms.block'], reason: 'blocked', findings: [{ ruleId: 'terms.block', action: 'DENY', reason: 'blocked' }] };

const classifiers = (section: ClassifiersSectionInput) => classifierSettingsOf(mergeClassifiers([section])).active;
const TOXICITY = { provider: 'comprehend-toxicity', review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.95 } } as const;

const scored = (scores: Record<string, number>): ClassifyAnswer => ({ kind: 'SCORED', scores, model: 'comprehend:DetectToxicContent', latencyMs: 42, units: 3 });
const unavailable = (reason: 'THROTTLED' | 'FAULT' | 'TIMEOUT' = 'FAULT'): ClassifyAnswer => ({ kind: 'UNAVAILABLE', reason, message: reason });

/** A world of fakes: every answer scripted, every call counted. */
function world(options: { answers?: ClassifyAnswer[]; grants?: Array<boolean | number>; breakerOpen?: boolean; context?: ContextSource } = {}) {
  let now = 1_000_000;
  const calls: ClassifyRequest[] = [];
  const takes: Array<{ key: string; requests: number; textUnits: number }> = [];
  const breakerEvents: string[] = [];
  const answers = [...(options.answers ?? [])];
  const grants = [...(options.grants ?? [])];
  const provider: ClassifierProvider = {
    kind: 'comprehend-toxicity',
    classify: async (request) => {
      calls.push(request);
      return answers.shift() ?? scored({ Toxicity: 0.1 });
    },
  };
  const budget: RateBudget = {
    take: async (key, cost) => {
      takes.push({ key, ...cost });
      const grant = grants.shift() ?? true;
      return grant === true ? { granted: true } : { granted: false, retryAfterMs: typeof grant === 'number' ? grant : 100 };
    },
  };
  const breaker: CircuitBreaker = {
    allow: () => !options.breakerOpen,
    succeeded: () => void breakerEvents.push('succeeded'),
    failed: () => void breakerEvents.push('failed'),
    state: () => (options.breakerOpen ? 'OPEN' : 'CLOSED'),
  };
  const deps: ClassifierStageDeps = {
    providers: { forClassifier: () => provider },
    budget,
    breaker,
    ...(options.context ? { context: options.context } : {}),
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    random: () => 0.5,
  };
  return { deps, calls, takes, breakerEvents };
}

describe('runClassifierStage', () => {
  it('holds a message the classifier scores over the REVIEW threshold, recording provider, model, scores and latency', async () => {
    const w = world({ answers: [scored({ Toxicity: 0.7, INSULT: 0.95 })] });
    const out = await runClassifierStage(w.deps, { message: aMessage({ content: 'you are an idiot' }), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(out.action).toBe('REVIEW');
    expect(out.ruleIds).toEqual(['classifier:toxicity']);
    expect(out.classifiers).toEqual([
      {
        name: 'toxicity',
        ruleId: 'classifier:toxicity',
        provider: 'comprehend-toxicity',
        model: 'comprehend:DetectToxicContent',
        outcome: 'DECIDED',
        action: 'REVIEW',
        scores: { Toxicity: 0.7, INSULT: 0.95 },
        thresholds: { review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.95 } },
        fired: [
          { label: 'Toxicity', score: 0.7, threshold: 0.6, action: 'REVIEW' },
          { label: 'INSULT', score: 0.95, threshold: 0.6, action: 'REVIEW' },
        ],
        latencyMs: 42,
        attempts: 1,
        units: 3,
      },
    ]);
    expect(w.takes).toEqual([{ key: 'comprehend-toxicity', requests: 1, textUnits: 3 }]);
    expect(w.breakerEvents).toEqual(['succeeded']);
  });

  it('denies over the DENY threshold and lets a low score through untouched', async () => {
    const deny = await runClassifierStage(world({ answers: [scored({ Toxicity: 0.97 })] }).deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(deny).toMatchObject({ action: 'DENY', ruleIds: ['classifier:toxicity'], reason: 'toxicity: Toxicity 0.97 ≥ 0.95 (deny)' });
    const allow = await runClassifierStage(world().deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(allow).toMatchObject({ action: 'ALLOW', ruleIds: [], reason: 'No policy rule matched', classifiers: [expect.objectContaining({ outcome: 'DECIDED', action: 'ALLOW' })] });
  });

  it('never calls for what the rules deny, and records why it was skipped', async () => {
    const w = world();
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: DENIED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(w.calls).toEqual([]);
    expect(w.takes).toEqual([]);
    expect(out).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'], classifiers: [expect.objectContaining({ outcome: 'SKIPPED', reason: 'RULES_DENY', attempts: 0 })] });
  });

  it('takes onUnsupportedLanguage for a script the provider does not serve, without a call', async () => {
    const w = world();
    const out = await runClassifierStage(w.deps, { message: aMessage({ content: 'никто не скучал бы по тебе' }), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnsupportedLanguage: 'REVIEW' } }) });
    expect(w.calls).toEqual([]);
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'SKIPPED', reason: 'LANGUAGE', path: 'REVIEW', action: 'REVIEW' })] });
  });

  it('retries an unavailable provider with backoff, and decides on the answer that comes', async () => {
    const w = world({ answers: [unavailable('FAULT'), unavailable('THROTTLED'), scored({ Toxicity: 0.99 })] });
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(w.calls).toHaveLength(3);
    expect(w.breakerEvents).toEqual(['failed', 'succeeded', 'succeeded']);
    expect(out).toMatchObject({ action: 'DENY', classifiers: [expect.objectContaining({ outcome: 'DECIDED', attempts: 3 })] });
  });

  it('takes onUnavailable when the retries run out: REVIEW holds, RULES_ONLY and ALLOW leave the rules’ verdict', async () => {
    for (const [path, action] of [['REVIEW', 'REVIEW'], ['RULES_ONLY', 'ALLOW'], ['ALLOW', 'ALLOW']] as const) {
      const w = world({ answers: [unavailable(), unavailable(), unavailable(), unavailable()] });
      const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: path } }) });
      expect(w.calls).toHaveLength(3);
      expect(out.action).toBe(action);
      expect(out.classifiers).toEqual([expect.objectContaining({ outcome: 'UNAVAILABLE', path, reason: 'FAULT', attempts: 3 })]);
    }
  });

  it('retries only while the message’s time allows (timeoutMs)', async () => {
    const w = world({ answers: Array.from({ length: 10 }, () => unavailable()) });
    w.deps.retry = { baseMs: 400, maxMs: 400, maxAttempts: 10 };
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, timeoutMs: 1000, onUnavailable: 'REVIEW' } }) });
    // Backoff 300 ms each (400 × (0.5 + 0.5/2)): calls at 0, 300, 600, 900; a fifth would start at 1200.
    expect(w.calls).toHaveLength(4);
    expect(w.calls.every((c) => c.answerBy === 1_000_000 + 1000)).toBe(true);
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', attempts: 4 })] });
  });

  it('waits for the budget within the message’s time, then takes onUnavailable (BUDGET), calling nothing', async () => {
    const waited = world({ grants: [200, true] });
    expect(await runClassifierStage(waited.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) })).toMatchObject({ classifiers: [expect.objectContaining({ outcome: 'DECIDED' })] });
    expect(waited.takes).toHaveLength(2);

    const spent = world({ grants: [5000] });
    const out = await runClassifierStage(spent.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: 'REVIEW' } }) });
    expect(spent.calls).toEqual([]);
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'BUDGET', attempts: 0 })] });
  });

  it('treats a budget that cannot be read as no budget (the quota is never risked)', async () => {
    const w = world();
    w.deps.budget = { take: () => Promise.reject(new Error('ProvisionedThroughputExceededException')) };
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: TOXICITY }) });
    expect(w.calls).toEqual([]);
    expect(out.classifiers).toEqual([expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'BUDGET', path: 'RULES_ONLY', detail: expect.stringMatching(/could not be read/) })]);
  });

  it('goes straight to onUnavailable when the circuit is open: no call, no wait', async () => {
    const w = world({ breakerOpen: true });
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: 'REVIEW' } }) });
    expect(w.calls).toEqual([]);
    expect(w.takes).toHaveLength(1);
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'CIRCUIT_OPEN' })] });
  });

  it('follows onUnavailable for a refusal (no retry), and onUnsupportedLanguage for UnsupportedLanguageException', async () => {
    const big = world({ answers: [{ kind: 'REFUSED', errorType: 'TextSizeLimitExceededException', message: 'too big' }] });
    const out = await runClassifierStage(big.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: 'REVIEW', onUnsupportedLanguage: 'ALLOW' } }) });
    expect(big.calls).toHaveLength(1);
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'REFUSED', reason: 'TextSizeLimitExceededException', path: 'REVIEW' })] });
    const french = world({ answers: [{ kind: 'REFUSED', errorType: 'UnsupportedLanguageException', message: 'fr' }] });
    const out2 = await runClassifierStage(french.deps, { message: aMessage({ content: 'personne ne te regretterait' }), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: 'REVIEW', onUnsupportedLanguage: 'ALLOW' } }) });
    expect(out2).toMatchObject({ action: 'ALLOW', classifiers: [expect.objectContaining({ outcome: 'REFUSED', path: 'ALLOW' })] });
  });

  it('records a shadow classifier’s would-be DENY and applies nothing', async () => {
    const w = world({ answers: [scored({ Toxicity: 0.99 })] });
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, shadow: true } }) });
    expect(out).toMatchObject({ action: 'ALLOW', ruleIds: [], classifiers: [expect.objectContaining({ outcome: 'SHADOW', action: 'DENY', shadow: true })] });
  });

  it('sends the previous messages, oldest first, read once for every classifier of the message', async () => {
    const asked: ContextRequest[] = [];
    const context: ContextSource = {
      previous: async (request) => {
        asked.push(request);
        return { kind: 'READ', texts: ['one', 'two', 'three', 'four', 'five'].slice(-request.count) };
      },
    };
    const w = world({ context });
    const message = aMessage({ content: 'and you are next' });
    const out = await runClassifierStage(w.deps, {
      message,
      rules: ALLOWED,
      classifiers: classifiers({ toxicity: { ...TOXICITY, context: 5 }, short: { ...TOXICITY, context: 2 } }),
    });
    expect(asked).toEqual([{ message, count: 5, of: 'channel', answerBy: expect.any(Number) }]);
    expect(w.calls.map((c) => c.context)).toEqual([
      ['one', 'two', 'three', 'four', 'five'],
      ['four', 'five'],
    ]);
    expect(out.classifiers?.map((c) => c.contextMessages)).toEqual([5, 2]);
    // The budget counted the context not yet read at its most (5 × 500 characters + the message).
    expect(w.takes[0]).toEqual({ key: 'comprehend-toxicity', requests: 1, textUnits: Math.ceil((5 * 500 + 16) / 100) });
  });

  it('judges without context when it cannot be read, and says so', async () => {
    const w = world({ context: { previous: async () => ({ kind: 'UNAVAILABLE', message: 'ThrottledClientException' }) } });
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, context: 3 } }) });
    expect(w.calls[0]!.context).toEqual([]);
    expect(out.classifiers).toEqual([expect.objectContaining({ outcome: 'DECIDED', contextMessages: 0, contextUnavailable: 'ThrottledClientException' })]);
  });

  it('survives a provider that throws (a bug in an adapter): UNAVAILABLE/FAULT, never a failed message', async () => {
    const w = world();
    w.deps.providers = { forClassifier: () => ({ kind: 'http', classify: () => Promise.reject(new Error('boom')) }) };
    const out = await runClassifierStage(w.deps, { message: aMessage(), rules: ALLOWED, classifiers: classifiers({ toxicity: { ...TOXICITY, onUnavailable: 'REVIEW' } }) });
    expect(out).toMatchObject({ action: 'REVIEW', classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'FAULT', detail: 'boom' })] });
  });
});

describe('budget keys and costs', () => {
  it('counts Comprehend in 100-character units with 3 at least, Guardrails in 1,000-character units of the message (context is not assessed), http per block', () => {
    expect(costOf({ kind: 'comprehend-toxicity' }, 'short', [])).toEqual({ requests: 1, textUnits: 3 });
    expect(costOf({ kind: 'comprehend-toxicity' }, 'x'.repeat(450), ['y'.repeat(100)])).toEqual({ requests: 1, textUnits: 6 });
    expect(costOf({ kind: 'bedrock-guardrail', guardrailId: 'g', guardrailVersion: '1' }, 'x'.repeat(1500), ['a', 'b'])).toEqual({ requests: 1, textUnits: 2 });
    expect(costOf({ kind: 'http', url: 'https://m.example.com' }, 'x'.repeat(1500), ['a', 'b'])).toEqual({ requests: 1, textUnits: 4 });
    expect(budgetKeyOf({ kind: 'http', url: 'https://models.example.com:8443/judge' })).toBe('http:models.example.com:8443');
  });
});
