import { createHash } from 'node:crypto';
import type { Actor } from '../domain/item.js';
import type { MemberRef, RestrictionCause, RestrictionKind, RestrictionScope, RestrictionStatus, Strike } from '../domain/people.js';
import type { StoredRecord } from '../adapters/control-records.js';
import { hash32 } from '../adapters/table-keys.js';
import type { EscalationStep } from '../policy/community.js';

/**
 * The senders room's records in the control table (src/adapters/control-records.ts), all under
 * the member they are about, so one Query on `MEMBER#<memberArn>` with a sort-key prefix reads
 * each kind:
 *
 *   MEMBER#<memberArn> / STRIKE#<strikeId>          a strike (its id from its source: once per source)
 *   MEMBER#<memberArn> / RESTRICTION#<id>           a HOLD or a BAN, with its Chime calls and history
 *   MEMBER#<memberArn> / NOTE#<iso>#<id>            a moderator's note
 *   MEMBER#<memberArn> / IN_FORCE                   the summary the worker's gate reads: the ids, kinds,
 *                                                   scopes, channels and ends of the restrictions in
 *                                                   force, each at the version of its record it was
 *                                                   taken from (RestrictionSummaryRecord)
 *   MEMBER#<memberArn> / LADDER                     the escalation ladder's last claim: what the last
 *                                                   escalation imposed (concurrent strikes agree on it)
 *   RESTRICTION#<id>   / RESTRICTION                a pointer: which member a restriction id is
 *                                                   under (an approval or a lift names only the id)
 *   STRIKE#<strikeId>  / STRIKE                     a pointer: which member a strike is against (an
 *                                                   overturned appeal names only the decision)
 *
 * A restriction sits in one queue of the byQueue index while something is still to be done
 * about it, and leaves it when nothing is:
 *
 *   APPROVALS#PENDING#<shard>     queueSort = requestedAt#id   waiting for a second moderator
 *   RESTRICTIONS#ACTIVE#<shard>   queueSort = dueAt#id         in force with an end (dueAt = endsAt),
 *                                                              a Chime call whose outcome is
 *                                                              unknown (dueAt = its retry time), or
 *                                                              a summary not yet brought in step
 *                                                              (dueAt = since when): what the
 *                                                              sweeper reads
 *
 * (The member ARN names its AppInstance: strikes and restrictions are per member per AppInstance.)
 */

export const QUEUE_SHARDS = 4;
export const APPROVALS_QUEUE = 'APPROVALS#PENDING';
export const ACTIVE_QUEUE = 'RESTRICTIONS#ACTIVE';

export const memberPk = (memberArn: string): string => `MEMBER#${memberArn}`;
export const STRIKE_PREFIX = 'STRIKE#';
export const RESTRICTION_PREFIX = 'RESTRICTION#';
export const NOTE_PREFIX = 'NOTE#';
/** The reports room's pointer: a case about a message this member sent. */
export const CASE_POINTER_PREFIX = 'CASE#';
export const strikeSk = (strikeId: string): string => `${STRIKE_PREFIX}${strikeId}`;
export const restrictionSk = (id: string): string => `${RESTRICTION_PREFIX}${id}`;
export const noteSk = (at: string, id: string): string => `${NOTE_PREFIX}${at}#${id}`;
export const summaryKey = (memberArn: string) => ({ pk: memberPk(memberArn), sk: 'IN_FORCE' });
export const ladderKey = (memberArn: string) => ({ pk: memberPk(memberArn), sk: 'LADDER' });
export const restrictionPointerKey = (id: string) => ({ pk: `${RESTRICTION_PREFIX}${id}`, sk: 'RESTRICTION' });
export const strikePointerKey = (strikeId: string) => ({ pk: `${STRIKE_PREFIX}${strikeId}`, sk: 'STRIKE' });

