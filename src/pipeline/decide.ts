import {
  callbackProblems,
  classifyCallbackError,
  earlierCallbackMayHaveLanded,
  FORBIDDEN_BEFORE_DEADLINE_ADVICE,
  toCallbackRequest,
  type CallbackFailureKind,
} from '../domain/callback.js';
import { isPastDeadline } from '../domain/deadline.js';
import type { Decision, Delivery, ModerationItem, Status } from '../domain/item.js';
import type { CallbackSender, Clock, ModerationStore } from '../domain/ports.js';
import { DeadlinePassedError, TransitionConflictError } from '../errors.js';

/**
 * The one decision path, shared by workers, moderators and the sweeper (invariant 1):
 *
 *   recordDecision ── conditional write: status → DECIDED, decision stored, delivery lease held
 *        │
 *   deliverDecision ── ChannelFlowCallback with exactly the recorded decision
 *        ├── 200 ────────────────────▶ DELIVERED
 *        ├── Conflict / non-pending ─▶ ALREADY_RESOLVED   (never retried)
 *        ├── Forbidden ──────────────▶ read against our ledger (never retried):
 *        │     at/after the deadline ─────────────────────▶ EXPIRED
 *        │     an earlier callback of ours may have landed ▶ ALREADY_RESOLVED
 *        │     otherwise (a missing grant, a wrong app) ──▶ FAILED, and the observer is told
 *        ├── 429 / 5xx / network ────▶ stays DECIDED, lease released, retried later
 *        └── anything else ──────────▶ FAILED, with the reason
 *
 * A crash between the two steps leaves a DECIDED item. Whoever finds it later (the redelivered
 * work message, or the sweeper) takes the lease and delivers that same decision, never a new one.
 */

export interface DecisionPathDeps {
  store: ModerationStore;
  callbacks: CallbackSender;
  clock: Clock;
  /** How long a deliverer holds the exclusive right to call back. */
  leaseSeconds: number;
  /** Told about decisions and callback failures (metrics, operators' logs). Optional. */
  observer?: DecisionObserver;
}

/** A callback that did not land, as the decision path read it. */
export interface CallbackFailureReport {
  callbackId: string;
  /** Chime's exception name, a network error code, or `InvalidCallback` (refused before sending). */
  errorType: string;
  kind: CallbackFailureKind;
  message: string;
  actor: string;
}

/**
 * What the decision path reports as it goes. Implementations must be cheap and must not throw;
 * whatever they do, the path's outcome does not depend on it.
 */
export interface DecisionObserver {
  /** A decision was recorded (its conditional write succeeded). */
  decided(decision: Decision): void;
  /** A callback failed, or was refused before sending. */
  callbackFailed(failure: CallbackFailureReport): void;
}

function observe(deps: Pick<DecisionPathDeps, 'observer'>, report: (observer: DecisionObserver) => void): void {
  if (!deps.observer) return;
  try {
    report(deps.observer);
  } catch {
    // Observation is best effort by contract: a metrics hiccup must never fail a decision.
  }
}

export type DeliveryOutcome =
  | { status: 'DELIVERED' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'FAILED'; item: ModerationItem }
  | { status: 'RETRY'; item: ModerationItem; errorType: string; retryAfterSeconds: number }
  /** Someone else holds the delivery lease; try again after it runs out. */
  | { status: 'BUSY'; item: ModerationItem; retryAfterSeconds: number };

export const DEFAULT_LEASE_SECONDS = 30;

