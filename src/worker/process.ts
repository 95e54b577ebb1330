import { CALLBACK_LIMITS_RULE, callbackProblems, toCallbackRequest } from '../domain/callback.js';
import { isPastDeadline } from '../domain/deadline.js';
import type { Decision, ModerationItem, PolicyVersionRef, RecordedVerdict, WorkMessage } from '../domain/item.js';
import type { ChannelMessage, PolicyVerdict } from '../domain/message.js';
import { TransitionConflictError } from '../errors.js';
import { newItem } from '../intake/accept.js';
import type { SenderGate } from './sender-gate.js';
import type { ClassifierRecord } from '../classifiers/record.js';
import { aftercare, deliverDecision, expireItem, recordDecision, resumeDelivery, type DecisionPathDeps, type DeliveryOutcome } from '../pipeline/decide.js';

/**
 * A verdict, and (with live policies) the scope versions that produced it and the verdict of the
 * chain's shadow scopes. Both are recorded on the item; only the verdict is applied.
 */
export type WorkerVerdict = PolicyVerdict & { versions?: PolicyVersionRef[]; shadow?: RecordedVerdict; classifiers?: ClassifierRecord[] };

export interface WorkerDeps extends DecisionPathDeps {
  /** The effective policy applied to one message (live policies: resolved through the worker's cache). */
  evaluate: (message: ChannelMessage) => WorkerVerdict | Promise<WorkerVerdict>;
  callbackWindowSeconds: number;
  /** Who sent it, around the policy (src/worker/sender-gate.ts): the bot's notices, restrictions, allowances. */
  gate?: SenderGate;
  /** After the rules: the scope's classifiers (src/worker/classify.ts); their records join the verdict. */
  classify?: (work: WorkMessage, rules: WorkerVerdict) => Promise<WorkerVerdict>;
}

export type WorkOutcome =
  | DeliveryOutcome
  | { status: 'PENDING_REVIEW'; item: ModerationItem }
  /** Already handled by someone else (a duplicate message); nothing to do. */
  | { status: 'ALREADY_HANDLED'; item: ModerationItem }
  /**
   * Past its deadline, and its item is gone (removed by its TTL after it was settled, long
   * ago): a late copy (a re-driven dead letter, say). Nothing is written: rebuilding the item
   * now could only record something Chime did not do.
   */
  | { status: 'STALE'; item?: undefined };

const WORKER = 'worker';

export function decisionFromVerdict(verdict: PolicyVerdict, nowMs: number): Decision {
  if (verdict.action === 'REVIEW') throw new Error('A REVIEW verdict is not a decision');
  return {
    action: verdict.action,
    origin: 'AUTO',
    actor: { id: 'policy' },
    reason: verdict.reason,
    ruleIds: verdict.ruleIds,
    ...(verdict.action === 'UPDATE' && verdict.content !== undefined ? { update: { content: verdict.content } } : {}),
    decidedAt: new Date(nowMs).toISOString(),
  };
}

export { CALLBACK_LIMITS_RULE };

/**
 * A sender must never be able to strand their own message: an automatic ALLOW, UPDATE or DENY
 * whose callback Chime would refuse (content over 4 KB once PII is masked, say: a message of
 * 2,000 characters of `a@b.co` grows to 4,850 bytes) is held for a moderator instead, with the
 * reason as a finding. The moderator's own edit is checked by the API before it is recorded.
 */
export function holdIfChimeWouldRefuse(verdict: WorkerVerdict, work: Pick<WorkMessage, 'callbackId' | 'message'>, nowMs: number): WorkerVerdict {
  if (verdict.action === 'REVIEW') return verdict;
  const problems = callbackProblems(toCallbackRequest(work, decisionFromVerdict(verdict, nowMs)));
  if (problems.length === 0) return verdict;
  const reason = `Chime would refuse the policy's ${verdict.action} (${problems.join('; ')}): held for a moderator`;
  const { content: _refused, ...rest } = verdict;
  return {
    ...rest,
    action: 'REVIEW',
    ruleIds: [...verdict.ruleIds, CALLBACK_LIMITS_RULE],
    reason: `${verdict.reason}; ${reason}`,
    findings: [...verdict.findings, { ruleId: CALLBACK_LIMITS_RULE, action: 'REVIEW', reason }],
  };
}

/**
 * Decides one work message. Idempotent under redelivery: the first write is conditional on
 * RECEIVED, and whoever loses it looks at what the winner left and carries on from there.
 */
export async function processWorkMessage(deps: WorkerDeps, work: WorkMessage): Promise<WorkOutcome> {
  const now = deps.clock.now();
  try {
    if (isPastDeadline(work.deadline, now)) {
      const current = await deps.store.get(work.callbackId);
      if (!current) return { status: 'STALE' };
      if (current.status !== 'RECEIVED') return await continueFrom(deps, current, work);
      return { status: 'EXPIRED', item: await expireItem(deps, current, WORKER, 'Deadline passed before a worker picked the message up') };
    }

    // The rules, then the classifiers (inside the gate: never for the bot's notices nor a banned member's messages).
    const classify = deps.classify;
    const evaluate = classify ? async () => classify(work, await deps.evaluate(work.message)) : () => deps.evaluate(work.message);
    const judged = deps.gate ? await deps.gate.judge(work.message, now, evaluate) : await evaluate();
    const verdict = holdIfChimeWouldRefuse(judged, work, now);
    const { content: _masked, shadow, ...policy } = verdict;
    const recorded = { policy, ...(shadow ? { shadowPolicy: shadow } : {}) };
    if (verdict.action === 'REVIEW') {
      const item = await deps.store.transition({
        callbackId: work.callbackId,
        deadline: work.deadline,
        from: ['RECEIVED'],
        to: 'PENDING_REVIEW',
        set: recorded,
        history: { actor: WORKER, event: 'held-for-review', reason: verdict.reason },
        now,
      });
      await aftercare(deps, 'held', item);
      return { status: 'PENDING_REVIEW', item };
    }

    const decided = await recordDecision(deps, work, decisionFromVerdict(verdict, now), { from: ['RECEIVED'], set: recorded });
    return await deliverDecision(deps, decided, WORKER);
  } catch (error) {
    if (!(error instanceof TransitionConflictError)) throw error;
    if (!error.current) return recreateAndRetry(deps, work);
    return continueFrom(deps, error.current, work);
  }
}

async function continueFrom(deps: WorkerDeps, current: ModerationItem, work: WorkMessage): Promise<WorkOutcome> {
  switch (current.status) {
    case 'DECIDED':
      // Recorded but maybe not delivered (a crash between the two writes): deliver that same decision.
      return resumeDelivery(deps, current, WORKER);
    case 'RECEIVED':
      // Lost a race on something other than the status. Cannot happen with today's conditions;
      // if it ever does, failing the record lets SQS redeliver it rather than loop here.
      throw new TransitionConflictError(work.callbackId, 'a status other than RECEIVED after a lost write', current);
    default:
      return { status: 'ALREADY_HANDLED', item: current };
  }
}

/**
 * The work message exists but the item does not (a table restored from an older backup, say).
 * The message carries everything intake recorded, so rebuild the item rather than lose it.
 */
async function recreateAndRetry(deps: WorkerDeps, work: WorkMessage): Promise<WorkOutcome> {
  const item = newItem(work.callbackId, work.message, Date.parse(work.receivedAt), deps.callbackWindowSeconds);
  const recorded = await deps.store.recordReceived({ ...item, deadline: work.deadline });
  if (!recorded.created) return continueFrom(deps, recorded.item, work);
  return processWorkMessage(deps, work);
}
