import { describe, expect, it } from 'vitest';
import { classifierCost, comprehendUnits, guardrailTextUnits, loadPrices, operationsFrom, pipelineCosts } from '../../bench/costs.js';
import { classifierSettingsOf } from '../../src/policy/classifiers.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../../src/policy/index.js';

const prices = loadPrices();

describe('the published prices file', () => {
  it('is dated, names its region and a source for every service', () => {
    expect(prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(prices.region).toBe('us-east-1');
    for (const service of [prices.dynamodb, prices.sqs, prices.lambda, prices.chimeSdkMessaging, prices.comprehend, prices.bedrockGuardrails]) {
      expect(service.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
    }
  });
});

describe('classifier billing units', () => {
  it('bills Comprehend per 100 characters over all segments, 3 units at least', () => {
    expect(comprehendUnits(1, prices)).toBe(3);
    expect(comprehendUnits(300, prices)).toBe(3);
    expect(comprehendUnits(301, prices)).toBe(4);
    // A message of 80 characters with five 80-character messages of context: 480 characters.
    expect(comprehendUnits(480, prices)).toBe(5);
  });

  it('bills Guardrails per text unit of up to 1,000 characters', () => {
    expect(guardrailTextUnits(1, prices)).toBe(1);
    expect(guardrailTextUnits(1_000, prices)).toBe(1);
    expect(guardrailTextUnits(1_001, prices)).toBe(2);
  });
});

describe('the pipeline cost per million messages', () => {
  it('prices the measured operations: request units, SQS requests, invocations', () => {
    const operations = operationsFrom(
      { messages: 100, writes: [{ unitsPerMessage: 4 }, { unitsPerMessage: 1 }], reads: [{ unitsPerMessage: 2 }], chime: { callbackAttempts: 100 } },
      { messages: 100, callsPerMessage: { SendMessage: 1, UpdateItem: 3 }, pollerCallsPerMessage: { ReceiveMessage: 0.25, DeleteMessageBatch: 0.25 } },
      '2026-12-07T00:00:00.000Z',
    );
    expect(operations).toMatchObject({ dynamodb: { writeUnits: 5, readUnits: 2 }, sqs: { requests: 1.5 }, lambda: { intakeInvocations: 1, workerInvocations: 0.25 }, chime: { callbacks: 1 } });
    const lines = Object.fromEntries(pipelineCosts(operations, prices).map((l) => [l.what, l.perMillion]));
    expect(lines.DynamoDB).toBeCloseTo(5 * 0.625 + 2 * 0.125, 6);
    expect(lines.SQS).toBeCloseTo(1.5 * 0.4, 6);
    expect(lines.Chime).toBe(0);
    expect(lines.Lambda).toBeGreaterThan(1.25 * 0.2);
  });
});

describe('classifier calls per message after the pre-screen', () => {
  const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
  const texts = [
    'Morning all, the deploy is done; notes are in the channel wiki.', // 63 characters: sent
    'ok', // short
    'Доброе утро, релиз уже выкатили?', // Cyrillic: Comprehend serves English only
    'Earn 10x with scamcoin today, guaranteed returns', // the default policy denies it
  ];

  it('sends only what the rules did not deny, long enough, in a served script; units with context included', () => {
    const comprehend = classifierSettingsOf({ t: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, minLength: 12, context: 2 } }).active[0]!;
    const cost = classifierCost('comprehend', comprehend, texts, policy, prices);
    expect(cost.callsPerMessage).toBe(0.25);
    expect(cost.skipped).toEqual({ SHORT: 0.25, LANGUAGE: 0.25, RULES_DENY: 0.25 });
    // The first message has no context yet: 63 characters, the 3-unit minimum.
    expect(cost.unitsPerCall).toBe(3);
    expect(cost.providerPerMillion).toBeCloseTo(0.25 * 3 * 0.0001 * 1_000_000, 6);
    expect(cost.contextReadsPerMessage).toBe(0.25);
  });

  it('sends other scripts to Guardrails, which serves them', () => {
    const guardrail = classifierSettingsOf({ g: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '1', review: { INSULTS: 'MEDIUM' }, minLength: 12 } }).active[0]!;
    const cost = classifierCost('guardrail', guardrail, texts, policy, prices);
    expect(cost.callsPerMessage).toBe(0.5);
    expect(cost.unitsPerCall).toBe(1);
    expect(cost.contextReadsPerMessage).toBe(0);
  });
});
