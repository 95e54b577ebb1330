import { randomUUID } from 'node:crypto';
import { forAppInstance } from '../domain/arns.js';
import { DAY_MS } from '../domain/deadline.js';
import type { ModerationItem } from '../domain/item.js';
import type { CommunityPolicies, NoticeAnnouncement, Notices, NoticeRequest, StrikeLedger } from '../domain/people.js';
import type { Clock, ModerationStore } from '../domain/ports.js';
import { DEFAULT_COMMUNITY_POLICY } from '../policy/community.js';
import { appealUrlOf, noticeIdOf, noticeMetadata, noticeText, refOf } from './compose.js';
import type { NewNotice, NoticeRecord, NoticeStore } from './records.js';
import type { NoticeSender, NoticeSendOptions } from './sending.js';

/**
 * Notices to members (README "Notices"): record, then send, as decisions are. `announce` records
 * a notice (once per what it is about, its kind and its member) and sends it at once; `work`
 * does whatever is left of a record (its decision's delivery awaited, its strike, its send),
 * for the aftercare and for the sweeper task that retries. Nothing here ever throws into a
 * decision: a notice that fails is retried and recorded on its own record.
 */

export interface NoticeDeps {
  notices: NoticeStore;
  sender: NoticeSender;
  /** The moderation items: a decision's notice is sent only once its item reads DELIVERED. */
  items: Pick<ModerationStore, 'get'>;
  policies: CommunityPolicies;
  clock: Clock;
  /** MODERATION_BOT_ARN: the bot's ARN, or one starting with `{appInstanceArn}/`. Unset: notices are recorded NOT_SENT. */
  botArn?: string;
  /** Strikes carried by decisions (src/senders); without it they are recorded NOT_RECORDED. */
  strikes?: Pick<StrikeLedger, 'record'>;
  /** How long an ended notice record is kept (RETENTION_DAYS). */
  retentionDays: number;
  /** Operators' log: notices that failed for good, errors swallowed so a decision never sees them. */
  log?: (level: 'warn' | 'error', message: string, details: Record<string, unknown>) => void;
}

/** Sends tried before a notice is FAILED … */
export const MAX_SEND_ATTEMPTS = 8;
/** … or this long after it was recorded, whichever comes first. */
export const SEND_HORIZON_MS = DAY_MS;
/** A decision's notice recorded before its callback: when the sweeper first looks, if the deliverer has not finished it. */
export const AFTER_DELIVERY_CHECK_MS = 60_000;
/** How long one sender holds a record while it sends (longer than any send takes; a dead sender's lease runs out). */
export const SEND_LEASE_MS = 60_000;
/** An inline send (right after a decision or an announce) waits at most this long; the sweeper finishes what it leaves. */
export const INLINE_SEND_BUDGET_MS = 2_000;
/** How long a strike may keep failing to record before it is given up (logged). */
const STRIKE_HORIZON_MS = 7 * DAY_MS;

