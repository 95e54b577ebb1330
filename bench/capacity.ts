/**
 * Capacity maths: what stops a real on-demand table first. Pure (no stack, no clock), so the
 * arithmetic is unit-tested on fixed inputs (test/unit/bench-capacity.test.ts) and the benchmark
 * only feeds it what it measured.
 *
 * Three limits apply to the table and, separately, to every GSI (README "Scale: keys that spread"):
 *
 *   per key     one partition key takes at most 1,000 WCU/s and 3,000 RCU/s
 *   quota       an on-demand table, and each of its GSIs, at most 40,000 WRU/s and 40,000 RRU/s
 *               (Service Quotas "Table-level write/read throughput limit", adjustable)
 *   warm        a new on-demand table starts able to serve 4,000 WRU/s and 12,000 RRU/s at once;
 *               it scales up as traffic grows, or from the start when pre-warmed (WarmThroughput)
 *
 * Each one caps the message rate at limit / (units per message), where the per-key limit is
 * divided by the hottest key's units per message and the other two by the whole table's or index's.
 */

export const DYNAMODB_LIMITS = {
  perKey: { write: 1_000, read: 3_000 },
  /** On-demand, per table and per GSI, default (adjustable in Service Quotas). */
  quota: { write: 40_000, read: 40_000 },
  /** A new on-demand table's (and GSI's) warm throughput. */
  newTableWarm: { write: 4_000, read: 12_000 },
} as const;

export type Direction = 'write' | 'read';
export type LimitName = 'per-key' | 'quota' | 'warm';

/** Units by table or index ("ModerationTable", "ModerationTable.byLiveDue"), then by partition key. */
export type UnitsByKey = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface UnitRow {
  where: string;
  unitsPerMessage: number;
  /** Of those, units charged for writes whose condition failed (or, for reads, keys not found). */
  wastedPerMessage: number;
  hottestKey: string;
  hottestPerMessage: number;
  /** The hottest key's share of this table's or index's units. */
  hottestShare: number;
}

export interface RowCapacity extends UnitRow {
  /** Messages/s at which the hottest key reaches the per-key limit. */
  byKey: number;
  /** Messages/s at which the table or index reaches its on-demand quota. */
  byQuota: number;
  /** Messages/s at which it reaches its warm throughput. */
  byWarm: number;
}

