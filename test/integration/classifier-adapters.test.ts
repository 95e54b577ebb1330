/**
 * The provider adapters (src/adapters/classifier-comprehend.ts, classifier-bedrock.ts,
 * classifier-http.ts) through the stock SDK clients against the local emulators, and the http
 * provider against a tiny local server: scores, context order and trimming, units, and every
 * failure mapped to an answer.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockGuardrailProvider } from '../../src/adapters/classifier-bedrock.js';
import { createClassifierClients, destroyClassifierClients, type ClassifierClients } from '../../src/adapters/classifier-clients.js';
import { comprehendUnits, ComprehendToxicityProvider, fitSegments } from '../../src/adapters/classifier-comprehend.js';
import { HttpClassifierProvider } from '../../src/adapters/classifier-http.js';
import type { ClassifyAnswer, ClassifyRequest } from '../../src/classifiers/ports.js';
import { startBedrockRuntimeEmulator, type BedrockRuntimeEmulator } from '../../src/local/bedrock/index.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';

const soon = (ms = 5_000) => Date.now() + ms;
const ask = (text: string, context: string[] = [], answerBy = soon()): ClassifyRequest => ({ text, context, answerBy });
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** A port where nothing listens (a server opened and closed). */
async function deadPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A server that answers 200 with a body that is not JSON. */
async function garbageServer(): Promise<{ endpoint: string; server: Server }> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('<html>proxy error</html>'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A server that accepts a connection and resets it without answering. */
async function resettingServer(): Promise<{ endpoint: string; server: NetServer }> {
  const server = createNetServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const clientsFor = (endpoints: { comprehend?: string; bedrockRuntime?: string }) =>
  createClassifierClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints });

function expectUnavailable(answer: ClassifyAnswer, reason: string): void {
  expect(answer).toMatchObject({ kind: 'UNAVAILABLE', reason });
}

describe('fitting a Comprehend request to the limits', () => {
  it('keeps the context in order, oldest first, with the message last', () => {
    expect(fitSegments('now', ['one', 'two'])).toEqual({ segments: ['one', 'two', 'now'], messageSegments: 1, contextKept: 2 });
  });

  it('drops the oldest context beyond 10 segments', () => {
    const context = Array.from({ length: 12 }, (_, i) => `m${i}`);
    expect(fitSegments('now', context)!.segments).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'now']);
  });

  it('splits a message longer than 1 KB into consecutive segments and never cuts it', () => {
    const message = '€'.repeat(1_000); // 3,000 bytes
    const fit = fitSegments(message, ['before'])!;
    expect(fit.messageSegments).toBe(3);
    expect(fit.segments.slice(1).join('')).toBe(message);
    for (const s of fit.segments) expect(bytes(s)).toBeLessThanOrEqual(1_024);
  });

  it('keeps the last 1 KB of a long context message and drops the oldest to stay within 10 KB', () => {
    const long = 'x'.repeat(500) + 'y'.repeat(1_024);
    expect(fitSegments('now', [long])!.segments[0]).toBe('y'.repeat(1_024));
    const kb = 'z'.repeat(1_024);
    const fit = fitSegments('a'.repeat(1_024 * 3), Array.from({ length: 9 }, () => kb))!;
    expect(fit.segments.reduce((n, s) => n + bytes(s), 0)).toBeLessThanOrEqual(10 * 1_024);
    expect(fit.contextKept).toBe(7);
  });

  it('counts 100-character units with a minimum of 3 per request', () => {
    expect(comprehendUnits(['short'])).toBe(3);
    expect(comprehendUnits(['a'.repeat(250), 'b'.repeat(51)])).toBe(4);
    expect(comprehendUnits(['a'.repeat(1_000)])).toBe(10);
  });
});

