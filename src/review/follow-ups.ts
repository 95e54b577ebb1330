import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { retentionExpiry } from '../domain/deadline.js';
import { FOLLOW_UP_PREFIX, type FollowUpAction, type FollowUpRecord } from '../domain/follow-up.js';
import type { ModerationItem } from '../domain/item.js';
import type { ChannelModeration } from '../domain/ports.js';
import {
  ChimeActionError,
  ChimeBearerNotConfiguredError,
  FollowUpNotRecordedError,
  ItemNotFoundError,
  TransitionConflictError,
  type ChimeModerationOperation,
} from '../errors.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from './principal.js';
import type { FollowUpResult } from './responses.js';
import type { MessageActionRequest, ReviewActionRequest } from './schemas.js';
import { toActionAuditEntry, toReviewDetail } from './views.js';

/**
 * Moderators' follow-up actions in Chime: ban a held message's sender, redact or delete a message
 * that was sent. Not callbacks: no deadline, no item status changes, and Chime's operations can
 * be repeated. Each is audited as its own record (src/domain/follow-up.ts):
 *
 *   bearer configured? ── no ──▶ 503 chime-bearer-not-configured (nothing recorded, nothing done)
 *   recordFollowUp REQUESTED ── fails ──▶ 500 (Chime is never called: nothing happened)
 *   call Chime ── refused ──▶ record FAILED (with Chime's answer) ──▶ 404 / 409 / 400 / 502 / 503
 *        │     └─ no answer / ServiceFailure ──▶ record stays REQUESTED ──▶ 503 (outcome unknown)
 *        ▼
 *   record DONE ── fails ──▶ 500 action-not-recorded (the record stays REQUESTED; the error log
 *        │                   carries everything)
 *        ▼
 *   BAN_SENDER: note it in the item's history (bookkeeping; a failure there is only a warning)
 *
 * Record first, then call: nothing happens in Chime without a record of who asked and why, even
 * if this invocation dies right after the call; and a record says DONE only once Chime said so.
 */

type Result = z.output<typeof FollowUpResult>;

/** `POST /reviews/{callbackId}/actions`: BAN_SENDER, at any status of the item (held, decided, delivered …). */
export async function actOnReview(deps: ReviewDeps, principal: Principal, callbackId: string, request: ReviewActionRequest): Promise<Result> {
  const item = await deps.store.get(callbackId);
  if (!item) throw new ItemNotFoundError(callbackId);
  const m = item.message;
  const { moderation, bearer } = moderationFor(deps, 'CreateChannelBan', m.channelArn);
  const record = newRecord(deps, principal, bearer, {
    action: request.type,
    reason: request.reason,
    channelArn: m.channelArn,
    messageId: m.messageId,
    member: { arn: m.sender.arn, ...(m.sender.name !== undefined ? { name: m.sender.name } : {}) },
    reviewCallbackId: item.callbackId,
    ruleIds: item.policy?.ruleIds ?? [],
    original: { content: m.content, ...(m.metadata !== undefined ? { metadata: m.metadata } : {}) },
  });
  const done = await perform(deps, record, 'CreateChannelBan', async () => moderation.ban(m.channelArn, m.sender.arn));
  const noted = await noteBanOnItem(deps, principal, item, done);
  return { action: toActionAuditEntry(done), item: toReviewDetail(noted ?? item, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction) };
}

/** `POST /messages/redact` and `POST /messages/delete` (admins): a message already sent. */
export async function actOnMessage(deps: ReviewDeps, principal: Principal, action: 'REDACT_MESSAGE' | 'DELETE_MESSAGE', request: MessageActionRequest): Promise<Result> {
  const operation: ChimeModerationOperation = action === 'REDACT_MESSAGE' ? 'RedactChannelMessage' : 'DeleteChannelMessage';
  const { moderation, bearer } = moderationFor(deps, operation, request.channelArn);
  const record = newRecord(deps, principal, bearer, { action, reason: request.reason, channelArn: request.channelArn, messageId: request.messageId });
  const done = await perform(deps, record, operation, async () => {
    if (action === 'REDACT_MESSAGE') await moderation.redact(request.channelArn, request.messageId);
    else await moderation.delete(request.channelArn, request.messageId);
    return {};
  });
  return { action: toActionAuditEntry(done) };
}

