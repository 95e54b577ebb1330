import { APPEAL_SHARDS, appealKey, appealQueueKey, appealQueueSort, appealShardOf, settleKey, type AppealRecord, type AppealStatus, type SettleRecord } from '../appeals/model.js';
import { strikeIdOf, type RestrictionCause, type RestrictionStatus, type StrikeSource } from '../domain/people.js';
import { ControlRecords, RecordConditionError, type StoredRecord } from './control-records.js';
import { mergeShards } from './shard-merge.js';

/**
 * Appeals in the control table (src/appeals/model.ts), and what the appeals room reads of the
 * other rooms' records there: a case's decision (the reports room's CASE#<caseId>/CASE) and the
 * restrictions a decision caused (the senders room's MEMBER#<memberArn>/RESTRICTION#<id>).
 *
 * Every write is one conditional single-item write on the version read (ControlRecords): of two
 * moderators deciding one appeal, one wins and the other reads who.
 */

/** At most this many queue reads per shard for one page of GET /appeals. */
const QUERIES_PER_SHARD = 4;

export class ControlAppealStore {
  constructor(private readonly records: ControlRecords) {}

  get(appealId: string): Promise<AppealRecord | undefined> {
    return this.records.get<AppealRecord>(appealKey(appealId));
  }

  /** Creates the appeal unless its decision has one: `created: false` with the one stored. */
  create(record: Omit<AppealRecord, 'pk' | 'sk' | 'version' | 'lastWriteId' | 'queueKey' | 'queueSort'>): Promise<{ created: boolean; record: AppealRecord }> {
    return this.records.create<AppealRecord>({ ...record, ...appealKey(record.appealId), ...placeOf(record.status, record.createdAt, record.appealId) } as AppealRecord);
  }

