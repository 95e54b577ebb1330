import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BadRequestException,
  ChannelFlowCallbackCommand,
  type ChannelFlowCallbackCommandInput,
  ChimeSDKMessagingClient,
  ConflictException,
  ForbiddenException,
  GetChannelMessageCommand,
  GetChannelMessageStatusCommand,
  ListChannelMessagesCommand,
  NotFoundException,
  SendChannelMessageCommand,
  type SendChannelMessageCommandInput,
  ServiceUnavailableException,
  ThrottledClientException,
  UpdateChannelMessageCommand,
  paginateListChannelMessages,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  type ChannelFlowEvent,
  type ChimeSimulator,
  type ChimeSimulatorOptions,
  type RecordedCallback,
  type SimulatedMessage,
  startChimeSimulator,
} from '../../src/local/chime-simulator.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/general`;
const OTHER_CHANNEL = `${APP}/channel/random`;
const ALICE = `${APP}/user/alice`;
const BOB = `${APP}/user/bob`;
const START = Date.parse('2025-03-01T12:00:00.000Z');

let sim: ChimeSimulator;
let clock: number;
let events: ChannelFlowEvent[];
let clients: ChimeSDKMessagingClient[];

async function start(extra: Partial<ChimeSimulatorOptions> = {}): Promise<ChimeSimulator> {
  sim = await startChimeSimulator({
    port: 0,
    now: () => clock,
    invokeProcessor: async (event) => {
      events.push(event);
    },
    ...extra,
  });
  return sim;
}

function client(maxAttempts?: number): ChimeSDKMessagingClient {
  const c = new ChimeSDKMessagingClient({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  clients.push(c);
  return c;
}

async function send(input: Partial<SendChannelMessageCommandInput> = {}) {
  return client().send(
    new SendChannelMessageCommand({
      ChannelArn: CHANNEL,
      ChimeBearer: ALICE,
      Content: 'hello world',
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ...input,
    }),
  );
}

/** Sends a message and waits for the processor to receive it. */
async function sendAndReceive(input: Partial<SendChannelMessageCommandInput> = {}) {
  const before = events.length;
  const out = await send(input);
  await sim.idle();
  const event = events.slice(before).find((e) => e.ChannelMessage.MessageId === out.MessageId);
  if (!event) throw new Error('the processor was not invoked');
  return { messageId: out.MessageId!, callbackId: event.CallbackId, event };
}

function callback(input: Omit<ChannelFlowCallbackCommandInput, 'ChannelArn'> & { ChannelArn?: string }, maxAttempts?: number) {
  return client(maxAttempts).send(new ChannelFlowCallbackCommand({ ChannelArn: CHANNEL, ...input }));
}

function get(messageId: string, bearer = ALICE) {
  return client().send(new GetChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: messageId, ChimeBearer: bearer }));
}

function status(messageId: string, bearer = ALICE) {
  return client().send(new GetChannelMessageStatusCommand({ ChannelArn: CHANNEL, MessageId: messageId, ChimeBearer: bearer }));
}

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number }; Code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number }; Code?: string };
  }
  throw new Error('expected the call to fail');
}

beforeEach(() => {
  clock = START;
  events = [];
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.destroy();
  await sim?.close();
});

