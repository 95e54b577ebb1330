/**
 * The sweeper's cost follows what is due, not what is live. One sweep is timed, and the items
 * it reads from DynamoDB counted (index entries, and the items read whole), with 10,000 and then
 * 100,000 live items that are not due, first with nothing due and then with 1,000 items past
 * their deadline. Goal: at 100k live, time and items read at most 1.2× those at 10k live.
 *
 * And a deadline storm: N messages held for review, nobody deciding them, all inside the expiry
 * margin at once. One shard group's sweep (one invocation of the fan-out) applies the expiry
 * policy to its share, timed: expiry actions per second per group and per shard, measured here,
 * then projected to the deployed fan-out (8 groups, 32 shards) with the per-call latencies
 * measured here and with a stated AWS latency model (bench/capacity.ts sweepActionsPerSecond).
 * The projection is compared with the expiry load at the README's capacity figure: 2% of messages
 * held, all coming due (held/s = capacity × 0.02). Goal: capacity ≥ 10× that load.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ChimeSDKMessagingClient, SendChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import type { Clock } from '../src/domain/ports.js';
import type { ModerationItem } from '../src/domain/item.js';
import { loadInfraDefinitions } from '../src/infra/definitions.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import { DEFAULT_SWEEP_CONCURRENCY, addSweepReports, shardsOfGroup, sweep, type SweepReport } from '../src/sweeper/sweep.js';
import { awsActionMs, stormLoad, sweepActionsPerSecond, type SweepLatencyModel } from './capacity.js';
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

// ─── The deadline storm ────────────────────────────────────────────────────────────────────

/**
 * The AWS latency model of the projection (stated, not measured): a DynamoDB single-item write
 * or read from a Lambda function in the same Region ~10 ms (the service answers in single-digit
 * milliseconds; the rest is the round trip and TLS reuse), a ChannelFlowCallback ~50 ms (another
 * service's API behind SigV4, with Chime's own work; no published figure, so a conservative
 * guess five times a DynamoDB write). Reading a page: a round of shard queries (in parallel),
 * sometimes a second, and one BatchGetItem of the page: 3 × 10 ms.
 */
export const AWS_LATENCY = { writeMs: 10, callbackMs: 50, pageReadMs: 30 } as const;
/** The deployed fan-out: serverless.yml's schedules, STATUS_SHARDS. */
export const DEPLOYED = { groups: 8, shards: 32 } as const;
/** Share of messages held for review in the default mix (bench/partition-heat.ts TRAFFIC_MIX). */
export const HELD_SHARE = 0.02;
/** sweep() reads the live index 100 items at a time. */
const PAGE_SIZE = 100;

