import { randomUUID } from 'node:crypto';
import { isModerationBot } from '../domain/arns.js';
import { isAnnounced } from '../domain/people.js';
import type { Actor } from '../domain/item.js';
import type { CommunityPolicies, MemberRef, Notices, RestrictionCause, RestrictionKind, RestrictionScope, RestrictionStatus, SenderRestrictions } from '../domain/people.js';
import type { Clock, ModerationOutcome } from '../domain/ports.js';
import { retentionExpiry } from '../domain/deadline.js';
import { ChimeActionError, ChimeBearerNotConfiguredError, FourEyesError, IdempotencyKeyReusedError, PeopleConflictError, PeopleNotFoundError } from '../errors.js';
import { RecordConditionError } from '../adapters/control-records.js';
import type { EscalationStep } from '../policy/community.js';
import {
  ACTIVE_QUEUE,
  appliesTo,
  memberPk,
  needsApproval,
  outcomeText,
  placementOf,
  queueKeysOf,
  restrictionIdOf,
  restrictionSk,
  withEvent,
  type ChimeCall,
  type RestrictionRecord,
} from './model.js';
import type { SenderStore } from './store.js';

/**
 * Restrictions on a member: a HOLD (every message of theirs goes to review) or a BAN
 * (CreateChannelBan, and the worker denies their messages while it lasts). Each is one record,
 * written before anything happens in Chime (record, then act), and moved on by single
 * conditional writes (src/senders/model.ts has the layout and the queues):
 *
 *   impose ─▶ PENDING_APPROVAL ──approve──▶ ACTIVE (its `for` counts from now) ──▶ …
 *        │                     └─reject──▶ REJECTED
 *        └─▶ ACTIVE ──end reached (the sweeper)──▶ ENDED
 *                  └─lift (an admin, an appeal)──▶ LIFTED
 *
 * A BAN's Chime calls, one per channel (the channel, or every channel the member is in for an
 * app-instance ban), are each recorded DONE (confirmed by Chime's answer or a DescribeChannelBan
 * read-back), FAILED (Chime refused, with its answer) or REQUESTED (no answer and no read-back
 * could tell, or not tried yet): the sweeper tries a REQUESTED call again, reading back first, so
 * a lost answer is settled, never guessed (BRIEF.md invariant 6). Ending a ban does the same
 * with DeleteChannelBan for every channel that was (or may have been) banned.
 */

/** Bans and their lifting, as the configured bearer (src/adapters/chime-channel-moderation.ts, chime-member-channels.ts). */
export interface SenderBans {
  bearerFor(channelArn: string): string | undefined;
  ban(channelArn: string, memberArn: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome & { alreadyBanned?: boolean }>;
  unban(channelArn: string, memberArn: string, options?: { inDoubt?: boolean }): Promise<ModerationOutcome & { notBanned?: boolean }>;
  /** The channels a member is in (at most `max`). */
  channelsOf(memberArn: string, anyChannelArn: string, max: number): Promise<{ channelArns: string[]; complete: boolean }>;
}

export interface RestrictionDeps {
  store: SenderStore;
  /** Without it (no bearer configured) a ban is recorded and enforced by the worker, and its Chime calls FAILED as not configured. */
  bans?: SenderBans;
  policies: CommunityPolicies;
  /**
   * The `restriction` notice to the member (src/notices); optional. A function when it is built
   * after this room (the notices room's ledger of strikes is this room's: each needs the other).
   */
  notices?: Notices | (() => Notices | undefined);
  /** MODERATION_BOT_ARN: never restricted (it sends the notices of every restriction). */
  botArn?: string;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}

export interface ImposeInput {
  key: string;
  member: MemberRef;
  channelArn: string;
  kind: RestrictionKind;
  scope: RestrictionScope;
  forSeconds?: number;
  reason: string;
  by: Actor;
  cause: RestrictionCause;
  /** Tell the member when it comes into force (default: for escalation steps, as they say; never for a moderator's). */
  notify?: boolean;
  /** An escalation step's rule, kept with what it imposed. */
  step?: EscalationStep;
  /** A moderator's request digested (the same Idempotency-Key with another request is refused). */
  requestHash?: string;
  /** Who may not approve it besides who asked (an escalation step: the moderators whose decisions gave its strikes). */
  approvalExcludes?: Actor[];
}

/** How long an unsettled Chime call waits before the sweeper tries it again. */
export const RETRY_AFTER_SECONDS = 60;
/** Chime calls made inside a request or a decision; more are left REQUESTED for the sweeper (due at once). */
export const INLINE_CALLS = 10;
/** Chime calls the sweeper makes for one restriction per run. */
export const SWEEP_CALLS = 50;
/** An app-instance ban bans the member from at most this many channels in Chime (the worker denies everywhere regardless). */
export const MAX_BAN_CHANNELS = 500;
/** A member's restrictions read at most (ended ones expire RETENTION_DAYS after they end). */
const MAX_RESTRICTIONS = 1000;
/**
 * How long a container trusts what it read of a member's restrictions (the worker's gate asks for
 * every message): a restriction imposed by another function takes effect within this long; one
 * imposed or lifted in this container takes effect here at once (its member's entry is dropped).
 */
export const ACTIVE_CACHE_MS = 3_000;
const CACHE_ENTRIES = 5_000;

const iso = (ms: number) => new Date(ms).toISOString();
const actorName = (actor: Actor) => actor.name ?? actor.id;

export class Restrictions implements SenderRestrictions {
  private readonly cache = new Map<string, { atMs: number; records: RestrictionRecord[] }>();

