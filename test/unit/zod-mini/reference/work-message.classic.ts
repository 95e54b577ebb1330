// Frozen copy of src/worker/work-message.ts before its schema moved to zod/mini (classic zod API):
// the reference test/unit/zod-mini/work-record.test.ts checks the migration against.
import { z } from 'zod';

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

/**
 * The body of a work-queue message, as intake and the sweeper write it (`WorkMessage`). The
 * worker's batch processor parses every record with it; a record that does not match is a
 * poison message and fails alone (and, after the queue's maxReceiveCount, lands on the DLQ).
 */
export const WorkMessageSchema = z.object({
  callbackId: z.string().min(32).max(64),
  message: ChannelMessageSchema,
  deadline: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
});
