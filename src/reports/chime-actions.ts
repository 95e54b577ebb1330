import { retentionExpiry } from '../domain/deadline.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../domain/follow-up.js';
import type { Actor } from '../domain/item.js';
import { ChimeActionError, FollowUpNotRecordedError, type ChimeModerationOperation } from '../errors.js';
import { requestFingerprint } from '../http/idempotency.js';
import { moderationFor, performFollowUp } from '../review/follow-ups.js';
import type { FinishDeps } from './deps.js';
import type { CaseChimeAction, CaseRecord } from './model.js';

/**
 * A case's calls in Chime (a decision's REDACT or DELETE, an auto-hide), through the same
 * follow-up machinery as moderators' actions on held messages (src/review/follow-ups.ts): an
 * audit record REQUESTED before the call, DONE or FAILED by Chime's answer or by a read-back of
 * the message after a lost one, on the audit log (GET /decisions) with the case id.
 *
 * Each record's id is derived from the case (one per decision, one auto-hide), never random, so
 * whichever request meets a case whose action is still REQUESTED (its answer lost, the request
 * died) replays that same record: Chime's state is read back first, and only then is it called
 * again. Nothing is ever done twice, and nothing is recorded that Chime did not confirm.
 */

export type CaseChimeKind = 'decision' | 'autohide';

export const caseActionIdOf = (caseId: string, kind: CaseChimeKind): string => `${FOLLOW_UP_PREFIX}case-${kind}-${caseId}`;

const OPERATIONS = { REDACT_MESSAGE: 'RedactChannelMessage', DELETE_MESSAGE: 'DeleteChannelMessage' } as const satisfies Record<string, ChimeModerationOperation>;

export interface CaseChimeRequest {
  kind: CaseChimeKind;
  action: 'REDACT_MESSAGE' | 'DELETE_MESSAGE';
  origin: 'MODERATOR' | 'AUTO';
  actor: Actor;
  reason: string;
  /** When it was first asked for (the decision's time, the auto-hide's): the same on every replay. */
  requestedAt: string;
}

/**
 * Records (or finds) the action and has Chime do it; answers how it stands. Never throws for
 * what Chime answered: a refusal is FAILED with Chime's words, no answer is REQUESTED.
 * ChimeBearerNotConfiguredError is thrown when there is no bearer (before anything is recorded).
 */
export async function runCaseChimeAction(deps: FinishDeps, c: CaseRecord, request: CaseChimeRequest): Promise<CaseChimeAction> {
  const operation = OPERATIONS[request.action];
  const { moderation, bearer } = moderationFor(deps, operation, c.channelArn);
  const actionId = caseActionIdOf(c.caseId, request.kind);
  const now = deps.clock.now();
  const record: FollowUpRecord & { idempotencyKey: string } = {
    callbackId: actionId,
    kind: 'ACTION',
    action: request.action,
    origin: request.origin,
    actor: request.actor,
    reason: request.reason,
    requestedAt: request.requestedAt,
    channelArn: c.channelArn,
    messageId: c.messageId,
    member: { arn: c.sender.arn, ...(c.sender.name !== undefined ? { name: c.sender.name } : {}) },
    caseId: c.caseId,
    original: { content: c.message.content, ...(c.message.metadata !== undefined ? { metadata: c.message.metadata } : {}) },
    bearer,
    outcome: 'REQUESTED',
    expiresAt: retentionExpiry(now, deps.retentionDays),
    // The same on every replay of this case's action: what was asked is fixed by the case.
    idempotencyKey: actionId,
    requestHash: requestFingerprint({ action: request.action, caseId: c.caseId, kind: request.kind }),
  };
  try {
    const { record: done } = await performFollowUp(deps, record, operation, (inDoubt) =>
      request.action === 'REDACT_MESSAGE' ? moderation.redact(c.channelArn, c.messageId, { inDoubt }) : moderation.delete(c.channelArn, c.messageId, { inDoubt }),
    );
    return {
      actionId,
      outcome: done.outcome,
      ...(done.completedAt !== undefined ? { completedAt: done.completedAt } : {}),
      ...(done.confirmedBy !== undefined ? { confirmedBy: done.confirmedBy } : {}),
      ...(done.error ? { error: done.error } : {}),
    };
  } catch (error) {
    const at = new Date(deps.clock.now()).toISOString();
    if (error instanceof ChimeActionError) {
      if (error.refusal === 'UNCONFIRMED') return { actionId, outcome: 'REQUESTED' };
      return { actionId, outcome: 'FAILED', completedAt: at, error: { type: error.errorType, message: error.chimeMessage, refusal: error.refusal } };
    }
    if (error instanceof FollowUpNotRecordedError) {
      // Chime did it; only the audit record could not say so (the error log has it all).
      deps.warn(error.message, error.context);
      return { actionId, outcome: 'DONE', completedAt: at, confirmedBy: 'answer' };
    }
    // The REQUESTED record could not be written: Chime was not called. Asked for, not done: the
    // next request on the case tries again.
    deps.warn('A case action could not be recorded, so Chime was not called; the next request on the case tries again', { caseId: c.caseId, actionId, error: String(error) });
    return { actionId, outcome: 'REQUESTED' };
  }
}
