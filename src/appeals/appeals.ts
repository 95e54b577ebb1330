import type { z } from 'zod';
import type { ModerationItem } from '../domain/item.js';
import type { DecisionRef } from '../domain/people.js';
import { AppealWindowClosedError, IdempotencyKeyReusedError, PeopleConflictError, PeopleNotFoundError } from '../errors.js';
import { requestFingerprint } from '../http/idempotency.js';
import type { Member } from '../http/member.js';
import type { Principal } from '../http/principal.js';
import { DEFAULT_COMMUNITY_POLICY } from '../policy/community.js';
import type { AppealDeps } from './deps.js';
import { appealabilityOfCase, appealabilityOfItem, appealIdOf, isWindowOpen, windowClosesAt, type AppealedDecision, type AppealRecord, type CaseDecisionView, type Unappealable } from './model.js';
import type { Appeal, AppealPage, MemberAppeal } from './responses.js';
import type { AppealRequest, AppealsQuery } from './schemas.js';
import { toAppeal, toMemberAppeal } from './views.js';

/**
 * A member's appeal, and the moderators' queue of them:
 *
 *   the decision, read (the held message's item, or the report case) ── none, or not about this
 *        │                                      member ──▶ 404 (the same answer: it says nothing)
 *   its appeal exists (the id comes from the decision) ── the same request with the same
 *        │                                      Idempotency-Key ──▶ 200, that appeal; else 409 already-appealed
 *   did it take effect, and go against them? ── no ──▶ 409 not-appealable (being delivered: "try
 *        │                                      again in a minute"; allowed, dismissed: nothing to appeal)
 *   within the policy's window (`appeals.window`, from the decision) ── no ──▶ 410
 *        ▼
 *   conditional create: of two at once, one is made; the other finds it (as above)
 */

type MemberAppealView = z.output<typeof MemberAppeal>;

const notFound = (ref: DecisionRef) =>
  new PeopleNotFoundError('decision', ref.kind === 'message' ? ref.callbackId : ref.caseId, `No decision ${ref.kind === 'message' ? `on message ${ref.callbackId}` : `of case ${ref.caseId}`} that you can appeal.`);

export async function createAppeal(deps: AppealDeps, principal: Principal, member: Member, request: AppealRequest, idempotencyKey?: string): Promise<MemberAppealView> {
  const ref: DecisionRef = request.callbackId !== undefined ? { kind: 'message', callbackId: request.callbackId } : { kind: 'case', caseId: request.caseId! };
  const found = await decisionOf(deps, ref);
  // Missing, or someone else's: the same 404, so nobody learns what exists.
  if (!found || found.appealed.memberArn !== member.memberArn) throw notFound(ref);
  const appealId = appealIdOf(ref);
  const requestHash = requestFingerprint({ ref, text: request.text });

  const existing = await deps.appeals.get(appealId);
  if (existing) return toMemberAppeal(replayOrRefuse(existing, member, idempotencyKey, requestHash));
  if (found.unappealable) throw new PeopleConflictError('not-appealable', found.unappealable.detail, { why: found.unappealable.why, ...ref });

  const now = deps.clock.now();
  const policy = deps.communityPolicies ? await deps.communityPolicies.forChannel(found.appealed.channelArn) : DEFAULT_COMMUNITY_POLICY;
  const closedAt = windowClosesAt(found.appealed.decidedAt, policy.appeals.windowSeconds);
  if (!isWindowOpen(found.appealed.decidedAt, policy.appeals.windowSeconds, now)) throw new AppealWindowClosedError(found.appealed.decidedAt, closedAt);

  const at = new Date(now).toISOString();
  const { created, record } = await deps.appeals.create({
    kind: 'APPEAL',
    appealId,
    status: 'PENDING',
    appellant: { memberArn: member.memberArn, onBehalf: member.onBehalf, subject: principal.subject },
    text: request.text,
    createdAt: at,
    windowClosedAt: closedAt,
    appealed: found.appealed,
    ...(idempotencyKey !== undefined ? { idempotency: { key: idempotencyKey, requestHash } } : {}),
    history: [{ at, actor: member.onBehalf ? `${principal.subject} for ${member.memberArn}` : member.memberArn, event: 'appealed' }],
  });
  // Two at once: the other one was made first; answered as a repeat of it would be.
  return toMemberAppeal(created ? record : replayOrRefuse(record, member, idempotencyKey, requestHash));
}

