import * as z from 'zod/mini';
import '../zod-messages.js';

// zod/mini (src/zod-messages.ts): the same rules and messages as the classic API, a smaller bundle.

const ChannelMessageSchema = z.object({
  messageId: z.string().check(z.minLength(1)),
  channelArn: z.string().check(z.minLength(1)),
  content: z.string(),
  metadata: z.optional(z.string()),
  sender: z.object({ arn: z.string().check(z.minLength(1)), name: z.optional(z.string()) }),
  persistence: z.optional(z.enum(['PERSISTENT', 'NON_PERSISTENT'])),
  type: z.optional(z.string()),
  createdTimestamp: z.optional(z.string()),
  lastEditedTimestamp: z.optional(z.string()),
});

/**
 * The body of a work-queue message, as intake and the sweeper write it (`WorkMessage`). The
 * worker's batch processor parses every record with it; a record that does not match is a
 * poison message and fails alone (and, after the queue's maxReceiveCount, lands on the DLQ).
 */
export const WorkMessageSchema = z.object({
  callbackId: z.string().check(z.minLength(32), z.maxLength(64)),
  message: ChannelMessageSchema,
  deadline: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
});

export type WorkMessageBody = z.output<typeof WorkMessageSchema>;

/**
 * A string holding JSON, parsed, then checked with `schema`: Powertools' `JSONStringified`
 * helper (@aws-lambda-powertools/parser/helpers), same issue ("Invalid JSON - <reason>", and
 * nothing else is checked), written with zod/mini.
 */
function jsonStringified<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, payload) => {
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          payload.issues.push({ code: 'custom', message: `Invalid JSON - ${(error as Error).message}`, input: text, continue: false });
          return undefined;
        }
      }),
    ),
    schema,
  );
}

const SqsMessageAttributeSchema = z.object({
  stringValue: z.nullable(z.optional(z.string())),
  binaryValue: z.nullable(z.optional(z.string())),
  stringListValues: z.optional(z.array(z.string())),
  binaryListValues: z.optional(z.array(z.string())),
  dataType: z.union([z.literal('String'), z.literal('Number'), z.literal('Binary'), z.string()]),
});

const SqsAttributesSchema = z.object({
  ApproximateReceiveCount: z.string(),
  ApproximateFirstReceiveTimestamp: z.string(),
  MessageDeduplicationId: z.optional(z.string()),
  MessageGroupId: z.optional(z.string()),
  SenderId: z.string(),
  SentTimestamp: z.string(),
  SequenceNumber: z.optional(z.string()),
  AWSTraceHeader: z.optional(z.string()),
  DeadLetterQueueSourceArn: z.optional(z.string()),
});

/**
 * A work-queue record of an SQS event, its body parsed from JSON and checked with
 * {@link WorkMessageSchema}: what Powertools' batch parser builds from `innerSchema` and
 * `transformer: 'json'` (its `SqsRecordSchema.extend({ body: JSONStringified(inner) })`), the
 * same fields and rules, written with zod/mini. The worker passes it to the batch processor as
 * its complete record `schema`; see src/adapters/batch-record-parser.ts for why.
 */
export const WorkRecordSchema = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: jsonStringified(WorkMessageSchema),
  attributes: SqsAttributesSchema,
  messageAttributes: z.record(z.string(), SqsMessageAttributeSchema),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.nullable(z.optional(z.string())),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});
