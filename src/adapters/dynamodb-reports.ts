import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/ports.js';
import {
  CASE_SHARDS,
  caseIdOfSort,
  caseKey,
  caseShardOf,
  deadlineQueueKey,
  deadlineSort,
  dueEntryOf,
  isExpired,
  priorityEntryOf,
  priorityQueueKey,
  reporterRecordKey,
  reportKey,
  settleMarkerKey,
  settleQueueKey,
  tallyQueueKey,
  type CaseRecord,
  type PriorityEntry,
  type ReportedPointer,
  type ReporterRecord,
  type ReportRecord,
  type SenderCasePointer,
} from '../reports/model.js';
import { RecordChangedError, type CaseQueueQuery, type CaseStore } from '../reports/store.js';
import { ControlRecords, QUEUE_INDEX, RecordConditionError, type StoredRecord } from './control-records.js';
import { newWriteId } from './dynamodb-store.js';
import { mergeShards, type ShardPage } from './shard-merge.js';

/**
 * The reports room's records in the control table (the layout is in src/reports/model.ts), through
 * ControlRecords: every write conditional, carrying a write id, so a write whose answer was lost is
 * recognised as applied by its retry, never applied twice and never reported lost.
 */

/** Attributes of a case that may be absent: a write of a case without them removes them. */
const OPTIONAL_CASE_FIELDS = ['claim', 'decision', 'autoHide', 'settledAt', 'messageChangedAt', 'reportersCapped', 'expiresAt', 'reporterKeys'] as const;
/** Written by the store itself, never set from a record. */
const STORE_FIELDS = new Set(['pk', 'sk', 'version', 'lastWriteId']);
/** A case's place in the queues is on its entries (DUE, PRIORITY): the case record stays out of the index. */
const CASE_QUEUE_FIELDS = ['queueKey', 'queueSort'] as const;
const withoutQueue = <T extends object>(record: T): T => {
  const { queueKey: _k, queueSort: _s, ...rest } = record as T & { queueKey?: string; queueSort?: string };
  return rest as T;
};
/** The case as the room uses it: its place in the deadline order computed from its fields. */
const withQueue = (c: CaseRecord | undefined): CaseRecord | undefined => (c ? { ...c, queueKey: deadlineQueueKey(c.status, caseShardOf(c.caseId)), queueSort: deadlineSort(c) } : undefined);
/** Reads of one listing, per shard (each reads a little more than its share of a page). */
const QUERIES_PER_LISTING_PER_SHARD = 4;

export class DynamoDbCaseStore implements CaseStore {
  private readonly records: ControlRecords;

  /**
   * `now` tells which records outlived their retention: DynamoDB's TTL deletes them lazily (up to
   * days later), and until then they read as gone, and a new record with the same key (a new case
   * of a message whose case expired, a new report on it) replaces them.
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {
    this.records = new ControlRecords(client, tableName);
  }

  async getCase(caseId: string): Promise<CaseRecord | undefined> {
    return withQueue(this.live(await this.records.get<CaseRecord>(caseKey(caseId))));
  }

  async createCase(record: Omit<CaseRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: CaseRecord }> {
    const { created, record: stored } = await this.createOverExpired<CaseRecord>(withoutQueue(record));
    return { created, record: withQueue(stored)! };
  }

  async saveCase(next: CaseRecord, readVersion: number): Promise<CaseRecord> {
    try {
      return withQueue(await this.replace(caseKey(next.caseId), withoutQueue(next), readVersion, [...OPTIONAL_CASE_FIELDS, ...CASE_QUEUE_FIELDS]))!;
    } catch (error) {
      if (error instanceof RecordChangedError) throw new RecordChangedError(withQueue(error.current as CaseRecord | undefined));
      throw error;
    }
  }

  /** Both of the case's entries in the queue orders (deadline, priority), each only ever replaced by one for a newer version. */
  async indexByPriority(record: CaseRecord): Promise<void> {
    await Promise.all([this.indexEntry(priorityEntryOf(record), record.version), this.indexEntry(dueEntryOf(record), record.version)]);
  }