export const queueShardOf = (id: string): number => hash32(id) % QUEUE_SHARDS;
export const queueKeysOf = (queue: string): string[] => Array.from({ length: QUEUE_SHARDS }, (_, shard) => `${queue}#${shard}`);
export const queueSortOf = (at: string, id: string): string => `${at}#${id}`;

/** A restriction's id: derived from its idempotency key, so the same key always names the same restriction. */
export const restrictionIdOf = (key: string): string => createHash('sha256').update(key).digest('base64url').slice(0, 22);

/** A restriction's idempotency key for an escalation step reached by a strike: a redelivered strike imposes nothing new. */
export const escalationKeyOf = (stepIndex: number, step: EscalationStep, strikeId: string): string =>
  `escalation:${stepIndex}:${step.action}:${step.scope}:${step.strikes}/${step.withinSeconds}:${strikeId}`;

/** The interim restriction an escalation step imposes while the step itself waits for approval. */
export const interimKeyOf = (stepIndex: number, step: EscalationStep, strikeId: string): string => `${escalationKeyOf(stepIndex, step, strikeId)}:interim`;


export interface StrikeRecord extends StoredRecord, Strike {
  kind: 'STRIKE';
}

/**
 * One Chime call for one channel of a ban (CreateChannelBan) or of its end (DeleteChannelBan):
 *
 *   REQUESTED  asked for, outcome unknown (not tried yet, no answer, or a read-back that could
 *              not tell): retried by the sweeper, reading Chime's state back first
 *   DONE       Chime confirmed it, by its answer or a read-back (`already`: it was so already)
 *   FAILED     Chime refused it (with its answer); not retried
 */
export interface ChimeCall {
  channelArn: string;
  outcome: 'REQUESTED' | 'DONE' | 'FAILED';
  /** Calls made so far. */
  tries: number;
  /** A call of ours may have landed (no answer): the next one reads Chime's state back first. */
  inDoubt?: boolean;
  at: string;
  confirmedBy?: 'answer' | 'read-back';
  already?: boolean;
  /** An unban not made: this other ACTIVE ban of the member still bans them in that channel. */
  keptFor?: string;
  error?: { type: string; message: string; refusal?: string };
}

export interface RestrictionEvent {
  at: string;
  /** Who: a moderator's subject, `escalation`, `sweeper`. */
  actor: string;
  event: string;
  detail?: string;
}

export interface RestrictionRecord extends StoredRecord {
  kind: 'RESTRICTION';
  id: string;
  /** What made it unique (an escalation step and the strike that reached it, a moderator's Idempotency-Key). */
  key: string;
  /** A moderator's request, digested: the same Idempotency-Key with another request is refused. */
  requestHash?: string;
  member: MemberRef;
  /** The channel it was imposed in (a channel-scope restriction applies there only). */
  channelArn: string;
  action: RestrictionKind;
  scope: RestrictionScope;
  status: RestrictionStatus;
  /** How long it lasts once in force; absent: until lifted. */
  forSeconds?: number;
  startsAt?: string;
  endsAt?: string;
  reason: string;
  requestedBy: Actor;
  requestedAt: string;
  cause: RestrictionCause;
  /** An escalation step's rule as it was when it applied. */
  step?: EscalationStep;
  /** Tell the member (a `restriction` notice) when it comes into force. */
  notify: boolean;
  approval?: { approved: boolean; by: Actor; at: string; reason: string };
  lifted?: { by: Actor; at: string; reason: string };
  endedAt?: string;
  /** BAN: CreateChannelBan per channel. An app-instance ban lists the member's channels first (`channelsListed`). */
  bans?: ChimeCall[];
  channelsListed?: boolean;
  /** A BAN that ended or was lifted: DeleteChannelBan per channel banned (or maybe banned). */
  unbans?: ChimeCall[];
  /** When the sweeper should try an unsettled Chime call again. */
  retryAt?: string;
  /** The notice was asked for (once). */
  noticedAt?: string;
  /**
   * Whoever may not approve it besides who asked for it (the two-person rule): for an escalation
   * step, the moderators whose decisions gave the strikes it counted.
   */
  approvalExcludes?: Actor[];
  /**
   * Since when the member's summary (IN_FORCE) may not show this record as it is: set by the
   * write that puts it in force or ends it, cleared once the summary is written. While set, the
   * record is due in the sweeper's queue, which brings the summary in step if we died between.
   */
  summaryOwedAt?: string;
  history: RestrictionEvent[];
}