export interface Limits {
  perKey: number;
  quota: number;
  warm: number;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** One row per table or index: units per message, the hottest key and its share. */
export function unitRows(units: UnitsByKey, messages: number, wasted: UnitsByKey = new Map()): UnitRow[] {
  return [...units]
    .map(([where, byKey]) => {
      const total = sum(byKey.values());
      let hottestKey = '';
      let hottest = 0;
      for (const [key, n] of byKey) if (n > hottest) [hottestKey, hottest] = [key, n];
      return {
        where,
        unitsPerMessage: total / messages,
        wastedPerMessage: sum(wasted.get(where)?.values() ?? []) / messages,
        hottestKey,
        hottestPerMessage: hottest / messages,
        hottestShare: total ? hottest / total : 0,
      };
    })
    .sort((a, b) => a.where.localeCompare(b.where));
}

const rate = (limit: number, perMessage: number) => (perMessage > 0 ? limit / perMessage : Number.POSITIVE_INFINITY);

export function rowCapacity(row: UnitRow, limits: Limits): RowCapacity {
  return { ...row, byKey: rate(limits.perKey, row.hottestPerMessage), byQuota: rate(limits.quota, row.unitsPerMessage), byWarm: rate(limits.warm, row.unitsPerMessage) };
}

export const limitsOf = (direction: Direction, warm: number = DYNAMODB_LIMITS.newTableWarm[direction]): Limits => ({
  perKey: DYNAMODB_LIMITS.perKey[direction],
  quota: DYNAMODB_LIMITS.quota[direction],
  // Pre-warming goes no higher than the table quota.
  warm: Math.min(warm, DYNAMODB_LIMITS.quota[direction]),
});

/** What binds: the lowest of the limits in play, over every table and index, writes and reads. */
export interface Binding {
  messagesPerSecond: number;
  where: string;
  direction: Direction;
  limit: LimitName;
}

function lowest(rows: ReadonlyArray<{ direction: Direction; row: RowCapacity }>, limits: readonly LimitName[]): Binding {
  let best: Binding = { messagesPerSecond: Number.POSITIVE_INFINITY, where: '', direction: 'write', limit: 'per-key' };
  for (const { direction, row } of rows) {
    for (const limit of limits) {
      const mps = limit === 'per-key' ? row.byKey : limit === 'quota' ? row.byQuota : row.byWarm;
      if (mps < best.messagesPerSecond) best = { messagesPerSecond: mps, where: row.where, direction, limit };
    }
  }
  return best;
}

/** One quota or warm throughput to raise, and to what, for the rate after it. */
export interface Raise {
  where: string;
  direction: Direction;
  limit: 'quota' | 'warm';
  /** Units/s the table or index needs at `target` messages/s. */
  unitsPerSecond: number;
  current: number;
}

export interface CapacityFigures {
  /** (a) A new table as created without WarmThroughput: warm throughput, quota and per-key limits. */
  newTable: Binding;
  /** A new table pre-warmed to `warm` (this stack's WarmThroughput), if one was given. */
  prewarmed?: Binding;
  /** (b) A table warmed up to its quota (pre-warmed, or after traffic grew), default quotas. */
  defaultQuotas: Binding;
  /** (c) Quotas and warm throughput raised: only the per-key limits remain. */
  raised: Binding;
  /** What to raise to get from (b) to (c): each table or index whose quota is below (c). */
  toRaise: Raise[];
  /** WarmThroughput each table or index needs to serve (b) from its first second. */
  warmFor: Raise[];
}

export function capacityFigures(writes: readonly UnitRow[], reads: readonly UnitRow[], options: { warm?: { write: number; read: number } } = {}): CapacityFigures {
  const at = (warm?: { write: number; read: number }) => [
    ...writes.map((row) => ({ direction: 'write' as const, row: rowCapacity(row, limitsOf('write', warm?.write)) })),
    ...reads.map((row) => ({ direction: 'read' as const, row: rowCapacity(row, limitsOf('read', warm?.read)) })),
  ];
  const defaults = at();
  const newTable = lowest(defaults, ['per-key', 'quota', 'warm']);
  const defaultQuotas = lowest(defaults, ['per-key', 'quota']);
  const raised = lowest(defaults, ['per-key']);
  const needs = (target: number, limit: 'quota' | 'warm') =>
    defaults
      .filter(({ row }) => (limit === 'quota' ? row.byQuota : row.byWarm) < target)
      .map(({ direction, row }) => ({
        where: row.where,
        direction,
        limit,
        unitsPerSecond: Math.ceil(target * row.unitsPerMessage),
        current: limit === 'quota' ? DYNAMODB_LIMITS.quota[direction] : DYNAMODB_LIMITS.newTableWarm[direction],
      }));
  return {
    newTable,
    ...(options.warm ? { prewarmed: lowest(at(options.warm), ['per-key', 'quota', 'warm']) } : {}),
    defaultQuotas,
    raised,
    toRaise: Number.isFinite(raised.messagesPerSecond) ? needs(raised.messagesPerSecond, 'quota') : [],
    warmFor: needs(defaultQuotas.messagesPerSecond, 'warm'),
  };
}

// ─── Time-driven reads: the workers' policy HEAD checks ───────────────────────────────────────

export interface PolicyHeadLoad {
  containers: number;
  channels: number;
  /** RCU/s on the ControlTable from every container's checks. */
  totalRcuPerSecond: number;
  /** RCU/s on each HEAD key (global's and the app instance's are read by every container). */
  perKeyRcuPerSecond: number;
  /** perKeyRcuPerSecond / 3,000. */
  keyUse: number;
  /** totalRcuPerSecond / the table's 40,000 RRU/s quota. */
  quotaUse: number;
  /** totalRcuPerSecond / a new table's 12,000 RRU/s. */
  warmUse: number;
}

/**
 * Every worker container checks the HEAD of each scope in use (global, the app instance, each of
 * its C channels) once per refresh interval, in one strongly consistent BatchGetItem: a HEAD is
 * under 4 KB, so 1 RCU, found or not. W containers: W × (2 + C) / refresh RCU/s in all, and
 * W / refresh on each key, the shared global and app-instance HEADs included.
 */
export function policyHeadLoad(options: { containers: number; channels: number; refreshSeconds: number; unitsPerHead?: number }): PolicyHeadLoad {
  const unit = options.unitsPerHead ?? 1;
  const perKey = (options.containers * unit) / options.refreshSeconds;
  const total = perKey * (2 + options.channels);
  return {
    containers: options.containers,
    channels: options.channels,
    totalRcuPerSecond: total,
    perKeyRcuPerSecond: perKey,
    keyUse: perKey / DYNAMODB_LIMITS.perKey.read,
    quotaUse: total / DYNAMODB_LIMITS.quota.read,
    warmUse: total / DYNAMODB_LIMITS.newTableWarm.read,
  };
}

/** The most containers × (2 + channels) the quota allows: W × (2 + C) ≤ quota × refresh. */
export const policyHeadBudget = (refreshSeconds: number, quota: number = DYNAMODB_LIMITS.quota.read): number => quota * refreshSeconds;

// ─── The sweeper in a deadline storm ─────────────────────────────────────────────────────────

export interface SweepLatencyModel {
  /** Items one invocation works at once (DEFAULT_SWEEP_CONCURRENCY). */
  concurrency: number;
  /** Items per page of the live index (src/sweeper/sweep.ts reads 100 at a time). */
  pageSize: number;
  /** One expiry action, end to end: its writes and its callback, one after the other. */
  actionMs: number;
  /** Reading one page: the shards' queries and one BatchGetItem. */
  pageReadMs: number;
}

/**
 * Expiry actions per second of one sweeper invocation (one shard group). It reads a page, works
 * it `concurrency` at a time, then reads the next: a page of P items takes the read plus
 * ceil(P / concurrency) rounds of one action each.
 */
export function sweepActionsPerSecond(model: SweepLatencyModel): number {
  const pageMs = model.pageReadMs + Math.ceil(model.pageSize / model.concurrency) * model.actionMs;
  return (model.pageSize / pageMs) * 1000;
}

/** One expiry action in AWS: its DynamoDB writes and Chime callbacks, each a round trip. */
export const awsActionMs = (calls: { writes: number; callbacks: number }, latency: { writeMs: number; callbackMs: number }): number => calls.writes * latency.writeMs + calls.callbacks * latency.callbackMs;

/**
 * The expiry load of a storm at `messagesPerSecond`: every held message comes due at the rate it
 * arrived (held share × rate), with nobody deciding them.
 */
export const stormLoad = (messagesPerSecond: number, heldShare: number): number => messagesPerSecond * heldShare;