  private async indexEntry(entry: Omit<PriorityEntry, 'version' | 'lastWriteId'>, caseVersion: number): Promise<void> {
    const { pk, sk, ...fields } = entry;
    const record = { version: caseVersion };
    try {
      // An entry is only ever replaced by one for a newer version of its case: two writers of
      // one case, finishing in the other order, leave the newer.
      await this.records.update({ pk, sk }, {
        upsert: true,
        set: fields,
        // An entry left by an expired case is replaced by its message's new case.
        condition: {
          expression: 'attribute_not_exists(#mirrors) OR #mirrors < :mirrors OR #expires <= :nowSeconds',
          names: { '#mirrors': 'caseVersion', '#expires': 'expiresAt' },
          values: { ':mirrors': record.version, ':nowSeconds': Math.floor(this.now() / 1000) },
        },
      });
    } catch (error) {
      if (!(error instanceof RecordConditionError)) throw error;
      // Already mirrors this version or a newer one.
    }
  }

  async getReport(caseId: string, reporterArn: string): Promise<ReportRecord | undefined> {
    return this.live(await this.records.get<ReportRecord>(reportKey(caseId, reporterArn)));
  }

  createReport(record: Omit<ReportRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: ReportRecord }> {
    return this.createOverExpired<ReportRecord>(record);
  }

