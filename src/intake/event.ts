import * as z from 'zod/mini';
import { CALLBACK_LIMITS } from '../domain/callback.js';
import { parseTimestamp } from '../domain/deadline.js';
import { CHANNEL_ARN_PATTERN } from '../domain/arns.js';
import type { ChannelMessage } from '../domain/message.js';
import '../zod-messages.js';

/**
 * The processor event Chime sends (seed 000), checked field by field against the Chime SDK
 * Messaging API model (botocore `chime-sdk-messaging/2021-05-15/service-2.json`): anything Chime
 * could never send is refused here, with one issue per field that names it, and kept on the
 * intake DLQ. Fields Chime may add tomorrow pass through untouched (loose objects), so a new
 * field never sends every message to the DLQ.
 *
 * Where Chime may grow a limit (message and metadata size, name length) we accept twice the
 * documented value; past that, the event is not one Chime sends today or is likely to tomorrow.
 */

/** Content: Chime allows 4 KB (SendChannelMessage); we accept up to 8 KB of UTF-8. */
export const CONTENT_MAX_BYTES = 2 * CALLBACK_LIMITS.contentMaxBytes;
/** Metadata: Chime allows 1 KB (the model's Metadata shape); we accept up to 2 KB of UTF-8. */
export const METADATA_MAX_BYTES = 2 * CALLBACK_LIMITS.metadataMaxBytes;
/** Sender.Name: the model's ResourceName is at most 256 characters; we accept up to 512. */
export const SENDER_NAME_MAX_LENGTH = 512;
/** The model's ChimeArn (ChannelArn, Sender.Arn): 5-1600 characters; its MessageId: 1-128. */
const ARN_MIN_LENGTH = 5;
const ARN_MAX_LENGTH = 1600;
const MESSAGE_ID_MAX_LENGTH = 128;
/** Timestamps: nothing Chime sends predates the service; a day ahead of our clock is skew at most. */
export const EARLIEST_TIMESTAMP = '2015-01-01T00:00:00.000Z';
export const TIMESTAMP_FUTURE_TOLERANCE_MS = 86_400_000;
/** ISO-8601 needs at most ~35 characters; a longer "timestamp" is not one. */
const TIMESTAMP_MAX_LENGTH = 64;

/** Channel ARNs as Chime issues them (src/domain/arns.ts). */
export { CHANNEL_ARN_PATTERN };

