import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModerationItem } from '../domain/item.js';
import {
  CASE_POINTER_PREFIX,
  ladderKey,
  memberPk,
  NOTE_PREFIX,
  RESTRICTION_PREFIX,
  restrictionPointerKey,
  restrictionSk,
  STRIKE_PREFIX,
  strikePointerKey,
  strikeSk,
  summaryKey,
  type CasePointerRecord,
  type LadderRecord,
  type RestrictionSummaryRecord,
  type SummaryEntry,
  type NoteRecord,
  type RestrictionPointer,
  type RestrictionRecord,
  type StrikePointer,
  type StrikeRecord,
} from '../senders/model.js';
import type { SenderMessages, SenderStore } from '../senders/store.js';
import { ControlRecords, RecordConditionError, type StoredRecord } from './control-records.js';
import { SENDER_INDEX } from './table-keys.js';

/** Attributes a restriction may drop as it moves on (a record is written whole: absent means removed). */
const OPTIONAL_RESTRICTION_FIELDS = [
  'queueKey',
  'queueSort',
  'requestHash',
  'forSeconds',
  'startsAt',
  'endsAt',
  'step',
  'approval',
  'lifted',
  'endedAt',
  'bans',
  'channelsListed',
  'unbans',
  'retryAt',
  'noticedAt',
  'approvalExcludes',
  'summaryOwedAt',
  'expiresAt',
] as const;
const KEY_FIELDS = new Set(['pk', 'sk', 'version', 'lastWriteId']);

/** The senders room's records over the control table (layout: src/senders/model.ts). */
export class DynamoDbSenderStore implements SenderStore {
  private readonly records: ControlRecords;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.records = new ControlRecords(client, tableName);
  }

  /** The pointer first, then the strike (both keyed by the strike id: a repeat converges on one). */
  async createStrike(record: Omit<StrikeRecord, 'version' | 'lastWriteId'>) {
    await this.records.create<StrikePointer>({ ...strikePointerKey(record.id), kind: 'STRIKE_POINTER', id: record.id, memberArn: record.member.memberArn, ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}) });
    return this.records.create<StrikeRecord>(record);
  }

  async strikeMember(strikeId: string): Promise<string | undefined> {
    return (await this.records.get<StrikePointer>(strikePointerKey(strikeId)))?.memberArn;
  }

  getStrike(memberArn: string, strikeId: string) {
    return this.records.get<StrikeRecord>({ pk: memberPk(memberArn), sk: strikeSk(strikeId) });
  }

  removeStrike(memberArn: string, strikeId: string, removed: NonNullable<StrikeRecord['removed']>) {
    return this.records.update<StrikeRecord>(
      { pk: memberPk(memberArn), sk: strikeSk(strikeId) },
      { set: { removed }, condition: { expression: 'attribute_not_exists(#removed)', names: { '#removed': 'removed' } } },
    );
  }

  async strikesOf(memberArn: string, limit: number): Promise<StrikeRecord[]> {
    return (await this.all<StrikeRecord>(memberPk(memberArn), STRIKE_PREFIX, limit)).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async getRestriction(id: string): Promise<RestrictionRecord | undefined> {
    const pointer = await this.records.get<RestrictionPointer>(restrictionPointerKey(id));
    return pointer ? this.records.get<RestrictionRecord>({ pk: memberPk(pointer.memberArn), sk: restrictionSk(id) }) : undefined;
  }

  /**
   * The pointer first, then the record: both are keyed by the id (itself derived from the
   * restriction's idempotency key), so a repeat, or a second request racing the first, converges
   * on one record. A crash between the two leaves a pointer without its record, which the next
   * request with the same key completes.
   */
  async createRestriction(record: Omit<RestrictionRecord, 'version' | 'lastWriteId'>): Promise<{ created: boolean; record: RestrictionRecord }> {
    await this.records.create<RestrictionPointer>({ ...restrictionPointerKey(record.id), kind: 'RESTRICTION_POINTER', id: record.id, memberArn: record.member.memberArn, ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}) });
    return this.records.create<RestrictionRecord>(record);
  }

  async saveRestriction(next: RestrictionRecord, readVersion: number): Promise<RestrictionRecord> {
    const set: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(next)) if (!KEY_FIELDS.has(field) && value !== undefined) set[field] = value;
    const remove = OPTIONAL_RESTRICTION_FIELDS.filter((field) => next[field] === undefined);
    return this.records.update<RestrictionRecord>({ pk: next.pk, sk: next.sk }, { expectedVersion: readVersion, set, remove });
  }

  restrictionsOf(memberArn: string, limit: number): Promise<RestrictionRecord[]> {
    return this.all<RestrictionRecord>(memberPk(memberArn), RESTRICTION_PREFIX, limit);
  }

  async queuePage(queueKey: string, options: { after?: string; to?: string; limit: number }): Promise<{ records: RestrictionRecord[]; lastKey?: string }> {
    // `from` is inclusive: the entry at `after` itself is read again and dropped.
    const page = await this.records.queryQueue<RestrictionRecord>(queueKey, {
      limit: options.limit,
      ...(options.after !== undefined ? { from: options.after } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
    });
    const records = page.items.filter((r) => r.kind === 'RESTRICTION' && r.queueSort !== options.after);
    const lastKey = page.next?.queueSort;
    return { records, ...(typeof lastKey === 'string' ? { lastKey } : {}) };
  }

  async getSummary(memberArn: string, options: { consistent: boolean }): Promise<RestrictionSummaryRecord | undefined> {
    if (options.consistent) return this.records.get<RestrictionSummaryRecord>(summaryKey(memberArn));
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: summaryKey(memberArn), ConsistentRead: false }));
    return result.Item as RestrictionSummaryRecord | undefined;
  }

  async writeSummary(memberArn: string, entries: SummaryEntry[], readVersion: number | undefined): Promise<RestrictionSummaryRecord> {
    if (readVersion === undefined) {
      const { created, record } = await this.records.create<RestrictionSummaryRecord>({ ...summaryKey(memberArn), kind: 'RESTRICTION_SUMMARY', memberArn, entries });
      if (!created) throw new RecordConditionError(summaryKey(memberArn), record);
      return record;
    }
    return this.records.update<RestrictionSummaryRecord>(summaryKey(memberArn), { expectedVersion: readVersion, set: { entries } });
  }

  getLadder(memberArn: string): Promise<LadderRecord | undefined> {
    return this.records.get<LadderRecord>(ladderKey(memberArn));
  }

  async claimLadder(memberArn: string, last: NonNullable<LadderRecord['last']>, readVersion: number | undefined): Promise<LadderRecord> {
    if (readVersion === undefined) {
      const { created, record } = await this.records.create<LadderRecord>({ ...ladderKey(memberArn), kind: 'LADDER', memberArn, last });
      if (!created) throw new RecordConditionError(ladderKey(memberArn), record);
      return record;
    }
    return this.records.update<LadderRecord>(ladderKey(memberArn), { expectedVersion: readVersion, set: { last } });
  }

  async createNote(record: Omit<NoteRecord, 'version' | 'lastWriteId'>): Promise<NoteRecord> {
    return (await this.records.create<NoteRecord>(record)).record;
  }

  async notesOf(memberArn: string, limit: number): Promise<NoteRecord[]> {
    return (await this.records.query<NoteRecord>(memberPk(memberArn), { skPrefix: NOTE_PREFIX, limit, descending: true })).items;
  }

  async casePointersOf(memberArn: string, limit: number): Promise<CasePointerRecord[]> {
    const pointers = await this.all<CasePointerRecord>(memberPk(memberArn), CASE_POINTER_PREFIX, limit);
    return pointers
      .map((p) => ({ ...p, caseId: typeof p.caseId === 'string' ? p.caseId : p.sk.slice(CASE_POINTER_PREFIX.length) }))
      .sort((a, b) => ((a.firstReportAt ?? '') < (b.firstReportAt ?? '') ? 1 : -1));
  }

  async caseSummaries(caseIds: readonly string[]): Promise<Array<Record<string, unknown> & { caseId: string }>> {
    if (caseIds.length === 0) return [];
    const out: Array<Record<string, unknown> & { caseId: string }> = [];
    for (let i = 0; i < caseIds.length; i += 100) {
      let keys: Array<Record<string, unknown>> = caseIds.slice(i, i + 100).map((caseId) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                // The case's status and figures only (its message, reporters and history stay in the reports room).
                ProjectionExpression: 'caseId, #status, reporterCount, categories, #decision.#action, firstReportAt, urgent',
                ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision', '#action': 'action' },
              },
            },
          }),
        );
        out.push(...((result.Responses?.[this.tableName] ?? []) as Array<Record<string, unknown> & { caseId: string }>));
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return out;
  }

  /** Every record of one kind under a pk, page after page, at most `limit`. */
  private async all<T extends StoredRecord>(pk: string, skPrefix: string, limit: number): Promise<T[]> {
    const out: T[] = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await this.records.query<T>(pk, { skPrefix, limit: Math.min(250, limit - out.length), ...(next ? { next } : {}) });
      out.push(...page.items);
      next = page.next;
    } while (next && out.length < limit);
    return out;
  }
}

