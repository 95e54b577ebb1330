import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { retentionExpiry } from '../domain/deadline.js';
import { FOLLOW_UP_PREFIX, type FollowUpAction, type FollowUpRecord } from '../domain/follow-up.js';
import { appInstanceOf } from '../domain/arns.js';
import type { ModerationItem } from '../domain/item.js';
import type { SenderRestrictions } from '../domain/people.js';
import { parseDuration } from '../policy/community.js';
import type { ChannelModeration, ModerationOutcome } from '../domain/ports.js';
import {
  ChimeActionError,
  ChimeBearerNotConfiguredError,
  FollowUpNotRecordedError,
  FollowUpRecordError,
  IdempotencyKeyReusedError,
  InvalidRequestError,
  ItemNotFoundError,
  type ChimeModerationOperation,
} from '../errors.js';
import { idempotencyId, requestFingerprint } from '../http/idempotency.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from '../http/principal.js';
import type { FollowUpResult } from './responses.js';
import type { MessageActionRequest, ReviewActionRequest } from './schemas.js';
import { toActionAuditEntry, toReviewDetail } from './views.js';

/**
 * Moderators' follow-up actions in Chime: ban a held message's sender, redact or delete a message
 * that was sent. Not callbacks: no deadline, no item status changes, and Chime's operations can
 * be repeated. Each is audited as its own record (src/domain/follow-up.ts):
 *
 *   bearer configured? ── no ──▶ 503 chime-bearer-not-configured (nothing recorded, nothing done)
 *   recordFollowUp REQUESTED ── fails ──▶ 500/503 (Chime is never called: nothing happened)
 *        │  └─ exists (the same Idempotency-Key) ─▶ a replay: its recorded outcome again, or
 *        │                                           settled now if it is still REQUESTED
 *   call Chime, settled by its answer or a read-back (src/adapters/chime-channel-moderation.ts)
 *        ├── refused ──▶ record FAILED (with Chime's answer) ──▶ 404 / 409 / 400 / 502 / 503
 *        └── unknown (no answer, and no read-back could tell) ──▶ record stays REQUESTED ──▶ 503
 *        ▼
 *   record DONE ── fails ──▶ 500 action-not-recorded (the record stays REQUESTED; the error log
 *        │                   carries everything)
 *        ▼
 *   BAN_SENDER: note it in the item's history (bookkeeping: no version, no sweep moment moves)
 *
 * Record first, then call: nothing happens in Chime without a record of who asked and why, even
 * if this invocation dies right after the call; and a record says DONE only once Chime said so,
 * by its answer or by what a read-back of its state shows.
 */

type Result = z.output<typeof FollowUpResult>;

/** What recording and performing an action needs: the review room's deps, and the reports room's (src/reports), satisfy it. */
export type FollowUpDeps = Pick<ReviewDeps, 'clock' | 'warn' | 'retentionDays' | 'channelModeration'> & { store: Pick<ReviewDeps['store'], 'recordFollowUp' | 'completeFollowUp'> };

/**
 * `POST /reviews/{callbackId}/actions`: BAN_SENDER, at any status of the item (held, decided,
 * delivered …). With the senders room it is a restriction like every other ban: the two-person
 * rule, `for` and `scope`, on the sender's record, lifted by the sweeper, an admin or an
 * overturned appeal (its cause names this item). Without it, a permanent channel ban, audited
 * as a follow-up action (below).
 */
