import { ChannelFlowCallbackCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { CallbackRequest } from '../domain/callback.js';
import type { CallbackSender } from '../domain/ports.js';

export class ChimeCallbackSender implements CallbackSender {
  constructor(private readonly client: ChimeSDKMessagingClient) {}

  async send(request: CallbackRequest): Promise<void> {
    await this.client.send(new ChannelFlowCallbackCommand(request));
  }
}
