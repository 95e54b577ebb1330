import { isLiveStatus, sweepAt, utcDay } from '../domain/deadline.js';
import type { Decision, ModerationItem, Status } from '../domain/item.js';

/**
 * The moderation table's key design (README "Keys that spread"). The table itself is keyed by
 * CallbackId, which spreads by nature. Its two indexes would not, so their partition keys are
 * write-sharded by a hash of the CallbackId:
 *
 *   byLiveDue     liveKey  = STATUS#shard           live items (RECEIVED, PENDING_REVIEW, DECIDED),
 *                 dueKey   = sweepAt#callbackId     and FAILED ones by their deadline: the keys are
 *                                                   removed when an item becomes terminal otherwise,
 *                                                   so the index holds what the sweeper, the queue
 *                                                   and a re-delivery can still act on
 *   byAuditShard  auditKey = YYYY-MM-DD#shard       decided items: one day of the audit log,
 *                 auditSort = decidedAt#callbackId  spread over AUDIT_SHARDS partitions
 *   bySender      senderArn                         every item, by who sent it (a sender's record:
 *                 senderSort = receivedAt#callbackId  src/senders); KEYS_ONLY, and its keys never
 *                                                   change, so it costs one index write per item
 *
 * Both sort keys end with the CallbackId, so they are unique: a position in a merged listing is
 * one string, and paging across shards never skips or repeats an item.
 *
 * The projections carry only what the queries filter on. Everything else is read with one
 * BatchGetItem per page, for the items on the page: its cost follows the page, not the index.
 */

export const LIVE_INDEX = 'byLiveDue';
export const AUDIT_INDEX = 'byAuditShard';
export const SENDER_INDEX = 'bySender';

/** Projected into byLiveDue: the review queue's filters. */
export const LIVE_PROJECTION = ['channelArn', 'senderArn', 'ruleIds', 'claim'] as const;
/** Projected into byAuditShard: the audit log's filters. None of them changes after the decision, so later writes to a decided item never touch this index. */
export const AUDIT_PROJECTION = ['channelArn', 'decisionOrigin', 'decidedById', 'decidedByName'] as const;

export interface KeySettings {
  statusShards: number;
  auditShards: number;
  expiryMarginSeconds: number;
  stuckAfterSeconds: number;
}

/** FNV-1a, 32 bits: cheap, stable across processes and versions, spreads CallbackIds evenly. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const shardOf = (callbackId: string, shards: number): number => hash32(callbackId) % shards;

export const liveKey = (status: Status, shard: number): string => `${status}#${shard}`;
export const sortKey = (at: string, callbackId: string): string => `${at}#${callbackId}`;
export const auditKey = (day: string, shard: number): string => `${day}#${shard}`;
/**
 * The table key at the end of a sort key: everything after the first '#'. The time before it
 * (an ISO instant) never holds one; the key may (a follow-up action record is `ACTION#<id>`).
 */
export const callbackIdOf = (key: string): string => key.slice(key.indexOf('#') + 1);

/**
 * The attributes of the live index for an item in `status`: a live item's next sweep moment; a
 * FAILED item's deadline (it can be re-delivered while its window is open: POST
 * /operations/redeliver lists them by it, and nothing sweeps them); none for the other terminal
 * statuses.
 */
export function liveAttributes(callbackId: string, status: Status, item: { deadline: string; updatedAt: string; redriveCount?: number }, settings: KeySettings): { liveKey: string; dueKey: string } | undefined {
  const shard = shardOf(callbackId, settings.statusShards);
  if (status === 'FAILED') return { liveKey: liveKey(status, shard), dueKey: sortKey(item.deadline, callbackId) };
  if (!isLiveStatus(status)) return undefined;
  return { liveKey: liveKey(status, shard), dueKey: sortKey(sweepAt(status, item, settings), callbackId) };
}

/**
 * The attributes of the audit index (and its projected filters) for a recorded decision, or for
 * a follow-up action record (its request time, origin and actor in the decision's place).
 */
export function auditAttributes(callbackId: string, decision: Pick<Decision, 'decidedAt' | 'origin' | 'actor'>, settings: Pick<KeySettings, 'auditShards'>): Record<string, string> {
  return {
    auditKey: auditKey(utcDay(decision.decidedAt), shardOf(callbackId, settings.auditShards)),
    auditSort: sortKey(decision.decidedAt, callbackId),
    decisionOrigin: decision.origin,
    decidedById: decision.actor.id,
    ...(decision.actor.name !== undefined ? { decidedByName: decision.actor.name } : {}),
  };
}

/**
 * Every derived attribute of a whole item: the index keys and the top-level copies the
 * projections carry. Used when an item is written whole (intake, seeding) and by the backfill.
 */
export function derivedAttributes(item: ModerationItem, settings: KeySettings): Record<string, unknown> {
  return {
    channelArn: item.message.channelArn,
    senderArn: item.message.sender.arn,
    senderSort: sortKey(item.receivedAt, item.callbackId),
    ...(item.policy ? { ruleIds: item.policy.ruleIds } : {}),
    ...liveAttributes(item.callbackId, item.status, item, settings),
    ...(item.decision ? auditAttributes(item.callbackId, item.decision, settings) : {}),
  };
}

/** Attribute names the store derives; the backfill removes stale ones (a terminal item's live keys). */
export const DERIVED_ATTRIBUTES = ['channelArn', 'senderArn', 'senderSort', 'ruleIds', 'liveKey', 'dueKey', 'auditKey', 'auditSort', 'decisionOrigin', 'decidedById', 'decidedByName'] as const;