  constructor(private readonly deps: RestrictionDeps) {}

  // ─── The SenderRestrictions port ─────────────────────────────────────────────────────────

  async impose(input: Parameters<SenderRestrictions['impose']>[0]): Promise<{ restrictionId: string; status: RestrictionStatus }> {
    const { record } = await this.imposeRecord(input);
    return { restrictionId: record.id, status: record.status };
  }

  async activeFor(member: MemberRef, channelArn: string, nowMs: number): Promise<Array<{ id: string; kind: RestrictionKind; endsAt?: string }>> {
    const records = await this.restrictionsOf(member.memberArn);
    return records.filter((r) => appliesTo(r, channelArn, nowMs)).map((r) => ({ id: r.id, kind: r.action, ...(r.endsAt !== undefined ? { endsAt: r.endsAt } : {}) }));
  }

  async lift(restrictionId: string, by: Actor, reason: string): Promise<void> {
    await this.liftRecord(restrictionId, by, reason);
  }

  // ─── What the routes and the ledger use ──────────────────────────────────────────────────

  /**
   * Imposes a restriction once per key: the same key again finds the first one (and finishes what
   * it left undone). The two-person rule decides whether it waits (src/senders/model.ts needsApproval).
   */
  async imposeRecord(input: ImposeInput): Promise<{ record: RestrictionRecord; created: boolean }> {
    if (isModerationBot(input.member.memberArn, this.deps.botArn)) {
      throw new PeopleConflictError('not-restrictable', 'The moderation bot (MODERATION_BOT_ARN) is never restricted or banned: it sends the notices', { memberArn: input.member.memberArn });
    }
    const id = restrictionIdOf(input.key);
    const existing = await this.deps.store.getRestriction(id);
    // Found (another container made it first, or a retry): this container's cached view of the
    // member may predate it, and the worker here must enforce it at once, as where it was made.
    if (existing) {
      this.forget(input.member.memberArn);
      return { record: await this.replay(existing, input), created: false };
    }

    const policy = await this.deps.policies.forChannel(input.channelArn);
    const now = this.deps.clock.now();
    const pending = needsApproval({ action: input.kind, scope: input.scope, ...(input.forSeconds !== undefined ? { forSeconds: input.forSeconds } : {}) }, policy.approvals);
    const record: RestrictionRecord = {
      pk: memberPk(input.member.memberArn),
      sk: restrictionSk(id),
      version: 1,
      kind: 'RESTRICTION',
      id,
      key: input.key,
      ...(input.requestHash !== undefined ? { requestHash: input.requestHash } : {}),
      member: input.member,
      channelArn: input.channelArn,
      action: input.kind,
      scope: input.scope,
      status: pending ? 'PENDING_APPROVAL' : 'ACTIVE',
      ...(input.forSeconds !== undefined ? { forSeconds: input.forSeconds } : {}),
      reason: input.reason,
      requestedBy: input.by,
      requestedAt: iso(now),
      cause: input.cause,
      ...(input.step ? { step: input.step } : {}),
      ...(input.approvalExcludes?.length ? { approvalExcludes: input.approvalExcludes } : {}),
      notify: input.notify ?? false,
      history: [
        {
          at: iso(now),
          actor: input.by.id,
          event: pending ? 'requested' : 'imposed',
          detail: `${input.kind} (${input.scope}${input.forSeconds !== undefined ? `, for ${input.forSeconds} s` : ', until lifted'}): ${describeCause(input.cause, input.step)}. ${input.reason}`,
        },
        ...(pending ? [{ at: iso(now), actor: 'policy', event: 'awaiting-approval', detail: 'The two-person rule: a second moderator must approve this ban' }] : []),
      ],
    };
    const stored = await this.deps.store.createRestriction(placed(pending ? record : activated(record, now)));
    this.forget(input.member.memberArn);
    if (!stored.created) return { record: await this.replay(stored.record, input), created: false };
    const result = stored.record.status === 'ACTIVE' ? await this.carryOut(stored.record, INLINE_CALLS) : stored.record;
    return { record: result, created: true };
  }

