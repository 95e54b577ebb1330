import type { z } from 'zod';
import type { ExpiryAction } from '../config.js';
import { actBy, secondsLeft } from '../domain/deadline.js';
import type { FollowUpRecord } from '../domain/follow-up.js';
import type { Claim, ModerationItem, RecordedVerdict } from '../domain/item.js';
import type { AuditEntry, ReviewDetail, ReviewSummary } from './responses.js';

/** What moderators see of an item. Pure: the same item and clock always give the same view. */

export const isClaimActive = (claim: Claim | undefined, nowMs: number): claim is Claim => claim !== undefined && Date.parse(claim.until) > nowMs;

/** The claim that blocks `subject`, if any: someone else's, still running. */
export const blockingClaim = (item: Pick<ModerationItem, 'claim'>, subject: string, nowMs: number): Claim | undefined =>
  isClaimActive(item.claim, nowMs) && item.claim.subject !== subject ? item.claim : undefined;

/**
 * What moderators call a channel until its Name is known: the last segment of its ARN (the
 * channel id). The review routes replace it with Chime's Name through the channel directory.
 */
export const fallbackChannelName = (channelArn: string): string => channelArn.slice(channelArn.lastIndexOf('/') + 1) || channelArn;

/** A recorded verdict as moderators see it, with the live-policy versions that produced it. */
function verdictView(verdict: RecordedVerdict) {
  return {
    action: verdict.action,
    ruleIds: verdict.ruleIds,
    reason: verdict.reason,
    ...(verdict.versions ? { versions: verdict.versions } : {}),
    findings: verdict.findings.map((f) => ({ ruleId: f.ruleId, action: f.action, reason: f.reason, ...(f.spans ? { spans: f.spans } : {}) })),
    // What each classifier of the scope did: scores next to thresholds, latency, the path taken.
    ...(verdict.classifiers ? { classifiers: verdict.classifiers } : {}),
  };
}

/** The shadow verdict recorded beside the applied one, when a shadow-mode scope took part. */
const shadowView = (item: ModerationItem) =>
  item.shadowPolicy ? { shadowPolicy: { ...verdictView(item.shadowPolicy), differs: item.shadowPolicy.action !== item.policy?.action } } : {};

export function toReviewSummary(item: ModerationItem, nowMs: number, expiryMarginSeconds: number, expiryAction: ExpiryAction): z.output<typeof ReviewSummary> {
  const m = item.message;
  const expiryActionAt = actBy(item.deadline, expiryMarginSeconds);
  return {
    callbackId: item.callbackId,
    version: item.version,
    status: item.status,
    message: {
      messageId: m.messageId,
      channelArn: m.channelArn,
      channelName: fallbackChannelName(m.channelArn),
      content: m.content,
      ...(m.metadata !== undefined ? { metadata: m.metadata } : {}),
      sender: { arn: m.sender.arn, ...(m.sender.name !== undefined ? { name: m.sender.name } : {}) },
      ...(m.persistence ? { persistence: m.persistence } : {}),
      ...(m.createdTimestamp ? { createdTimestamp: m.createdTimestamp } : {}),
      ...(m.lastEditedTimestamp ? { lastEditedTimestamp: m.lastEditedTimestamp } : {}),
    },
    receivedAt: item.receivedAt,
    deadline: item.deadline,
    secondsLeft: secondsLeft(item.deadline, nowMs),
    expiryActionAt: expiryActionAt.toISOString(),
    secondsUntilExpiryAction: secondsLeft(expiryActionAt, nowMs),
    expiryAction,
    policy: item.policy ? verdictView(item.policy) : null,
    ...shadowView(item),
    claim: item.claim
      ? {
          subject: item.claim.subject,
          ...(item.claim.username !== undefined ? { username: item.claim.username } : {}),
          until: item.claim.until,
          claimedAt: item.claim.claimedAt,
          active: isClaimActive(item.claim, nowMs),
        }
      : null,
  };
}

