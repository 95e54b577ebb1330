import type { z } from 'zod';
import { retentionExpiry } from '../domain/deadline.js';
import { IdempotencyKeyReusedError, PeopleNotFoundError } from '../errors.js';
import { requestFingerprint } from '../http/idempotency.js';
import type { Principal } from '../http/principal.js';
import { moderationFor } from '../review/follow-ups.js';
import { caseDetail } from './cases.js';
import type { ReportDeps } from './deps.js';
import { finishCase, finishingDecided } from './finish.js';
import { caseObstacle, SETTLE_GRACE_SECONDS, withDecision, type CaseDecision, type CaseRecord } from './model.js';
import { policyFor } from './policies.js';
import type { CaseDetail } from './responses.js';
import type { CaseDecisionRequest } from './schemas.js';
import { changeCase } from './writes.js';

type DecisionInput = Omit<CaseDecisionRequest, 'expectedVersion'>;

/** The same request sent again with the same Idempotency-Key by the same moderator: the decision it made. */
function isReplay(c: CaseRecord, principal: Principal, input: DecisionInput, idempotencyKey: string | undefined): boolean {
  const made = c.decision?.idempotency;
  if (!made || idempotencyKey === undefined || made.key !== idempotencyKey || c.decision!.actor.id !== principal.subject) return false;
  if (made.requestHash !== requestFingerprint(input)) throw new IdempotencyKeyReusedError(idempotencyKey, `${c.decision!.action} of case ${c.caseId} at ${c.decision!.decidedAt}`);
  return true;
}

/**
 * `POST /cases/{caseId}/decision`: one decision per case, then its consequences.
 *
 *   REDACT / DELETE with no bearer ──▶ 503 chime-bearer-not-configured (nothing recorded)
 *   the decision, written conditionally on the version read:
 *        decided already ──▶ 409 already-decided (who, what, when)   ┐ judged again on the case
 *        claimed by another ──▶ 409 claim-conflict                    │ as it is after a lost
 *        stale expectedVersion ──▶ 409 version-conflict               ┘ write: exactly one wins
 *        (a report counted meanwhile moves the version: the decision is judged again and stands)
 *   then (finishCase): REDACT / DELETE in Chime as a follow-up action (record, then act: Chime
 *   refusing is FAILED on the case with Chime's answer, no answer REQUESTED, settled by the next
 *   request), each reporter's record (upheld / dismissed), the sender's strike (upheld), the
 *   reporters' outcome notices: exactly once per decision.
 *
 * The answer is the case as it stands: 200 once the decision is recorded, whatever Chime said.
 */
export async function decideCase(deps: ReportDeps, principal: Principal, caseId: string, request: CaseDecisionRequest, idempotencyKey?: string): Promise<z.output<typeof CaseDetail>> {
  const { expectedVersion, ...input } = request;
  const read = await deps.cases.getCase(caseId);
  if (!read) throw new PeopleNotFoundError('case', caseId);
  const policy = await policyFor(deps, read.channelArn);
  if (isReplay(read, principal, input, idempotencyKey)) return caseDetail(deps, await finishCase(deps, read, policy));
  if (input.action !== 'DISMISS') moderationFor(deps, input.action === 'REDACT' ? 'RedactChannelMessage' : 'DeleteChannelMessage', read.channelArn);

  const now = deps.clock.now();
  const decision: CaseDecision = {
    action: input.action,
    reason: input.reason,
    ...(input.publicReason !== undefined ? { publicReason: input.publicReason } : {}),
    actor: { id: principal.subject, name: principal.username },
    decidedAt: new Date(now).toISOString(),
    ...(idempotencyKey !== undefined ? { idempotency: { key: idempotencyKey, requestHash: requestFingerprint(input) } } : {}),
  };
  const decide = (current: CaseRecord): CaseRecord | undefined => {
    // A twin of this request (same moderator, same key) won the write: its decision is ours.
    if (isReplay(current, principal, input, idempotencyKey)) return undefined;
    const obstacle = caseObstacle(current, principal.subject, deps.clock.now(), expectedVersion);
    if (obstacle) throw obstacle;
    return withDecision(current, decision, retentionExpiry(now, deps.retentionDays));
  };
  // In the settle queue before the decision is written: whatever the decision leaves owed (this
  // request dying, a viral case's reports), the sweeper's cases task finds and finishes.
  if (!read.decision) await deps.cases.oweSettlement(caseId, new Date(now + SETTLE_GRACE_SECONDS * 1000).toISOString());
  const { record } = await finishingDecided(deps, caseId, () => changeCase(deps, caseId, decide, { read }));
  return caseDetail(deps, await finishCase(deps, record, policy));
}
