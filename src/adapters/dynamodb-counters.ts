import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
 * UpdateItem per hour touched, on a shard picked at random, so no counter partition takes more
 * than 1/COUNTER_SHARDS of the writes. Buckets expire (TTL) a few days after their hour.
 */

const COUNTER_PK = 'COUNTER#';
const HOUR_SK = 'H#';
const DECIDED_PREFIX = 'decided_';
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
   * AWS there is one buffer; the local stack runs many invocations in one process and gives each
   * its own (its Lambda runtime's current invocation), so a flush writes what that invocation
   * recorded and nothing else, exactly as in AWS.
   */
  scope?: () => object | undefined;
  /** Where a failed flush is reported (it never fails the caller). */
  onFlushError?: (error: unknown, deltas: number) => void;
  random?: () => number;
}

type Pending = Map<string, Map<string, number>>;

export class DynamoDbCounters implements Counters, StatisticsReader {
  /** hour → attribute → delta, since the last flush (outside any scope). */
  private unscoped: Pending = new Map();
  /** The same, per invocation scope. */
  private readonly scoped = new WeakMap<object, Pending>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbCountersOptions,
  ) {}

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
    const pending = this.buffer(true);
    const shard = Math.floor((this.options.random ?? Math.random)() * this.options.shards);
    await Promise.all(
      [...pending].map(async ([hour, attributes]) => {
        const changes = [...attributes].filter(([, n]) => n !== 0);
        if (changes.length === 0) return;
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.options.tableName,
              Key: { pk: `${COUNTER_PK}${shard}`, sk: `${HOUR_SK}${hour}` },
              UpdateExpression: `ADD ${changes.map((_, i) => `#c${i} :c${i}`).join(', ')} SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)`,
              ExpressionAttributeNames: { ...Object.fromEntries(changes.map(([name], i) => [`#c${i}`, name])), '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: {
                ...Object.fromEntries(changes.map(([, n], i) => [`:c${i}`, n])),
                ':expiresAt': Math.floor(Date.parse(`${hour}:00:00.000Z`) / 1000) + BUCKET_TTL_SECONDS,
              },
            }),
          );
        } catch (error) {
          // Statistics are best effort: a decision never waits on them, nor fails because of them.
          this.options.onFlushError?.(error, changes.length);
        }
      }),
    );
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
