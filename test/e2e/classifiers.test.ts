/**
 * Machine judgement end to end (issue 16): the stock Comprehend and Bedrock runtime clients
 * against our emulators (src/local/comprehend, src/local/bedrock), live policies stored through
 * the policy API, messages sent through the Chime emulator, and what moderators see through GET
 * /reviews/{id}. The emulators' call logs count what reached them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';
import { startBedrockRuntimeEmulator, type BedrockRuntimeEmulator } from '../../src/local/bedrock/index.js';
import { channelArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';

const at = (scope: string) => `/policies/${encodeURIComponent(scope)}`;
const GUARDRAIL = { id: 'gr7abc123', version: '3' };

/** The circuit's cool-down in this stack (default 5 s): how long the test waits for it to close. */
const BREAKER_OPEN_MS = 1500;

const TOXICITY = { provider: 'comprehend-toxicity', review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 }, onUnavailable: 'REVIEW', minLength: 8 };

describe('classifiers as a policy stage', () => {
  let comprehend: ComprehendEmulator;
  let bedrock: BedrockRuntimeEmulator;
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    // Quotas well above what the tests send: these tests are about judgement, not the budget.
    comprehend = await startComprehendEmulator({ quota: 1000 });
    bedrock = await startBedrockRuntimeEmulator({ quota: 1000, guardrails: [{ id: GUARDRAIL.id, versions: [GUARDRAIL.version] }] });
    stack = await startReviewStack({ classifiers: { endpoints: { comprehend: comprehend.endpoint, bedrockRuntime: bedrock.endpoint }, breaker: { openMs: BREAKER_OPEN_MS } } });
    chime = chimeClient(stack);
    admin = await tokenFor(stack, 'ada', ['admins']);
    moderator = await tokenFor(stack, 'mo', ['moderators']);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
    await comprehend?.close();
    await bedrock?.close();
  });

  const put = async (scope: string, document: unknown) => {
    const response = await api(stack, 'PUT', at(scope), { token: admin, json: { document, comment: 'classifiers test' } });
    expect(response.status, response.text.slice(0, 500)).toBe(200);
  };
  const comprehendCallsWith = (text: string) => comprehend.calls().filter((c) => c.operation === 'DetectToxicContent' && c.segments.includes(text));

  it('holds a message Comprehend scores INSULT 0.95 where the toxicity classifier is on, shows the label and score, and sends it where it is not', async () => {
    const text = 'you are a complete waste of space';
    comprehend.addFixture({ text, toxicity: 0.7, labels: { INSULT: 0.95 } });
    const guarded = channelArn();
    const plain = channelArn();
    await put(guarded, { classifiers: { toxicity: TOXICITY } });

    const held = await sendMessage(chime, text, { channel: guarded });
    const item = await waitForItem(stack, held, (i) => i.status === 'PENDING_REVIEW', 'held for review');
    expect(item.policy).toMatchObject({ action: 'REVIEW', ruleIds: ['classifier:toxicity'] });

    const review = await api(stack, 'GET', `/reviews/${item.callbackId}`, { token: moderator });
    expect(review.status, review.text.slice(0, 300)).toBe(200);
    expect(review.body.policy.classifiers).toEqual([
      expect.objectContaining({
        name: 'toxicity',
        provider: 'comprehend-toxicity',
        model: 'comprehend:DetectToxicContent',
        outcome: 'DECIDED',
        action: 'REVIEW',
        scores: expect.objectContaining({ INSULT: 0.95, Toxicity: 0.7 }),
        thresholds: { review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.95, HATE_SPEECH: 0.8 } },
        fired: expect.arrayContaining([{ label: 'INSULT', score: 0.95, threshold: 0.6, action: 'REVIEW' }]),
        latencyMs: expect.any(Number),
        attempts: 1,
      }),
    ]);
    expect(review.body.policy.findings).toContainEqual({ ruleId: 'classifier:toxicity', action: 'REVIEW', reason: 'toxicity: INSULT 0.95 ≥ 0.6 (review)' });

    const callsBefore = comprehendCallsWith(text).length;
    await waitForStatus(chime, await sendMessage(chime, text, { channel: plain }), 'SENT');
    expect(comprehendCallsWith(text)).toHaveLength(callsBefore);
  });

  it('denies over a DENY threshold', async () => {
    const text = 'nobody would miss you if you were gone';
    comprehend.addFixture({ text, toxicity: 0.97, labels: { HARASSMENT_OR_ABUSE: 0.9 } });
    const channel = channelArn();
    await put(channel, { classifiers: { toxicity: TOXICITY } });
    const sent = await sendMessage(chime, text, { channel });
    await waitForStatus(chime, sent, 'DENIED');
    const item = await waitForItem(stack, sent, (i) => i.decision !== undefined, 'decided');
    expect(item.decision).toMatchObject({ action: 'DENY', origin: 'AUTO', ruleIds: ['classifier:toxicity'] });
    expect(item.policy?.classifiers).toEqual([expect.objectContaining({ outcome: 'DECIDED', action: 'DENY', fired: [{ label: 'Toxicity', score: 0.97, threshold: 0.95, action: 'DENY' }] })]);
    // The audit log (the only record of a denied message) keeps the scores with the decision.
    const audit = await api(stack, 'GET', `/decisions?channelArn=${encodeURIComponent(channel)}&limit=10`, { token: moderator });
    expect(audit.status, audit.text.slice(0, 300)).toBe(200);
    const entry = audit.body.items.find((e: { callbackId: string }) => e.callbackId === item.callbackId);
    expect(entry.policy.classifiers).toEqual([expect.objectContaining({ provider: 'comprehend-toxicity', model: 'comprehend:DetectToxicContent', scores: expect.objectContaining({ Toxicity: 0.97, HARASSMENT_OR_ABUSE: 0.9 }) })]);
  });

  it('acts on a Guardrails intervention as configured: DENY in one channel, REVIEW in another', async () => {
    const text = 'meet me outside and you will regret it';
    // Through the emulator's documented control endpoint, as a developer would set it.
    const fixture = await fetch(`${bedrock.endpoint}/_emulator/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, filters: { VIOLENCE: 'LOW' }, intervene: true }) });
    expect(fixture.status).toBeLessThan(300);
    const guard = (onIntervention: 'DENY' | 'REVIEW') => ({ guard: { provider: 'bedrock-guardrail', guardrailId: GUARDRAIL.id, guardrailVersion: GUARDRAIL.version, deny: { VIOLENCE: 'HIGH' }, onIntervention } });
    const denying = channelArn();
    const holding = channelArn();
    await put(denying, { classifiers: guard('DENY') });
    await put(holding, { classifiers: guard('REVIEW') });

    const denied = await sendMessage(chime, text, { channel: denying });
    await waitForStatus(chime, denied, 'DENIED');
    const deniedItem = await waitForItem(stack, denied, (i) => i.decision !== undefined, 'decided');
    expect(deniedItem.policy?.classifiers).toEqual([
      expect.objectContaining({ provider: 'bedrock-guardrail', model: `guardrail:${GUARDRAIL.id}:${GUARDRAIL.version}`, intervened: true, action: 'DENY', levels: expect.objectContaining({ VIOLENCE: 'LOW' }) }),
    ]);
    const held = await sendMessage(chime, text, { channel: holding });
    await waitForItem(stack, held, (i) => i.status === 'PENDING_REVIEW', 'held for review');
    const calls = bedrock.calls().filter((c) => c.segments.includes(text));
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.guardrailIdentifier === GUARDRAIL.id && c.guardrailVersion === GUARDRAIL.version)).toBe(true);
  });

  it('never sends a blocked, a short or an unsupported-language message to the provider', async () => {
    const channel = channelArn();
    await put(channel, { terms: { block: ['zorblax'] }, classifiers: { toxicity: TOXICITY } });
    const blocked = await sendMessage(chime, 'buy zorblax from me today friend', { channel });
    const short = await sendMessage(chime, 'ok bye', { channel });
    const russian = await sendMessage(chime, 'никто бы не скучал по тебе', { channel });
    const english = await sendMessage(chime, 'an ordinary message about lunch', { channel });
    await waitForStatus(chime, blocked, 'DENIED');
    await waitForStatus(chime, short, 'SENT');
    await waitForStatus(chime, russian, 'SENT');
    await waitForStatus(chime, english, 'SENT');
    for (const text of ['buy zorblax from me today friend', 'ok bye', 'никто бы не скучал по тебе']) expect(comprehendCallsWith(text)).toEqual([]);
    expect(comprehendCallsWith('an ordinary message about lunch')).toHaveLength(1);
    const skipped = await waitForItem(stack, russian, (i) => i.decision !== undefined, 'decided');
    expect(skipped.policy?.classifiers).toEqual([expect.objectContaining({ outcome: 'SKIPPED', reason: 'LANGUAGE', path: 'RULES_ONLY', attempts: 0 })]);
  });

  it('takes onUnavailable when Comprehend fails (REVIEW holds, RULES_ONLY sends), opens the circuit, and closes it when Comprehend is back', async () => {
    const holding = channelArn();
    const rulesOnly = channelArn();
    await put(holding, { classifiers: { toxicity: { ...TOXICITY, onUnavailable: 'REVIEW' } } });
    await put(rulesOnly, { classifiers: { toxicity: { ...TOXICITY, onUnavailable: 'RULES_ONLY' } } });
    comprehend.setFaults({ unavailableRate: 1 });
    try {
      const held = await sendMessage(chime, 'a message sent while Comprehend is down', { channel: holding });
      const heldItem = await waitForItem(stack, held, (i) => i.status === 'PENDING_REVIEW', 'held for review');
      expect(heldItem.policy?.classifiers).toEqual([expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'FAULT', path: 'REVIEW', action: 'REVIEW', attempts: 3 })]);
      const sent = await sendMessage(chime, 'another message sent while Comprehend is down', { channel: rulesOnly });
      await waitForStatus(chime, sent, 'SENT');
      const sentItem = await waitForItem(stack, sent, (i) => i.decision !== undefined, 'decided');
      expect(sentItem.policy).toMatchObject({ action: 'ALLOW', ruleIds: [], classifiers: [expect.objectContaining({ outcome: 'UNAVAILABLE', path: 'RULES_ONLY' })] });
      // One callback per message: nothing decided twice.
      expect(stack.simulator.callbacks().filter((c) => c.callbackId === sentItem.callbackId && c.outcome.status === 200)).toHaveLength(1);

      // Five failures in a row opened the circuit: the next message is not sent to Comprehend at all.
      const text = 'a third message while the circuit is open';
      const fast = await sendMessage(chime, text, { channel: holding });
      const fastItem = await waitForItem(stack, fast, (i) => i.status === 'PENDING_REVIEW', 'held for review');
      expect(fastItem.policy?.classifiers).toEqual([expect.objectContaining({ outcome: 'UNAVAILABLE', reason: 'CIRCUIT_OPEN', attempts: 0, path: 'REVIEW' })]);
      expect(comprehendCallsWith(text)).toEqual([]);
    } finally {
      comprehend.setFaults({ unavailableRate: 0 });
    }
    // After the cool-down a probe goes, succeeds, and the circuit closes.
    await new Promise((resolve) => setTimeout(resolve, BREAKER_OPEN_MS + 100));
    const back = await sendMessage(chime, 'a message once Comprehend is back', { channel: holding });
    await waitForStatus(chime, back, 'SENT');
    const backItem = await waitForItem(stack, back, (i) => i.decision !== undefined, 'decided');
    expect(backItem.policy?.classifiers).toEqual([expect.objectContaining({ outcome: 'DECIDED', attempts: 1 })]);
  });

  it('records what a shadow classifier would have done, and applies nothing', async () => {
    const text = 'you people are the worst of the worst';
    comprehend.addFixture({ text, toxicity: 0.99, labels: { INSULT: 0.99 } });
    const channel = channelArn();
    await put(channel, { classifiers: { toxicity: { ...TOXICITY, shadow: true } } });
    const sent = await sendMessage(chime, text, { channel });
    await waitForStatus(chime, sent, 'SENT');
    const item = await waitForItem(stack, sent, (i) => i.decision !== undefined, 'decided');
    expect(item.policy).toMatchObject({ action: 'ALLOW', ruleIds: [], classifiers: [expect.objectContaining({ outcome: 'SHADOW', action: 'DENY', shadow: true })] });
  });

  it('judges with a self-hosted model behind the http contract', async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ scores: { abuse: 0.91, spam: 0.1 }, model: 'house-model@7' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const channel = channelArn();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/judge`;
      await put(channel, { classifiers: { house: { provider: 'http', url, labels: ['abuse', 'spam'], review: { abuse: 0.8 } } } });
      const sent = await sendMessage(chime, 'a message for the house model', { channel });
      const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'held for review');
      expect(item.policy?.classifiers).toEqual([expect.objectContaining({ provider: 'http', model: 'house-model@7', outcome: 'DECIDED', action: 'REVIEW', scores: { abuse: 0.91, spam: 0.1 } })]);
      expect(received).toEqual([{ text: 'a message for the house model', context: [] }]);
    } finally {
      server.close();
    }
  });

  it('answers 400 naming the field for an unknown provider, a threshold out of 0–1 or a missing guardrail id, and stores nothing', async () => {
    const channel = channelArn();
    const bad: Array<[unknown, string]> = [
      [{ toxicity: { provider: 'perspective-api' } }, 'body.document.classifiers.toxicity.provider'],
      [{ toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 1.5 } } }, 'body.document.classifiers.toxicity.review.Toxicity'],
      [{ guard: { provider: 'bedrock-guardrail', guardrailVersion: '1', deny: { VIOLENCE: 'HIGH' } } }, 'body.document.classifiers.guard.guardrailId'],
    ];
    for (const [classifiers, field] of bad) {
      const response = await api(stack, 'PUT', at(channel), { token: admin, json: { document: { classifiers }, comment: 'bad' } });
      expect(response.status, response.text.slice(0, 300)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect((await api(stack, 'GET', at(channel), { token: admin })).status).toBe(404);
  });

  it('sends the previous N messages of the channel, oldest first, the message last', async () => {
    const channel = channelArn();
    await put(channel, { classifiers: { toxicity: { ...TOXICITY, context: 3 } } });
    const earlier = ['first message of the morning', 'second message about the game', 'third message with a question', 'fourth message with an answer'];
    for (const text of earlier) await waitForStatus(chime, await sendMessage(chime, text, { channel }), 'SENT');
    const last = 'and that is what I think of you';
    await waitForStatus(chime, await sendMessage(chime, last, { channel }), 'SENT');
    const [call] = comprehendCallsWith(last);
    expect(call?.segments).toEqual([...earlier.slice(-3), last]);
  });
});