  /** A restriction by id, or 404. */
  async get(id: string, kind: 'restriction' | 'approval' = 'restriction'): Promise<RestrictionRecord> {
    const record = await this.deps.store.getRestriction(id);
    if (!record) throw new PeopleNotFoundError(kind, id);
    return record;
  }

  /**
   * Lifts it early: LIFTED (a pending one is withdrawn), and every channel it banned is unbanned.
   * Lifting what has ended already changes nothing.
   */
  async liftRecord(id: string, by: Actor, reason: string): Promise<RestrictionRecord> {
    const record = await this.get(id);
    const now = this.deps.clock.now();
    const lifted = await this.mutate(record, (current) => {
      if (current.status !== 'ACTIVE' && current.status !== 'PENDING_APPROVAL') return undefined;
      return {
        ...current,
        status: 'LIFTED',
        lifted: { by, at: iso(now), reason },
        ...unbansFor(current, now),
        history: withEvent(current.history, { at: iso(now), actor: by.id, event: current.status === 'PENDING_APPROVAL' ? 'withdrawn' : 'lifted', detail: reason }),
      };
    });
    this.forget(lifted.member.memberArn);
    return this.settleCalls(lifted, 'unbans', INLINE_CALLS);
  }

  /**
   * A second moderator's decision on a ban waiting for approval (the two-person rule). Whoever
   * asked for it may not decide it (403 four-eyes); an automatic step's may be decided by anyone.
   * One conditional write: of two approvers at once one wins, the other is told who (409).
   */
  async decideApproval(id: string, by: Actor, decision: { approve: boolean; reason: string }): Promise<RestrictionRecord> {
    let current = await this.deps.store.getRestriction(id);
    if (!current || (current.status !== 'PENDING_APPROVAL' && !current.approval)) throw new PeopleNotFoundError('approval', id);
    if (current.cause.kind === 'moderator' && current.requestedBy.id === by.id) {
      throw new FourEyesError('approval', id, by.id, `You asked for this ban (${current.requestedAt}); the two-person rule needs another moderator to approve or reject it.`);
    }
    if (current.approvalExcludes?.some((actor) => actor.id === by.id)) {
      throw new FourEyesError('approval', id, by.id, 'Your own decisions gave the strikes that reached this escalation step; the two-person rule needs another moderator to approve or reject it.');
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (current.status !== 'PENDING_APPROVAL') {
        // The same moderator's same decision again (a retry after a lost answer): the same answer.
        if (current.approval && current.approval.by.id === by.id && current.approval.approved === decision.approve) return current;
        throw approvalConflict(current);
      }
      const now = this.deps.clock.now();
      const approval = { approved: decision.approve, by, at: iso(now), reason: decision.reason };
      const base: RestrictionRecord = {
        ...current,
        approval,
        history: withEvent(current.history, { at: iso(now), actor: by.id, event: decision.approve ? 'approved' : 'rejected', detail: decision.reason }),
      };
      const next = decision.approve ? activated(base, now) : { ...base, status: 'REJECTED' as const, expiresAt: retentionExpiry(now, this.deps.retentionDays) };
      try {
        const saved = await this.deps.store.saveRestriction(placed(next), current.version);
        this.forget(saved.member.memberArn);
        return saved.status === 'ACTIVE' ? await this.carryOut(saved, INLINE_CALLS) : saved;
      } catch (error) {
        if (!(error instanceof RecordConditionError) || !error.current) throw error;
        current = error.current as RestrictionRecord;
      }
    }
    throw approvalConflict(current);
  }

