import type { Actor } from '../domain/item.js';
import { strikeIdOf, type CommunityPolicies, type Strike, type StrikeLedger, type StrikeSource } from '../domain/people.js';
import type { Clock } from '../domain/ports.js';
import { formatDuration } from '../policy/community.js';
import { RecordConditionError } from '../adapters/control-records.js';
import { isModerationBot } from '../domain/arns.js';
import { escalationKeyOf, escalationPlan, interimKeyOf, LADDER_CLAIM_FINISH_MS, type PlannedImposition, memberPk, standingOf, stepFor, strikeSk, type LadderImposition, type StrikeRecord } from './model.js';
import type { Restrictions } from './restrictions.js';
import type { SenderStore } from './store.js';

/**
 * Strikes, and the escalation ladder they climb (README "Strikes, escalation and restrictions"):
 *
 *   record(strike) ── its id from its source (strikeIdOf): once per source, whatever the
 *        │            redeliveries; decaysAt = at + policy strikes.decay
 *        ▼
 *   the member's strikes that still count (not removed, not decayed)
 *        ▼
 *   the channel's ladder: of the steps reached (at least `strikes` of them within `within`), the
 *   one asking for the most; none, or this strike not among those that reach it: nothing
 *        ▼
 *   a restriction as strong already ACTIVE or pending for the member? nothing (no pile-up)
 *        ▼
 *   impose it, keyed by the step and this strike (a redelivered strike finds the same one),
 *   audited with the step's rule, the strikes and their rules; the member told if the step says so
 *
 * The ladder is applied again when a strike is recorded again (a redelivery after a crash
 * between the strike and its step finishes the step), never twice (the key).
 */

/** The moderators whose decisions gave these strikes (the policy's own, and the system's, are nobody's). */
const deciders = (strikes: readonly Strike[]): Actor[] => {
  const seen = new Map<string, Actor>();
  for (const s of strikes) if (s.source.kind !== 'rule' && s.actor.id !== 'policy' && !seen.has(s.actor.id)) seen.set(s.actor.id, s.actor);
  return [...seen.values()];
};

/** Claims of the ladder tried before a strike gives up (its redelivery tries again). */
const LADDER_ROUNDS = 5;

/** Who imposes what a ladder step asks for. */
export const ESCALATION_ACTOR: Actor = { id: 'escalation', name: 'escalation' };

/** A member's strikes read at most when applying the ladder (decayed ones expire after RETENTION_DAYS). */
const MAX_STRIKES = 1000;

export interface StrikeLedgerDeps {
  store: SenderStore;
  restrictions: Restrictions;
  policies: CommunityPolicies;
  clock: Clock;
  retentionDays: number;
  /** MODERATION_BOT_ARN: its messages are never struck. */
  botArn?: string;
}

/** The rules a strike stands for, as an escalation's audit names them. */
const rulesOf = (source: StrikeSource): string[] => (source.kind === 'rule' ? source.ruleIds : [source.kind === 'moderator' ? 'moderator' : 'report']);

export class Strikes implements StrikeLedger {
  constructor(private readonly deps: StrikeLedgerDeps) {}

  async record(strike: Omit<Strike, 'id' | 'decaysAt'>): Promise<void> {
    // The bot's own messages pass the worker unevaluated; a moderator's decision or a report about one strikes nobody.
    if (isModerationBot(strike.member.memberArn, this.deps.botArn)) return;
    const policy = await this.deps.policies.forChannel(strike.channelArn);
    const id = strikeIdOf(strike.source);
    const decaysAtMs = Date.parse(strike.at) + policy.strikes.decaySeconds * 1000;
    const { record } = await this.deps.store.createStrike({
      pk: memberPk(strike.member.memberArn),
      sk: strikeSk(id),
      kind: 'STRIKE',
      ...strike,
      id,
      decaysAt: new Date(decaysAtMs).toISOString(),
      // Kept RETENTION_DAYS after it stops counting: the sender's record shows why it no longer does.
      expiresAt: Math.floor(decaysAtMs / 1000) + this.deps.retentionDays * 86_400,
    });
    await this.escalate(record);
  }

  async remove(source: StrikeSource, by: Actor, appealId: string): Promise<boolean> {
    const id = strikeIdOf(source);
    const memberArn = await this.deps.store.strikeMember(id);
    if (!memberArn) return false;
    const strike = await this.deps.store.getStrike(memberArn, id);
    if (!strike) return false;
    if (strike.removed) return true;
    try {
      await this.deps.store.removeStrike(memberArn, id, { at: new Date(this.deps.clock.now()).toISOString(), by, appealId });
    } catch (error) {
      // Removed meanwhile (another appeal decision, a retry): the same outcome.
      if ((await this.deps.store.getStrike(memberArn, id))?.removed) return true;
      throw error;
    }
    return true;
  }

