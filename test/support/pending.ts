import { ChimeSDKMessagingClient, SendChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import type { WorkMessage } from '../../src/domain/item.js';
import { acceptEvent } from '../../src/intake/accept.js';
import type { ChannelFlowEvent } from '../../src/local/chime-simulator.js';
import { systemClock, type Clock } from '../../src/domain/ports.js';
import type { Backends } from './backends.js';
import { channelArn, userArn } from './factories.js';
import { waitFor } from './wait.js';

/**
 * A message that is really PENDING in the simulator, with its CallbackId taken in by intake:
 * what a worker would find on the queue.
 */
export async function pendingMessage(backends: Backends, content: string, options: { clock?: Clock; windowSeconds?: number; alterEvent?: (event: ChannelFlowEvent) => ChannelFlowEvent } = {}) {
  const chime = new ChimeSDKMessagingClient({ endpoint: backends.simulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const reply = await chime.send(
    new SendChannelMessageCommand({ ChannelArn: channelArn(), ChimeBearer: userArn('carol'), Content: content, Type: 'STANDARD', Persistence: 'PERSISTENT' }),
  );
  chime.destroy();
  const event = await waitFor(() => backends.invocations.find((e) => e.ChannelMessage.MessageId === reply.MessageId), { what: 'the processor invocation' });
  const intake = await acceptEvent(
    { store: backends.store, queue: backends.queue, deadLetters: backends.deadLetters, clock: options.clock ?? systemClock, callbackWindowSeconds: options.windowSeconds ?? 172_800 },
    options.alterEvent ? options.alterEvent(event) : event,
  );
  if (intake.outcome !== 'ACCEPTED') throw new Error(`intake said ${intake.outcome}`);
  const item = (await backends.store.get(event.CallbackId))!;
  const work: WorkMessage = { callbackId: item.callbackId, message: item.message, deadline: item.deadline, receivedAt: item.receivedAt };
  return { event: event as ChannelFlowEvent, item, work, messageId: reply.MessageId! };
}