describe('SendChannelMessage', () => {
  it('answers 201 PENDING and invokes the processor with the documented event', async () => {
    await start();
    const out = await send({ Metadata: '{"k":1}' });

    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out.ChannelArn).toBe(CHANNEL);
    expect(out.Status?.Value).toBe('PENDING');
    expect(out.MessageId).toMatch(/^[a-f0-9]{32}$/);

    await sim.idle();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toEqual({
      EventType: 'CHANNEL_MESSAGE_EVENT',
      CallbackId: expect.stringMatching(/^[a-z0-9]{48}$/),
      ChannelMessage: {
        MessageId: out.MessageId,
        ChannelArn: CHANNEL,
        Content: 'hello world',
        Metadata: '{"k":1}',
        Sender: { Arn: ALICE, Name: 'alice' },
        Persistence: 'PERSISTENT',
        Type: 'STANDARD',
        CreatedTimestamp: '2025-03-01T12:00:00.000Z',
      },
    });
  });

  it('shows a pending message to its sender only', async () => {
    await start();
    const { messageId } = await sendAndReceive();

    const mine = await get(messageId, ALICE);
    expect(mine.ChannelMessage?.Status?.Value).toBe('PENDING');
    expect(mine.ChannelMessage?.Content).toBe('hello world');
    expect(mine.ChannelMessage?.CreatedTimestamp).toEqual(new Date(START));
    expect(mine.ChannelMessage?.Sender).toEqual({ Arn: ALICE, Name: 'alice' });

    const e = await rejection(get(messageId, BOB));
    expect(e).toBeInstanceOf(NotFoundException);
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect((await status(messageId)).Status?.Value).toBe('PENDING');
  });

  it('is idempotent on ClientRequestToken', async () => {
    await start();
    const a = await send({ ClientRequestToken: 'token-1' });
    const b = await send({ ClientRequestToken: 'token-1' });
    await sim.idle();
    expect(b.MessageId).toBe(a.MessageId);
    expect(events).toHaveLength(1);
    expect(sim.messages()).toHaveLength(1);
  });

  it('rejects a request without a bearer, with an invalid channel ARN, or without content', async () => {
    await start();
    const noBearer = await rejection(send({ ChimeBearer: undefined }));
    expect(noBearer).toBeInstanceOf(BadRequestException);

    const badArn = await rejection(send({ ChannelArn: 'arn:aws:chime:us-east-1:123456789012:channel/nope' }));
    expect(badArn).toBeInstanceOf(BadRequestException);
    expect(badArn.$metadata.httpStatusCode).toBe(400);

    const empty = await rejection(send({ Content: '' }));
    expect(empty).toBeInstanceOf(BadRequestException);

    const otherAppInstance = await rejection(send({ ChimeBearer: 'arn:aws:chime:us-east-1:123456789012:app-instance/app-2/user/eve' }));
    expect(otherAppInstance).toBeInstanceOf(ForbiddenException);
    expect(events).toHaveLength(0);
  });

  it('creates channels lazily and keeps them apart', async () => {
    await start();
    const { messageId } = await sendAndReceive({ ChannelArn: OTHER_CHANNEL });
    const e = await rejection(get(messageId));
    expect(e).toBeInstanceOf(NotFoundException);
    const found = await client().send(new GetChannelMessageCommand({ ChannelArn: OTHER_CHANNEL, MessageId: messageId, ChimeBearer: ALICE }));
    expect(found.ChannelMessage?.ChannelArn).toBe(OTHER_CHANNEL);
  });
});

