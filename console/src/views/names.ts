import { arnTail } from '../lib/problems';

/** Readable names: Chime's Name of the sender (from the event) and of the channel (from the API). */
export const senderName = (sender: { arn: string; name?: string | undefined }) => sender.name || arnTail(sender.arn);
export const channelLabel = (message: { channelArn: string; channelName?: string | undefined }) => `#${message.channelName || arnTail(message.channelArn)}`;

export const snippet = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat || '(empty message)';
};
