/**
 * Reads several write-sharded partitions of an index as one ordered list: a k-way merge.
 *
 * Each shard is read in key order, a page at a time. An entry is emitted only once no shard can
 * still hold a smaller one (ascending; larger, descending): a shard whose buffer is empty but
 * which is not finished is read again first. So the merged order is exact, whatever the shards'
 * sizes, and a listing resumes after one key, the last it emitted, with no gap or repeat.
 *
 * The work is bounded: at most `maxQueries` reads. When they run out first, the listing stops at
 * the furthest key up to which every shard has been read, and says so (`next`).
 */

export interface ShardPage<E> {
  entries: E[];
  /** The sort key of the last entry DynamoDB evaluated (filtered or not); absent when the shard is finished. */
  lastKey?: string;
}

export interface MergeOptions<E> {
  shards: readonly string[];
  order: 'asc' | 'desc';
  /** Resume strictly after this sort key (in `order`). */
  after?: string;
  /** How many entries are wanted. */
  want: number;
  /** Reads one page of one shard, strictly after `after` (in `order`), at most `limit` items evaluated. */
  read: (shard: string, after: string | undefined, limit: number) => Promise<ShardPage<E>>;
  keyOf: (entry: E) => string;
  /** Items evaluated per read. */
  pageSize: number;
  maxQueries: number;
}

export interface MergeResult<E> {
  entries: E[];
  /** Continue strictly after this key; absent when every shard is finished. */
  next?: string;
  queries: number;
}

interface ShardState<E> {
  shard: string;
  buffer: E[];
  /** Everything up to this key has been read (undefined: nothing yet, start at `after`). */
  frontier: string | undefined;
  done: boolean;
}

export async function mergeShards<E>(options: MergeOptions<E>): Promise<MergeResult<E>> {
  // One read of every shard is the least that can place anything; fewer could never progress.
  if (options.maxQueries < options.shards.length) throw new RangeError(`maxQueries (${options.maxQueries}) must be at least the number of shards (${options.shards.length})`);
  const before = (a: string, b: string) => (options.order === 'asc' ? a < b : a > b);
  const states: ShardState<E>[] = options.shards.map((shard) => ({ shard, buffer: [], frontier: options.after, done: false }));
  const entries: E[] = [];
  let queries = 0;

  const refill = async (state: ShardState<E>) => {
    queries += 1;
    const page = await options.read(state.shard, state.frontier, options.pageSize);
    state.buffer.push(...page.entries);
    if (page.lastKey === undefined) state.done = true;
    else state.frontier = page.lastKey;
  };

  for (;;) {
    // Shards that may hold the next entry but have nothing buffered must be read first.
    const blocking = states.filter((s) => s.buffer.length === 0 && !s.done);
    if (blocking.length > 0) {
      if (queries + blocking.length > options.maxQueries) break;
      await Promise.all(blocking.map(refill));
      continue;
    }
    // Every shard is either finished or has a head: the smallest head is next.
    let best: ShardState<E> | undefined;
    for (const state of states) {
      if (state.buffer.length === 0) continue;
      if (!best || before(options.keyOf(state.buffer[0]!), options.keyOf(best.buffer[0]!))) best = state;
    }
    if (!best) return { entries, queries }; // every shard finished
    entries.push(best.buffer.shift()!);
    if (entries.length >= options.want) return { entries, next: options.keyOf(entries[entries.length - 1]!), queries };
  }

  // Out of reads. Every unfinished shard has been read up to its frontier, so everything up to
  // the nearest frontier is known: emit the buffered entries up to it, in order, and resume there.
  const frontiers = states.filter((s) => !s.done).map((s) => s.frontier!);
  let limit = frontiers[0]!;
  for (const f of frontiers) if (before(f, limit)) limit = f;
  const known = states
    .flatMap((s) => s.buffer)
    .filter((e) => !before(limit, options.keyOf(e)))
    .sort((a, b) => (before(options.keyOf(a), options.keyOf(b)) ? -1 : 1));
  for (const entry of known) {
    entries.push(entry);
    if (entries.length >= options.want) return { entries, next: options.keyOf(entry), queries };
  }
  return { entries, next: limit, queries };
}
