import type { z } from 'zod';
import { callbackProblems, toCallbackRequest } from '../domain/callback.js';
import { toWorkMessage, type Decision, type MessageUpdate, type ModerationItem } from '../domain/item.js';
import { IdempotencyKeyReusedError, InvalidCallbackError, TransitionConflictError } from '../errors.js';
import { requestFingerprint } from '../http/idempotency.js';
import { deliverDecision, recordDecision } from '../pipeline/decide.js';
import { explainLostWrite, obstacleFor } from './conflicts.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from '../http/principal.js';
import { problem, toProblem } from '../http/problems.js';
import type { BulkDecisionResult, ReviewDetail } from './responses.js';
import type { BulkDecisionRequest, DecisionRequest } from './schemas.js';
import { toReviewDetail } from './views.js';

type DecisionInput = Omit<DecisionRequest, 'expectedVersion'>;

/** A bulk decision the time budget left no room for: nothing was done to it. */
const notAttempted = (callbackId: string) =>
  problem('not-attempted', `The request ran out of time before ${callbackId} was decided; nothing was done to it. Send the request again (with the same Idempotency-Key: decisions already made are answered as they were).`, { callbackId });

const DEFAULT_REASONS = { ALLOW: 'Allowed by a moderator', UPDATE: 'Edited and allowed by a moderator', DENY: 'Denied by a moderator' } as const;