/** The model's ChimeArn pattern, anchored (every segment is bounded). */
const CHIME_ARN_PATTERN = /^arn:[a-z0-9.-]{1,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[^/].{0,1023}$/;

/**
 * MessageId's pattern in the model. The model gives CallbackIdType only its length (32-64); we
 * hold CallbackIds to this pattern too, as the review API does (CALLBACK_ID_PATTERN): Chime's
 * CallbackIds and the UUIDs the SDK invents are of these characters, and a "CallbackId" holding
 * anything else (`é`, a zero-width space, `../`, `<script>`) did not come from Chime.
 */
const ID_PATTERN = /^[-_a-zA-Z0-9]*$/;

/** ResourceName (Sender.Name): the characters XML allows, no other control characters, no lone surrogates. */
const RESOURCE_NAME_PATTERN = /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * A timestamp Chime could have written: ISO-8601, or epoch seconds or milliseconds (read as
 * parseTimestamp reads them), giving a real date from 2015 on. (Not after a day from now either:
 * parseChannelFlowEvent checks that against the caller's clock.)
 */
function isPlausibleTimestamp(value: string): boolean {
  const ms = parseTimestamp(value);
  return ms !== undefined && ms >= Date.parse(EARLIEST_TIMESTAMP);
}

// zod/mini (src/zod-messages.ts): every function's cold start and every message go through this
// schema; the same rules and messages as the classic API, a fraction of its bundle.
const callbackIdLength = `must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters`;
const idCharacters = 'must contain only letters, digits, "-" and "_"';
const arnLength = `must be ${ARN_MIN_LENGTH}-${ARN_MAX_LENGTH} characters`;

/** ChimeArn's lengths, and a pattern: the model's, or for a channel our stricter one (which implies it). */
const chimeArn = (pattern: RegExp, describe: string) =>
  z.string({ error: 'is required' }).check(z.minLength(ARN_MIN_LENGTH, arnLength), z.maxLength(ARN_MAX_LENGTH, arnLength), z.regex(pattern, describe));

/** An empty timestamp is read as absent (as deadline maths always has); anything else must be a date. */
const timestamp = () =>
  z.optional(
    z.string().check(
      z.maxLength(TIMESTAMP_MAX_LENGTH, `must be at most ${TIMESTAMP_MAX_LENGTH} characters`),
      z.refine(
        (v) => v === '' || isPlausibleTimestamp(v),
        `must be an ISO-8601 time or epoch seconds/milliseconds from ${EARLIEST_TIMESTAMP.slice(0, 10)} on`,
      ),
    ),
  );

export const ChannelFlowEventSchema = z.looseObject({
  EventType: z.literal('CHANNEL_MESSAGE_EVENT', { error: 'must be CHANNEL_MESSAGE_EVENT' }),
  CallbackId: z
    .string({ error: 'is required' })
    .check(
      z.minLength(CALLBACK_LIMITS.callbackIdMin, callbackIdLength),
      z.maxLength(CALLBACK_LIMITS.callbackIdMax, callbackIdLength),
      z.regex(ID_PATTERN, idCharacters),
    ),
  ChannelMessage: z.looseObject(
    {
      MessageId: z
        .string({ error: 'is required' })
        .check(z.minLength(1, 'is required'), z.maxLength(MESSAGE_ID_MAX_LENGTH, `must be at most ${MESSAGE_ID_MAX_LENGTH} characters`), z.regex(ID_PATTERN, idCharacters)),
      ChannelArn: chimeArn(CHANNEL_ARN_PATTERN, 'must be a channel ARN'),
      // NonEmptyContent: absent is read as empty (a message can carry metadata only), "" is not sent.
      Content: z.optional(
        z.string().check(
          z.minLength(1, 'must not be empty (leave it out instead)'),
          z.refine((v) => utf8Bytes(v) <= CONTENT_MAX_BYTES, `must be at most ${CONTENT_MAX_BYTES} bytes in UTF-8`),
        ),
      ),
      // The model's pattern is `.*` (no line breaks), but nothing of ours depends on it and a
      // message Chime let through must not be stranded over it: only the size is held.
      Metadata: z.optional(z.string().check(z.refine((v) => utf8Bytes(v) <= METADATA_MAX_BYTES, `must be at most ${METADATA_MAX_BYTES} bytes in UTF-8`))),
      Sender: z.looseObject(
        {
          Arn: chimeArn(CHIME_ARN_PATTERN, 'must be an ARN'),
          Name: z.optional(
            z.string().check(
              z.maxLength(SENDER_NAME_MAX_LENGTH, `must be at most ${SENDER_NAME_MAX_LENGTH} characters`),
              z.regex(RESOURCE_NAME_PATTERN, 'must not contain control characters or non-characters'),
            ),
          ),
        },
        { error: 'is required' },
      ),
      Persistence: z.optional(z.enum(['PERSISTENT', 'NON_PERSISTENT'], { error: 'must be PERSISTENT or NON_PERSISTENT' })),
      // The model's ChannelMessageType; flows are only invoked for STANDARD (seed 000).
      Type: z.optional(z.enum(['STANDARD', 'CONTROL'], { error: 'must be STANDARD or CONTROL' })),
      CreatedTimestamp: timestamp(),
      LastEditedTimestamp: timestamp(),
    },
    { error: 'is required' },
  ),
});

export type ChannelFlowEvent = z.output<typeof ChannelFlowEventSchema>;

export type ParsedEvent = { ok: true; callbackId: string; message: ChannelMessage } | { ok: false; issues: string[] };

/** `nowMs`: the caller's clock (intake's), against which a timestamp from the future is judged. */
export function parseChannelFlowEvent(input: unknown, nowMs: number = Date.now()): ParsedEvent {
  const result = ChannelFlowEventSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || 'event'} ${i.message}`) };
  }
  const m = result.data.ChannelMessage;
  const future = (['CreatedTimestamp', 'LastEditedTimestamp'] as const).filter((name) => {
    const ms = m[name] ? parseTimestamp(m[name]) : undefined;
    return ms !== undefined && ms > nowMs + TIMESTAMP_FUTURE_TOLERANCE_MS;
  });
  if (future.length > 0) return { ok: false, issues: future.map((name) => `ChannelMessage.${name} must not be more than one day ahead of our clock`) };
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
