import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hash32 } from './table-keys.js';
import { STATUSES, type DecisionOrigin, type Status } from '../domain/item.js';
import type { CounterDelta, Counters, HourlyCounts, StatisticsReader } from '../domain/ports.js';

/**
 * Statistics as sharded counters in the control table, so a figure costs the same to read at
 * ten messages a day as at ten thousand a second:
 *
 *   pk COUNTER#<shard>   sk H#2026-05-01T13   { RECEIVED: +n, DECIDED: −n, …, decided_AUTO: n, … }
 *
 * - Status moves are counted in the hour the ITEM WAS RECEIVED. Every live item is younger than
 *   the callback window, so summing the buckets of the last window gives exact live counts
 *   (an item's +1 and −1 for a status cancel in its own bucket once it moves on), and a
 *   count that drifted (a lost flush) heals itself when its bucket leaves the window.
 * - Decisions are counted in the hour they were MADE: the 24-hour chart by origin.
 *
 * Deltas are gathered in memory during an invocation and written when it ends (`flush`): one
 * UpdateItem per hour touched. Buckets expire (TTL) a few days after their hour.
 *
 * An ADD is not idempotent: the SDK's retry of one whose answer was lost would count it twice.
 * So each writer (a Lambda container: it runs one invocation at a time) numbers its flushes,
 * and every write records the writer's number on the item (`w_<writer>`) and is conditional on
 * it being lower: a retry of an applied write fails its condition and is known to have landed.
 * A writer keeps to one shard (a hash of its id), so an item carries the numbers of the few
 * writers of its shard, and the writes of many containers still spread over every shard.
 */

const COUNTER_PK = 'COUNTER#';
const HOUR_SK = 'H#';
const DECIDED_PREFIX = 'decided_';
/** `w_<writer id>`: the number of that writer's last flush applied to the item. */
const WRITER_PREFIX = 'w_';
const ORIGINS: readonly DecisionOrigin[] = ['AUTO', 'MODERATOR', 'EXPIRY'];
/** Buckets outlive the longest window any reader sums (48 h callbacks + margin) by a safe amount. */
const BUCKET_TTL_SECONDS = 4 * 86_400;

/** The hour an ISO time falls in: `2026-05-01T13`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

export interface DynamoDbCountersOptions {
  tableName: string;
  shards: number;
  /**
   * Which invocation a delta belongs to. A Lambda container runs one invocation at a time, so in
   * AWS there is one buffer and one writer; the local stack runs many invocations in one process
   * and gives each its own buffer (its Lambda runtime's current invocation), and a writer from a
   * pool, as Lambda reuses a container for the next invocation: exactly what AWS does.
   */
  scope?: () => object | undefined;
  /** Where a failed flush is reported (it never fails the caller). */
  onFlushError?: (error: unknown, deltas: number) => void;
}

type Pending = Map<string, Map<string, number>>;

/** One container's writer: its id, the number of its last flush, and its shard. */
interface Writer {
  id: string;
  seq: number;
  shard: number;
}

