/**
 * The `classifiers:` section (src/policy/classifiers.ts): the issue's example works, every bad
 * field is named, and scopes merge as documented.
 */
import { describe, expect, it } from 'vitest';
import {
  ClassifiersSectionSchema,
  LEVEL_SCORES,
  classifierRuleSettings,
  classifierSettingsOf,
  mergeClassifiers,
  type ClassifiersSectionInput,
} from '../../../src/policy/classifiers.js';
import { unionIssues } from '../../../src/policy/schema.js';

/** The problems of a section as `path: message`, paths joined with dots. */
function problems(section: unknown): Record<string, string> {
  const result = ClassifiersSectionSchema.safeParse(section);
  if (result.success) return {};
  return Object.fromEntries(unionIssues(result.error.issues).map((issue) => [issue.path.map(String).join('.'), issue.message]));
}

const EXAMPLE = {
  toxicity: {
    provider: 'comprehend-toxicity',
    review: { Toxicity: 0.6 },
    deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 },
    onUnavailable: 'REVIEW',
    context: 5,
  },
};

describe('the classifiers section', () => {
  it('accepts the issue’s example, and applies the defaults documented', () => {
    expect(problems(EXAMPLE)).toEqual({});
    const { active } = classifierSettingsOf(mergeClassifiers([EXAMPLE as ClassifiersSectionInput]));
    expect(active).toEqual([
      expect.objectContaining({
        name: 'toxicity',
        ruleId: 'classifier:toxicity',
        provider: { kind: 'comprehend-toxicity' },
        review: { Toxicity: 0.6 },
        deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 },
        onUnavailable: 'REVIEW',
        context: 5,
        contextOf: 'channel',
        judge: ['ALLOW', 'UPDATE', 'REVIEW'],
        languages: ['en'],
        scripts: ['latin'],
        onUnsupportedLanguage: 'RULES_ONLY',
        strike: false,
        shadow: false,
      }),
    ]);
  });

  it('accepts a Guardrails classifier with levels per filter and an intervention action, and reads levels as scores', () => {
    const section = { guard: { provider: 'bedrock-guardrail', guardrailId: 'abc123def456', guardrailVersion: '2', deny: { VIOLENCE: 'HIGH' }, review: { INSULTS: 'MEDIUM' }, onIntervention: 'DENY' } };
    expect(problems(section)).toEqual({});
    const [guard] = classifierSettingsOf(mergeClassifiers([section as ClassifiersSectionInput])).active;
    expect(guard).toMatchObject({ provider: { kind: 'bedrock-guardrail', guardrailId: 'abc123def456', guardrailVersion: '2' }, deny: { VIOLENCE: 1 }, review: { INSULTS: LEVEL_SCORES.MEDIUM }, onIntervention: 'DENY' });
  });

  it('accepts an http classifier with its url, secret parameter and labels', () => {
    expect(problems({ mine: { provider: 'http', url: 'https://models.example.com/moderate', secret: '/moderation/model-token', labels: ['spam', 'abuse'], deny: { abuse: 0.9 } } })).toEqual({});
    expect(problems({ mine: { provider: 'http', url: 'http://127.0.0.1:9000/judge' } })).toEqual({});
  });

  it('names an unknown provider', () => {
    expect(problems({ toxicity: { provider: 'openai-moderation' } })).toEqual({ 'toxicity.provider': 'must be one of comprehend-toxicity, bedrock-guardrail, http' });
  });

  it('names thresholds out of 0–1, of the wrong kind for the provider, and labels the provider does not have', () => {
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 1.5 }, deny: { INSULT: -0.1 } } })).toEqual({
      'toxicity.review.Toxicity': 'must be between 0 and 1',
      'toxicity.deny.INSULT': 'must be between 0 and 1',
    });
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', review: { RUDENESS: 0.5, INSULT: 'HIGH' } } })).toEqual({
      'toxicity.review.RUDENESS': expect.stringMatching(/^is not a label of comprehend-toxicity \(one of Toxicity, PROFANITY/),
      'toxicity.review.INSULT': expect.stringMatching(/must be a score between 0 and 1 for comprehend-toxicity/),
    });
    expect(problems({ guard: { provider: 'bedrock-guardrail', guardrailId: 'abc123', guardrailVersion: 'DRAFT', deny: { VIOLENCE: 0.9, TOXICITY: 'HIGH' } } })).toEqual({
      'guard.deny.VIOLENCE': 'must be a confidence level for bedrock-guardrail: LOW, MEDIUM or HIGH',
      'guard.deny.TOXICITY': expect.stringMatching(/^is not a label of bedrock-guardrail \(one of HATE, INSULTS/),
    });
    expect(problems({ mine: { provider: 'http', url: 'https://m.example.com', labels: ['spam'], review: { abuse: 0.5 } } })).toEqual({ 'mine.review.abuse': 'is not a label of http (one of spam)' });
  });

  it('names a missing guardrail id and version, and provider fields on the wrong provider', () => {
    expect(problems({ guard: { provider: 'bedrock-guardrail', deny: { VIOLENCE: 'HIGH' } } })).toEqual({
      'guard.guardrailId': 'is required for provider bedrock-guardrail',
      'guard.guardrailVersion': 'is required for provider bedrock-guardrail',
    });
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', guardrailId: 'abc', url: 'https://x.example.com', onIntervention: 'DENY' } })).toEqual({
      'toxicity.guardrailId': 'applies to provider bedrock-guardrail only',
      'toxicity.url': 'applies to provider http only',
      'toxicity.onIntervention': 'applies to provider bedrock-guardrail only',
    });
    expect(problems({ mine: { provider: 'http' } })).toEqual({ 'mine.url': 'is required for provider http' });
    expect(problems({ mine: { provider: 'http', url: 'http://models.example.com', secret: 'hunter2' } })).toEqual({
      'mine.url': expect.stringMatching(/https/),
      'mine.secret': expect.stringMatching(/never the secret itself/),
    });
  });

  it('checks languages against what the provider serves, the pre-screen’s fields and the classifier names', () => {
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', languages: ['en', 'fr', 'xx'] } })).toEqual({
      'toxicity.languages.1': 'is not served by comprehend-toxicity (it serves en)',
      'toxicity.languages.2': expect.stringMatching(/^is not a language code we know/),
    });
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', judge: ['DENY'], context: 11, minLength: -1, contextOf: 'room', onUnavailable: 'WAIT' } })).toEqual({
      'toxicity.judge.0': 'must be ALLOW, UPDATE or REVIEW (what the rules DENY is never sent to a classifier)',
      'toxicity.context': 'must be at most 10',
      'toxicity.minLength': 'must be at least 0',
      'toxicity.contextOf': expect.stringMatching(/channel.*sender/),
      'toxicity.onUnavailable': expect.stringMatching(/REVIEW.*ALLOW.*RULES_ONLY/),
    });
    expect(problems({ Toxicity: { provider: 'comprehend-toxicity' } })).toEqual({ Toxicity: expect.stringMatching(/^must be a classifier name/) });
    expect(problems({ toxicity: { provider: 'comprehend-toxicity', colour: 'red' } })).toEqual({ toxicity: expect.stringMatching(/colour/) });
    expect(problems(true)).toEqual({ '': 'must be an object of classifiers by name, or false to switch every classifier off here' });
  });

  it('lets an entry without a provider override settings, never a provider’s own fields', () => {
    expect(problems({ toxicity: { enabled: false } })).toEqual({});
    expect(problems({ toxicity: { review: { Toxicity: 0.4 }, shadow: true } })).toEqual({});
    expect(problems({ toxicity: { guardrailId: 'abc' } })).toEqual({ 'toxicity.guardrailId': expect.stringMatching(/^needs provider/) });
  });
});

