/**
 * The sweeper's cost follows what is due, not what is live. One sweep is timed, and the items
 * it reads from DynamoDB counted (index entries, and the items read whole), with 10,000 and then
 * 100,000 live items that are not due, first with nothing due and then with 1,000 items past
 * their deadline. Goal: at 100k live, time and items read at most 1.2× those at 10k live.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ModerationItem } from '../src/domain/item.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import { sweep } from '../src/sweeper/sweep.js';
import { isRunDirectly } from './run-directly.js';

export interface SweepCost {
  live: number;
  due: number;
  itemsRead: number;
  ms: number;
}

export interface SweeperBench {
  runs: SweepCost[];
  /** 100k live over 10k live, 1,000 due. */
  readRatio: number;
  timeRatio: number;
}

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/sweep-bench';

function liveItem(i: number, now: number, window: number, due: boolean): ModerationItem {
  const at = new Date(now).toISOString();
  // Not due: held for review, its deadline two days out. Due: its deadline passed a minute ago.
  const deadline = new Date(due ? now - 60_000 : now + window * 1000 - 60_000 - (i % 3600) * 1000).toISOString();
  return {
    callbackId: randomBytes(24).toString('hex'),
    message: {
      messageId: randomUUID(),
      channelArn: `${APP}/channel/room-${i % 50}`,
      content: `Can I get a refund for order ${i}? It arrived broken and the box was wet.`,
      sender: { arn: `${APP}/user/user-${i % 400}`, name: `user-${i % 400}` },
      persistence: 'PERSISTENT',
      type: 'STANDARD',
    },
    receivedAt: at,
    deadline,
    status: 'PENDING_REVIEW',
    version: 2,
    updatedAt: at,
    policy: { action: 'REVIEW', ruleIds: ['terms.review'], reason: 'Content contains term "refund" that requires review', findings: [] },
    history: [{ at, actor: 'intake', to: 'RECEIVED', event: 'received' }],
  };
}

async function seed(stack: LocalStack, count: number, due: boolean, offset: number) {
  const now = Date.now();
  const window = stack.config.callbackWindowSeconds;
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < count; i = next++) await stack.runtime.store.recordReceived(liveItem(offset + i, now, window, due));
    }),
  );
}

export async function benchSweeper(options: { small?: number; large?: number; due?: number } = {}): Promise<SweeperBench> {
  const small = options.small ?? 10_000;
  const large = options.large ?? 100_000;
  const dueCount = options.due ?? 1000;
  const stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, apiPort: 0, issuerKeyFile: null, sweepIntervalSeconds: 0, logLevel: 'SILENT' });
  let itemsRead = 0;
  stack.clients.dynamodb.middlewareStack.add(
    ((next: (args: unknown) => Promise<{ output: Record<string, any> }>, context: { commandName?: string }) => async (args: unknown) => {
      const result = await next(args);
      const out = result.output;
      if (context.commandName === 'QueryCommand') itemsRead += out.Items?.length ?? 0;
      if (context.commandName === 'GetItemCommand' && out.Item) itemsRead += 1;
      if (context.commandName === 'BatchGetItemCommand') for (const items of Object.values(out.Responses ?? {}) as unknown[][]) itemsRead += items.length;
      return result;
    }) as never,
    { step: 'serialize', name: 'sweepBenchReads', priority: 'low' },
  );
  const { runtime, config } = stack;
  const sweepOnce = () =>
    sweep({
      store: runtime.store,
      callbacks: runtime.callbacks,
      clock: runtime.clock,
      leaseSeconds: runtime.leaseSeconds,
      queue: runtime.queue,
      expiryAction: config.expiryAction,
      expiryMarginSeconds: config.expiryMarginSeconds,
      stuckAfterSeconds: config.stuckAfterSeconds,
      // Room for every due item in one sweep (the deployed default is 500 per category and run).
      maxItemsPerCategory: 5000,
    });
  const measure = async (live: number, due: number): Promise<SweepCost> => {
    itemsRead = 0;
    const started = performance.now();
    const report = await sweepOnce();
    const ms = performance.now() - started;
    if (report.expired !== due) throw new Error(`expected the sweep to expire ${due} items, it expired ${report.expired}`);
    return { live, due, itemsRead, ms: Math.round(ms) };
  };
  try {
    const runs: SweepCost[] = [];
    let seeded = 0;
    for (const live of [small, large]) {
      await seed(stack, live - seeded, false, seeded);
      seeded = live;
      await sweepOnce(); // warm
      runs.push(await measure(live, 0));
      await seed(stack, dueCount, true, 10_000_000 + live);
      runs.push(await measure(live, dueCount));
    }
    const at = (live: number) => runs.find((r) => r.live === live && r.due === dueCount)!;
    return { runs, readRatio: at(large).itemsRead / at(small).itemsRead, timeRatio: at(large).ms / at(small).ms };
  } finally {
    await stack.stop();
  }
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

export function printSweeperBench(bench: SweeperBench): void {
  for (const r of bench.runs) console.log(`  ${fmt(r.live).padStart(7)} live, ${fmt(r.due).padStart(5)} due   read ${fmt(r.itemsRead).padStart(6)} items   ${fmt(r.ms).padStart(6)} ms`);
  const goal = (n: number) => (n <= 1.2 ? 'meets the goal' : 'MISSES the goal');
  console.log(`  100k vs 10k live, 1,000 due: items read ×${fmt(bench.readRatio)} (${goal(bench.readRatio)}), time ×${fmt(bench.timeRatio)} (${goal(bench.timeRatio)}; goal ≤ 1.2)`);
}

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [small, large] = process.argv.slice(2).map(Number);
  printSweeperBench(await benchSweeper({ ...(small ? { small } : {}), ...(large ? { large } : {}) }));
}
