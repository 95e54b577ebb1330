import { describe, expect, it } from 'vitest';
import { mergeShards, type ShardPage } from '../../src/adapters/shard-merge.js';
import { hash32, shardOf, sortKey } from '../../src/adapters/table-keys.js';
import { sweepAt } from '../../src/domain/deadline.js';

/** Sharded partitions held in memory, read the way DynamoDB reads one: in order, `limit` items evaluated, a filter after. */
function shardsOf(keys: string[], shardCount: number, matches: (key: string) => boolean = () => true) {
  const shards = new Map<string, string[]>();
  for (let s = 0; s < shardCount; s += 1) shards.set(`S#${s}`, []);
  for (const key of keys) shards.get(`S#${shardOf(key, shardCount)}`)!.push(key);
  for (const list of shards.values()) list.sort();
  let reads = 0;
  const read = (order: 'asc' | 'desc') => async (shard: string, after: string | undefined, limit: number): Promise<ShardPage<string>> => {
    reads += 1;
    const all = order === 'asc' ? shards.get(shard)! : [...shards.get(shard)!].reverse();
    const rest = all.filter((k) => after === undefined || (order === 'asc' ? k > after : k < after));
    const evaluated = rest.slice(0, limit);
    return { entries: evaluated.filter(matches), ...(rest.length > limit ? { lastKey: evaluated[evaluated.length - 1]! } : {}) };
  };
  return { shards: [...shards.keys()], read, reads: () => reads };
}

const keys = Array.from({ length: 500 }, (_, i) => sortKey(new Date(Date.UTC(2026, 0, 1, 0, 0, i % 97)).toISOString(), `cb${String(i).padStart(4, '0')}`));

async function pageThrough(order: 'asc' | 'desc', pageSize: number, want: number, matches?: (key: string) => boolean, maxQueries = 64) {
  const source = shardsOf(keys, 8, matches);
  const seen: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = await mergeShards({ shards: source.shards, order, ...(after !== undefined ? { after } : {}), want, keyOf: (k) => k, pageSize, maxQueries, read: source.read(order) });
    seen.push(...page.entries);
    if (page.next === undefined) return seen;
    after = page.next;
  }
  throw new Error('never finished');
}

describe('mergeShards', () => {
  it('lists every shard as one exact order, ascending or descending, page after page, with no gap or repeat', async () => {
    expect(await pageThrough('asc', 3, 25)).toEqual([...keys].sort());
    expect(await pageThrough('desc', 5, 7)).toEqual([...keys].sort().reverse());
  });

  it('finds sparse matches across filtered pages, and resumes where its read budget ran out', async () => {
    const rare = (k: string) => k.endsWith('3');
    // 8 shards, at most 10 reads a listing: most pages end on the budget, not on `want`.
    expect(await pageThrough('asc', 4, 20, rare, 10)).toEqual([...keys].sort().filter(rare));
  });

  it('refuses a read budget that could never place an entry', async () => {
    const source = shardsOf(keys, 8);
    await expect(mergeShards({ shards: source.shards, order: 'asc', want: 5, keyOf: (k) => k, pageSize: 5, maxQueries: 7, read: source.read('asc') })).rejects.toThrow(/at least the number of shards/);
  });

  it('reads only as deep as the page needs', async () => {
    const source = shardsOf(keys, 8);
    const page = await mergeShards({ shards: source.shards, order: 'asc', want: 10, keyOf: (k) => k, pageSize: 3, maxQueries: 64, read: source.read('asc') });
    expect(page.entries).toEqual([...keys].sort().slice(0, 10));
    expect(source.reads()).toBeLessThanOrEqual(16);
  });
});

describe('the key design', () => {
  it('spreads CallbackIds evenly over the shards, the same way in every process', () => {
    expect(hash32('abc')).toBe(hash32('abc'));
    const counts = new Array(32).fill(0);
    for (let i = 0; i < 32_000; i += 1) counts[shardOf(`${i.toString(36)}-callback-${i * 7919}`, 32)] += 1;
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.25);
  });

  it('sorts live items by the moment the sweeper must look at them', () => {
    const settings = { expiryMarginSeconds: 3600, stuckAfterSeconds: 300 };
    const deadline = '2026-01-03T00:00:00.000Z';
    const updatedAt = '2026-01-01T00:00:00.000Z';
    expect(sweepAt('PENDING_REVIEW', { deadline, updatedAt }, settings)).toBe('2026-01-02T23:00:00.000Z');
    expect(sweepAt('RECEIVED', { deadline, updatedAt }, settings)).toBe('2026-01-01T00:05:00.000Z');
    expect(sweepAt('DECIDED', { deadline, updatedAt }, settings)).toBe('2026-01-01T00:05:00.000Z');
    // Close to the deadline the margin (undecided) or the deadline itself (decided) comes first.
    const late = '2026-01-02T23:58:00.000Z';
    expect(sweepAt('RECEIVED', { deadline, updatedAt: late }, settings)).toBe('2026-01-02T23:00:00.000Z');
    expect(sweepAt('DECIDED', { deadline, updatedAt: late }, settings)).toBe(deadline);
  });
});
