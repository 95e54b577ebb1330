/**
 * Partition heat: does the key design hold 10,000 messages/s without a hot partition?
 *
 * A realistic mix of messages runs through the local stack (intake → SQS → worker → callback,
 * moderators working the queue through the review API, the sweeper, the stats). A recorder on
 * the DynamoDB client sees every write and read with its response, keeps the last image of every
 * item, and charges capacity the way DynamoDB does:
 *
 *   write  table: 1 WCU per started KB of the larger of the item before and after
 *          each GSI: nothing if neither the keys nor a projected attribute changed; a put of
 *          the new entry, a delete of the old one, or both when its keys changed; 1 WCU per
 *          started KB of the entry (projected attributes + keys + 100 bytes)
 *   read   strongly consistent 1 RCU per started 4 KB (GetItem, BatchGetItem); a Query reads
 *          its page's items, eventually consistent, half a unit per started 4 KB, at least 0.5
 *
 * Units land on the partition key they hit: the table's CallbackId, an index's liveKey or
 * auditKey, the control table's pk. The same item images also drive a model of the previous
 * design's two indexes (status | deadline and decisionDay | decidedAt, both projecting ALL), so
 * the baseline is measured on the very same traffic. Projected maximum: the message rate at
 * which the hottest key of a table or index reaches 1,000 WCU/s or 3,000 RCU/s.
 */
import { ChimeSDKMessagingClient, SendChannelMessageCommand, UpdateChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { loadInfraDefinitions, type GlobalSecondaryIndexDefinition } from '../src/infra/definitions.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import { isRunDirectly } from './run-directly.js';

type Item = Record<string, AttributeValue>;

// ─── DynamoDB's size and capacity arithmetic ────────────────────────────────────────────────

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((n, e) => n + valueSize(e) + 1, 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + utf8(k) + valueSize(e) + 1, 0);
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  return 0;
}
export const itemSize = (item: Item): number => Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
const wcu = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const rcuStrong = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
const rcuEventual = (bytes: number) => Math.max(0.5, Math.ceil(bytes / 4096) / 2);

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

class Heat {
  /** table or index → partition key → units. */
  readonly wcu = new Map<string, Map<string, number>>();
  readonly rcu = new Map<string, Map<string, number>>();

  add(kind: 'wcu' | 'rcu', where: string, key: string, units: number): void {
    if (typeof key !== 'string') throw new Error(`no partition key for ${kind} on ${where}`);
    const byKey = this[kind].get(where) ?? new Map<string, number>();
    this[kind].set(where, byKey);
    byKey.set(key, (byKey.get(key) ?? 0) + units);
  }
}

interface Recorder {
  current: Heat;
  previous: Heat;
  reset(): void;
}

