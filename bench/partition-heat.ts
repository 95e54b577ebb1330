/**
 * Partition heat and honest capacity: what stops a real table first, on this key design?
 *
 * A realistic mix of messages runs through the local stack (intake → SQS → worker → callback,
 * moderators working the queue through the review API, the sweeper, the stats), optionally with
 * Chime faults: callbacks throttled (`--chime-throttle 0.1`: 10% of ChannelFlowCallback attempts
 * answered 429, retried in place, then recorded as a retry) and duplicate invocations
 * (`--duplicates 1`: every processor invocation delivered twice). A recorder on the DynamoDB
 * client sees every call with its answer, keeps the last image of every item, and charges
 * capacity the way DynamoDB does (bench/dynamodb-units.ts):
 *
 *   write  table: 1 WCU per started KB of the larger of the item before and after; a write whose
 *          condition fails: 1 WCU per started KB of the item as it is (AWS charges it), no index
 *          each GSI: nothing if neither the keys nor a projected attribute changed; a put of
 *          the new entry, a delete of the old one, or both when its keys changed; 1 WCU per
 *          started KB of the entry (projected attributes + keys + 100 bytes)
 *   read   strongly consistent 1 RCU per started 4 KB (GetItem, BatchGetItem; a key that is not
 *          there costs 1 RCU too); a Query reads its page's items, eventually consistent, half a
 *          unit per started 4 KB, at least 0.5
 *
 * Units land on the partition key they hit: the table's CallbackId, an index's liveKey or
 * auditKey, the control table's pk. The policy reads (pk POLICY#…) are time-driven, not
 * per message: they are kept apart and modelled as W × (2 + C) / POLICY_REFRESH_SECONDS
 * (bench/capacity.ts). The same item images also drive two models on the very same traffic: the
 * previous design's two indexes (status | deadline and decisionDay | decidedAt, both projecting
 * ALL), and byLiveDue as it would be if every write still moved its keys (a same-status write —
 * a retry, a lease — now leaves them alone, src/adapters/dynamodb-store.ts `staysPut`).
 *
 * From the units per message, bench/capacity.ts derives the message rate at which each table
 * and index reaches each limit (1,000 WCU/s and 3,000 RCU/s per key; 40,000 WRU/s and RRU/s per
 * table and per GSI; a new table's warm throughput of 4,000 WRU/s and 12,000 RRU/s) and which
 * one binds first.
 */
import { ChimeSDKMessagingClient, SendChannelMessageCommand, UpdateChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { sortKey, type KeySettings } from '../src/adapters/table-keys.js';
import { loadLivePolicySettings } from '../src/config.js';
import { isLiveStatus, sweepAt } from '../src/domain/deadline.js';
import { loadInfraDefinitions, type GlobalSecondaryIndexDefinition } from '../src/infra/definitions.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import {
  DYNAMODB_LIMITS,
  capacityFigures,
  limitsOf,
  policyHeadBudget,
  policyHeadLoad,
  rowCapacity,
  unitRows,
  type Binding,
  type CapacityFigures,
  type UnitRow,
} from './capacity.js';
import { applyUpdate, failedWriteUnits, indexEntryUnits, itemSize, rcu, writeUnits, type Item } from './dynamodb-units.js';
import { isRunDirectly } from './run-directly.js';

// ─── Index models ───────────────────────────────────────────────────────────────────────────

interface IndexModel {
  name: string;
  /** The entry's partition key, or undefined when the item is not in the index (sparse). */
  key(item: Item): string | undefined;
  /** The entry's sort key. */
  sort(item: Item): string | undefined;
  /** The entry as stored: keys, table key, projected attributes (undefined when not in the index). */
  entry(item: Item): Item | undefined;
}

const str = (v: AttributeValue | undefined) => v?.S;

/** An index of this design, from its serverless.yml definition. */
function modelOf(gsi: GlobalSecondaryIndexDefinition, tableKey: string): IndexModel {
  const hash = gsi.KeySchema[0]!.AttributeName;
  const range = gsi.KeySchema[1]?.AttributeName;
  const include = gsi.Projection.ProjectionType === 'INCLUDE' ? (gsi.Projection.NonKeyAttributes ?? []) : [];
  const all = gsi.Projection.ProjectionType === 'ALL';
  return {
    name: gsi.IndexName,
    key: (item) => (item[hash] && (!range || item[range]) ? str(item[hash]) : undefined),
    sort: (item) => (range ? str(item[range]) : undefined),
    entry: (item) => {
      if (!item[hash] || (range && !item[range])) return undefined;
      if (all) return item;
      const names = [hash, ...(range ? [range] : []), tableKey, ...include];
      return Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]!]));
    },
  };
}

