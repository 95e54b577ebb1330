import * as z from 'zod/mini';
import { CALLBACK_LIMITS } from '../domain/callback.js';
import type { ChannelMessage } from '../domain/message.js';
import '../zod-messages.js';

/**
 * The processor event Chime sends (seed 000). Validated strictly where we depend on a field
 * (CallbackId, ChannelArn, MessageId) and leniently elsewhere, so that a field Chime adds
 * tomorrow does not send every message to the DLQ.
 */
export const CHANNEL_ARN_PATTERN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+\/channel\/[^/\s]+$/;

// zod/mini (src/zod-messages.ts): every function's cold start and every message go through this
// schema; the same rules and messages as the classic API, a fraction of its bundle.
const callbackIdLength = `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters`;

export const ChannelFlowEventSchema = z.looseObject({
  EventType: z.literal('CHANNEL_MESSAGE_EVENT', { error: 'must be CHANNEL_MESSAGE_EVENT' }),
  CallbackId: z
    .string({ error: 'is required' })
    .check(z.minLength(CALLBACK_LIMITS.callbackIdMin, callbackIdLength), z.maxLength(CALLBACK_LIMITS.callbackIdMax, callbackIdLength)),
  ChannelMessage: z.looseObject(
    {
      MessageId: z.string({ error: 'is required' }).check(z.minLength(1, 'is required')),
      ChannelArn: z.string({ error: 'is required' }).check(z.regex(CHANNEL_ARN_PATTERN, 'must be a channel ARN')),
      Content: z.optional(z.string()),
      Metadata: z.optional(z.string()),
      Sender: z.looseObject({ Arn: z.string().check(z.minLength(1)), Name: z.optional(z.string()) }),
      Persistence: z.optional(z.enum(['PERSISTENT', 'NON_PERSISTENT'])),
      Type: z.optional(z.string()),
      CreatedTimestamp: z.optional(z.string()),
      LastEditedTimestamp: z.optional(z.string()),
    },
    { error: 'is required' },
  ),
});

export type ChannelFlowEvent = z.output<typeof ChannelFlowEventSchema>;

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