export async function actOnReview(deps: ReviewDeps, principal: Principal, callbackId: string, request: ReviewActionRequest, idempotencyKey?: string): Promise<Result> {
  const item = await deps.store.get(callbackId);
  if (!item) throw new ItemNotFoundError(callbackId);
  const m = item.message;
  if (deps.senderRestrictions) return banThroughRestrictions(deps, deps.senderRestrictions, principal, item, request, idempotencyKey);
  if (request.for !== undefined || request.scope === 'app-instance') {
    throw new InvalidRequestError('Timed and AppInstance-wide bans need the senders room, which this function does not have: without it a ban is permanent and in this channel only.', [
      { path: request.for !== undefined ? 'body.for' : 'body.scope', message: 'needs the senders room (timed and AppInstance-wide bans)' },
    ]);
  }
  const { moderation, bearer } = moderationFor(deps, 'CreateChannelBan', m.channelArn);
  const record = newRecord(deps, principal, bearer, idempotencyKey, `/reviews/${callbackId}/actions`, {
    action: request.type,
    reason: request.reason,
    channelArn: m.channelArn,
    messageId: m.messageId,
    member: { arn: m.sender.arn, ...(m.sender.name !== undefined ? { name: m.sender.name } : {}) },
    reviewCallbackId: item.callbackId,
    ruleIds: item.policy?.ruleIds ?? [],
    original: { content: m.content, ...(m.metadata !== undefined ? { metadata: m.metadata } : {}) },
  });
  const { record: done, replayed } = await performFollowUp(deps, record, 'CreateChannelBan', (inDoubt) => moderation.ban(m.channelArn, m.sender.arn, { inDoubt }));
  const noted = replayed ? undefined : await noteBanOnItem(deps, principal, item, done);
  return { action: toActionAuditEntry(done), item: toReviewDetail(noted ?? item, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction) };
}

async function banThroughRestrictions(deps: ReviewDeps, restrictions: SenderRestrictions, principal: Principal, item: ModerationItem, request: ReviewActionRequest, idempotencyKey?: string): Promise<Result> {
  const m = item.message;
  const route = `/reviews/${item.callbackId}/actions`;
  // The same Idempotency-Key (same caller, same route) imposes nothing new; without one, each request is its own ban request.
  const actionId = idempotencyKey !== undefined ? idempotencyId(principal.subject, route, idempotencyKey) : randomUUID();
  const forSeconds = request.for !== undefined ? parseDuration(request.for) : undefined;
  const restriction = await restrictions.impose({
    key: `review:${item.callbackId}:${actionId}`,
    member: { appInstanceArn: appInstanceOf(m.channelArn), memberArn: m.sender.arn },
    channelArn: m.channelArn,
    kind: 'BAN',
    scope: request.scope ?? 'channel',
    ...(forSeconds !== undefined ? { forSeconds } : {}),
    reason: request.reason,
    by: { id: principal.subject, name: principal.username },
    cause: { kind: 'moderator', callbackId: item.callbackId },
    ...(idempotencyKey !== undefined ? { requestHash: requestFingerprint({ type: request.type, reason: request.reason, for: request.for, scope: request.scope }) } : {}),
  });
  const mark = `(restriction ${restriction.restrictionId})`;
  // Noted once per restriction (a replay finds its note); bookkeeping: no version, no sweep moment moves.
  const noted = item.history.some((h) => h.reason?.endsWith(mark))
    ? undefined
    : await noteOnItem(deps, principal, item, restriction.status === 'PENDING_APPROVAL' ? 'sender-ban-requested' : 'sender-banned', `${request.reason} ${mark}`);
  return { restriction, item: toReviewDetail(noted ?? item, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction) };
}

/** `POST /messages/redact` and `POST /messages/delete` (admins): a message already sent. */
export async function actOnMessage(deps: ReviewDeps, principal: Principal, action: 'REDACT_MESSAGE' | 'DELETE_MESSAGE', request: MessageActionRequest, idempotencyKey?: string): Promise<Result> {
  const operation: ChimeModerationOperation = action === 'REDACT_MESSAGE' ? 'RedactChannelMessage' : 'DeleteChannelMessage';
  const { moderation, bearer } = moderationFor(deps, operation, request.channelArn);
  const record = newRecord(deps, principal, bearer, idempotencyKey, action === 'REDACT_MESSAGE' ? '/messages/redact' : '/messages/delete', {
    action,
    reason: request.reason,
    channelArn: request.channelArn,
    messageId: request.messageId,
  });
  const { record: done } = await performFollowUp(deps, record, operation, (inDoubt) =>
    action === 'REDACT_MESSAGE' ? moderation.redact(request.channelArn, request.messageId, { inDoubt }) : moderation.delete(request.channelArn, request.messageId, { inDoubt }),
  );
  return { action: toActionAuditEntry(done) };
}

export function moderationFor(deps: Pick<FollowUpDeps, 'channelModeration'>, operation: ChimeModerationOperation, channelArn: string): { moderation: ChannelModeration; bearer: string } {
  const bearer = deps.channelModeration?.bearerFor(channelArn);
  if (!deps.channelModeration || !bearer) throw new ChimeBearerNotConfiguredError(operation, channelArn);
  return { moderation: deps.channelModeration, bearer };
}

