import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelMessage } from '../../src/domain/message.js';

export const APP_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
export const channelArn = (id = randomUUID()) => `${APP_INSTANCE}/channel/${id}`;
export const userArn = (name = 'alice') => `${APP_INSTANCE}/user/${name}`;
export const callbackId = () => randomBytes(24).toString('hex'); // 48 characters, inside Chime's 32–64

export function aMessage(overrides: Partial<ChannelMessage> = {}): ChannelMessage {
  return {
    messageId: randomUUID(),
    channelArn: channelArn(),
    content: 'hello there',
    sender: { arn: userArn(), name: 'alice' },
    persistence: 'PERSISTENT',
    type: 'STANDARD',
    createdTimestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** The processor event exactly as seed 000 documents it. */
export function aChannelFlowEvent(overrides: { callbackId?: string; message?: Partial<ChannelMessage> } = {}) {
  const m = aMessage(overrides.message);
  return {
    EventType: 'CHANNEL_MESSAGE_EVENT',
    CallbackId: overrides.callbackId ?? callbackId(),
    ChannelMessage: {
      MessageId: m.messageId,
      ChannelArn: m.channelArn,
      Content: m.content,
      ...(m.metadata !== undefined ? { Metadata: m.metadata } : {}),
      Sender: { Arn: m.sender.arn, Name: m.sender.name ?? 'alice' },
      Persistence: m.persistence ?? 'PERSISTENT',
      Type: 'STANDARD',
      CreatedTimestamp: m.createdTimestamp ?? new Date().toISOString(),
      ...(m.lastEditedTimestamp ? { LastEditedTimestamp: m.lastEditedTimestamp } : {}),
    },
  };
}