export function toReviewDetail(item: ModerationItem, nowMs: number, expiryMarginSeconds: number, expiryAction: ExpiryAction): z.output<typeof ReviewDetail> {
  const delivery = item.delivery;
  return {
    ...toReviewSummary(item, nowMs, expiryMarginSeconds, expiryAction),
    decision: item.decision ? withoutIdempotency(item.decision) : null,
    delivery: delivery
      ? {
          attempts: delivery.attempts,
          ...(delivery.lastAttemptAt ? { lastAttemptAt: delivery.lastAttemptAt } : {}),
          ...(delivery.lastError ? { lastError: delivery.lastError } : {}),
          ...(delivery.deliveredAt ? { deliveredAt: delivery.deliveredAt } : {}),
          ...(delivery.confirmedBy ? { confirmedBy: delivery.confirmedBy } : {}),
          ...(delivery.inDoubt ? { inDoubt: true } : {}),
        }
      : null,
    outcome: item.outcome ?? null,
    history: item.history,
  };
}

/** A moderator's Idempotency-Key is theirs to replay with, not a part of the decision to show. */
function withoutIdempotency(decision: NonNullable<ModerationItem['decision']>): Omit<NonNullable<ModerationItem['decision']>, 'idempotency'> {
  const { idempotency: _key, ...shown } = decision;
  return shown;
}

/** One audit-log line: who decided what, when, why, and from what (the original message). */
export function toAuditEntry(item: ModerationItem): z.output<typeof AuditEntry> {
  const decision = item.decision!;
  const m = item.message;
  return {
    kind: 'DECISION',
    callbackId: item.callbackId,
    decidedAt: decision.decidedAt,
    origin: decision.origin,
    action: decision.action,
    decidedBy: decision.actor,
    reason: decision.reason,
    ruleIds: decision.ruleIds,
    ...(decision.update ? { update: decision.update } : {}),
    channelArn: m.channelArn,
    channelName: fallbackChannelName(m.channelArn),
    messageId: m.messageId,
    sender: { arn: m.sender.arn, ...(m.sender.name !== undefined ? { name: m.sender.name } : {}) },
    original: { content: m.content, ...(m.metadata !== undefined ? { metadata: m.metadata } : {}) },
    policy: item.policy ? verdictView(item.policy) : null,
    ...shadowView(item),
    status: item.status,
    ...(item.delivery?.deliveredAt ? { deliveredAt: item.delivery.deliveredAt } : {}),
  };
}

/**
 * A follow-up action as an audit-log line: every member a decision line has (so readers written
 * for decisions still work), with the action's own facts in `target`, `status` (its outcome)
 * and `chimeError`.
 */
export function toActionAuditEntry(record: FollowUpRecord): z.output<typeof AuditEntry> {
  return {
    kind: 'ACTION',
    callbackId: record.callbackId,
    decidedAt: record.requestedAt,
    origin: record.origin,
    action: record.action,
    decidedBy: record.actor,
    reason: record.reason,
    ruleIds: record.ruleIds ?? [],
    channelArn: record.channelArn,
    channelName: fallbackChannelName(record.channelArn),
    messageId: record.messageId ?? '',
    sender: record.member ? { arn: record.member.arn, ...(record.member.name !== undefined ? { name: record.member.name } : {}) } : { arn: '' },
    original: record.original ? { content: record.original.content, ...(record.original.metadata !== undefined ? { metadata: record.original.metadata } : {}) } : { content: '' },
    policy: null,
    status: record.outcome,
    target: {
      channelArn: record.channelArn,
      ...(record.messageId !== undefined ? { messageId: record.messageId } : {}),
      ...(record.member ? { memberArn: record.member.arn } : {}),
      ...(record.reviewCallbackId !== undefined ? { reviewCallbackId: record.reviewCallbackId } : {}),
      ...(record.caseId !== undefined ? { caseId: record.caseId } : {}),
      ...(record.appealId !== undefined ? { appealId: record.appealId } : {}),
    },
    ...(record.completedAt !== undefined ? { completedAt: record.completedAt } : {}),
    ...(record.alreadyBanned !== undefined ? { alreadyBanned: record.alreadyBanned } : {}),
    ...(record.confirmedBy !== undefined ? { confirmedBy: record.confirmedBy } : {}),
    ...(record.error ? { chimeError: { type: record.error.type, message: record.error.message } } : {}),
    chimeBearer: record.bearer,
  };
}
