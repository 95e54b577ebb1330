/**
 * The emulator's DescribeChannelMembership (what the reports room asks before it takes a report),
 * through the stock client: the membership as the model shapes it, NotFound for anyone who is not
 * (or no longer) a member, the reader rules of the channel's other member reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChimeSDKMessagingClient,
  CreateChannelBanCommand,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  DeleteChannelMembershipCommand,
  DescribeChannelMembershipCommand,
  ForbiddenException,
  NotFoundException,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { startChimeSimulator, type ChimeSimulator } from '../../src/local/chime-simulator.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const ALICE = `${APP}/user/alice`; // creates the channels: their moderator
const BOB = `${APP}/user/bob`;
const CAROL = `${APP}/user/carol`;
const ADMIN = `${APP}/bot/admin`;
const START = Date.parse('2025-03-01T12:00:00.000Z');

let sim: ChimeSimulator;
let chime: ChimeSDKMessagingClient;

async function start(strict: boolean) {
  sim = await startChimeSimulator({ port: 0, now: () => START, log: () => {}, strict, appInstanceAdmins: [ADMIN], invokeProcessor: async () => {} });
  chime = new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

afterEach(async () => {
  chime?.destroy();
  await sim?.close();
});

const describeMembership = (channelArn: string, memberArn: string, bearer: string) => chime.send(new DescribeChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: memberArn, ChimeBearer: bearer }));

describe('DescribeChannelMembership (strict Chime)', () => {
  it('answers a member’s membership, as the model shapes it', async () => {
    await start(true);
    const { ChannelArn } = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'team', ChimeBearer: ALICE, MemberArns: [BOB] }));
    const reply = await describeMembership(ChannelArn!, BOB, ADMIN);
    expect(reply.ChannelMembership).toMatchObject({
      ChannelArn,
      Type: 'DEFAULT',
      Member: { Arn: BOB, Name: 'bob' },
      InvitedBy: { Arn: ALICE },
    });
    expect(reply.ChannelMembership!.CreatedTimestamp).toEqual(new Date(START));
  });

  it('is NotFound for someone never added, someone who left, and someone banned', async () => {
    await start(true);
    const { ChannelArn } = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'team', ChimeBearer: ALICE, MemberArns: [BOB, CAROL] }));
    await expect(describeMembership(ChannelArn!, `${APP}/user/dave`, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
    await chime.send(new DeleteChannelMembershipCommand({ ChannelArn, MemberArn: CAROL, ChimeBearer: CAROL }));
    await expect(describeMembership(ChannelArn!, CAROL, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
    await chime.send(new CreateChannelBanCommand({ ChannelArn, MemberArn: BOB, ChimeBearer: ALICE }));
    await expect(describeMembership(ChannelArn!, BOB, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('is NotFound for a channel that does not exist, and Forbidden to a reader of a private channel who is not in it', async () => {
    await start(true);
    await expect(describeMembership(`${APP}/channel/nowhere`, BOB, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
    const { ChannelArn } = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'private', Privacy: 'PRIVATE', ChimeBearer: ALICE, MemberArns: [BOB] }));
    await expect(describeMembership(ChannelArn!, BOB, CAROL)).rejects.toBeInstanceOf(ForbiddenException);
    expect((await describeMembership(ChannelArn!, BOB, BOB)).ChannelMembership?.Member?.Arn).toBe(BOB);
    expect((await describeMembership(ChannelArn!, BOB, ADMIN)).ChannelMembership?.Member?.Arn).toBe(BOB);
  });
});

describe('DescribeChannelMembership (convenient Chime)', () => {
  it('knows a member by their first post or by CreateChannelMembership, and nobody else', async () => {
    await start(false);
    const channel = `${APP}/channel/lobby`;
    await chime.send(new SendChannelMessageCommand({ ChannelArn: channel, ChimeBearer: ALICE, Content: 'hi', Type: 'STANDARD', Persistence: 'PERSISTENT' }));
    await chime.send(new CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: BOB, Type: 'DEFAULT', ChimeBearer: ALICE }));
    expect((await describeMembership(channel, ALICE, ADMIN)).ChannelMembership?.Member?.Arn).toBe(ALICE);
    expect((await describeMembership(channel, BOB, ADMIN)).ChannelMembership?.Member?.Arn).toBe(BOB);
    await expect(describeMembership(channel, CAROL, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('is NotFound for a channel nobody used, and asking does not make it', async () => {
    await start(false);
    await expect(describeMembership(`${APP}/channel/never-used`, BOB, ADMIN)).rejects.toBeInstanceOf(NotFoundException);
    expect(sim.channels()).toEqual([]);
  });
});