  /** A member's restrictions, from this container's short cache (see ACTIVE_CACHE_MS). */
  async restrictionsOf(memberArn: string, options: { fresh?: boolean } = {}): Promise<RestrictionRecord[]> {
    const now = this.deps.clock.now();
    const cached = this.cache.get(memberArn);
    if (!options.fresh && cached && now - cached.atMs < ACTIVE_CACHE_MS && now >= cached.atMs) return cached.records;
    const records = await this.deps.store.restrictionsOf(memberArn, MAX_RESTRICTIONS);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(memberArn, { atMs: now, records });
    return records;
  }

  // ─── The sweeper's part ──────────────────────────────────────────────────────────────────

  /**
   * What is due in the RESTRICTIONS#ACTIVE queue: a restriction whose end has come is ENDED (a
   * ban's channels unbanned); a Chime call left REQUESTED is tried again (read back first). Stops
   * at `stopAt`; what it did not reach stays due for the next run.
   */
  async sweep(options: { nowMs: number; stopAt: number }): Promise<Record<string, number>> {
    const counts = { ended: 0, retried: 0, bansDone: 0, unbansDone: 0, stillRequested: 0, failedCalls: 0, errors: 0, cutShort: 0 };
    const to = `${iso(options.nowMs)}#~`;
    for (const queueKey of queueKeysOf(ACTIVE_QUEUE)) {
      let after: string | undefined;
      do {
        if (this.deps.clock.now() >= options.stopAt) {
          counts.cutShort = 1;
          return counts;
        }
        const page = await this.deps.store.queuePage(queueKey, { to, limit: 25, ...(after !== undefined ? { after } : {}) });
        for (const entry of page.records) {
          if (this.deps.clock.now() >= options.stopAt) {
            counts.cutShort = 1;
            return counts;
          }
          try {
            await this.sweepOne(entry.id, options.nowMs, counts);
          } catch (error) {
            counts.errors += 1;
            this.deps.warn('Could not sweep a restriction; it stays due', { restrictionId: entry.id, error: String(error) });
          }
        }
        after = page.lastKey;
      } while (after !== undefined);
    }
    return counts;
  }

  private async sweepOne(id: string, nowMs: number, counts: Record<string, number>): Promise<void> {
    // The index is eventually consistent: act on the record as it is now.
    const record = await this.deps.store.getRestriction(id);
    if (!record) return;
    const tally = (r: RestrictionRecord, which: 'bans' | 'unbans') => {
      for (const call of r[which] ?? []) {
        if (call.outcome === 'REQUESTED') counts.stillRequested! += 1;
        if (call.outcome === 'FAILED') counts.failedCalls! += 1;
      }
    };
    if (record.status === 'ACTIVE' && record.endsAt !== undefined && Date.parse(record.endsAt) <= nowMs) {
      const ended = await this.mutate(record, (current) => {
        if (current.status !== 'ACTIVE' || current.endsAt === undefined || Date.parse(current.endsAt) > nowMs) return undefined;
        return { ...current, status: 'ENDED', endedAt: iso(nowMs), ...unbansFor(current, nowMs), history: withEvent(current.history, { at: iso(nowMs), actor: 'sweeper', event: 'ended', detail: `It ran its course (until ${current.endsAt})` }) };
      });
      this.forget(ended.member.memberArn);
      counts.ended! += 1;
      const settled = await this.settleCalls(ended, 'unbans', SWEEP_CALLS);
      counts.unbansDone! += (settled.unbans ?? []).filter((c) => c.outcome === 'DONE').length;
      tally(settled, 'unbans');
      return;
    }
    if (record.status === 'ACTIVE') {
      counts.retried! += 1;
      const done = await this.carryOut(record, SWEEP_CALLS);
      counts.bansDone! += (done.bans ?? []).filter((c) => c.outcome === 'DONE').length;
      tally(done, 'bans');
      return;
    }
    if ((record.unbans ?? []).some((c) => c.outcome === 'REQUESTED')) {
      counts.retried! += 1;
      const done = await this.settleCalls(record, 'unbans', SWEEP_CALLS);
      counts.unbansDone! += (done.unbans ?? []).filter((c) => c.outcome === 'DONE').length;
      tally(done, 'unbans');
      return;
    }
    // A stale index entry (nothing is due): put the record where it belongs now.
    const place = placementOf(record);
    if (place?.queueKey !== record.queueKey || place?.queueSort !== record.queueSort) await this.mutate(record, (current) => ({ ...current }));
  }

