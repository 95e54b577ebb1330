import { formatClock, formatDuration, type ClockOptions } from './time.js';

/**
 * How a sender's record reads in the console: restrictions (what, where, until when, why),
 * strikes (whether they still count, and why not), and appeals (the decision appealed, what the
 * outcome did). Pure, so the wording is unit-tested; the shapes are the API's
 * (GET /senders/{memberArn}, GET /approvals, GET /appeals).
 */

export interface ActorRef {
  id: string;
  name?: string | undefined;
}
export const actorName = (a: ActorRef): string => a.name ?? a.id;

/** "24h 00m" → "1d", "7d", "15m": a restriction's `for` as a moderator would say it. */
export function durationWords(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export interface RestrictionLike {
  action: 'HOLD' | 'BAN';
  scope: 'channel' | 'app-instance';
  status: 'PENDING_APPROVAL' | 'ACTIVE' | 'ENDED' | 'LIFTED' | 'REJECTED';
  forSeconds?: number | undefined;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  endedAt?: string | undefined;
  channelArn: string;
  lifted?: { by: ActorRef; at: string; reason: string } | undefined;
  approval?: { approved: boolean; by: ActorRef; at: string; reason: string } | undefined;
  cause: { kind: 'escalation' | 'moderator'; step?: number | undefined; strikeIds?: string[] | undefined; ruleIds?: string[] | undefined; caseId?: string | undefined; callbackId?: string | undefined };
  step?: { strikes: number; withinSeconds: number; action: 'HOLD' | 'BAN'; forSeconds: number; scope: 'channel' | 'app-instance' } | undefined;
  requestedBy: ActorRef;
}

const tail = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1) || arn;

/** "Ban in #general" / "Hold in every channel of the AppInstance". */
export function restrictionWhat(r: Pick<RestrictionLike, 'action' | 'scope' | 'channelArn'>): string {
  const verb = r.action === 'BAN' ? 'Ban' : 'Hold for review';
  return r.scope === 'app-instance' ? `${verb} in every channel of the AppInstance` : `${verb} in #${tail(r.channelArn)}`;
}

/** What the restriction does to the member's messages, in one sentence. */
export function restrictionEffect(action: 'HOLD' | 'BAN'): string {
  return action === 'BAN' ? 'Chime refuses their messages (CreateChannelBan), and the worker denies any that arrive.' : 'Every message they send waits for a moderator.';
}

/** When it ends (or ended), relative to now: "until 14:05 (in 1h 59m)", "until lifted", "for 7d once approved". */
export function restrictionWhen(r: RestrictionLike, clock: ClockOptions): string {
  switch (r.status) {
    case 'PENDING_APPROVAL':
      return r.forSeconds !== undefined ? `for ${durationWords(r.forSeconds)} once approved` : 'until lifted, once approved';
    case 'ACTIVE':
      if (r.endsAt === undefined) return 'until lifted';
      return `until ${formatClock(r.endsAt, clock)} (in ${formatDuration(Date.parse(r.endsAt) - clock.nowMs)})`;
    case 'LIFTED':
      return r.lifted ? `lifted by ${actorName(r.lifted.by)} at ${formatClock(r.lifted.at, clock)}: ${r.lifted.reason}` : 'lifted';
    case 'REJECTED':
      return r.approval ? `rejected by ${actorName(r.approval.by)} at ${formatClock(r.approval.at, clock)}: ${r.approval.reason}` : 'rejected';
    case 'ENDED':
      return `ended ${formatClock(r.endedAt ?? r.endsAt ?? '', clock)}`;
  }
}

export const STATUS_WORDS: Record<RestrictionLike['status'], string> = {
  PENDING_APPROVAL: 'Waiting for approval',
  ACTIVE: 'In force',
  ENDED: 'Ended',
  LIFTED: 'Lifted',
  REJECTED: 'Rejected',
};

/** Why it was imposed: an escalation step (its rule and the strikes that reached it) or a moderator. */
export function restrictionCause(r: RestrictionLike): string {
  if (r.cause.kind === 'escalation') {
    const step = r.step ? `${r.step.strikes} strikes within ${durationWords(r.step.withinSeconds)} → ${r.step.action}` : 'an escalation step';
    const n = r.cause.strikeIds?.length ?? 0;
    const rules = r.cause.ruleIds?.length ? ` (rules ${r.cause.ruleIds.join(', ')})` : '';
    return `Automatic: escalation step ${(r.cause.step ?? 0) + 1}, ${step}, reached by ${n} strike${n === 1 ? '' : 's'}${rules}`;
  }
  const on = r.cause.caseId ? ' on a report case' : r.cause.callbackId ? ' on a held message' : '';
  return `${actorName(r.requestedBy)}${on}`;
}

