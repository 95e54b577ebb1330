import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BadRequestException,
  ChannelFlowCallbackCommand,
  ChimeSDKMessagingClient,
  CreateChannelBanCommand,
  CreateChannelCommand,
  type CreateChannelCommandInput,
  DeleteChannelMessageCommand,
  ForbiddenException,
  GetChannelMessageCommand,
  GetChannelMessageStatusCommand,
  ListChannelMessagesCommand,
  NotFoundException,
  RedactChannelMessageCommand,
  SendChannelMessageCommand,
  type SendChannelMessageCommandInput,
  UpdateChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { startChimeSimulator, type ChannelFlowEvent, type ChimeSimulator, type ChimeSimulatorOptions } from '../../src/local/chime-simulator.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const OTHER_APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-2';
const ALICE = `${APP}/user/alice`; // creates the channels: their moderator
const BOB = `${APP}/user/bob`; // the target
const CAROL = `${APP}/user/carol`; // a third member
const DAVE = `${APP}/user/dave`; // not a member
const BOT = `${APP}/bot/moderation`; // the moderation bot, a member that sends notices
const ADMIN = `${APP}/bot/admin`; // an AppInstanceAdmin, member of nothing
const START = Date.parse('2025-03-01T12:00:00.000Z');

let sim: ChimeSimulator;
let chime: ChimeSDKMessagingClient;
let events: ChannelFlowEvent[];

async function start(extra: Partial<ChimeSimulatorOptions> = {}) {
  sim = await startChimeSimulator({
    port: 0,
    now: () => START,
    log: () => {},
    appInstanceAdmins: [ADMIN],
    invokeProcessor: async (event) => void events.push(event),
    ...extra,
  });
  chime = new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

/** A created channel (no flow of its own): Alice moderates it; Bob, Carol and the bot are members. */
async function createChannel(input: Partial<CreateChannelCommandInput> = {}) {
  const out = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'team', ChimeBearer: ALICE, MemberArns: [BOB, CAROL, BOT], ...input }));
  return out.ChannelArn!;
}

function send(channelArn: string, input: Partial<SendChannelMessageCommandInput> = {}) {
  return chime.send(new SendChannelMessageCommand({ ChannelArn: channelArn, ChimeBearer: BOT, Content: 'notice', Type: 'STANDARD', Persistence: 'PERSISTENT', ...input }));
}