/** Exponential backoff for retryable callbacks: 1, 2, 4 … seconds, capped at 5 minutes, with jitter. */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(300, 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

export async function recordDecision(
  deps: DecisionPathDeps,
  item: Pick<ModerationItem, 'callbackId' | 'deadline'>,
  decision: Decision,
  options: {
    from: readonly Status[];
    expectedVersion?: number;
    set?: Record<string, unknown>;
    /** Moderators: the write also requires that nobody else holds an unexpired claim. */
    claimableBy?: string;
    remove?: string[];
  },
): Promise<ModerationItem> {
  const now = deps.clock.now();
  if (isPastDeadline(item.deadline, now)) throw new DeadlinePassedError(item.callbackId, item.deadline);
  const recorded = await deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: options.from,
    to: 'DECIDED',
    ...(options.expectedVersion !== undefined ? { expectedVersion: options.expectedVersion } : {}),
    ...(options.claimableBy !== undefined ? { claimableBy: options.claimableBy } : {}),
    ...(options.remove?.length ? { remove: options.remove } : {}),
    set: {
      ...options.set,
      decision,
      delivery: { attempts: 0, leaseUntil: now + deps.leaseSeconds * 1000 },
    },
    history: { actor: decision.actor.name ?? decision.actor.id, event: `decided:${decision.action}`, reason: decision.reason },
    now,
  });
  observe(deps, (o) => o.decided(decision));
  return recorded;
}

/** Marks an undecided or undelivered item EXPIRED; no callback is sent for it. */
export async function expireItem(deps: Pick<DecisionPathDeps, 'store' | 'clock'>, item: ModerationItem, actor: string, reason: string) {
  return deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: [item.status],
    to: 'EXPIRED',
    expectedVersion: item.version,
    set: { outcome: { reason } },
    history: { actor, event: 'expired', reason },
    now: deps.clock.now(),
  });
}

/**
 * Delivers the recorded decision of an item this caller holds the lease for. Never throws for
 * Chime's answers: each one maps to a designed outcome. Store errors propagate.
 *
 * `before` is the delivery record as found before this caller took the lease (resumeDelivery);
 * omit it for a decision the caller has just recorded itself. It is how a 403 is told apart from
 * Chime's answer to a second callback (see earlierCallbackMayHaveLanded).
 */
export async function deliverDecision(
  deps: DecisionPathDeps,
  item: ModerationItem,
  actor: string,
  options: { before?: Delivery } = {},
): Promise<DeliveryOutcome> {
  const decision = item.decision;
  const delivery = item.delivery ?? { attempts: 0, leaseUntil: 0 };
  if (item.status !== 'DECIDED' || !decision) {
    throw new TransitionConflictError(item.callbackId, 'status DECIDED with a decision', item);
  }
  if (isPastDeadline(item.deadline, deps.clock.now())) {
    return { status: 'EXPIRED', item: await expireItem(deps, item, actor, 'Deadline passed before the callback could be delivered') };
  }

  const request = toCallbackRequest(item, decision);
  const problems = callbackProblems(request);
  if (problems.length > 0) {
    const message = `Invalid callback: ${problems.join('; ')}`;
    observe(deps, (o) => o.callbackFailed({ callbackId: item.callbackId, errorType: 'InvalidCallback', kind: 'FATAL', message, actor }));
    return { status: 'FAILED', item: await terminal(deps, item, 'FAILED', actor, message, 'InvalidCallback') };
  }

  const attempts = delivery.attempts + 1;
  const attemptAt = new Date(deps.clock.now()).toISOString();
  try {
    await deps.callbacks.send(request);
  } catch (error) {
    const failure = classifyCallbackError(error, {
      deadline: item.deadline,
      answeredAt: deps.clock.now(),
      earlierCallbackMayHaveLanded: earlierCallbackMayHaveLanded(options.before),
    });
    observe(deps, (o) => o.callbackFailed({ callbackId: item.callbackId, ...failure, actor }));
    switch (failure.kind) {
      case 'RETRYABLE': {
        const retryAfterSeconds = retryDelaySeconds(attempts);
        const updated = await deps.store.transition({
          callbackId: item.callbackId,
          deadline: item.deadline,
          from: ['DECIDED'],
          to: 'DECIDED',
          expectedVersion: item.version,
          // Releasing the lease lets the retry (or the sweeper) deliver without waiting for it.
          set: { delivery: { ...delivery, attempts, lastAttemptAt: attemptAt, lastError: `${failure.errorType}: ${failure.message}`, leaseUntil: 0 } },
          history: { actor, event: 'delivery-failed', reason: `${failure.errorType} (attempt ${attempts}); retrying in ${retryAfterSeconds}s` },
          now: deps.clock.now(),
        });
        return { status: 'RETRY', item: updated, errorType: failure.errorType, retryAfterSeconds };
      }
      case 'ALREADY_RESOLVED':
        return {
          status: 'ALREADY_RESOLVED',
          item: await terminal(deps, item, 'ALREADY_RESOLVED', actor, `Chime reports the CallbackId already resolved (${failure.message}). Only this recorded decision is ever sent for it, so this is most likely an earlier delivery of ours whose confirmation was lost`, failure.errorType, attempts),
        };
      case 'EXPIRED':
        return {
          status: 'EXPIRED',
          item: await terminal(deps, item, 'EXPIRED', actor, `Chime refused the callback (window closed): ${failure.message}`, failure.errorType, attempts),
        };
      case 'FORBIDDEN_BEFORE_DEADLINE':
        return {
          status: 'FAILED',
          item: await terminal(
            deps,
            item,
            'FAILED',
            actor,
            `Chime refused the callback as Forbidden before its deadline (${item.deadline}), with no earlier callback of ours that could have landed: ${FORBIDDEN_BEFORE_DEADLINE_ADVICE}. Chime said: ${failure.message}`,
            failure.errorType,
            attempts,
          ),
        };
      case 'FATAL':
        return {
          status: 'FAILED',
          item: await terminal(deps, item, 'FAILED', actor, `Chime rejected the callback: ${failure.message}`, failure.errorType, attempts),
        };
    }
  }

  const delivered = await deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    // ALREADY_RESOLVED too: a concurrent deliverer may have seen our own callback as a Conflict.
    from: ['DECIDED', 'ALREADY_RESOLVED'],
    to: 'DELIVERED',
    set: { delivery: { ...delivery, attempts, lastAttemptAt: attemptAt, deliveredAt: new Date(deps.clock.now()).toISOString(), leaseUntil: 0 } },
    remove: ['outcome'],
    history: { actor, event: 'delivered', reason: `${decision.action} delivered to Chime` },
    now: deps.clock.now(),
  });
  return { status: 'DELIVERED', item: delivered };
}