function moderationFor(deps: ReviewDeps, operation: ChimeModerationOperation, channelArn: string): { moderation: ChannelModeration; bearer: string } {
  const bearer = deps.channelModeration?.bearerFor(channelArn);
  if (!deps.channelModeration || !bearer) throw new ChimeBearerNotConfiguredError(operation, channelArn);
  return { moderation: deps.channelModeration, bearer };
}

type RecordFields = Pick<FollowUpRecord, 'reason' | 'channelArn'> &
  Partial<Pick<FollowUpRecord, 'messageId' | 'member' | 'reviewCallbackId' | 'ruleIds' | 'original'>> & { action: FollowUpAction };

function newRecord(deps: ReviewDeps, principal: Principal, bearer: string, fields: RecordFields): FollowUpRecord {
  const now = deps.clock.now();
  return {
    callbackId: `${FOLLOW_UP_PREFIX}${randomUUID()}`,
    kind: 'ACTION',
    origin: 'MODERATOR',
    actor: { id: principal.subject, name: principal.username },
    requestedAt: new Date(now).toISOString(),
    bearer,
    outcome: 'REQUESTED',
    expiresAt: retentionExpiry(now, deps.retentionDays),
    ...fields,
  };
}

/** Record REQUESTED, call Chime, record how it ended (see the timeline at the top). */
async function perform(deps: ReviewDeps, record: FollowUpRecord, operation: ChimeModerationOperation, call: () => Promise<{ alreadyBanned?: boolean }>): Promise<FollowUpRecord> {
  await deps.store.recordFollowUp(record);
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

  let answer: { alreadyBanned?: boolean };
  try {
    answer = await call();
  } catch (error) {
    const answered = error instanceof ChimeActionError && error.refusal !== 'UNCONFIRMED';
    if (answered) {
      // Chime said no: the record says so, with Chime's words. If even that write fails, the
      // record stays REQUESTED (outcome unknown), which is still not a claim that it happened.
      try {
        await deps.store.completeFollowUp(record.callbackId, { outcome: 'FAILED', completedAt: new Date(deps.clock.now()).toISOString(), error: { type: error.errorType, message: error.chimeMessage } });
      } catch (recordError) {
        deps.warn('Chime refused a follow-up action and its FAILED outcome could not be recorded; the audit log shows it REQUESTED', { ...context, chimeError: error.errorType, error: String(recordError) });
      }
    } else {
      deps.warn('Chime did not confirm a follow-up action; the audit log shows it REQUESTED (outcome unknown)', { ...context, error: String(error) });
    }
    throw error;
  }

  try {
    return await deps.store.completeFollowUp(record.callbackId, {
      outcome: 'DONE',
      completedAt: new Date(deps.clock.now()).toISOString(),
      ...(answer.alreadyBanned !== undefined ? { alreadyBanned: answer.alreadyBanned } : {}),
    });
  } catch (error) {
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
  }
}

const NOTE_ATTEMPTS = 3;

/**
 * The ban, in the item's own history: a same-status entry (bookkeeping, bounded like claims; see
 * src/domain/history.ts), whatever the status is now. A concurrent write (a decision, a claim)
 * only means trying again on a fresh read. The action record is the audit; this is a convenience
 * for whoever reads the item, so failing here is a warning, not an error.
 */
async function noteBanOnItem(deps: ReviewDeps, principal: Principal, item: ModerationItem, record: FollowUpRecord): Promise<ModerationItem | undefined> {
  let current = item;
  for (let attempt = 1; attempt <= NOTE_ATTEMPTS; attempt += 1) {
    try {
      return await deps.store.transition({
        callbackId: current.callbackId,
        from: [current.status],
        to: current.status,
        deadline: current.deadline,
        history: { actor: principal.username, event: record.alreadyBanned ? 'sender-already-banned' : 'sender-banned', reason: record.reason },
        now: deps.clock.now(),
      });
    } catch (error) {
      if (error instanceof TransitionConflictError && error.current && attempt < NOTE_ATTEMPTS) {
        current = error.current;
        continue;
      }
      deps.warn('The ban is in the audit log, but could not be noted in the item history', { callbackId: item.callbackId, actionId: record.callbackId, error: String(error) });
      return undefined;
    }
  }
  return undefined;
}