/**
 * One restriction as the member's summary holds it: what the worker's gate needs, nothing more
 * (about 200 bytes). `v` is the version of the restriction record it was taken from: a write
 * taken from an older version never replaces a newer one, so writers that race converge on the
 * record's latest state whatever order their writes land in.
 */
export interface SummaryEntry {
  id: string;
  v: number;
  kind: RestrictionKind;
  scope: RestrictionScope;
  channelArn: string;
  endsAt?: string;
  /** No longer in force (ended, lifted, rejected): a tombstone kept a day, so a late older write cannot revive it. */
  gone?: string;
}

export interface RestrictionSummaryRecord extends StoredRecord {
  kind: 'RESTRICTION_SUMMARY';
  memberArn: string;
  entries: SummaryEntry[];
}

/** What one escalation imposes (a step, and its interim while the step waits for approval). */
export interface LadderImposition {
  key: string;
  kind: RestrictionKind;
  scope: RestrictionScope;
  channelArn: string;
  forSeconds?: number;
  reason: string;
  cause: RestrictionCause;
  notify: boolean;
  step: EscalationStep;
  approvalExcludes?: Actor[];
}

/**
 * The member's escalation ladder: the last escalation's claim, written conditionally on the
 * version read before it was planned. Of strikes escalating at once, one claim wins; the others
 * read it (and create what it names if its writer died first) before planning again, so they
 * never impose the same step twice.
 */
export interface LadderRecord extends StoredRecord {
  kind: 'LADDER';
  memberArn: string;
  last?: { at: string; strikeId: string; impositions: LadderImposition[] };
}

/** How long a ladder claim is finished by others when its own escalation died before imposing it. */
export const LADDER_CLAIM_FINISH_MS = 86_400_000;
/** How long a summary keeps a tombstone (and an entry past its end). */
export const SUMMARY_TOMBSTONE_MS = 86_400_000;

export interface NoteRecord extends StoredRecord {
  kind: 'NOTE';
  id: string;
  memberArn: string;
  text: string;
  by: Actor;
  at: string;
}

export interface RestrictionPointer extends StoredRecord {
  kind: 'RESTRICTION_POINTER';
  id: string;
  memberArn: string;
}

export interface StrikePointer extends StoredRecord {
  kind: 'STRIKE_POINTER';
  id: string;
  memberArn: string;
}

/** The SenderCasePointer the reports room writes (src/reports/model.ts), as far as this room reads it. */
export interface CasePointerRecord extends StoredRecord {
  caseId: string;
  channelArn?: string;
  messageId?: string;
  firstReportAt?: string;
}

// ─── Strikes and the ladder (pure) ─────────────────────────────────────────────────────────

export type StrikeStanding = 'counts' | 'decayed' | 'removed';

/** Whether a strike counts at `nowMs`, and if not, why. */
export function standingOf(strike: Pick<Strike, 'decaysAt' | 'removed'>, nowMs: number): StrikeStanding {
  if (strike.removed) return 'removed';
  return Date.parse(strike.decaysAt) <= nowMs ? 'decayed' : 'counts';
}

export interface LadderMatch {
  index: number;
  step: EscalationStep;
  /** The strikes that count within the step's window, newest first. */
  strikes: Strike[];
}

/**
 * The escalation step that applies to a member's strikes at `nowMs`: of the steps whose count is
 * reached (strikes that still count, recorded within the step's window), the one that asks for
 * the most strikes; a tie goes to the step written first. Undefined when none is reached.
 */
