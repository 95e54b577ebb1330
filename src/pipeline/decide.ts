import {
  callbackProblems,
  earlierCallbackMayHaveLanded,
  needsReadBack,
  readCallbackAnswer,
  settleCallback,
  toCallbackRequest,
  type CallbackAnswer,
  type CallbackSettlement,
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
 *   deliverDecision ── ChannelFlowCallback with exactly the recorded decision, ONE attempt
 *        │             (only an answer that says Chime turned it away unapplied is repeated)
 *        ├── 200 ─────────────────────────────────────────────▶ DELIVERED
 *        ├── 429 / 503 ──────────────────────────────────────▶ stays DECIDED, retried later
 *        ├── other 4xx ──────────────────────────────────────▶ FAILED, with Chime's reason
 *        └── no answer / 409 / "non-pending" / 403 ─▶ read the message back as its sender,
 *              and settle by the rule in src/domain/callback.ts (settleCallback):
 *              landed as decided ────────────────────────────▶ DELIVERED (confirmed by read-back)
 *              still pending, no answer ─────────────────────▶ stays DECIDED, in doubt, retried
 *              still pending, 403 ───────────────────────────▶ EXPIRED (window closed) or FAILED
 *                                                              (a missing grant: an alarm)
 *              resolved, not by us ──────────────────────────▶ ALREADY_RESOLVED
 *              unreadable, ours may have landed ─────────────▶ stays DECIDED, in doubt (never guessed)
 *
 * A crash between the two steps leaves a DECIDED item. Whoever finds it later (the redelivered
 * work message, or the sweeper) takes the lease and delivers that same decision, never a new one.
 * A callback Chime confirms is recorded DELIVERED whatever the item says meanwhile: the record
 * says what Chime did.
 */

export interface DecisionPathDeps {
  store: ModerationStore;
  callbacks: CallbackSender;
  clock: Clock;
  /** How long a deliverer holds the exclusive right to call back. */
  leaseSeconds: number;
  /** Told about decisions and callback failures (metrics, operators' logs). Optional. */
  observer?: DecisionObserver;
  /** What follows a decision for the people in the chat (a notice to the sender, a strike). Optional. */
  aftercare?: DecisionAftercare;
}

/**
 * What follows a decision for the people in the chat (src/notices/aftercare.ts): the sender's
 * notice, a strike. Record, then deliver, as decisions are: `recorded` writes what must follow
 * before the callback is sent, so a crash between the callback and the notice loses nothing
 * (the sweeper finishes it); `delivered` does it once Chime confirmed the decision; a decision
 * that ends otherwise (FAILED, EXPIRED, ALREADY_RESOLVED) is never noticed. Implementations are
 * idempotent (called again under redelivery) and never throw into the decision path: a notice
 * that fails is retried and recorded on its own record, never on the decision.
 */
export interface DecisionAftercare {
  /** A decision was recorded (DECIDED), before its callback. */
  recorded(item: ModerationItem): Promise<void>;
  /** Chime confirmed the decision (DELIVERED). */
  delivered(item: ModerationItem): Promise<void>;
  /** A message was held for a moderator (PENDING_REVIEW). */
  held(item: ModerationItem): Promise<void>;
}

/** Runs an aftercare step; its failure is the aftercare's own (its records retry it), never the decision's. */
export async function aftercare(deps: Pick<DecisionPathDeps, 'aftercare' | 'observer'>, step: keyof DecisionAftercare, item: ModerationItem): Promise<void> {
  if (!deps.aftercare) return;
  try {
    await deps.aftercare[step](item);
  } catch (error) {
    observe(deps, (o) => o.aftercareFailed?.({ callbackId: item.callbackId, step, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  }
}

/**
 * How a callback attempt that Chime did not simply accept was recorded:
 *   RETRY              turned away (429, 503): stays DECIDED, retried later
 *   IN_DOUBT           no answer, or an answer only a read-back can settle and the read-back could
 *                      not: stays DECIDED, in doubt (metric CallbackInDoubt)
 *   LANDED             the answer was lost, but the read-back shows our callback landed: DELIVERED
 *   ALREADY_RESOLVED   resolved by something else
 *   EXPIRED            the window closed first
 *   FORBIDDEN_BEFORE_DEADLINE  a 403 while the message is pending in its window: FAILED, alarm
 *   FATAL              refused (an invalid request, before sending or by Chime): FAILED
 */
export type CallbackFailureKind = 'RETRY' | 'IN_DOUBT' | 'LANDED' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'FORBIDDEN_BEFORE_DEADLINE' | 'FATAL';

/** A callback that was not simply accepted, as the decision path read it. */
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
  /** A callback was not simply accepted (refused before sending, turned away, answer lost …). */
  callbackFailed(failure: CallbackFailureReport): void;
  /** An aftercare step threw (its own records retry it; the decision is unaffected). */
  aftercareFailed?(failure: { callbackId: string; step: string; message: string }): void;
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
    /**
     * Take the delivery lease (default): the caller delivers next. Without it the decision is
     * left for a worker or the sweeper to deliver at once (a bulk request out of time).
     */
    lease?: boolean;
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
      delivery: { attempts: 0, leaseUntil: options.lease === false ? 0 : now + deps.leaseSeconds * 1000 },
    },
    history: { actor: decision.actor.name ?? decision.actor.id, event: `decided:${decision.action}`, reason: decision.reason },
    now,
  });
  observe(deps, (o) => o.decided(decision));
  await aftercare(deps, 'recorded', recorded);
  return recorded;
}