const toBob = { Target: [{ MemberArn: BOB }] };
const get = (channelArn: string, messageId: string, bearer: string) => chime.send(new GetChannelMessageCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
const status = (channelArn: string, messageId: string, bearer: string) =>
  chime.send(new GetChannelMessageStatusCommand({ ChannelArn: channelArn, MessageId: messageId, ChimeBearer: bearer }));
const listed = async (channelArn: string, bearer: string) =>
  (await chime.send(new ListChannelMessagesCommand({ ChannelArn: channelArn, ChimeBearer: bearer, SortOrder: 'ASCENDING' }))).ChannelMessages ?? [];
const ids = (messages: Array<{ MessageId?: string }>) => messages.map((m) => m.MessageId);

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** The call fails exactly as it does for a message that does not exist (same status, type and text, ids aside). */
async function expectMissing(call: (messageId: string) => Promise<unknown>, messageId: string) {
  const hidden = await rejection(call(messageId));
  const missing = await rejection(call('no-such-message'));
  expect(hidden).toBeInstanceOf(NotFoundException);
  expect(hidden.$metadata.httpStatusCode).toBe(404);
  expect(hidden.message.replace(messageId, 'ID')).toBe(missing.message.replace('no-such-message', 'ID'));
}

beforeEach(() => {
  events = [];
});

afterEach(async () => {
  chime?.destroy();
  await sim?.close();
});

describe('targeted messages', () => {
  it('shows a targeted message to its sender and its target only, with its Target', async () => {
    await start({ strict: true });
    const arn = await createChannel();
    const everyone = (await send(arn, { Content: 'welcome' })).MessageId!;
    const sent = await send(arn, toBob);
    expect(sent.Status?.Value).toBe('SENT');
    const notice = sent.MessageId!;

    for (const bearer of [BOT, BOB]) {
      const { ChannelMessage } = await get(arn, notice, bearer);
      expect(ChannelMessage).toMatchObject({ MessageId: notice, Content: 'notice', Sender: { Arn: BOT }, Target: [{ MemberArn: BOB }], Status: { Value: 'SENT' } });
      const summaries = await listed(arn, bearer);
      expect(ids(summaries)).toEqual([everyone, notice]);
      expect(summaries[1]).toMatchObject({ MessageId: notice, Target: [{ MemberArn: BOB }] });
      expect(summaries[0]).not.toHaveProperty('Target');
    }
    // Everyone else, the moderator and an AppInstanceAdmin included, gets it as missing.
    for (const bearer of [CAROL, ALICE, ADMIN]) {
      await expectMissing((id) => get(arn, id, bearer), notice);
      expect(ids(await listed(arn, bearer))).toEqual([everyone]);
    }
    // GetChannelMessageStatus is the sender's: the target gets the 403 any non-sender gets,
    // a third party the 404 of a missing message (a 403 would say the message exists).
    expect((await status(arn, notice, BOT)).Status?.Value).toBe('SENT');
    expect(await rejection(status(arn, notice, BOB))).toBeInstanceOf(ForbiddenException);
    await expectMissing((id) => status(arn, id, CAROL), notice);
    expect(sim.messages().find((m) => m.messageId === notice)?.target).toBe(BOB);
  });

  it('lets only those who see a targeted message act on it, and an admin delete it unseen', async () => {
    await start({ strict: true });
    const arn = await createChannel();
    const notice = (await send(arn, toBob)).MessageId!;
    const update = (bearer: string) => (id: string) => chime.send(new UpdateChannelMessageCommand({ ChannelArn: arn, MessageId: id, ChimeBearer: bearer, Content: 'edited' }));
    const redact = (bearer: string) => (id: string) => chime.send(new RedactChannelMessageCommand({ ChannelArn: arn, MessageId: id, ChimeBearer: bearer }));
    const remove = (bearer: string) => (id: string) => chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: id, ChimeBearer: bearer }));

    await expectMissing(update(CAROL), notice);
    // The moderator could redact any message it sees; this one it cannot see.
    await expectMissing(redact(ALICE), notice);
    await expectMissing(redact(CAROL), notice);
    // The target sees it, so the ordinary rules answer: only the sender edits, only moderators redact others' messages.
    expect(await rejection(update(BOB)(notice))).toBeInstanceOf(ForbiddenException);
    expect(await rejection(redact(BOB)(notice))).toBeInstanceOf(ForbiddenException);
    // Strict mode: deleting is for AppInstanceAdmins alone, whoever can see the message.
    expect(await rejection(remove(BOT)(notice))).toBeInstanceOf(ForbiddenException);
    expect(await rejection(remove(ALICE)(notice))).toBeInstanceOf(ForbiddenException);

    await update(BOT)(notice);
    expect((await get(arn, notice, BOB)).ChannelMessage).toMatchObject({ Content: 'edited', Target: [{ MemberArn: BOB }] });
    await redact(BOT)(notice);
    expect((await get(arn, notice, BOB)).ChannelMessage).toMatchObject({ Redacted: true, Target: [{ MemberArn: BOB }] });

    // The admin cannot see it, and still deletes it.
    await expectMissing((id) => get(arn, id, ADMIN), notice);
    await remove(ADMIN)(notice);
    await expectMissing((id) => get(arn, id, BOB), notice);
    expect(await listed(arn, BOT)).toEqual([]);
  });

  it('in convenient mode, lets the channel moderator delete a targeted message unseen, and nobody else who cannot see it', async () => {
    await start();
    const arn = await createChannel();
    const notice = (await send(arn, toBob)).MessageId!;
    const remove = (bearer: string) => (id: string) => chime.send(new DeleteChannelMessageCommand({ ChannelArn: arn, MessageId: id, ChimeBearer: bearer }));
    // Convenient mode lets anyone manage a channel; the exception for unseen messages is for real roles only.
    await expectMissing(remove(CAROL), notice);
    await remove(ALICE)(notice);
    expect(sim.messages()).toEqual([]);

    // The sender and the target may delete what they see, as anyone may in convenient mode.
    const again = (await send(arn, toBob)).MessageId!;
    await remove(BOB)(again);
    expect(sim.messages()).toEqual([]);
  });

  it('requires the target to be a member of the channel', async () => {
    await start({ strict: true });
    const arn = await createChannel();
    await chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: ALICE }));
    const refused = [
      send(arn, { Target: [{ MemberArn: DAVE }] }), // not a member
      send(arn, { Target: [{ MemberArn: CAROL }] }), // banned, so no longer a member
      send(arn, { Target: [{ MemberArn: `${OTHER_APP}/user/bob` }] }),
      send(arn, { Target: [{ MemberArn: BOB }, { MemberArn: ALICE }] }), // TargetList holds exactly one
      send(arn, { Target: [] }),
    ];
    for (const p of refused) expect(await rejection(p)).toBeInstanceOf(BadRequestException);
    expect(sim.messages()).toEqual([]);
    // A non-member sender is refused as before: Forbidden, whoever the target.
    expect(await rejection(send(arn, { ChimeBearer: DAVE, ...toBob }))).toBeInstanceOf(ForbiddenException);
    // The sender itself is a member, so a valid target.
    const self = await send(arn, { Target: [{ MemberArn: BOT }] });
    expect((await get(arn, self.MessageId!, BOT)).ChannelMessage?.Target).toEqual([{ MemberArn: BOT }]);
    await expectMissing((id) => get(arn, id, BOB), self.MessageId!);
  });

  it('in convenient mode, takes any target of the AppInstance but a banned one', async () => {
    await start();
    const arn = `${APP}/channel/general`;
    await send(arn, { Target: [{ MemberArn: DAVE }] }); // Dave never posted: membership is implicit here
    await chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: ALICE }));
    expect(await rejection(send(arn, { Target: [{ MemberArn: CAROL }] }))).toBeInstanceOf(BadRequestException);
  });

  it('runs a targeted message from a bot through the channel flow like any other', async () => {
    await start();
    const arn = `${APP}/channel/general`; // created on first use, with the project's flow
    const sent = await send(arn, { ...toBob, Content: 'please mind the rules', Metadata: '{"kind":"notice"}' });
    expect(sent.Status?.Value).toBe('PENDING');
    const notice = sent.MessageId!;
    await sim.idle();

    // The processor's event is the documented one: the bot as sender, and no Target field.
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toEqual({
      EventType: 'CHANNEL_MESSAGE_EVENT',
      CallbackId: expect.any(String),
      ChannelMessage: {
        MessageId: notice,
        ChannelArn: arn,
        Content: 'please mind the rules',
        Metadata: '{"kind":"notice"}',
        Sender: { Arn: BOT, Name: 'moderation' },
        Persistence: 'PERSISTENT',
        Type: 'STANDARD',
        CreatedTimestamp: new Date(START).toISOString(),
      },
    });

    // While pending only the sender sees it, even the target does not.
    expect((await get(arn, notice, BOT)).ChannelMessage).toMatchObject({ Status: { Value: 'PENDING' }, Target: [{ MemberArn: BOB }] });
    await expectMissing((id) => get(arn, id, BOB), notice);
    expect(ids(await listed(arn, BOB))).toEqual([]);

    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: arn, CallbackId: event.CallbackId, ChannelMessage: { MessageId: notice, Content: 'please mind the rules (edited by the flow)' } }));
    expect((await get(arn, notice, BOB)).ChannelMessage).toMatchObject({
      Content: 'please mind the rules (edited by the flow)',
      Status: { Value: 'SENT' },
      Target: [{ MemberArn: BOB }],
    });
    await expectMissing((id) => get(arn, id, CAROL), notice);
    expect(ids(await listed(arn, CAROL))).toEqual([]);

    // A denied targeted message is gone for everyone; its sender sees DENIED.
    const denied = (await send(arn, toBob)).MessageId!;
    await sim.idle();
    const second = events.find((e) => e.ChannelMessage.MessageId === denied)!;
    await chime.send(new ChannelFlowCallbackCommand({ ChannelArn: arn, CallbackId: second.CallbackId, DeleteResource: true, ChannelMessage: { MessageId: denied } }));
    expect((await status(arn, denied, BOT)).Status?.Value).toBe('DENIED');
    await expectMissing((id) => get(arn, id, BOB), denied);
  });
});