describe('ChannelFlowCallback', () => {
  it('lets a message through unchanged', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive({
      Metadata: 'meta',
      MessageAttributes: { topic: { StringValues: ['news'] } },
    });

    const out = await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out).toMatchObject({ ChannelArn: CHANNEL, CallbackId: callbackId });

    const seen = await get(messageId, BOB);
    expect(seen.ChannelMessage).toMatchObject({
      Content: 'hello world',
      Metadata: 'meta',
      MessageAttributes: { topic: { StringValues: ['news'] } },
      Status: { Value: 'SENT' },
      Persistence: 'PERSISTENT',
      Type: 'STANDARD',
      Redacted: false,
    });
    expect((await status(messageId)).Status?.Value).toBe('SENT');
  });

  it('applies updated content, metadata, attributes and push notification', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive({ Content: 'mail me at a@b.c', Metadata: 'old' });

    await callback({
      CallbackId: callbackId,
      ChannelMessage: {
        MessageId: messageId,
        Content: 'mail me at [email]',
        Metadata: '{"moderated":true}',
        MessageAttributes: { moderation: { StringValues: ['masked'] } },
        PushNotification: { Title: 'New message', Body: 'mail me at [email]', Type: 'DEFAULT' },
      },
    });

    const seen = await get(messageId, BOB);
    expect(seen.ChannelMessage).toMatchObject({
      Content: 'mail me at [email]',
      Metadata: '{"moderated":true}',
      MessageAttributes: { moderation: { StringValues: ['masked'] } },
      Status: { Value: 'SENT' },
    });
    const [stored] = sim.messages();
    expect(stored?.pushNotification).toEqual({ Title: 'New message', Body: 'mail me at [email]', Type: 'DEFAULT' });
  });

  it('keeps fields the callback leaves out', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive({ Content: 'original', Metadata: 'keep me' });
    await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId, Content: 'changed' } });
    const seen = await get(messageId, BOB);
    expect(seen.ChannelMessage).toMatchObject({ Content: 'changed', Metadata: 'keep me' });
  });

  it('denies a message: nobody can read it and its sender sees DENIED', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive();

    await callback({ CallbackId: callbackId, DeleteResource: true, ChannelMessage: { MessageId: messageId } });

    expect(await rejection(get(messageId, ALICE))).toBeInstanceOf(NotFoundException);
    expect(await rejection(get(messageId, BOB))).toBeInstanceOf(NotFoundException);
    expect((await status(messageId, ALICE)).Status?.Value).toBe('DENIED');
    const e = await rejection(status(messageId, BOB));
    expect(e).toBeInstanceOf(ForbiddenException);
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(sim.messages()[0]?.status).toBe('DENIED');
  });

  it('answers a second callback for the same CallbackId with ConflictException', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive();
    await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } });

    const e = await rejection(callback({ CallbackId: callbackId, DeleteResource: true, ChannelMessage: { MessageId: messageId } }));
    expect(e).toBeInstanceOf(ConflictException);
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(e.Code).toBe('Conflict');
    expect((await get(messageId, BOB)).ChannelMessage?.Status?.Value).toBe('SENT');
  });

  it('refuses a callback after the window with ForbiddenException', async () => {
    await start();
    const first = await sendAndReceive();
    const second = await sendAndReceive();

    clock = START + 172_800_000; // exactly 48 h: still accepted
    await callback({ CallbackId: first.callbackId, ChannelMessage: { MessageId: first.messageId } });

    clock = START + 172_800_001;
    const e = await rejection(callback({ CallbackId: second.callbackId, ChannelMessage: { MessageId: second.messageId } }));
    expect(e).toBeInstanceOf(ForbiddenException);
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect((await status(second.messageId)).Status?.Value).toBe('PENDING');
  });

  it('honours a shorter callbackWindowSeconds', async () => {
    await start({ callbackWindowSeconds: 10 });
    const { messageId, callbackId } = await sendAndReceive();
    clock += 10_001;
    expect(await rejection(callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }))).toBeInstanceOf(ForbiddenException);
  });

  it('rejects invalid callbacks with BadRequestException and leaves the message pending', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive();

    const cases: Array<ChannelFlowCallbackCommandInput['ChannelMessage'] & { CallbackId?: string }> = [
      { CallbackId: 'x'.repeat(31), MessageId: messageId },
      { CallbackId: 'x'.repeat(65), MessageId: messageId },
      { CallbackId: 'u'.repeat(40), MessageId: messageId }, // unknown
      { MessageId: 'some-other-message' },
      { MessageId: messageId, Content: '' },
      { MessageId: messageId, PushNotification: { Title: 't'.repeat(51) } },
      { MessageId: messageId, PushNotification: { Body: 'b'.repeat(151) } },
    ];
    for (const { CallbackId, ...ChannelMessage } of cases) {
      const e = await rejection(callback({ CallbackId: CallbackId ?? callbackId, ChannelMessage: ChannelMessage as { MessageId: string } }));
      expect(e, JSON.stringify(ChannelMessage)).toBeInstanceOf(BadRequestException);
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    const wrongChannel = await rejection(callback({ ChannelArn: OTHER_CHANNEL, CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }));
    expect(wrongChannel).toBeInstanceOf(BadRequestException);

    expect((await status(messageId)).Status?.Value).toBe('PENDING');
    await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId, PushNotification: { Title: 't'.repeat(50), Body: 'b'.repeat(150) } } });
    expect((await status(messageId)).Status?.Value).toBe('SENT');
  });

  it('answers 100% throttling with ThrottledClientException and does not consume the CallbackId', async () => {
    await start({ faults: { callbackThrottleRate: 1 } });
    const { messageId, callbackId } = await sendAndReceive();

    const e = await rejection(callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }, 1));
    expect(e).toBeInstanceOf(ThrottledClientException);
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect(e.$metadata.attempts).toBe(1);

    sim.setFaults({ callbackThrottleRate: 0, callbackUnavailableRate: 1 });
    const u = await rejection(callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }, 1));
    expect(u).toBeInstanceOf(ServiceUnavailableException);
    expect(u.$metadata.httpStatusCode).toBe(503);

    sim.setFaults({ callbackUnavailableRate: 0 });
    await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }, 1);
    expect((await status(messageId)).Status?.Value).toBe('SENT');

    expect(sim.callbacks().map((c) => c.outcome)).toEqual([
      { status: 429, errorType: 'ThrottledClientException' },
      { status: 503, errorType: 'ServiceUnavailableException' },
      { status: 200 },
    ]);
  });

  it('lets the stock client retry through injected throttling', async () => {
    const draws = [0, 0]; // the first two callback attempts draw below the rate, then fall back to 0.99
    await start({ faults: { callbackThrottleRate: 0.5 }, random: () => draws.shift() ?? 0.99 });
    const { messageId, callbackId } = await sendAndReceive();

    const out = await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } });
    expect(out.$metadata.attempts).toBe(3);
    expect(sim.callbacks().map((c) => c.outcome.status)).toEqual([429, 429, 200]);
  });
});

