import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/ports.js';
import { newWriteId } from './dynamodb-store.js';

/**
 * The people rooms' records (reports, cases, appeals, strikes, restrictions, approvals, notes,
 * notices, allowances) in the control table (pk/sk, beside the live policies and the counters),
 * with one sparse index for the queues:
 *
 *   table     pk = <KIND>#<id> (or a member's record: MEMBER#<appInstance>#<arn>), sk = what of it
 *   byQueue   queueKey = <QUEUE>#<shard>, queueSort = what orders the queue (a due time, a
 *             priority): set while a record waits in a queue (an open case, a pending appeal, an
 *             active timed ban, a notice to send) and removed when it leaves, so the index holds
 *             exactly what someone or something still has to act on
 *
 * Every write is one conditional single-item write (dynalite has no transactions), and carries a
 * fresh write id it is conditional on not finding: the SDK's hidden retry of a write that was
 * applied can never apply it twice, and when that retry then fails its condition, the id on the
 * record tells the write was ours. An outcome is settled by reading back, never guessed.
 */

export const QUEUE_INDEX = 'byQueue';

export interface ControlKey {
  pk: string;
  sk: string;
}

/** What every record carries beside its own fields. */
export interface StoredRecord extends ControlKey {
  /** Incremented on every write: optimistic concurrency for moderators' decisions. */
  version: number;
  lastWriteId?: string;
  queueKey?: string;
  queueSort?: string;
  /** TTL, epoch seconds. */
  expiresAt?: number;
}

/** A conditional update that lost; carries the record as it is now (undefined: it does not exist). */
export class RecordConditionError extends Error {
  constructor(
    readonly key: ControlKey,
    readonly current: StoredRecord | undefined,
    options?: { cause?: unknown },
  ) {
    super(`The conditional write to ${key.pk} / ${key.sk} lost`, options);
    this.name = 'RecordConditionError';
  }
}

export interface RecordUpdate {
  /** The write only happens at this version (optimistic concurrency); absent: any version. */
  expectedVersion?: number;
  /** Top-level attributes to set (whole values). */
  set?: Record<string, unknown>;
  /** Top-level attributes to remove (e.g. `queueKey`, `queueSort` when a record leaves its queue). */
  remove?: readonly string[];
  /** Numbers to add to (created at 0 when absent). */
  add?: Record<string, number>;
  /**
   * A further condition, with its own `#name` / `:value` placeholders (names and values are
   * merged with the update's; pick names that do not clash with the attributes being set).
   */
  condition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
  /** The write is allowed to create the record (an upsert); otherwise it must exist. */
  upsert?: boolean;
}

export interface QueryOptions {
  /** Records whose sk starts with this. */
  skPrefix?: string;
  limit: number;
  next?: Record<string, unknown>;
  /** Highest sk first. */
  descending?: boolean;
  consistent?: boolean;
}

export interface QueueQueryOptions {
  /** Inclusive bounds on queueSort. */
  from?: string;
  to?: string;
  limit: number;
  next?: Record<string, unknown>;
  descending?: boolean;
}