describe('mergeClassifiers', () => {
  const GLOBAL = EXAMPLE as ClassifiersSectionInput;

  it('overrides what a narrower scope writes, threshold maps whole, skipSenders as a union', () => {
    const merged = mergeClassifiers([
      { toxicity: { ...EXAMPLE.toxicity, skipSenders: ['arn:bot/*'] } } as ClassifiersSectionInput,
      { toxicity: { review: { INSULT: 0.5 }, context: 2, skipSenders: ['arn:user/admin'] } },
    ]);
    const [settings] = classifierSettingsOf(merged).active;
    expect(settings).toMatchObject({ review: { INSULT: 0.5 }, deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 }, context: 2, onUnavailable: 'REVIEW', skipSenders: ['arn:bot/*', 'arn:user/admin'] });
  });

  it('switches a classifier off with enabled: false, and on again below', () => {
    expect(classifierSettingsOf(mergeClassifiers([GLOBAL, { toxicity: { enabled: false } }]))).toEqual({ active: [], disabled: ['toxicity'], incomplete: [] });
    expect(classifierSettingsOf(mergeClassifiers([GLOBAL, { toxicity: { enabled: false } }, { toxicity: { enabled: true } }])).active).toHaveLength(1);
  });

  it('switches every classifier off with classifiers: false, and a narrower scope starts afresh', () => {
    expect(classifierSettingsOf(mergeClassifiers([GLOBAL, false])).active).toEqual([]);
    const afresh = classifierSettingsOf(mergeClassifiers([GLOBAL, false, { guard: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '1' } }]));
    expect(afresh.active.map((c) => c.name)).toEqual(['guard']);
  });

  it('defines a classifier afresh when a narrower scope names a provider (another provider reads other labels)', () => {
    const merged = mergeClassifiers([GLOBAL, { toxicity: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '3', deny: { HATE: 'HIGH' } } }]);
    const [settings] = classifierSettingsOf(merged).active;
    expect(settings).toMatchObject({ provider: { kind: 'bedrock-guardrail' }, deny: { HATE: 1 }, review: {}, onUnavailable: 'RULES_ONLY', context: 0 });
  });

  it('reports an override with nothing to override as incomplete (it judges nothing)', () => {
    expect(classifierSettingsOf(mergeClassifiers([{ toxicity: { review: { Toxicity: 0.5 } } }]))).toEqual({ active: [], disabled: [], incomplete: ['toxicity'] });
  });

  it('gives each classifier rule settings (publicReason, strike) under its rule id', () => {
    const merged = mergeClassifiers([GLOBAL, { toxicity: { strike: true, publicReason: 'it reads as an insult' } }, { spam: { provider: 'http', url: 'https://m.example.com' } }]);
    expect(classifierRuleSettings(merged)).toEqual({
      'classifier:toxicity': { publicReason: 'it reads as an insult', strike: true },
      'classifier:spam': { publicReason: expect.any(String), strike: false },
    });
  });
});
