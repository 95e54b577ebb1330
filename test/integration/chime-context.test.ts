/**
 * The classifiers' context source (src/adapters/chime-context.ts) against the Chime emulator,
 * through the stock client: the previous messages of the channel (or of the sender in it),
 * oldest first, without notices, targeted or redacted messages, nor the message itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChimeSDKMessagingClient, CreateChannelCommand, RedactChannelMessageCommand, SendChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { ChimeContextSource } from '../../src/adapters/chime-context.js';
import { startChimeSimulator, type ChimeSimulator } from '../../src/local/chime-simulator.js';
import type { ChannelMessage } from '../../src/domain/message.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const ALICE = `${APP}/user/alice`;
const BOB = `${APP}/user/bob`;
const BOT = `${APP}/bot/moderation`;

let sim: ChimeSimulator;
let chime: ChimeSDKMessagingClient;
let clock = Date.parse('2026-12-01T12:00:00.000Z');

beforeEach(async () => {
  sim = await startChimeSimulator({ port: 0, now: () => (clock += 1000), log: () => {}, invokeProcessor: async () => {} });
  chime = new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});
afterEach(async () => {
  chime.destroy();
  await sim.close();
});

async function channelWithHistory() {
  const channelArn = (await chime.send(new CreateChannelCommand({ AppInstanceArn: APP, Name: 'team', ChimeBearer: ALICE, MemberArns: [BOB, BOT] }))).ChannelArn!;
  const send = async (bearer: string, content: string, extra: Record<string, unknown> = {}) =>
    (await chime.send(new SendChannelMessageCommand({ ChannelArn: channelArn, ChimeBearer: bearer, Content: content, Type: 'STANDARD', Persistence: 'PERSISTENT', ...extra }))).MessageId!;
  await send(ALICE, 'a1');
  await send(BOB, 'b1');
  const redacted = await send(ALICE, 'a2 (redacted later)');
  await chime.send(new RedactChannelMessageCommand({ ChannelArn: channelArn, MessageId: redacted, ChimeBearer: ALICE }));
  await send(BOT, 'Your message was not sent', { Target: [{ MemberArn: BOB }], Metadata: JSON.stringify({ moderation: { notice: 'deny', ref: 'r', id: 'n' } }) });
  await send(BOB, 'b2');
  const edited = await send(ALICE, 'a3');
  return { channelArn, edited };
}

const current = (channelArn: string, sender: string, messageId = 'not-yet-listed'): ChannelMessage => ({ messageId, channelArn, content: 'now', sender: { arn: sender } });

describe('ChimeContextSource', () => {
  it('reads the previous messages of the channel, oldest first, leaving out redacted, targeted and notice messages', async () => {
    const { channelArn } = await channelWithHistory();
    const source = new ChimeContextSource(chime, BOT);
    expect(await source.previous({ message: current(channelArn, ALICE), count: 3, of: 'channel', answerBy: Date.now() + 5000 })).toEqual({ kind: 'READ', texts: ['b1', 'b2', 'a3'] });
    expect(await source.previous({ message: current(channelArn, ALICE), count: 10, of: 'channel', answerBy: Date.now() + 5000 })).toEqual({ kind: 'READ', texts: ['a1', 'b1', 'b2', 'a3'] });
  });

  it('reads the sender’s own previous messages in the channel, and never the message itself (an edit’s earlier version)', async () => {
    const { channelArn, edited } = await channelWithHistory();
    const source = new ChimeContextSource(chime, '{appInstanceArn}/bot/moderation');
    expect(await source.previous({ message: current(channelArn, BOB), count: 5, of: 'sender', answerBy: Date.now() + 5000 })).toEqual({ kind: 'READ', texts: ['b1', 'b2'] });
    expect(await source.previous({ message: current(channelArn, ALICE, edited), count: 5, of: 'sender', answerBy: Date.now() + 5000 })).toEqual({ kind: 'READ', texts: ['a1'] });
  });

  it('answers UNAVAILABLE, never throws, when Chime refuses or no time is left', async () => {
    const source = new ChimeContextSource(chime, BOT);
    const missing = `${APP}/channel/does-not-exist`;
    const strict = await startChimeSimulator({ port: 0, strict: true, log: () => {}, invokeProcessor: async () => {} });
    const strictChime = new ChimeSDKMessagingClient({ endpoint: strict.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      expect(await new ChimeContextSource(strictChime, BOT).previous({ message: current(missing, ALICE), count: 3, of: 'channel', answerBy: Date.now() + 5000 })).toMatchObject({ kind: 'UNAVAILABLE', message: expect.stringMatching(/^ListChannelMessages failed/) });
    } finally {
      strictChime.destroy();
      await strict.close();
    }
    expect(await source.previous({ message: current(missing, ALICE), count: 3, of: 'channel', answerBy: Date.now() - 1 })).toEqual({ kind: 'UNAVAILABLE', message: 'no time left to read the context' });
  });
});
