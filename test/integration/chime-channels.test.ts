import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AssociateChannelFlowCommand,
  BadRequestException,
  ChannelFlowCallbackCommand,
  ChimeSDKMessagingClient,
  ConflictException,
  CreateChannelBanCommand,
  CreateChannelCommand,
  type CreateChannelCommandInput,
  CreateChannelFlowCommand,
  CreateChannelMembershipCommand,
  DeleteChannelBanCommand,
  DeleteChannelMembershipCommand,
  DeleteChannelMessageCommand,
  DescribeChannelCommand,
  ForbiddenException,
  GetChannelMessageCommand,
  GetChannelMessageStatusCommand,
  ListChannelBansCommand,
  ListChannelMembershipsCommand,
  ListChannelMessagesCommand,
  ListChannelsCommand,
  NotFoundException,
  RedactChannelMessageCommand,
  SendChannelMessageCommand,
  type SendChannelMessageCommandInput,
  UpdateChannelMessageCommand,
  paginateListChannels,
} from '@aws-sdk/client-chime-sdk-messaging';
import { startChimeSimulator, type ChannelFlowEvent, type ChimeSimulator, type ChimeSimulatorOptions } from '../../src/local/chime-simulator.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const ALICE = `${APP}/user/alice`;
const BOB = `${APP}/user/bob`;
const CAROL = `${APP}/user/carol`;
const ADMIN = `${APP}/bot/admin`;
const START = Date.parse('2025-03-01T12:00:00.000Z');

let sim: ChimeSimulator;
let chime: ChimeSDKMessagingClient;
let events: ChannelFlowEvent[];

/** Convenient mode with the default flow (invokeProcessor), unless told otherwise. */
async function start(extra: Partial<ChimeSimulatorOptions> = {}) {
  sim = await startChimeSimulator({
    port: 0,
    now: () => START,
    log: () => {},
    invokeProcessor: async (event) => void events.push(event),
    ...extra,
  });
  chime = new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

async function createChannel(input: Partial<CreateChannelCommandInput> = {}) {
  return (await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'General chat', ChimeBearer: ALICE, ...input }))).ChannelArn!;
}

function send(channelArn: string, input: Partial<SendChannelMessageCommandInput> = {}) {
  return chime.send(new SendChannelMessageCommand({ ChannelArn: channelArn, ChimeBearer: ALICE, Content: 'hello', Type: 'STANDARD', Persistence: 'PERSISTENT', ...input }));
}

const join = (channelArn: string, member: string, by = ALICE) => chime.send(new CreateChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: member, Type: 'DEFAULT', ChimeBearer: by }));
const get = (channelArn: string, messageId: string, bearer = BOB) => chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** A message in a channel created on first use (convenient mode), let through by its processor. */
async function sentMessage(channelArn: string, input: Partial<SendChannelMessageCommandInput> = {}) {
  const out = await send(channelArn, input);
  await sim.idle();
  const event = events.find((e) => e.ChannelMessage.MessageId === out.MessageId)!;
  await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: channelArn, CallbackId: event.CallbackId, ChannelMessage: { MessageId: out.MessageId! } }));
  return out.MessageId!;
}

beforeEach(() => {
  events = [];
});

afterEach(async () => {
  chime?.destroy();
  await sim?.close();
});