export function stepFor(ladder: readonly EscalationStep[], strikes: readonly Strike[], nowMs: number): LadderMatch | undefined {
  const counting = strikes.filter((s) => standingOf(s, nowMs) === 'counts').sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  let best: LadderMatch | undefined;
  ladder.forEach((step, index) => {
    const since = nowMs - step.withinSeconds * 1000;
    const within = counting.filter((s) => Date.parse(s.at) > since && Date.parse(s.at) <= nowMs);
    if (within.length < step.strikes) return;
    if (!best || step.strikes > best.step.strikes) best = { index, step, strikes: within };
  });
  return best;
}

/** How strong a restriction is: a ban beats a hold, a ban everywhere beats a ban in one channel. */
const rank = (r: { action: RestrictionKind; scope: RestrictionScope }): number => (r.action === 'BAN' ? (r.scope === 'app-instance' ? 3 : 2) : r.scope === 'app-instance' ? 1.5 : 1);

/**
 * Does `existing` (ACTIVE or PENDING_APPROVAL) already restrict the member at least as much as
 * `wanted` would, where `wanted` applies? Then a step adds nothing (no pile-up under redelivery,
 * nor from a step reached again). It must reach the same channel (or everywhere), be of the same
 * or a stronger kind, and, of the same kind, last at least as long. A pending one counts as
 * lasting its `for` from now: approving it later only moves its end further.
 */
export function covers(
  existing: Pick<RestrictionRecord, 'action' | 'scope' | 'channelArn' | 'status' | 'endsAt' | 'forSeconds'>,
  wanted: { action: RestrictionKind; scope: RestrictionScope; channelArn: string; forSeconds?: number },
  nowMs: number,
  options: { pendingCovers?: boolean } = {},
): boolean {
  if (existing.status !== 'ACTIVE' && (existing.status !== 'PENDING_APPROVAL' || options.pendingCovers === false)) return false;
  const reach = existing.scope === 'app-instance' || (wanted.scope === 'channel' && existing.channelArn === wanted.channelArn);
  if (!reach) return false;
  if (existing.status === 'ACTIVE' && existing.endsAt !== undefined && Date.parse(existing.endsAt) <= nowMs) return false;
  const a = rank(existing);
  const b = rank(wanted);
  if (a !== b) return a > b;
  const existingEnd = existing.status === 'ACTIVE' ? (existing.endsAt === undefined ? Infinity : Date.parse(existing.endsAt)) : existing.forSeconds === undefined ? Infinity : nowMs + existing.forSeconds * 1000;
  const wantedEnd = wanted.forSeconds === undefined ? Infinity : nowMs + wanted.forSeconds * 1000;
  return existingEnd >= wantedEnd;
}

/**
 * The two-person rule (policy `approvals`): a ban longer than `banLongerThanSeconds` (one without
 * an end is longer than any), or across the AppInstance when `appInstanceBans`, waits for a
 * second moderator. A HOLD never does: it only sends messages to review.
 */
export function needsApproval(input: { action: RestrictionKind; scope: RestrictionScope; forSeconds?: number }, approvals: { banLongerThanSeconds: number; appInstanceBans: boolean }): boolean {
  if (input.action !== 'BAN') return false;
  if (input.scope === 'app-instance' && approvals.appInstanceBans) return true;
  return input.forSeconds === undefined || input.forSeconds > approvals.banLongerThanSeconds;
}

/** Is it in force for a message in `channelArn` at `nowMs`? */
export function appliesTo(r: Pick<RestrictionRecord, 'status' | 'endsAt' | 'scope' | 'channelArn'>, channelArn: string, nowMs: number): boolean {
  if (r.status !== 'ACTIVE') return false;
  if (r.endsAt !== undefined && Date.parse(r.endsAt) <= nowMs) return false;
  return r.scope === 'app-instance' || r.channelArn === channelArn;
}

/**
 * Where a restriction belongs in the queue index, as it is now: waiting for approval; in force
 * with an end, or with a Chime call to settle (due at the earlier of its end and its retry);
 * or nowhere (nothing left to do).
 */