/** Marks an undecided item EXPIRED; no callback is sent for it (see expireUndelivered for DECIDED ones). */
export async function expireItem(deps: Pick<DecisionPathDeps, 'store' | 'clock'>, item: ModerationItem, actor: string, reason: string, unsettled = false) {
  return deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: [item.status],
    to: 'EXPIRED',
    expectedVersion: item.version,
    set: { outcome: { reason, ...(unsettled ? { unsettled: true } : {}) } },
    history: { actor, event: 'expired', reason },
    now: deps.clock.now(),
  });
}

/** After the deadline, a DECIDED item whose callback may have landed is read back once more before it is left unsettled. */
export const UNSETTLED_GRACE_MS = 3_600_000;

/**
 * A DECIDED item past its deadline. If a callback of ours may have landed, Chime is asked first:
 * landed as decided is DELIVERED (the record says what Chime did), still pending is EXPIRED. If
 * Chime cannot be read, the item stays DECIDED and is tried again on a later sweep, until an hour
 * past the deadline: then EXPIRED marked `unsettled` (never a claim that nothing landed). Nothing
 * of ours in doubt: EXPIRED, no callback sent.
 *
 * `holdsLease`: the caller holds the delivery lease (a deliverer that found the deadline passed).
 * Otherwise (the sweeper) the lease is taken first, with a write guarded by the version read, so
 * a deliverer calling right now is never overtaken by a stale read of the item.
 */
export async function expireUndelivered(deps: DecisionPathDeps, item: ModerationItem, actor: string, options: { holdsLease?: boolean } = {}): Promise<DeliveryOutcome> {
  if (!earlierCallbackMayHaveLanded(item.delivery)) {
    return { status: 'EXPIRED', item: await expireItem(deps, item, actor, 'Deadline passed before the recorded decision was delivered; no callback landed') };
  }
  const held = options.holdsLease ? item : await takeLease(deps, item, actor);
  if (!held) return { status: 'BUSY', item, retryAfterSeconds: deps.leaseSeconds };
  const observed = await deps.callbacks.readStatus(held.message);
  const settlement = settleCallback({
    answer: { kind: 'FORBIDDEN', errorType: 'DeadlinePassed', message: `the deadline ${held.deadline} has passed` },
    observed,
    action: held.decision!.action,
    isEdit: held.message.lastEditedTimestamp !== undefined,
    earlierMayHaveLanded: true,
    deadline: held.deadline,
    answeredAt: deps.clock.now(),
  });
  if (settlement.outcome === 'DELIVERED') return { status: 'DELIVERED', item: await recordDelivered(deps, held, actor, held.delivery?.attempts ?? 0, settlement) };
  if (settlement.outcome === 'RETRY') {
    if (deps.clock.now() < Date.parse(held.deadline) + UNSETTLED_GRACE_MS) return { status: 'RETRY', item: await releaseLease(deps, held, actor), errorType: 'Unsettled', retryAfterSeconds: 60 };
    return {
      status: 'EXPIRED',
      item: await terminal(deps, held, 'EXPIRED', actor, { reason: `Deadline passed; a callback of ours may have landed, and Chime could not be read to settle it (${settlement.reason})`, errorType: 'Unsettled', unsettled: true }),
    };
  }
  return {
    status: settlement.outcome,
    item: await terminal(deps, held, settlement.outcome, actor, { reason: settlement.reason, errorType: 'DeadlinePassed', ...('unsettled' in settlement && settlement.unsettled ? { unsettled: true } : {}) }),
  };
}