describe('channels', () => {
  it('creates a channel and describes it with its name', async () => {
    await start();
    const arn = await createChannel({ ChannelId: 'general', Privacy: 'PRIVATE', Mode: 'RESTRICTED', Metadata: '{"topic":"all"}' });
    expect(arn).toBe(`${APP}/channel/general`);
    const { Channel } = await chime.send(new DescribeChannelCommand({ ChannelArn: arn, ChimeBearer: ALICE }));
    expect(Channel).toEqual({
      Name: 'General chat',
      ChannelArn: arn,
      Mode: 'RESTRICTED',
      Privacy: 'PRIVATE',
      Metadata: '{"topic":"all"}',
      CreatedBy: { Arn: ALICE, Name: 'alice' },
      CreatedTimestamp: new Date(START),
      LastUpdatedTimestamp: new Date(START),
    });
    // The creator moderates it and is its first member.
    expect(sim.channels()[0]).toMatchObject({ members: [ALICE], moderators: [ALICE], implicit: false });
    expect(await rejection(createChannel({ ChannelId: 'general' }))).toBeInstanceOf(ConflictException);
  });

  it('generates a channel id, is idempotent on ClientRequestToken, and checks names and ids', async () => {
    await start();
    const arn = await createChannel({ ClientRequestToken: 'create-1' });
    expect(arn).toMatch(/\/channel\/[a-f0-9-]{36}$/);
    expect(await createChannel({ ClientRequestToken: 'create-1' })).toBe(arn);
    expect(await rejection(createChannel({ ClientRequestToken: 'create-1', Name: 'other' }))).toBeInstanceOf(ConflictException);
    for (const input of [{ Name: '' }, { Name: 'n'.repeat(257) }, { ChannelId: '-starts-badly' }, { ChannelId: 'c'.repeat(65) }, { ClientRequestToken: 'a' }, { MemberArns: [] }]) {
      expect(await rejection(createChannel(input)), JSON.stringify(input).slice(0, 60)).toBeInstanceOf(BadRequestException);
    }
    await createChannel({ Name: 'n'.repeat(256), ChannelId: `c${'x'.repeat(62)}c` });
  });

  it('names a channel created on first use after its id (convenient mode)', async () => {
    await start();
    const arn = `${APP}/channel/random`;
    await send(arn);
    const { Channel } = await chime.send(new DescribeChannelCommand({ ChannelArn: arn, ChimeBearer: BOB }));
    expect(Channel).toMatchObject({ Name: 'random', ChannelArn: arn, Privacy: 'PUBLIC', Mode: 'UNRESTRICTED', ChannelFlowArn: expect.stringContaining('/channel-flow/') });
  });

  it('lists the channels of an AppInstance, paged, by privacy', async () => {
    await start();
    const publics = [await createChannel({ ChannelId: 'a' }), await createChannel({ ChannelId: 'b' }), await createChannel({ ChannelId: 'c' })];
    const secret = await createChannel({ ChannelId: 'secret', Privacy: 'PRIVATE' });
    const pages: string[][] = [];
    for await (const page of paginateListChannels({ client: chime, pageSize: 2 }, { AppInstanceArn: APP, ChimeBearer: BOB })) pages.push(page.Channels!.map((c) => c.ChannelArn!));
    expect(pages).toEqual([publics.slice(0, 2), publics.slice(2)]);
    const privates = await chime.send(new ListChannelsCommand({ AppInstanceArn: APP, ChimeBearer: ALICE, Privacy: 'PRIVATE' }));
    expect(privates.Channels).toEqual([{ Name: 'General chat', ChannelArn: secret, Mode: 'UNRESTRICTED', Privacy: 'PRIVATE' }]);
  });
});