export class DynamoDbCounters implements Counters, StatisticsReader {
  /** hour → attribute → delta, since the last flush (outside any scope). */
  private unscoped: Pending = new Map();
  /** The same, per invocation scope. */
  private readonly scoped = new WeakMap<object, Pending>();
  /** The writer outside any scope (a Lambda container), and the pool the local stack's invocations take theirs from. */
  private readonly unscopedWriter: Writer;
  private readonly idleWriters: Writer[] = [];
  private unscopedTurn: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbCountersOptions,
  ) {
    this.unscopedWriter = this.newWriter();
  }

  private newWriter(): Writer {
    const id = randomBytes(6).toString('hex');
    return { id, seq: 0, shard: hash32(id) % this.options.shards };
  }

  record(delta: CounterDelta): void {
    for (const [status, n] of Object.entries(delta.statuses ?? {})) if (n) this.add(hourOf(delta.receivedAt), status, n);
    if (delta.decision) this.add(hourOf(delta.decision.decidedAt), `${DECIDED_PREFIX}${delta.decision.origin}`, 1);
  }

  /** The buffer of the current scope, taken out of the books when `take` is set (a flush). */
  private buffer(take = false): Pending {
    const scope = this.options.scope?.();
    if (!scope) {
      const pending = this.unscoped;
      if (take) this.unscoped = new Map();
      return pending;
    }
    let pending = this.scoped.get(scope);
    if (!pending) this.scoped.set(scope, (pending = new Map()));
    if (take) this.scoped.delete(scope);
    return pending;
  }

  private add(hour: string, attribute: string, n: number): void {
    const pending = this.buffer();
    let bucket = pending.get(hour);
    if (!bucket) pending.set(hour, (bucket = new Map()));
    bucket.set(attribute, (bucket.get(attribute) ?? 0) + n);
  }

  async flush(): Promise<void> {
    const scoped = this.options.scope?.() !== undefined;
    const pending = this.buffer(true);
    // A scoped flush (one local invocation) borrows a writer, as an invocation borrows a
    // container; the writer's flushes never overlap, so its numbers only grow.
    if (scoped) {
      const writer = this.idleWriters.pop() ?? this.newWriter();
      try {
        await this.writeAll(writer, pending);
      } finally {
        this.idleWriters.push(writer);
      }
      return;
    }
    // One writer outside any scope: its flushes run one after the other (in Lambda they would
    // anyway; a caller that flushes twice at once must not have a later number land first).
    const turn = this.unscopedTurn.then(() => this.writeAll(this.unscopedWriter, pending));
    this.unscopedTurn = turn.catch(() => undefined);
    await turn;
  }

  private async writeAll(writer: Writer, pending: Pending): Promise<void> {
    writer.seq += 1;
    await Promise.all([...pending].map(([hour, attributes]) => this.write(writer, hour, attributes)));
  }

  /** One hour's deltas, applied at most once (see the top of the file). */
  private async write(writer: Writer, hour: string, attributes: Map<string, number>): Promise<void> {
    const changes = [...attributes].filter(([, n]) => n !== 0);
    if (changes.length === 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: `${COUNTER_PK}${writer.shard}`, sk: `${HOUR_SK}${hour}` },
          UpdateExpression: `ADD ${changes.map((_, i) => `#c${i} :c${i}`).join(', ')} SET #expiresAt = if_not_exists(#expiresAt, :expiresAt), #writer = :seq`,
          ConditionExpression: 'attribute_not_exists(#writer) OR #writer < :seq',
          ExpressionAttributeNames: { ...Object.fromEntries(changes.map(([name], i) => [`#c${i}`, name])), '#expiresAt': 'expiresAt', '#writer': `${WRITER_PREFIX}${writer.id}` },
          ExpressionAttributeValues: {
            ...Object.fromEntries(changes.map(([, n], i) => [`:c${i}`, n])),
            ':expiresAt': Math.floor(Date.parse(`${hour}:00:00.000Z`) / 1000) + BUCKET_TTL_SECONDS,
            ':seq': writer.seq,
          },
        }),
      );
    } catch (error) {
      // This writer's number is there already: this very write landed on an attempt whose answer was lost.
      if (error instanceof ConditionalCheckFailedException) return;
      // Statistics are best effort: a decision never waits on them, nor fails because of them.
      this.options.onFlushError?.(error, changes.length);
    }
  }

  async hourly(from: string, to: string): Promise<{ hours: HourlyCounts[]; complete: boolean }> {
    // Hours given as `2026-05-01T13` or as any ISO time inside them.
    const fromHour = hourOf(from);
    const toHour = hourOf(to);
    const totals = new Map<string, HourlyCounts>();
    for (let t = Date.parse(`${fromHour}:00:00.000Z`); t <= Date.parse(`${toHour}:00:00.000Z`); t += 3_600_000) {
      const hour = new Date(t).toISOString();
      totals.set(hourOf(hour), { hour, statuses: zeroStatuses(), decisions: { AUTO: 0, MODERATOR: 0, EXPIRY: 0 } });
    }
    let complete = true;
    await Promise.all(
      Array.from({ length: this.options.shards }, async (_, shard) => {
        try {
          let start: Record<string, unknown> | undefined;
          do {
            const page = await this.client.send(
              new QueryCommand({
                TableName: this.options.tableName,
                KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
                ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
                ExpressionAttributeValues: { ':pk': `${COUNTER_PK}${shard}`, ':from': `${HOUR_SK}${fromHour}`, ':to': `${HOUR_SK}${toHour}` },
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            );
            for (const item of page.Items ?? []) {
              const bucket = totals.get(String(item.sk).slice(HOUR_SK.length));
              if (!bucket) continue;
              for (const status of STATUSES) bucket.statuses[status] += Number(item[status] ?? 0);
              for (const origin of ORIGINS) bucket.decisions[origin] += Number(item[`${DECIDED_PREFIX}${origin}`] ?? 0);
            }
            start = page.LastEvaluatedKey;
          } while (start);
        } catch {
          complete = false;
        }
      }),
    );
    return { hours: [...totals.values()], complete };
  }
}

const zeroStatuses = (): Record<Status, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