/**
 * byLiveDue as it was before same-status writes left it alone: every write of a live item set
 * its sort key from that write's updatedAt (sweepAt), so a retry or a lease of a DECIDED item
 * (whose sweep moment is "stuck after" its last write) moved its entry: a delete and a put.
 */
function liveDueIfEveryWriteMovedIt(live: IndexModel, settings: KeySettings): IndexModel {
  const dueKey = (item: Item): string | undefined => {
    const status = str(item.status);
    const deadline = str(item.deadline);
    const updatedAt = str(item.updatedAt);
    const callbackId = str(item.callbackId);
    if (!item.liveKey || !status || !isLiveStatus(status as never) || !deadline || !updatedAt || !callbackId) return str(item.dueKey);
    return sortKey(sweepAt(status as never, { deadline, updatedAt }, settings), callbackId);
  };
  return {
    name: live.name,
    key: live.key,
    sort: dueKey,
    entry: (item) => {
      const entry = live.entry(item);
      const due = dueKey(item);
      return entry && due ? { ...entry, dueKey: { S: due } } : entry;
    },
  };
}

/** The previous design's two indexes (status | deadline, decisionDay | decidedAt; projection ALL), on the same items. */
const DERIVED = new Set(['liveKey', 'dueKey', 'auditKey', 'auditSort', 'channelArn', 'senderArn', 'ruleIds', 'decisionOrigin', 'decidedById', 'decidedByName', 'previousStatus']);
const asPreviousDesign = (item: Item): Item => {
  const out = Object.fromEntries(Object.entries(item).filter(([name]) => !DERIVED.has(name)));
  const decidedAt = item.decision?.M?.decidedAt?.S;
  return decidedAt ? { ...out, decisionDay: { S: decidedAt.slice(0, 10) }, decidedAt: { S: decidedAt } } : out;
};
const PREVIOUS_INDEXES: IndexModel[] = [
  { name: 'byStatusDeadline', key: (i) => str(i.status), sort: (i) => str(i.deadline), entry: (i) => (i.status && i.deadline ? asPreviousDesign(i) : undefined) },
  {
    name: 'byDecisionDay',
    key: (i) => (i.decision?.M?.decidedAt?.S ?? '').slice(0, 10) || undefined,
    sort: (i) => i.decision?.M?.decidedAt?.S,
    entry: (i) => (i.decision?.M?.decidedAt?.S ? asPreviousDesign(i) : undefined),
  },
];

// ─── The recorder ───────────────────────────────────────────────────────────────────────────

type ByKey = Map<string, Map<string, number>>;

class Heat {
  /** table or index → partition key → units. */
  readonly wcu: ByKey = new Map();
  readonly rcu: ByKey = new Map();
  /** Of those: writes whose condition failed, reads of keys that were not there. */
  readonly wastedWcu: ByKey = new Map();
  readonly wastedRcu: ByKey = new Map();

  add(kind: 'wcu' | 'rcu' | 'wastedWcu' | 'wastedRcu', where: string, key: string, units: number): void {
    if (typeof key !== 'string') throw new Error(`no partition key for ${kind} on ${where}`);
    const byKey = this[kind].get(where) ?? new Map<string, number>();
    this[kind].set(where, byKey);
    byKey.set(key, (byKey.get(key) ?? 0) + units);
  }
}

interface Recorder {
  current: Heat;
  previous: Heat;
  /** byLiveDue only, as if every write still moved its keys. */
  movedOnEveryWrite: Heat;
  /** Time-driven reads (the policy HEADs and documents), by key. */
  policyReads: Map<string, number>;
  /** Writes whose condition failed, by table. */
  failedWrites: Map<string, number>;
  /** Moderation-table updates that left the status as it was (claims, leases, retries, reschedules), by status. */
  sameStatusWrites: Map<string, number>;
}

const POLICY_PREFIX = 'POLICY#';

