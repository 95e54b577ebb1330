/**
 * Costs in the open (issue 16): what a million messages of the default mix cost in DynamoDB,
 * SQS, Lambda and Chime, and what each classifier configuration adds, priced from a dated file
 * of published unit prices (bench/prices-2026-12.json).
 *
 * Where the per-message operations come from:
 * - DynamoDB request units: measured. The partition-heat run (bench/partition-heat.ts) charges
 *   every call of the default mix the way DynamoDB does: intake, worker, moderators working the
 *   queue, the sweeper and the statistics. The sum over the tables and indexes of
 *   `unitsPerMessage` is the write and read request units per message. Time-driven policy reads
 *   are left out, because they follow containers, not messages.
 * - SQS requests and invocations: measured. The pipeline run (bench/pipeline.ts) counts every
 *   SQS call by SDK middleware, ours and the event source's. The intake is invoked once per
 *   message (Chime's asynchronous invoke). The worker is invoked once per batch, and each
 *   batch ends with one DeleteMessageBatch by the poller.
 * - Lambda duration: an assumption (LAMBDA_MODEL below), because local timings are not Lambda's.
 *   Set it from the functions' Duration metric in CloudWatch.
 * - Chime: one ChannelFlowCallback per message (measured in the same run). It is an API call,
 *   not a message send (bench/prices-2026-12.json, chimeSdkMessaging).
 *
 * `npm run bench` measures the operations afresh and prints these lines at the end. On its own,
 * `npx tsx bench/costs.ts` prints them in a second from the operations recorded in
 * bench/message-operations.json, and `npx tsx bench/costs.ts --measure` runs both benches again
 * (about a minute) and rewrites that file.
 *
 * The classifier lines run the policy engine and the classifier pre-screen
 * (src/classifiers/prescreen.ts) over a generated mix. The rules' verdicts come from the default
 * policy, and the pre-screen decides which messages would be sent. From that they give the calls
 * per message, the billing units per call (context included) and the cost.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUDGETS } from '../src/classifiers/budget.js';
import { prescreen } from '../src/classifiers/prescreen.js';
import { CONTEXT_CHARS } from '../src/classifiers/context.js';
import type { ChannelMessage } from '../src/domain/message.js';
import { classifierSettingsOf, type ClassifierEntryInput, type ClassifierSettings } from '../src/policy/classifiers.js';
import { DEFAULT_POLICY_FILE, evaluate, loadPolicyFile, type CompiledPolicy } from '../src/policy/index.js';
import { TRAFFIC_MIX } from './partition-heat.js';
import { isRunDirectly } from './run-directly.js';

// ─── Prices ────────────────────────────────────────────────────────────────────────────────────

export interface Prices {
  asOf: string;
  region: string;
  dynamodb: { source: string; writeRequestUnitPerMillion: number; readRequestUnitPerMillion: number };
  sqs: { source: string; standardRequestsPerMillion: number };
  lambda: { source: string; gbSecond: number; requestsPerMillion: number; architecture: string };
  chimeSdkMessaging: { source: string; addedMessagesPerModeratedMessage: number };
  comprehend: { source: string; perUnit: number; unitCharacters: number; minimumUnitsPerRequest: number };
  bedrockGuardrails: { source: string; contentFiltersPerThousandTextUnits: number; textUnitCharacters: number };
}

export const PRICES_FILE = fileURLToPath(new URL('./prices-2026-12.json', import.meta.url));
export const OPERATIONS_FILE = fileURLToPath(new URL('./message-operations.json', import.meta.url));

export const loadPrices = (file = PRICES_FILE): Prices => JSON.parse(readFileSync(file, 'utf8')) as Prices;

// ─── Per-message operations of the default mix ─────────────────────────────────────────────────

export interface MessageOperations {
  /** When and how they were measured. */
  measuredAt: string;
  how: string;
  dynamodb: { writeUnits: number; readUnits: number };
  sqs: { requests: number; byOperation: Record<string, number> };
  lambda: { intakeInvocations: number; workerInvocations: number };
  chime: { callbacks: number };
}

/**
 * Lambda duration per invocation: ASSUMED (see the top of the file), at the memory
 * serverless.yml gives each function (intake 512 MB; the worker has no memorySize, so it gets
 * the Framework's default of 1,024 MB).
 */
export const LAMBDA_MODEL = {
  intake: { memoryMb: 512, ms: 25 },
  worker: { memoryMb: 1024, msPerInvocation: 30, msPerMessage: 10 },
} as const;

