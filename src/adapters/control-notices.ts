import { hash32 } from './table-keys.js';
import { ControlRecords, RecordConditionError } from './control-records.js';
import { needsWork, NOTICE_QUEUE, NOTICE_SHARDS, noticeKey, type NewNotice, type NoticeRecord, type NoticeStore } from '../notices/records.js';

/**
 * Notice records in the control table (src/notices/records.ts). A record with work left (a send,
 * a strike) sits in the queue index under `NOTICES#PENDING#<shard>`, sorted by its next attempt
 * time; every write derives that place from the record it leaves, so a record leaves the queue
 * in the same write that finishes it. The queue is read shard by shard (a handful of them) and
 * merged by time: the sweeper task takes what is due.
 */
export class ControlNoticeStore implements NoticeStore {
  constructor(
    private readonly records: ControlRecords,
    private readonly shards = NOTICE_SHARDS,
  ) {}

  get(id: string): Promise<NoticeRecord | undefined> {
    return this.records.get<NoticeRecord>(noticeKey(id));
  }

  create(record: NewNotice): Promise<{ created: boolean; record: NoticeRecord }> {
    return this.records.create<NoticeRecord>({ ...record, ...noticeKey(record.id), ...this.place(record) });
  }

  async update(current: NoticeRecord, change: Partial<NoticeRecord>): Promise<NoticeRecord | undefined> {
    const next = { ...current, ...change };
    const place = this.place(next);
    try {
      return await this.records.update<NoticeRecord>(noticeKey(current.id), {
        expectedVersion: current.version,
        set: { ...change, ...(place.queueKey ? place : {}) },
        remove: [...(place.queueKey ? [] : ['queueKey', 'queueSort']), ...Object.entries(change).filter(([, v]) => v === undefined).map(([k]) => k)],
      });
    } catch (error) {
      if (error instanceof RecordConditionError) return undefined;
      throw error;
    }
  }

  async due(dueBy: string, limit: number): Promise<NoticeRecord[]> {
    // A few shards, each read up to `limit`: the soonest `limit` of all of them are among those.
    const pages = await Promise.all(
      Array.from({ length: this.shards }, (_, shard) => this.records.queryQueue<NoticeRecord>(`${NOTICE_QUEUE}#${shard}`, { to: `${dueBy}#\uffff`, limit })),
    );
    const keys = pages
      .flatMap((page) => page.items)
      .sort((a, b) => (a.queueSort! < b.queueSort! ? -1 : a.queueSort! > b.queueSort! ? 1 : 0))
      .slice(0, limit);
    // The index is eventually consistent: read each one as it is now.
    const found = await Promise.all(keys.map((entry) => this.get(entry.id)));
    return found.filter((record): record is NoticeRecord => record !== undefined && needsWork(record));
  }

  private place(record: Pick<NoticeRecord, 'id' | 'status' | 'strike' | 'nextAttemptAt' | 'createdAt'>): { queueKey?: string; queueSort?: string } {
    if (!needsWork(record)) return {};
    return { queueKey: `${NOTICE_QUEUE}#${hash32(record.id) % this.shards}`, queueSort: `${record.nextAttemptAt ?? record.createdAt}#${record.id}` };
  }
}