/** The first appeal again for the same request under the same key; otherwise 409 (or 409 idempotency-key-reused). */
function replayOrRefuse(existing: AppealRecord, member: Member, idempotencyKey: string | undefined, requestHash: string): AppealRecord {
  const first = existing.idempotency;
  if (idempotencyKey !== undefined && first?.key === idempotencyKey && existing.appellant.memberArn === member.memberArn) {
    if (first.requestHash !== requestHash) throw new IdempotencyKeyReusedError(idempotencyKey, `the appeal ${existing.appealId} of ${existing.createdAt}`);
    return existing;
  }
  throw new PeopleConflictError('already-appealed', `This decision was appealed already (appeal ${existing.appealId}, ${existing.status}, made ${existing.createdAt}). A decision can be appealed once.`, {
    appealId: existing.appealId,
    appealStatus: existing.status,
  });
}

/** The decision a reference names, frozen for the appeal, with why it cannot be appealed (if so). Undefined: no such decision. */
async function decisionOf(deps: AppealDeps, ref: DecisionRef): Promise<{ appealed: AppealedDecision; unappealable?: Unappealable } | undefined> {
  if (ref.kind === 'message') {
    const item = await deps.store.get(ref.callbackId);
    if (!item) return undefined;
    const unappealable = appealabilityOfItem(item);
    return { appealed: appealedOfItem(item), ...(unappealable ? { unappealable } : {}) };
  }
  const record = await deps.appeals.getCase(ref.caseId);
  if (!record) return undefined;
  const sender = record.sender as { arn: string; name?: string } | undefined;
  if (!sender) return undefined;
  const decision = record.decision as CaseDecisionView['decision'];
  const banned = (await deps.appeals.restrictionsCausedBy(sender.arn, { caseId: ref.caseId })).length > 0;
  const unappealable = appealabilityOfCase({ status: String(record.status), ...(decision ? { decision } : {}), banned });
  const message = (record.message ?? { content: '' }) as { content: string; metadata?: string };
  return {
    appealed: {
      ref,
      channelArn: String(record.channelArn),
      messageId: String(record.messageId),
      memberArn: sender.arn,
      ...(sender.name !== undefined ? { senderName: sender.name } : {}),
      action: decision?.action ?? 'NONE',
      origin: 'CASE',
      decidedBy: decision?.actor ?? { id: '' },
      decidedAt: decision?.decidedAt ?? String(record.firstReportAt ?? ''),
      reason: decision?.reason ?? '',
      ruleIds: [],
      message: { content: message.content, ...(message.metadata !== undefined ? { metadata: message.metadata } : {}) },
      banned,
    },
    ...(unappealable ? { unappealable } : {}),
  };
}

function appealedOfItem(item: ModerationItem): AppealedDecision {
  const m = item.message;
  const d = item.decision;
  return {
    ref: { kind: 'message', callbackId: item.callbackId },
    channelArn: m.channelArn,
    messageId: m.messageId,
    memberArn: m.sender.arn,
    ...(m.sender.name !== undefined ? { senderName: m.sender.name } : {}),
    action: d?.action ?? 'NONE',
    origin: d?.origin ?? 'AUTO',
    decidedBy: d?.actor ?? { id: '' },
    decidedAt: d?.decidedAt ?? item.receivedAt,
    reason: d?.reason ?? '',
    ruleIds: d?.ruleIds ?? [],
    message: { content: m.content, ...(m.metadata !== undefined ? { metadata: m.metadata } : {}) },
  };
}

// ─── Moderators ──────────────────────────────────────────────────────────────────────────────

export async function listAppeals(deps: AppealDeps, query: AppealsQuery): Promise<z.output<typeof AppealPage>> {
  const scope = { route: 'GET /appeals', status: query.status };
  const after = query.cursor === undefined ? undefined : deps.cursors.decode<{ after: string }>(scope, query.cursor).after;
  const page = await deps.appeals.list(query.status, query.limit, after);
  return { items: page.appeals.map(toAppeal), ...(page.next !== undefined ? { next: deps.cursors.encode(scope, { after: page.next }) } : {}) };
}

export async function getAppeal(deps: AppealDeps, appealId: string): Promise<z.output<typeof Appeal>> {
  const record = await deps.appeals.get(appealId);
  if (!record) throw new PeopleNotFoundError('appeal', appealId);
  return toAppeal(record);
}
