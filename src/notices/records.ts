import type { NoticeKind, NoticeRequest, Strike } from '../domain/people.js';
import type { StoredRecord } from '../adapters/control-records.js';

/**
 * A notice's record (control table, pk `NOTICE#<id>`, sk `NOTICE`): written before anything is
 * sent, as decisions are, and the only place a notice's fate is recorded (never on the decision).
 *
 *   PENDING ──Chime took it (201), or a read-back found it after an answer was lost ──▶ SENT
 *      │  ├──refused for good (the target is not in the channel, no such channel)──▶ FAILED
 *      │  ├──turned away, refused for now, or no answer ──▶ PENDING, retried with backoff by the
 *      │  │                                                  sweeper task, until MAX_SEND_ATTEMPTS
 *      │  │                                                  or the horizon, then FAILED
 *      │  └──no moderation bot configured (MODERATION_BOT_ARN) ──────────────────────▶ NOT_SENT
 *      └──(after delivery) its decision ended otherwise: FAILED, EXPIRED, ALREADY_RESOLVED ──▶ CANCELLED
 *
 * One sender at a time: whoever sends (the aftercare, `announce`, the sweeper task) first takes
 * the record's `lease` with a conditional write, and in the same write marks the send in doubt
 * (`inDoubt`, `doubtSince`): a sender that dies mid-call leaves a record the next one settles by
 * reading back before it sends anything (src/notices/notices.ts).
 *
 * A decision's notice (`afterDelivery`) is recorded when the decision is, and sent only once the
 * decision is DELIVERED: the sender reads the item first. It also carries the strike the decision
 * brings, so a crash between the callback and the aftercare loses neither: the record waits in
 * the queue index (`NOTICES#PENDING#<shard>`, by its next attempt time) until both are done.
 */

export type NoticeStatus = 'PENDING' | 'SENT' | 'FAILED' | 'CANCELLED' | 'NOT_SENT';

/** The strike a decision carries, recorded by the aftercare once the decision is delivered. */
export interface CarriedStrike {
  /** PENDING until StrikeLedger.record took it; NOT_RECORDED without a ledger, CANCELLED with its notice. */
  status: 'PENDING' | 'RECORDED' | 'NOT_RECORDED' | 'CANCELLED';
  strike: Omit<Strike, 'id' | 'decaysAt'>;
  at?: string;
}

export interface NoticeRecord extends StoredRecord {
  id: string;
  kind: NoticeKind;
  about: NoticeRequest['about'];
  channelArn: string;
  /** The member it is for (the Target). */
  to: string;
  /** The text as rendered when the notice was recorded (the policy of that moment), sent as is. */
  text: string;
  metadata: string;
  status: NoticeStatus;
  createdAt: string;
  /** Send only once this decision is DELIVERED; cancel if it ends otherwise. */
  afterDelivery?: { callbackId: string };
  strike?: CarriedStrike;
  /** Sends tried (a send whose answer was lost counts). */
  attempts: number;
  /** When the sweeper task looks at it next (while it is in the queue). */
  nextAttemptAt?: string;
  /** Held while one sender sends it (a conditional write takes it): nobody else sends until `until`. */
  lease?: { id: string; until: string };
  /**
   * A send may have landed unseen (its answer was lost, or its sender died mid-call): the next
   * sender reads the channel back (from `doubtSince`) before it sends anything.
   */
  inDoubt?: boolean;
  /** When the first send whose fate is unknown started: where a read-back starts looking. */
  doubtSince?: string;
  /** What Chime answered last (a refusal or a fault); kept on FAILED. */
  lastError?: { type: string; message: string; at: string };
  /** SENT: Chime's MessageId of the notice. */
  messageId?: string;
  sentAt?: string;
  /** SENT: known from Chime's answer, or from a read-back of the channel after an answer was lost. */
  confirmedBy?: 'answer' | 'read-back';
  /** NOT_SENT, FAILED, CANCELLED: why, and when. */
  reason?: string;
  endedAt?: string;
}

/** A record as it is created: its key and its place in the queue are the store's to derive. */
export type NewNotice = Omit<NoticeRecord, 'pk' | 'sk' | 'version' | 'lastWriteId' | 'queueKey' | 'queueSort'>;

export const NOTICE_SHARDS = 4;
export const NOTICE_QUEUE = 'NOTICES#PENDING';

export const noticeKey = (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' });

/** Is there anything left to do for it (a send, or a strike to record)? */
export const needsWork = (record: Pick<NoticeRecord, 'status' | 'strike'>): boolean => record.status === 'PENDING' || record.strike?.status === 'PENDING';

/** The notices' store (src/adapters/control-notices.ts): the records, and the queue of those with work left. */
export interface NoticeStore {
  get(id: string): Promise<NoticeRecord | undefined>;
  /** Creates it unless one has its id: `created: false` with the stored one. */
  create(record: NewNotice): Promise<{ created: boolean; record: NoticeRecord }>;
  /**
   * Replaces fields of the record as it was read (`expectedVersion`); its place in the queue is
   * derived from the result. Undefined when it changed meanwhile (someone else worked on it).
   */
  update(current: NoticeRecord, change: Partial<Omit<NoticeRecord, 'id' | 'pk' | 'sk' | 'version' | 'lastWriteId' | 'queueKey' | 'queueSort'>>): Promise<NoticeRecord | undefined>;
  /** Records with work left whose next attempt is due by `dueBy` (ISO), soonest first, across the shards. */
  due(dueBy: string, limit: number): Promise<NoticeRecord[]>;
}