export interface DeadlineStorm {
  /** Held messages, all inside the expiry margin at once. */
  items: number;
  groups: number;
  shards: number;
  concurrency: number;
  /** One group's sweep alone (one invocation of the fan-out). */
  group: { actions: number; ms: number; perSecond: number; perShard: number };
  /** The other groups at once, as the local stack's sweepNow runs them (all on this machine's cores). */
  rest: { groups: number; actions: number; ms: number; perSecond: number };
  /** Per call, measured here during the group's sweep: p50 in ms, and calls per expiry action. */
  local: { writeMs: number; callbackMs: number; pageReadMs: number; writesPerAction: number; callbacksPerAction: number };
  /** Expiry actions/s of the deployed fan-out (every group its own invocation). */
  projected: { measured: number; localModel: number; awsModel: number; awsActionMs: number };
  /** The storm at the README's capacity figure, and the headroom. */
  capacity: number;
  load: number;
  ratio: { measured: number; awsModel: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
};

/** `capacity`: the messages/s the README claims (partition heat's figure under default quotas). */
export async function benchDeadlineStorm(options: { items?: number; capacity: number }): Promise<DeadlineStorm> {
  const items = options.items ?? 2000;
  const defs = loadInfraDefinitions();
  const groups = defs.sweeper.shardGroups;
  const stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, apiPort: 0, issuerKeyFile: null, sweepIntervalSeconds: 0, logLevel: 'SILENT', workerConcurrency: 4, env: { ...process.env, POLICY_FILE: '' }, faults: {} });
  const chime = new ChimeSDKMessagingClient({ endpoint: stack.endpoints.chime, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const { runtime, config } = stack;
  const shards = config.shards.status;
  // Latency and count of every call the sweep makes, while `timing` is on.
  let timing = false;
  const calls = new Map<string, number[]>();
  const timed = ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    if (!timing) return next(args);
    const started = performance.now();
    try {
      return await next(args);
    } finally {
      const name = context.commandName ?? '?';
      calls.set(name, [...(calls.get(name) ?? []), performance.now() - started]);
    }
  }) as never;
  stack.clients.dynamodb.middlewareStack.add(timed, { step: 'initialize', name: 'stormTiming' });
  stack.clients.chimeWrites.middlewareStack.add(timed, { step: 'initialize', name: 'stormTiming' });
  try {
    // N messages that the default policy holds for review; nobody decides them.
    const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/storm';
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < items; i = next++) {
          await chime.send(new SendChannelMessageCommand({ ChannelArn: `${app}/channel/room-${i % 50}`, ChimeBearer: `${app}/user/u${i % 400}`, Content: `Can I get a refund for order ${i}? It arrived broken.`, Type: 'STANDARD', Persistence: 'PERSISTENT', ClientRequestToken: `storm-${i}` }));
        }
      }),
    );
    for (const started = Date.now(); Date.now() - started < 600_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const depth = await stack.queueDepth('work');
      if (depth.visible + depth.inFlight === 0 && stack.simulator.invocations().length >= items) break;
    }
    // Every one of them now inside the expiry margin: the sweep's clock stands half a margin
    // before their deadlines (Chime's own clock is untouched, so its window is still open).
    const shift = (config.callbackWindowSeconds - config.expiryMarginSeconds / 2) * 1000;
    const clock: Clock = { now: () => Date.now() + shift };
    const sweepGroup = (group: number): Promise<SweepReport> =>
      sweep({
        store: runtime.store,
        callbacks: runtime.callbacks,
        clock,
        leaseSeconds: runtime.leaseSeconds,
        queue: runtime.queue,
        expiryAction: config.expiryAction,
        expiryMarginSeconds: config.expiryMarginSeconds,
        stuckAfterSeconds: config.stuckAfterSeconds,
        shards: shardsOfGroup(group, groups, shards),
        concurrency: DEFAULT_SWEEP_CONCURRENCY,
      });

    timing = true;
    let started = performance.now();
    const first = await sweepGroup(0);
    const groupMs = performance.now() - started;
    timing = false;
    if (first.errors.length) throw new Error(`the storm's sweep failed on ${first.errors.length} items, first: ${first.errors[0]!.error}`);
    const actions = first.expiryDecisions;
    const writes = calls.get('UpdateItemCommand') ?? [];
    const callbacks = calls.get('ChannelFlowCallbackCommand') ?? [];
    const queries = calls.get('QueryCommand') ?? [];
    const batches = calls.get('BatchGetItemCommand') ?? [];
    const pages = Math.max(1, batches.length);
    // A page: rounds of the group's shard queries (each round in parallel), then one BatchGetItem.
    const rounds = queries.length / pages / (shards / groups);
    const local = {
      writeMs: median(writes),
      callbackMs: median(callbacks),
      pageReadMs: median(queries) * rounds + median(batches),
      writesPerAction: writes.length / Math.max(1, actions),
      callbacksPerAction: callbacks.length / Math.max(1, actions),
    };

    started = performance.now();
    const rest = addSweepReports(await Promise.all(Array.from({ length: groups - 1 }, (_, g) => sweepGroup(g + 1))));
    const restMs = performance.now() - started;

    const perSecond = (actions / groupMs) * 1000;
    const model = (latency: { writeMs: number; callbackMs: number; pageReadMs: number }): SweepLatencyModel => ({
      concurrency: DEFAULT_SWEEP_CONCURRENCY,
      pageSize: PAGE_SIZE,
      actionMs: awsActionMs({ writes: Math.round(local.writesPerAction), callbacks: Math.round(local.callbacksPerAction) }, latency),
      pageReadMs: latency.pageReadMs,
    });
    const aws = model(AWS_LATENCY);
    const projected = {
      measured: perSecond * DEPLOYED.groups,
      localModel: sweepActionsPerSecond(model(local)) * DEPLOYED.groups,
      awsModel: sweepActionsPerSecond(aws) * DEPLOYED.groups,
      awsActionMs: aws.actionMs,
    };
    const load = stormLoad(options.capacity, HELD_SHARE);
    return {
      items,
      groups,
      shards,
      concurrency: DEFAULT_SWEEP_CONCURRENCY,
      group: { actions, ms: Math.round(groupMs), perSecond, perShard: perSecond / (shards / groups) },
      rest: { groups: groups - 1, actions: rest.expiryDecisions, ms: Math.round(restMs), perSecond: (rest.expiryDecisions / restMs) * 1000 },
      local,
      projected,
      capacity: options.capacity,
      load,
      ratio: { measured: projected.measured / load, awsModel: projected.awsModel / load },
    };
  } finally {
    chime.destroy();
    await stack.stop();
  }
}

