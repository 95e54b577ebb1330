import { createHash } from 'node:crypto';
import type { ModerationItem } from '../domain/item.js';
import { decisionKeyOf, type NoticeKind, type NoticeRequest, type Strike } from '../domain/people.js';
import { renderTemplate, ruleSettingsOf, type CommunityPolicy } from '../policy/community.js';
import { GATE_RULES } from '../worker/sender-gate.js';

/**
 * What a notice says and what it is, worked out from the decision and the channel's community
 * policy. Pure. The one rule that matters most here: a notice is built only from public
 * settings (the rules' `publicReason`, the policy's templates, a moderator's public reason),
 * never from the message, the rule's internal reason or the blocklist, so a notice can never
 * echo the blocked term back into the channel.
 */

/** What a notice is about, as one string (the decision key of src/domain/people.ts, or the restriction, appeal or warning). */
export function aboutKeyOf(about: NoticeRequest['about']): string {
  switch (about.kind) {
    case 'message':
    case 'case':
      return decisionKeyOf(about);
    case 'restriction':
      return `restriction:${about.restrictionId}`;
    case 'appeal':
      return `appeal:${about.appealId}`;
    case 'warning':
      return `warning:${about.actionId}`;
  }
}

/** The reference a member quotes (and `{ref}` in the appeal URL): a CallbackId, a case, a restriction, an appeal. */
export function refOf(about: NoticeRequest['about']): string {
  switch (about.kind) {
    case 'message':
      return about.callbackId;
    case 'case':
      return about.caseId;
    case 'restriction':
      return about.restrictionId;
    case 'appeal':
      return about.appealId;
    case 'warning':
      return about.actionId;
  }
}

/**
 * A notice's id: the same (about, kind, to) always gives the same id, so a redelivered decision
 * finds the notice it already recorded. It is also the ClientRequestToken of the send (the
 * model's pattern `[-_a-zA-Z0-9]`, 2–64 characters: a SHA-256 in base64url is 43), so a send
 * repeated after a lost answer is the same request to Chime and can never post twice.
 */
export function noticeIdOf(request: Pick<NoticeRequest, 'about' | 'kind' | 'to'>): string {
  return createHash('sha256').update(`${aboutKeyOf(request.about)}\u0000${request.kind}\u0000${request.to}`).digest('base64url');
}

/** Chime's limits for a message (the model: Content at most 4 KB, Metadata at most 1 KB). */
const MAX_CONTENT_BYTES = 4096;

/**
 * The metadata that marks a message as a moderation notice, and as this one:
 * `{"moderation":{"notice":"deny","ref":"…","id":"…"}}` (`id` the notice's id). A read-back of the
 * channel finds a notice whose send lost its answer by it (src/adapters/chime-notices.ts).
 */
export function noticeMetadata(kind: NoticeKind, ref: string, id: string): string {
  return JSON.stringify({ moderation: { notice: kind, ref, id } });
}

/** A template rendered, and cut to what Chime takes (a policy's long reason must not make the send fail). */
export function noticeText(template: string, values: Readonly<Record<string, string>>): string {
  const text = renderTemplate(template, values).trim();
  if (Buffer.byteLength(text, 'utf8') <= MAX_CONTENT_BYTES) return text;
  let cut = text.slice(0, MAX_CONTENT_BYTES - 1);
  while (Buffer.byteLength(`${cut}…`, 'utf8') > MAX_CONTENT_BYTES) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The appeal link for a decision: `notices.appealUrl` with `{ref}` filled in. */
export const appealUrlOf = (policy: CommunityPolicy, ref: string): string => renderTemplate(policy.notices.appealUrl, { ref: encodeURIComponent(ref) });

const distinct = (reasons: string[]): string[] => [...new Set(reasons.map((r) => r.trim()).filter((r) => r.length > 0))];

/**
 * What the sender is told a decision was for: the public reasons of the rules that fired (an
 * automatic decision), the moderator's public reason or the `moderator` rule's (a moderator's), or
 * the `expiry` rule's (nobody decided in time). Never `decision.reason` (the audit log's, which
 * may quote the term) and never the message.
 */
export function publicReasonOf(policy: CommunityPolicy, decision: NonNullable<ModerationItem['decision']>): string {
  switch (decision.origin) {
    case 'MODERATOR':
      return decision.publicReason ?? ruleSettingsOf(policy, ['moderator'])[0]!.publicReason;
    case 'EXPIRY':
      return ruleSettingsOf(policy, ['expiry'])[0]!.publicReason;
    case 'AUTO':
      return rulesPublicReason(policy, decision.ruleIds);
  }
}

/** The public reasons of the rules that fired, each once, in order (a held message's, an automatic decision's). */
export function rulesPublicReason(policy: CommunityPolicy, ruleIds: readonly string[]): string {
  const reasons = distinct(ruleSettingsOf(policy, ruleIds).map((rule) => rule.publicReason));
  return reasons.length > 0 ? reasons.join('; ') : ruleSettingsOf(policy, ['moderator'])[0]!.publicReason;
}

/**
 * The notice kind a decision gets after its delivery: DENY and UPDATE only (an ALLOW needs none).
 * Not the sender gate's DENY of a banned member's message (rule `escalation.ban`): the member was
 * told of the ban once (its `restriction` notice); a deny notice per message, each with an appeal
 * link, would only flood them and the appeals queue.
 */
export function decisionNoticeKind(decision: Pick<NonNullable<ModerationItem['decision']>, 'action'> & Partial<Pick<NonNullable<ModerationItem['decision']>, 'ruleIds'>>): 'deny' | 'update' | undefined {
  if (decision.action === 'DENY') return decision.ruleIds?.includes(GATE_RULES.ban) ? undefined : 'deny';
  if (decision.action === 'UPDATE') return 'update';
  return undefined;
}

/** The template values of a decision's notice: `{reason}` and `{appealUrl}`. */
export function decisionNoticeValues(policy: CommunityPolicy, item: Pick<ModerationItem, 'callbackId' | 'decision'>): Record<string, string> {
  return { reason: publicReasonOf(policy, item.decision!), appealUrl: appealUrlOf(policy, item.callbackId) };
}

/**
 * The strike a decision carries, once it is delivered: an automatic DENY whose fired rules
 * include one marked `strike: true`, or a moderator's DENY when the `moderator` rule strikes.
 * Never an UPDATE, never the expiry policy's DENY (nobody found anything), never the bot's own.
 */
export function strikeOf(policy: CommunityPolicy, item: Pick<ModerationItem, 'callbackId' | 'decision' | 'message'>, appInstanceArn: string): Omit<Strike, 'id' | 'decaysAt'> | undefined {
  const decision = item.decision;
  if (!decision || decision.action !== 'DENY') return undefined;
  const base = {
    member: { appInstanceArn, memberArn: item.message.sender.arn },
    channelArn: item.message.channelArn,
    messageId: item.message.messageId,
    actor: decision.actor,
    at: decision.decidedAt,
  };
  if (decision.origin === 'AUTO') {
    const striking = decision.ruleIds.filter((id) => ruleSettingsOf(policy, [id])[0]!.strike);
    return striking.length > 0 ? { ...base, source: { kind: 'rule', callbackId: item.callbackId, ruleIds: striking } } : undefined;
  }
  if (decision.origin === 'MODERATOR') {
    return ruleSettingsOf(policy, ['moderator'])[0]!.strike ? { ...base, source: { kind: 'moderator', callbackId: item.callbackId } } : undefined;
  }
  return undefined;
}