export { RecordConditionError };

/**
 * A sender's messages, newest first, from the moderation table's bySender index (senderArn,
 * senderSort = receivedAt#callbackId; KEYS_ONLY), then the items themselves with one
 * BatchGetItem per page: the index costs one small write per item, once (its keys never change).
 */
export class DynamoDbSenderMessages implements SenderMessages {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async page(senderArn: string, options: { limit: number; before?: string }): Promise<{ items: ModerationItem[]; next?: string }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: SENDER_INDEX,
        KeyConditionExpression: options.before !== undefined ? '#s = :s AND #k < :before' : '#s = :s',
        ExpressionAttributeNames: { '#s': 'senderArn', ...(options.before !== undefined ? { '#k': 'senderSort' } : {}) },
        ExpressionAttributeValues: { ':s': senderArn, ...(options.before !== undefined ? { ':before': options.before } : {}) },
        ScanIndexForward: false,
        Limit: options.limit,
      }),
    );
    const keys = (result.Items ?? []).map((entry) => entry.callbackId as string);
    const items = await this.getMany(keys);
    const last = result.LastEvaluatedKey?.senderSort;
    return { items, ...(typeof last === 'string' ? { next: last } : {}) };
  }

  private async getMany(callbackIds: string[]): Promise<ModerationItem[]> {
    const found = new Map<string, ModerationItem>();
    for (let i = 0; i < callbackIds.length; i += 100) {
      let keys: Array<Record<string, unknown>> = callbackIds.slice(i, i + 100).map((callbackId) => ({ callbackId }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }));
        for (const item of (result.Responses?.[this.tableName] ?? []) as ModerationItem[]) found.set(item.callbackId, item);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return callbackIds.map((id) => found.get(id)).filter((item): item is ModerationItem => item !== undefined);
  }
}
