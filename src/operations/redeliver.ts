import { isPastDeadline } from '../domain/deadline.js';
import type { ModerationItem } from '../domain/item.js';
import type { Page, ReviewStore, WorkQueue } from '../domain/ports.js';
import { toWorkMessage } from '../domain/item.js';
import { TransitionConflictError } from '../errors.js';
import { deliverDecision, type DecisionPathDeps, type DeliveryOutcome } from '../pipeline/decide.js';

/**
 * Recovery after a misconfiguration (README "Recovering FAILED messages"). A missing
 * chime:ChannelFlowCallback grant, common on a first deploy, makes Chime refuse every callback
 * with 403 while the messages wait, PENDING, in their window: each is recorded FAILED (a fact:
 * refused, read back still pending). Once the grant is fixed, this re-delivers the decision
 * each of them recorded, never a new one, through the normal decision path and its lease:
 *
 *   FAILED, window open ─ reopen (conditional: still FAILED, same version) ─▶ DECIDED, leased
 *        └─ deliverDecision (the recorded decision) ─▶ DELIVERED, or FAILED again with Chime's reason, …
 *   anything else ─▶ SKIPPED, with why (not FAILED, window closed, changed meanwhile)
 *
 * Idempotent: an item it delivered is no longer FAILED, so a second call does nothing to it.
 * Bounded in time, like a bulk decision: what is not reached within the budget is reported
 * NOT_ATTEMPTED, left FAILED, for the next call (`more: true`).
 */

export interface RedeliverDeps extends DecisionPathDeps {
  store: ReviewStore;
  queue: WorkQueue;
  /** Things worth an operator's attention that do not fail the request. */
  warn: (message: string, details: Record<string, unknown>) => void;
}

export interface RedeliverRequest {
  status: 'FAILED';
  /** These items only; otherwise every FAILED item whose window is open (and `from`/`to`). */
  callbackIds?: string[];
  /** ISO bounds on when the item failed (its last write). */
  from?: string;
  to?: string;
  /** Items to take in this call (default 25). */
  limit?: number;
  /** Where the previous call's listing stopped (`next` of its answer). */
  after?: Record<string, unknown>;
}

export type RedeliverOutcome = 'DELIVERED' | 'FAILED' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'QUEUED' | 'SKIPPED' | 'NOT_ATTEMPTED';

export interface RedeliverResult {
  callbackId: string;
  outcome: RedeliverOutcome;
  /** Why (SKIPPED, NOT_ATTEMPTED, FAILED again …). */
  reason?: string;
  item?: ModerationItem;
}

/** Reopening and delivering stop starting new items after this long (the API's function has 10 s). */
export const REDELIVER_BUDGET_MS = 4_000;
export const DEFAULT_REDELIVER_LIMIT = 25;
/** Pages of the FAILED listing one call reads at most (100 items each). */
const MAX_LISTING_PAGES = 10;

export async function redeliverFailed(
  deps: RedeliverDeps,
  actor: { id: string; name: string },
  request: RedeliverRequest,
): Promise<{ results: RedeliverResult[]; more: boolean; next?: Record<string, unknown> }> {
  const started = deps.clock.now();
  const limit = request.limit ?? DEFAULT_REDELIVER_LIMIT;
  const { items, more, missing, next } = request.callbackIds ? await named(deps.store, request.callbackIds) : await failedInWindow(deps, request, limit);
  const results: RedeliverResult[] = missing.map((callbackId) => ({ callbackId, outcome: 'SKIPPED', reason: 'No moderation item has this CallbackId' }));
  let cutShort = false;
  for (const item of items) {
    if (deps.clock.now() - started >= REDELIVER_BUDGET_MS) {
      cutShort = true;
      results.push({ callbackId: item.callbackId, outcome: 'NOT_ATTEMPTED', reason: 'The request ran out of time before this item; it is still FAILED: call again' });
      continue;
    }
    results.push(await redeliverOne(deps, actor, item));
  }
  return { results, more: more || cutShort, ...(next && !cutShort ? { next } : {}) };
}