  /**
   * Writes `set` on the appeal as it was read (its version); a status change moves it to its
   * status's queue. Throws RecordConditionError (with the appeal as it is now) when it changed.
   */
  update(current: AppealRecord, set: Partial<AppealRecord>, condition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> }): Promise<AppealRecord> {
    const status = set.status ?? current.status;
    return this.records.update<AppealRecord>(appealKey(current.appealId), {
      expectedVersion: current.version,
      set: { ...set, ...placeOf(status, current.createdAt, current.appealId) },
      ...(condition ? { condition } : {}),
    });
  }

  /** One page of the appeals in `status`, oldest first, strictly after `after` (a queue sort key). */
  async list(status: AppealStatus, limit: number, after?: string): Promise<{ appeals: AppealRecord[]; next?: string }> {
    const want = limit + 1; // one more than the page: `next` only when another page exists
    const merged = await mergeShards<AppealRecord>({
      shards: Array.from({ length: APPEAL_SHARDS }, (_, shard) => appealQueueKey(status, shard)),
      order: 'asc',
      ...(after !== undefined ? { after } : {}),
      want,
      keyOf: (entry) => entry.queueSort,
      pageSize: Math.ceil(want / APPEAL_SHARDS) + 1,
      maxQueries: APPEAL_SHARDS * QUERIES_PER_SHARD,
      read: async (shard, from, pageSize) => {
        // Strictly after `from`: the smallest string above it is `from` + U+0000.
        const page = await this.records.queryQueue<AppealRecord>(shard, { ...(from !== undefined ? { from: `${from}\u0000` } : {}), limit: pageSize });
        const lastKey = page.next?.queueSort;
        return { entries: page.items, ...(typeof lastKey === 'string' ? { lastKey } : {}) };
      },
    });
    const full = merged.entries.length === want;
    const entries = full ? merged.entries.slice(0, limit) : merged.entries;
    const next = full ? entries[entries.length - 1]!.queueSort : merged.next;
    // The index is eventually consistent: an appeal decided a moment ago may still be listed here.
    return { appeals: entries.filter((appeal) => appeal.status === status), ...(next !== undefined ? { next } : {}) };
  }

  // ─── Settling: an outcome's effects owed ──────────────────────────────────────────────────

  /** Notes that an outcome's effects are owed (before the outcome is written): the sweeper finishes them at `dueAt`. */
  async owe(appealId: string, createdAt: string, dueAt: string): Promise<void> {
    await this.records.update<SettleRecord>(settleKey(appealId), {
      upsert: true,
      set: { kind: 'APPEAL_SETTLE', appealId, createdAt, dueAt, queueKey: appealQueueKey('SETTLE', appealShardOf(appealId)), queueSort: appealQueueSort(dueAt, appealId) },
    });
  }

  /** Moves the owed record's due time (the sweeper looks again then). */
  async postpone(appealId: string, dueAt: string): Promise<void> {
    await this.records
      .update<SettleRecord>(settleKey(appealId), { set: { dueAt, queueKey: appealQueueKey('SETTLE', appealShardOf(appealId)), queueSort: appealQueueSort(dueAt, appealId) } })
      .catch((error: unknown) => {
        if (!(error instanceof RecordConditionError)) throw error;
      });
  }

  /** Nothing is owed any more: out of the queue, and gone with the TTL. */
  async settled(appealId: string, expiresAt: number): Promise<void> {
    await this.records.update<SettleRecord>(settleKey(appealId), { set: { expiresAt }, remove: ['queueKey', 'queueSort'] }).catch((error: unknown) => {
      if (!(error instanceof RecordConditionError)) throw error;
    });
  }

  /** Appeals whose effects are owed and due by `dueBy` (ISO), soonest first, across the shards. */
  async owed(dueBy: string, limit: number): Promise<SettleRecord[]> {
    const pages = await Promise.all(
      Array.from({ length: APPEAL_SHARDS }, (_, shard) => this.records.queryQueue<SettleRecord>(appealQueueKey('SETTLE', shard), { to: `${dueBy}#\uffff`, limit })),
    );
    return pages
      .flatMap((page) => page.items)
      .sort((a, b) => (a.queueSort! < b.queueSort! ? -1 : a.queueSort! > b.queueSort! ? 1 : 0))
      .slice(0, limit);
  }

  // ─── The other rooms' records ─────────────────────────────────────────────────────────────

  /** A report case (the reports room's record), as stored. */
  getCase(caseId: string): Promise<(StoredRecord & Record<string, unknown>) | undefined> {
    return this.records.get<StoredRecord & Record<string, unknown>>({ pk: `CASE#${caseId}`, sk: 'CASE' });
  }

  /**
   * The restrictions of a member that a decision caused and that still hold (ACTIVE, or waiting
   * for approval): a moderator's ban on the case or the held message, or an escalation step the
   * decision's strike helped reach.
   */
  async restrictionsCausedBy(memberArn: string, decision: { caseId?: string; callbackId?: string; strike?: StrikeSource }): Promise<Array<{ id: string; status: RestrictionStatus; deciders: string[] }>> {
    const strikeId = decision.strike ? strikeIdOf(decision.strike) : undefined;
    const found: Array<{ id: string; status: RestrictionStatus; deciders: string[] }> = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await this.records.query<StoredRecord & { id: string; status: RestrictionStatus; cause?: RestrictionCause; requestedBy?: { id: string }; approval?: { by: { id: string } } }>(`MEMBER#${memberArn}`, {
        skPrefix: 'RESTRICTION#',
        limit: 100,
        ...(next ? { next } : {}),
      });
      for (const restriction of page.items) {
        if (restriction.status !== 'ACTIVE' && restriction.status !== 'PENDING_APPROVAL') continue;
        const cause = restriction.cause;
        const caused =
          cause?.kind === 'moderator'
            ? (decision.caseId !== undefined && cause.caseId === decision.caseId) || (decision.callbackId !== undefined && cause.callbackId === decision.callbackId)
            : cause?.kind === 'escalation' && strikeId !== undefined && cause.strikeIds.includes(strikeId);
        // Who asked for it and who approved it (the four-eyes rule keeps both from deciding its appeal).
        const deciders = [restriction.requestedBy?.id, restriction.approval?.by.id].filter((id): id is string => id !== undefined);
        if (caused) found.push({ id: restriction.id, status: restriction.status, deciders });
      }
      next = page.next;
    } while (next);
    return found;
  }
}

function placeOf(status: AppealStatus, createdAt: string, appealId: string): { queueKey: string; queueSort: string } {
  return { queueKey: appealQueueKey(status, appealShardOf(appealId)), queueSort: appealQueueSort(createdAt, appealId) };
}
