import { describe, expect, it } from 'vitest';
import {
  callbackProblems,
  classifyCallbackError,
  CLOCK_SKEW_ALLOWANCE_MS,
  earlierCallbackMayHaveLanded,
  heldMilliseconds,
  readForbidden,
  toCallbackRequest,
} from '../../src/domain/callback.js';
import type { Decision } from '../../src/domain/item.js';
import { aMessage, callbackId } from '../support/factories.js';

const decision = (overrides: Partial<Decision> = {}): Decision => ({
  action: 'ALLOW',
  origin: 'AUTO',
  actor: { id: 'policy' },
  reason: 'No policy rule matched',
  ruleIds: [],
  decidedAt: '2026-11-21T12:00:00.000Z',
  ...overrides,
});

describe('toCallbackRequest', () => {
  const item = { callbackId: callbackId(), message: aMessage({ content: 'original', metadata: '{"a":1}' }) };

  it('echoes the original content and metadata when allowing', () => {
    const request = toCallbackRequest(item, decision());
    expect(request).toEqual({
      CallbackId: item.callbackId,
      ChannelArn: item.message.channelArn,
      DeleteResource: false,
      ChannelMessage: { MessageId: item.message.messageId, Content: 'original', Metadata: '{"a":1}' },
    });
  });

  it('lays an update over the original', () => {
    const request = toCallbackRequest(
      item,
      decision({
        action: 'UPDATE',
        update: { content: 'masked', messageAttributes: { lang: { StringValues: ['en'] } }, pushNotification: { title: 'New', body: 'Hi', type: 'DEFAULT' } },
      }),
    );
    expect(request.ChannelMessage).toEqual({
      MessageId: item.message.messageId,
      Content: 'masked',
      Metadata: '{"a":1}',
      MessageAttributes: { lang: { StringValues: ['en'] } },
      PushNotification: { Title: 'New', Body: 'Hi', Type: 'DEFAULT' },
    });
  });

  it('sends only the id with DeleteResource when denying', () => {
    const request = toCallbackRequest(item, decision({ action: 'DENY' }));
    expect(request).toMatchObject({ DeleteResource: true, ChannelMessage: { MessageId: item.message.messageId } });
    expect(request.ChannelMessage.Content).toBeUndefined();
  });

  it('omits Content rather than send an empty one', () => {
    const request = toCallbackRequest({ ...item, message: { ...item.message, content: '' } }, decision());
    expect(request.ChannelMessage).not.toHaveProperty('Content');
  });
});

describe('callbackProblems', () => {
  const valid = () => toCallbackRequest({ callbackId: callbackId(), message: aMessage() }, decision());

  it('accepts a valid request', () => {
    expect(callbackProblems(valid())).toEqual([]);
  });

  it.each([
    ['a short CallbackId', (r: ReturnType<typeof valid>) => (r.CallbackId = 'x'.repeat(31)), /CallbackId must be 32-64/],
    ['a long CallbackId', (r: ReturnType<typeof valid>) => (r.CallbackId = 'x'.repeat(65)), /CallbackId must be 32-64/],
    ['a missing CallbackId (the SDK would invent one)', (r: ReturnType<typeof valid>) => (r.CallbackId = undefined as unknown as string), /CallbackId/],
    ['empty Content', (r: ReturnType<typeof valid>) => (r.ChannelMessage.Content = ''), /Content must be at least 1/],
    ['Content over 4 KB', (r: ReturnType<typeof valid>) => (r.ChannelMessage.Content = 'é'.repeat(2049)), /Content must be at most 4096 bytes/],
    ['Metadata over 1 KB', (r: ReturnType<typeof valid>) => (r.ChannelMessage.Metadata = 'x'.repeat(1025)), /Metadata must be at most 1024/],
    ['a push title over 50', (r: ReturnType<typeof valid>) => (r.ChannelMessage.PushNotification = { Title: 't'.repeat(51) }), /Title must be at most 50/],
    ['a push body over 150', (r: ReturnType<typeof valid>) => (r.ChannelMessage.PushNotification = { Body: 'b'.repeat(151) }), /Body must be at most 150/],
  ])('refuses %s', (_name, mutate, message) => {
    const request = valid();
    mutate(request);
    expect(callbackProblems(request).join('; ')).toMatch(message);
  });
});