async function redeliverOne(deps: RedeliverDeps, actor: { id: string; name: string }, item: ModerationItem): Promise<RedeliverResult> {
  const callbackId = item.callbackId;
  if (item.status !== 'FAILED') return { callbackId, outcome: 'SKIPPED', reason: `It is ${item.status}, not FAILED`, item };
  if (!item.decision) return { callbackId, outcome: 'SKIPPED', reason: 'It has no recorded decision to deliver', item };
  const now = deps.clock.now();
  if (isPastDeadline(item.deadline, now)) return { callbackId, outcome: 'SKIPPED', reason: `Its window closed at ${item.deadline}: Chime no longer takes a callback for it`, item };

  let reopened: ModerationItem;
  try {
    reopened = await deps.store.transition({
      callbackId,
      deadline: item.deadline,
      from: ['FAILED'],
      to: 'DECIDED',
      // Only the FAILED state read here: nobody else reopens or changes it in between.
      expectedVersion: item.version,
      set: { delivery: { ...(item.delivery ?? { attempts: 0 }), leaseUntil: now + deps.leaseSeconds * 1000 } },
      remove: ['outcome', 'expiresAt'],
      history: { actor: actor.name, event: 'redelivery-requested', reason: `Failed before: ${item.outcome?.reason ?? 'no reason recorded'}` },
      now,
    });
  } catch (error) {
    if (error instanceof TransitionConflictError) return { callbackId, outcome: 'SKIPPED', reason: `It changed meanwhile (now ${error.current?.status ?? 'gone'})`, ...(error.current ? { item: error.current } : {}) };
    throw error;
  }

  let outcome: DeliveryOutcome;
  try {
    outcome = await deliverDecision(deps, reopened, actor.name, { before: item.delivery });
  } catch (error) {
    // Recorded as DECIDED with a lease: the sweeper delivers it once the lease lapses.
    deps.warn('Redelivery reopened an item but could not finish delivering it; the sweeper will', { callbackId, error: String(error) });
    return { callbackId, outcome: 'QUEUED', reason: 'Reopened; its delivery did not finish and is left to the sweeper', item: reopened };
  }
  switch (outcome.status) {
    case 'DELIVERED':
    case 'ALREADY_RESOLVED':
    case 'EXPIRED':
      return { callbackId, outcome: outcome.status, item: outcome.item };
    case 'FAILED':
      return { callbackId, outcome: 'FAILED', reason: outcome.item.outcome?.reason ?? 'Chime refused it again', item: outcome.item };
    case 'RETRY':
    case 'BUSY': {
      // Turned away (throttled), or in doubt: the workers retry it, the same decision.
      await deps.queue.enqueue(toWorkMessage(outcome.item)).catch((error: unknown) =>
        deps.warn('Could not hand a redelivery to the work queue; the sweeper will deliver it', { callbackId, error: String(error) }),
      );
      return { callbackId, outcome: 'QUEUED', reason: 'Chime did not take it now; the workers retry it', item: outcome.item };
    }
  }
}

/** The items named, in the order given (and the ids that name none). */
async function named(store: ReviewStore, callbackIds: string[]): Promise<{ items: ModerationItem[]; more: boolean; missing: string[]; next?: Record<string, unknown> }> {
  const found = await Promise.all(callbackIds.map(async (id) => [id, await store.get(id)] as const));
  return { items: found.flatMap(([, item]) => (item ? [item] : [])), more: false, missing: found.filter(([, item]) => !item).map(([id]) => id) };
}

/**
 * FAILED items whose window is open, nearest deadline first, that failed within [from, to]. A
 * bounded read per call (the list can hold every message of a bad day): when the filters leave
 * most of it out, the answer's `next` says where the next call goes on.
 */
async function failedInWindow(deps: RedeliverDeps, request: RedeliverRequest, limit: number): Promise<{ items: ModerationItem[]; more: boolean; missing: string[]; next?: Record<string, unknown> }> {
  const items: ModerationItem[] = [];
  const openAfter = new Date(deps.clock.now()).toISOString();
  const inRange = (item: ModerationItem) => (request.from === undefined || item.updatedAt >= request.from) && (request.to === undefined || item.updatedAt <= request.to);
  let next = request.after;
  for (let pages = 0; pages < MAX_LISTING_PAGES; pages += 1) {
    // One item at a time past `limit`: the position handed on must be exactly after what was taken.
    const page: Page<ModerationItem> = await deps.store.listFailed({ openAfter, limit: Math.min(100, limit - items.length), ...(next ? { next } : {}) });
    items.push(...page.items.filter(inRange));
    next = page.next;
    if (!next) return { items, more: false, missing: [] };
    if (items.length >= limit) return { items, more: true, missing: [], next };
  }
  return { items, more: true, missing: [], ...(next ? { next } : {}) };
}
