import { randomUUID } from 'node:crypto';
import { isAnnounced } from '../domain/people.js';
import type { z } from 'zod';
import { retentionExpiry } from '../domain/deadline.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../domain/follow-up.js';
import type { Actor } from '../domain/item.js';
import type { RestrictionStatus } from '../domain/people.js';
import { FollowUpRecordError, IdempotencyKeyReusedError, InvalidRequestError, PeopleNotFoundError, PortNotConfiguredError } from '../errors.js';
import { idempotencyId, requestFingerprint } from '../http/idempotency.js';
import type { Principal } from '../http/principal.js';
import { parseDuration } from '../policy/community.js';
import { moderationFor, performFollowUp } from '../review/follow-ups.js';
import { toActionAuditEntry } from '../review/views.js';
import { caseDetail } from './cases.js';
import type { ReportDeps } from './deps.js';
import { finishCase } from './finish.js';
import { withHistory, type CaseRecord } from './model.js';
import { policyFor } from './policies.js';
import type { CaseActionResult } from './responses.js';
import type { CaseActionRequest } from './schemas.js';
import { changeCase } from './writes.js';

type Result = z.output<typeof CaseActionResult>;

/**
 * `POST /cases/{caseId}/actions`, at any status of the case (beside or after its decision):
 *
 *   BAN_SENDER     through the senders room (SenderRestrictions.impose: the two-person rule, a
 *                  timed or AppInstance-wide ban, lifted by the sweeper; idempotent by key), or,
 *                  without that room, a permanent channel ban as a follow-up action
 *                  (CreateChannelBan, read back by DescribeChannelBan after a lost answer)
 *   NOTIFY_SENDER  a warning notice to the sender, through the notices room (recorded, sent once
 *                  by the bot, retried by that room), audited as a follow-up action
 *
 * With an Idempotency-Key the same request again answers the first one's outcome; each action is
 * noted in the case's history.
 */
export async function actOnCase(deps: ReportDeps, principal: Principal, caseId: string, request: CaseActionRequest, idempotencyKey?: string): Promise<Result> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new PeopleNotFoundError('case', caseId);
  const actor: Actor = { id: principal.subject, name: principal.username };
  const route = `/cases/${caseId}/actions`;
  const actionId = `${FOLLOW_UP_PREFIX}${idempotencyKey !== undefined ? idempotencyId(principal.subject, route, idempotencyKey) : randomUUID()}`;
  const id = { actionId, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) };
  const result: Omit<Result, 'case'> = request.type === 'BAN_SENDER' ? await banSender(deps, c, actor, id, request) : await notifySender(deps, c, actor, id, request);
  const what = result.restriction ? `${request.type} ${result.restriction.status} (restriction ${result.restriction.restrictionId})` : `${request.type} ${result.action?.status} (${actionId})`;
  const at = new Date(deps.clock.now()).toISOString();
  const noted = `${what}: ${request.reason}`;
  // A replay with the same Idempotency-Key is noted once.
  const { record } = await changeCase(deps, caseId, (current) =>
    idempotencyKey !== undefined && current.history.some((h) => h.event === 'action' && h.reason === noted) ? undefined : { ...current, history: withHistory(current.history, { at, actor: principal.username, event: 'action', reason: noted }) },
  );
  return { ...result, case: await caseDetail(deps, await finishCase(deps, record, await policyFor(deps, record.channelArn))) };
}

/** An action's record id, and the client's Idempotency-Key it came from (absent: a random id). */
type ActionId = { actionId: string; idempotencyKey?: string };