/** The operations of one partition-heat run and one pipeline run (their result shapes, structurally). */
export function operationsFrom(
  heat: { messages: number; writes: ReadonlyArray<{ unitsPerMessage: number }>; reads: ReadonlyArray<{ unitsPerMessage: number }>; chime: { callbackAttempts: number } },
  pipeline: { messages: number; callsPerMessage: Record<string, number>; pollerCallsPerMessage: Record<string, number> },
  measuredAt = new Date().toISOString(),
): MessageOperations {
  const sum = (rows: ReadonlyArray<{ unitsPerMessage: number }>) => rows.reduce((n, r) => n + r.unitsPerMessage, 0);
  const sqsOperations = new Set(['SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch']);
  const byOperation: Record<string, number> = {};
  for (const [operation, n] of [...Object.entries(pipeline.callsPerMessage), ...Object.entries(pipeline.pollerCallsPerMessage)]) {
    if (sqsOperations.has(operation)) byOperation[operation] = (byOperation[operation] ?? 0) + n;
  }
  return {
    measuredAt,
    how: `DynamoDB: bench/partition-heat.ts on ${heat.messages} messages of the default mix (request units charged per call as DynamoDB does, every table and index, time-driven policy reads excluded); SQS and invocations: bench/pipeline.ts on ${pipeline.messages} messages (SDK middleware counts; worker invocations = the poller's DeleteMessageBatch calls, one per batch)`,
    dynamodb: { writeUnits: round(sum(heat.writes), 3), readUnits: round(sum(heat.reads), 3) },
    sqs: { requests: round(Object.values(byOperation).reduce((a, b) => a + b, 0), 3), byOperation },
    lambda: { intakeInvocations: 1, workerInvocations: round(byOperation.DeleteMessageBatch ?? 1, 3) },
    chime: { callbacks: round(heat.chime.callbackAttempts / heat.messages, 3) },
  };
}

export interface CostLine {
  what: string;
  /** USD per million messages. */
  perMillion: number;
  detail: string;
}

const MILLION = 1_000_000;

/** The pipeline's own cost per million messages, by service. */
export function pipelineCosts(ops: MessageOperations, prices: Prices): CostLine[] {
  const gbSeconds =
    (LAMBDA_MODEL.intake.memoryMb / 1024) * (LAMBDA_MODEL.intake.ms / 1000) * ops.lambda.intakeInvocations +
    (LAMBDA_MODEL.worker.memoryMb / 1024) * ((LAMBDA_MODEL.worker.msPerInvocation * ops.lambda.workerInvocations + LAMBDA_MODEL.worker.msPerMessage) / 1000);
  const invocations = ops.lambda.intakeInvocations + ops.lambda.workerInvocations;
  return [
    {
      what: 'DynamoDB',
      perMillion: ops.dynamodb.writeUnits * prices.dynamodb.writeRequestUnitPerMillion + ops.dynamodb.readUnits * prices.dynamodb.readRequestUnitPerMillion,
      detail: `${fmt(ops.dynamodb.writeUnits)} WRU + ${fmt(ops.dynamodb.readUnits)} RRU per message`,
    },
    { what: 'SQS', perMillion: ops.sqs.requests * prices.sqs.standardRequestsPerMillion, detail: `${fmt(ops.sqs.requests)} requests per message ${JSON.stringify(ops.sqs.byOperation)}` },
    {
      what: 'Lambda',
      perMillion: gbSeconds * MILLION * prices.lambda.gbSecond + invocations * prices.lambda.requestsPerMillion,
      detail: `${fmt(invocations)} invocations and ${fmt(gbSeconds * 1000, 3)} GB-ms per message (durations assumed: bench/costs.ts LAMBDA_MODEL)`,
    },
    {
      what: 'Chime',
      perMillion: 0,
      detail: `${fmt(ops.chime.callbacks)} ChannelFlowCallback per message: API calls, not messages; ${prices.chimeSdkMessaging.addedMessagesPerModeratedMessage} messages added`,
    },
  ];
}

// ─── Classifiers ───────────────────────────────────────────────────────────────────────────────

/** Comprehend's billing units of one request: 100-character units over all its segments, 3 at least. */
export const comprehendUnits = (characters: number, prices: Prices): number =>
  Math.max(prices.comprehend.minimumUnitsPerRequest, Math.ceil(characters / prices.comprehend.unitCharacters));

/** Guardrails' text units of one content block: up to 1,000 characters each. */
export const guardrailTextUnits = (characters: number, prices: Prices): number => Math.max(1, Math.ceil(characters / prices.bedrockGuardrails.textUnitCharacters));

