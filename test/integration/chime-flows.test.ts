import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AssociateChannelFlowCommand,
  BadRequestException,
  ChannelFlowCallbackCommand,
  ChimeSDKMessagingClient,
  ConflictException,
  CreateChannelCommand,
  CreateChannelFlowCommand,
  type CreateChannelFlowCommandInput,
  DeleteChannelFlowCommand,
  DescribeChannelCommand,
  DescribeChannelFlowCommand,
  DisassociateChannelFlowCommand,
  GetChannelMessageCommand,
  GetChannelMessageStatusCommand,
  ListChannelFlowsCommand,
  ListChannelsAssociatedWithChannelFlowCommand,
  NotFoundException,
  type Processor,
  SendChannelMessageCommand,
  UpdateChannelFlowCommand,
  UpdateChannelMessageCommand,
  paginateListChannelFlows,
} from '@aws-sdk/client-chime-sdk-messaging';
import { ProcessorInvokeError, startChimeSimulator, type ChannelFlowEvent, type ChimeSimulator, type ChimeSimulatorOptions } from '../../src/local/chime-simulator.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const OTHER_APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-2';
const ALICE = `${APP}/user/alice`;
const BOB = `${APP}/user/bob`;
const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const START = Date.parse('2025-03-01T12:00:00.000Z');

/** What the fake Lambda service received: accepted invocations, per function name. */
let received: Array<{ functionArn: string; event: ChannelFlowEvent }>;
/** Functions that exist; anything else "cannot be invoked". */
let functions: Set<string>;
let sim: ChimeSimulator;
let chime: ChimeSDKMessagingClient;
let clock: number;

async function start(extra: Partial<ChimeSimulatorOptions> = {}) {
  sim = await startChimeSimulator({
    port: 0,
    now: () => clock,
    log: () => {},
    invokeLambda: (functionArn, event) => {
      if (!functions.has(functionArn)) throw new ProcessorInvokeError('ResourceNotFoundException', `Function not found: ${functionArn}`);
      received.push({ functionArn, event });
    },
    ...extra,
  });
  chime = new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

const processor = (name: string, order: number, fallback: 'ABORT' | 'CONTINUE' = 'ABORT'): Processor => ({
  Name: name,
  ExecutionOrder: order,
  FallbackAction: fallback,
  Configuration: { Lambda: { ResourceArn: lambdaArn(name), InvocationType: 'ASYNC' } },
});

async function createFlow(input: Partial<CreateChannelFlowCommandInput> = {}) {
  const out = await chime.send(new CreateChannelFlowCommand({ AppInstanceArn: APP, Name: 'moderation', Processors: [processor('p1', 1)], ...input } as CreateChannelFlowCommandInput));
  return out.ChannelFlowArn!;
}

async function createChannel(name = 'general', bearer = ALICE) {
  return (await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: name, ChimeBearer: bearer }))).ChannelArn!;
}

async function channelWithFlow(processors: Processor[]) {
  const flowArn = await createFlow({ Processors: processors });
  const channelArn = await createChannel();
  await chime.send(new AssociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE }));
  return { flowArn, channelArn };
}

async function send(channelArn: string, content = 'hello', bearer = ALICE) {
  return chime.send(new SendChannelMessageCommand({ ChannelArn: channelArn, ChimeBearer: bearer, Content: content, Type: 'STANDARD', Persistence: 'PERSISTENT' }));
}

const status = async (channelArn: string, messageId: string) =>
  (await chime.send(new GetChannelMessageStatusCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: ALICE }))).Status;

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

beforeEach(() => {
  clock = START;
  received = [];
  functions = new Set([lambdaArn('p1'), lambdaArn('p2'), lambdaArn('p3')]);
});

afterEach(async () => {
  chime?.destroy();
  await sim?.close();
});

