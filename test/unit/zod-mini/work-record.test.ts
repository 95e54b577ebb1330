/**
 * The worker's records: Powertools' batch parser with `innerSchema` + `transformer: 'json'` (and
 * the classic zod WorkMessageSchema) became our parser with a complete zod/mini record schema
 * (src/adapters/batch-record-parser.ts, src/worker/work-message.ts). Same rules, same messages:
 * over a corpus of SQS records with every field removed or wrong, and bodies that are not JSON or
 * not a work message, both resolve to the same record or fail with the same ParsingError, and
 * log the same debug line.
 */
import { parser } from '@aws-lambda-powertools/batch/parser';
import { describe, expect, it } from 'vitest';
import { parseRecordWithSchema } from '../../../src/adapters/batch-record-parser.js';
import { WorkRecordSchema } from '../../../src/worker/work-message.js';
import { mutations } from './mutations.js';
import { WorkMessageSchema as ClassicWorkMessageSchema } from './reference/work-message.classic.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const work = {
  callbackId: 'c'.repeat(48),
  message: {
    messageId: 'm-1',
    channelArn: `${APP}/channel/general`,
    content: 'hello',
    metadata: '{}',
    sender: { arn: `${APP}/user/alice`, name: 'alice' },
    persistence: 'PERSISTENT',
    type: 'STANDARD',
    createdTimestamp: '2026-11-21T10:00:00.000Z',
    lastEditedTimestamp: '2026-11-21T10:00:01.000Z',
  },
  deadline: '2026-11-23T10:00:00.000Z',
  receivedAt: '2026-11-21T10:00:00.100Z',
};
const record = (body: unknown) => ({
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
  receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1545082649183',
    SenderId: 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: '1545082649185',
    AWSTraceHeader: 'Root=1-5e1b4151-5ac6c58f3375aa3c7c6e8a0b',
    Unknown: 'dropped',
  },
  messageAttributes: { callbackId: { stringValue: 'c'.repeat(48), stringListValues: [], binaryListValues: [], dataType: 'String' } },
  md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  md5OfMessageAttributes: null,
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:work',
  awsRegion: 'us-east-1',
  extra: 'dropped',
});

type Outcome = { value: unknown; logs: string[] } | { error: string; name: string; logs: string[] };

async function outcome(run: (logger: { debug: (m: string) => void; warn: () => void; error: () => void }) => Promise<unknown>): Promise<Outcome> {
  const logs: string[] = [];
  const logger = { debug: (message: string) => logs.push(message), warn: () => undefined, error: () => undefined };
  try {
    return { value: await run(logger), logs };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name, logs };
  }
}

describe('work-queue records: our zod/mini parser answers as Powertools\' parser did', () => {
  const bodies: unknown[] = [...mutations(work), '', 'not json', '{"callbackId": 42}', '{', 'null', '[]', '"text"', '42'];
  const records: unknown[] = [...bodies.map((body) => record(body)), ...mutations(record(work)).slice(1)];

  it('the same record, or the same ParsingError and debug log', async () => {
    let failures = 0;
    for (const input of records) {
      const ours = await outcome((logger) => parseRecordWithSchema(input as never, 'SQS', logger, { parser: parseRecordWithSchema, schema: WorkRecordSchema }));
      const theirs = await outcome((logger) => parser(input as never, 'SQS', logger, { parser, innerSchema: ClassicWorkMessageSchema, transformer: 'json' }));
      if ('error' in theirs) failures++;
      expect(ours, JSON.stringify(input)).toEqual(theirs);
    }
    expect(failures).toBeGreaterThan(100);
    expect(failures).toBeLessThan(records.length - 10);
  });
});
