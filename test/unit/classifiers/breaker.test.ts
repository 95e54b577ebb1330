import { describe, expect, it } from 'vitest';
import { InMemoryCircuitBreaker, type BreakerState } from '../../../src/classifiers/breaker.js';

const KEY = 'comprehend-toxicity';

/** A breaker on a clock only the test moves, with its state changes recorded. */
function aBreaker(settings: ConstructorParameters<typeof InMemoryCircuitBreaker>[0] = {}) {
  let nowMs = 1_000_000;
  const changes: Array<`${BreakerState}→${BreakerState}`> = [];
  const breaker = new InMemoryCircuitBreaker({ consecutiveFailures: 3, openMs: 5_000, maxOpenMs: 20_000, probeTimeoutMs: 30_000, failureRate: undefined, ...settings }, (_key, from, to) =>
    changes.push(`${from}→${to}`),
  );
  return {
    breaker,
    changes,
    now: () => nowMs,
    advance: (ms: number) => void (nowMs += ms),
    fail: (n = 1) => {
      for (let i = 0; i < n; i += 1) breaker.failed(KEY, nowMs);
    },
  };
}

describe('the circuit breaker', () => {
  it('lets calls through while closed, and a success resets the count of consecutive failures', () => {
    const b = aBreaker();
    b.fail(2);
    b.breaker.succeeded(KEY, b.now());
    b.fail(2);
    expect(b.breaker.state(KEY, b.now())).toBe('CLOSED');
    expect(b.breaker.allow(KEY, b.now())).toBe(true);
  });

  it('opens after N consecutive failures and answers at once while open', () => {
    const b = aBreaker();
    b.fail(3);
    expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
    expect(b.breaker.allow(KEY, b.now())).toBe(false);
    expect(b.changes).toEqual(['CLOSED→OPEN']);
  });

  it('stays open for the whole cool-down, whatever late calls report', () => {
    const b = aBreaker();
    b.fail(3);
    b.advance(4_999);
    // Calls that went before it opened report now: they change nothing.
    b.breaker.succeeded(KEY, b.now());
    b.fail(1);
    expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
    expect(b.breaker.allow(KEY, b.now())).toBe(false);
  });

  it('half-opens after the cool-down and lets exactly one probe through', () => {
    const b = aBreaker();
    b.fail(3);
    b.advance(5_000);
    expect(b.breaker.state(KEY, b.now())).toBe('HALF_OPEN');
    expect(b.breaker.allow(KEY, b.now())).toBe(true);
    expect(b.breaker.allow(KEY, b.now())).toBe(false);
    b.advance(1_000);
    expect(b.breaker.allow(KEY, b.now())).toBe(false);
  });

  it('closes when the probe succeeds, with a clean history', () => {
    const b = aBreaker();
    b.fail(3);
    b.advance(5_000);
    b.breaker.allow(KEY, b.now());
    b.breaker.succeeded(KEY, b.now());
    expect(b.breaker.state(KEY, b.now())).toBe('CLOSED');
    b.fail(2);
    expect(b.breaker.state(KEY, b.now())).toBe('CLOSED');
    expect(b.changes).toEqual(['CLOSED→OPEN', 'HALF_OPEN→CLOSED']);
  });

  it('reopens on a failed probe, for twice the cool-down, up to the cap', () => {
    const b = aBreaker();
    b.fail(3);
    b.advance(5_000);
    b.breaker.allow(KEY, b.now());
    b.fail(1);
    expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
    b.advance(9_999);
    expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
    b.advance(1);
    expect(b.breaker.state(KEY, b.now())).toBe('HALF_OPEN');
    // 20 s, then the cap holds it at 20 s.
    for (const coolDown of [20_000, 20_000]) {
      b.breaker.allow(KEY, b.now());
      b.fail(1);
      b.advance(coolDown - 1);
      expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
      b.advance(1);
      expect(b.breaker.state(KEY, b.now())).toBe('HALF_OPEN');
    }
    expect(b.changes).toEqual(['CLOSED→OPEN', 'HALF_OPEN→OPEN', 'HALF_OPEN→OPEN', 'HALF_OPEN→OPEN']);
  });

  it('starts the next closing with the first cool-down again', () => {
    const b = aBreaker();
    b.fail(3);
    b.advance(5_000);
    b.breaker.allow(KEY, b.now());
    b.fail(1); // 10 s now
    b.advance(10_000);
    b.breaker.allow(KEY, b.now());
    b.breaker.succeeded(KEY, b.now());
    b.fail(3);
    b.advance(5_000);
    expect(b.breaker.state(KEY, b.now())).toBe('HALF_OPEN');
  });

  it('lets another probe go when the first is never reported back', () => {
    const b = aBreaker({ probeTimeoutMs: 2_000 });
    b.fail(3);
    b.advance(5_000);
    expect(b.breaker.allow(KEY, b.now())).toBe(true);
    b.advance(1_999);
    expect(b.breaker.allow(KEY, b.now())).toBe(false);
    b.advance(1);
    expect(b.breaker.allow(KEY, b.now())).toBe(true);
  });

  it('opens on a failure rate over its window, with failures that are not consecutive', () => {
    const b = aBreaker({ consecutiveFailures: 100, failureRate: { rate: 0.5, minimumCalls: 10, windowMs: 10_000 } });
    for (let i = 0; i < 9; i += 1) {
      if (i % 2 === 0) b.fail(1);
      else b.breaker.succeeded(KEY, b.now());
      b.advance(100);
    }
    // 5 failures in 9 calls: too few calls to judge yet.
    expect(b.breaker.state(KEY, b.now())).toBe('CLOSED');
    b.breaker.succeeded(KEY, b.now());
    b.fail(1); // 6 of 11
    expect(b.breaker.state(KEY, b.now())).toBe('OPEN');
  });

  it('forgets outcomes older than the rate window', () => {
    const b = aBreaker({ consecutiveFailures: 100, failureRate: { rate: 0.5, minimumCalls: 4, windowMs: 1_000 } });
    b.fail(1);
    b.fail(1);
    b.advance(1_000);
    b.breaker.succeeded(KEY, b.now());
    b.breaker.succeeded(KEY, b.now());
    b.fail(1);
    // 1 failure in 3 recent outcomes: the two old failures are gone.
    expect(b.breaker.state(KEY, b.now())).toBe('CLOSED');
  });

  it('keeps each provider key apart', () => {
    const b = aBreaker();
    b.fail(3);
    expect(b.breaker.state('bedrock-guardrail:g1', b.now())).toBe('CLOSED');
    expect(b.breaker.allow('bedrock-guardrail:g1', b.now())).toBe(true);
  });
});