  // ─── Carrying a restriction out ──────────────────────────────────────────────────────────

  /** The same key again: the first request's restriction (finishing what it left undone), or 409 if it asked for something else. */
  private async replay(existing: RestrictionRecord, input: ImposeInput): Promise<RestrictionRecord> {
    if (input.requestHash !== undefined && existing.requestHash !== undefined && existing.requestHash !== input.requestHash) {
      throw new IdempotencyKeyReusedError(input.key.replace(/^moderator:/, ''), `${existing.action} of ${existing.member.memberArn} at ${existing.requestedAt}`);
    }
    return existing.status === 'ACTIVE' ? this.carryOut(existing, INLINE_CALLS) : existing;
  }

  /**
   * What an ACTIVE restriction still owes: its notice (once), an app-instance ban's channel
   * list, and its REQUESTED bans (at most `budget` calls; the rest stay due for the sweeper).
   */
  private async carryOut(record: RestrictionRecord, budget: number): Promise<RestrictionRecord> {
    let current = record;
    if (current.notify && current.noticedAt === undefined) current = await this.notice(current);
    if (current.action !== 'BAN') return current;
    if (current.channelsListed === false) current = await this.listChannels(current);
    return this.settleCalls(current, 'bans', budget);
  }

  /** The `restriction` notice (the notices room records it once per restriction and member). Its failure never stops the restriction. */
  private async notice(record: RestrictionRecord): Promise<RestrictionRecord> {
    const notices = typeof this.deps.notices === 'function' ? this.deps.notices() : this.deps.notices;
    if (!notices) return record;
    try {
      const answer = await notices.announce({
        kind: 'restriction',
        about: { kind: 'restriction', restrictionId: record.id },
        channelArn: record.channelArn,
        to: record.member.memberArn,
        values: { outcome: outcomeText(record), until: record.endsAt ?? 'a moderator lifts it' },
      });
      if (!isAnnounced(answer)) throw new Error(answer.status === 'NOT_RECORDED' ? answer.error : answer.status);
    } catch (error) {
      this.deps.warn('Could not ask for the restriction notice; it is asked again on the next pass', { restrictionId: record.id, error: String(error) });
      return record;
    }
    const at = iso(this.deps.clock.now());
    return this.mutate(record, (current) => (current.noticedAt !== undefined ? undefined : { ...current, noticedAt: at, history: withEvent(current.history, { at, actor: 'system', event: 'notice-requested' }) }));
  }

  /** An app-instance ban: the member's channels, each a REQUESTED ban. Not readable now: tried again by the sweeper. */
  private async listChannels(record: RestrictionRecord): Promise<RestrictionRecord> {
    const now = this.deps.clock.now();
    let listed: { channelArns: string[]; complete: boolean };
    if (!this.deps.bans) listed = { channelArns: [record.channelArn], complete: true };
    else {
      try {
        listed = await this.deps.bans.channelsOf(record.member.memberArn, record.channelArn, MAX_BAN_CHANNELS);
      } catch (error) {
        this.deps.warn('Could not list the channels of a member banned across the AppInstance; the sweeper tries again (the worker denies their messages meanwhile)', { restrictionId: record.id, error: String(error) });
        return this.mutate(record, (current) => ({ ...current, retryAt: iso(now + RETRY_AFTER_SECONDS * 1000) }));
      }
    }
    const channels = [record.channelArn, ...listed.channelArns.filter((c) => c !== record.channelArn)].slice(0, MAX_BAN_CHANNELS);
    return this.mutate(record, (current) => {
      if (current.channelsListed !== false) return undefined;
      const known = new Set((current.bans ?? []).map((c) => c.channelArn));
      const bans = [...(current.bans ?? []), ...channels.filter((c) => !known.has(c)).map((channelArn) => requested(channelArn, now))];
      const detail = `${channels.length} channel(s)${listed.complete ? '' : ` (the first ${MAX_BAN_CHANNELS}; the worker denies their messages in every channel)`}`;
      return { ...current, bans, channelsListed: true, history: withEvent(current.history, { at: iso(now), actor: 'system', event: 'channels-listed', detail }) };
    });
  }