async function terminal(
  deps: DecisionPathDeps,
  item: ModerationItem,
  to: 'ALREADY_RESOLVED' | 'EXPIRED' | 'FAILED',
  actor: string,
  reason: string,
  errorType: string,
  attempts?: number,
): Promise<ModerationItem> {
  const delivery = item.delivery ?? { attempts: 0, leaseUntil: 0 };
  return deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: ['DECIDED'],
    to,
    set: {
      outcome: { reason, errorType },
      delivery: { ...delivery, ...(attempts !== undefined ? { attempts, lastAttemptAt: new Date(deps.clock.now()).toISOString() } : {}), leaseUntil: 0 },
    },
    history: { actor, event: to.toLowerCase(), reason },
    now: deps.clock.now(),
  });
}

/**
 * Finds a DECIDED item whose delivery nobody is doing (a crash, a lost message) and delivers
 * its recorded decision, taking the lease with a version-guarded write so only one caller does.
 */
export async function resumeDelivery(deps: DecisionPathDeps, item: ModerationItem, actor: string): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const leaseUntil = item.delivery?.leaseUntil ?? 0;
  if (leaseUntil > now) {
    return { status: 'BUSY', item, retryAfterSeconds: Math.max(1, Math.ceil((leaseUntil - now) / 1000)) };
  }
  let leased: ModerationItem;
  try {
    leased = await deps.store.transition({
      callbackId: item.callbackId,
      deadline: item.deadline,
      from: ['DECIDED'],
      to: 'DECIDED',
      expectedVersion: item.version,
      set: { delivery: { ...(item.delivery ?? { attempts: 0 }), leaseUntil: now + deps.leaseSeconds * 1000 } },
      history: { actor, event: 'delivery-resumed' },
      now,
      quiet: true,
    });
  } catch (error) {
    if (error instanceof TransitionConflictError && error.current) {
      return { status: 'BUSY', item: error.current, retryAfterSeconds: deps.leaseSeconds };
    }
    throw error;
  }
  return deliverDecision(deps, leased, actor, { before: item.delivery });
}