/** The delivery lease, taken on the item as read (version-guarded); undefined when someone else moved it first. */
async function takeLease(deps: DecisionPathDeps, item: ModerationItem, actor: string): Promise<ModerationItem | undefined> {
  const now = deps.clock.now();
  try {
    return await deps.store.transition({
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
    if (error instanceof TransitionConflictError) return undefined;
    throw error;
  }
}

/** Gives the lease back, keeping what is known (bookkeeping: a later sweep settles it). */
async function releaseLease(deps: DecisionPathDeps, item: ModerationItem, actor: string): Promise<ModerationItem> {
  return deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: ['DECIDED'],
    to: 'DECIDED',
    expectedVersion: item.version,
    set: { delivery: { ...(item.delivery ?? { attempts: 0 }), leaseUntil: 0 } },
    history: { actor, event: 'delivery-unsettled' },
    now: deps.clock.now(),
    quiet: true,
  });
}

/**
 * Delivers the recorded decision of an item this caller holds the lease for. Never throws for
 * Chime's answers: each one maps to a designed outcome (settleCallback). Store errors propagate.
 *
 * `before` is the delivery record as found before this caller took the lease (resumeDelivery);
 * omit it for a decision the caller has just recorded itself. It tells whether a callback of ours
 * may have landed already (see earlierCallbackMayHaveLanded).
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
  const earlierMayHaveLanded = earlierCallbackMayHaveLanded(options.before) || delivery.inDoubt === true;
  if (isPastDeadline(item.deadline, deps.clock.now())) {
    return expireUndelivered(deps, { ...item, delivery: { ...delivery, inDoubt: earlierMayHaveLanded } }, actor, { holdsLease: true });
  }

  const request = toCallbackRequest(item, decision);
  const problems = callbackProblems(request);
  if (problems.length > 0) {
    // Workers never record such a decision (src/worker/process.ts holds it for review instead),
    // and moderators' edits are refused at the API; this is the last line.
    const message = `Invalid callback: ${problems.join('; ')}`;
    observe(deps, (o) => o.callbackFailed({ callbackId: item.callbackId, errorType: 'InvalidCallback', kind: 'FATAL', message, actor }));
    return { status: 'FAILED', item: await terminal(deps, item, 'FAILED', actor, { reason: message, errorType: 'InvalidCallback' }) };
  }

  const attempts = delivery.attempts + 1;
  const attemptAt = new Date(deps.clock.now()).toISOString();
  let answer: CallbackAnswer;
  try {
    await deps.callbacks.send(request);
    answer = { kind: 'ACCEPTED' };
  } catch (error) {
    answer = readCallbackAnswer(error);
  }
  const observed = needsReadBack(answer, earlierMayHaveLanded) ? await deps.callbacks.readStatus(item.message) : undefined;
  const settlement = settleCallback({
    answer,
    ...(observed ? { observed } : {}),
    action: decision.action,
    isEdit: item.message.lastEditedTimestamp !== undefined,
    earlierMayHaveLanded,
    deadline: item.deadline,
    answeredAt: deps.clock.now(),
  });
  if (answer.kind !== 'ACCEPTED') {
    observe(deps, (o) => o.callbackFailed({ callbackId: item.callbackId, errorType: answer.errorType, kind: failureKind(settlement), message: answer.message, actor }));
  }
  const tried = { ...delivery, attempts, lastAttemptAt: attemptAt, ...(answer.kind !== 'ACCEPTED' ? { lastError: `${answer.errorType}: ${answer.message}` } : {}) };

  switch (settlement.outcome) {
    case 'DELIVERED':
      return { status: 'DELIVERED', item: await recordDelivered(deps, { ...item, delivery: tried }, actor, attempts, settlement) };
    case 'RETRY': {
      const retryAfterSeconds = retryDelaySeconds(attempts);
      const updated = await deps.store.transition({
        callbackId: item.callbackId,
        deadline: item.deadline,
        from: ['DECIDED'],
        to: 'DECIDED',
        expectedVersion: item.version,
        // Releasing the lease lets the retry (or the sweeper) deliver without waiting for it.
        set: { delivery: { ...tried, inDoubt: settlement.inDoubt, leaseUntil: 0 } },
        history: { actor, event: settlement.inDoubt ? 'delivery-in-doubt' : 'delivery-failed', reason: `${settlement.reason} (attempt ${attempts}); retrying in ${retryAfterSeconds}s` },
        now: deps.clock.now(),
      });
      return { status: 'RETRY', item: updated, errorType: answer.kind === 'ACCEPTED' ? 'Unknown' : answer.errorType, retryAfterSeconds };
    }
    default:
      return {
        status: settlement.outcome,
        item: await terminal(deps, item, settlement.outcome, actor, {
          reason: settlement.reason,
          errorType: answer.kind === 'ACCEPTED' ? 'Unknown' : answer.errorType,
          attempts,
          tried,
          ...('unsettled' in settlement && settlement.unsettled ? { unsettled: true } : {}),
        }),
      };
  }
}

function failureKind(settlement: CallbackSettlement): CallbackFailureKind {
  switch (settlement.outcome) {
    case 'DELIVERED':
      return 'LANDED';
    case 'RETRY':
      return settlement.inDoubt ? 'IN_DOUBT' : 'RETRY';
    case 'FAILED':
      return settlement.forbiddenBeforeDeadline ? 'FORBIDDEN_BEFORE_DEADLINE' : 'FATAL';
    default:
      return settlement.outcome;
  }
}

/**
 * A callback Chime confirmed (its 200, or a read-back). Recorded DELIVERED from any status the
 * item may have reached meanwhile: a concurrent deliverer may have read our own callback as
 * "resolved already", or the sweeper may have given up on it; Chime's word is the fact.
 */
