import type { z } from 'zod';
import { callbackProblems, toCallbackRequest } from '../domain/callback.js';
import { toWorkMessage, type Decision, type MessageUpdate, type ModerationItem } from '../domain/item.js';
import { InvalidCallbackError, TransitionConflictError } from '../errors.js';
import { deliverDecision, recordDecision } from '../pipeline/decide.js';
import { explainLostWrite, obstacleFor } from './conflicts.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from './principal.js';
import { toProblem } from './problems.js';
import type { BulkDecisionResult, ReviewDetail } from './responses.js';
import type { BulkDecisionRequest, DecisionRequest } from './schemas.js';
import { toReviewDetail } from './views.js';

type DecisionInput = Omit<DecisionRequest, 'expectedVersion'>;

const DEFAULT_REASONS = { ALLOW: 'Allowed by a moderator', UPDATE: 'Edited and allowed by a moderator', DENY: 'Denied by a moderator' } as const;

export function moderatorDecision(item: Pick<ModerationItem, 'policy'>, principal: Principal, input: DecisionInput, nowMs: number): Decision {
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
    // The rules that held it: the audit log can then answer "what did moderators do with X".
    ruleIds: item.policy?.ruleIds ?? [],
    ...(input.action === 'UPDATE' ? { update } : {}),
    decidedAt: new Date(nowMs).toISOString(),
  };
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
export async function decideReview(deps: ReviewDeps, principal: Principal, callbackId: string, request: DecisionRequest): Promise<z.output<typeof ReviewDetail>> {
  const item = await deps.store.get(callbackId);
  const now = deps.clock.now();
  const obstacle = obstacleFor(callbackId, item, principal.subject, now, request.expectedVersion);
  if (obstacle) throw obstacle;
  const current = item!;

  const decision = moderatorDecision(current, principal, request, now);
  const problems = callbackProblems(toCallbackRequest(current, decision));
  if (problems.length > 0) throw new InvalidCallbackError(callbackId, problems);

  let recorded: ModerationItem;
  try {
    recorded = await recordDecision(deps, current, decision, {
      from: ['PENDING_REVIEW'],
      ...(request.expectedVersion !== undefined ? { expectedVersion: request.expectedVersion } : {}),
      claimableBy: principal.subject,
      remove: ['claim'],
    });
  } catch (error) {
    if (error instanceof TransitionConflictError) {
      throw explainLostWrite(callbackId, error.current, principal.subject, deps.clock.now(), current.version, request.expectedVersion);
    }
    throw error; // DeadlinePassedError (410) and store failures
  }

  let result = recorded;
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

/** Up to 25 independent decisions; each gets the result it would have had on its own. */
export async function decideMany(deps: ReviewDeps, principal: Principal, request: BulkDecisionRequest): Promise<z.output<typeof BulkDecisionResult>> {
  const results: z.output<typeof BulkDecisionResult>['results'] = new Array(request.decisions.length);
  let nextIndex = 0;
  const worker = async () => {
    for (let i = nextIndex++; i < request.decisions.length; i = nextIndex++) {
      const { callbackId, ...decision } = request.decisions[i]!;
      try {
        results[i] = { callbackId, status: 200, item: await decideReview(deps, principal, callbackId, decision) };
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
