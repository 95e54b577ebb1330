import type { z } from 'zod';
import { actBy, secondsLeft } from '../domain/deadline.js';
import type { Claim, ModerationItem } from '../domain/item.js';
import type { AuditEntry, ReviewDetail, ReviewSummary } from './schemas.js';

/** What moderators see of an item. Pure: the same item and clock always give the same view. */

export const isClaimActive = (claim: Claim | undefined, nowMs: number): claim is Claim => claim !== undefined && Date.parse(claim.until) > nowMs;

/** The claim that blocks `subject`, if any: someone else's, still running. */
export const blockingClaim = (item: Pick<ModerationItem, 'claim'>, subject: string, nowMs: number): Claim | undefined =>
  isClaimActive(item.claim, nowMs) && item.claim.subject !== subject ? item.claim : undefined;

export function toReviewSummary(item: ModerationItem, nowMs: number, expiryMarginSeconds: number): z.output<typeof ReviewSummary> {
  const m = item.message;
  const expiryActionAt = actBy(item.deadline, expiryMarginSeconds);
  return {
    callbackId: item.callbackId,
    version: item.version,
    status: item.status,
    message: {
      messageId: m.messageId,
      channelArn: m.channelArn,
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
    policy: item.policy
      ? {
          action: item.policy.action,
          ruleIds: item.policy.ruleIds,
          reason: item.policy.reason,
          findings: item.policy.findings.map((f) => ({ ruleId: f.ruleId, action: f.action, reason: f.reason, ...(f.spans ? { spans: f.spans } : {}) })),
        }
      : null,
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

export function toReviewDetail(item: ModerationItem, nowMs: number, expiryMarginSeconds: number): z.output<typeof ReviewDetail> {
  const delivery = item.delivery;
  return {
    ...toReviewSummary(item, nowMs, expiryMarginSeconds),
    decision: item.decision ?? null,
    delivery: delivery
      ? {
          attempts: delivery.attempts,
          ...(delivery.lastAttemptAt ? { lastAttemptAt: delivery.lastAttemptAt } : {}),
          ...(delivery.lastError ? { lastError: delivery.lastError } : {}),
          ...(delivery.deliveredAt ? { deliveredAt: delivery.deliveredAt } : {}),
        }
      : null,
    outcome: item.outcome ?? null,
    history: item.history,
  };
}

/** One audit-log line: who decided what, when, why, and from what (the original message). */
export function toAuditEntry(item: ModerationItem): z.output<typeof AuditEntry> {
  const decision = item.decision!;
  const m = item.message;
  return {
    callbackId: item.callbackId,
    decidedAt: decision.decidedAt,
    origin: decision.origin,
    action: decision.action,
    decidedBy: decision.actor,
    reason: decision.reason,
    ruleIds: decision.ruleIds,
    ...(decision.update ? { update: decision.update } : {}),
    channelArn: m.channelArn,
    messageId: m.messageId,
    sender: { arn: m.sender.arn, ...(m.sender.name !== undefined ? { name: m.sender.name } : {}) },
    original: { content: m.content, ...(m.metadata !== undefined ? { metadata: m.metadata } : {}) },
    policy: item.policy
      ? { action: item.policy.action, ruleIds: item.policy.ruleIds, reason: item.policy.reason, findings: item.policy.findings }
      : null,
    status: item.status,
    ...(item.delivery?.deliveredAt ? { deliveredAt: item.delivery.deliveredAt } : {}),
  };
}
