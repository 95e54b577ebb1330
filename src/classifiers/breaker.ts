import type { CircuitBreaker } from './ports.js';

/**
 * A circuit breaker per provider key, in one container's memory. Its job is to stop an outage
 * from adding a timeout to every message: after enough failures, calls are answered
 * UNAVAILABLE/CIRCUIT_OPEN at once, until a probe shows the provider is back.
 *
 *   CLOSED ──N consecutive failures, or a failure rate ≥ R over the last W ms (at least M calls)──▶ OPEN
 *   OPEN ──cool-down elapsed──▶ HALF_OPEN      (read lazily: the clock is the caller's)
 *   HALF_OPEN ──one probe allowed──▶ success: CLOSED (history cleared)
 *                                   failure: OPEN again, with the cool-down doubled (up to a cap)
 *
 * The breaker is per container on purpose. Containers come and go, and a shared breaker would
 * be one more remote call on the path it protects. Each container learns about an outage from
 * its own few failures, which costs at most N slow calls per container.
 *
 * A probe whose outcome is never reported (its container's invocation ended, the caller lost
 * it) would leave HALF_OPEN waiting forever, so a probe expires after `probeTimeoutMs` and the
 * next caller may probe.
 *
 * What counts as a failure is the caller's call. Faults (5xx) and timeouts should count.
 * A throttle while the shared budget said yes means the budget is set above the quota, and the
 * stage may count that too. A REFUSED answer (bad input) says nothing about the provider's
 * health and must not count.
 */

export interface BreakerSettings {
  /** Consecutive failures that open the circuit (default 5). */
  consecutiveFailures: number;
  /** A failure rate that opens it: at least `minimumCalls` outcomes in the last `windowMs`, and `rate` or more of them failures. */
  failureRate?: { rate: number; minimumCalls: number; windowMs: number };
  /** How long the circuit stays OPEN before a probe may go (default 5 s). */
  openMs: number;
  /** The cool-down after a failed probe doubles, up to this (default 60 s). */
  maxOpenMs: number;
  /** A probe not reported back within this is forgotten, and another may go (default 30 s). */
  probeTimeoutMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  consecutiveFailures: 5,
  failureRate: { rate: 0.5, minimumCalls: 20, windowMs: 10_000 },
  openMs: 5_000,
  maxOpenMs: 60_000,
  probeTimeoutMs: 30_000,
};

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

interface Circuit {
  /** OPEN or CLOSED as recorded; HALF_OPEN is OPEN whose cool-down has elapsed. */
  open: boolean;
  openedAt: number;
  coolDownMs: number;
  consecutiveFailures: number;
  /** Recent outcomes (time, failed), oldest first, for the failure rate. */
  outcomes: Array<{ at: number; failed: boolean }>;
  /** When the probe in flight went (HALF_OPEN), if one is. */
  probeAt?: number;
}

export class InMemoryCircuitBreaker implements CircuitBreaker {
  private readonly settings: BreakerSettings;
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    settings: Partial<BreakerSettings> = {},
    /** Told on every change of state (a log line, a metric). */
    private readonly onStateChange?: (key: string, from: BreakerState, to: BreakerState, nowMs: number) => void,
  ) {
    this.settings = { ...DEFAULT_BREAKER_SETTINGS, ...settings };
  }

  private circuit(key: string): Circuit {
    let circuit = this.circuits.get(key);
    if (!circuit) this.circuits.set(key, (circuit = { open: false, openedAt: 0, coolDownMs: this.settings.openMs, consecutiveFailures: 0, outcomes: [] }));
    return circuit;
  }

  state(key: string, nowMs: number): BreakerState {
    const circuit = this.circuits.get(key);
    if (!circuit?.open) return 'CLOSED';
    return nowMs >= circuit.openedAt + circuit.coolDownMs ? 'HALF_OPEN' : 'OPEN';
  }

  allow(key: string, nowMs: number): boolean {
    const state = this.state(key, nowMs);
    if (state === 'CLOSED') return true;
    if (state === 'OPEN') return false;
    const circuit = this.circuit(key);
    if (circuit.probeAt !== undefined && nowMs - circuit.probeAt < this.settings.probeTimeoutMs) return false;
    circuit.probeAt = nowMs;
    return true;
  }

  succeeded(key: string, nowMs: number): void {
    const circuit = this.circuit(key);
    const state = this.state(key, nowMs);
    // A call that went before the circuit opened proves nothing about now: only a probe closes it.
    if (state === 'OPEN') return;
    if (state === 'HALF_OPEN') {
      this.circuits.set(key, { open: false, openedAt: 0, coolDownMs: this.settings.openMs, consecutiveFailures: 0, outcomes: [] });
      this.onStateChange?.(key, 'HALF_OPEN', 'CLOSED', nowMs);
      return;
    }
    circuit.consecutiveFailures = 0;
    this.remember(circuit, nowMs, false);
  }

  failed(key: string, nowMs: number): void {
    const circuit = this.circuit(key);
    const state = this.state(key, nowMs);
    if (state === 'OPEN') return;
    if (state === 'HALF_OPEN') {
      // The probe failed: open again, and wait longer this time.
      circuit.openedAt = nowMs;
      circuit.coolDownMs = Math.min(circuit.coolDownMs * 2, this.settings.maxOpenMs);
      delete circuit.probeAt;
      this.onStateChange?.(key, 'HALF_OPEN', 'OPEN', nowMs);
      return;
    }
    circuit.consecutiveFailures += 1;
    this.remember(circuit, nowMs, true);
    if (circuit.consecutiveFailures >= this.settings.consecutiveFailures || this.rateExceeded(circuit)) {
      circuit.open = true;
      circuit.openedAt = nowMs;
      circuit.coolDownMs = this.settings.openMs;
      delete circuit.probeAt;
      this.onStateChange?.(key, 'CLOSED', 'OPEN', nowMs);
    }
  }

  private remember(circuit: Circuit, nowMs: number, failed: boolean): void {
    circuit.outcomes.push({ at: nowMs, failed });
    const windowMs = this.settings.failureRate?.windowMs ?? 0;
    while (circuit.outcomes.length > 0 && circuit.outcomes[0]!.at <= nowMs - windowMs) circuit.outcomes.shift();
  }

  private rateExceeded(circuit: Circuit): boolean {
    const rule = this.settings.failureRate;
    if (!rule || circuit.outcomes.length < rule.minimumCalls) return false;
    return circuit.outcomes.filter((o) => o.failed).length / circuit.outcomes.length >= rule.rate;
  }
}