describe('memberships', () => {
  it('adds, lists and removes members', async () => {
    await start();
    const arn = await createChannel();
    const added = await join(arn, BOB);
    expect(added.$metadata.httpStatusCode).toBe(201);
    expect(added).toMatchObject({ ChannelArn: arn, Member: { Arn: BOB, Name: 'bob' } });
    expect(await rejection(join(arn, BOB))).toBeInstanceOf(ConflictException);
    await chime.send(new CreateChannelMembershipCommand({ ChannelArn: arn, MemberArn: CAROL, Type: 'HIDDEN', ChimeBearer: ALICE }));

    const list = async (Type?: 'DEFAULT' | 'HIDDEN') =>
      (await chime.send(new ListChannelMembershipsCommand({ ChannelArn: arn, ChimeBearer: ALICE, Type }))).ChannelMemberships!.map((m) => m.Member!.Arn);
    expect(await list()).toEqual([ALICE, BOB]);
    expect(await list('HIDDEN')).toEqual([CAROL]);
    const page = await chime.send(new ListChannelMembershipsCommand({ ChannelArn: arn, ChimeBearer: ALICE, MaxResults: 1 }));
    expect(page.ChannelMemberships).toHaveLength(1);
    expect(page.NextToken).toBeTruthy();

    const removed = await chime.send(new DeleteChannelMembershipCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE }));
    expect(removed.$metadata.httpStatusCode).toBe(204);
    expect(await list()).toEqual([ALICE]);
    expect(await rejection(chime.send(new DeleteChannelMembershipCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
    expect(await rejection(join(arn, 'arn:aws:chime:us-east-1:123456789012:app-instance/app-2/user/zed'))).toBeInstanceOf(BadRequestException);
  });
});

describe('bans', () => {
  it("refuses a banned sender's next message, and lets them back after the ban is lifted", async () => {
    await start();
    const arn = `${APP}/channel/general`;
    await sentMessage(arn, { ChimeBearer: BOB, Content: 'spam 1' });

    const ban = await chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE }));
    expect(ban.$metadata.httpStatusCode).toBe(201);
    expect(ban).toMatchObject({ ChannelArn: arn, Member: { Arn: BOB, Name: 'bob' } });
    expect(await rejection(chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE })))).toBeInstanceOf(ConflictException);

    const refused = await rejection(send(arn, { ChimeBearer: BOB, Content: 'spam 2' }));
    expect(refused).toBeInstanceOf(ForbiddenException);
    expect(refused.$metadata.httpStatusCode).toBe(403);
    await sim.idle();
    expect(events.map((e) => e.ChannelMessage.Content)).toEqual(['spam 1']);

    expect((await chime.send(new ListChannelBansCommand({ ChannelArn: arn, ChimeBearer: ALICE }))).ChannelBans).toEqual([{ Member: { Arn: BOB, Name: 'bob' } }]);
    // The ban kicked Bob out of the channel.
    expect((await chime.send(new ListChannelMembershipsCommand({ ChannelArn: arn, ChimeBearer: ALICE }))).ChannelMemberships!.map((m) => m.Member!.Arn)).not.toContain(BOB);
    expect(await rejection(join(arn, BOB))).toBeInstanceOf(ForbiddenException);

    const lifted = await chime.send(new DeleteChannelBanCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE }));
    expect(lifted.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(chime.send(new DeleteChannelBanCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
    expect((await send(arn, { ChimeBearer: BOB, Content: 'sorry' })).Status?.Value).toBe('PENDING');
  });
});

describe('RedactChannelMessage and DeleteChannelMessage', () => {
  it('redacts a sent message: it reads back Redacted with no content, and keeps its metadata', async () => {
    await start();
    const arn = `${APP}/channel/general`;
    const messageId = await sentMessage(arn, { Content: 'something harmful', Metadata: 'keep' });
    const out = await chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: messageId, ChimeBearer: ALICE }));
    expect(out).toMatchObject({ ChannelArn: arn, MessageId: messageId });

    for (const bearer of [ALICE, BOB]) {
      const m = (await get(arn, messageId, bearer)).ChannelMessage!;
      expect(m.Redacted).toBe(true);
      expect(m.Content).toBeUndefined();
      expect(m.Metadata).toBe('keep');
    }
    const listed = (await chime.send(new ListChannelMessagesCommand({ ChannelArn: arn, ChimeBearer: BOB }))).ChannelMessages!;
    expect(listed).toEqual([expect.objectContaining({ MessageId: messageId, Redacted: true })]);
    expect(listed[0]!.Content).toBeUndefined();
    expect(sim.messages()[0]).toMatchObject({ redacted: true, content: '' });
    // Redacting again is harmless; editing a redacted message is not allowed.
    await chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: messageId, ChimeBearer: ALICE }));
    expect(await rejection(chime.send(new UpdateChannelMessageCommand({ ChannelArn: arn, MessageId: messageId, ChimeBearer: ALICE, Content: 'back' })))).toBeInstanceOf(BadRequestException);
  });

  it('refuses to redact a message still in the flow, or one that is not there', async () => {
    await start();
    const arn = `${APP}/channel/general`;
    const pending = await send(arn);
    expect(await rejection(chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: pending.MessageId!, ChimeBearer: ALICE })))).toBeInstanceOf(ConflictException);
    expect(await rejection(chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: 'nope', ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
  });

  it('deletes a message: it is gone for everyone, and its pending callback is refused', async () => {
    await start();
    const arn = `${APP}/channel/general`;
    const kept = await sentMessage(arn, { Content: 'fine' });
    const doomed = await sentMessage(arn, { Content: 'harmful' });
    const deleted = await chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: doomed, ChimeBearer: ALICE }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await rejection(get(arn, doomed))).toBeInstanceOf(NotFoundException);
    expect(await rejection(get(arn, doomed, ALICE))).toBeInstanceOf(NotFoundException);
    expect(await rejection(chime.send(new GetChannelMessageStatusCommand({ ChannelArn: arn, MessageId: doomed, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);
    expect((await chime.send(new ListChannelMessagesCommand({ ChannelArn: arn, ChimeBearer: BOB }))).ChannelMessages!.map((m) => m.MessageId)).toEqual([kept]);
    expect(await rejection(chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: doomed, ChimeBearer: ALICE })))).toBeInstanceOf(NotFoundException);

    const pending = await send(arn, { Content: 'held' });
    await sim.idle();
    await chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: pending.MessageId!, ChimeBearer: ALICE }));
    const event = events.find((e) => e.ChannelMessage.MessageId === pending.MessageId)!;
    const late = await rejection(chime.send(new ChannelFlowCallbackCommand({ ChannelArn: arn, CallbackId: event.CallbackId, ChannelMessage: { MessageId: pending.MessageId! } })));
    expect(late).toBeInstanceOf(BadRequestException);
  });
});

