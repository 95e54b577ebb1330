import type { z } from 'zod';
import type { ModerationItem } from '../domain/item.js';
import { standingOf, type NoteRecord, type RestrictionRecord, type StrikeRecord } from './model.js';
import type { Note, Restriction, SenderRecord } from './responses.js';

/** Records as the senders room's answers show them (pure). */

type RestrictionView = z.output<typeof Restriction>;
type SenderRecordView = z.output<typeof SenderRecord>;

export function toRestrictionView(r: RestrictionRecord): RestrictionView {
  return {
    id: r.id,
    memberArn: r.member.memberArn,
    appInstanceArn: r.member.appInstanceArn,
    channelArn: r.channelArn,
    action: r.action,
    scope: r.scope,
    status: r.status,
    ...(r.forSeconds !== undefined ? { forSeconds: r.forSeconds } : {}),
    ...(r.startsAt !== undefined ? { startsAt: r.startsAt } : {}),
    ...(r.endsAt !== undefined ? { endsAt: r.endsAt } : {}),
    reason: r.reason,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    cause: r.cause,
    ...(r.step ? { step: r.step } : {}),
    ...(r.approval ? { approval: r.approval } : {}),
    ...(r.lifted ? { lifted: r.lifted } : {}),
    ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    chime: { bans: r.bans ?? [], unbans: r.unbans ?? [], channelsListed: r.channelsListed ?? r.action === 'BAN' },
    history: r.history,
  };
}

export function toStrikeView(s: StrikeRecord, nowMs: number): SenderRecordView['strikes'][number] {
  return {
    id: s.id,
    source: s.source,
    channelArn: s.channelArn,
    messageId: s.messageId,
    actor: s.actor,
    at: s.at,
    decaysAt: s.decaysAt,
    standing: standingOf(s, nowMs),
    ...(s.removed ? { removed: s.removed } : {}),
  };
}

export const toNoteView = (n: NoteRecord): z.output<typeof Note> => ({ id: n.id, text: n.text, by: n.by, at: n.at });

/** Held: the policy (or a restriction) sent it to review. Denied: its decision was DENY. */
export const wasHeld = (item: ModerationItem): boolean => item.status === 'PENDING_REVIEW' || item.policy?.action === 'REVIEW';
export const wasDenied = (item: ModerationItem): boolean => item.decision?.action === 'DENY';

export function toSenderMessageView(item: ModerationItem): SenderRecordView['messages']['items'][number] {
  return {
    callbackId: item.callbackId,
    messageId: item.message.messageId,
    channelArn: item.message.channelArn,
    content: item.message.content,
    receivedAt: item.receivedAt,
    status: item.status,
    held: wasHeld(item),
    denied: wasDenied(item),
    policy: item.policy ? { action: item.policy.action, ruleIds: item.policy.ruleIds, reason: item.policy.reason } : null,
    decision: item.decision ? { action: item.decision.action, origin: item.decision.origin, actor: item.decision.actor, reason: item.decision.reason, decidedAt: item.decision.decidedAt } : null,
  };
}
