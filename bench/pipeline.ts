import { ChimeSDKMessagingClient, SendChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { startLocalStack } from '../src/local/stack.js';
import { isRunDirectly } from './run-directly.js';

/**
 * End-to-end throughput and latency through the local stack: SendChannelMessage → intake →
 * SQS → worker → ChannelFlowCallback, with every AWS call counted by SDK middleware.
 * Latency is measured from the SendChannelMessage reply (the message is PENDING from then on)
 * to the simulator recording the callback that released it.
 */
export interface PipelineBench {
  messages: number;
  /** Throughput with the stack saturated (a burst sent `concurrency` at a time). */
  messagesPerSecond: number;
  /** Intake→callback latency under that burst (includes queueing behind the backlog). */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Intake→callback latency with one message in flight at a time: what a chat user feels. */
  idleLatencyP50Ms: number;
  idleLatencyP99Ms: number;
  /** AWS calls our functions made per auto-decided message, by operation. */
  callsPerMessage: Record<string, number>;
  callsPerMessageTotal: number;
  /** Calls the event source mapping (Lambda's poller, not our code) made per message. */
  pollerCallsPerMessage: Record<string, number>;
}

const POLLER_OPERATIONS = new Set(['ReceiveMessageCommand', 'DeleteMessageBatchCommand']);

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export async function benchPipeline(options: { messages?: number; concurrency?: number } = {}): Promise<PipelineBench> {
  const total = options.messages ?? 1000;
  const concurrency = options.concurrency ?? 25;
  const stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, sweepIntervalSeconds: 0, logLevel: 'SILENT', workerConcurrency: 4, env: { ...process.env, POLICY_FILE: '' } });
  const counts = new Map<string, number>();
  let counting = false;
  const countCalls: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    if (counting) counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
    return next(args);
  };
  stack.clients.dynamodb.middlewareStack.add(countCalls as never, { step: 'initialize', name: 'benchCallCounter' });
  stack.clients.sqs.middlewareStack.add(countCalls as never, { step: 'initialize', name: 'benchCallCounter' });
  stack.clients.chime.middlewareStack.add(countCalls as never, { step: 'initialize', name: 'benchCallCounter' });
  const chime = new ChimeSDKMessagingClient({ endpoint: stack.endpoints.chime, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/bench';
  const sendOne = async (i: number) => {
    const reply = await chime.send(
      new SendChannelMessageCommand({ ChannelArn: `${app}/channel/c${i % 20}`, ChimeBearer: `${app}/user/u${i % 50}`, Content: `Message number ${i}: see you at the standup, bring the notes.`, Type: 'STANDARD', Persistence: 'PERSISTENT' }),
    );
    return { messageId: reply.MessageId!, sentAt: Date.now() };
  };

  try {
    // Warm up (JIT, connection pools), then measure.
    await Promise.all(Array.from({ length: 50 }, (_, i) => sendOne(i)));
    await waitUntil(() => stack.simulator.callbacks().length >= 50);
    // Light load: one message at a time, each waiting for its own callback.
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const count = stack.simulator.callbacks().length;
      const { sentAt } = await sendOne(100 + i);
      await waitUntil(() => stack.simulator.callbacks().length > count);
      idle.push(Date.parse(stack.simulator.callbacks()[count]!.receivedAt) - sentAt);
    }
    idle.sort((a, b) => a - b);

    const before = stack.simulator.callbacks().length;
    counts.clear();
    counting = true;

    const sent: Array<{ messageId: string; sentAt: number }> = [];
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) sent.push(await sendOne(1000 + next++));
      }),
    );
    await waitUntil(() => stack.simulator.callbacks().length >= before + total, 120_000);
    const elapsed = Date.now() - started;
    counting = false;

    const messageByCallback = new Map(stack.simulator.messages().flatMap((m) => m.callbackIds.map((id) => [id, m.messageId] as const)));
    const sentAt = new Map(sent.map((s) => [s.messageId, s.sentAt]));
    const latencies = stack.simulator
      .callbacks()
      .slice(before)
      .filter((c) => c.outcome.status === 200)
      .map((c) => Date.parse(c.receivedAt) - (sentAt.get(messageByCallback.get(c.callbackId) ?? '') ?? NaN))
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);

    const ours: Record<string, number> = {};
    const poller: Record<string, number> = {};
    for (const [name, count] of counts) ((POLLER_OPERATIONS.has(name) ? poller : ours) as Record<string, number>)[name.replace(/Command$/, '')] = round(count / total);
    // ChannelFlowCallback is counted on the simulator side (the SDK client is shared with no one else).
    return {
      messages: total,
      messagesPerSecond: Math.round((total / elapsed) * 1000),
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      idleLatencyP50Ms: percentile(idle, 50),
      idleLatencyP99Ms: percentile(idle, 99),
      callsPerMessage: ours,
      callsPerMessageTotal: round(Object.values(ours).reduce((a, b) => a + b, 0)),
      pollerCallsPerMessage: poller,
    };
  } finally {
    chime.destroy();
    await stack.stop();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

async function waitUntil(condition: () => boolean, timeoutMs = 30_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('benchmark timed out waiting for callbacks');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(await benchPipeline());
}