async function recordDelivered(
  deps: DecisionPathDeps,
  item: ModerationItem,
  actor: string,
  attempts: number,
  settlement: Extract<CallbackSettlement, { outcome: 'DELIVERED' }>,
): Promise<ModerationItem> {
  const delivery = item.delivery ?? { attempts, leaseUntil: 0 };
  const now = deps.clock.now();
  const { inDoubt: _settled, ...rest } = delivery;
  const delivered = await deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: ['DECIDED', 'ALREADY_RESOLVED', 'EXPIRED', 'FAILED'],
    to: 'DELIVERED',
    set: { delivery: { ...rest, attempts, deliveredAt: new Date(now).toISOString(), confirmedBy: settlement.confirmedBy, leaseUntil: 0 } },
    remove: ['outcome'],
    history: {
      actor,
      event: 'delivered',
      reason: settlement.confirmedBy === 'answer' ? `${item.decision!.action} delivered to Chime` : `${item.decision!.action} delivered to Chime, confirmed by read-back: ${settlement.note ?? ''}`.trim(),
    },
    now,
  });
  await aftercare(deps, 'delivered', delivered);
  return delivered;
}

/**
 * A terminal outcome of a delivery this caller holds the lease for: written only on the item as
 * the caller has it (version-guarded), so a deliverer whose lease was taken over never records
 * over the new holder, who settles the outcome itself (a TransitionConflictError to the caller).
 */
async function terminal(
  deps: DecisionPathDeps,
  item: ModerationItem,
  to: 'ALREADY_RESOLVED' | 'EXPIRED' | 'FAILED',
  actor: string,
  details: { reason: string; errorType: string; attempts?: number; tried?: Delivery; unsettled?: true },
): Promise<ModerationItem> {
  const delivery = details.tried ?? item.delivery ?? { attempts: 0, leaseUntil: 0 };
  const { inDoubt: _settled, ...rest } = delivery;
  return deps.store.transition({
    callbackId: item.callbackId,
    deadline: item.deadline,
    from: ['DECIDED'],
    to,
    expectedVersion: item.version,
    set: {
      outcome: { reason: details.reason, errorType: details.errorType, ...(details.unsettled ? { unsettled: true } : {}) },
      delivery: { ...rest, ...(details.attempts !== undefined ? { attempts: details.attempts, lastAttemptAt: new Date(deps.clock.now()).toISOString() } : {}), leaseUntil: 0 },
    },
    history: { actor, event: to.toLowerCase(), reason: details.reason },
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
  const leased = await takeLease(deps, item, actor);
  if (!leased) return { status: 'BUSY', item: (await deps.store.get(item.callbackId)) ?? item, retryAfterSeconds: deps.leaseSeconds };
  return deliverDecision(deps, leased, actor, { before: item.delivery });
}
