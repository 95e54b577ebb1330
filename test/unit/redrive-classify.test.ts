import { describe, expect, it } from 'vitest';
import { parkedMessageBody } from '../../src/adapters/parked-payload.js';
import { classifyParked, formatSummary, functionNameOf, type ClassifyContext, type RedriveReport } from '../../src/operations/redrive.js';
import { aChannelFlowEvent } from '../support/factories.js';

/**
 * What `npm run redrive -- --dlq intake` makes of each message of the intake DLQ. The bodies are
 * built the way production builds them: Lambda's destination record through parkedMessageBody
 * (as sqsFailureDestination does), intake's malformed events through parkedMessageBody (as
 * SqsDeadLetters does).
 */
const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const context: ClassifyContext = { nowMs: NOW, callbackWindowSeconds: 172_800, expiryMarginSeconds: 3_600, functionName: 'intake' };

function destinationRecord(requestPayload: unknown, overrides: { timestamp?: string; functionArn?: string; maxBytes?: number } = {}): string {
  const record = {
    version: '1.0',
    timestamp: overrides.timestamp ?? new Date(NOW - HOUR).toISOString(),
    requestContext: { requestId: 'a6d3c3b1-0000-4000-8000-000000000000', functionArn: overrides.functionArn ?? 'arn:aws:lambda:us-east-1:123456789012:function:intake:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'ServiceUnavailable', errorMessage: 'Simulated outage' },
  };
  return parkedMessageBody(record, requestPayload, { payloadKey: 'requestPayload', ...(overrides.maxBytes ? { maxBytes: overrides.maxBytes } : {}) });
}

const eventCreated = (msAgo: number) => aChannelFlowEvent({ message: { createdTimestamp: new Date(NOW - msAgo).toISOString() } });

describe('classifyParked', () => {
  it('finds the original event in a destination record, with the deadline intake would give it', () => {
    const event = eventCreated(2 * HOUR);
    const found = classifyParked(destinationRecord(event), context);
    expect(found).toMatchObject({ kind: 'redrivable', callbackId: event.CallbackId, event, deadline: new Date(NOW - 2 * HOUR + 172_800_000).toISOString() });
    expect(found.label).toContain('RetriesExhausted, 3 attempts');
  });

  it('counts from the record or from when SQS took it, when that is earlier than the message says', () => {
    const event = aChannelFlowEvent();
    delete (event.ChannelMessage as { CreatedTimestamp?: string }).CreatedTimestamp;
    const byRecord = classifyParked(destinationRecord(event, { timestamp: new Date(NOW - 5 * HOUR).toISOString() }), context);
    expect(byRecord).toMatchObject({ kind: 'redrivable', deadline: new Date(NOW - 5 * HOUR + 172_800_000).toISOString() });
    const bySqs = classifyParked(destinationRecord(event, { timestamp: new Date(NOW - 5 * HOUR).toISOString() }), { ...context, sentAtMs: NOW - 7 * HOUR });
    expect(bySqs).toMatchObject({ kind: 'redrivable', deadline: new Date(NOW - 7 * HOUR + 172_800_000).toISOString() });
  });

  it('skips an event whose deadline has passed', () => {
    const found = classifyParked(destinationRecord(eventCreated(49 * HOUR)), context);
    expect(found).toMatchObject({ kind: 'skip', reason: 'past-window' });
    expect(found.kind === 'skip' && found.detail).toMatch(/^deadline 2025-06-01T11:00:00\.000Z, passed 3600 s ago$/);
  });

  it('skips an event with less than the expiry margin left: past saving', () => {
    const found = classifyParked(destinationRecord(eventCreated(47 * HOUR + 30 * 60_000)), context);
    expect(found).toMatchObject({ kind: 'skip', reason: 'past-window' });
    expect(found.kind === 'skip' && found.detail).toContain('1800 s left, less than the expiry margin of 3600 s');
    // One second before the margin it is still re-driven.
    expect(classifyParked(destinationRecord(eventCreated(47 * HOUR - 1000)), context)).toMatchObject({ kind: 'redrivable' });
  });

  it('counts an edit from its LastEditedTimestamp, as intake does', () => {
    const edit = aChannelFlowEvent({ message: { createdTimestamp: new Date(NOW - 100 * HOUR).toISOString(), lastEditedTimestamp: new Date(NOW - HOUR).toISOString() } });
    expect(classifyParked(destinationRecord(edit), context)).toMatchObject({ kind: 'redrivable' });
  });

  it('skips a record that does not hold the whole event: it cannot be re-driven', () => {
    const huge = { ...eventCreated(HOUR), Extra: 'x'.repeat(300_000) };
    const body = destinationRecord(huge);
    expect(JSON.parse(body)).toMatchObject({ payloadTruncated: true });
    const found = classifyParked(body, context);
    expect(found).toMatchObject({ kind: 'skip', reason: 'truncated' });
    expect(found.kind === 'skip' && found.detail).toMatch(/^cannot be re-driven: .*\(300\d+ bytes, sha256 [0-9a-f]{16}…\)$/);
  });

  it('skips a record without any payload (as Lambda sends one too large for its destination)', () => {
    const body = JSON.parse(destinationRecord(eventCreated(HOUR))) as Record<string, unknown>;
    delete body.requestPayload;
    expect(classifyParked(JSON.stringify(body), context)).toMatchObject({ kind: 'skip', reason: 'truncated' });
  });

  it('skips a malformed event intake parked itself, with its issues', () => {
    const payload = { EventType: 'CHANNEL_MESSAGE_EVENT', CallbackId: 'short' };
    const body = parkedMessageBody({ reason: 'INVALID_EVENT', issues: ['CallbackId must be 32-64 characters', 'ChannelMessage is required'], keptAt: '2025-06-01T11:00:00.000Z' }, payload);
    const found = classifyParked(body, context);
    expect(found).toMatchObject({ kind: 'skip', reason: 'malformed', detail: 'CallbackId must be 32-64 characters; ChannelMessage is required', callbackId: 'short' });
    expect(found.label).toBe('parked by intake (INVALID_EVENT at 2025-06-01T11:00:00.000Z)');
  });

  it('does not send intake an event it would refuse, even in a destination record', () => {
    const event = { ...eventCreated(HOUR), CallbackId: 'x' };
    const found = classifyParked(destinationRecord(event), context);
    expect(found).toMatchObject({ kind: 'skip', reason: 'malformed' });
    expect(found.kind === 'skip' && found.detail).toContain('CallbackId must be 32-64 characters');
  });

  it('leaves anything else alone, as unrecognised', () => {
    expect(classifyParked('hello from a test', context)).toMatchObject({ kind: 'skip', reason: 'unrecognised', detail: 'the body is not JSON' });
    expect(classifyParked('[1,2]', context)).toMatchObject({ kind: 'skip', reason: 'unrecognised' });
    expect(classifyParked('{"Records":[]}', context)).toMatchObject({ kind: 'skip', reason: 'unrecognised' });
    expect(classifyParked('{"reason":"SOMETHING_ELSE","issues":[]}', context)).toMatchObject({ kind: 'skip', reason: 'unrecognised', detail: 'parked with reason "SOMETHING_ELSE"' });
  });

  it("leaves another function's destination records alone", () => {
    const body = destinationRecord(eventCreated(HOUR), { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:worker:$LATEST' });
    expect(classifyParked(body, context)).toMatchObject({ kind: 'skip', reason: 'unrecognised' });
    // The same function named by its ARN is intake.
    expect(classifyParked(destinationRecord(eventCreated(HOUR)), { ...context, functionName: 'arn:aws:lambda:us-east-1:123456789012:function:intake' })).toMatchObject({ kind: 'redrivable' });
  });
});

describe('functionNameOf', () => {
  it('reads a name, a partial ARN and a qualified ARN', () => {
    expect(functionNameOf('chime-flow-moderation-prod-intake')).toBe('chime-flow-moderation-prod-intake');
    expect(functionNameOf('123456789012:function:intake')).toBe('intake');
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:intake:$LATEST')).toBe('intake');
  });
});

describe('formatSummary', () => {
  it('names every count and the reasons of what was skipped', () => {
    const report: RedriveReport = {
      dryRun: false,
      received: 6,
      redriven: 2,
      alreadyKnown: 1,
      wouldRedrive: 0,
      skipped: { truncated: 0, malformed: 1, 'past-window': 1, unrecognised: 0 },
      failed: 1,
      deleted: 3,
      invoked: 4,
      released: 3,
      releaseErrors: [],
      results: [],
    };
    expect(formatSummary(report)).toBe('6 messages read · re-driven 2 · already known 1 · skipped 2 (malformed 1, past its window 1) · failed 1 · intake invoked 4 times, 3 deleted');
    expect(formatSummary({ ...report, dryRun: true, wouldRedrive: 3 })).toContain('would re-drive 3');
  });
});