/** Whether this moderator may decide an approval: never their own request (the two-person rule). */
export const ownRequest = (r: Pick<RestrictionLike, 'requestedBy' | 'cause'>, subject: string): boolean => r.cause.kind === 'moderator' && r.requestedBy.id === subject;

export interface StrikeLike {
  source: { kind: 'rule' | 'moderator' | 'report'; ruleIds?: string[] | undefined; caseId?: string | undefined; callbackId?: string | undefined };
  actor: ActorRef;
  at: string;
  decaysAt: string;
  standing: 'counts' | 'decayed' | 'removed';
  removed?: { at: string; by: ActorRef; appealId: string } | undefined;
}

/** Where a strike came from. */
export function strikeSource(s: StrikeLike): string {
  switch (s.source.kind) {
    case 'rule':
      return `Automatic DENY${s.source.ruleIds?.length ? ` by ${s.source.ruleIds.join(', ')}` : ''}`;
    case 'moderator':
      return `DENY by ${actorName(s.actor)}`;
    case 'report':
      return `Upheld report, decided by ${actorName(s.actor)}`;
  }
}

/** Whether it counts towards the escalation ladder, and if not, why. */
export function strikeStanding(s: StrikeLike, clock: ClockOptions): string {
  switch (s.standing) {
    case 'counts':
      return `Counts until ${formatClock(s.decaysAt, clock)}`;
    case 'decayed':
      return `No longer counts: decayed at ${formatClock(s.decaysAt, clock)}`;
    case 'removed':
      return s.removed ? `No longer counts: removed when ${actorName(s.removed.by)} overturned its decision on appeal (${formatClock(s.removed.at, clock)})` : 'No longer counts: removed on appeal';
  }
}

/** The decision an appeal is about, in a line: "DENY by alice (moderator)", "DENY by the automatic policy (terms.block)". */
export function appealedWho(a: { action: string; origin: 'AUTO' | 'MODERATOR' | 'EXPIRY' | 'CASE'; decidedBy: ActorRef; ruleIds: string[] }): string {
  switch (a.origin) {
    case 'AUTO':
      return `${a.action} by the automatic policy${a.ruleIds.length ? ` (${a.ruleIds.join(', ')})` : ''}`;
    case 'EXPIRY':
      return `${a.action} by the sweeper (nobody decided in time)`;
    case 'CASE':
      return `${a.action} by ${actorName(a.decidedBy)}, on a report case`;
    case 'MODERATOR':
      return `${a.action} by ${actorName(a.decidedBy)}`;
  }
}

/**
 * Who may not decide an appeal: whoever made the decision appealed (a moderator's, or a case's).
 * An automatic or expiry decision may be decided by any moderator.
 */
export const madeTheDecision = (a: { origin: 'AUTO' | 'MODERATOR' | 'EXPIRY' | 'CASE'; decidedBy: ActorRef }, subject: string): boolean =>
  (a.origin === 'MODERATOR' || a.origin === 'CASE') && a.decidedBy.id === subject;

/** What an appeal's outcome will do, said before Confirm. */
export function appealConsequence(outcome: 'UPHOLD' | 'OVERTURN', a: { action: string; origin: string }): string {
  if (outcome === 'UPHOLD') return 'Uphold: the decision stands. The member is told, with your reason.';
  const undo = a.action === 'DENY' || a.action === 'UPDATE' ? 'the same content from the same sender in that channel goes through for a while (the policy’s allowance)' : 'any ban it caused is lifted';
  return `Overturn: the decision was wrong. Its strike is removed, ${undo}, and the member is told, with your reason.`;
}

type Effect = { status: 'DONE' | 'NONE' | 'FAILED'; detail?: string | undefined } | undefined;

/** An appeal's effects, each in a line: done, nothing to do, or still owed (tried again). */
export function effectLines(effects: Partial<Record<'allowance' | 'restrictions' | 'strike' | 'notice' | 'audit', Effect>> | null): string[] {
  if (!effects) return [];
  const names: Array<[keyof typeof effects, string]> = [
    ['allowance', 'Resend allowed'],
    ['restrictions', 'Restrictions lifted'],
    ['strike', 'Strike removed'],
    ['notice', 'Member told'],
    ['audit', 'In the audit log'],
  ];
  const out: string[] = [];
  for (const [name, label] of names) {
    const e = effects[name];
    if (!e) continue;
    const state = e.status === 'DONE' ? 'done' : e.status === 'NONE' ? 'nothing to do' : 'not done yet (tried again)';
    out.push(`${label}: ${state}${e.detail ? ` (${e.detail})` : ''}`);
  }
  return out;
}