export class ControlRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get<T extends StoredRecord>(key: ControlKey): Promise<T | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
    return result.Item as T | undefined;
  }

  /**
   * Creates the record unless one has its key. Keys are derived from what the record is about (one
   * report per reporter per message, one appeal per decision), so a repeat finds the first one:
   * `created: false` with the record as stored. A lost answer whose retry found our own record is
   * `created: true`.
   */
  async create<T extends StoredRecord>(record: Omit<T, 'version' | 'lastWriteId'> & Partial<Pick<T, 'version'>>): Promise<{ created: boolean; record: T }> {
    const writeId = newWriteId();
    const item = { ...record, version: record.version ?? 1, lastWriteId: writeId } as unknown as T;
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }),
      );
      return { created: true, record: item };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get<T>(record);
      if (!existing) throw error; // Deleted between the two calls (TTL): the caller may try again.
      return { created: existing.lastWriteId === writeId, record: existing };
    }
  }

  /**
   * One conditional update: the version goes up by one and the write id is new. Throws
   * RecordConditionError (with the record as it is now) when the condition or the version lost.
   */
  async update<T extends StoredRecord>(key: ControlKey, change: RecordUpdate): Promise<T> {
    const writeId = newWriteId();
    const names: Record<string, string> = { '#pk': 'pk', '#version': 'version', '#lastWriteId': 'lastWriteId' };
    const values: Record<string, unknown> = { ':one': 1, ':writeId': writeId, ':zero': 0 };
    const sets = ['#version = if_not_exists(#version, :zero) + :one', '#lastWriteId = :writeId'];
    let i = 0;
    for (const [field, value] of Object.entries(change.set ?? {})) {
      if (value === undefined) continue;
      i += 1;
      names[`#s${i}`] = field;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    }
    const adds: string[] = [];
    for (const [field, value] of Object.entries(change.add ?? {})) {
      i += 1;
      names[`#a${i}`] = field;
      values[`:a${i}`] = value;
      adds.push(`#a${i} :a${i}`);
    }
    const removes = (change.remove ?? []).map((field) => {
      i += 1;
      names[`#r${i}`] = field;
      return `#r${i}`;
    });
    const conditions = ['(attribute_not_exists(#lastWriteId) OR #lastWriteId <> :writeId)'];
    // DynamoDB refuses a name the expressions do not use: `#pk` only when the record must exist.
    if (change.upsert) delete names['#pk'];
    else conditions.push('attribute_exists(#pk)');
    if (change.expectedVersion !== undefined) {
      values[':expected'] = change.expectedVersion;
      conditions.push('#version = :expected');
    }
    if (change.condition) {
      conditions.push(`(${change.condition.expression})`);
      Object.assign(names, change.condition.names);
      Object.assign(values, change.condition.values);
    }
    const expression = [`SET ${sets.join(', ')}`, ...(adds.length ? [`ADD ${adds.join(', ')}`] : []), ...(removes.length ? [`REMOVE ${removes.join(', ')}`] : [])].join(' ');
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as T;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get<T>(key);
      // Our own write, applied on an attempt whose answer was lost: it is done.
      if (current?.lastWriteId === writeId) return current;
      throw new RecordConditionError(key, current, { cause: error });
    }
  }

  /** Records of one pk, by sk. */
  async query<T extends StoredRecord>(pk: string, options: QueryOptions): Promise<Page<T>> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: options.skPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk', ...(options.skPrefix ? { '#sk': 'sk' } : {}) },
        ExpressionAttributeValues: { ':pk': pk, ...(options.skPrefix ? { ':prefix': options.skPrefix } : {}) },
        Limit: options.limit,
        ScanIndexForward: !options.descending,
        ConsistentRead: options.consistent ?? true,
        ...(options.next ? { ExclusiveStartKey: options.next } : {}),
      }),
    );
    return { items: (result.Items ?? []) as T[], ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }

  /** One partition of the queue index, by queueSort (eventually consistent, as every GSI read). */
  async queryQueue<T extends StoredRecord>(queueKey: string, options: QueueQueryOptions): Promise<Page<T>> {
    const names: Record<string, string> = { '#q': 'queueKey' };
    const values: Record<string, unknown> = { ':q': queueKey };
    let condition = '#q = :q';
    if (options.from !== undefined && options.to !== undefined) {
      names['#s'] = 'queueSort';
      values[':from'] = options.from;
      values[':to'] = options.to;
      condition += ' AND #s BETWEEN :from AND :to';
    } else if (options.from !== undefined) {
      names['#s'] = 'queueSort';
      values[':from'] = options.from;
      condition += ' AND #s >= :from';
    } else if (options.to !== undefined) {
      names['#s'] = 'queueSort';
      values[':to'] = options.to;
      condition += ' AND #s <= :to';
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: QUEUE_INDEX,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: options.limit,
        ScanIndexForward: !options.descending,
        ...(options.next ? { ExclusiveStartKey: options.next } : {}),
      }),
    );
    return { items: (result.Items ?? []) as T[], ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }
}
