import { createHash } from 'node:crypto';
import type { ChannelMessage } from '../domain/message.js';
import type { Allowances, SenderRestrictions } from '../domain/people.js';
import { appInstanceOf, isModerationBot } from '../domain/arns.js';
import type { WorkerVerdict } from './process.js';

/**
 * What stands around the policy for a message: who sent it, and what the people rooms say about
 * them. A verdict here replaces the policy's (recorded the same way, with its own rule id):
 *
 *   the moderation bot's own message (a notice)    ALLOW   moderation.bot      before the policy (never evaluated: no loop)
 *   a BAN across the AppInstance is in force       DENY    escalation.ban      before the policy (a channel ban is Chime's)
 *   the policy's DENY or REVIEW, or a HOLD, and
 *     the exact content was allowed by an appeal   ALLOW   appeal.allowance
 *   a HOLD is in force (the policy did not DENY)   REVIEW  escalation.hold     (the policy's findings kept)
 *   otherwise                                      the policy's verdict
 *
 * A ban beats an allowance (the member may not post at all); an allowance beats a hold and the
 * policy (a moderator already let that very content through). The allowance is read only when
 * it could change the outcome (a DENY, a REVIEW, a HOLD): most messages cost the restrictions'
 * read alone (SenderRestrictions.activeFor, cached per container).
 */
export interface SenderGate {
  judge(message: ChannelMessage, nowMs: number, evaluate: () => WorkerVerdict | Promise<WorkerVerdict>): Promise<WorkerVerdict>;
}

export const GATE_RULES = {
  bot: 'moderation.bot',
  ban: 'escalation.ban',
  allowance: 'appeal.allowance',
  hold: 'escalation.hold',
} as const;

/** The exact content, as an allowance names it (no normalisation: "the same content" means byte for byte). */
export const contentHash = (content: string): string => createHash('sha256').update(content, 'utf8').digest('base64url');

const verdict = (action: WorkerVerdict['action'], ruleId: string, reason: string): WorkerVerdict => ({
  action,
  ruleIds: [ruleId],
  reason,
  findings: [{ ruleId, action, reason }],
});

export interface SenderGateOptions {
  /** MODERATION_BOT_ARN: one ARN, or one starting with `{appInstanceArn}/`. */
  moderationBotArn?: string;
  restrictions?: Pick<SenderRestrictions, 'activeFor'>;
  allowances?: Pick<Allowances, 'find'>;
}

export function senderGate(options: SenderGateOptions): SenderGate {
  const isBot = (message: ChannelMessage): boolean => isModerationBot(message.sender.arn, options.moderationBotArn);
  return {
    async judge(message, nowMs, evaluate) {
      if (isBot(message)) return verdict('ALLOW', GATE_RULES.bot, 'The moderation bot’s own message (a notice): not evaluated');
      const member = { appInstanceArn: appInstanceOf(message.channelArn), memberArn: message.sender.arn };
      const restrictions = options.restrictions ? await options.restrictions.activeFor(member, message.channelArn, nowMs) : [];
      const ban = restrictions.find((r) => r.kind === 'BAN');
      if (ban) return verdict('DENY', GATE_RULES.ban, `The sender is banned${ban.endsAt ? ` until ${ban.endsAt}` : ''} (restriction ${ban.id})`);
      const policy = await evaluate();
      const hold = restrictions.find((r) => r.kind === 'HOLD');
      if (policy.action !== 'DENY' && policy.action !== 'REVIEW' && !hold) return policy;
      const allowance = options.allowances && message.content !== undefined ? await options.allowances.find(message.channelArn, message.sender.arn, contentHash(message.content), nowMs) : undefined;
      if (allowance) return verdict('ALLOW', GATE_RULES.allowance, `This content was allowed for this sender by appeal ${allowance.appealId}, until ${allowance.until}`);
      if (!hold || policy.action === 'DENY') return policy;
      const reason = `Every message of this sender is held for review${hold.endsAt ? ` until ${hold.endsAt}` : ''} (restriction ${hold.id})`;
      const { content: _masked, ...kept } = policy;
      return {
        ...kept,
        action: 'REVIEW',
        ruleIds: [GATE_RULES.hold, ...policy.ruleIds.filter((id) => id !== GATE_RULES.hold)],
        reason: policy.ruleIds.length > 0 ? `${reason}; ${policy.reason}` : reason,
        findings: [{ ruleId: GATE_RULES.hold, action: 'REVIEW', reason }, ...policy.findings],
      };
    },
  };
}
