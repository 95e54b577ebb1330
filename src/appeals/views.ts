import type { z } from 'zod';
import type { AppealRecord } from './model.js';
import type { Appeal, MemberAppeal } from './responses.js';

/** What members and moderators see of an appeal. Pure. */

const refView = (record: AppealRecord) => (record.appealed.ref.kind === 'message' ? { kind: 'message' as const, callbackId: record.appealed.ref.callbackId } : { kind: 'case' as const, caseId: record.appealed.ref.caseId });

export function toMemberAppeal(record: AppealRecord): z.output<typeof MemberAppeal> {
  return {
    appealId: record.appealId,
    status: record.status,
    ref: refView(record),
    text: record.text,
    createdAt: record.createdAt,
    ...(record.decision ? { decidedAt: record.decision.decidedAt, reason: record.decision.reason } : {}),
  };
}

export function toAppeal(record: AppealRecord): z.output<typeof Appeal> {
  const a = record.appealed;
  const effects = record.effects;
  return {
    appealId: record.appealId,
    version: record.version,
    status: record.status,
    ref: refView(record),
    appellant: { memberArn: record.appellant.memberArn, onBehalf: record.appellant.onBehalf },
    text: record.text,
    createdAt: record.createdAt,
    windowClosedAt: record.windowClosedAt,
    appealed: {
      action: a.action,
      origin: a.origin,
      decidedBy: a.decidedBy,
      decidedAt: a.decidedAt,
      reason: a.reason,
      ruleIds: a.ruleIds,
      channelArn: a.channelArn,
      messageId: a.messageId,
      sender: { arn: a.memberArn, ...(a.senderName !== undefined ? { name: a.senderName } : {}) },
      message: a.message,
      ...(a.banned !== undefined ? { banned: a.banned } : {}),
    },
    decision: record.decision ? { outcome: record.decision.outcome, reason: record.decision.reason, decidedBy: record.decision.actor, decidedAt: record.decision.decidedAt } : null,
    effects: effects ? { ...effects } : null,
    ...(record.settledAt ? { settledAt: record.settledAt } : {}),
  };
}