export function placementOf(
  r: Pick<RestrictionRecord, 'id' | 'status' | 'requestedAt' | 'endsAt' | 'bans' | 'unbans' | 'channelsListed' | 'action' | 'retryAt' | 'summaryOwedAt'>,
): { queueKey: string; queueSort: string } | undefined {
  const shard = queueShardOf(r.id);
  if (r.status === 'PENDING_APPROVAL') return { queueKey: `${APPROVALS_QUEUE}#${shard}`, queueSort: queueSortOf(r.requestedAt, r.id) };
  const dues: string[] = [];
  if (r.summaryOwedAt !== undefined) dues.push(r.summaryOwedAt);
  if (r.status === 'ACTIVE') {
    if (r.endsAt !== undefined) dues.push(r.endsAt);
    if (r.action === 'BAN' && (r.channelsListed === false || (r.bans ?? []).some((c) => c.outcome === 'REQUESTED'))) dues.push(r.retryAt ?? r.requestedAt);
  } else if ((r.unbans ?? []).some((c) => c.outcome === 'REQUESTED')) {
    dues.push(r.retryAt ?? r.requestedAt);
  }
  if (dues.length === 0) return undefined;
  return { queueKey: `${ACTIVE_QUEUE}#${shard}`, queueSort: queueSortOf(dues.sort()[0]!, r.id) };
}

/** What the member is told a restriction means (the `{outcome}` of a `restriction` notice). */
export function outcomeText(r: { action: RestrictionKind; scope: RestrictionScope }): string {
  if (r.action === 'HOLD') return r.scope === 'app-instance' ? 'your messages are held for review in every channel' : 'your messages are held for review';
  return r.scope === 'app-instance' ? 'you are banned from every channel here' : 'you are banned from this channel';
}

/** The bounded history of a restriction: its events beyond this many are folded into the oldest. */
export const MAX_RESTRICTION_EVENTS = 60;

export function withEvent(history: readonly RestrictionEvent[], event: RestrictionEvent): RestrictionEvent[] {
  const next = [...history, { ...event, ...(event.detail !== undefined ? { detail: event.detail.slice(0, 500) } : {}) }];
  if (next.length <= MAX_RESTRICTION_EVENTS) return next;
  // Keep the first (what imposed it) and the newest; one entry says that some were folded.
  const newest = next.slice(next.length - (MAX_RESTRICTION_EVENTS - 2));
  return [next[0]!, { at: newest[0]!.at, actor: 'system', event: 'history-compacted', detail: 'older events were folded to bound the record' }, ...newest];
}

// ─── The member's summary (what the worker's gate reads) ───────────────────────────────────

/** The summary's entry for a restriction as its record is now: in force, or a tombstone. */
export function summaryEntryOf(r: Pick<RestrictionRecord, 'id' | 'version' | 'status' | 'action' | 'scope' | 'channelArn' | 'endsAt'>, nowMs: number): SummaryEntry {
  return {
    id: r.id,
    v: r.version,
    kind: r.action,
    scope: r.scope,
    channelArn: r.channelArn,
    ...(r.endsAt !== undefined ? { endsAt: r.endsAt } : {}),
    ...(r.status === 'ACTIVE' ? {} : { gone: new Date(nowMs).toISOString() }),
  };
}

/**
 * The summary's entries with `entry` in (undefined: nothing to change, the summary already holds
 * that version or a newer one). Tombstones older than a day, and entries a day past their end,
 * are dropped on the way: the summary stays a few hundred bytes per restriction in force.
 */
export function withSummaryEntry(entries: readonly SummaryEntry[], entry: SummaryEntry, nowMs: number): SummaryEntry[] | undefined {
  const held = entries.find((e) => e.id === entry.id);
  if (held && held.v >= entry.v) return undefined;
  const keep = (e: SummaryEntry) => {
    if (e.gone !== undefined) return Date.parse(e.gone) > nowMs - SUMMARY_TOMBSTONE_MS;
    return e.endsAt === undefined || Date.parse(e.endsAt) > nowMs - SUMMARY_TOMBSTONE_MS;
  };
  return [...entries.filter((e) => e.id !== entry.id && keep(e)), entry];
}