describe('strict mode', () => {
  it('requires created channels and memberships, as in AWS', async () => {
    await start({ strict: true, appInstanceAdmins: [ADMIN] });
    const never = `${APP}/channel/never-created`;
    expect(await rejection(send(never))).toBeInstanceOf(ForbiddenException);
    expect(await rejection(get(never, 'm1'))).toBeInstanceOf(NotFoundException);
    expect(await rejection(join(never, BOB))).toBeInstanceOf(NotFoundException);
    expect(await rejection(chime.send(new DescribeChannelCommand({ ChannelArn: never, ChimeBearer: ALICE })))).toBeInstanceOf(ForbiddenException);
    expect(sim.channels()).toEqual([]);

    const arn = await createChannel({ ChannelId: 'team' });
    // No flow is associated by itself: the creator's message is delivered at once.
    const own = await send(arn);
    expect(own.Status?.Value).toBe('SENT');
    expect(await rejection(send(arn, { ChimeBearer: BOB }))).toBeInstanceOf(ForbiddenException);
    await join(arn, BOB);
    expect((await send(arn, { ChimeBearer: BOB })).Status?.Value).toBe('SENT');
    await sim.idle();
    expect(events).toEqual([]);
  });

  it('lets moderators and admins manage a channel, and only admins delete messages', async () => {
    await start({ strict: true, appInstanceAdmins: [ADMIN] });
    const arn = await createChannel({ ChannelId: 'team', Mode: 'RESTRICTED', MemberArns: [BOB, CAROL] });
    const flowArn = (
      await chime.send(
        new CreateChannelFlowCommand({
          AppInstanceArn: APP,
          Name: 'f',
          Processors: [{ Name: 'p', ExecutionOrder: 1, FallbackAction: 'CONTINUE', Configuration: { Lambda: { ResourceArn: 'arn:aws:lambda:us-east-1:123456789012:function:p', InvocationType: 'ASYNC' } } }],
        }),
      )
    ).ChannelFlowArn!;

    // Bob is a plain member.
    const forbidden = [
      () => chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: BOB })),
      () => chime.send(new ListChannelBansCommand({ ChannelArn: arn, ChimeBearer: BOB })),
      () => chime.send(new AssociateChannelFlowCommand({ ChannelArn: arn, ChannelFlowArn: flowArn, ChimeBearer: BOB })),
      () => chime.send(new DeleteChannelMembershipCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: BOB })),
      () => join(arn, `${APP}/user/dave`, BOB), // RESTRICTED: only moderators add members
      () => chime.send(new ListChannelsCommand({ AppInstanceArn: APP, ChimeBearer: BOB, Privacy: 'PRIVATE' })),
    ];
    for (const call of forbidden) expect(await rejection(call())).toBeInstanceOf(ForbiddenException);

    const message = (await send(arn, { ChimeBearer: CAROL, Content: 'harmful' })).MessageId!;
    expect(await rejection(chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: message, ChimeBearer: BOB })))).toBeInstanceOf(ForbiddenException);
    // The moderator (Alice, the creator) may redact and ban, but not delete.
    await chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: message, ChimeBearer: ALICE }));
    await chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: ALICE }));
    expect(await rejection(chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: message, ChimeBearer: ALICE })))).toBeInstanceOf(ForbiddenException);
    // An AppInstanceAdmin may delete, and manage channels it is not a member of.
    await chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: message, ChimeBearer: ADMIN }));
    await chime.send(new AssociateChannelFlowCommand({ ChannelArn: arn, ChannelFlowArn: flowArn, ChimeBearer: ADMIN }));
    // Members may leave by themselves.
    await chime.send(new DeleteChannelMembershipCommand({ ChannelArn: arn, MemberArn: BOB, ChimeBearer: BOB }));
  });

  it('hides a PRIVATE channel from non-members', async () => {
    await start({ strict: true });
    const arn = await createChannel({ ChannelId: 'secret', Privacy: 'PRIVATE' });
    expect(await rejection(chime.send(new DescribeChannelCommand({ ChannelArn: arn, ChimeBearer: BOB })))).toBeInstanceOf(ForbiddenException);
    expect(await rejection(chime.send(new ListChannelMessagesCommand({ ChannelArn: arn, ChimeBearer: BOB })))).toBeInstanceOf(ForbiddenException);
    await join(arn, BOB);
    expect((await chime.send(new DescribeChannelCommand({ ChannelArn: arn, ChimeBearer: BOB }))).Channel?.Name).toBe('General chat');
  });
});