  async listReports(caseId: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportRecord>> {
    const page = await this.records.query<ReportRecord>(caseKey(caseId).pk, { skPrefix: 'REPORT#', limit: options.limit, ...(options.next ? { next: options.next } : {}) });
    // The reports of an expired case of the same message are not this case's.
    return { ...page, items: page.items.filter((r) => !isExpired(r, this.now())) };
  }

  async updateReport(caseId: string, reporterArn: string, change: { set?: Partial<ReportRecord>; remove?: readonly string[] }): Promise<ReportRecord | undefined> {
    try {
      return await this.records.update<ReportRecord>(reportKey(caseId, reporterArn), { ...(change.set ? { set: change.set } : {}), ...(change.remove ? { remove: change.remove } : {}) });
    } catch (error) {
      if (error instanceof RecordConditionError && error.current === undefined) return undefined;
      throw error;
    }
  }

  async expireWith(key: { pk: string; sk: string }, expiresAt: number): Promise<void> {
    try {
      await this.records.update(key, { set: { expiresAt } });
    } catch (error) {
      if (!(error instanceof RecordConditionError && error.current === undefined)) throw error;
    }
  }

  async untalliedReports(limit: number): Promise<ReportRecord[]> {
    const pages = await Promise.all(Array.from({ length: CASE_SHARDS }, (_, shard) => this.records.queryQueue<ReportRecord>(tallyQueueKey(shard), { limit })));
    const oldest = pages
      .flatMap((p) => p.items)
      .sort((a, b) => (a.queueSort! < b.queueSort! ? -1 : 1))
      .slice(0, limit);
    // The index is eventually consistent: each read again as it is now.
    const now = await Promise.all(oldest.map((r) => this.getReport(r.caseId, r.reporterArn)));
    return now.filter((r): r is ReportRecord => r !== undefined && !r.tallied);
  }

  async waitingReporters(caseId: string, limit: number): Promise<string[]> {
    const page = await this.records.queryQueue<ReportRecord>(tallyQueueKey(caseShardOf(caseId)), { from: `${caseId}#`, to: `${caseId}#\uffff`, limit });
    return page.items.map((r) => r.reporterArn);
  }

  async getReports(caseId: string, reporterArns: readonly string[]): Promise<ReportRecord[]> {
    const found: ReportRecord[] = [];
    const unique = [...new Set(reporterArns)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((arn) => reportKey(caseId, arn));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of (result.Responses?.[this.tableName] ?? []) as ReportRecord[]) if (!isExpired(item, this.now())) found.push(item);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return found;
  }

  async oweSettlement(caseId: string, dueAt: string): Promise<void> {
    await this.records.update(settleMarkerKey(caseId), {
      upsert: true,
      set: { kind: 'CASE_SETTLE', caseId, createdAt: new Date(this.now()).toISOString(), dueAt, queueKey: settleQueueKey(caseShardOf(caseId)), queueSort: `${dueAt}#${caseId}` },
      remove: ['expiresAt'],
    });
  }

  async owedSettlements(dueBy: string, limit: number): Promise<Array<{ caseId: string; createdAt: string; dueAt: string }>> {
    const pages = await Promise.all(
      Array.from({ length: CASE_SHARDS }, (_, shard) => this.records.queryQueue<StoredRecord & { caseId: string; createdAt: string; dueAt: string }>(settleQueueKey(shard), { to: `${dueBy}#\uffff`, limit })),
    );
    return pages
      .flatMap((p) => p.items)
      .sort((a, b) => (a.queueSort! < b.queueSort! ? -1 : 1))
      .slice(0, limit)
      .map(({ caseId, createdAt, dueAt }) => ({ caseId, createdAt, dueAt }));
  }

  async clearSettlement(caseId: string): Promise<void> {
    try {
      // Out of the queue, and gone a day later.
      await this.records.update(settleMarkerKey(caseId), { set: { expiresAt: Math.floor(this.now() / 1000) + 86_400 }, remove: ['queueKey', 'queueSort'] });
    } catch (error) {
      if (!(error instanceof RecordConditionError && error.current === undefined)) throw error;
    }
  }

  getReporter(memberArn: string): Promise<ReporterRecord | undefined> {
    return this.records.get<ReporterRecord>(reporterRecordKey(memberArn));
  }

  async saveReporter(next: Omit<ReporterRecord, 'version' | 'lastWriteId'> & Partial<Pick<ReporterRecord, 'version'>>, readVersion: number | undefined): Promise<ReporterRecord> {
    if (readVersion === undefined) {
      const { version: _version, ...fresh } = next;
      const { created, record } = await this.records.create<ReporterRecord>(fresh);
      if (!created) throw new RecordChangedError(record);
      return record;
    }
    return this.replace(reporterRecordKey(next.memberArn), next as ReporterRecord, readVersion, []);
  }

  async recordPointer(record: Omit<ReportedPointer, 'version' | 'lastWriteId'> | Omit<SenderCasePointer, 'version' | 'lastWriteId'>): Promise<void> {
    // Keyed by what it points at: a second write finds the first, which says the same (one
    // left by an expired case of the same message is replaced).
    await this.createOverExpired<StoredRecord>(record);
  }

  async listReportedBy(memberArn: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportedPointer>> {
    const page = await this.records.query<ReportedPointer>(reporterRecordKey(memberArn).pk, { skPrefix: 'REPORTED#', descending: true, limit: options.limit, ...(options.next ? { next: options.next } : {}) });
    return { ...page, items: page.items.filter((p) => !isExpired(p, this.now())) };
  }

  async listCases(query: CaseQueueQuery): Promise<{ cases: CaseRecord[]; next?: string }> {
    const byPriority = query.order === 'priority';
    const shards = Array.from({ length: CASE_SHARDS }, (_, shard) => (byPriority ? priorityQueueKey(query.status, shard) : deadlineQueueKey(query.status, shard)));
    const filter = filterOf(query);
    const want = query.limit + 1; // one more than the page: `next` only when another page exists
    const merged = await mergeShards<PriorityEntry>({
      shards,
      order: 'asc',
      ...(query.after !== undefined ? { after: query.after } : {}),
      want,
      keyOf: (entry) => entry.queueSort,
      pageSize: filter.expression ? Math.max(25, Math.ceil(want / CASE_SHARDS) + 1) : Math.ceil(want / CASE_SHARDS) + 1,
      maxQueries: CASE_SHARDS * QUERIES_PER_LISTING_PER_SHARD,
      read: (shard, after, limit) => this.readShard(shard, after, limit, byPriority ? 'PRIORITY' : 'DUE', filter),
    });
    const full = merged.entries.length === want;
    const entries = full ? merged.entries.slice(0, query.limit) : merged.entries;
    const next = full ? entries[entries.length - 1]!.queueSort : merged.next;
    // The index is read eventually consistently; the cases themselves are read whole and strongly.
    const cases = new Map((await this.getCases(entries.map((e) => e.caseId))).map((c) => [c.caseId, c]));
    const shown: CaseRecord[] = [];
    for (const entry of entries) {
      const c = cases.get(entry.caseId);
      if (!c) continue;
      // An entry that lags its case (a request died between the writes) is mended now.
      if (entry.caseVersion < c.version) await this.indexByPriority(c).catch(() => undefined);
      if (c.status === query.status) shown.push(c);
    }
    return { cases: shown, ...(next !== undefined ? { next } : {}) };
  }

  async getCases(caseIds: readonly string[]): Promise<CaseRecord[]> {
    const found = new Map<string, CaseRecord>();
    const unique = [...new Set(caseIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + 100).map((id) => caseKey(id));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of (result.Responses?.[this.tableName] ?? []) as CaseRecord[]) if (!isExpired(item, this.now())) found.set(item.caseId, withQueue(item)!);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return caseIds.map((id) => found.get(id)).filter((c): c is CaseRecord => c !== undefined);
  }

  /** One page of one queue shard, strictly after `after` (a sort key: its record's key is derived from it). */
  private async readShard(shard: string, after: string | undefined, limit: number, sk: 'DUE' | 'PRIORITY', filter: Filter): Promise<ShardPage<PriorityEntry>> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: QUEUE_INDEX,
        KeyConditionExpression: '#queueKey = :queueKey',
        ExpressionAttributeNames: { '#queueKey': 'queueKey', ...filter.names },
        ExpressionAttributeValues: { ':queueKey': shard, ...filter.values },
        ...(filter.expression ? { FilterExpression: filter.expression } : {}),
        Limit: limit,
        ...(after !== undefined ? { ExclusiveStartKey: { queueKey: shard, queueSort: after, pk: `CASE#${caseIdOfSort(after)}`, sk } } : {}),
      }),
    );
    const lastKey = result.LastEvaluatedKey?.queueSort;
    return { entries: (result.Items ?? []) as PriorityEntry[], ...(typeof lastKey === 'string' ? { lastKey } : {}) };
  }

  private live<T extends StoredRecord>(record: T | undefined): T | undefined {
    return record && !isExpired(record, this.now()) ? record : undefined;
  }

  /**
   * ControlRecords.create, but a record whose retention ran out (the TTL has not deleted it yet)
   * counts as absent and is replaced. A lost answer is settled the same way: our write id read back.
   */
  private async createOverExpired<T extends StoredRecord>(record: Omit<T, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: T }> {
    const writeId = newWriteId();
    const item = { ...record, version: 1, lastWriteId: writeId } as unknown as T;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :nowSeconds',
          ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(this.now() / 1000) },
        }),
      );
      return { created: true, record: item };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.records.get<T>(record);
      if (!existing) throw error;
      return { created: existing.lastWriteId === writeId, record: existing };
    }
  }

  /** The record replaced by `next` at `readVersion`: every attribute written, the absent optional ones removed. */
  private async replace<T extends StoredRecord>(key: { pk: string; sk: string }, next: T, readVersion: number, optional: readonly string[]): Promise<T> {
    const set = Object.fromEntries(Object.entries(next).filter(([name, value]) => !STORE_FIELDS.has(name) && value !== undefined));
    const remove = optional.filter((name) => (next as Record<string, unknown>)[name] === undefined);
    try {
      return await this.records.update<T>(key, { expectedVersion: readVersion, set, remove });
    } catch (error) {
      if (error instanceof RecordConditionError) throw new RecordChangedError<T>(error.current as T | undefined);
      throw error;
    }
  }
}

interface Filter {
  expression?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The queue's filters (each optional, all of them together). */
function filterOf(query: CaseQueueQuery): Filter {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.category !== undefined) {
    parts.push('#categories.#category > :none');
    Object.assign(names, { '#categories': 'categories', '#category': query.category });
    values[':none'] = 0;
  }
  if (query.channelArn !== undefined) {
    parts.push('#channelArn = :channelArn');
    names['#channelArn'] = 'channelArn';
    values[':channelArn'] = query.channelArn;
  }
  if (query.senderArn !== undefined) {
    parts.push('#senderArn = :senderArn');
    names['#senderArn'] = 'senderArn';
    values[':senderArn'] = query.senderArn;
  }
  // DynamoDB refuses redundant parentheses: a lone condition goes in bare.
  const expression = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' AND ');
  return { ...(expression ? { expression } : {}), names, values };
}