describe('GetChannelMessage by a non-member (strict mode)', () => {
  it('refuses a non-member of a PRIVATE channel with Forbidden, as ListChannelMessages does', async () => {
    await start({ strict: true });
    const arn = await createChannel({ Privacy: 'PRIVATE' });
    const message = (await send(arn)).MessageId!;
    // Forbidden before the message is looked up: a missing one is refused the same way.
    for (const id of [message, 'no-such-message']) {
      const e = await rejection(get(arn, id, DAVE));
      expect(e).toBeInstanceOf(ForbiddenException);
      expect(e.$metadata.httpStatusCode).toBe(403);
    }
    expect(await rejection(chime.send(new ListChannelMessagesCommand({ ChannelArn: arn, ChimeBearer: DAVE })))).toBeInstanceOf(ForbiddenException);
    // A banned member is refused too; members and AppInstanceAdmins read.
    await chime.send(new CreateChannelBanCommand({ ChannelArn: arn, MemberArn: CAROL, ChimeBearer: ALICE }));
    expect(await rejection(get(arn, message, CAROL))).toBeInstanceOf(ForbiddenException);
    expect((await get(arn, message, BOB)).ChannelMessage?.Content).toBe('notice');
    expect((await get(arn, message, ADMIN)).ChannelMessage?.Content).toBe('notice');
  });

  it('lets a non-member read a PUBLIC channel, as ListChannelMessages does, but never a message targeted at someone else', async () => {
    await start({ strict: true });
    const arn = await createChannel({ Privacy: 'PUBLIC' });
    const message = (await send(arn)).MessageId!;
    const notice = (await send(arn, toBob)).MessageId!;
    // "Public Channels: You do not need to be a member to list messages" (CreateChannelMembership).
    expect((await get(arn, message, DAVE)).ChannelMessage?.Content).toBe('notice');
    expect(ids(await listed(arn, DAVE))).toEqual([message]);
    await expectMissing((id) => get(arn, id, DAVE), notice);
  });
});