export const CLASSIFIER_CONFIGURATIONS: ReadonlyArray<{ label: string; entry: ClassifierEntryInput }> = [
  { label: 'comprehend-toxicity, context 0', entry: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, minLength: 12 } },
  { label: 'comprehend-toxicity, context 5', entry: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, minLength: 12, context: 5 } },
  { label: 'bedrock-guardrail (content filters), context 0', entry: { provider: 'bedrock-guardrail', guardrailId: 'bench', guardrailVersion: '1', review: { INSULTS: 'MEDIUM' }, minLength: 12 } },
];

/** The default mix (bench/partition-heat.ts), per 100 messages. */
const DEFAULT_MIX = TRAFFIC_MIX;

/**
 * An ILLUSTRATIVE chat-like mix, not a measurement: the default mix for 70 in 100, short replies
 * for 22 and other scripts for 8. It shows what the pre-screen saves where people chat in
 * short turns and several languages.
 */
const SHORT_REPLIES = ['ok', 'thanks!', 'lol', '👍', 'see you', 'on it', 'yes', 'nope', 'brb', 'done ✅', 'same here'];
const OTHER_SCRIPTS = ['Доброе утро, релиз уже выкатили?', 'ミーティングは10時半に変更になりました。', 'هل وصلت الشحنة اليوم؟', 'कल की बैठक का नोट्स भेज दो', 'Καλημέρα σε όλους, τα λέμε στη σύσκεψη'];
const CHAT_MIX = [
  ...DEFAULT_MIX.map((kind) => ({ share: (kind.share * 70) / 100, text: kind.text })),
  { share: 22, text: (i: number) => SHORT_REPLIES[i % SHORT_REPLIES.length]! },
  { share: 8, text: (i: number) => OTHER_SCRIPTS[i % OTHER_SCRIPTS.length]! },
];

function generate(mix: ReadonlyArray<{ share: number; text: (i: number) => string }>, n: number): string[] {
  const total = mix.reduce((a, k) => a + k.share, 0);
  return Array.from({ length: n }, (_, i) => {
    // Spread the kinds evenly over the run, as partition-heat does.
    let slot = ((i * 37) % 100) * (total / 100);
    for (const kind of mix) {
      if (slot < kind.share) return kind.text(i);
      slot -= kind.share;
    }
    return mix[0]!.text(i);
  });
}

export interface ClassifierCost {
  label: string;
  /** Calls per message after the pre-screen. */
  callsPerMessage: number;
  /** Why the others were not sent, per message. */
  skipped: Record<string, number>;
  /** Billing units per call (Comprehend: 100-character units; Guardrails: text units). */
  unitsPerCall: number;
  /** The provider's charge per million messages. */
  providerPerMillion: number;
  /** The shared budget's writes (1 WRU per granted call) per million messages. */
  budgetPerMillion: number;
  /** Context reads (Chime ListChannelMessages, one per call with context > 0) per message. */
  contextReadsPerMessage: number;
}

const codePoints = (text: string) => [...text].length;

export function classifierCost(label: string, settings: ClassifierSettings, texts: readonly string[], policy: CompiledPolicy, prices: Prices): ClassifierCost {
  const skipped: Record<string, number> = {};
  let calls = 0;
  let units = 0;
  const channel: string[] = [];
  for (const [i, text] of texts.entries()) {
    const message: ChannelMessage = {
      messageId: `m${i}`,
      channelArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/bench/channel/c1',
      content: text,
      sender: { arn: `arn:aws:chime:us-east-1:123456789012:app-instance/bench/user/u${i % 50}`, name: `u${i % 50}` },
      persistence: 'PERSISTENT',
      type: 'STANDARD',
      createdTimestamp: new Date(Date.UTC(2026, 11, 7)).toISOString(),
    };
    const verdict = evaluate(policy, message);
    const screened = prescreen(settings, message, { action: verdict.action, ...(verdict.content !== undefined ? { content: verdict.content } : {}) });
    if (!screened.go) {
      skipped[screened.reason] = (skipped[screened.reason] ?? 0) + 1;
    } else {
      calls += 1;
      // slice(-0) would be the whole channel: no context is none.
      const context = settings.context > 0 ? channel.slice(-settings.context).map((t) => t.slice(-CONTEXT_CHARS)) : [];
      const characters = codePoints(screened.text);
      if (settings.provider.kind === 'comprehend-toxicity') units += comprehendUnits(characters + context.reduce((n, t) => n + codePoints(t), 0), prices);
      else units += guardrailTextUnits(characters, prices) + context.reduce((n, t) => n + guardrailTextUnits(codePoints(t), prices), 0);
    }
    // What members saw is the context of the next message: denied messages are not stored.
    if (verdict.action !== 'DENY') {
      channel.push(verdict.content ?? text);
      if (channel.length > 10) channel.shift();
    }
  }
  const n = texts.length;
  const price =
    settings.provider.kind === 'comprehend-toxicity' ? prices.comprehend.perUnit : prices.bedrockGuardrails.contentFiltersPerThousandTextUnits / 1000;
  return {
    label,
    callsPerMessage: calls / n,
    skipped: Object.fromEntries(Object.entries(skipped).map(([reason, k]) => [reason, round(k / n, 3)])),
    unitsPerCall: calls ? units / calls : 0,
    providerPerMillion: (units / n) * price * MILLION,
    budgetPerMillion: (calls / n) * prices.dynamodb.writeRequestUnitPerMillion,
    contextReadsPerMessage: settings.context > 0 ? calls / n : 0,
  };
}

