import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComprehendClient, DetectToxicContentCommand, TextSizeLimitExceededException, TooManyRequestsException, UnsupportedLanguageException } from '@aws-sdk/client-comprehend';
import { startComprehendEmulator, type ComprehendCall, type ComprehendEmulator, type ComprehendEmulatorOptions } from '../../src/local/comprehend/index.js';

const LABELS = ['PROFANITY', 'HATE_SPEECH', 'INSULT', 'GRAPHIC', 'HARASSMENT_OR_ABUSE', 'SEXUAL', 'VIOLENCE_OR_THREAT'];

let emulator: ComprehendEmulator;
let client: ComprehendClient;
/** The emulator's clock: fixed unless a test moves it, so the quota window is deterministic. */
let clock: number;

async function start(options: ComprehendEmulatorOptions = {}): Promise<void> {
  clock = Date.parse('2026-12-07T04:00:00.000Z');
  emulator = await startComprehendEmulator({ now: () => clock, ...options });
  client = new ComprehendClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

const detect = (texts: string[], LanguageCode: 'en' | 'es' = 'en') => client.send(new DetectToxicContentCommand({ LanguageCode, TextSegments: texts.map((Text) => ({ Text })) }));

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

describe('the Comprehend emulator, driven by the stock client', () => {
  beforeEach(() => start());

  it('answers one result per segment, in order, with the seven labels and a Toxicity', async () => {
    const reply = await detect(['have a nice day', 'you stupid idiot', 'nobody would miss you']);
    expect(reply.ResultList).toHaveLength(3);
    for (const r of reply.ResultList!) expect(r.Labels!.map((l) => l.Name)).toEqual(LABELS);
    const [nice, insult, harassment] = reply.ResultList!;
    expect(nice!.Toxicity).toBe(0.02);
    // The development lexicon: two insult words → 0.86; a harassment phrase counts twice → 0.86.
    expect(insult!.Labels!.find((l) => l.Name === 'INSULT')!.Score).toBe(0.86);
    expect(insult!.Toxicity).toBe(0.86);
    expect(harassment!.Labels!.find((l) => l.Name === 'HARASSMENT_OR_ABUSE')!.Score).toBe(0.86);
  });

  it('scores the same text the same way every time', async () => {
    const a = await detect(['you will pay, loser']);
    const b = await detect(['you will pay, loser']);
    expect(b.ResultList).toEqual(a.ResultList);
  });

  it('gives a segment equal to a fixture the fixture’s scores, other labels 0, until fixtures are cleared', async () => {
    const set = await control('POST', 'fixtures', { text: 'a threat with no blocked word', toxicity: 0.97, labels: { INSULT: 0.95 } });
    expect(set.status).toBe(200);
    const reply = await detect(['hello', 'a threat with no blocked word']);
    const fixed = reply.ResultList![1]!;
    expect(fixed.Toxicity).toBe(0.97);
    expect(Object.fromEntries(fixed.Labels!.map((l) => [l.Name, l.Score]))).toEqual({ PROFANITY: 0, HATE_SPEECH: 0, INSULT: 0.95, GRAPHIC: 0, HARASSMENT_OR_ABUSE: 0, SEXUAL: 0, VIOLENCE_OR_THREAT: 0 });
    expect(reply.ResultList![0]!.Toxicity).toBe(0.02);

    expect((await control('DELETE', 'fixtures')).body).toEqual([]);
    expect((await detect(['a threat with no blocked word'])).ResultList![0]!.Toxicity).toBe(0.02);
  });

  it('refuses a bad fixture with 400 and the field', async () => {
    expect(await control('POST', 'fixtures', { text: 'x', toxicity: 1.5 })).toMatchObject({ status: 400, body: { message: expect.stringContaining('toxicity') } });
    expect(await control('POST', 'fixtures', { text: 'x', toxicity: 0.5, labels: { RUDE: 0.5 } })).toMatchObject({ status: 400, body: { message: expect.stringContaining('RUDE') } });
    expect((await control('GET', 'fixtures')).body).toEqual([]);
  });

  describe('the model’s limits', () => {
    it('takes 10 segments of exactly 1 KB of UTF-8 (10 KB in all)', async () => {
      const kb = '€'.repeat(341) + 'a'; // 341 × 3 + 1 = 1,024 bytes
      const reply = await detect(Array.from({ length: 10 }, () => kb));
      expect(reply.ResultList).toHaveLength(10);
    });

    it('answers TextSizeLimitExceededException for 11 segments', async () => {
      const f = await failure(detect(Array.from({ length: 11 }, (_, i) => `segment ${i}`)));
      expect(f.error).toBeInstanceOf(TextSizeLimitExceededException);
      expect(f.status).toBe(400);
    });

    it('counts a segment’s size in UTF-8 bytes, not characters', async () => {
      const f = await failure(detect(['€'.repeat(342)])); // 342 characters, 1,026 bytes
      expect(f.error).toBeInstanceOf(TextSizeLimitExceededException);
      expect(f.message).toContain('1026 bytes');
    });

    it('answers UnsupportedLanguageException for a language of the enum other than en', async () => {
      const f = await failure(detect(['hola'], 'es'));
      expect(f.error).toBeInstanceOf(UnsupportedLanguageException);
    });

    it('answers ValidationException, as AWS JSON services do, for shape violations', async () => {
      const cases: Array<[unknown, string]> = [
        [{ LanguageCode: 'en', TextSegments: [] }, "at 'textSegments'"],
        [{ LanguageCode: 'en', TextSegments: [{ Text: '' }] }, "at 'textSegments.1.member.text'"],
        [{ LanguageCode: 'xx', TextSegments: [{ Text: 'a' }] }, "at 'languageCode'"],
        [{ TextSegments: [{ Text: 'a' }] }, "Value null at 'languageCode'"],
      ];
      for (const [input, where] of cases) {
        const f = await failure(client.send(new DetectToxicContentCommand(input as never)));
        expect(f.name).toBe('ValidationException');
        expect(f.status).toBe(400);
        expect(f.message).toContain(where);
      }
    });
  });

  describe('the call log', () => {
    it('lists every call with its operation, segments, language, time and outcome; DELETE clears it', async () => {
      await detect(['first', 'second']);
      await failure(detect(['hola'], 'es'));
      const { body } = await control('GET', 'calls');
      expect(body).toEqual<ComprehendCall[]>([
        { operation: 'DetectToxicContent', segments: ['first', 'second'], language: 'en', at: '2026-12-07T04:00:00.000Z', outcome: 'OK' },
        { operation: 'DetectToxicContent', segments: ['hola'], language: 'es', at: '2026-12-07T04:00:00.000Z', outcome: 'UnsupportedLanguageException' },
      ]);
      expect(emulator.calls()).toHaveLength(2);
      await control('DELETE', 'calls');
      expect((await control('GET', 'calls')).body).toEqual([]);
    });

    it('answers an operation it does not implement with UnknownOperationException', async () => {
      const res = await fetch(emulator.endpoint, { method: 'POST', headers: { 'x-amz-target': 'Comprehend_20171127.DetectSentiment', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });
  });

  describe('faults, set live', () => {
    it('throttles every call at throttleRate 1 and fails them 503 at unavailableRate 1', async () => {
      expect((await control('POST', 'faults', { throttleRate: 1 })).body).toEqual({ throttleRate: 1, unavailableRate: 0, latencyMs: 0 });
      expect((await failure(detect(['a']))).error).toBeInstanceOf(TooManyRequestsException);
      await control('POST', 'faults', { throttleRate: 0, unavailableRate: 1 });
      const f = await failure(detect(['a']));
      expect(f).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
      await control('POST', 'faults', { unavailableRate: 0 });
      expect((await detect(['a'])).ResultList).toHaveLength(1);
      expect(emulator.calls().map((c) => c.outcome)).toEqual(['TooManyRequestsException', 'ServiceUnavailableException', 'OK']);
    });

    it('holds the answer for latencyMs, so a caller’s deadline passes first', async () => {
      await control('POST', 'faults', { latencyMs: 2_000 });
      const f = await failure(client.send(new DetectToxicContentCommand({ LanguageCode: 'en', TextSegments: [{ Text: 'slow' }] }), { abortSignal: AbortSignal.timeout(50) }));
      expect(f.name).toMatch(/AbortError|TimeoutError/);
    });

    it('refuses an out-of-range fault with 400 and keeps the faults as they were', async () => {
      expect(await control('POST', 'faults', { throttleRate: 2 })).toMatchObject({ status: 400 });
      expect(await control('POST', 'faults', { flakiness: 1 })).toMatchObject({ status: 400 });
      expect((await control('GET', 'faults')).body).toEqual({ throttleRate: 0, unavailableRate: 0, latencyMs: 0 });
    });
  });

  describe('the quota (sliding one-second window over admitted requests)', () => {
    it('admits 25 requests per second by default and throttles the rest with TooManyRequestsException', async () => {
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => detect([`burst ${i}`])));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const throttled = results.filter((r) => r.status === 'rejected' && r.reason instanceof TooManyRequestsException);
      expect(ok).toHaveLength(25);
      expect(throttled).toHaveLength(5);
      expect(emulator.calls().filter((c) => c.outcome === 'TooManyRequestsException')).toHaveLength(5);
    });

    it('admits again once a second has passed since the admitted requests, and not before', async () => {
      await control('POST', 'quota', { requestsPerSecond: 3 });
      for (let i = 0; i < 3; i += 1) await detect(['x']);
      clock += 999;
      expect((await failure(detect(['x']))).error).toBeInstanceOf(TooManyRequestsException);
      clock += 1;
      expect((await detect(['x'])).ResultList).toHaveLength(1);
    });

    it('takes a quota at start and answers ThrottlingException when told to', async () => {
      client.destroy();
      await emulator.close();
      await start({ quota: 2, throttleError: 'ThrottlingException' });
      await detect(['a']);
      await detect(['b']);
      expect(await failure(detect(['c']))).toMatchObject({ name: 'ThrottlingException', status: 400 });
      expect((await control('GET', 'quota')).body).toMatchObject({ requestsPerSecond: 2 });
    });

    it('refuses a quota that is not a positive integer', async () => {
      expect(await control('POST', 'quota', { requestsPerSecond: 0 })).toMatchObject({ status: 400 });
      expect(await control('POST', 'quota', { requestsPerSecond: 2.5 })).toMatchObject({ status: 400 });
    });
  });
});