async function banSender(deps: ReportDeps, c: CaseRecord, actor: Actor, { actionId, idempotencyKey }: ActionId, request: CaseActionRequest): Promise<Omit<Result, 'case'>> {
  const member = { appInstanceArn: c.appInstanceArn, memberArn: c.senderArn };
  const forSeconds = request.for !== undefined ? parseDuration(request.for) : undefined;
  if (deps.senderRestrictions) {
    const restriction = await deps.senderRestrictions.impose({
      // The action's own id: derived from the Idempotency-Key, so a retried request imposes nothing new.
      key: `case:${c.caseId}:${actionId}`,
      member,
      channelArn: c.channelArn,
      kind: 'BAN',
      scope: request.scope ?? 'channel',
      ...(forSeconds !== undefined ? { forSeconds } : {}),
      reason: request.reason,
      by: actor,
      cause: { kind: 'moderator', caseId: c.caseId },
    });
    return { restriction: restriction as { restrictionId: string; status: RestrictionStatus } };
  }
  if (forSeconds !== undefined || request.scope === 'app-instance') {
    throw new InvalidRequestError('Timed and AppInstance-wide bans need the senders room, which this function does not have: without it a ban is permanent and in this channel only.', [
      { path: forSeconds !== undefined ? 'body.for' : 'body.scope', message: 'needs the senders room (timed and AppInstance-wide bans)' },
    ]);
  }
  const { moderation, bearer } = moderationFor(deps, 'CreateChannelBan', c.channelArn);
  const record = caseFollowUp(deps, c, actor, { actionId, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }, 'BAN_SENDER', request.reason, bearer);
  const { record: done } = await performFollowUp(deps, record, 'CreateChannelBan', (inDoubt) => moderation.ban(c.channelArn, c.senderArn, { inDoubt }));
  return { action: toActionAuditEntry(done) };
}

/**
 * The warning, audited as a follow-up record: REQUESTED, handed to the notices room (which
 * records it once per action and sends it, retrying by itself), DONE. A replay with the same key
 * hands it over again, which the notices room answers with the notice it has.
 */
async function notifySender(deps: ReportDeps, c: CaseRecord, actor: Actor, id: ActionId, request: CaseActionRequest): Promise<Omit<Result, 'case'>> {
  const notices = deps.notices;
  if (!notices) throw new PortNotConfiguredError('notices', 'This API has no notices room to send a warning through (MODERATION_BOT_ARN and the notices are not set up).');
  const { actionId } = id;
  const record = caseFollowUp(deps, c, actor, id, 'NOTIFY_SENDER', request.reason, deps.channelModeration?.bearerFor(c.channelArn) ?? 'notices');
  let current: FollowUpRecord = record;
  try {
    await deps.store.recordFollowUp(record);
  } catch (error) {
    if (!(error instanceof FollowUpRecordError) || !error.existing || record.idempotencyKey === undefined) throw error;
    if (error.existing.requestHash !== record.requestHash) throw new IdempotencyKeyReusedError(record.idempotencyKey, `${error.existing.action} in ${error.existing.channelArn} at ${error.existing.requestedAt}`);
    current = error.existing;
    if (current.outcome !== 'REQUESTED') return { action: toActionAuditEntry(current) };
  }
  // Not recorded: the action stays REQUESTED and the request fails; repeating it (same Idempotency-Key) announces again, once.
  const answer = await notices.announce({ kind: 'warning', about: { kind: 'warning', actionId }, channelArn: c.channelArn, to: c.senderArn, values: { reason: request.reason } });
  if (!isAnnounced(answer)) throw new Error(`The warning notice could not be recorded: ${answer.status === 'NOT_RECORDED' ? answer.error : answer.status}`);
  try {
    current = await deps.store.completeFollowUp(actionId, { outcome: 'DONE', completedAt: new Date(deps.clock.now()).toISOString(), confirmedBy: 'answer' });
  } catch (error) {
    if (!(error instanceof FollowUpRecordError) || error.existing?.outcome !== 'DONE') throw error;
    current = error.existing;
  }
  return { action: toActionAuditEntry(current) };
}

function caseFollowUp(deps: ReportDeps, c: CaseRecord, actor: Actor, { actionId, idempotencyKey }: ActionId, action: 'BAN_SENDER' | 'NOTIFY_SENDER', reason: string, bearer: string): FollowUpRecord & { idempotencyKey?: string } {
  const now = deps.clock.now();
  return {
    callbackId: actionId,
    kind: 'ACTION',
    action,
    origin: 'MODERATOR',
    actor,
    reason,
    requestedAt: new Date(now).toISOString(),
    channelArn: c.channelArn,
    messageId: c.messageId,
    member: { arn: c.sender.arn, ...(c.sender.name !== undefined ? { name: c.sender.name } : {}) },
    caseId: c.caseId,
    original: { content: c.message.content, ...(c.message.metadata !== undefined ? { metadata: c.message.metadata } : {}) },
    bearer,
    outcome: 'REQUESTED',
    expiresAt: retentionExpiry(now, deps.retentionDays),
    ...(idempotencyKey !== undefined ? { idempotencyKey, requestHash: requestFingerprint({ action, caseId: c.caseId, reason }) } : {}),
  };
}
