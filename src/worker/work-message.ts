import { z } from 'zod';
import type { WorkMessage } from '../domain/item.js';
import { InvalidWorkMessageError } from '../errors.js';

const ChannelMessageSchema = z.object({
  messageId: z.string().min(1),
  channelArn: z.string().min(1),
  content: z.string(),
  metadata: z.string().optional(),
  sender: z.object({ arn: z.string().min(1), name: z.string().optional() }),
  persistence: z.enum(['PERSISTENT', 'NON_PERSISTENT']).optional(),
  type: z.string().optional(),
  createdTimestamp: z.string().optional(),
  lastEditedTimestamp: z.string().optional(),
});

const WorkMessageSchema = z.object({
  callbackId: z.string().min(32).max(64),
  message: ChannelMessageSchema,
  deadline: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
});

/** Parses an SQS body written by intake or the sweeper; anything else is a poison message. */
export function parseWorkMessage(body: string): WorkMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidWorkMessageError('Work message body is not JSON', { body: body.slice(0, 200) }, { cause: error });
  }
  const result = WorkMessageSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new InvalidWorkMessageError(`Work message is invalid: ${issues.join('; ')}`, { issues });
  }
  return result.data as WorkMessage;
}
