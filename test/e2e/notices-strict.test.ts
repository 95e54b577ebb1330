/**
 * Notices in the emulator's strict mode, as in AWS: channels and memberships exist only once
 * created, and a bot may post only where it is a member. `npm run setup-flow -- --moderation-bot`
 * makes the bot a member of the channels it puts behind the flow; a denied message's notice then
 * reaches its sender through the whole pipeline.
 */
import { randomUUID } from 'node:crypto';
import { CreateChannelCommand, ListChannelMembershipsCommand, ListChannelMessagesCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupFlowError } from '../../src/errors.js';
import { loadInfraDefinitions } from '../../src/infra/definitions.js';
import type { LocalStack } from '../../src/local/stack.js';
import { parseSetupFlowArgs } from '../../src/setup-flow/args.js';
import { setupFlow, type SetupFlowOptions } from '../../src/setup-flow/setup.js';
import { chimeClient, sendMessage, startTestStack, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const SERVICE = loadInfraDefinitions().service;

describe('the moderation bot in a strict-mode local stack', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    stack = await startTestStack({ chimeStrict: true, moderationBotArn: '{appInstanceArn}/bot/moderation' });
    chime = chimeClient(stack, { maxAttempts: 1 });
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  }, 60_000);
  afterAll(async () => {
    chime?.destroy();
    lambda?.destroy();
    await stack?.stop();
  });

  async function run(options: Partial<SetupFlowOptions>) {
    const lines: string[] = [];
    const report = await setupFlow({ service: SERVICE, stage: 'notices', fallback: 'ABORT', channels: [], remove: false, dryRun: false, local: true, ...options }, { chime, lambda, stackOutputs: async () => undefined }, (l) => lines.push(l));
    return { report, lines };
  }

  const membersOf = async (channel: string, bearer: string) =>
    ((await chime.send(new ListChannelMembershipsCommand({ ChannelArn: channel, ChimeBearer: bearer }))).ChannelMemberships ?? []).map((m) => m.Member?.Arn);

  it('makes the bot a member of the channels (once), and the sender of a denied message then gets its notice', async () => {
    const app = `arn:aws:chime:${stack.config.region}:123456789012:app-instance/${randomUUID()}`;
    const alice = `${app}/user/alice`;
    const sam = `${app}/user/sam`;
    const bot = `${app}/bot/moderation`;
    const channel = (await chime.send(new CreateChannelCommand({ AppInstanceArn: app, Name: 'Support', ChimeBearer: alice, MemberArns: [sam] }))).ChannelArn!;

    const dry = await run({ channels: [channel], bearer: alice, moderationBot: '{appInstanceArn}/bot/moderation', dryRun: true });
    expect(dry.lines).toContain(`would call CreateChannelMembership ${JSON.stringify({ ChannelArn: channel, MemberArn: bot, Type: 'DEFAULT', ChimeBearer: alice })}`);
    expect(await membersOf(channel, alice)).not.toContain(bot);

    const first = await run({ channels: [channel], bearer: alice, moderationBot: '{appInstanceArn}/bot/moderation' });
    expect(first.report.changes).toEqual([`CreateChannelFlow ${SERVICE}-notices`, `AssociateChannelFlow ${channel}`, `CreateChannelMembership ${channel} ${bot}`]);
    expect(await membersOf(channel, alice)).toContain(bot);
    const second = await run({ channels: [channel], bearer: alice, moderationBot: bot });
    expect(second.report.changes).toEqual([]);
    expect(second.lines).toContain(`channel ${channel}: the moderation bot is a member`);

    const denied = await sendMessage(chime, 'get guaranteed returns today', { channel, sender: sam });
    await waitForStatus(chime, denied, 'DENIED');
    const notice = await waitFor(
      async () => ((await chime.send(new ListChannelMessagesCommand({ ChannelArn: channel, ChimeBearer: sam }))).ChannelMessages ?? []).find((m) => m.Sender?.Arn === bot),
      { what: 'the notice in the strict channel' },
    );
    expect(notice.Content).toContain('it contains language this channel does not allow');
    expect(notice.Content).not.toContain('guaranteed returns');
    expect(((await chime.send(new ListChannelMessagesCommand({ ChannelArn: channel, ChimeBearer: alice }))).ChannelMessages ?? []).some((m) => m.Sender?.Arn === bot)).toBe(false);
  });

  it('refuses a bot of another AppInstance, or not a bot or user ARN, before changing anything', async () => {
    const app = `arn:aws:chime:${stack.config.region}:123456789012:app-instance/${randomUUID()}`;
    const channel = `${app}/channel/${randomUUID()}`;
    await expect(run({ channels: [channel], bearer: `${app}/user/alice`, moderationBot: 'arn:aws:chime:us-east-1:123456789012:app-instance/other/bot/moderation' })).rejects.toThrow(SetupFlowError);
    await expect(run({ channels: [channel], bearer: `${app}/user/alice`, moderationBot: 'moderation' })).rejects.toThrow(/--moderation-bot/);
    expect(parseSetupFlowArgs(['--channel', channel, '--bearer', `${app}/user/alice`, '--moderation-bot', '{appInstanceArn}/bot/moderation'])).toMatchObject({ moderationBot: '{appInstanceArn}/bot/moderation' });
  });
});