function attachRecorder(stack: LocalStack): Recorder {
  const defs = loadInfraDefinitions();
  const settings: KeySettings = {
    statusShards: stack.config.shards.status,
    auditShards: stack.config.shards.audit,
    expiryMarginSeconds: stack.config.expiryMarginSeconds,
    stuckAfterSeconds: stack.config.stuckAfterSeconds,
  };
  const indexes = defs.table.globalSecondaryIndexes.map((g) => modelOf(g, 'callbackId'));
  const liveIndex = indexes.find((i) => i.name === 'byLiveDue');
  const tables: Record<string, { label: string; keys: string[]; indexes: IndexModel[]; previous: IndexModel[]; moved: IndexModel[] }> = {
    [stack.resources.tableName]: { label: 'ModerationTable', keys: ['callbackId'], indexes, previous: PREVIOUS_INDEXES, moved: liveIndex ? [liveDueIfEveryWriteMovedIt(liveIndex, settings)] : [] },
    [stack.resources.controlTableName]: { label: 'ControlTable', keys: ['pk', 'sk'], indexes: [], previous: [], moved: [] },
  };
  const images = new Map<string, Item>(); // table/key → last known item
  const recorder: Recorder = { current: new Heat(), previous: new Heat(), movedOnEveryWrite: new Heat(), policyReads: new Map(), failedWrites: new Map(), sameStatusWrites: new Map() };

  const write = (tableName: string, key: string, before: Item | undefined, after: Item | undefined) => {
    const t = tables[tableName];
    if (!t) return;
    recorder.current.add('wcu', t.label, key, writeUnits(before, after));
    // The previous design had no control table (no counters: its stats read index pages), and
    // its items lacked this design's derived attributes.
    if (t.label === 'ModerationTable') {
      recorder.previous.add('wcu', t.label, key, writeUnits(before && asPreviousDesign(before), after && asPreviousDesign(after)));
    }
    for (const [heat, models] of [[recorder.current, t.indexes], [recorder.previous, t.previous], [recorder.movedOnEveryWrite, t.moved]] as const) {
      for (const index of models) {
        const was = before ? index.entry(before) : undefined;
        const now = after ? index.entry(after) : undefined;
        const where = `${t.label}.${index.name}`;
        if (was && now && index.key(before!) === index.key(after!) && index.sort(before!) === index.sort(after!)) {
          // Same keys: an update in place, and only if a projected attribute changed.
          if (JSON.stringify(was) !== JSON.stringify(now)) heat.add('wcu', where, index.key(after!)!, indexEntryUnits(now));
          continue;
        }
        // Keys changed (or the item entered or left the sparse index): a delete and/or a put.
        if (was) heat.add('wcu', where, index.key(before!)!, indexEntryUnits(was));
        if (now) heat.add('wcu', where, index.key(after!)!, indexEntryUnits(now));
      }
    }
  };

  /** A write whose condition failed: charged on the item as it is, to the table only. */
  const failedWrite = (tableName: string, key: string, existing: Item | undefined) => {
    const t = tables[tableName];
    if (!t) return;
    const units = failedWriteUnits(existing);
    recorder.current.add('wcu', t.label, key, units);
    recorder.current.add('wastedWcu', t.label, key, units);
    if (t.label === 'ModerationTable') recorder.previous.add('wcu', t.label, key, failedWriteUnits(existing && asPreviousDesign(existing)));
    recorder.failedWrites.set(t.label, (recorder.failedWrites.get(t.label) ?? 0) + 1);
  };

  const read = (label: string, key: string, units: number, found: boolean) => {
    if (key.startsWith(POLICY_PREFIX)) {
      recorder.policyReads.set(key, (recorder.policyReads.get(key) ?? 0) + units);
      return;
    }
    recorder.current.add('rcu', label, key, units);
    if (!found) recorder.current.add('wastedRcu', label, key, units);
  };

  /** The partition key's value, and the item's identity in the image cache (every key attribute). */
  const partitionOf = (t: { keys: string[] }, key: Record<string, AttributeValue> | undefined) => str(key?.[t.keys[0]!]) ?? '?';
  const idOf = (tableName: string, t: { keys: string[] }, key: Record<string, AttributeValue> | undefined) => `${tableName}/${t.keys.map((k) => str(key?.[k]) ?? '').join('/')}`;
  // Inputs arrive marshalled (the document client marshals before this step); outputs are
  // already unmarshalled by the time they pass back through it. Size everything as DynamoDB stores it.
  const stored = (item: Record<string, unknown>): Item => marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Item;

  const middleware = (next: (args: { input: Record<string, any> }) => Promise<{ output: Record<string, any> }>, context: { commandName?: string }) =>
    async (args: { input: Record<string, any> }) => {
      const input = args.input;
      const t = tables[input.TableName];
      let result: { output: Record<string, any> };
      try {
        result = await next(args);
      } catch (error) {
        // AWS charges a write whose condition fails: the item as it is, at least 1 WCU.
        const isWrite = context.commandName === 'PutItemCommand' || context.commandName === 'UpdateItemCommand' || context.commandName === 'DeleteItemCommand';
        if (t && isWrite && (error as Error).name === 'ConditionalCheckFailedException') {
          const key = input.Item ?? input.Key;
          failedWrite(input.TableName, partitionOf(t, key), images.get(idOf(input.TableName, t, key)));
        }
        throw error;
      }
      const output = result.output;
      switch (context.commandName) {
        case 'PutItemCommand': {
          if (!t) break;
          const id = idOf(input.TableName, t, input.Item);
          write(input.TableName, partitionOf(t, input.Item), images.get(id), input.Item);
          images.set(id, input.Item);
          break;
        }
        case 'UpdateItemCommand': {
          if (!t) break;
          const id = idOf(input.TableName, t, input.Key);
          const before = images.get(id);
          // With ALL_NEW the new image is known; otherwise it follows from the expression.
          const after: Item = output.Attributes ? stored(output.Attributes) : applyUpdate(before ?? input.Key, input);
          write(input.TableName, partitionOf(t, input.Key), before, after);
          images.set(id, after);
          const status = str(after.status);
          if (t.label === 'ModerationTable' && status && str(before?.status) === status) recorder.sameStatusWrites.set(status, (recorder.sameStatusWrites.get(status) ?? 0) + 1);
          break;
        }
        case 'DeleteItemCommand': {
          if (!t) break;
          const id = idOf(input.TableName, t, input.Key);
          write(input.TableName, partitionOf(t, input.Key), images.get(id), undefined);
          images.delete(id);
          break;
        }
        case 'GetItemCommand': {
          if (!t) break;
          const item = output.Item ? stored(output.Item) : undefined;
          read(t.label, partitionOf(t, input.Key), rcu(item ? itemSize(item) : 0, input.ConsistentRead === true), item !== undefined);
          if (item) images.set(idOf(input.TableName, t, input.Key), item);
          break;
        }
        case 'BatchGetItemCommand': {
          for (const [tableName, request] of Object.entries((input.RequestItems ?? {}) as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)) {
            const bt = tables[tableName];
            if (!bt) continue;
            const consistent = request.ConsistentRead === true;
            const found = new Set<string>();
            for (const plain of (output.Responses?.[tableName] ?? []) as Array<Record<string, unknown>>) {
              const item = stored(plain);
              const id = idOf(tableName, bt, item);
              found.add(id);
              images.set(id, item);
              read(bt.label, partitionOf(bt, item), rcu(itemSize(item), consistent), true);
            }
            const unprocessed = new Set(((output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<Record<string, unknown>>).map((k) => idOf(tableName, bt, stored(k))));
            // A key that is not there is read all the same: the least a read costs.
            for (const key of request.Keys) {
              const id = idOf(tableName, bt, key);
              if (!found.has(id) && !unprocessed.has(id)) read(bt.label, partitionOf(bt, key), rcu(0, consistent), false);
            }
          }
          break;
        }
        case 'QueryCommand': {
          if (!t) break;
          // The partition key the query names: `#x = :y` where #x is the table's or index's hash attribute.
          const hash = input.IndexName ? (defs.table.globalSecondaryIndexes.find((g) => g.IndexName === input.IndexName)?.KeySchema[0]?.AttributeName ?? '?') : t.keys[0];
          let partition = '?';
          for (const m of String(input.KeyConditionExpression).matchAll(/(#\w+|\w+)\s*=\s*(:\w+)/g)) {
            const name = m[1]!.startsWith('#') ? input.ExpressionAttributeNames?.[m[1]!] : m[1];
            if (name === hash) partition = str(input.ExpressionAttributeValues?.[m[2]!]) ?? '?';
          }
          const bytes = ((output.Items ?? []) as Array<Record<string, unknown>>).reduce((n, item) => n + itemSize(stored(item)), 0);
          read(input.IndexName ? `${t.label}.${input.IndexName}` : t.label, partition, rcu(bytes, input.ConsistentRead === true), true);
          break;
        }
      }
      return result;
    };
  stack.clients.dynamodb.middlewareStack.add(middleware as never, { step: 'serialize', name: 'partitionHeatRecorder', priority: 'low' });
  return recorder;
}

// ─── The traffic ─────────────────────────────────────────────────────────────────────────────

/** The default traffic mix (README "Keys that spread"): per 100 messages. */
export const TRAFFIC_MIX = [
  { share: 88, kind: 'clean', text: (i: number) => `Morning all, the deploy for ticket ${i} is done; notes are in the channel wiki. ` },
  { share: 4, kind: 'pii', text: (i: number) => `Reach me at dana${i}@example.com or +1 (206) 555-01${String(i % 100).padStart(2, '0')} about the invoice.` },
  { share: 2, kind: 'blocked', text: (i: number) => `Earn 10x with scamcoin today, guaranteed returns (${i})` },
  { share: 2, kind: 'review', text: (i: number) => `Can I get a refund for order ${i}? It arrived broken.` },
  { share: 2, kind: 'unknown link', text: (i: number) => `Slides for ${i}: https://slides.example.net/deck/${i}` },
  { share: 2, kind: 'edit', text: (i: number) => `Corrected: the meeting ${i} moved to 10:30.` },
] as const;

function kindOf(i: number): (typeof TRAFFIC_MIX)[number] {
  let slot = (i * 37) % 100; // spread the kinds evenly over the run
  for (const kind of TRAFFIC_MIX) {
    if (slot < kind.share) return kind;
    slot -= kind.share;
  }
  return TRAFFIC_MIX[0];
}

/** Chime faults the run is made under. */
export interface HeatConfiguration {
  /** 0..1: ChannelFlowCallback attempts answered 429 (retried in place, then recorded as a retry). */
  chimeThrottle: number;
  /** Extra copies of every processor invocation. */
  duplicates: number;
}

export const CONFIGURATIONS: readonly HeatConfiguration[] = [
  { chimeThrottle: 0, duplicates: 0 },
  { chimeThrottle: 0.1, duplicates: 0 },
  { chimeThrottle: 0, duplicates: 1 },
  { chimeThrottle: 0.1, duplicates: 1 },
];

export const describeConfiguration = (c: HeatConfiguration): string =>
  [c.chimeThrottle ? `--chime-throttle ${c.chimeThrottle}` : '', c.duplicates ? `--duplicates ${c.duplicates}` : ''].filter(Boolean).join(' ') || 'no flags';

export interface HeatReport {
  messages: number;
  seconds: number;
  configuration: HeatConfiguration;
  /** This design, per table and index (time-driven policy reads excluded). */
  writes: UnitRow[];
  reads: UnitRow[];
  /** The previous design's writes on the same traffic. */
  previous: UnitRow[];
  /** byLiveDue if every write still moved its keys. */
  movedOnEveryWrite?: UnitRow;
  figures: CapacityFigures;
  /** The figures with byLiveDue as if every write still moved its keys. */
  movedFigures?: CapacityFigures;
  /** The previous design's rate (its hottest key; it had the same quotas). */
  previousPerKey: Binding;
  /** Writes whose condition failed, by table; same-status writes of the moderation table, by status. */
  failedWrites: Record<string, number>;
  sameStatusWrites: Record<string, number>;
  /** What Chime saw: callback attempts, those answered 429, processor invocations. */
  chime: { callbackAttempts: number; throttled: number; invocations: number };
  /** Time-driven policy reads in the run (one worker container): units, keys read, and the channels in use. */
  policyReads: { units: number; keys: number; channels: number };
  /** WarmThroughput this stack deploys with (serverless.yml params). */
  warm: { write: number; read: number };
  refreshSeconds: number;
}

const CHANNELS = 40;

export async function benchPartitionHeat(options: { messages?: number; concurrency?: number } & Partial<HeatConfiguration> = {}): Promise<HeatReport> {
  const total = options.messages ?? 5000;
  const concurrency = options.concurrency ?? 8;
  const configuration: HeatConfiguration = { chimeThrottle: options.chimeThrottle ?? 0, duplicates: options.duplicates ?? 0 };
  const params = loadInfraDefinitions().params;
  const warm = { write: Number(params.tableWarmWriteUnitsPerSecond ?? DYNAMODB_LIMITS.newTableWarm.write), read: Number(params.tableWarmReadUnitsPerSecond ?? DYNAMODB_LIMITS.newTableWarm.read) };
  const stack = await startLocalStack({
    chimePort: 0,
    lambdaPort: 0,
    apiPort: 0,
    issuerKeyFile: null,
    sweepIntervalSeconds: 0,
    logLevel: 'SILENT',
    workerConcurrency: 4,
    env: { ...process.env, POLICY_FILE: '' },
    faults: { callbackThrottleRate: configuration.chimeThrottle, duplicateInvocations: configuration.duplicates },
  });
  const chime = new ChimeSDKMessagingClient({ endpoint: stack.endpoints.chime, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const token = await stack.issuer.mint({ user: 'bench-moderator', groups: ['moderators'] });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return response.json() as Promise<any>;
  };
  const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/heat';
  const sent: Array<{ channel: string; sender: string; messageId: string }> = [];
  const recorder = attachRecorder(stack);
  const startedAt = Date.now();
  try {
    let next = 0;
    const sendOne = async (i: number) => {
      const kind = kindOf(i);
      const channel = `${app}/channel/c${i % CHANNELS}`;
      const sender = `${app}/user/u${i % 400}`;
      if (kind.kind === 'edit' && sent.length > 100) {
        // An edit of an earlier message that has been delivered.
        const earlier = sent[(i * 7) % (sent.length - 100)]!;
        try {
          await chime.send(new UpdateChannelMessageCommand({ ChannelArn: earlier.channel, MessageId: earlier.messageId, ChimeBearer: earlier.sender, Content: kind.text(i) }));
          return;
        } catch (error) {
          // Still PENDING (BadRequest) or denied, so gone (NotFound): send a new message instead.
          if ((error as Error).name !== 'BadRequestException' && (error as Error).name !== 'NotFoundException') throw error;
        }
      }
      const reply = await chime.send(new SendChannelMessageCommand({ ChannelArn: channel, ChimeBearer: sender, Content: kind.text(i), Type: 'STANDARD', Persistence: 'PERSISTENT', ClientRequestToken: `heat-${i}` }));
      sent.push({ channel, sender, messageId: reply.MessageId! });
    };
    // Moderators work the queue while messages flow: list it, claim and decide most of what is held.
    const moderate = async () => {
      const page = await api('GET', '/reviews?limit=25&claimed=none');
      for (const [n, item] of (page.items ?? []).entries()) {
        if (n % 5 === 4) continue; // some stay held
        await api('POST', `/reviews/${item.callbackId}/claim`, {});
        await api('POST', `/reviews/${item.callbackId}/decision`, n % 2 ? { action: 'ALLOW' } : { action: 'DENY', reason: 'spam' });
      }
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          await sendOne(i);
          if (i % 250 === 249) await moderate();
          if (i % 500 === 499) await api('GET', '/stats');
          if (i % 1000 === 999) await stack.sweepNow();
        }
      }),
    );
    // Let the pipeline settle: the work queue drained and no callback landing for a while.
    const started = Date.now();
    let last = -1;
    while (Date.now() - started < 600_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const depth = await stack.queueDepth('work');
      const count = stack.simulator.callbacks().length;
      if (depth.visible + depth.inFlight === 0 && count === last) break;
      last = count;
    }
    await moderate();
    await stack.sweepNow();

    const seconds = (Date.now() - startedAt) / 1000;

    const writes = unitRows(recorder.current.wcu, total, recorder.current.wastedWcu);
    const reads = unitRows(recorder.current.rcu, total, recorder.current.wastedRcu);
    const previous = unitRows(recorder.previous.wcu, total);
    const movedOnEveryWrite = unitRows(recorder.movedOnEveryWrite.wcu, total)[0];
    const figures = capacityFigures(writes, reads, { warm });
    const movedFigures = movedOnEveryWrite ? capacityFigures(writes.map((row) => (row.where === movedOnEveryWrite.where ? movedOnEveryWrite : row)), reads, { warm }) : undefined;
    const previousPerKey = capacityFigures(previous, []).raised;
    const callbacks = stack.simulator.callbacks();
    return {
      messages: total,
      seconds,
      configuration,
      writes,
      reads,
      previous,
      ...(movedOnEveryWrite ? { movedOnEveryWrite } : {}),
      figures,
      ...(movedFigures ? { movedFigures } : {}),
      previousPerKey,
      failedWrites: Object.fromEntries(recorder.failedWrites),
      sameStatusWrites: Object.fromEntries(recorder.sameStatusWrites),
      chime: { callbackAttempts: callbacks.length, throttled: callbacks.filter((c) => c.outcome?.status === 429).length, invocations: stack.simulator.invocations().length },
      policyReads: { units: [...recorder.policyReads.values()].reduce((a, b) => a + b, 0), keys: recorder.policyReads.size, channels: CHANNELS },
      warm,
      refreshSeconds: loadLivePolicySettings(process.env).refreshSeconds,
    };
  } finally {
    chime.destroy();
    await stack.stop();
  }
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '∞');
const pct = (n: number, digits = 1) => `${fmt(n * 100, digits)}%`;

const LIMIT_WORDS = {
  'per-key': (direction: 'write' | 'read') => `its hottest key reaches ${fmt(DYNAMODB_LIMITS.perKey[direction])} ${direction === 'write' ? 'WCU' : 'RCU'}/s`,
  quota: (direction: 'write' | 'read') => `it reaches the ${fmt(DYNAMODB_LIMITS.quota[direction])} ${direction === 'write' ? 'WRU' : 'RRU'}/s on-demand quota`,
  warm: (direction: 'write' | 'read', warm?: number) => `it reaches its warm throughput (${fmt(warm ?? DYNAMODB_LIMITS.newTableWarm[direction])} ${direction === 'write' ? 'WRU' : 'RRU'}/s)`,
};
const bindingText = (b: Binding, warm?: { write: number; read: number }) =>
  `${fmt(b.messagesPerSecond, 0)} msg/s — ${b.where} ${b.direction}s: ${b.limit === 'warm' ? LIMIT_WORDS.warm(b.direction, warm?.[b.direction]) : LIMIT_WORDS[b.limit](b.direction)}`;

function printRows(title: string, rows: UnitRow[], direction: 'write' | 'read', wastedLabel: string): void {
  const unit = direction === 'write' ? 'WCU' : 'RCU';
  const limits = limitsOf(direction);
  console.log(
    `    ${title.padEnd(32)} ${`${unit}/msg`.padStart(8)} ${wastedLabel.padStart(8)} ${'hottest key'.padEnd(24)} ${'share'.padStart(6)}  ${`${fmt(limits.perKey)}/key`.padStart(11)} ${`${fmt(limits.quota)} quota`.padStart(13)} ${`${fmt(limits.warm)} warm`.padStart(12)}`,
  );
  for (const row of rows) {
    const c = rowCapacity(row, limits);
    console.log(
      `    ${row.where.padEnd(32)} ${fmt(row.unitsPerMessage).padStart(8)} ${fmt(row.wastedPerMessage).padStart(8)} ${row.hottestKey.slice(0, 24).padEnd(24)} ${pct(row.hottestShare).padStart(6)}  ${fmt(c.byKey, 0).padStart(11)} ${fmt(c.byQuota, 0).padStart(13)} ${fmt(c.byWarm, 0).padStart(12)}`,
    );
  }
}

/** One configuration's table: units per message, hottest keys, the rate before each limit, what binds. */
export function printPartitionHeat(report: HeatReport, options: { previousDesign?: boolean } = {}): void {
  const f = report.figures;
  console.log(`  ${describeConfiguration(report.configuration)}: ${fmt(report.messages)} messages of the default mix in ${fmt(report.seconds, 0)} s; Chime saw ${fmt(report.chime.invocations)} invocations, ${fmt(report.chime.callbackAttempts)} callback attempts (${fmt(report.chime.throttled)} answered 429)`);
  console.log('    messages/s before each limit (per key; the on-demand quota of the table or GSI; a new table\'s warm throughput):');
  printRows('writes', report.writes, 'write', 'failed');
  printRows('reads (policy reads apart)', report.reads, 'read', 'missing');
  const failed = Object.entries(report.failedWrites).map(([t, n]) => `${t} ${fmt(n / report.messages, 3)}`).join(', ') || 'none';
  const same = Object.entries(report.sameStatusWrites).map(([s, n]) => `${s} ${fmt(n / report.messages, 3)}`).join(', ') || 'none';
  console.log(`    failed conditional writes per message: ${failed}; same-status writes per message (claims, leases, retries, reschedules): ${same}`);
  console.log(`    (a) a new table:                 ${bindingText(f.newTable)}`);
  if (f.prewarmed) console.log(`        as this stack creates it (WarmThroughput ${fmt(report.warm.write)} WRU/s, ${fmt(report.warm.read)} RRU/s): ${bindingText(f.prewarmed, report.warm)}`);
  console.log(`    (b) warmed, default quotas:      ${bindingText(f.defaultQuotas)}`);
  console.log(`    (c) quotas and warm raised:      ${bindingText(f.raised)}`);
  for (const r of f.toRaise) console.log(`        raise: ${r.where} ${r.direction} quota ${fmt(r.current)} → ≥ ${fmt(r.unitsPerSecond)} ${r.direction === 'write' ? 'WRU' : 'RRU'}/s (Service Quotas, Amazon DynamoDB, "Table-level ${r.direction} throughput limit"), and its WarmThroughput with it`);
  if (f.warmFor.length) console.log(`        (b) from the first second needs WarmThroughput: ${f.warmFor.map((r) => `${r.where} ${r.direction} ≥ ${fmt(r.unitsPerSecond)}`).join('; ')}`);
  console.log('        beyond (c): more write shards (STATUS_SHARDS, AUDIT_SHARDS, COUNTER_SHARDS: twice the shards, twice the per-key rate)');
  if (report.movedOnEveryWrite && report.movedFigures) {
    const live = report.writes.find((r) => r.where === report.movedOnEveryWrite!.where);
    const m = report.movedOnEveryWrite;
    console.log(
      `    ${m.where} if every write still moved its keys: ${fmt(m.unitsPerMessage)} WCU/msg (now ${fmt(live?.unitsPerMessage ?? 0)}), hottest ${m.hottestKey} ${pct(m.hottestShare)} (now ${live?.hottestKey ?? '-'} ${pct(live?.hottestShare ?? 0)}); (b) would be ${fmt(report.movedFigures.defaultQuotas.messagesPerSecond, 0)}, (c) ${fmt(report.movedFigures.raised.messagesPerSecond, 0)} msg/s`,
    );
  }
  const perSecond = report.policyReads.units / report.seconds;
  console.log(
    `    time-driven: ${fmt(report.policyReads.units)} RCU of policy reads on ${report.policyReads.keys} keys in ${fmt(report.seconds, 0)} s = ${fmt(perSecond)} RCU/s from the one worker container (model while busy: (2 + ${report.policyReads.channels}) / ${report.refreshSeconds} = ${fmt((2 + report.policyReads.channels) / report.refreshSeconds)} RCU/s)`,
  );
  if (options.previousDesign) {
    console.log('    previous design (same traffic, its two indexes modelled on the same item images; reads not modelled), writes:');
    printRows('writes', report.previous, 'write', 'failed');
    console.log(`    previous design, its hottest key: ${bindingText(report.previousPerKey)}; this design (c) ×${fmt(f.raised.messagesPerSecond / report.previousPerKey.messagesPerSecond, 1)}`);
  }
}

/** The figures of every configuration side by side, and the policy reads as a function of containers and channels. */
export function printCapacitySummary(reports: readonly HeatReport[]): void {
  console.log('  summary (msg/s):');
  console.log(`    ${'configuration'.padEnd(36)} ${'WCU/msg table'.padStart(13)} ${'(a) new table'.padStart(14)} ${'(b) default quotas'.padStart(19)} ${'(c) raised'.padStart(11)}  binding at (c)`);
  for (const r of reports) {
    const table = r.writes.find((w) => w.where === 'ModerationTable');
    console.log(
      `    ${describeConfiguration(r.configuration).padEnd(36)} ${fmt(table?.unitsPerMessage ?? 0).padStart(13)} ${fmt(r.figures.newTable.messagesPerSecond, 0).padStart(14)} ${fmt(r.figures.defaultQuotas.messagesPerSecond, 0).padStart(19)} ${fmt(r.figures.raised.messagesPerSecond, 0).padStart(11)}  ${r.figures.raised.where} ${r.figures.raised.direction}s, ${r.figures.raised.limit} (${r.writes.concat(r.reads).find((w) => w.where === r.figures.raised.where)?.hottestKey ?? ''})`,
    );
  }
  const refresh = reports[0]?.refreshSeconds ?? 10;
  console.log(`  policy HEAD reads (time-driven): W worker containers × (2 + C channels in use) / ${refresh} s, 1 RCU each (strongly consistent, < 4 KB, found or not)`);
  console.log(`    ${'W'.padStart(6)} ${'C'.padStart(7)} ${'RCU/s'.padStart(9)} ${'global HEAD RCU/s'.padStart(18)} ${'of 3,000/key'.padStart(13)} ${'of 40,000 quota'.padStart(16)} ${'of 12,000 warm'.padStart(15)}`);
  for (const containers of [10, 100, 1000]) {
    for (const channels of [10, 1000, 10_000]) {
      const l = policyHeadLoad({ containers, channels, refreshSeconds: refresh });
      console.log(`    ${fmt(containers).padStart(6)} ${fmt(channels).padStart(7)} ${fmt(l.totalRcuPerSecond, 0).padStart(9)} ${fmt(l.perKeyRcuPerSecond).padStart(18)} ${pct(l.keyUse).padStart(13)} ${pct(l.quotaUse).padStart(16)} ${pct(l.warmUse).padStart(15)}`);
    }
  }
  console.log(`    the ControlTable's read quota holds while W × (2 + C) ≤ ${fmt(policyHeadBudget(refresh))}; a shared HEAD key reaches 3,000 RCU/s at W = ${fmt(DYNAMODB_LIMITS.perKey.read * refresh)}`);
}

/** Every configuration, one after the other (each on a fresh stack). */
export async function benchCapacityConfigurations(options: { messages?: number } = {}): Promise<HeatReport[]> {
  const reports: HeatReport[] = [];
  for (const configuration of CONFIGURATIONS) reports.push(await benchPartitionHeat({ ...options, ...configuration }));
  return reports;
}

/** `npx tsx bench/partition-heat.ts [messages] [--chime-throttle R] [--duplicates N] [--all]` */
export function parseHeatArguments(argv: readonly string[]): { messages: number; configurations: HeatConfiguration[] } {
  let messages = 5000;
  let chimeThrottle = 0;
  let duplicates = 0;
  let all = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a non-negative number`);
      return v;
    };
    if (arg === '--chime-throttle') chimeThrottle = value();
    else if (arg === '--duplicates') duplicates = Math.floor(value());
    else if (arg === '--all') all = true;
    else if (/^\d+$/.test(arg)) messages = Number(arg);
    else throw new Error(`unknown argument ${arg} (usage: partition-heat.ts [messages] [--chime-throttle R] [--duplicates N] [--all])`);
  }
  if (chimeThrottle > 1) throw new Error('--chime-throttle is a rate between 0 and 1');
  return { messages, configurations: all ? [...CONFIGURATIONS] : [{ chimeThrottle, duplicates }] };
}

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { messages, configurations } = parseHeatArguments(process.argv.slice(2));
  const reports: HeatReport[] = [];
  for (const [n, configuration] of configurations.entries()) {
    const report = await benchPartitionHeat({ messages, ...configuration });
    printPartitionHeat(report, { previousDesign: n === 0 && configuration.chimeThrottle === 0 && configuration.duplicates === 0 });
    reports.push(report);
  }
  printCapacitySummary(reports);
}