describe('channel flows as resources', () => {
  it('creates, describes, lists, updates and deletes a flow', async () => {
    await start();
    const flowArn = await createFlow({ Processors: [processor('p1', 1, 'CONTINUE')] });
    expect(flowArn).toMatch(/^arn:aws:chime:us-east-1:123456789012:app-instance\/app-1\/channel-flow\/[a-f0-9-]{36}$/);

    const described = (await chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn }))).ChannelFlow;
    expect(described).toEqual({
      ChannelFlowArn: flowArn,
      Name: 'moderation',
      Processors: [processor('p1', 1, 'CONTINUE')],
      CreatedTimestamp: new Date(START),
      LastUpdatedTimestamp: new Date(START),
    });

    clock += 60_000;
    const updated = await chime.send(new UpdateChannelFlowCommand({ ChannelFlowArn: flowArn, Name: 'renamed', Processors: [processor('p2', 1)] }));
    expect(updated.ChannelFlowArn).toBe(flowArn);
    const after = (await chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn }))).ChannelFlow;
    expect(after).toMatchObject({ Name: 'renamed', Processors: [processor('p2', 1)], CreatedTimestamp: new Date(START), LastUpdatedTimestamp: new Date(START + 60_000) });

    const listed = await chime.send(new ListChannelFlowsCommand({ AppInstanceArn: APP }));
    expect(listed.ChannelFlows).toEqual([{ ChannelFlowArn: flowArn, Name: 'renamed', Processors: [processor('p2', 1)] }]);
    expect((await chime.send(new ListChannelFlowsCommand({ AppInstanceArn: OTHER_APP }))).ChannelFlows).toEqual([]);

    const deleted = await chime.send(new DeleteChannelFlowCommand({ ChannelFlowArn: flowArn }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn })))).toBeInstanceOf(NotFoundException);
    expect(await rejection(chime.send(new DeleteChannelFlowCommand({ ChannelFlowArn: flowArn })))).toBeInstanceOf(NotFoundException);
  });

  it('pages ListChannelFlows with MaxResults 1..50', async () => {
    await start();
    const arns = [await createFlow({ Name: 'a' }), await createFlow({ Name: 'b' }), await createFlow({ Name: 'c' })];
    const pages: string[][] = [];
    for await (const page of paginateListChannelFlows({ client: chime, pageSize: 2 }, { AppInstanceArn: APP })) pages.push(page.ChannelFlows!.map((f) => f.ChannelFlowArn!));
    expect(pages).toEqual([arns.slice(0, 2), arns.slice(2)]);
    for (const MaxResults of [0, 51]) {
      expect(await rejection(chime.send(new ListChannelFlowsCommand({ AppInstanceArn: APP, MaxResults })))).toBeInstanceOf(BadRequestException);
    }
    expect((await chime.send(new ListChannelFlowsCommand({ AppInstanceArn: APP, MaxResults: 50 }))).ChannelFlows).toHaveLength(3);
    expect(await rejection(chime.send(new ListChannelFlowsCommand({ AppInstanceArn: APP, NextToken: 'forged' })))).toBeInstanceOf(BadRequestException);
  });

  it('is idempotent on ClientRequestToken and checks the token against the model', async () => {
    await start();
    const first = await createFlow({ ClientRequestToken: 'tok-1' });
    expect(await createFlow({ ClientRequestToken: 'tok-1' })).toBe(first);
    expect(sim.flows()).toHaveLength(1);
    expect(await rejection(createFlow({ ClientRequestToken: 'tok-1', Name: 'different' }))).toBeInstanceOf(ConflictException);

    for (const token of ['x', 'y'.repeat(65), 'has space', 'dot.ted']) {
      const e = await rejection(createFlow({ ClientRequestToken: token }));
      expect(e, token).toBeInstanceOf(BadRequestException);
    }
    await createFlow({ ClientRequestToken: 'xy' });
    await createFlow({ ClientRequestToken: 'z'.repeat(64) });
  });

  it('validates processors with the model limits', async () => {
    await start();
    const lambda = (ResourceArn: string) => ({ Lambda: { ResourceArn, InvocationType: 'ASYNC' as const } });
    const bad: Array<[string, unknown]> = [
      ['no processor', []],
      ['four processors', [processor('p1', 1), processor('p2', 2), processor('p3', 3), { ...processor('p1', 1), ExecutionOrder: 3 }]],
      ['ExecutionOrder 0', [processor('p1', 0)]],
      ['ExecutionOrder 4', [processor('p1', 4)]],
      ['duplicate ExecutionOrder', [processor('p1', 1), processor('p2', 1)]],
      ['unknown FallbackAction', [{ ...processor('p1', 1), FallbackAction: 'RETRY' }]],
      ['empty name', [{ ...processor('p1', 1), Name: '' }]],
      ['257-character name', [{ ...processor('p1', 1), Name: 'n'.repeat(257) }]],
      ['not a Lambda ARN', [{ ...processor('p1', 1), Configuration: lambda('arn:aws:sqs:us-east-1:123456789012:queue') }]],
      ['SYNC invocation', [{ ...processor('p1', 1), Configuration: { Lambda: { ResourceArn: lambdaArn('p1'), InvocationType: 'SYNC' } } }]],
    ];
    for (const [what, Processors] of bad) {
      const e = await rejection(createFlow({ Processors: Processors as Processor[] }));
      expect(e, what).toBeInstanceOf(BadRequestException);
    }
    expect(await rejection(createFlow({ Name: '' }))).toBeInstanceOf(BadRequestException);
    expect(await rejection(createFlow({ Name: 'n'.repeat(257) }))).toBeInstanceOf(BadRequestException);
    expect(await rejection(createFlow({ AppInstanceArn: 'arn:aws:chime:us-east-1:123456789012:nope' }))).toBeInstanceOf(BadRequestException);
    // The boundaries themselves are accepted.
    await createFlow({ Name: 'n'.repeat(256), Processors: [processor('p1', 3), { ...processor('p2', 2), Name: 'n'.repeat(256) }, processor('p3', 1)] });
    await createFlow({ Processors: [{ ...processor('p1', 1), Configuration: lambda(`${lambdaArn('p1')}:$LATEST`) }] });
  });

  it('associates a flow with a channel, lists the association and disassociates it', async () => {
    await start();
    const flowArn = await createFlow();
    const channelArn = await createChannel();
    expect((await chime.send(new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: ALICE }))).Channel?.ChannelFlowArn).toBeUndefined();

    const associated = await chime.send(new AssociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE }));
    expect(associated.$metadata.httpStatusCode).toBe(200);
    expect((await chime.send(new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: ALICE }))).Channel?.ChannelFlowArn).toBe(flowArn);
    // Associating the same flow again changes nothing.
    await chime.send(new AssociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE }));

    const listed = await chime.send(new ListChannelsAssociatedWithChannelFlowCommand({ ChannelFlowArn: flowArn }));
    expect(listed.Channels).toEqual([{ Name: 'general', ChannelArn: channelArn, Mode: 'UNRESTRICTED', Privacy: 'PUBLIC' }]);

    const other = await createFlow({ Name: 'other' });
    expect(await rejection(chime.send(new AssociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: other, ChimeBearer: ALICE })))).toBeInstanceOf(ConflictException);
    expect(await rejection(chime.send(new DeleteChannelFlowCommand({ ChannelFlowArn: flowArn })))).toBeInstanceOf(ConflictException);
    expect(await rejection(chime.send(new DisassociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: other, ChimeBearer: ALICE })))).toBeInstanceOf(ConflictException);

    const missing = `${APP}/channel-flow/00000000-0000-0000-0000-000000000000`;
    expect(await rejection(chime.send(new AssociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: missing, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
    const foreign = (await chime.send(new CreateChannelFlowCommand({ AppInstanceArn: OTHER_APP, Name: 'x', Processors: [processor('p1', 1)] }))).ChannelFlowArn!;
    const second = await createChannel('second');
    expect(await rejection(chime.send(new AssociateChannelFlowCommand({ ChannelArn: second, ChannelFlowArn: foreign, ChimeBearer: ALICE })))).toBeInstanceOf(BadRequestException);
    expect(await rejection(chime.send(new AssociateChannelFlowCommand({ ChannelArn: second, ChannelFlowArn: 'not-an-arn', ChimeBearer: ALICE })))).toBeInstanceOf(BadRequestException);

    const gone = await chime.send(new DisassociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE }));
    expect(gone.$metadata.httpStatusCode).toBe(204);
    expect((await chime.send(new ListChannelsAssociatedWithChannelFlowCommand({ ChannelFlowArn: flowArn }))).Channels).toEqual([]);
    expect(await rejection(chime.send(new DisassociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
    await chime.send(new DeleteChannelFlowCommand({ ChannelFlowArn: flowArn }));
  });
});

