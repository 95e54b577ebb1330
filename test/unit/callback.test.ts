import { describe, expect, it } from 'vitest';
import { callbackProblems, classifyCallbackError, toCallbackRequest } from '../../src/domain/callback.js';
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

  it.each([
    ['ThrottledClientException', 429, 'RETRYABLE'],
    ['ServiceFailureException', 500, 'RETRYABLE'],
    ['ServiceUnavailableException', 503, 'RETRYABLE'],
    ['ConflictException', 409, 'ALREADY_RESOLVED'],
    ['ForbiddenException', 403, 'EXPIRED'],
    ['UnauthorizedClientException', 401, 'FATAL'],
  ])('classifies %s (%i) as %s', (name, status, kind) => {
    expect(classifyCallbackError(sdkError(name, status)).kind).toBe(kind);
  });

  it('treats a "non-pending message" BadRequest as already resolved, and other BadRequests as fatal', () => {
    expect(classifyCallbackError(sdkError('BadRequestException', 400, 'Cannot process a non-pending message')).kind).toBe('ALREADY_RESOLVED');
    expect(classifyCallbackError(sdkError('BadRequestException', 400, 'Content too long')).kind).toBe('FATAL');
  });

  it('retries network failures', () => {
    expect(classifyCallbackError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).kind).toBe('RETRYABLE');
    expect(classifyCallbackError(Object.assign(new Error('timed out'), { name: 'TimeoutError' })).kind).toBe('RETRYABLE');
  });

  it('keeps anything unknown as fatal, with its name', () => {
    expect(classifyCallbackError(new TypeError('boom'))).toEqual({ kind: 'FATAL', errorType: 'TypeError', message: 'boom' });
  });
});
