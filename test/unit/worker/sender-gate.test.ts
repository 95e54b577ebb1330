import { describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../../src/domain/message.js';
import { contentHash, GATE_RULES, senderGate } from '../../../src/worker/sender-gate.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const CHANNEL = `${APP}/channel/general`;
const message = (sender: string, content = 'hello'): ChannelMessage =>
  ({ channelArn: CHANNEL, messageId: 'm-1', content, sender: { arn: sender }, persistence: 'PERSISTENT', type: 'STANDARD', createdTimestamp: '2026-12-07T10:00:00.000Z' }) as ChannelMessage;

type Active = Array<{ id: string; kind: 'HOLD' | 'BAN'; endsAt?: string }>;
const restrictionsOf = (active: Active) => ({ activeFor: async () => active });

describe('the sender gate', () => {
  it('lets the moderation bot’s own messages through unevaluated, wherever its AppInstance placeholder resolves', async () => {
    const gate = senderGate({ moderationBotArn: '{appInstanceArn}/bot/moderation' });
    expect(await gate.check(message(`${APP}/bot/moderation`), 0)).toMatchObject({ action: 'ALLOW', ruleIds: [GATE_RULES.bot] });
    expect(await gate.check(message(`${APP}/user/moderation`), 0)).toBeUndefined();
    expect(await senderGate({}).check(message(`${APP}/bot/moderation`), 0)).toBeUndefined();
  });

  it('holds every message of a sender under a HOLD, and denies one under a ban', async () => {
    const held = senderGate({ restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD', endsAt: '2026-12-08T10:00:00.000Z' }]) });
    expect(await held.check(message(`${APP}/user/ann`), 0)).toMatchObject({ action: 'REVIEW', ruleIds: [GATE_RULES.hold], reason: expect.stringContaining('until 2026-12-08T10:00:00.000Z') });
    const banned = senderGate({ restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD' }, { id: 'r2', kind: 'BAN' }]) });
    expect(await banned.check(message(`${APP}/user/ann`), 0)).toMatchObject({ action: 'DENY', ruleIds: [GATE_RULES.ban] });
  });

  it('allows the exact content an appeal let through (byte for byte), over a hold but never over a ban', async () => {
    const seen: string[] = [];
    const allowances = { find: async (_channel: string, _sender: string, hash: string) => (seen.push(hash), hash === contentHash('buy my scamcoin') ? { appealId: 'a1', until: '2026-12-08T00:00:00.000Z' } : undefined) };
    const gate = senderGate({ allowances, restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD' }]) });
    expect(await gate.check(message(`${APP}/user/ann`, 'buy my scamcoin'), 0)).toMatchObject({ action: 'ALLOW', ruleIds: [GATE_RULES.allowance] });
    expect(await gate.check(message(`${APP}/user/ann`, 'buy my scamcoin '), 0)).toMatchObject({ action: 'REVIEW' });
    const banned = senderGate({ allowances, restrictions: restrictionsOf([{ id: 'r2', kind: 'BAN' }]) });
    expect(await banned.check(message(`${APP}/user/ann`, 'buy my scamcoin'), 0)).toMatchObject({ action: 'DENY' });
    expect(seen).toHaveLength(3);
  });

  it('leaves everyone else to the policy', async () => {
    expect(await senderGate({ restrictions: restrictionsOf([]), allowances: { find: async () => undefined } }).check(message(`${APP}/user/ann`), 0)).toBeUndefined();
  });
});