  /**
   * Makes the REQUESTED calls of `which` (at most `budget`), each settled by Chime's answer or
   * a read-back, and records what each ended as. Calls beyond the budget stay REQUESTED, due at once.
   */
  private async settleCalls(record: RestrictionRecord, which: 'bans' | 'unbans', budget: number): Promise<RestrictionRecord> {
    const due = (record[which] ?? []).filter((c) => c.outcome === 'REQUESTED');
    if (due.length === 0) return record;
    // Only a call an earlier pass may have made reads Chime back first (the mark below is for the next pass).
    const inDoubtBefore = new Set(due.filter((c) => c.inDoubt).map((c) => c.channelArn));
    let current = record;
    let batch = due.slice(0, budget);
    // Ending one ban must not lift another that still holds: a channel another ACTIVE ban of the
    // member covers keeps its Chime ban (that ban's own end unbans it).
    const keptBy = which === 'unbans' ? await this.otherBansCovering(record, batch) : new Map<string, string>();
    // Marked in doubt before any call is made: a run killed mid-call leaves calls the next pass
    // settles by reading Chime back first, never one it would read as "already so" (invariant 6).
    if (batch.some((c) => !c.inDoubt && !keptBy.has(c.channelArn))) {
      const marking = new Set(batch.map((c) => c.channelArn));
      current = await this.mutate(current, (now) => ({
        ...now,
        [which]: (now[which] ?? []).map((c) => (c.outcome === 'REQUESTED' && marking.has(c.channelArn) && !keptBy.has(c.channelArn) ? { ...c, inDoubt: true } : c)),
      }));
      batch = (current[which] ?? []).filter((c) => c.outcome === 'REQUESTED' && marking.has(c.channelArn));
    }
    const results = new Map<string, ChimeCall>();
    for (const call of batch) {
      const kept = keptBy.get(call.channelArn);
      results.set(
        call.channelArn,
        kept !== undefined
          ? { channelArn: call.channelArn, outcome: 'DONE', tries: call.tries, at: iso(this.deps.clock.now()), keptFor: kept }
          : await this.call(record, which, { ...call, inDoubt: inDoubtBefore.has(call.channelArn) }),
      );
    }
    const now = this.deps.clock.now();
    const left = due.length - results.size;
    return this.mutate(current, (latest) => {
      const calls = (latest[which] ?? []).map((c) => (c.outcome === 'REQUESTED' && results.has(c.channelArn) ? results.get(c.channelArn)! : c));
      // A ban that landed after the restriction ended or was lifted (the lift raced it): unban it.
      const late = which === 'bans' && latest.status !== 'ACTIVE' && latest.status !== 'PENDING_APPROVAL' ? [...results.values()].filter((c) => c.outcome === 'DONE' && !c.already) : [];
      // Each late channel owes one REQUESTED unban: the one already owed there (its tries kept), else a new one.
      const owed = (channelArn: string) => (latest.unbans ?? []).find((u) => u.channelArn === channelArn && u.outcome === 'REQUESTED') ?? requested(channelArn, now);
      const unbans = late.length > 0 ? [...(latest.unbans ?? []).filter((u) => !late.some((l) => l.channelArn === u.channelArn)), ...late.map((l) => owed(l.channelArn))] : undefined;
      const unsettled = calls.filter((c) => c.outcome === 'REQUESTED').length + (unbans ?? []).filter((c) => c.outcome === 'REQUESTED').length;
      const summary = ['DONE', 'FAILED', 'REQUESTED'].map((o) => `${[...results.values()].filter((c) => c.outcome === o).length} ${o}`).join(', ');
      return {
        ...latest,
        [which]: calls,
        ...(unbans ? { unbans } : {}),
        // Beyond this pass's budget: due at once; no answer: in a while; a late ban's unban: at once.
        ...(unsettled > 0 ? { retryAt: iso(left > 0 || late.length > 0 ? now : now + RETRY_AFTER_SECONDS * 1000) } : { retryAt: undefined }),
        history: withEvent(latest.history, {
          at: iso(now),
          actor: 'system',
          event: which === 'bans' ? 'chime-bans' : 'chime-unbans',
          detail: `${summary}${keptBy.size ? `; ${keptBy.size} kept (another ban still holds there)` : ''}${late.length ? `; ${late.length} landed after it ended: unbanned` : ''}`,
        }),
      };
    });
  }

