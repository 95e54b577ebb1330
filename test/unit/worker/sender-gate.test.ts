import { describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../../src/domain/message.js';
import type { WorkerVerdict } from '../../../src/worker/process.js';
import { contentHash, GATE_RULES, senderGate } from '../../../src/worker/sender-gate.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const CHANNEL = `${APP}/channel/general`;
const message = (sender: string, content = 'hello'): ChannelMessage =>
  ({ channelArn: CHANNEL, messageId: 'm-1', content, sender: { arn: sender }, persistence: 'PERSISTENT', type: 'STANDARD', createdTimestamp: '2026-12-07T10:00:00.000Z' }) as ChannelMessage;

type Active = Array<{ id: string; kind: 'HOLD' | 'BAN'; endsAt?: string }>;
const restrictionsOf = (active: Active) => ({ activeFor: async () => active });
const policySays = (action: WorkerVerdict['action'], ruleId = 'terms.review'): (() => WorkerVerdict) => {
  const verdict: WorkerVerdict = action === 'ALLOW' ? { action, ruleIds: [], reason: 'No policy rule matched', findings: [] } : { action, ruleIds: [ruleId], reason: `${ruleId} fired`, findings: [{ ruleId, action, reason: `${ruleId} fired` }] };
  return () => verdict;
};
/** An allowance store that counts its reads and allows one exact content. */
function allowancesFor(allowed: string) {
  const reads: string[] = [];
  return {
    reads,
    find: async (_channel: string, _sender: string, hash: string) => (reads.push(hash), hash === contentHash(allowed) ? { appealId: 'a1', until: '2026-12-08T00:00:00.000Z' } : undefined),
  };
}

describe('the sender gate', () => {
  it('lets the moderation bot’s own messages through without evaluating them, wherever its AppInstance placeholder resolves', async () => {
    const gate = senderGate({ moderationBotArn: '{appInstanceArn}/bot/moderation' });
    let evaluated = 0;
    const evaluate = () => (evaluated++, policySays('DENY', 'terms.block')());
    expect(await gate.judge(message(`${APP}/bot/moderation`), 0, evaluate)).toMatchObject({ action: 'ALLOW', ruleIds: [GATE_RULES.bot] });
    expect(evaluated).toBe(0);
    expect(await gate.judge(message(`${APP}/user/moderation`), 0, evaluate)).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
    expect(await senderGate({}).judge(message(`${APP}/bot/moderation`), 0, evaluate)).toMatchObject({ action: 'DENY' });
  });

  it('denies a banned sender before the policy, and holds one under a HOLD with the policy’s findings kept', async () => {
    const banned = senderGate({ restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD' }, { id: 'r2', kind: 'BAN' }]) });
    expect(await banned.judge(message(`${APP}/user/ann`), 0, () => { throw new Error('not evaluated'); })).toMatchObject({ action: 'DENY', ruleIds: [GATE_RULES.ban] });
    const held = senderGate({ restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD', endsAt: '2026-12-08T10:00:00.000Z' }]) });
    expect(await held.judge(message(`${APP}/user/ann`), 0, policySays('ALLOW'))).toMatchObject({ action: 'REVIEW', ruleIds: [GATE_RULES.hold], reason: expect.stringContaining('until 2026-12-08T10:00:00.000Z') });
    expect(await held.judge(message(`${APP}/user/ann`), 0, policySays('UPDATE', 'pii.email'))).toMatchObject({ action: 'REVIEW', ruleIds: [GATE_RULES.hold, 'pii.email'] });
    // A HOLD never softens the policy's DENY.
    expect(await held.judge(message(`${APP}/user/ann`), 0, policySays('DENY', 'terms.block'))).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
  });

  it('allows the exact content an appeal let through (byte for byte), over the policy and a hold, never over a ban', async () => {
    const allowances = allowancesFor('buy my scamcoin');
    const gate = senderGate({ allowances, restrictions: restrictionsOf([{ id: 'r1', kind: 'HOLD' }]) });
    expect(await gate.judge(message(`${APP}/user/ann`, 'buy my scamcoin'), 0, policySays('DENY', 'terms.block'))).toMatchObject({ action: 'ALLOW', ruleIds: [GATE_RULES.allowance] });
    expect(await gate.judge(message(`${APP}/user/ann`, 'buy my scamcoin '), 0, policySays('DENY', 'terms.block'))).toMatchObject({ action: 'DENY' });
    const banned = senderGate({ allowances, restrictions: restrictionsOf([{ id: 'r2', kind: 'BAN' }]) });
    expect(await banned.judge(message(`${APP}/user/ann`, 'buy my scamcoin'), 0, policySays('DENY'))).toMatchObject({ action: 'DENY', ruleIds: [GATE_RULES.ban] });
    expect(allowances.reads).toHaveLength(2);
  });

  it('reads no allowance when it could not change the outcome: the policy allows and nothing holds the sender', async () => {
    const allowances = allowancesFor('hello');
    const gate = senderGate({ allowances, restrictions: restrictionsOf([]) });
    expect(await gate.judge(message(`${APP}/user/ann`), 0, policySays('ALLOW'))).toMatchObject({ action: 'ALLOW', ruleIds: [] });
    expect(await gate.judge(message(`${APP}/user/ann`), 0, policySays('UPDATE', 'pii.phone'))).toMatchObject({ action: 'UPDATE' });
    expect(allowances.reads).toHaveLength(0);
    expect(await gate.judge(message(`${APP}/user/ann`), 0, policySays('REVIEW'))).toMatchObject({ action: 'ALLOW', ruleIds: [GATE_RULES.allowance] });
    expect(allowances.reads).toHaveLength(1);
  });
});