export function moderatorDecision(item: Pick<ModerationItem, 'policy'>, principal: Principal, input: DecisionInput, nowMs: number, idempotencyKey?: string): Decision {
  const update: MessageUpdate = {
    ...(input.content !== undefined ? { content: input.content } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    ...(input.messageAttributes !== undefined ? { messageAttributes: input.messageAttributes } : {}),
    ...(input.pushNotification !== undefined ? { pushNotification: input.pushNotification } : {}),
  };
  return {
    action: input.action,
    origin: 'MODERATOR',
    actor: { id: principal.subject, name: principal.username },
    reason: input.reason ?? DEFAULT_REASONS[input.action],
    ...(input.publicReason !== undefined ? { publicReason: input.publicReason } : {}),
    // The rules that held it: the audit log can then answer "what did moderators do with X".
    ruleIds: item.policy?.ruleIds ?? [],
    ...(input.action === 'UPDATE' ? { update } : {}),
    decidedAt: new Date(nowMs).toISOString(),
    ...(idempotencyKey !== undefined ? { idempotency: { key: idempotencyKey, requestHash: requestFingerprint(input) } } : {}),
  };
}

/**
 * The same request sent again with the same Idempotency-Key (the first one's answer was lost):
 * the decision it made, answered again. The same key with another request is refused.
 */
function replayOf(item: ModerationItem | undefined, principal: Principal, input: DecisionInput, idempotencyKey: string | undefined): ModerationItem | undefined {
  const made = item?.decision?.idempotency;
  if (!item || !made || idempotencyKey === undefined || made.key !== idempotencyKey || item.decision!.actor.id !== principal.subject) return undefined;
  if (made.requestHash !== requestFingerprint(input)) throw new IdempotencyKeyReusedError(idempotencyKey, `${item.decision!.action} of ${item.callbackId} at ${item.decision!.decidedAt}`);
  return item;
}

export interface DecideOptions {
  idempotencyKey?: string;
  /**
   * Epoch ms after which the callback is not attempted here: the decision stays DECIDED and is
   * handed to the workers (a bulk request's time budget). Undefined: deliver now.
   */
  deliverBy?: number;
}

/**
 * A moderator's decision, through the same path the workers and the sweeper use:
 *
 *   obstacles? ── decided / past deadline / claimed by another / stale version ──▶ 409 / 410
 *   recordDecision ── conditional write PENDING_REVIEW → DECIDED, guarded by the claim (and
 *        │            expectedVersion), inside DynamoDB: exactly one of two racers wins
 *   deliverDecision ── ChannelFlowCallback ──▶ DELIVERED
 *                                          └─▶ retryable failure: stays DECIDED, handed to the
 *                                              work queue (and the sweeper) to deliver later
 *
 * Once recorded the decision stands: a delivery problem never turns into an error response.
 */
export async function decideReview(deps: ReviewDeps, principal: Principal, callbackId: string, request: DecisionRequest, options: DecideOptions = {}): Promise<z.output<typeof ReviewDetail>> {
  const { expectedVersion, ...input } = request;
  const item = await deps.store.get(callbackId);
  const now = deps.clock.now();
  const replayed = replayOf(item, principal, input, options.idempotencyKey);
  if (replayed) return toReviewDetail(replayed, now, deps.expiryMarginSeconds, deps.expiryAction);
  const obstacle = obstacleFor(callbackId, item, principal.subject, now, expectedVersion);
  if (obstacle) throw obstacle;
  const current = item!;

  const decision = moderatorDecision(current, principal, input, now, options.idempotencyKey);
  const problems = callbackProblems(toCallbackRequest(current, decision));
  if (problems.length > 0) throw new InvalidCallbackError(callbackId, problems);

  // Out of this request's time for a callback: recorded without a lease, for the workers.
  const deliverHere = options.deliverBy === undefined || deps.clock.now() < options.deliverBy;
  let recorded: ModerationItem;
  try {
    recorded = await recordDecision(deps, current, decision, {
      lease: deliverHere,
      from: ['PENDING_REVIEW'],
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      claimableBy: principal.subject,
      remove: ['claim'],
    });
  } catch (error) {
    if (error instanceof TransitionConflictError) {
      // A concurrent request of the same moderator with the same key won: its decision is ours.
      const winner = replayOf(error.current, principal, input, options.idempotencyKey);
      if (winner) return toReviewDetail(winner, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction);
      throw explainLostWrite(callbackId, error.current, principal.subject, deps.clock.now(), current.version, expectedVersion);
    }
    throw error; // DeadlinePassedError (410) and store failures
  }

  let result = recorded;
  if (!deliverHere) {
    await handOver(deps, recorded, 'TimeBudget');
    return toReviewDetail(result, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction);
  }
  try {
    const outcome = await deliverDecision(deps, recorded, principal.username);
    result = outcome.item;
    if (outcome.status === 'RETRY') await handOver(deps, outcome.item, outcome.errorType);
  } catch (error) {
    // Recorded but not confirmed delivered (a store hiccup after the callback, say). The
    // sweeper re-drives DECIDED items; the moderator's decision stands either way.
    deps.warn('Decision recorded; delivery did not complete and will be retried', { callbackId, error: String(error) });
  }
  return toReviewDetail(result, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction);
}

/** A retryable delivery failure: let a worker retry soon rather than wait for the sweeper. */
async function handOver(deps: ReviewDeps, item: ModerationItem, errorType: string) {
  try {
    await deps.queue.enqueue(toWorkMessage(item));
  } catch (error) {
    deps.warn('Could not hand a decision to the work queue; the sweeper will deliver it', { callbackId: item.callbackId, errorType, error: String(error) });
  }
}

const BULK_CONCURRENCY = 5;

/**
 * A bulk request's time budget. Decisions are recorded until `recordByMs` and delivered here until
 * `deliverByMs` (a callback started then ends within LONGEST_CALLBACK_MS, 15 s, whatever Chime
 * does), and handed to the workers after that: the answer comes inside the review API function's
 * 28 s (serverless.yml), and so inside API Gateway's 30 s.
 */
export const BULK_BUDGET = { recordByMs: 3_000, deliverByMs: 2_000 } as const;

/** Up to 25 independent decisions; each gets the result it would have had on its own. */
export async function decideMany(deps: ReviewDeps, principal: Principal, request: BulkDecisionRequest, idempotencyKey?: string): Promise<z.output<typeof BulkDecisionResult>> {
  const started = deps.clock.now();
  const results: z.output<typeof BulkDecisionResult>['results'] = new Array(request.decisions.length);
  let nextIndex = 0;
  const worker = async () => {
    for (let i = nextIndex++; i < request.decisions.length; i = nextIndex++) {
      const { callbackId, ...decision } = request.decisions[i]!;
      if (deps.clock.now() - started >= BULK_BUDGET.recordByMs) {
        results[i] = { callbackId, status: 503, problem: notAttempted(callbackId) };
        continue;
      }
      try {
        // One key for the request, the CallbackId beside it: each decision replays on its own.
        const options: DecideOptions = { deliverBy: started + BULK_BUDGET.deliverByMs, ...(idempotencyKey !== undefined ? { idempotencyKey: `${idempotencyKey}/${callbackId}` } : {}) };
        results[i] = { callbackId, status: 200, item: await decideReview(deps, principal, callbackId, decision, options) };
      } catch (error) {
        const problem = toProblem(error);
        if (problem.status >= 500) deps.warn('Bulk decision failed', { callbackId, error: String(error) });
        results[i] = { callbackId, status: problem.status, problem };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, request.decisions.length) }, worker));
  return { results };
}