  /** Of these unbans, the channels another ACTIVE ban of the member still covers, with that ban's id. */
  private async otherBansCovering(record: RestrictionRecord, calls: readonly ChimeCall[]): Promise<Map<string, string>> {
    const now = this.deps.clock.now();
    const others = (await this.restrictionsOf(record.member.memberArn, { fresh: true })).filter((r) => r.id !== record.id && r.action === 'BAN' && r.status === 'ACTIVE');
    const kept = new Map<string, string>();
    for (const call of calls) {
      const holder = others.find((r) => appliesTo(r, call.channelArn, now));
      if (holder) kept.set(call.channelArn, holder.id);
    }
    return kept;
  }

  /** One CreateChannelBan / DeleteChannelBan, settled: DONE, FAILED (refused) or REQUESTED (unknown, or turned away for now). */
  private async call(record: RestrictionRecord, which: 'bans' | 'unbans', call: ChimeCall): Promise<ChimeCall> {
    const at = iso(this.deps.clock.now());
    const tries = call.tries + 1;
    const member = record.member.memberArn;
    if (!this.deps.bans || !this.deps.bans.bearerFor(call.channelArn)) {
      return { channelArn: call.channelArn, outcome: 'FAILED', tries: call.tries, at, error: { type: 'ChimeBearerNotConfigured', message: 'No ChimeBearer is configured (CHIME_BEARER_ARN): nothing was called' } };
    }
    try {
      const options = { inDoubt: call.inDoubt === true };
      const outcome =
        which === 'bans'
          ? await this.deps.bans.ban(call.channelArn, member, options).then((o) => ({ confirmedBy: o.confirmedBy, already: o.alreadyBanned }))
          : await this.deps.bans.unban(call.channelArn, member, options).then((o) => ({ confirmedBy: o.confirmedBy, already: o.notBanned }));
      return { channelArn: call.channelArn, outcome: 'DONE', tries, at, confirmedBy: outcome.confirmedBy, ...(outcome.already !== undefined ? { already: outcome.already } : {}) };
    } catch (error) {
      if (error instanceof ChimeBearerNotConfiguredError) {
        return { channelArn: call.channelArn, outcome: 'FAILED', tries: call.tries, at, error: { type: 'ChimeBearerNotConfigured', message: error.message } };
      }
      if (error instanceof ChimeActionError && error.refusal !== 'UNCONFIRMED') {
        const answer = { type: error.errorType, message: error.chimeMessage, refusal: error.refusal };
        // Throttled or unavailable: Chime did not act; asked again later (nothing of ours in doubt).
        if (error.refusal === 'BUSY') return { channelArn: call.channelArn, outcome: 'REQUESTED', tries, at, ...(call.inDoubt ? { inDoubt: true } : {}), error: answer };
        return { channelArn: call.channelArn, outcome: 'FAILED', tries, at, error: answer };
      }
      // No answer, and no read-back could tell: unknown, and said to be.
      const message = error instanceof Error ? error.message : String(error);
      return { channelArn: call.channelArn, outcome: 'REQUESTED', tries, at, inDoubt: true, error: { type: error instanceof ChimeActionError ? error.errorType : 'NoAnswer', message, refusal: 'UNCONFIRMED' } };
    }
  }

  /**
   * Applies `change` to the record as it is now and writes it whole, conditional on its version;
   * when another write came first, reads again and reapplies. `change` returns undefined when
   * there is nothing (more) to do. The queue placement follows what the record says.
   */
  private async mutate(record: RestrictionRecord, change: (current: RestrictionRecord) => RestrictionRecord | undefined): Promise<RestrictionRecord> {
    let current = record;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const next = change(current);
      if (!next) return current;
      try {
        return await this.deps.store.saveRestriction(placed(next, this.deps.clock.now(), this.deps.retentionDays), current.version);
      } catch (error) {
        if (!(error instanceof RecordConditionError) || !error.current) throw error;
        current = error.current as RestrictionRecord;
      }
    }
    throw new Error(`Restriction ${record.id} kept changing under us; try again`);
  }

