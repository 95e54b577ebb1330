import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApplyGuardrailCommand,
  type ApplyGuardrailCommandInput,
  BedrockRuntimeClient,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { filterBlocks, startBedrockRuntimeEmulator, type BedrockRuntimeEmulator, type BedrockRuntimeEmulatorOptions, type GuardrailConfig } from '../../src/local/bedrock/index.js';

const GUARDRAIL: GuardrailConfig = {
  id: 'chatguard1',
  versions: ['DRAFT', '1'],
  filters: { INSULTS: 'MEDIUM', HATE: 'HIGH', VIOLENCE: 'LOW', PROMPT_ATTACK: 'HIGH' },
  deniedTopics: [{ name: 'Investment advice', keywords: ['crypto tips', 'stock picks'] }],
  words: ['banana'],
  managedWordLists: ['PROFANITY'],
  pii: [
    { type: 'EMAIL', action: 'ANONYMIZED' },
    { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCKED' },
  ],
  blockedMessage: 'Blocked by the chat guardrail.',
};
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/chatguard1';

let emulator: BedrockRuntimeEmulator;
let client: BedrockRuntimeClient;
let clock: number;

async function start(options: BedrockRuntimeEmulatorOptions = {}): Promise<void> {
  clock = Date.parse('2026-12-07T04:00:00.000Z');
  emulator = await startBedrockRuntimeEmulator({ now: () => clock, guardrails: [GUARDRAIL], ...options });
  // The stock client with its default (HTTP/2) handler.
  client = new BedrockRuntimeClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

const apply = (texts: Array<string | { text: string; qualifiers: Array<'guard_content' | 'query' | 'grounding_source'> }>, extra: Partial<ApplyGuardrailCommandInput> = {}) =>
  client.send(
    new ApplyGuardrailCommand({
      guardrailIdentifier: GUARDRAIL.id,
      guardrailVersion: '1',
      source: 'INPUT',
      content: texts.map((t) => ({ text: typeof t === 'string' ? { text: t } : t })),
      ...extra,
    }),
  );

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emulator.endpoint}/_emulator/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: res.status, body: await res.json() };
}

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string; error: unknown }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, error };
  }
  throw new Error('expected the call to fail');
}

afterEach(async () => {
  client?.destroy();
  await emulator?.close();
});

describe('filter strengths', () => {
  it('block confidences as AWS documents: HIGH from LOW, MEDIUM from MEDIUM, LOW only HIGH, NONE nothing', () => {
    const levels = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
    const blocked = (s: (typeof levels)[number]) => levels.filter((c) => filterBlocks(s, c));
    expect(blocked('HIGH')).toEqual(['LOW', 'MEDIUM', 'HIGH']);
    expect(blocked('MEDIUM')).toEqual(['MEDIUM', 'HIGH']);
    expect(blocked('LOW')).toEqual(['HIGH']);
    expect(blocked('NONE')).toEqual([]);
  });
});