describe('processors', () => {
  it('chains processors in ExecutionOrder: each sees the message as the previous one left it', async () => {
    await start();
    // Listed out of order on purpose: ExecutionOrder decides.
    const { channelArn } = await channelWithFlow([processor('p2', 2), processor('p1', 1)]);
    const sent = await send(channelArn, 'mail me at a@b.c');
    expect(sent.Status?.Value).toBe('PENDING');
    await sim.idle();
    expect(received.map((r) => r.functionArn)).toEqual([lambdaArn('p1')]);
    const first = received[0]!.event;
    expect(first.ChannelMessage.Content).toBe('mail me at a@b.c');

    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: first.CallbackId, ChannelMessage: { MessageId: sent.MessageId!, Content: 'mail me at [email]', Metadata: 'm' } }));
    expect((await status(channelArn, sent.MessageId!))?.Value).toBe('PENDING');
    await sim.idle();
    expect(received.map((r) => r.functionArn)).toEqual([lambdaArn('p1'), lambdaArn('p2')]);
    const second = received[1]!.event;
    expect(second.CallbackId).not.toBe(first.CallbackId);
    expect(second.ChannelMessage).toMatchObject({ MessageId: sent.MessageId, Content: 'mail me at [email]', Metadata: 'm' });
    // Nobody else sees it until the last processor lets it through.
    expect(await rejection(chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB })))).toBeInstanceOf(NotFoundException);

    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: second.CallbackId, ChannelMessage: { MessageId: sent.MessageId! } }));
    const seen = await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB }));
    expect(seen.ChannelMessage).toMatchObject({ Content: 'mail me at [email]', Metadata: 'm', Status: { Value: 'SENT' } });
    expect(sim.messages()[0]?.callbackIds).toEqual([first.CallbackId, second.CallbackId]);
  });

  it('stops the chain at a deny', async () => {
    await start();
    const { channelArn } = await channelWithFlow([processor('p1', 1), processor('p2', 2)]);
    const sent = await send(channelArn, 'spam');
    await sim.idle();
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: received[0]!.event.CallbackId, DeleteResource: true, ChannelMessage: { MessageId: sent.MessageId! } }));
    await sim.idle();
    expect(received).toHaveLength(1);
    expect((await status(channelArn, sent.MessageId!))?.Value).toBe('DENIED');
  });

  it('runs an edit through the whole chain under new CallbackIds', async () => {
    await start();
    const { channelArn } = await channelWithFlow([processor('p1', 1), processor('p2', 2)]);
    const sent = await send(channelArn, 'v1');
    await sim.idle();
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: received[0]!.event.CallbackId, ChannelMessage: { MessageId: sent.MessageId! } }));
    await sim.idle();
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: received[1]!.event.CallbackId, ChannelMessage: { MessageId: sent.MessageId! } }));
    const edit = await chime.send(new UpdateChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: ALICE, Content: 'v2' }));
    expect(edit.Status?.Value).toBe('PENDING');
    await sim.idle();
    expect(received[2]).toMatchObject({ functionArn: lambdaArn('p1'), event: { ChannelMessage: { Content: 'v2' } } });
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: received[2]!.event.CallbackId, ChannelMessage: { MessageId: sent.MessageId!, Content: 'v2!' } }));
    await sim.idle();
    expect(received[3]).toMatchObject({ functionArn: lambdaArn('p2'), event: { ChannelMessage: { Content: 'v2!' } } });
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: received[3]!.event.CallbackId, ChannelMessage: { MessageId: sent.MessageId! } }));
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB }))).ChannelMessage?.Content).toBe('v2!');
  });

  it('FallbackAction ABORT: a processor that cannot be invoked makes the message FAILED, with a Detail', async () => {
    await start();
    const { channelArn } = await channelWithFlow([processor('missing', 1, 'ABORT')]);
    const sent = await send(channelArn, 'hello');
    await sim.idle();
    const s = await status(channelArn, sent.MessageId!);
    expect(s?.Value).toBe('FAILED');
    expect(s?.Detail).toContain('missing');
    expect(s?.Detail).toContain('ResourceNotFoundException');
    expect(s!.Detail!.length).toBeLessThanOrEqual(256);
    expect(sim.invocations()).toEqual([]);
    // The sender sees it FAILED; nobody else sees it at all.
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: ALICE }))).ChannelMessage?.Status?.Value).toBe('FAILED');
    expect(await rejection(chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB })))).toBeInstanceOf(NotFoundException);
    expect(sim.messages()[0]).toMatchObject({ status: 'FAILED', statusDetail: s?.Detail });
  });

  it('FallbackAction CONTINUE: the message moves on (and is SENT after the last processor)', async () => {
    await start();
    const { channelArn } = await channelWithFlow([processor('missing', 1, 'CONTINUE')]);
    const sent = await send(channelArn, 'hello');
    await sim.idle();
    expect((await status(channelArn, sent.MessageId!))?.Value).toBe('SENT');
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB }))).ChannelMessage?.Content).toBe('hello');

    // A first processor that cannot be invoked hands the original on to the next one.
    const chained = await channelWithFlow([{ ...processor('missing', 1, 'CONTINUE'), Name: 'gone' }, processor('p2', 2, 'ABORT')]);
    const next = await send(chained.channelArn, 'second');
    await sim.idle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ functionArn: lambdaArn('p2'), event: { ChannelMessage: { MessageId: next.MessageId, Content: 'second' } } });
    expect((await status(chained.channelArn, next.MessageId!))?.Value).toBe('PENDING');
  });

  it('applies the fallback when the injected invoke fault fires, and only then', async () => {
    await start({ faults: { invokeFailureRate: 1 } });
    const { channelArn } = await channelWithFlow([processor('p1', 1, 'ABORT')]);
    const failed = await send(channelArn, 'one');
    await sim.idle();
    const s = await status(channelArn, failed.MessageId!);
    expect(s).toEqual({ Value: 'FAILED', Detail: expect.stringContaining('TooManyRequestsException') });
    expect(received).toHaveLength(0);

    const reply = await fetch(`${sim.endpoint}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ invokeFailureRate: 0 }) });
    expect(await reply.json()).toMatchObject({ invokeFailureRate: 0 });
    const ok = await send(channelArn, 'two');
    await sim.idle();
    expect(received.map((r) => r.event.ChannelMessage.MessageId)).toEqual([ok.MessageId]);
    expect((await status(channelArn, ok.MessageId!))?.Value).toBe('PENDING');
    expect(() => sim.setFaults({ invokeFailureRate: 1.5 })).toThrow(/between 0 and 1/);
  });

  it('keeps a message PENDING when the function accepted the event and never calls back', async () => {
    await start();
    const { channelArn } = await channelWithFlow([processor('p1', 1, 'ABORT')]);
    const sent = await send(channelArn);
    await sim.idle();
    expect(received).toHaveLength(1);
    expect((await status(channelArn, sent.MessageId!))?.Value).toBe('PENDING');
  });
});

describe('a channel with no flow', () => {
  it('delivers at once and invokes nothing, for sends and edits', async () => {
    await start();
    const channelArn = await createChannel();
    const sent = await send(channelArn, 'plain');
    expect(sent.Status?.Value).toBe('SENT');
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB }))).ChannelMessage?.Content).toBe('plain');
    const edit = await chime.send(new UpdateChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: ALICE, Content: 'edited' }));
    expect(edit.Status?.Value).toBe('SENT');
    await sim.idle();
    expect(received).toEqual([]);
    expect(sim.invocations()).toEqual([]);
    expect((await chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: sent.MessageId!, ChimeBearer: BOB }))).ChannelMessage?.Content).toBe('edited');
  });

  it('stops processing once the flow is disassociated', async () => {
    await start();
    const { channelArn, flowArn } = await channelWithFlow([processor('p1', 1)]);
    await send(channelArn);
    await chime.send(new DisassociateChannelFlowCommand({ ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: ALICE }));
    const after = await send(channelArn);
    await sim.idle();
    expect(after.Status?.Value).toBe('SENT');
    expect(received).toHaveLength(1);
  });
});