describe('duplicate invocations', () => {
  it('invokes the processor again with the same CallbackId after the delay', async () => {
    const at: number[] = [];
    await start({
      faults: { duplicateInvocations: 1, duplicateDelayMs: 40 },
      invokeProcessor: async (event) => {
        at.push(Date.now());
        events.push(event);
      },
    });
    const out = await send();
    await sim.idle();

    expect(events).toHaveLength(2);
    expect(events[0]).toEqual(events[1]);
    expect(events[0]?.ChannelMessage.MessageId).toBe(out.MessageId);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(30);
    expect(sim.invocations()).toHaveLength(2);

    // the processor that loses the race is answered with a conflict
    await callback({ CallbackId: events[0]!.CallbackId, ChannelMessage: { MessageId: out.MessageId! } });
    expect(await rejection(callback({ CallbackId: events[1]!.CallbackId, ChannelMessage: { MessageId: out.MessageId! } }))).toBeInstanceOf(ConflictException);
  });

  it('logs processor failures instead of throwing them', async () => {
    const logged: string[] = [];
    await start({
      invokeProcessor: async () => {
        throw new Error('boom');
      },
      log: (message) => logged.push(message),
    });
    const out = await send();
    await sim.idle();
    expect(out.Status?.Value).toBe('PENDING');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('processor failed');
  });

  it('cancels scheduled duplicates on close', async () => {
    await start({ faults: { duplicateInvocations: 3, duplicateDelayMs: 200 } });
    await send();
    await new Promise((r) => setTimeout(r, 20));
    await sim.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toHaveLength(1);
  });
});