describe('the Comprehend provider against the emulator', () => {
  let emulator: ComprehendEmulator;
  let clients: ClassifierClients;
  let provider: ComprehendToxicityProvider;

  beforeEach(async () => {
    emulator = await startComprehendEmulator({ quota: 1_000 });
    clients = clientsFor({ comprehend: emulator.endpoint });
    provider = new ComprehendToxicityProvider(clients.comprehend);
  });
  afterEach(async () => {
    destroyClassifierClients(clients);
    await emulator.close();
  });

  it('answers the message’s scores from a fixture, with the model and units', async () => {
    emulator.addFixture({ text: 'nobody would notice if you vanished', toxicity: 0.97, labels: { INSULT: 0.95 } });
    const answer = await provider.classify(ask('nobody would notice if you vanished', ['hi', 'how are you']));
    expect(answer).toMatchObject({ kind: 'SCORED', model: 'comprehend:DetectToxicContent', units: 3 });
    if (answer.kind !== 'SCORED') throw new Error('unreachable');
    expect(answer.scores).toEqual({ Toxicity: 0.97, PROFANITY: 0, HATE_SPEECH: 0, INSULT: 0.95, GRAPHIC: 0, HARASSMENT_OR_ABUSE: 0, SEXUAL: 0, VIOLENCE_OR_THREAT: 0 });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('sends the context as earlier segments, in order, and scores the message alone', async () => {
    const answer = await provider.classify(ask('have a nice day', ['you stupid idiot', 'sorry']));
    expect(emulator.calls().map((c) => c.segments)).toEqual([['you stupid idiot', 'sorry', 'have a nice day']]);
    expect(answer).toMatchObject({ kind: 'SCORED', scores: { Toxicity: 0.02, INSULT: 0.02 } });
  });

  it('drops the oldest context and splits a long message so the request fits, and bills what was sent', async () => {
    const context = Array.from({ length: 12 }, (_, i) => `context message ${i}`);
    const message = 'idiot '.repeat(300); // 1,800 bytes: two segments
    const answer = await provider.classify(ask(message, context));
    const [call] = emulator.calls();
    expect(call!.segments).toHaveLength(10);
    expect(call!.segments.slice(0, 8)).toEqual(context.slice(4));
    expect(call!.segments.slice(8).join('')).toBe(message);
    const chars = call!.segments.reduce((n, s) => n + s.length, 0);
    expect(answer).toMatchObject({ kind: 'SCORED', units: Math.ceil(chars / 100), scores: { INSULT: 0.72 } });
  });

  it('takes the highest score over the message’s segments', async () => {
    emulator.addFixture({ text: 'b'.repeat(1_024), toxicity: 0.9, labels: { SEXUAL: 0.9 } });
    const answer = await provider.classify(ask('a'.repeat(1_024) + 'b'.repeat(1_024)));
    expect(answer).toMatchObject({ kind: 'SCORED', scores: { Toxicity: 0.9, SEXUAL: 0.9 } });
  });

  it('maps throttling to UNAVAILABLE/THROTTLED, from a fault and from the quota', async () => {
    emulator.setFaults({ throttleRate: 1 });
    expectUnavailable(await provider.classify(ask('a')), 'THROTTLED');
    emulator.setFaults({ throttleRate: 0 });
    emulator.setQuota(1);
    expect((await provider.classify(ask('a'))).kind).toBe('SCORED');
    expectUnavailable(await provider.classify(ask('b')), 'THROTTLED');
  });

  it('maps ThrottlingException, which AWS’s front door may answer, to THROTTLED too', async () => {
    const other = await startComprehendEmulator({ quota: 1_000, throttleError: 'ThrottlingException', faults: { throttleRate: 1 } });
    const c = clientsFor({ comprehend: other.endpoint });
    try {
      expectUnavailable(await new ComprehendToxicityProvider(c.comprehend).classify(ask('a')), 'THROTTLED');
    } finally {
      destroyClassifierClients(c);
      await other.close();
    }
  });

  it('maps a 503 to UNAVAILABLE/FAULT and makes one attempt only', async () => {
    emulator.setFaults({ unavailableRate: 1 });
    expectUnavailable(await provider.classify(ask('a')), 'FAULT');
    expect(emulator.calls()).toHaveLength(1);
  });

  it('answers UNAVAILABLE/TIMEOUT when the deadline passes during the call', async () => {
    emulator.setFaults({ latencyMs: 2_000 });
    expectUnavailable(await provider.classify(ask('a', [], Date.now() + 100)), 'TIMEOUT');
  });

  it('answers UNAVAILABLE/TIMEOUT without calling when the deadline has passed', async () => {
    expectUnavailable(await provider.classify(ask('a', [], Date.now() - 1)), 'TIMEOUT');
    expect(emulator.calls()).toHaveLength(0);
  });

  it('maps a refused language to REFUSED', async () => {
    const spanish = new ComprehendToxicityProvider(clients.comprehend, { languageCode: 'es' as 'en' });
    expect(await spanish.classify(ask('hola'))).toMatchObject({ kind: 'REFUSED', errorType: 'UnsupportedLanguageException' });
  });

  it('refuses a message larger than 10 KB, and an empty one, without calling', async () => {
    expect(await provider.classify(ask('a'.repeat(10 * 1_024 + 1)))).toMatchObject({ kind: 'REFUSED', errorType: 'TextSizeLimitExceededException' });
    expect(await provider.classify(ask(''))).toMatchObject({ kind: 'REFUSED' });
    expect(emulator.calls()).toHaveLength(0);
  });

  it('maps a 200 it cannot read to UNAVAILABLE/FAULT, not REFUSED', async () => {
    const garbage = await garbageServer();
    const c = clientsFor({ comprehend: garbage.endpoint });
    try {
      expectUnavailable(await new ComprehendToxicityProvider(c.comprehend).classify(ask('a')), 'FAULT');
    } finally {
      destroyClassifierClients(c);
      garbage.server.closeAllConnections();
      await new Promise<void>((r) => garbage.server.close(() => r()));
    }
  });

  it('maps a refused connection and a reset connection to UNAVAILABLE/FAULT', async () => {
    const refusedClients = clientsFor({ comprehend: `http://127.0.0.1:${await deadPort()}` });
    const reset = await resettingServer();
    const resetClients = clientsFor({ comprehend: reset.endpoint });
    try {
      expectUnavailable(await new ComprehendToxicityProvider(refusedClients.comprehend).classify(ask('a')), 'FAULT');
      expectUnavailable(await new ComprehendToxicityProvider(resetClients.comprehend).classify(ask('a')), 'FAULT');
    } finally {
      destroyClassifierClients(refusedClients);
      destroyClassifierClients(resetClients);
      await new Promise<void>((r) => reset.server.close(() => r()));
    }
  });
});

describe('the Bedrock guardrail provider against the emulator', () => {
  let emulator: BedrockRuntimeEmulator;
  let clients: ClassifierClients;
  let provider: BedrockGuardrailProvider;

  beforeEach(async () => {
    emulator = await startBedrockRuntimeEmulator({
      quota: 1_000,
      guardrails: [{ id: 'chatguard1', versions: ['DRAFT', '2'], filters: { INSULTS: 'MEDIUM', HATE: 'HIGH', VIOLENCE: 'LOW' }, deniedTopics: [{ name: 'Investment advice', keywords: ['stock picks'] }], pii: [{ type: 'EMAIL', action: 'ANONYMIZED' }] }],
    });
    clients = clientsFor({ bedrockRuntime: emulator.endpoint });
    provider = new BedrockGuardrailProvider(clients.bedrockRuntime, { id: 'chatguard1', version: '2' });
  });
  afterEach(async () => {
    destroyClassifierClients(clients);
    await emulator.close();
  });

  it('maps confidences to scores with the levels kept, and reports the intervention', async () => {
    emulator.addFixture({ text: 'nobody would notice if you vanished', filters: { INSULTS: 'HIGH', VIOLENCE: 'LOW' } });
    const answer = await provider.classify(ask('nobody would notice if you vanished'));
    expect(answer).toEqual({
      kind: 'SCORED',
      scores: { INSULTS: 1, HATE: 0, VIOLENCE: 1 / 3 },
      levels: { INSULTS: 'HIGH', HATE: 'NONE', VIOLENCE: 'LOW' },
      intervened: true,
      model: 'guardrail:chatguard1:2',
      latencyMs: expect.any(Number),
      units: 1,
    });
  });

  it('scores denied topics and PII as 1, and answers intervened false when nothing is blocked', async () => {
    const topic = await provider.classify(ask('any stock picks?'));
    expect(topic).toMatchObject({ kind: 'SCORED', intervened: true, scores: { 'TOPIC:Investment advice': 1 } });
    const pii = await provider.classify(ask('mail ann@example.com'));
    expect(pii).toMatchObject({ kind: 'SCORED', intervened: true, scores: { 'PII:EMAIL': 1 } });
    expect(await provider.classify(ask('have a nice day'))).toMatchObject({ kind: 'SCORED', intervened: false, scores: { INSULTS: 0 } });
  });

  it('sends the context as earlier blocks and marks the message guard_content, so the context is read and not judged', async () => {
    const answer = await provider.classify(ask('have a nice day', ['you idiot', 'sorry']));
    const [call] = emulator.calls();
    expect(call).toMatchObject({ guardrailIdentifier: 'chatguard1', guardrailVersion: '2', source: 'INPUT', segments: ['you idiot', 'sorry', 'have a nice day'], qualifiers: [[], [], ['guard_content']] });
    expect(answer).toMatchObject({ kind: 'SCORED', intervened: false });
  });

  it('takes the units from usage: one per started 1,000 characters of the message', async () => {
    expect(await provider.classify(ask('a'.repeat(2_500), ['b'.repeat(3_000)]))).toMatchObject({ kind: 'SCORED', units: 3 });
  });

  it('maps throttling (fault and quota) to THROTTLED, 503 to FAULT, a slow answer to TIMEOUT', async () => {
    emulator.setFaults({ throttleRate: 1 });
    expectUnavailable(await provider.classify(ask('a')), 'THROTTLED');
    emulator.setFaults({ throttleRate: 0, unavailableRate: 1 });
    expectUnavailable(await provider.classify(ask('a')), 'FAULT');
    emulator.setFaults({ unavailableRate: 0, latencyMs: 2_000 });
    expectUnavailable(await provider.classify(ask('a', [], Date.now() + 100)), 'TIMEOUT');
    emulator.setFaults({ latencyMs: 0 });
    emulator.setQuota(1);
    expect((await provider.classify(ask('a'))).kind).toBe('SCORED');
    expectUnavailable(await provider.classify(ask('a')), 'THROTTLED');
    expect(emulator.calls()).toHaveLength(5); // one attempt each
  });

  it('maps an unknown guardrail or version to UNAVAILABLE/FAULT (configuration), a bad identifier to REFUSED', async () => {
    expectUnavailable(await new BedrockGuardrailProvider(clients.bedrockRuntime, { id: 'chatguard1', version: '7' }).classify(ask('a')), 'FAULT');
    expect(await new BedrockGuardrailProvider(clients.bedrockRuntime, { id: 'Bad_Id', version: '1' }).classify(ask('a'))).toMatchObject({ kind: 'REFUSED', errorType: 'ValidationException' });
  });

  it('maps a refused connection to UNAVAILABLE/FAULT', async () => {
    const dead = clientsFor({ bedrockRuntime: `http://127.0.0.1:${await deadPort()}` });
    try {
      expectUnavailable(await new BedrockGuardrailProvider(dead.bedrockRuntime, { id: 'chatguard1', version: '2' }).classify(ask('a')), 'FAULT');
    } finally {
      destroyClassifierClients(dead);
    }
  });
});

describe('the http provider against a tiny local server', () => {
  type Behaviour = { status: number; body: string; delayMs?: number };
  let server: Server;
  let url: string;
  let behaviour: Behaviour;
  let received: Array<{ body: unknown; authorization: string | undefined; contentType: string | undefined }>;

  beforeAll(async () => {
    server = createHttpServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: req.headers.authorization, contentType: req.headers['content-type'] });
        const { status, body, delayMs } = behaviour;
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        }, delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moderate`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    received = [];
    behaviour = { status: 200, body: JSON.stringify({ scores: { toxic: 0.91, threat: 0.2 }, model: 'detox@1.2', units: 2 }) };
  });

  it('posts {text, context} with the secret as a bearer token and answers the scores and model', async () => {
    const provider = new HttpClassifierProvider({ url, secret: 's3cret-from-ssm' });
    const answer = await provider.classify(ask('the message', ['older', 'newer']));
    expect(received).toEqual([{ body: { text: 'the message', context: ['older', 'newer'] }, authorization: 'Bearer s3cret-from-ssm', contentType: 'application/json' }]);
    expect(answer).toEqual({ kind: 'SCORED', scores: { toxic: 0.91, threat: 0.2 }, model: 'detox@1.2', latencyMs: expect.any(Number), units: 2 });
  });

  it('counts one unit when the answer names none, and sends no authorization without a secret', async () => {
    behaviour = { status: 200, body: JSON.stringify({ scores: { toxic: 0.1 }, model: 'detox@1.2' }) };
    expect(await new HttpClassifierProvider({ url }).classify(ask('x'))).toMatchObject({ kind: 'SCORED', units: 1 });
    expect(received[0]!.authorization).toBeUndefined();
  });

  const provider = () => new HttpClassifierProvider({ url, secret: 's' });
  const cases: Array<[string, Behaviour, ClassifyAnswer['kind'], string?]> = [
    ['429 → THROTTLED', { status: 429, body: '{"message":"slow down"}' }, 'UNAVAILABLE', 'THROTTLED'],
    ['500 → FAULT', { status: 500, body: 'boom' }, 'UNAVAILABLE', 'FAULT'],
    ['503 → FAULT', { status: 503, body: '' }, 'UNAVAILABLE', 'FAULT'],
    ['401 → FAULT (configuration)', { status: 401, body: '' }, 'UNAVAILABLE', 'FAULT'],
    ['422 → REFUSED', { status: 422, body: '{"message":"language not served"}' }, 'REFUSED'],
    ['413 → REFUSED', { status: 413, body: '' }, 'REFUSED'],
    ['200 that is not JSON → FAULT', { status: 200, body: '<html>' }, 'UNAVAILABLE', 'FAULT'],
    ['200 with a score out of 0..1 → FAULT', { status: 200, body: JSON.stringify({ scores: { toxic: 3 }, model: 'm' }) }, 'UNAVAILABLE', 'FAULT'],
    ['200 without a model → FAULT', { status: 200, body: JSON.stringify({ scores: {} }) }, 'UNAVAILABLE', 'FAULT'],
  ];
  for (const [name, b, kind, reason] of cases) {
    it(`maps ${name}`, async () => {
      behaviour = b;
      const answer = await provider().classify(ask('x'));
      expect(answer.kind).toBe(kind);
      if (reason) expect(answer).toMatchObject({ reason });
    });
  }

  it('answers UNAVAILABLE/TIMEOUT when the endpoint is slower than the deadline', async () => {
    behaviour = { status: 200, body: '{}', delayMs: 2_000 };
    expectUnavailable(await provider().classify(ask('x', [], Date.now() + 100)), 'TIMEOUT');
  });

  it('answers UNAVAILABLE/FAULT when nothing listens, and TIMEOUT without calling after the deadline', async () => {
    expectUnavailable(await new HttpClassifierProvider({ url: `http://127.0.0.1:${await deadPort()}/x` }).classify(ask('x')), 'FAULT');
    expectUnavailable(await provider().classify(ask('x', [], Date.now() - 1)), 'TIMEOUT');
    expect(received).toHaveLength(0);
  });
});
