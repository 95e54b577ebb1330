import { describe, expect, it } from 'vitest';
import {
  callbackProblems,
  CLOCK_SKEW_ALLOWANCE_MS,
  earlierCallbackMayHaveLanded,
  heldMilliseconds,
  needsReadBack,
  readCallbackAnswer,
  settleCallback,
  toCallbackRequest,
  type CallbackAnswer,
  type CallbackFacts,
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

  it('leaves out of an ALLOW an original longer than a callback may carry (Chime keeps it as it has it), never out of an UPDATE', () => {
    const long = { ...item, message: { ...item.message, content: 'é'.repeat(3000), metadata: 'm'.repeat(1500) } };
    const allow = toCallbackRequest(long, decision());
    expect(allow.ChannelMessage).toEqual({ MessageId: item.message.messageId });
    expect(callbackProblems(allow)).toEqual([]);
    const update = toCallbackRequest(long, decision({ action: 'UPDATE', update: { content: 'x'.repeat(5000) } }));
    expect(callbackProblems(update).join('; ')).toMatch(/Content must be at most 4096 bytes/);
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

describe('readCallbackAnswer', () => {
  const sdkError = (name: string, status: number, message = 'x') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['ThrottledClientException', 429, 'TURNED_AWAY'],
    ['ServiceUnavailableException', 503, 'TURNED_AWAY'],
    ['ServiceFailureException', 500, 'NO_ANSWER'],
    ['ConflictException', 409, 'NOT_PENDING'],
    ['ForbiddenException', 403, 'FORBIDDEN'],
    ['UnauthorizedClientException', 401, 'REJECTED'],
  ])('reads %s (%i) as %s', (name, status, kind) => {
    expect(readCallbackAnswer(sdkError(name, status)).kind).toBe(kind);
  });

  it('tells a "non-pending message" BadRequest (resolved already) from any other BadRequest (refused)', () => {
    expect(readCallbackAnswer(sdkError('BadRequestException', 400, 'Cannot process a non-pending message')).kind).toBe('NOT_PENDING');
    expect(readCallbackAnswer(sdkError('BadRequestException', 400, 'Content too long')).kind).toBe('REJECTED');
  });

  it('reads every failure without an HTTP answer as NO_ANSWER: Chime may have applied the call', () => {
    expect(readCallbackAnswer(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual({ kind: 'NO_ANSWER', errorType: 'ECONNRESET', message: 'socket hang up' });
    expect(readCallbackAnswer(Object.assign(new Error('timed out'), { name: 'TimeoutError' })).kind).toBe('NO_ANSWER');
    expect(readCallbackAnswer(new TypeError('boom'))).toEqual({ kind: 'NO_ANSWER', errorType: 'TypeError', message: 'boom' });
  });

  it('reads a bare 403 without the typed exception (a proxy, an older SDK) the same way', () => {
    expect(readCallbackAnswer(sdkError('Error', 403)).kind).toBe('FORBIDDEN');
  });
});

describe('settleCallback: what is recorded for each answer, and each read-back', () => {
  const deadline = '2026-11-23T12:00:00.000Z';
  const openAt = Date.parse(deadline) - 3_600_000;
  const answer = (kind: Exclude<CallbackAnswer['kind'], 'ACCEPTED'>): CallbackAnswer => ({ kind, errorType: `${kind}Error`, message: kind.toLowerCase() });
  const facts = (overrides: Partial<CallbackFacts>): CallbackFacts => ({
    answer: { kind: 'ACCEPTED' },
    action: 'ALLOW',
    isEdit: false,
    earlierMayHaveLanded: false,
    deadline,
    answeredAt: openAt,
    ...overrides,
  });

  it('records a 200 as DELIVERED, confirmed by the answer', () => {
    expect(settleCallback(facts({}))).toEqual({ outcome: 'DELIVERED', confirmedBy: 'answer' });
  });

  it('retries what Chime turned away, keeping any doubt there was', () => {
    expect(settleCallback(facts({ answer: answer('TURNED_AWAY') }))).toMatchObject({ outcome: 'RETRY', inDoubt: false });
    expect(settleCallback(facts({ answer: answer('TURNED_AWAY'), earlierMayHaveLanded: true }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
  });

  it('records a request Chime rejects as invalid FAILED, when nothing of ours is in doubt', () => {
    expect(settleCallback(facts({ answer: answer('REJECTED') }))).toMatchObject({ outcome: 'FAILED', reason: expect.stringMatching(/rejected/) });
  });

  it('reads back any refusal after an attempt of ours that may have landed (an answer to a second callback, in words we do not know)', () => {
    expect(needsReadBack(answer('REJECTED'), true)).toBe(true);
    expect(settleCallback(facts({ answer: answer('REJECTED'), earlierMayHaveLanded: true, action: 'DENY', observed: { status: 'GONE' } }))).toMatchObject({ outcome: 'DELIVERED', confirmedBy: 'read-back' });
    expect(settleCallback(facts({ answer: answer('REJECTED'), earlierMayHaveLanded: true, observed: { status: 'PENDING' } }))).toMatchObject({ outcome: 'FAILED' });
    expect(settleCallback(facts({ answer: answer('REJECTED'), earlierMayHaveLanded: true, observed: { status: 'UNREADABLE', errorType: 'x', message: 'y' } }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
  });

  it('never records an unknown as a fact: no answer and no read-back stays DECIDED, in doubt', () => {
    for (const observed of [undefined, { status: 'UNREADABLE', errorType: 'ForbiddenException', message: 'no grant' }] as const) {
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), ...(observed ? { observed } : {}) }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
      // An answer that only a read-back could settle, after an attempt of ours that may have landed.
      for (const kind of ['NOT_PENDING', 'FORBIDDEN'] as const) {
        expect(settleCallback(facts({ answer: answer(kind), earlierMayHaveLanded: true, ...(observed ? { observed } : {}) }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
      }
    }
  });

  it('takes a refusal at its word when nothing of ours can have landed and the message cannot be read', () => {
    expect(settleCallback(facts({ answer: answer('NOT_PENDING') }))).toMatchObject({ outcome: 'ALREADY_RESOLVED' });
    expect(settleCallback(facts({ answer: answer('FORBIDDEN') }))).toMatchObject({ outcome: 'FAILED', forbiddenBeforeDeadline: true });
    expect(settleCallback(facts({ answer: answer('FORBIDDEN'), answeredAt: Date.parse(deadline) }))).toMatchObject({ outcome: 'EXPIRED' });
  });

  describe('the message is still PENDING for its sender', () => {
    const observed = { status: 'PENDING' } as const;

    it('after no answer: the callback has not landed (yet); retried, still in doubt', () => {
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), observed }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
    });

    it('after a 403 before the deadline, with nothing of ours in doubt: a missing grant, FAILED with the advice (an alarm)', () => {
      const settled = settleCallback(facts({ answer: answer('FORBIDDEN'), observed }));
      expect(settled).toMatchObject({ outcome: 'FAILED', forbiddenBeforeDeadline: true });
      expect((settled as { reason: string }).reason).toMatch(/chime:ChannelFlowCallback/);
    });

    it('after a 403 when a callback of ours may have landed, with our own version still pending: it did not land, a refusal', () => {
      expect(settleCallback(facts({ answer: answer('FORBIDDEN'), observed, earlierMayHaveLanded: true }))).toMatchObject({ outcome: 'FAILED', forbiddenBeforeDeadline: true });
    });

    it('after a 403 when a callback of ours may have landed and a newer edit is what is pending: read again until it settles', () => {
      expect(settleCallback(facts({ answer: answer('FORBIDDEN'), observed: { status: 'PENDING', newerEdit: true }, earlierMayHaveLanded: true }))).toMatchObject({ outcome: 'RETRY', inDoubt: true });
      expect(settleCallback(facts({ answer: answer('FORBIDDEN'), observed: { status: 'PENDING', newerEdit: true } }))).toMatchObject({ outcome: 'FAILED' });
    });

    it('after a 403 at or just before the deadline (clock skew): the window closed, EXPIRED', () => {
      expect(settleCallback(facts({ answer: answer('FORBIDDEN'), observed, answeredAt: Date.parse(deadline) - CLOCK_SKEW_ALLOWANCE_MS }))).toMatchObject({ outcome: 'EXPIRED' });
      expect(settleCallback(facts({ answer: answer('FORBIDDEN'), observed, answeredAt: Date.parse(deadline) - CLOCK_SKEW_ALLOWANCE_MS - 1 }))).toMatchObject({ outcome: 'FAILED' });
    });

    it('after "resolved already" following an attempt of ours: ours landed, a later processor or a newer edit holds it', () => {
      expect(settleCallback(facts({ answer: answer('NOT_PENDING'), observed, earlierMayHaveLanded: true }))).toMatchObject({ outcome: 'DELIVERED', confirmedBy: 'read-back' });
      expect(settleCallback(facts({ answer: answer('NOT_PENDING'), observed }))).toMatchObject({ outcome: 'ALREADY_RESOLVED' });
    });
  });

  describe('the message is resolved in Chime', () => {
    it.each([
      ['ALLOW', 'SENT'],
      ['UPDATE', 'SENT'],
      ['DENY', 'DENIED'],
      ['DENY', 'GONE'],
    ] as const)('a %s read back %s after a lost answer is DELIVERED, confirmed by read-back', (action, status) => {
      for (const kind of ['NO_ANSWER', 'NOT_PENDING', 'FORBIDDEN'] as const) {
        const earlierMayHaveLanded = kind !== 'NO_ANSWER';
        expect(settleCallback(facts({ answer: answer(kind), action, observed: { status }, earlierMayHaveLanded }))).toMatchObject({ outcome: 'DELIVERED', confirmedBy: 'read-back' });
      }
    });

    it('reads any resolved edit as SENT: a denied edit is dropped and the message keeps its last version', () => {
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), action: 'DENY', isEdit: true, observed: { status: 'SENT' } }))).toMatchObject({ outcome: 'DELIVERED' });
    });

    it('is ALREADY_RESOLVED when nothing of ours can have landed', () => {
      expect(settleCallback(facts({ answer: answer('NOT_PENDING'), observed: { status: 'SENT' } }))).toEqual(expect.objectContaining({ outcome: 'ALREADY_RESOLVED' }));
      expect(settleCallback(facts({ answer: answer('NOT_PENDING'), action: 'DENY', observed: { status: 'SENT' } }))).not.toHaveProperty('unsettled');
    });

    it('is ALREADY_RESOLVED and unsettled when Chime shows something else than decided and ours may have landed first: which resolved it cannot be told', () => {
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), action: 'DENY', observed: { status: 'SENT' } }))).toMatchObject({ outcome: 'ALREADY_RESOLVED', unsettled: true, reason: expect.stringMatching(/shows the message SENT/) });
      // An ALLOW that landed, then the sender deleted the message; a later processor denied it.
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), action: 'ALLOW', observed: { status: 'GONE' } }))).toMatchObject({ outcome: 'ALREADY_RESOLVED', unsettled: true });
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), action: 'ALLOW', observed: { status: 'DENIED' } }))).toMatchObject({ outcome: 'ALREADY_RESOLVED', unsettled: true });
      expect(settleCallback(facts({ answer: answer('NO_ANSWER'), observed: { status: 'FAILED', detail: 'Processor p could not be invoked' } }))).toMatchObject({
        outcome: 'ALREADY_RESOLVED',
        reason: expect.stringMatching(/could not be invoked/),
      });
    });
  });

  it('asks for a read-back exactly for the answers only a read-back can settle', () => {
    expect((['TURNED_AWAY', 'NO_ANSWER', 'NOT_PENDING', 'FORBIDDEN', 'REJECTED'] as const).filter((kind) => needsReadBack(answer(kind)))).toEqual(['NO_ANSWER', 'NOT_PENDING', 'FORBIDDEN']);
    expect((['TURNED_AWAY', 'NO_ANSWER', 'NOT_PENDING', 'FORBIDDEN', 'REJECTED'] as const).filter((kind) => needsReadBack(answer(kind), true))).toEqual(['NO_ANSWER', 'NOT_PENDING', 'FORBIDDEN', 'REJECTED']);
    expect(needsReadBack({ kind: 'ACCEPTED' })).toBe(false);
  });
});

describe('earlierCallbackMayHaveLanded', () => {
  it('is false for a decision the caller has just recorded (no record from before its lease)', () => {
    expect(earlierCallbackMayHaveLanded(undefined)).toBe(false);
  });

  it('is false when the record shows no attempt and a released (or never taken) lease', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 0, leaseUntil: 0 })).toBe(false);
  });

  it('is true after an attempt whose outcome was never settled (in doubt)', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 1, leaseUntil: 0, inDoubt: true })).toBe(true);
  });

  it('is false after attempts that were all settled as not landed (turned away, or read back pending)', () => {
    expect(earlierCallbackMayHaveLanded({ attempts: 3, leaseUntil: 0, inDoubt: false })).toBe(false);
  });

  it('counts any attempt in a record written before doubt was tracked', () => {
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