/** 30 s, 1 min, 2 min … capped at 1 hour. */
export const retryDelayMs = (attempts: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/** Until the policy loader exists in a function: every channel has the default community policy. */
export const defaultCommunityPolicies: CommunityPolicies = { forChannel: async () => DEFAULT_COMMUNITY_POLICY };

const iso = (ms: number) => new Date(ms).toISOString();

export class NoticeService implements Notices {
  constructor(private readonly deps: NoticeDeps) {}

  /** The moderation bot of a channel's AppInstance, if one is configured. */
  botFor(channelArn: string): string | undefined {
    return this.deps.botArn ? forAppInstance(this.deps.botArn, channelArn) : undefined;
  }

  /**
   * Records a notice and sends it. A kind the channel's policy switches off is not recorded at
   * all (nothing to send, nothing to retry); a notice to the bot itself neither. Never throws.
   */
  async announce(request: NoticeRequest): Promise<NoticeAnnouncement> {
    let recorded: NoticeRecord;
    try {
      const policy = await this.deps.policies.forChannel(request.channelArn);
      const settings = policy.notices[request.kind];
      if (!settings.enabled) return { recorded: false, status: 'SWITCHED_OFF' };
      if (request.to === this.botFor(request.channelArn)) return { recorded: false, status: 'TO_THE_BOT' };
      const ref = refOf(request.about);
      const linked: Record<string, string> = request.about.kind === 'message' || request.about.kind === 'case' ? { appealUrl: appealUrlOf(policy, ref) } : {};
      recorded = (await this.deps.notices.create(this.newRecord(request, noticeText(settings.text, { ...linked, ...request.values })))).record;
    } catch (error) {
      this.log('error', 'A notice could not be recorded; its caller retries it', { kind: request.kind, about: request.about, to: request.to, error: String(error) });
      return { recorded: false, status: 'NOT_RECORDED', error: String(error) };
    }
    // From here the record exists: a failed send is the record's to retry (the sweeper task), not the caller's.
    try {
      if (recorded.status === 'PENDING' && !recorded.afterDelivery) recorded = await this.work(recorded, undefined, { budgetMs: INLINE_SEND_BUDGET_MS });
    } catch (error) {
      this.log('warn', 'A recorded notice was not sent now; the sweeper retries it', { noticeId: recorded.id, error: String(error) });
    }
    return { recorded: true, noticeId: recorded.id, status: recorded.status };
  }

  /** A new record for a request (PENDING, due now), its text rendered. */
  newRecord(request: NoticeRequest, text: string, options: { afterDelivery?: { callbackId: string }; dueAt?: number; enabled?: boolean } = {}): NewNotice {
    const now = this.deps.clock.now();
    const enabled = options.enabled ?? true;
    return {
      id: noticeIdOf(request),
      kind: request.kind,
      about: request.about,
      channelArn: request.channelArn,
      to: request.to,
      text,
      metadata: noticeMetadata(request.kind, refOf(request.about), noticeIdOf(request)),
      status: enabled ? 'PENDING' : 'NOT_SENT',
      createdAt: iso(now),
      attempts: 0,
      nextAttemptAt: iso(options.dueAt ?? now),
      ...(options.afterDelivery ? { afterDelivery: options.afterDelivery } : {}),
      ...(enabled ? {} : { reason: `notices.${request.kind} is switched off by the channel's policy`, endedAt: iso(now), expiresAt: this.expiry(now) }),
    };
  }

  /**
   * Does what is left of a notice record: waits for its decision's delivery (or cancels it when
   * the decision ended otherwise), records the strike it carries, sends it. Returns the record
   * as it is afterwards. Store errors propagate (the caller logs them; the record retries).
   * `item` is the decision's item when the caller has just read it.
   */
  async work(record: NoticeRecord, item?: ModerationItem, options: NoticeSendOptions = {}): Promise<NoticeRecord> {
    let current = record;
    if (current.afterDelivery) {
      const callbackId = current.afterDelivery.callbackId;
      const found = item?.callbackId === callbackId ? item : await this.deps.items.get(callbackId);
      const state = deliveryState(found);
      if (state === 'ENDED') return this.cancel(current, found ? `its decision ended ${found.status}, never delivered` : 'its item no longer exists');
      if (state === 'WAITING') return (await this.update(current, { nextAttemptAt: iso(this.deps.clock.now() + AFTER_DELIVERY_CHECK_MS) })) ?? current;
    }
    if (current.strike?.status === 'PENDING') current = await this.recordStrike(current);
    if (current.status === 'PENDING') current = await this.send(current, options);
    return current;
  }

  /** A CANCELLED decision notice whose decision was delivered after all (a FAILED item redelivered): open again. */
  async reopen(record: NoticeRecord): Promise<NoticeRecord> {
    if (record.status !== 'CANCELLED') return record;
    return (
      (await this.update(record, {
        status: 'PENDING',
        reason: undefined,
        endedAt: undefined,
        expiresAt: undefined,
        nextAttemptAt: iso(this.deps.clock.now()),
        ...(record.strike?.status === 'CANCELLED' ? { strike: { ...record.strike, status: 'PENDING' as const } } : {}),
      })) ?? record
    );
  }

  private async cancel(record: NoticeRecord, why: string): Promise<NoticeRecord> {
    const now = this.deps.clock.now();
    return (
      (await this.update(record, {
        ...(record.status === 'PENDING' ? { status: 'CANCELLED' as const, reason: `Cancelled: ${why}`, endedAt: iso(now) } : {}),
        ...(record.strike?.status === 'PENDING' ? { strike: { ...record.strike, status: 'CANCELLED' as const, at: iso(now) } } : {}),
        expiresAt: this.expiry(now),
      })) ?? record
    );
  }

  private async recordStrike(record: NoticeRecord): Promise<NoticeRecord> {
    const carried = record.strike!;
    const now = this.deps.clock.now();
    if (!this.deps.strikes) return (await this.update(record, { strike: { ...carried, status: 'NOT_RECORDED', at: iso(now) } })) ?? record;
    try {
      // Idempotent by the strike's source: a repeat (a redelivery, the sweeper) records nothing new.
      await this.deps.strikes.record(carried.strike);
      return (await this.update(record, { strike: { ...carried, status: 'RECORDED', at: iso(now) } })) ?? record;
    } catch (error) {
      const givenUp = now - Date.parse(record.createdAt) >= STRIKE_HORIZON_MS;
      this.log(givenUp ? 'error' : 'warn', givenUp ? 'A strike could not be recorded for a week; given up' : 'A strike could not be recorded; retried later', { noticeId: record.id, source: carried.strike.source, error: String(error) });
      const next = givenUp ? { strike: { ...carried, status: 'NOT_RECORDED' as const, at: iso(now) } } : { nextAttemptAt: iso(now + retryDelayMs(1)) };
      return (await this.update(record, next)) ?? record;
    }
  }

  /**
   * One send, under the record's lease (README "Notices"): a send whose answer may have been lost
   * (`inDoubt`) is settled by reading the channel back before anything is sent again; the lease,
   * taken with a conditional write that also marks the send in doubt, keeps two senders (the
   * aftercare and the sweeper, say) from sending at once, and a sender that dies mid-call leaves
   * a record whose next sender reads back first.
   */
  private async send(record: NoticeRecord, options: NoticeSendOptions): Promise<NoticeRecord> {
    const now = this.deps.clock.now();
    const bot = this.botFor(record.channelArn);
    if (!bot) return (await this.update(record, { status: 'NOT_SENT', reason: 'No moderation bot is configured (MODERATION_BOT_ARN)', endedAt: iso(now), expiresAt: this.expiry(now) })) ?? record;
    if (record.lease && Date.parse(record.lease.until) > now) return record;
    const notice = { channelArn: record.channelArn, bot, to: record.to, content: record.text, metadata: record.metadata, token: record.id };
    let stillInDoubt = record.inDoubt === true;
    if (stillInDoubt) {
      const back = await this.deps.sender.readBack(notice, Date.parse(record.doubtSince ?? record.createdAt));
      if (back.kind === 'FOUND') return this.sent(record, back.messageId, 'read-back', now);
      // ABSENT: it never landed, send it. UNKNOWN: the read-back cannot tell; sending again with the same token is the last resort.
      stillInDoubt = back.kind === 'UNKNOWN';
    }
    const leased = await this.deps.notices.update(record, { lease: { id: randomUUID(), until: iso(now + SEND_LEASE_MS) }, inDoubt: true, doubtSince: record.doubtSince ?? iso(now) });
    if (!leased) return (await this.deps.notices.get(record.id)) ?? record;
    const answer = await this.deps.sender.send(notice, options);
    const at = iso(this.deps.clock.now());
    const attempts = leased.attempts + 1;
    if (answer.kind === 'SENT') return this.sent({ ...leased, attempts }, answer.messageId, 'answer', now);
    const lastError = { type: answer.errorType, message: answer.message, at };
    const inDoubt = answer.kind === 'UNKNOWN' || stillInDoubt;
    // A refusal closes the case only when nothing of ours is in doubt: a send whose answer was lost may have landed.
    const final = answer.kind === 'REFUSED' && answer.permanent && !inDoubt;
    const exhausted = attempts >= MAX_SEND_ATTEMPTS || now - Date.parse(record.createdAt) >= SEND_HORIZON_MS;
    const doubt = inDoubt ? { inDoubt: true } : { inDoubt: undefined, doubtSince: undefined };
    if (final || exhausted) {
      const reason = final ? `Chime refused it: ${answer.errorType}: ${answer.message}` : `Not sent after ${attempts} attempts: ${answer.errorType}: ${answer.message}`;
      this.log('warn', 'A notice failed', { noticeId: record.id, kind: record.kind, channelArn: record.channelArn, to: record.to, reason, inDoubt });
      return (await this.update(leased, { status: 'FAILED', attempts, lastError, reason, endedAt: at, expiresAt: this.expiry(now), lease: undefined, ...doubt })) ?? leased;
    }
    return (await this.update(leased, { attempts, lastError, nextAttemptAt: iso(now + retryDelayMs(attempts)), lease: undefined, ...doubt })) ?? leased;
  }

  private async sent(record: NoticeRecord, messageId: string, confirmedBy: 'answer' | 'read-back', now: number): Promise<NoticeRecord> {
    const change = { status: 'SENT' as const, messageId, sentAt: iso(this.deps.clock.now()), confirmedBy, attempts: record.attempts, inDoubt: undefined, doubtSince: undefined, lease: undefined, expiresAt: this.expiry(now) };
    return (await this.update(record, change)) ?? record;
  }

  /** A write on the record as read; when someone else wrote first, the record as it is now (they did the work). */
  private async update(record: NoticeRecord, change: Partial<NoticeRecord>): Promise<NoticeRecord | undefined> {
    const written = await this.deps.notices.update(record, change);
    if (written) return written;
    return this.deps.notices.get(record.id);
  }

  private expiry(nowMs: number): number {
    return Math.floor((nowMs + this.deps.retentionDays * DAY_MS) / 1000);
  }

  private log(level: 'warn' | 'error', message: string, details: Record<string, unknown>): void {
    try {
      this.deps.log?.(level, message, details);
    } catch {
      // Logging is best effort.
    }
  }
}

/**
 *   DELIVERED   Chime confirmed the decision: the notice goes out
 *   WAITING     recorded, not (yet) confirmed: wait (the deliverer or the sweeper settles it)
 *   ENDED       it ended otherwise (FAILED, EXPIRED, ALREADY_RESOLVED) or is gone: never sent
 */
export function deliveryState(item: Pick<ModerationItem, 'status'> | undefined): 'DELIVERED' | 'WAITING' | 'ENDED' {
  if (!item) return 'ENDED';
  if (item.status === 'DELIVERED') return 'DELIVERED';
  if (item.status === 'FAILED' || item.status === 'EXPIRED' || item.status === 'ALREADY_RESOLVED') return 'ENDED';
  return 'WAITING';
}