describe('model constraints', () => {
  const arn = `${APP}/channel/general`;

  async function expectBadRequest(what: string, p: Promise<unknown>) {
    const e = await rejection(p);
    expect(e, what).toBeInstanceOf(BadRequestException);
    expect(e.$metadata.httpStatusCode, what).toBe(400);
  }

  it('checks SendChannelMessage fields at their limits', async () => {
    await start();
    const attribute = (value: string) => ({ a: { StringValues: [value] } });
    await expectBadRequest('SubChannelId 129', send(arn, { SubChannelId: 's'.repeat(129) }));
    await expectBadRequest('SubChannelId empty', send(arn, { SubChannelId: '' }));
    await expectBadRequest('SubChannelId pattern', send(arn, { SubChannelId: 'sub/channel' }));
    await expectBadRequest('ContentType 46', send(arn, { ContentType: 'c'.repeat(46) }));
    await expectBadRequest('attribute value 513', send(arn, { MessageAttributes: attribute('v'.repeat(513)) }));
    await expectBadRequest('attribute value empty', send(arn, { MessageAttributes: attribute('') }));
    await expectBadRequest('attribute name 65', send(arn, { MessageAttributes: { ['n'.repeat(65)]: { StringValues: ['v'] } } }));
    await expectBadRequest('push Title empty', send(arn, { PushNotification: { Title: '', Body: 'b' } }));
    await expectBadRequest('push Body empty', send(arn, { PushNotification: { Title: 't', Body: '' } }));
    await expectBadRequest('push Title 51', send(arn, { PushNotification: { Title: 't'.repeat(51) } }));
    await expectBadRequest('push Body 151', send(arn, { PushNotification: { Body: 'b'.repeat(151) } }));
    await expectBadRequest('token 1', send(arn, { ClientRequestToken: 'a' }));
    await expectBadRequest('token 65', send(arn, { ClientRequestToken: 'a'.repeat(65) }));
    await expectBadRequest('token pattern', send(arn, { ClientRequestToken: 'not valid!' }));
    await expectBadRequest('ChannelArn 1601', send(`${APP}/channel/${'c'.repeat(1601 - `${APP}/channel/`.length)}`));
    await expectBadRequest('content 4097 bytes', send(arn, { Content: 'x'.repeat(4097) }));
    await expectBadRequest('metadata 1025 bytes', send(arn, { Metadata: 'x'.repeat(1025) }));
    expect(sim.messages()).toEqual([]);

    // Every boundary value itself is accepted.
    const ok = await send(arn, {
      SubChannelId: 's'.repeat(128),
      ContentType: 'c'.repeat(45),
      MessageAttributes: { ['n'.repeat(64)]: { StringValues: ['v'.repeat(512), 'v'] } },
      PushNotification: { Title: 't', Body: 'b'.repeat(150), Type: 'VOIP' },
      ClientRequestToken: 'ab',
      Content: 'x'.repeat(4096),
      Metadata: 'm'.repeat(1024),
    });
    expect(ok.SubChannelId).toBe('s'.repeat(128));
    await send(arn, { ClientRequestToken: `${'a'.repeat(62)}-_`, PushNotification: { Title: 't'.repeat(50), Body: 'b' } });
    const longest = `${APP}/channel/${'c'.repeat(1600 - `${APP}/channel/`.length)}`;
    expect(longest).toHaveLength(1600);
    expect((await send(longest)).ChannelArn).toBe(longest);
  });

  it('answers a malformed MessageId with BadRequest, not NotFound', async () => {
    await start();
    const messageId = await sentMessage(arn);
    for (const bad of ['m'.repeat(129), 'has space', 'dot.ted']) {
      await expectBadRequest(`get ${bad}`, get(arn, bad));
      await expectBadRequest(`status ${bad}`, chime.send(new GetChannelMessageStatusCommand({ ChannelArn: arn, MessageId: bad, ChimeBearer: ALICE })));
      await expectBadRequest(`update ${bad}`, chime.send(new UpdateChannelMessageCommand({ ChannelArn: arn, MessageId: bad, ChimeBearer: ALICE, Content: 'x' })));
      await expectBadRequest(`redact ${bad}`, chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: bad, ChimeBearer: ALICE })));
      await expectBadRequest(`delete ${bad}`, chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: bad, ChimeBearer: ALICE })));
      await expectBadRequest(`callback ${bad}`, chime.send(new ChannelFlowCallbackCommand({ ChannelArn: arn, CallbackId: 'c'.repeat(40), ChannelMessage: { MessageId: bad } })));
    }
    // Well-formed but unknown is NotFound; 128 characters is well-formed.
    expect(await rejection(get(arn, 'm'.repeat(128)))).toBeInstanceOf(NotFoundException);
    expect((await get(arn, messageId)).ChannelMessage?.MessageId).toBe(messageId);
  });

  it('checks callback fields against the same limits', async () => {
    await start();
    const out = await send(arn);
    await sim.idle();
    const { CallbackId } = events[0]!;
    const callback = (ChannelMessage: Record<string, unknown>) =>
      chime.send(new ChannelFlowCallbackCommand({ ChannelArn: arn, CallbackId, ChannelMessage: { MessageId: out.MessageId!, ...ChannelMessage } }));
    await expectBadRequest('push Title empty', callback({ PushNotification: { Title: '' } }));
    await expectBadRequest('push Body empty', callback({ PushNotification: { Body: '' } }));
    await expectBadRequest('attribute value 513', callback({ MessageAttributes: { a: { StringValues: ['v'.repeat(513)] } } }));
    await expectBadRequest('ContentType 46', callback({ ContentType: 'c'.repeat(46) }));
    await expectBadRequest('SubChannelId pattern', callback({ SubChannelId: 'a b' }));
    await callback({ ContentType: 'c'.repeat(45), MessageAttributes: { a: { StringValues: ['v'.repeat(512)] } } });
    expect((await get(arn, out.MessageId!)).ChannelMessage).toMatchObject({ ContentType: 'c'.repeat(45), Status: { Value: 'SENT' } });
  });

  it('takes a CONTROL message of at most 30 bytes, without metadata, persistent or not, around the flow', async () => {
    await start();
    await expectBadRequest('31 bytes', send(arn, { Type: 'CONTROL', Content: 'c'.repeat(31) }));
    await expectBadRequest('30 bytes that are 10 characters', send(arn, { Type: 'CONTROL', Content: '€'.repeat(11) }));
    await expectBadRequest('metadata', send(arn, { Type: 'CONTROL', Content: 'typing', Metadata: 'm' }));
    const persistent = await send(arn, { Type: 'CONTROL', Content: 'c'.repeat(30), Persistence: 'PERSISTENT' });
    expect(persistent.Status?.Value).toBe('SENT');
    expect((await get(arn, persistent.MessageId!)).ChannelMessage).toMatchObject({ Type: 'CONTROL', Content: 'c'.repeat(30), Persistence: 'PERSISTENT' });
    const ephemeral = await send(arn, { Type: 'CONTROL', Content: 'typing', Persistence: 'NON_PERSISTENT' });
    expect(ephemeral.Status?.Value).toBe('SENT');
    await sim.idle();
    expect(events).toEqual([]);
  });
});
