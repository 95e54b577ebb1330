// Frozen copy of src/intake/event.ts before its schema moved to zod/mini (classic zod API):
// the reference test/unit/zod-mini/event.test.ts checks the migration against.
import { z } from 'zod';
import { CALLBACK_LIMITS } from '../../../../src/domain/callback.js';
import type { ChannelMessage } from '../../../../src/domain/message.js';

/**
 * The processor event Chime sends (seed 000). Validated strictly where we depend on a field
 * (CallbackId, ChannelArn, MessageId) and leniently elsewhere, so that a field Chime adds
 * tomorrow does not send every message to the DLQ.
 */
export const CHANNEL_ARN_PATTERN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+\/channel\/[^/\s]+$/;

export const ChannelFlowEventSchema = z
  .object({
    EventType: z.literal('CHANNEL_MESSAGE_EVENT', { error: 'must be CHANNEL_MESSAGE_EVENT' }),
    CallbackId: z
      .string({ error: 'is required' })
      .min(CALLBACK_LIMITS.callbackIdMin, `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters`)
      .max(CALLBACK_LIMITS.callbackIdMax, `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters`),
    ChannelMessage: z
      .object({
        MessageId: z.string({ error: 'is required' }).min(1, 'is required'),
        ChannelArn: z.string({ error: 'is required' }).regex(CHANNEL_ARN_PATTERN, 'must be a channel ARN'),
        Content: z.string().optional(),
        Metadata: z.string().optional(),
        Sender: z.object({ Arn: z.string().min(1), Name: z.string().optional() }).loose(),
        Persistence: z.enum(['PERSISTENT', 'NON_PERSISTENT']).optional(),
        Type: z.string().optional(),
        CreatedTimestamp: z.string().optional(),
        LastEditedTimestamp: z.string().optional(),
      }, { error: 'is required' })
      .loose(),
  })
  .loose();

export type ChannelFlowEvent = z.infer<typeof ChannelFlowEventSchema>;

export type ParsedEvent = { ok: true; callbackId: string; message: ChannelMessage } | { ok: false; issues: string[] };

export function parseChannelFlowEvent(input: unknown): ParsedEvent {
  const result = ChannelFlowEventSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || 'event'} ${i.message}`) };
  }
  const m = result.data.ChannelMessage;
  return {
    ok: true,
    callbackId: result.data.CallbackId,
    message: {
      messageId: m.MessageId,
      channelArn: m.ChannelArn,
      content: m.Content ?? '',
      ...(m.Metadata !== undefined ? { metadata: m.Metadata } : {}),
      sender: { arn: m.Sender.Arn, ...(m.Sender.Name !== undefined ? { name: m.Sender.Name } : {}) },
      ...(m.Persistence ? { persistence: m.Persistence } : {}),
      ...(m.Type ? { type: m.Type } : {}),
      ...(m.CreatedTimestamp ? { createdTimestamp: m.CreatedTimestamp } : {}),
      ...(m.LastEditedTimestamp ? { lastEditedTimestamp: m.LastEditedTimestamp } : {}),
    },
  };
}