export interface CostsBench {
  prices: Prices;
  operations: MessageOperations;
  pipeline: CostLine[];
  classifiers: Array<{ mix: string; costs: ClassifierCost[] }>;
}

export function benchCosts(options: { operations?: MessageOperations; prices?: Prices; messages?: number } = {}): CostsBench {
  const prices = options.prices ?? loadPrices();
  const operations = options.operations ?? (JSON.parse(readFileSync(OPERATIONS_FILE, 'utf8')) as MessageOperations);
  const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
  const n = options.messages ?? 10_000;
  const classifiers = [
    { mix: 'default mix', texts: generate(DEFAULT_MIX, n) },
    { mix: 'chat-like mix (illustrative: 22% short replies, 8% other scripts)', texts: generate(CHAT_MIX, n) },
  ].map(({ mix, texts }) => ({
    mix,
    costs: CLASSIFIER_CONFIGURATIONS.map(({ label, entry }) => classifierCost(label, classifierSettingsOf({ [label]: entry }).active[0]!, texts, policy, prices)),
  }));
  return { prices, operations, pipeline: pipelineCosts(operations, prices), classifiers };
}

export function printCostsBench(bench: CostsBench): void {
  const { prices } = bench;
  console.log(`  prices: bench/prices-2026-12.json (${prices.region}, as of ${prices.asOf}; on-demand list prices, no free tier)`);
  console.log(`  operations per message: ${bench.operations.how} (measured ${bench.operations.measuredAt})`);
  const base = bench.pipeline.reduce((n, l) => n + l.perMillion, 0);
  for (const line of bench.pipeline) console.log(`  ${line.what.padEnd(10)} $${money(line.perMillion).padStart(9)} per million messages   ${line.detail}`);
  console.log(`  ${'pipeline'.padEnd(10)} $${money(base).padStart(9)} per million messages`);
  for (const { mix, costs } of bench.classifiers) {
    console.log(`  classifiers on the ${mix}: calls per message after the pre-screen, and what they add per million messages`);
    for (const c of costs) {
      const added = c.providerPerMillion + c.budgetPerMillion;
      console.log(
        `    ${c.label.padEnd(48)} ${fmt(c.callsPerMessage, 3)} calls/msg  ${fmt(c.unitsPerCall)} units/call  +$${money(c.providerPerMillion)} provider  +$${money(c.budgetPerMillion)} budget writes` +
          `  = $${money(base + added)} per million (×${fmt((base + added) / base)})` +
          (c.contextReadsPerMessage ? `  +${fmt(c.contextReadsPerMessage, 3)} ListChannelMessages/msg` : '') +
          `  skipped ${JSON.stringify(c.skipped)}`,
      );
    }
  }
  const perSecond = DEFAULT_BUDGETS['comprehend-toxicity']!.requestsPerSecond;
  console.log(`  (at ${perSecond} calls/s, the default budget, a classifier judges at most ${fmt((perSecond * 86_400) / MILLION)} million messages a day; the rest take onUnavailable)`);
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  const pricesAt = argv.indexOf('--prices');
  const prices = loadPrices(pricesAt >= 0 ? argv[pricesAt + 1] : PRICES_FILE);
  let operations: MessageOperations | undefined;
  if (argv.includes('--measure')) {
    const { benchPartitionHeat } = await import('./partition-heat.js');
    const { benchPipeline } = await import('./pipeline.js');
    const pipeline = await benchPipeline({ messages: 300 });
    const heat = await benchPartitionHeat({ messages: 400 });
    operations = operationsFrom(heat, pipeline);
    writeFileSync(OPERATIONS_FILE, `${JSON.stringify(operations, null, 2)}\n`);
    console.log(`  wrote ${OPERATIONS_FILE}`);
  }
  console.log('Costs per million messages (README "Classifier budgets and quotas")');
  printCostsBench(benchCosts({ prices, ...(operations ? { operations } : {}) }));
}
