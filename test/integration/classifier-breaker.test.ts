/**
 * The circuit breaker in front of a real provider: the Comprehend emulator through the stock SDK
 * client, with its faults set live. A caller here does what the classifier stage does: ask the
 * breaker, call, and report a fault (5xx) or a timeout as a failure. The breaker's clock is the
 * test's, so its cool-down passes without waiting; the emulator's call log shows what reached it.
 */
import { ComprehendClient, DetectToxicContentCommand } from '@aws-sdk/client-comprehend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryCircuitBreaker, type BreakerState } from '../../src/classifiers/breaker.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';

const KEY = 'comprehend-toxicity';

describe('the circuit breaker in front of Comprehend', () => {
  let emulator: ComprehendEmulator;
  let comprehend: ComprehendClient;
  beforeAll(async () => {
    emulator = await startComprehendEmulator({ port: 0, quota: 1_000, log: () => {} });
    // One attempt per call; each call is given 1 s (below), as the stage gives a provider the message's time.
    comprehend = new ComprehendClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    comprehend?.destroy();
    await emulator?.close();
  });

  it('opens after repeated faults and timeouts, answers at once while open, and closes after a good probe', async () => {
    let nowMs = 1_000_000;
    const changes: string[] = [];
    const breaker = new InMemoryCircuitBreaker({ consecutiveFailures: 3, openMs: 5_000, failureRate: undefined }, (_key, from: BreakerState, to: BreakerState) => changes.push(`${from}→${to}`));
    /** One message's call, as the stage makes it: 'OPEN' when the breaker answered without a call. */
    const classify = async (): Promise<'OK' | 'FAILED' | 'OPEN'> => {
      if (!breaker.allow(KEY, nowMs)) return 'OPEN';
      try {
        await comprehend.send(new DetectToxicContentCommand({ LanguageCode: 'en', TextSegments: [{ Text: 'see you at the standup' }] }), { abortSignal: AbortSignal.timeout(1_000) });
        breaker.succeeded(KEY, nowMs);
        return 'OK';
      } catch {
        breaker.failed(KEY, nowMs);
        return 'FAILED';
      }
    };
    const callsSoFar = () => emulator.calls().length;

    expect(await classify()).toBe('OK');
    // An outage: two 503s, then an answer that comes too late.
    emulator.setFaults({ unavailableRate: 1 });
    expect([await classify(), await classify()]).toEqual(['FAILED', 'FAILED']);
    emulator.setFaults({ unavailableRate: 0, latencyMs: 3_000 });
    expect(await classify()).toBe('FAILED');
    expect(breaker.state(KEY, nowMs)).toBe('OPEN');

    // While open, messages are answered at once and nothing reaches the provider.
    const before = callsSoFar();
    expect(await Promise.all(Array.from({ length: 20 }, () => classify()))).toEqual(Array(20).fill('OPEN'));
    expect(callsSoFar()).toBe(before);

    // The cool-down passes while the provider is still slow: one probe goes, fails, and the circuit opens again for longer.
    nowMs += 5_000;
    expect(await Promise.all([classify(), classify(), classify()])).toEqual(['FAILED', 'OPEN', 'OPEN']);
    expect(callsSoFar()).toBe(before + 1);
    nowMs += 5_000;
    expect(breaker.state(KEY, nowMs)).toBe('OPEN');

    // The provider recovers; after the doubled cool-down one probe succeeds and the circuit closes.
    emulator.setFaults({ latencyMs: 0 });
    nowMs += 5_000;
    expect(await classify()).toBe('OK');
    expect(breaker.state(KEY, nowMs)).toBe('CLOSED');
    expect(await classify()).toBe('OK');
    expect(changes).toEqual(['CLOSED→OPEN', 'HALF_OPEN→OPEN', 'HALF_OPEN→CLOSED']);
  });
});