type RecordFields = Pick<FollowUpRecord, 'reason' | 'channelArn'> &
  Partial<Pick<FollowUpRecord, 'messageId' | 'member' | 'reviewCallbackId' | 'ruleIds' | 'original'>> & { action: FollowUpAction };

/**
 * A new REQUESTED record. With an Idempotency-Key its id is derived from (caller, route, key),
 * so a retried request finds the first one's record; it also carries a digest of what was asked.
 */
function newRecord(deps: ReviewDeps, principal: Principal, bearer: string, idempotencyKey: string | undefined, route: string, fields: RecordFields): FollowUpRecord & { idempotencyKey?: string } {
  const now = deps.clock.now();
  const asked = { action: fields.action, channelArn: fields.channelArn, messageId: fields.messageId, member: fields.member?.arn, reason: fields.reason };
  return {
    callbackId: `${FOLLOW_UP_PREFIX}${idempotencyKey !== undefined ? idempotencyId(principal.subject, route, idempotencyKey) : randomUUID()}`,
    kind: 'ACTION',
    origin: 'MODERATOR',
    actor: { id: principal.subject, name: principal.username },
    requestedAt: new Date(now).toISOString(),
    bearer,
    outcome: 'REQUESTED',
    expiresAt: retentionExpiry(now, deps.retentionDays),
    ...fields,
    ...(idempotencyKey !== undefined ? { idempotencyKey, requestHash: requestFingerprint(asked) } : {}),
  };
}

export type ChimeCall = (inDoubt: boolean) => Promise<ModerationOutcome & { alreadyBanned?: boolean }>;

/**
 * Record REQUESTED (or find the first request's record), call Chime, record how it ended (see the
 * timeline at the top). The reports room calls it with records whose id it derives from the case
 * (one per case decision, one auto-hide), so any later request on the case settles one left
 * REQUESTED, by the same replay.
 */
export async function performFollowUp(deps: FollowUpDeps, record: FollowUpRecord & { idempotencyKey?: string }, operation: ChimeModerationOperation, call: ChimeCall): Promise<{ record: FollowUpRecord; replayed: boolean }> {
  try {
    await deps.store.recordFollowUp(record);
  } catch (error) {
    if (!(error instanceof FollowUpRecordError) || !error.existing || record.idempotencyKey === undefined) throw error;
    // A replay that had to settle the first request (still REQUESTED) did the work now: it is noted like a first request.
    return { record: await replay(deps, error.existing, record, operation, call), replayed: error.existing.outcome !== 'REQUESTED' };
  }
  return { record: await callAndComplete(deps, record, operation, () => call(false)), replayed: false };
}

/**
 * The same Idempotency-Key again: the first request's outcome, never a second action. A first
 * request whose outcome is still unknown (REQUESTED: it died, or Chime did not answer) is settled
 * now, reading Chime's state before calling again.
 */
async function replay(deps: FollowUpDeps, first: FollowUpRecord, again: FollowUpRecord & { idempotencyKey?: string }, operation: ChimeModerationOperation, call: ChimeCall): Promise<FollowUpRecord> {
  if (first.requestHash !== again.requestHash) throw new IdempotencyKeyReusedError(again.idempotencyKey!, `${first.action} in ${first.channelArn} at ${first.requestedAt}`);
  if (first.outcome === 'DONE') return first;
  if (first.outcome === 'FAILED') {
    const refusal = first.error?.refusal ?? 'BAD_REQUEST';
    throw new ChimeActionError(operation, refusal, first.error?.type ?? 'Error', first.error?.message ?? 'refused', first.bearer, {
      channelArn: first.channelArn,
      ...(first.messageId !== undefined ? { messageId: first.messageId } : {}),
      ...(first.member ? { memberArn: first.member.arn } : {}),
    });
  }
  return callAndComplete(deps, first, operation, () => call(true));
}