  private forget(memberArn: string): void {
    this.cache.delete(memberArn);
  }
}

// ─── Pure helpers ────────────────────────────────────────────────────────────────────────

const requested = (channelArn: string, nowMs: number): ChimeCall => ({ channelArn, outcome: 'REQUESTED', tries: 0, at: iso(nowMs) });

/** In force from `nowMs`: its end counts from now (an approved ban's `for` counts from the approval). */
function activated(record: RestrictionRecord, nowMs: number): RestrictionRecord {
  const ban = record.action === 'BAN';
  return {
    ...record,
    status: 'ACTIVE',
    startsAt: iso(nowMs),
    ...(record.forSeconds !== undefined ? { endsAt: iso(nowMs + record.forSeconds * 1000) } : {}),
    ...(ban ? (record.scope === 'channel' ? { bans: [requested(record.channelArn, nowMs)], channelsListed: true } : { bans: [], channelsListed: false }) : {}),
  };
}

/** A ban that ends or is lifted: DeleteChannelBan wherever a ban was (or may have been) applied. */
function unbansFor(record: RestrictionRecord, nowMs: number): Pick<RestrictionRecord, 'unbans'> | Record<string, never> {
  if (record.action !== 'BAN' || record.status !== 'ACTIVE') return {};
  return { unbans: (record.bans ?? []).filter((c) => c.outcome === 'DONE' || c.outcome === 'REQUESTED').map((c) => requested(c.channelArn, nowMs)) };
}

/**
 * The record with its queue keys as its state says (placementOf), and a TTL once it is over and
 * owes nothing more (RETENTION_DAYS, as the moderation table's items).
 */
function placed(record: RestrictionRecord, nowMs?: number, retentionDays?: number): RestrictionRecord {
  const { queueKey: _k, queueSort: _s, ...rest } = record;
  const place = placementOf(record);
  const over = record.status === 'ENDED' || record.status === 'LIFTED' || record.status === 'REJECTED';
  return {
    ...rest,
    ...(place ?? {}),
    ...(over && !place && nowMs !== undefined && retentionDays !== undefined && record.expiresAt === undefined ? { expiresAt: retentionExpiry(nowMs, retentionDays) } : {}),
  } as RestrictionRecord;
}

function describeCause(cause: RestrictionCause, step?: EscalationStep): string {
  if (cause.kind === 'escalation') {
    const rule = step ? `${step.strikes} strikes within ${step.withinSeconds} s → ${step.action}` : 'an escalation step';
    return `escalation step ${cause.step + 1} (${rule}), reached by strikes ${cause.strikeIds.join(', ')} (rules ${cause.ruleIds.join(', ') || 'none'})`;
  }
  return `a moderator's decision${cause.caseId ? ` on case ${cause.caseId}` : ''}${cause.callbackId ? ` on message ${cause.callbackId}` : ''}`;
}

function approvalConflict(current: RestrictionRecord): PeopleConflictError {
  if (current.approval) {
    const verb = current.approval.approved ? 'approved' : 'rejected';
    return new PeopleConflictError('approval-conflict', `${actorName(current.approval.by)} already ${verb} this ban at ${current.approval.at}: it is ${current.status}. Nothing was changed.`, {
      approvalId: current.id,
      decidedBy: current.approval.by,
      approved: current.approval.approved,
      decidedAt: current.approval.at,
      restrictionStatus: current.status,
    });
  }
  const by = current.lifted ? ` by ${actorName(current.lifted.by)} at ${current.lifted.at}` : '';
  return new PeopleConflictError('approval-conflict', `This ban no longer waits for approval: it was withdrawn${by} and is ${current.status}. Nothing was changed.`, {
    approvalId: current.id,
    restrictionStatus: current.status,
    ...(current.lifted ? { decidedBy: current.lifted.by, decidedAt: current.lifted.at } : {}),
  });
}

/** A fresh key for a restriction imposed without an Idempotency-Key. */
export const oneOffKey = (): string => `once:${randomUUID()}`;