describe('classifyCallbackError', () => {
  const sdkError = (name: string, status: number, message = 'x') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  const deadline = '2026-11-23T12:00:00.000Z';
  // The window is open by our ledger, and nothing of ours was sent before.
  const openWindow = { deadline, answeredAt: Date.parse(deadline) - 3_600_000, earlierCallbackMayHaveLanded: false };

  it.each([
    ['ThrottledClientException', 429, 'RETRYABLE'],
    ['ServiceFailureException', 500, 'RETRYABLE'],
    ['ServiceUnavailableException', 503, 'RETRYABLE'],
    ['ConflictException', 409, 'ALREADY_RESOLVED'],
    ['ForbiddenException', 403, 'FORBIDDEN_BEFORE_DEADLINE'],
    ['UnauthorizedClientException', 401, 'FATAL'],
  ])('classifies %s (%i) as %s', (name, status, kind) => {
    expect(classifyCallbackError(sdkError(name, status), openWindow).kind).toBe(kind);
  });

  it('treats a "non-pending message" BadRequest as already resolved, and other BadRequests as fatal', () => {
    expect(classifyCallbackError(sdkError('BadRequestException', 400, 'Cannot process a non-pending message'), openWindow).kind).toBe('ALREADY_RESOLVED');
    expect(classifyCallbackError(sdkError('BadRequestException', 400, 'Content too long'), openWindow).kind).toBe('FATAL');
  });

  it('retries network failures', () => {
    expect(classifyCallbackError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), openWindow).kind).toBe('RETRYABLE');
    expect(classifyCallbackError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), openWindow).kind).toBe('RETRYABLE');
  });

  it('keeps anything unknown as fatal, with its name', () => {
    expect(classifyCallbackError(new TypeError('boom'), openWindow)).toEqual({ kind: 'FATAL', errorType: 'TypeError', message: 'boom' });
  });

  it('reads a 403 against the ledger, keeping Chime\'s name and message', () => {
    const closed = { ...openWindow, answeredAt: Date.parse(deadline) };
    expect(classifyCallbackError(sdkError('ForbiddenException', 403, 'window closed'), closed)).toEqual({ kind: 'EXPIRED', errorType: 'ForbiddenException', message: 'window closed' });
    // A bare 403 without the typed exception (a proxy, an older SDK) is read the same way.
    expect(classifyCallbackError(sdkError('Error', 403), openWindow).kind).toBe('FORBIDDEN_BEFORE_DEADLINE');
  });
});

describe('readForbidden', () => {
  const deadline = '2026-11-23T12:00:00.000Z';
  const at = (msBeforeDeadline: number, earlierCallbackMayHaveLanded = false) => ({ deadline, answeredAt: Date.parse(deadline) - msBeforeDeadline, earlierCallbackMayHaveLanded });

  it('is a fault while the window is open and nothing of ours can have landed', () => {
    expect(readForbidden(at(47 * 3_600_000))).toBe('FORBIDDEN_BEFORE_DEADLINE');
    expect(readForbidden(at(CLOCK_SKEW_ALLOWANCE_MS + 1))).toBe('FORBIDDEN_BEFORE_DEADLINE');
  });

  it('is the window closing at or after the deadline, whatever else the ledger says', () => {
    expect(readForbidden(at(0))).toBe('EXPIRED');
    expect(readForbidden(at(-5_000))).toBe('EXPIRED');
    expect(readForbidden(at(-5_000, true))).toBe('EXPIRED');
  });

  it('gives a clock skew allowance just before the deadline to the window closing', () => {
    expect(readForbidden(at(CLOCK_SKEW_ALLOWANCE_MS))).toBe('EXPIRED');
  });

  it('is Chime\'s answer to a second callback when an earlier one of ours may have landed', () => {
    expect(readForbidden(at(3_600_000, true))).toBe('ALREADY_RESOLVED');
  });
});

describe('earlierCallbackMayHaveLanded', () => {
  it('is false for a decision the caller has just recorded (no record from before its lease)', () => {
    expect(earlierCallbackMayHaveLanded(undefined)).toBe(false);
  });

  it('is false when the record shows no attempt and a released (or never taken) lease', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 0, leaseUntil: 0 })).toBe(false);
  });

  it('is true after an attempt whose answer was not a success (a 5xx or a timeout may still have been applied)', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 1, leaseUntil: 0 })).toBe(true);
  });

  it('is true when an earlier deliverer never released its lease (it may have called and died)', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 0, leaseUntil: 1_700_000_000_000 })).toBe(true);
  });
});

describe('heldMilliseconds', () => {
  const message = aMessage({ createdTimestamp: '2026-11-30T10:00:00.000Z' });
  const delivered = (deliveredAt: string | undefined) => ({ attempts: 1, leaseUntil: 0, ...(deliveredAt ? { deliveredAt } : {}) });

  it('is the time from the message\'s creation to our accepted callback', () => {
    expect(heldMilliseconds({ message, delivery: delivered('2026-11-30T10:00:00.420Z') })).toBe(420);
  });

  it('counts an edit from the edit, which is when Chime issued its CallbackId', () => {
    const edited = { ...message, lastEditedTimestamp: '2026-11-30T11:00:00.000Z' };
    expect(heldMilliseconds({ message: edited, delivery: delivered('2026-11-30T11:00:01.000Z') })).toBe(1000);
  });

  it('is undefined before delivery, and never negative when the clocks disagree', () => {
    expect(heldMilliseconds({ message, delivery: delivered(undefined) })).toBeUndefined();
    expect(heldMilliseconds({ message, delivery: undefined })).toBeUndefined();
    expect(heldMilliseconds({ message, delivery: delivered('2026-11-30T09:59:59.990Z') })).toBe(0);
  });
});
