import { ChimeSDKMessagingClient, GetChannelMessageStatusCommand, SendChannelMessageCommand, UpdateChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../src/local/stack.js';
import type { ModerationItem } from '../../src/domain/item.js';
import { channelArn, userArn } from './factories.js';
import { waitFor } from './wait.js';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** A local stack on ephemeral ports with settings that make retries and recovery quick. */
export function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({
    chimePort: 0,
    lambdaPort: 0,
    apiPort: 0,
    issuerKeyFile: null,
    sweepIntervalSeconds: 0,
    workerVisibilityTimeoutSeconds: 2,
    leaseSeconds: 2,
    intakeRetryDelaysMs: [100, 200],
    logLevel: 'SILENT',
    deprovisionOnStop: true,
    ...options,
    env: { ...process.env, ...(options.env ?? {}) },
  });
}

/** The stock Chime client, pointed at the simulator, as a chat app would use it. */
export function chimeClient(stack: LocalStack, options: { maxAttempts?: number } = {}) {
  return new ChimeSDKMessagingClient({
    endpoint: stack.endpoints.chime,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  });
}

export interface SentMessage {
  channelArn: string;
  messageId: string;
  sender: string;
}

export async function sendMessage(client: ChimeSDKMessagingClient, content: string, options: { channel?: string; sender?: string; metadata?: string } = {}): Promise<SentMessage> {
  const channel = options.channel ?? channelArn();
  const sender = options.sender ?? userArn('alice');
  const reply = await client.send(
    new SendChannelMessageCommand({
      ChannelArn: channel,
      ChimeBearer: sender,
      Content: content,
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ...(options.metadata !== undefined ? { Metadata: options.metadata } : {}),
    }),
  );
  return { channelArn: channel, messageId: reply.MessageId!, sender };
}

export async function editMessage(client: ChimeSDKMessagingClient, sent: SentMessage, content: string) {
  await client.send(new UpdateChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender, Content: content }));
}

export async function messageStatus(client: ChimeSDKMessagingClient, sent: SentMessage): Promise<string | undefined> {
  const reply = await client.send(new GetChannelMessageStatusCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender }));
  return reply.Status?.Value;
}

export function waitForStatus(client: ChimeSDKMessagingClient, sent: SentMessage, status: string, timeoutMs = 15_000) {
  return waitFor(async () => ((await messageStatus(client, sent)) === status ? status : undefined), { timeoutMs, what: `message ${sent.messageId} to be ${status}` });
}

/** The moderation item(s) of one message, from the store. */
export async function itemsFor(stack: LocalStack, sent: SentMessage): Promise<ModerationItem[]> {
  const ids = stack.simulator.messages().find((m) => m.messageId === sent.messageId)?.callbackIds ?? [];
  const items = await Promise.all(ids.map((id) => stack.runtime.store.get(id)));
  return items.filter((i): i is ModerationItem => i !== undefined);
}

export function waitForItem(stack: LocalStack, sent: SentMessage, predicate: (item: ModerationItem) => boolean, what = 'item state') {
  return waitFor(async () => (await itemsFor(stack, sent)).find(predicate), { what });
}

export const callbacksFor = (stack: LocalStack, callbackId: string) => stack.simulator.callbacks().filter((c) => c.callbackId === callbackId);