async function callAndComplete(deps: FollowUpDeps, record: FollowUpRecord, operation: ChimeModerationOperation, call: () => ReturnType<ChimeCall>): Promise<FollowUpRecord> {
  const context = {
    actionId: record.callbackId,
    action: record.action,
    operation,
    actor: record.actor,
    reason: record.reason,
    channelArn: record.channelArn,
    ...(record.messageId !== undefined ? { messageId: record.messageId } : {}),
    ...(record.member ? { memberArn: record.member.arn } : {}),
    bearer: record.bearer,
  };

  let answer: Awaited<ReturnType<ChimeCall>>;
  try {
    answer = await call();
  } catch (error) {
    const answered = error instanceof ChimeActionError && error.refusal !== 'UNCONFIRMED';
    if (answered) {
      // Chime said no: the record says so, with Chime's words. If even that write fails, the
      // record stays REQUESTED (outcome unknown), which is still not a claim that it happened.
      try {
        await deps.store.completeFollowUp(record.callbackId, {
          outcome: 'FAILED',
          completedAt: new Date(deps.clock.now()).toISOString(),
          error: { type: error.errorType, message: error.chimeMessage, refusal: error.refusal },
        });
      } catch (recordError) {
        deps.warn('Chime refused a follow-up action and its FAILED outcome could not be recorded; the audit log shows it REQUESTED', { ...context, chimeError: error.errorType, error: String(recordError) });
      }
    } else {
      deps.warn('Chime did not confirm a follow-up action, and reading back could not tell; the audit log shows it REQUESTED (outcome unknown)', { ...context, error: String(error) });
    }
    throw error;
  }

  try {
    return await deps.store.completeFollowUp(record.callbackId, {
      outcome: 'DONE',
      completedAt: new Date(deps.clock.now()).toISOString(),
      confirmedBy: answer.confirmedBy,
      ...(answer.alreadyBanned !== undefined ? { alreadyBanned: answer.alreadyBanned } : {}),
    });
  } catch (error) {
    // A replay with the same key, run at the same time, recorded it DONE first: the same truth.
    if (error instanceof FollowUpRecordError && error.existing?.outcome === 'DONE') return error.existing;
    throw new FollowUpNotRecordedError(record.callbackId, record.action, happened(record, answer), { ...context, ...(answer.alreadyBanned ? { alreadyBanned: true } : {}) }, { cause: error });
  }
}

function happened(record: FollowUpRecord, answer: { alreadyBanned?: boolean }): string {
  switch (record.action) {
    case 'BAN_SENDER':
      return answer.alreadyBanned ? `${record.member?.arn} was already banned from ${record.channelArn} in Chime` : `Chime banned ${record.member?.arn} from ${record.channelArn}`;
    case 'REDACT_MESSAGE':
      return `Chime redacted message ${record.messageId} in ${record.channelArn}`;
    case 'DELETE_MESSAGE':
      return `Chime deleted message ${record.messageId} from ${record.channelArn}`;
    case 'NOTIFY_SENDER':
      return `A warning to ${record.member?.arn} in ${record.channelArn} was handed to the notices`;
    case 'APPEAL_UPHOLD':
    case 'APPEAL_OVERTURN':
      return `Appeal ${record.appealId} was decided (${record.action})`;
  }
}

/**
 * The ban, in the item's own history: a same-status bookkeeping entry (bounded like claims; see
 * src/domain/history.ts). It changes nothing else: not the version (a moderator's
 * expectedVersion stays good), not updatedAt nor the sweep moment (a stuck item's re-drive is not
 * postponed). The action record is the audit; this is a convenience for whoever reads the item,
 * so failing here is a warning, not an error.
 */
async function noteBanOnItem(deps: ReviewDeps, principal: Principal, item: ModerationItem, record: FollowUpRecord): Promise<ModerationItem | undefined> {
  return noteOnItem(deps, principal, item, record.alreadyBanned ? 'sender-already-banned' : 'sender-banned', record.reason, record.callbackId);
}

async function noteOnItem(deps: ReviewDeps, principal: Principal, item: ModerationItem, event: string, reason: string, actionId?: string): Promise<ModerationItem | undefined> {
  try {
    return await deps.store.appendHistory(item.callbackId, { actor: principal.username, from: item.status, to: item.status, event, reason }, deps.clock.now());
  } catch (error) {
    deps.warn('The ban is recorded, but could not be noted in the item history', { callbackId: item.callbackId, ...(actionId ? { actionId } : {}), error: String(error) });
    return undefined;
  }
}
