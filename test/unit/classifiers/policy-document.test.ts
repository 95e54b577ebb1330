/**
 * The classifiers section inside the policy document: validated per scope like every section
 * (scopedDocumentIssues, POLICY_FILE's schema), merged with the chain (mergeLayers), and each
 * classifier a rule of its own for notices and strikes (mergeCommunity → communityPolicyOf).
 */
import { describe, expect, it } from 'vitest';
import { communityPolicyOf } from '../../../src/policy/community.js';
import { classifierSettingsOf } from '../../../src/policy/classifiers.js';
import { ENTRY_KEYS, effectivePolicies, mergeCommunity, mergeLayers, type PolicyLayer } from '../../../src/policy/merge.js';
import { PolicyDocumentSchema, scopedDocumentIssues, scopedPolicyDocumentJsonSchema, type ScopedPolicyDocument } from '../../../src/policy/schema.js';
import { rulesPublicReason, strikeOf } from '../../../src/notices/compose.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/kids`;
const layer = (scope: string, document: ScopedPolicyDocument, version = 1): PolicyLayer => ({ scope, version, mode: document.mode ?? 'enforce', document });

const EXAMPLE: ScopedPolicyDocument = {
  classifiers: { toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 }, onUnavailable: 'REVIEW', context: 5 } },
};
const issuesOf = (document: unknown, kind: 'global' | 'app-instance' | 'channel' = 'channel') => scopedDocumentIssues(document, kind, ENTRY_KEYS);

describe('the classifiers section in a policy document', () => {
  it('accepts the issue’s example at every scope kind, and in POLICY_FILE', () => {
    for (const kind of ['global', 'app-instance', 'channel'] as const) expect(issuesOf(EXAMPLE, kind)).toEqual([]);
    expect(PolicyDocumentSchema.safeParse(EXAMPLE).success).toBe(true);
    expect(issuesOf({ classifiers: false })).toEqual([]);
  });

  it('names the field of an unknown provider, a threshold out of 0–1, a missing guardrail id', () => {
    expect(issuesOf({ classifiers: { toxicity: { provider: 'perspective' } } })).toEqual([{ path: ['classifiers', 'toxicity', 'provider'], message: 'must be one of comprehend-toxicity, bedrock-guardrail, http' }]);
    expect(issuesOf({ classifiers: { toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 1.2 } } } })).toEqual([{ path: ['classifiers', 'toxicity', 'review', 'Toxicity'], message: 'must be between 0 and 1' }]);
    expect(issuesOf({ classifiers: { guard: { provider: 'bedrock-guardrail', guardrailVersion: '1', deny: { VIOLENCE: 'HIGH' } } } })).toEqual([{ path: ['classifiers', 'guard', 'guardrailId'], message: 'is required for provider bedrock-guardrail' }]);
    expect(PolicyDocumentSchema.safeParse({ classifiers: { toxicity: { provider: 'perspective' } } }).success).toBe(false);
  });

  it('refuses a classifier’s public reason that echoes the document’s own blocklist', () => {
    expect(issuesOf({ terms: { block: ['zorblax'] }, classifiers: { toxicity: { provider: 'comprehend-toxicity', publicReason: 'it mentions zorblax' } } })).toEqual([
      { path: ['classifiers', 'toxicity', 'publicReason'], message: expect.stringMatching(/^must not contain a blocked term/) },
    ]);
  });

  it('is in the OpenAPI document’s JSON Schema', () => {
    const schema = scopedPolicyDocumentJsonSchema() as { properties: Record<string, unknown> };
    expect(JSON.stringify(schema.properties.classifiers)).toMatch(/comprehend-toxicity/);
  });
});

describe('classifiers through the chain', () => {
  it('merges global → channel: a channel switches the classifier off, another channel keeps it', () => {
    const global = layer('global', EXAMPLE);
    expect(classifierSettingsOf(mergeLayers([global]).classifiers).active.map((c) => c.name)).toEqual(['toxicity']);
    expect(classifierSettingsOf(mergeLayers([global, layer(CHANNEL, { classifiers: { toxicity: { enabled: false } } })]).classifiers).active).toEqual([]);
  });

  it('leaves a shadow-mode scope’s classifiers out of the applied policy', () => {
    const effective = effectivePolicies([layer('global', {}), layer(CHANNEL, { mode: 'shadow', ...EXAMPLE })]);
    expect(classifierSettingsOf(effective.applied.classifiers).active).toEqual([]);
    expect(classifierSettingsOf(effective.shadow!.classifiers).active).toHaveLength(1);
  });

  it('gives each classifier a rule of its own: its publicReason in notices, its strike on a DENY', () => {
    const documents: ScopedPolicyDocument[] = [EXAMPLE, { classifiers: { toxicity: { strike: true, publicReason: 'it reads as a threat' } } }];
    const community = communityPolicyOf(mergeCommunity(documents));
    expect(community.rules['classifier:toxicity']).toEqual({ publicReason: 'it reads as a threat', strike: true });
    expect(rulesPublicReason(community, ['classifier:toxicity'])).toBe('it reads as a threat');
    const decision = { action: 'DENY' as const, origin: 'AUTO' as const, actor: { id: 'policy' }, reason: 'x', ruleIds: ['classifier:toxicity'], decidedAt: '2026-12-07T00:00:00.000Z' };
    const strike = strikeOf(community, { callbackId: 'c'.repeat(40), decision, message: { messageId: 'm', channelArn: CHANNEL, content: 'x', sender: { arn: `${APP}/user/u` } } }, APP);
    expect(strike?.source).toEqual({ kind: 'rule', callbackId: 'c'.repeat(40), ruleIds: ['classifier:toxicity'] });
    // Without strike: true a classifier's DENY is not a strike.
    expect(strikeOf(communityPolicyOf(mergeCommunity([EXAMPLE])), { callbackId: 'c'.repeat(40), decision, message: { messageId: 'm', channelArn: CHANNEL, content: 'x', sender: { arn: `${APP}/user/u` } } }, APP)).toBeUndefined();
  });
});