describe('UpdateChannelMessage', () => {
  it('issues a new CallbackId for the edit and keeps the old content visible until it is allowed', async () => {
    await start();
    const sent = await sendAndReceive({ Content: 'first', Metadata: 'm1' });
    await callback({ CallbackId: sent.callbackId, ChannelMessage: { MessageId: sent.messageId } });

    clock = START + 60_000;
    const edit = await client().send(
      new UpdateChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: sent.messageId, ChimeBearer: ALICE, Content: 'second' }),
    );
    expect(edit).toMatchObject({ ChannelArn: CHANNEL, MessageId: sent.messageId, Status: { Value: 'PENDING' } });
    await sim.idle();

    const editEvent = events[1]!;
    expect(editEvent.CallbackId).not.toBe(sent.callbackId);
    expect(editEvent.ChannelMessage).toMatchObject({
      MessageId: sent.messageId,
      Content: 'second',
      Metadata: 'm1',
      CreatedTimestamp: '2025-03-01T12:00:00.000Z',
      LastEditedTimestamp: '2025-03-01T12:01:00.000Z',
    });

    expect((await get(sent.messageId, BOB)).ChannelMessage).toMatchObject({ Content: 'first', Status: { Value: 'SENT' } });
    expect((await get(sent.messageId, ALICE)).ChannelMessage).toMatchObject({ Content: 'second', Status: { Value: 'PENDING' } });
    expect((await status(sent.messageId)).Status?.Value).toBe('PENDING');
    expect(sim.messages()[0]?.pendingCallbacks).toEqual([
      { callbackId: editEvent.CallbackId, issuedAt: '2025-03-01T12:01:00.000Z', kind: 'EDIT', content: 'second', metadata: 'm1' },
    ]);

    await callback({ CallbackId: editEvent.CallbackId, ChannelMessage: { MessageId: sent.messageId } });
    const after = await get(sent.messageId, BOB);
    expect(after.ChannelMessage).toMatchObject({ Content: 'second', Status: { Value: 'SENT' } });
    expect(after.ChannelMessage?.LastEditedTimestamp).toEqual(new Date(START + 60_000));
  });

  it('drops a denied edit and keeps the delivered version', async () => {
    await start();
    const sent = await sendAndReceive({ Content: 'fine' });
    await callback({ CallbackId: sent.callbackId, ChannelMessage: { MessageId: sent.messageId } });
    await client().send(new UpdateChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: sent.messageId, ChimeBearer: ALICE, Content: 'rude' }));
    await sim.idle();

    await callback({ CallbackId: events[1]!.CallbackId, DeleteResource: true, ChannelMessage: { MessageId: sent.messageId } });
    expect((await get(sent.messageId, ALICE)).ChannelMessage).toMatchObject({ Content: 'fine', Status: { Value: 'SENT' } });
    expect((await get(sent.messageId, BOB)).ChannelMessage?.Content).toBe('fine');
  });

  it('refuses edits of NON_PERSISTENT messages, of pending messages and by anyone but the sender', async () => {
    await start();
    const np = await sendAndReceive({ Persistence: 'NON_PERSISTENT' });
    await callback({ CallbackId: np.callbackId, ChannelMessage: { MessageId: np.messageId } });
    const update = (messageId: string, bearer = ALICE) =>
      client().send(new UpdateChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: messageId, ChimeBearer: bearer, Content: 'edit' }));

    expect(await rejection(update(np.messageId))).toBeInstanceOf(BadRequestException);

    const pending = await sendAndReceive();
    expect(await rejection(update(pending.messageId))).toBeInstanceOf(BadRequestException);

    await callback({ CallbackId: pending.callbackId, ChannelMessage: { MessageId: pending.messageId } });
    expect(await rejection(update(pending.messageId, BOB))).toBeInstanceOf(ForbiddenException);
    expect(events).toHaveLength(2);
  });
});