function attachRecorder(stack: LocalStack): Recorder {
  const defs = loadInfraDefinitions();
  const tables: Record<string, { label: string; key: string; indexes: IndexModel[]; previous: IndexModel[] }> = {
    [stack.resources.tableName]: { label: 'ModerationTable', key: 'callbackId', indexes: defs.table.globalSecondaryIndexes.map((g) => modelOf(g, 'callbackId')), previous: PREVIOUS_INDEXES },
    [stack.resources.controlTableName]: { label: 'ControlTable', key: 'pk', indexes: [], previous: [] },
  };
  const images = new Map<string, Item>(); // table/key → last known item
  const recorder: Recorder = {
    current: new Heat(),
    previous: new Heat(),
    reset() {
      this.current = new Heat();
      this.previous = new Heat();
    },
  };

  const write = (tableName: string, key: string, before: Item | undefined, after: Item | undefined) => {
    const t = tables[tableName];
    if (!t) return;
    const units = wcu(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
    recorder.current.add('wcu', t.label, key, units);
    // The previous design had no control table (no counters: its stats read index pages), and
    // its items lacked this design's derived attributes.
    if (t.label === 'ModerationTable') {
      const previousUnits = wcu(Math.max(before ? itemSize(asPreviousDesign(before)) : 0, after ? itemSize(asPreviousDesign(after)) : 0));
      recorder.previous.add('wcu', t.label, key, previousUnits);
    }
    for (const [heat, indexes] of [[recorder.current, t.indexes], [recorder.previous, t.previous]] as const) {
      for (const index of indexes) {
        const was = before ? index.entry(before) : undefined;
        const now = after ? index.entry(after) : undefined;
        const where = `${t.label}.${index.name}`;
        const entryUnits = (entry: Item) => wcu(itemSize(entry) + 100);
        if (was && now && index.key(before!) === index.key(after!) && index.sort(before!) === index.sort(after!)) {
          // Same keys: an update in place, and only if a projected attribute changed.
          if (JSON.stringify(was) !== JSON.stringify(now)) heat.add('wcu', where, index.key(after!)!, entryUnits(now));
          continue;
        }
        // Keys changed (or the item entered or left the sparse index): a delete and/or a put.
        if (was) heat.add('wcu', where, index.key(before!)!, entryUnits(was));
        if (now) heat.add('wcu', where, index.key(after!)!, entryUnits(now));
      }
    }
  };

  const keyOf = (t: { key: string }, key: Record<string, AttributeValue> | undefined) => str(key?.[t.key]) ?? '?';
  // Inputs arrive marshalled (the document client marshals before this step); outputs are
  // already unmarshalled by the time they pass back through it. Size everything as DynamoDB stores it.
  const stored = (item: Record<string, unknown>): Item => marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Item;

  const middleware = (next: (args: { input: Record<string, any> }) => Promise<{ output: Record<string, any> }>, context: { commandName?: string }) =>
    async (args: { input: Record<string, any> }) => {
      const result = await next(args);
      const input = args.input;
      const output = result.output;
      const t = tables[input.TableName];
      switch (context.commandName) {
        case 'PutItemCommand': {
          if (!t) break;
          const key = keyOf(t, input.Item);
          const id = `${input.TableName}/${key}`;
          write(input.TableName, key, images.get(id), input.Item);
          images.set(id, input.Item);
          break;
        }
        case 'UpdateItemCommand': {
          if (!t) break;
          const key = keyOf(t, input.Key);
          const id = `${input.TableName}/${key}`;
          // With ALL_NEW the new image is known; a counter increment (no return value) stays under 1 KB.
          const after: Item = output.Attributes ? stored(output.Attributes) : { ...(images.get(id) ?? input.Key) };
          write(input.TableName, key, images.get(id), after);
          images.set(id, after);
          break;
        }
        case 'GetItemCommand': {
          if (!t) break;
          const item = output.Item ? stored(output.Item) : undefined;
          const size = item ? itemSize(item) : 0;
          const units = input.ConsistentRead ? rcuStrong(size) : rcuEventual(size);
          recorder.current.add('rcu', t.label, keyOf(t, input.Key), units);
          if (item) images.set(`${input.TableName}/${keyOf(t, input.Key)}`, item);
          break;
        }
        case 'BatchGetItemCommand': {
          for (const [tableName, items] of Object.entries((output.Responses ?? {}) as Record<string, Array<Record<string, unknown>>>)) {
            const bt = tables[tableName];
            if (!bt) continue;
            for (const plain of items) {
              const item = stored(plain);
              recorder.current.add('rcu', bt.label, keyOf(bt, item), rcuStrong(itemSize(item)));
            }
          }
          break;
        }
        case 'QueryCommand': {
          if (!t) break;
          // The partition key the query names: `#x = :y` where #x is the table's or index's hash attribute.
          const hash = input.IndexName ? (loadInfraDefinitions().table.globalSecondaryIndexes.find((g) => g.IndexName === input.IndexName)?.KeySchema[0]?.AttributeName ?? '?') : t.key;
          let partition = '?';
          for (const m of String(input.KeyConditionExpression).matchAll(/(#\w+|\w+)\s*=\s*(:\w+)/g)) {
            const name = m[1]!.startsWith('#') ? input.ExpressionAttributeNames?.[m[1]!] : m[1];
            if (name === hash) partition = str(input.ExpressionAttributeValues?.[m[2]!]) ?? '?';
          }
          const bytes = ((output.Items ?? []) as Array<Record<string, unknown>>).reduce((n, item) => n + itemSize(stored(item)), 0);
          const units = input.ConsistentRead ? rcuStrong(bytes) : rcuEventual(bytes);
          const where = input.IndexName ? `${t.label}.${input.IndexName}` : t.label;
          recorder.current.add('rcu', where, partition, units);
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

export interface HeatRow {
  where: string;
  /** Units of the hottest partition key, per message. */
  hottestPerMessage: number;
  /** The hottest key's share of all units of this table or index. */
  hottestShare: number;
  hottestKey: string;
  unitsPerMessage: number;
  /** Messages/s at which the hottest key would reach the per-partition limit. */
  maxMessagesPerSecond: number;
}

export interface HeatReport {
  messages: number;
  current: { wcu: HeatRow[]; rcu: HeatRow[]; maxMessagesPerSecond: number };
  previous: { wcu: HeatRow[]; maxMessagesPerSecond: number };
}

function rows(units: Map<string, Map<string, number>>, messages: number, limit: number): HeatRow[] {
  return [...units]
    .map(([where, byKey]) => {
      const total = [...byKey.values()].reduce((a, b) => a + b, 0);
      let hottestKey = '';
      let hottest = 0;
      for (const [key, n] of byKey) if (n > hottest) [hottestKey, hottest] = [key, n];
      return {
        where,
        hottestKey,
        hottestPerMessage: hottest / messages,
        hottestShare: total ? hottest / total : 0,
        unitsPerMessage: total / messages,
        maxMessagesPerSecond: hottest ? limit / (hottest / messages) : Infinity,
      };
    })
    .sort((a, b) => a.where.localeCompare(b.where));
}

export async function benchPartitionHeat(options: { messages?: number; concurrency?: number } = {}): Promise<HeatReport> {
  const total = options.messages ?? 5000;
  const concurrency = options.concurrency ?? 8;
  const stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, apiPort: 0, issuerKeyFile: null, sweepIntervalSeconds: 0, logLevel: 'SILENT', workerConcurrency: 4, env: { ...process.env, POLICY_FILE: '' } });
  const chime = new ChimeSDKMessagingClient({ endpoint: stack.endpoints.chime, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const token = await stack.issuer.mint({ user: 'bench-moderator', groups: ['moderators'] });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return response.json() as Promise<any>;
  };
  const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/heat';
  const sent: Array<{ channel: string; sender: string; messageId: string }> = [];
  const recorder = attachRecorder(stack);
  try {
    let next = 0;
    const sendOne = async (i: number) => {
      const kind = kindOf(i);
      const channel = `${app}/channel/c${i % 40}`;
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

    const current = { wcu: rows(recorder.current.wcu, total, 1000), rcu: rows(recorder.current.rcu, total, 3000) };
    const previous = { wcu: rows(recorder.previous.wcu, total, 1000) };
    const max = (list: HeatRow[]) => Math.min(...list.map((r) => r.maxMessagesPerSecond));
    return {
      messages: total,
      current: { ...current, maxMessagesPerSecond: Math.min(max(current.wcu), max(current.rcu)) },
      previous: { ...previous, maxMessagesPerSecond: max(previous.wcu) },
    };
  } finally {
    chime.destroy();
    await stack.stop();
  }
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '∞');

export function printPartitionHeat(report: HeatReport): void {
  const table = (title: string, list: HeatRow[], unit: string, limit: number) => {
    console.log(`  ${title}`);
    console.log(`    ${'table / index'.padEnd(30)} ${`${unit}/msg`.padStart(9)} ${'hottest key'.padEnd(26)} ${'share'.padStart(6)} ${`max msg/s (${limit} ${unit}/s per key)`.padStart(30)}`);
    for (const r of list) {
      console.log(
        `    ${r.where.padEnd(30)} ${fmt(r.unitsPerMessage).padStart(9)} ${r.hottestKey.slice(0, 26).padEnd(26)} ${`${fmt(r.hottestShare * 100, 1)}%`.padStart(6)} ${fmt(r.maxMessagesPerSecond, 0).padStart(30)}`,
      );
    }
  };
  console.log(`  ${report.messages.toLocaleString('en-US')} messages of the default mix (${TRAFFIC_MIX.map((k) => `${k.share}% ${k.kind}`).join(', ')}), moderators and sweeper at work`);
  table('this design, writes', report.current.wcu, 'WCU', 1000);
  table('this design, reads', report.current.rcu, 'RCU', 3000);
  table('previous design (same traffic, its two indexes modelled on the same item images; reads not modelled), writes', report.previous.wcu, 'WCU', 1000);
  const goal = report.current.maxMessagesPerSecond >= 10_000;
  console.log(`  projected maximum, this design: ${fmt(report.current.maxMessagesPerSecond, 0)} messages/s (goal ≥ 10,000: ${goal ? 'meets the goal' : 'MISSES the goal'})`);
  console.log(`  projected maximum, previous design: ${fmt(report.previous.maxMessagesPerSecond, 0)} messages/s (writes; ratio ${fmt(report.current.maxMessagesPerSecond / report.previous.maxMessagesPerSecond, 1)}×)`);
}

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const messages = Number(process.argv[2] ?? 5000);
  printPartitionHeat(await benchPartitionHeat({ messages }));
}