/** The summary's restrictions in force for a message in `channelArn` at `nowMs` (activeFor). */
export function inForceFrom(entries: readonly SummaryEntry[], channelArn: string, nowMs: number): SummaryEntry[] {
  return entries.filter((e) => e.gone === undefined && (e.endsAt === undefined || Date.parse(e.endsAt) > nowMs) && (e.scope === 'app-instance' || e.channelArn === channelArn));
}

// ─── What an escalation imposes (pure) ─────────────────────────────────────────────────────

export interface PlannedImposition {
  /** The ladder step it comes from (for an interim HOLD, the step that waits). */
  index: number;
  step: EscalationStep;
  /** Imposed while `step` waits for approval. */
  interim: boolean;
  action: RestrictionKind;
  scope: RestrictionScope;
  forSeconds: number;
  notify: boolean;
}

type Existing = Pick<RestrictionRecord, 'action' | 'scope' | 'channelArn' | 'status' | 'endsAt' | 'forSeconds'>;

/**
 * What a member's escalation imposes now, given the step reached and what already restricts them:
 *
 *   the step, unless a restriction as strong is in force (or, when the step itself must wait
 *   for approval, one as strong waits already: no second request for the same ban)
 *   and, while the step waits for approval (the two-person rule), an interim that needs none:
 *   the strongest step reached that needs no approval, or a HOLD for the step's `for` and
 *   scope, unless a restriction as strong is in force. A member who reached a ban is never
 *   left unrestricted while a second moderator has not looked yet.
 */
export function escalationPlan(input: {
  ladder: readonly EscalationStep[];
  match: LadderMatch;
  strikes: readonly Strike[];
  channelArn: string;
  nowMs: number;
  approvals: { banLongerThanSeconds: number; appInstanceBans: boolean };
  existing: readonly Existing[];
}): PlannedImposition[] {
  const { match, nowMs, existing, channelArn } = input;
  const wantedOf = (p: { action: RestrictionKind; scope: RestrictionScope; forSeconds: number }) => ({ action: p.action, scope: p.scope, channelArn, forSeconds: p.forSeconds });
  const step = match.step;
  const waits = needsApproval(step, input.approvals);
  const plan: PlannedImposition[] = [];
  const stepWanted = wantedOf(step);
  if (!existing.some((r) => covers(r, stepWanted, nowMs, { pendingCovers: waits }))) {
    plan.push({ index: match.index, step, interim: false, action: step.action, scope: step.scope, forSeconds: step.forSeconds, notify: step.notify });
  }
  if (!waits || existing.some((r) => covers(r, stepWanted, nowMs, { pendingCovers: false }))) return plan;
  // The strongest step reached (enough counting strikes within its window) that needs no approval.
  const counting = input.strikes.filter((s) => standingOf(s, nowMs) === 'counts' && Date.parse(s.at) <= nowMs);
  const reached = input.ladder
    .map((candidate, index) => ({ candidate, index }))
    .filter(({ candidate }) => !needsApproval(candidate, input.approvals) && counting.filter((s) => Date.parse(s.at) > nowMs - candidate.withinSeconds * 1000).length >= candidate.strikes)
    .sort((a, b) => rank(b.candidate) - rank(a.candidate) || b.candidate.forSeconds - a.candidate.forSeconds);
  const best = reached[0]?.candidate;
  const interim = best
    ? { action: best.action, scope: best.scope, forSeconds: best.forSeconds }
    : { action: 'HOLD' as const, scope: step.scope, forSeconds: step.forSeconds };
  if (!existing.some((r) => covers(r, wantedOf(interim), nowMs, { pendingCovers: false }))) {
    plan.push({ index: match.index, step, interim: true, ...interim, notify: step.notify });
  }
  return plan;
}