describe('ListChannelMessages', () => {
  it('lists SENT messages, PENDING ones to their sender only, and never DENIED ones', async () => {
    await start();
    const sent = await sendAndReceive({ Content: 'a-sent' });
    await callback({ CallbackId: sent.callbackId, ChannelMessage: { MessageId: sent.messageId } });
    clock += 1000;
    await sendAndReceive({ Content: 'a-pending' });
    clock += 1000;
    const denied = await sendAndReceive({ Content: 'a-denied' });
    await callback({ CallbackId: denied.callbackId, DeleteResource: true, ChannelMessage: { MessageId: denied.messageId } });
    clock += 1000;
    await sendAndReceive({ Content: 'b-pending', ChimeBearer: BOB });

    const list = async (bearer: string, SortOrder?: 'ASCENDING' | 'DESCENDING') =>
      (await client().send(new ListChannelMessagesCommand({ ChannelArn: CHANNEL, ChimeBearer: bearer, SortOrder }))).ChannelMessages!.map(
        (m) => `${m.Content}:${m.Status?.Value}`,
      );

    expect(await list(ALICE)).toEqual(['a-pending:PENDING', 'a-sent:SENT']);
    expect(await list(ALICE, 'ASCENDING')).toEqual(['a-sent:SENT', 'a-pending:PENDING']);
    expect(await list(BOB, 'ASCENDING')).toEqual(['a-sent:SENT', 'b-pending:PENDING']);
  });

  it('pages with an opaque NextToken and filters by time', async () => {
    await start();
    for (let i = 0; i < 5; i++) {
      const m = await sendAndReceive({ Content: `m${i}` });
      await callback({ CallbackId: m.callbackId, ChannelMessage: { MessageId: m.messageId } });
      clock += 1000;
    }
    const pages: string[][] = [];
    for await (const page of paginateListChannelMessages(
      { client: client(), pageSize: 2 },
      { ChannelArn: CHANNEL, ChimeBearer: BOB, SortOrder: 'ASCENDING' },
    )) {
      pages.push(page.ChannelMessages!.map((m) => m.Content!));
    }
    expect(pages).toEqual([['m0', 'm1'], ['m2', 'm3'], ['m4']]);

    const window = await client().send(
      new ListChannelMessagesCommand({
        ChannelArn: CHANNEL,
        ChimeBearer: BOB,
        NotBefore: new Date(START + 1000),
        NotAfter: new Date(START + 3000),
        SortOrder: 'ASCENDING',
      }),
    );
    expect(window.ChannelMessages!.map((m) => m.Content)).toEqual(['m1', 'm2', 'm3']);
    expect(window.NextToken).toBeUndefined();

    const bad = await rejection(client().send(new ListChannelMessagesCommand({ ChannelArn: CHANNEL, ChimeBearer: BOB, NextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(BadRequestException);
  });
});

describe('simulator endpoints and raw HTTP', () => {
  it('serves recorded callbacks, messages and faults as plain JSON', async () => {
    await start();
    const { messageId, callbackId } = await sendAndReceive();
    await callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId, Content: 'edited' } });
    await rejection(callback({ CallbackId: callbackId, ChannelMessage: { MessageId: messageId } }));

    const callbacks = (await (await fetch(`${sim.endpoint}/_simulator/callbacks`)).json()) as RecordedCallback[];
    expect(callbacks).toEqual([
      {
        receivedAt: '2025-03-01T12:00:00.000Z',
        callbackId,
        channelArn: CHANNEL,
        deleteResource: false,
        channelMessage: { MessageId: messageId, Content: 'edited' },
        outcome: { status: 200 },
      },
      {
        receivedAt: '2025-03-01T12:00:00.000Z',
        callbackId,
        channelArn: CHANNEL,
        deleteResource: false,
        channelMessage: { MessageId: messageId },
        outcome: { status: 409, errorType: 'ConflictException' },
      },
    ]);

    const messages = (await (await fetch(`${sim.endpoint}/_simulator/messages`)).json()) as SimulatedMessage[];
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ messageId, content: 'edited', status: 'SENT', pendingCallbacks: [], callbackIds: [callbackId] });

    const faults = await fetch(`${sim.endpoint}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ duplicateInvocations: 2 }) });
    expect(await faults.json()).toEqual({ callbackThrottleRate: 0, callbackUnavailableRate: 0, duplicateInvocations: 2, duplicateDelayMs: 139, invokeFailureRate: 0, callbackForbiddenRate: 0, loseAnswerRate: 0, loseSendAnswerRate: 0, sendTokenWindowMs: 0, sendAnswerDelayMs: 0 });
    expect(sim.faults().duplicateInvocations).toBe(2);
  });

  it('answers unknown routes, malformed JSON and oversized bodies in the Chime error shape', async () => {
    await start();
    const unknown = await fetch(`${sim.endpoint}/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(unknown.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await unknown.json()).toMatchObject({ Code: 'NotFound' });

    const channelPath = `${sim.endpoint}/channels/${encodeURIComponent(CHANNEL)}`;
    const malformed = await fetch(`${channelPath}?operation=channel-flow-callback`, { method: 'POST', body: '{not json' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await malformed.json()).toMatchObject({ Code: 'BadRequest' });
    expect(sim.callbacks()[0]?.outcome).toEqual({ status: 400, errorType: 'BadRequestException' });

    const big = await fetch(`${channelPath}/messages`, {
      method: 'POST',
      headers: { 'x-amz-chime-bearer': ALICE },
      body: JSON.stringify({ Content: 'x'.repeat(1024 * 1024 + 10), Type: 'STANDARD', Persistence: 'PERSISTENT' }),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(sim.messages()).toHaveLength(0);
  });

  it('accepts an unencoded channel ARN in the path', async () => {
    await start();
    const res = await fetch(`${sim.endpoint}/channels/${CHANNEL}/messages`, {
      method: 'POST',
      headers: { 'x-amz-chime-bearer': ALICE },
      body: JSON.stringify({ Content: 'raw', Type: 'STANDARD', Persistence: 'PERSISTENT' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ChannelArn: CHANNEL, Status: { Value: 'PENDING' } });
  });
});