  /** The ladder, for the member of `strike`, after it was recorded (see the timeline above). */
  private async escalate(strike: StrikeRecord): Promise<void> {
    const now = this.deps.clock.now();
    if (standingOf(strike, now) !== 'counts') return;
    const policy = await this.deps.policies.forChannel(strike.channelArn);
    if (policy.escalation.length === 0) return;
    const strikes = await this.deps.store.strikesOf(strike.member.memberArn, MAX_STRIKES);
    const match = stepFor(policy.escalation, strikes, now);
    if (!match || !match.strikes.some((s) => s.id === strike.id)) return;
    const { step, index } = match;
    const member = strike.member.memberArn;
    // The strikes that reached it (within the window, newest first), bounded for the record.
    const counted = match.strikes.slice(0, 50);
    const cause = { kind: 'escalation' as const, step: index, strikeIds: counted.map((s) => s.id), ruleIds: [...new Set(counted.flatMap((s) => rulesOf(s.source)))] };
    const reached = `${match.strikes.length} strikes within ${formatDuration(step.withinSeconds)} reached escalation step ${index + 1} (${step.strikes} strikes → ${step.action} for ${formatDuration(step.forSeconds)})`;
    const excluded = deciders(counted);
    const keys = { step: escalationKeyOf(index, step, strike.id), interim: interimKeyOf(index, step, strike.id) };
    /** What the plan imposes (the step, and while it waits for approval an interim that needs none), as the ladder claim names it. */
    const impositionsOf = (plan: PlannedImposition[]): LadderImposition[] =>
      plan.map((p) => ({
        key: p.interim ? keys.interim : keys.step,
        kind: p.action,
        scope: p.scope,
        channelArn: strike.channelArn,
        forSeconds: p.forSeconds,
        reason: p.interim ? `${reached}; until a second moderator approves that, ${p.action} for ${formatDuration(p.forSeconds)} (the strongest step that needs no approval)` : reached,
        cause,
        notify: p.notify,
        step: p.step,
        ...(!p.interim && excluded.length ? { approvalExcludes: excluded } : {}),
      }));
    // Strikes escalating at once (a batch, several containers) each see the step reached; the
    // ladder claim, a conditional write on the version read, lets one of them impose it. The
    // others read the winner's claim, finish it (a claimer that died before imposing leaves it to
    // them; imposing is idempotent by key), and then find the member covered.
    for (let round = 0; round < LADDER_ROUNDS; round += 1) {
      const ladder = await this.deps.store.getLadder(member);
      const claim = ladder?.last;
      if (claim && now - Date.parse(claim.at) < LADDER_CLAIM_FINISH_MS) {
        for (const pending of claim.impositions) await this.impose(strike.member, pending);
        if (claim.strikeId === strike.id) return;
      }
      const existing = await this.deps.restrictions.restrictionsOf(member, { fresh: true });
      // Already imposed for this very strike (a redelivery): impose them again to finish what they left undone.
      const again = existing.filter((r) => r.key === keys.step || r.key === keys.interim);
      const plan = impositionsOf(escalationPlan({ ladder: policy.escalation, match, strikes, channelArn: strike.channelArn, nowMs: now, approvals: policy.approvals, existing: existing.filter((r) => !again.includes(r)) }));
      const impositions = again.length > 0 ? plan.filter((p) => again.some((r) => r.key === p.key)) : plan;
      if (impositions.length === 0) return;
      try {
        await this.deps.store.claimLadder(member, { at: new Date(now).toISOString(), strikeId: strike.id, impositions }, ladder?.version);
      } catch (error) {
        if (error instanceof RecordConditionError) continue;
        throw error;
      }
      for (const imposition of impositions) await this.impose(strike.member, imposition);
      return;
    }
    throw new Error(`The escalation ladder of ${member} kept changing under ${LADDER_ROUNDS} attempts; the strike's redelivery applies it again`);
  }

  private async impose(member: StrikeRecord['member'], imposition: LadderImposition): Promise<void> {
    await this.deps.restrictions.imposeRecord({
      key: imposition.key,
      member,
      channelArn: imposition.channelArn,
      kind: imposition.kind,
      scope: imposition.scope,
      ...(imposition.forSeconds !== undefined ? { forSeconds: imposition.forSeconds } : {}),
      reason: imposition.reason,
      by: ESCALATION_ACTOR,
      cause: imposition.cause,
      notify: imposition.notify,
      step: imposition.step,
      ...(imposition.approvalExcludes ? { approvalExcludes: imposition.approvalExcludes } : {}),
    });
  }
}