describe('the Bedrock runtime emulator, driven by the stock client', () => {
  beforeEach(() => start());

  it('answers NONE with no assessments of note for a harmless text, and counts text units', async () => {
    const reply = await apply(['have a nice day']);
    expect(reply.action).toBe('NONE');
    expect(reply.outputs).toEqual([]);
    expect(reply.assessments![0]!.contentPolicy).toBeUndefined();
    expect(reply.usage).toEqual({ topicPolicyUnits: 1, contentPolicyUnits: 1, wordPolicyUnits: 1, sensitiveInformationPolicyUnits: 1, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 });
  });

  it('intervenes when a filter’s strength blocks the confidence, and says so in the content policy', async () => {
    // One insult word is MEDIUM confidence in the development lexicon; INSULTS is set to MEDIUM.
    const reply = await apply(['you idiot']);
    expect(reply.action).toBe('GUARDRAIL_INTERVENED');
    expect(reply.outputs).toEqual([{ text: 'Blocked by the chat guardrail.' }]);
    expect(reply.assessments![0]!.contentPolicy!.filters).toEqual([{ type: 'INSULTS', confidence: 'MEDIUM', filterStrength: 'MEDIUM', action: 'BLOCKED', detected: true }]);
  });

  it('reports a confidence below the strength without intervening', async () => {
    // One violence word is MEDIUM; VIOLENCE is set to LOW, which blocks HIGH only.
    const reply = await apply(['I could kill for a coffee']);
    expect(reply.action).toBe('NONE');
    expect(reply.assessments![0]!.contentPolicy!.filters).toEqual([{ type: 'VIOLENCE', confidence: 'MEDIUM', filterStrength: 'LOW', action: 'NONE', detected: false }]);
  });

  it('lists every configured filter with outputScope FULL, and PROMPT_ATTACK only for INPUT', async () => {
    const input = await apply(['hello'], { outputScope: 'FULL' });
    expect(input.assessments![0]!.contentPolicy!.filters!.map((f) => [f.type, f.confidence])).toEqual([
      ['INSULTS', 'NONE'],
      ['HATE', 'NONE'],
      ['VIOLENCE', 'NONE'],
      ['PROMPT_ATTACK', 'NONE'],
    ]);
    const output = await apply(['hello'], { outputScope: 'FULL', source: 'OUTPUT' });
    expect(output.assessments![0]!.contentPolicy!.filters!.map((f) => f.type)).not.toContain('PROMPT_ATTACK');
  });

  it('judges denied topics by keyword, words, the managed profanity list and PII', async () => {
    const topic = await apply(['any crypto tips for me?'], { outputScope: 'FULL' });
    expect(topic.action).toBe('GUARDRAIL_INTERVENED');
    expect(topic.assessments![0]!.topicPolicy!.topics).toEqual([{ name: 'Investment advice', type: 'DENY', action: 'BLOCKED', detected: true }]);

    const words = await apply(['a banana, damn it']);
    expect(words.assessments![0]!.wordPolicy).toEqual({ customWords: [{ match: 'banana', action: 'BLOCKED', detected: true }], managedWordLists: [{ match: 'damn', type: 'PROFANITY', action: 'BLOCKED', detected: true }] });

    const anonymized = await apply(['write to me at ann@example.com']);
    expect(anonymized.action).toBe('GUARDRAIL_INTERVENED');
    expect(anonymized.outputs).toEqual([{ text: 'write to me at {EMAIL}' }]);
    expect(anonymized.assessments![0]!.sensitiveInformationPolicy!.piiEntities).toEqual([{ match: 'ann@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true }]);

    const blocked = await apply(['my ssn is 123-45-6789']);
    expect(blocked.outputs).toEqual([{ text: 'Blocked by the chat guardrail.' }]);
  });

  it('judges only the guard_content blocks when there are any, reading the others as context', async () => {
    const reply = await apply(['you idiot', 'earlier', { text: 'have a nice day', qualifiers: ['guard_content'] }]);
    expect(reply.action).toBe('NONE');
    expect(reply.guardrailCoverage!.textCharacters).toEqual({ guarded: 15, total: 15 + 9 + 7 });
    const judged = await apply(['have a nice day', { text: 'you idiot', qualifiers: ['guard_content'] }]);
    expect(judged.action).toBe('GUARDRAIL_INTERVENED');
  });

  it('counts one text unit per started 1,000 characters of each judged block', async () => {
    const reply = await apply([{ text: 'a'.repeat(2_001), qualifiers: ['guard_content'] }, { text: 'b', qualifiers: ['guard_content'] }]);
    expect(reply.usage!.contentPolicyUnits).toBe(4);
  });

  it('names a guardrail by id or ARN, and only at the versions it has', async () => {
    expect((await apply(['hi'], { guardrailIdentifier: ARN, guardrailVersion: 'DRAFT' })).action).toBe('NONE');
    const unknownVersion = await failure(apply(['hi'], { guardrailVersion: '2' }));
    expect(unknownVersion.error).toBeInstanceOf(ResourceNotFoundException);
    expect(unknownVersion.status).toBe(404);
    expect((await failure(apply(['hi'], { guardrailIdentifier: 'nosuchguardrail' }))).error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers ValidationException for the model’s patterns and enums', async () => {
    const cases: Array<[Partial<ApplyGuardrailCommandInput>, string]> = [
      [{ guardrailIdentifier: 'Not_An_Id' }, "at 'guardrailIdentifier'"],
      [{ guardrailVersion: 'v1' }, "at 'guardrailVersion'"],
      [{ source: 'BOTH' as never }, "at 'source'"],
      [{ outputScope: 'SOME' as never }, "at 'outputScope'"],
      [{ content: [{ text: { text: 'x', qualifiers: ['context' as never] } }] }, 'qualifiers'],
    ];
    for (const [extra, where] of cases) {
      const f = await failure(apply(['hi'], extra));
      expect(f.error).toBeInstanceOf(ValidationException);
      expect(f.status).toBe(400);
      expect(f.message).toContain(where);
    }
  });

  it('gives a block equal to a fixture the fixture’s confidences, and `intervene` forces the action', async () => {
    await control('POST', 'fixtures', { text: 'nobody would notice if you vanished', filters: { INSULTS: 'HIGH' } });
    const reply = await apply(['nobody would notice if you vanished']);
    expect(reply.action).toBe('GUARDRAIL_INTERVENED');
    expect(reply.assessments![0]!.contentPolicy!.filters).toEqual([{ type: 'INSULTS', confidence: 'HIGH', filterStrength: 'MEDIUM', action: 'BLOCKED', detected: true }]);

    await control('POST', 'fixtures', { text: 'a quiet threat', filters: {}, intervene: true });
    expect((await apply(['a quiet threat'])).action).toBe('GUARDRAIL_INTERVENED');
    await control('POST', 'fixtures', { text: 'you idiot', filters: { INSULTS: 'HIGH' }, intervene: false });
    expect((await apply(['you idiot'])).action).toBe('NONE');

    await control('DELETE', 'fixtures');
    expect((await apply(['a quiet threat'])).action).toBe('NONE');
    expect(await control('POST', 'fixtures', { text: 'x', filters: { RUDENESS: 'HIGH' } })).toMatchObject({ status: 400 });
  });

  it('takes guardrails live from POST /_emulator/guardrails, and refuses a bad one', async () => {
    expect((await failure(apply(['hi'], { guardrailIdentifier: 'newone', guardrailVersion: '3' }))).error).toBeInstanceOf(ResourceNotFoundException);
    expect((await control('POST', 'guardrails', { id: 'newone', versions: ['3'], filters: { INSULTS: 'HIGH' } })).status).toBe(200);
    expect((await apply(['hi'], { guardrailIdentifier: 'newone', guardrailVersion: '3' })).action).toBe('NONE');
    expect(await control('POST', 'guardrails', { id: 'Bad Id' })).toMatchObject({ status: 400 });
    expect(await control('POST', 'guardrails', { id: 'ok', versions: ['v1'] })).toMatchObject({ status: 400 });
    expect(await control('POST', 'guardrails', { id: 'ok', filters: { INSULTS: 'EXTREME' } })).toMatchObject({ status: 400 });
  });

  it('lists the calls it received, in order, with their blocks and outcome', async () => {
    await apply(['before', { text: 'now', qualifiers: ['guard_content'] }]);
    await failure(apply(['x'], { guardrailVersion: '9' }));
    const { body } = await control('GET', 'calls');
    expect(body).toEqual([
      { operation: 'ApplyGuardrail', guardrailIdentifier: 'chatguard1', guardrailVersion: '1', source: 'INPUT', segments: ['before', 'now'], qualifiers: [[], ['guard_content']], at: '2026-12-07T04:00:00.000Z', outcome: 'OK', action: 'NONE' },
      { operation: 'ApplyGuardrail', guardrailIdentifier: 'chatguard1', guardrailVersion: '9', source: 'INPUT', segments: ['x'], qualifiers: [[]], at: '2026-12-07T04:00:00.000Z', outcome: 'ResourceNotFoundException' },
    ]);
    await control('DELETE', 'calls');
    expect(emulator.calls()).toEqual([]);
  });

  it('answers ThrottlingException (429) and ServiceUnavailableException (503) on faults set live', async () => {
    await control('POST', 'faults', { throttleRate: 1 });
    expect(await failure(apply(['a']))).toMatchObject({ status: 429, error: expect.any(ThrottlingException) });
    await control('POST', 'faults', { throttleRate: 0, unavailableRate: 1 });
    expect(await failure(apply(['a']))).toMatchObject({ status: 503, error: expect.any(ServiceUnavailableException) });
    await control('POST', 'faults', { unavailableRate: 0, latencyMs: 2_000 });
    const slow = await failure(client.send(new ApplyGuardrailCommand({ guardrailIdentifier: GUARDRAIL.id, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'a' } }] }), { abortSignal: AbortSignal.timeout(50) }));
    expect(slow.name).toMatch(/AbortError|TimeoutError/);
  });

  it('admits 25 requests per second by default and answers the rest ThrottlingException', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => apply([`burst ${i}`])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(25);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ThrottlingException)).toHaveLength(5);
  });

  it('takes a new quota live, and admits again a second after the admitted requests', async () => {
    await control('POST', 'quota', { requestsPerSecond: 2 });
    await apply(['a']);
    await apply(['b']);
    expect((await failure(apply(['c']))).error).toBeInstanceOf(ThrottlingException);
    clock += 1_000;
    expect((await apply(['d'])).action).toBe('NONE');
    expect(emulator.calls().map((c) => c.outcome)).toEqual(['OK', 'OK', 'ThrottlingException', 'OK']);
  });

  it('takes a quota at start', async () => {
    client.destroy();
    await emulator.close();
    await start({ quota: 1 });
    await apply(['a']);
    expect((await failure(apply(['b']))).error).toBeInstanceOf(ThrottlingException);
  });
});