export function printDeadlineStorm(storm: DeadlineStorm): void {
  const goal = (n: number) => (n >= 10 ? 'meets the goal' : 'MISSES the goal');
  console.log(`  deadline storm: ${fmt(storm.items)} messages held for review, nobody deciding, all inside the expiry margin at once (${storm.groups} shard groups of ${storm.shards / storm.groups} shards, ${storm.concurrency} items at a time per invocation)`);
  console.log(`    one group's sweep alone: ${fmt(storm.group.actions)} expiry actions in ${fmt(storm.group.ms)} ms = ${fmt(storm.group.perSecond, 0)} actions/s per group, ${fmt(storm.group.perShard, 0)} per shard`);
  console.log(`    the other ${storm.rest.groups} groups at once, on this machine's 2 cores: ${fmt(storm.rest.actions)} actions in ${fmt(storm.rest.ms)} ms = ${fmt(storm.rest.perSecond, 0)} actions/s in all`);
  console.log(
    `    measured here: DynamoDB writes per expiry action ${fmt(storm.local.writesPerAction)} (p50 ${fmt(storm.local.writeMs, 1)} ms), callbacks per action ${fmt(storm.local.callbacksPerAction)} (p50 ${fmt(storm.local.callbackMs, 1)} ms); a page read ~${fmt(storm.local.pageReadMs, 1)} ms`,
  );
  console.log(`    projected for ${DEPLOYED.groups} groups (each its own invocation), ${DEPLOYED.shards} shards:`);
  console.log(`      × the measured per-group rate                         ${fmt(storm.projected.measured, 0).padStart(7)} actions/s`);
  console.log(`      the page model with the per-call latencies measured here ${fmt(storm.projected.localModel, 0).padStart(7)} actions/s`);
  console.log(
    `      the page model in AWS (write ${AWS_LATENCY.writeMs} ms, callback ${AWS_LATENCY.callbackMs} ms: ${fmt(storm.projected.awsActionMs)} ms an action; page read ${AWS_LATENCY.pageReadMs} ms) ${fmt(storm.projected.awsModel, 0).padStart(7)} actions/s`,
  );
  console.log(`    the storm at the capacity figure: ${fmt(storm.capacity, 0)} msg/s × ${HELD_SHARE * 100}% held = ${fmt(storm.load, 0)} expiry actions/s`);
  console.log(`    capacity / load (goal ≥ 10): ×${fmt(storm.ratio.measured, 1)} projected from the rate measured here (${goal(storm.ratio.measured)}), ×${fmt(storm.ratio.awsModel, 1)} with the AWS model (${goal(storm.ratio.awsModel)})`);
}

/** The capacity figure the README claims (partition heat, default quotas): what a direct run compares with. */
export const README_CAPACITY = 7630;

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `npx tsx bench/sweeper.ts [small large]` or `npx tsx bench/sweeper.ts --storm [items] [--capacity N]`
  const args = process.argv.slice(2);
  if (args[0] === '--storm') {
    const at = args.indexOf('--capacity');
    const items = Number(args[1]) || undefined;
    printDeadlineStorm(await benchDeadlineStorm({ ...(items ? { items } : {}), capacity: at >= 0 ? Number(args[at + 1]) : README_CAPACITY }));
  } else {
    const [small, large] = args.map(Number);
    printSweeperBench(await benchSweeper({ ...(small ? { small } : {}), ...(large ? { large } : {}) }));
  }
}
