import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/ports.js';
import {
  CASE_SHARDS,
  caseIdOfSort,
  caseKey,
  deadlineQueueKey,
  priorityEntryOf,
  priorityKey,
  priorityQueueKey,
  reporterRecordKey,
  reportKey,
  type CaseRecord,
  type PriorityEntry,
  type ReportedPointer,
  type ReporterRecord,
  type ReportRecord,
  type SenderCasePointer,
} from '../reports/model.js';
import { RecordChangedError, type CaseQueueQuery, type CaseStore } from '../reports/store.js';
import { ControlRecords, QUEUE_INDEX, RecordConditionError, type StoredRecord } from './control-records.js';
import { mergeShards, type ShardPage } from './shard-merge.js';

/**
 * The reports room's records in the control table (the layout is in src/reports/model.ts), through
 * ControlRecords: every write conditional, carrying a write id, so a write whose answer was lost is
 * recognised as applied by its retry, never applied twice and never reported lost.
 */

/** Attributes of a case that may be absent: a write of a case without them removes them. */
const OPTIONAL_CASE_FIELDS = ['claim', 'decision', 'autoHide', 'settledAt', 'messageChangedAt', 'reportersCapped', 'expiresAt'] as const;
/** Written by the store itself, never set from a record. */
const STORE_FIELDS = new Set(['pk', 'sk', 'version', 'lastWriteId']);
/** Reads of one listing, per shard (each reads a little more than its share of a page). */
const QUERIES_PER_LISTING_PER_SHARD = 4;

export class DynamoDbCaseStore implements CaseStore {
  private readonly records: ControlRecords;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.records = new ControlRecords(client, tableName);
  }

  getCase(caseId: string): Promise<CaseRecord | undefined> {
    return this.records.get<CaseRecord>(caseKey(caseId));
  }

  createCase(record: Omit<CaseRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: CaseRecord }> {
    return this.records.create<CaseRecord>(record);
  }

  async saveCase(next: CaseRecord, readVersion: number): Promise<CaseRecord> {
    return this.replace(caseKey(next.caseId), next, readVersion, OPTIONAL_CASE_FIELDS);
  }

  async indexByPriority(record: CaseRecord): Promise<void> {
    const entry = priorityEntryOf(record);
    const { pk: _pk, sk: _sk, ...fields } = entry;
    try {
      // An entry is only ever replaced by one for a newer version of its case: two writers of
      // one case, finishing in the other order, leave the newer.
      await this.records.update(priorityKey(record.caseId), {
        upsert: true,
        set: fields,
        condition: { expression: 'attribute_not_exists(#mirrors) OR #mirrors < :mirrors', names: { '#mirrors': 'caseVersion' }, values: { ':mirrors': record.version } },
      });
    } catch (error) {
      if (!(error instanceof RecordConditionError)) throw error;
      // Already mirrors this version or a newer one.
    }
  }

  getReport(caseId: string, reporterArn: string): Promise<ReportRecord | undefined> {
    return this.records.get<ReportRecord>(reportKey(caseId, reporterArn));
  }

  createReport(record: Omit<ReportRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: ReportRecord }> {
    return this.records.create<ReportRecord>(record);
  }

  listReports(caseId: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportRecord>> {
    return this.records.query<ReportRecord>(caseKey(caseId).pk, { skPrefix: 'REPORT#', limit: options.limit, ...(options.next ? { next: options.next } : {}) });
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
    // Keyed by what it points at: a second write finds the first, which says the same.
    await this.records.create<StoredRecord>(record);
  }

  listReportedBy(memberArn: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<ReportedPointer>> {
    return this.records.query<ReportedPointer>(reporterRecordKey(memberArn).pk, { skPrefix: 'REPORTED#', descending: true, limit: options.limit, ...(options.next ? { next: options.next } : {}) });
  }

  async listCases(query: CaseQueueQuery): Promise<{ cases: CaseRecord[]; next?: string }> {
    const byPriority = query.order === 'priority';
    const shards = Array.from({ length: CASE_SHARDS }, (_, shard) => (byPriority ? priorityQueueKey(query.status, shard) : deadlineQueueKey(query.status, shard)));
    const filter = filterOf(query);
    const want = query.limit + 1; // one more than the page: `next` only when another page exists
    const merged = await mergeShards<CaseRecord | PriorityEntry>({
      shards,
      order: 'asc',
      ...(query.after !== undefined ? { after: query.after } : {}),
      want,
      keyOf: (entry) => entry.queueSort,
      pageSize: filter.expression ? Math.max(25, Math.ceil(want / CASE_SHARDS) + 1) : Math.ceil(want / CASE_SHARDS) + 1,
      maxQueries: CASE_SHARDS * QUERIES_PER_LISTING_PER_SHARD,
      read: (shard, after, limit) => this.readShard(shard, after, limit, byPriority ? 'PRIORITY' : 'CASE', filter),
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
      // A priority entry that lags its case (a request died between the two writes) is mended now.
      if (byPriority && (entry as PriorityEntry).caseVersion < c.version) await this.indexByPriority(c).catch(() => undefined);
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
        for (const item of (result.Responses?.[this.tableName] ?? []) as CaseRecord[]) found.set(item.caseId, item);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return caseIds.map((id) => found.get(id)).filter((c): c is CaseRecord => c !== undefined);
  }

  /** One page of one queue shard, strictly after `after` (a sort key: its record's key is derived from it). */
  private async readShard(shard: string, after: string | undefined, limit: number, sk: 'CASE' | 'PRIORITY', filter: Filter): Promise<ShardPage<CaseRecord | PriorityEntry>> {
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
    return { entries: (result.Items ?? []) as Array<CaseRecord | PriorityEntry>, ...(typeof lastKey === 'string' ? { lastKey } : {}) };
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
