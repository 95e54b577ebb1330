import { ChimeSDKMessagingClient, CreateChannelMembershipCommand, DescribeChannelBanCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChimeClients } from '../../src/adapters/clients.js';
import { ControlRecords } from '../../src/adapters/control-records.js';
import type { NoticeRequest, Notices, Strike } from '../../src/domain/people.js';
import { FourEyesError, PeopleConflictError } from '../../src/errors.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy, type EscalationStep } from '../../src/policy/community.js';
import { createSenders, fixedCommunityPolicies, type Senders } from '../../src/senders/compose.js';
import { memberPk, restrictionIdOf, restrictionSk, type RestrictionRecord } from '../../src/senders/model.js';
import { Restrictions } from '../../src/senders/restrictions.js';
import { ChimeChannelModeration } from '../../src/adapters/chime-channel-moderation.js';
import { bearerFor } from '../../src/adapters/chime-channel-directory.js';
import { startBackends, type Backends } from '../support/backends.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';

/**
 * Strikes, escalation and restrictions on real backends: dynalite (the control table and its
 * byQueue index) and the Chime emulator through the stock SDK clients. Faults are real too: the
 * SDK's own retry after a lost DynamoDB answer, the emulator's lost Chime answers, a Chime that
 * cannot be reached.
 */

const DAY = 86_400;
const BEARER = `${APP_INSTANCE}/user/review-api`;
const START = Date.parse('2026-03-01T12:00:00Z');

const step = (fields: Partial<EscalationStep> & Pick<EscalationStep, 'strikes' | 'action'>): EscalationStep => ({ withinSeconds: DAY, forSeconds: DAY, scope: 'channel', notify: true, ...fields });

describe('strikes, escalation and restrictions (dynalite + the Chime emulator)', () => {
  let backends: Backends;
  const clock = { t: START, now() { return this.t; } };
  const notices: NoticeRequest[] = [];
  const recordingNotices: Notices = { announce: async (n) => (notices.push(n), { recorded: true, noticeId: String(notices.length), status: 'SENT' }) };

  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(async () => {
    await backends?.stop();
  });
  beforeEach(() => {
    clock.t += 10 * DAY * 1000;
    notices.length = 0;
    backends.simulator.setFaults({ loseAnswerRate: 0 });
  });

  const roomWith = (policy: Partial<CommunityPolicy>, chime: { reads: ChimeSDKMessagingClient; writes: ChimeSDKMessagingClient } = { reads: backends.clients.chime, writes: backends.clients.chimeWrites }): Senders =>
    createSenders({
      documents: backends.clients.documents,
      controlTableName: backends.resources.controlTableName,
      moderationTableName: backends.resources.tableName,
      chime: { ...chime, bearerArn: BEARER },
      policies: fixedCommunityPolicies({ ...DEFAULT_COMMUNITY_POLICY, ...policy }),
      notices: recordingNotices,
      botArn: '{appInstanceArn}/bot/moderation',
      clock,
      retentionDays: 30,
      warn: () => {},
    });

  let seq = 0;
  const aStrike = (member: string, channel: string, at = clock.now()): Omit<Strike, 'id' | 'decaysAt'> => {
    seq += 1;
    return {
      member: { appInstanceArn: APP_INSTANCE, memberArn: member },
      source: { kind: 'rule', callbackId: `cb-${seq}-${Math.random().toString(36).slice(2)}`, ruleIds: ['terms.block'] },
      channelArn: channel,
      messageId: `m${seq}`,
      actor: { id: 'policy' },
      at: new Date(at).toISOString(),
    };
  };
  const banned = async (channel: string, member: string) =>
    backends.clients.chime.send(new DescribeChannelBanCommand({ ChannelArn: channel, MemberArn: member, ChimeBearer: BEARER })).then(
      () => true,
      (error: { name?: string }) => (error.name === 'NotFoundException' ? false : Promise.reject(error)),
    );

  it('records a strike once however often it is recorded, and holds the sender at the step’s count, once', async () => {
    const room = roomWith({ escalation: [step({ strikes: 3, action: 'HOLD' })] });
    const member = userArn(`s1-${seq}`);
    const channel = channelArn();
    const first = aStrike(member, channel);
    await room.strikes.record(first);
    await room.strikes.record(first); // a redelivered decision
    expect(await room.store.strikesOf(member, 100)).toHaveLength(1);
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now())).toEqual([]);

    const second = aStrike(member, channel);
    const third = aStrike(member, channel);
    await room.strikes.record(second);
    await room.strikes.record(third);
    await room.strikes.record(third); // redelivered: nothing new
    await Promise.all([room.strikes.record(third), room.strikes.record(second)]);
    const active = await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now());
    expect(active).toEqual([{ id: expect.any(String), kind: 'HOLD', endsAt: new Date(clock.now() + DAY * 1000).toISOString() }]);
    const all = await room.store.restrictionsOf(member, 100);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      status: 'ACTIVE',
      action: 'HOLD',
      requestedBy: { id: 'escalation' },
      cause: { kind: 'escalation', step: 0, strikeIds: expect.arrayContaining([expect.stringMatching(/^rule:/)]), ruleIds: ['terms.block'] },
      step: { strikes: 3, action: 'HOLD' },
      noticedAt: expect.any(String),
    });
    expect(all[0]!.cause.kind === 'escalation' && all[0]!.cause.strikeIds).toHaveLength(3);
    // Told once, with the public outcome and the end.
    expect(notices).toEqual([
      { kind: 'restriction', about: { kind: 'restriction', restrictionId: all[0]!.id }, channelArn: channel, to: member, values: { outcome: 'your messages are held for review', until: all[0]!.endsAt } },
    ]);
    // In another channel a channel-scope hold does not apply.
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channelArn(), clock.now())).toEqual([]);
    // A fourth strike reaches the same step again: a hold as strong is in force, nothing piles up.
    await room.strikes.record(aStrike(member, channel));
    expect(await room.store.restrictionsOf(member, 100)).toHaveLength(1);
  });

  it('imposes one hold, and tells the member once, when strikes arrive at once (a batch in parallel, several containers)', async () => {
    const policy = { escalation: [step({ strikes: 3, action: 'HOLD' })] };
    const rooms = [roomWith(policy), roomWith(policy), roomWith(policy), roomWith(policy)];
    const member = userArn(`s-race-${seq}`);
    const channel = channelArn();
    await rooms[0]!.strikes.record(aStrike(member, channel));
    await rooms[0]!.strikes.record(aStrike(member, channel));
    await Promise.all(rooms.map((room) => room.strikes.record(aStrike(member, channel))));
    const all = await rooms[0]!.store.restrictionsOf(member, 100);
    expect(all.map((r) => `${r.action} ${r.status}`)).toEqual(['HOLD ACTIVE']);
    // One notice: the finishers may each ask for it, and the notices port records it once per (about, kind, member).
    expect(new Set(notices.filter((n) => n.kind === 'restriction').map((n) => `${JSON.stringify(n.about)}|${n.to}`)).size).toBe(1);
    // And again, each strike redelivered at once: still one.
    expect(await rooms[1]!.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now())).toHaveLength(1);
  });

  it('never strikes, restricts or bans the moderation bot (it sends the notices)', async () => {
    const room = roomWith({ escalation: [step({ strikes: 1, action: 'HOLD' })] });
    const bot = `${APP_INSTANCE}/bot/moderation`;
    const channel = channelArn();
    await room.strikes.record(aStrike(bot, channel));
    expect(await room.store.restrictionsOf(bot, 100)).toHaveLength(0);
    expect(await room.strikes.remove({ kind: 'rule', callbackId: 'none', ruleIds: [] }, { id: 'mod' }, 'a-1')).toBe(false);
    await expect(
      room.restrictions.imposeRecord({ key: 'moderator:bot-ban', member: { appInstanceArn: APP_INSTANCE, memberArn: bot }, channelArn: channel, kind: 'BAN', scope: 'channel', reason: 'test', by: { id: 'mod-a' }, cause: { kind: 'moderator' }, notify: false }),
    ).rejects.toMatchObject({ problemType: 'not-restrictable' });
    expect(await room.store.restrictionsOf(bot, 100)).toHaveLength(0);
    expect(await banned(channel, bot)).toBe(false);
  });

  it('lets strikes decay, and an overturned appeal removes one so it no longer counts', async () => {
    const room = roomWith({ escalation: [step({ strikes: 2, action: 'HOLD' })], strikes: { decaySeconds: 3600 } });
    const member = userArn(`s2-${seq}`);
    const channel = channelArn();
    const old = aStrike(member, channel, clock.now() - 2 * 3600 * 1000);
    await room.strikes.record(old); // decayed already
    const fresh = aStrike(member, channel);
    await room.strikes.record(fresh);
    expect(await room.store.restrictionsOf(member, 100)).toHaveLength(0);

    expect(await room.strikes.remove(fresh.source, { id: 'mod-b' }, 'appeal-1')).toBe(true);
    expect(await room.strikes.remove(fresh.source, { id: 'mod-b' }, 'appeal-1')).toBe(true); // again: the same
    expect(await room.strikes.remove({ kind: 'moderator', callbackId: 'never-struck' }, { id: 'mod-b' }, 'appeal-2')).toBe(false);
    const stored = await room.store.getStrike(member, `rule:${(fresh.source as { callbackId: string }).callbackId}`);
    expect(stored).toMatchObject({ removed: { by: { id: 'mod-b' }, appealId: 'appeal-1' } });
    await room.strikes.record(aStrike(member, channel));
    expect(await room.store.restrictionsOf(member, 100)).toHaveLength(0); // the removed one no longer counts
  });

  it('settles lost DynamoDB answers by the write ids: one strike, one restriction', async () => {
    const room = roomWith({ escalation: [step({ strikes: 1, action: 'HOLD' })] });
    const member = userArn(`s3-${seq}`);
    const channel = channelArn();
    const skOf = (input: unknown) => {
      const i = input as { Item?: { sk?: { S?: string } }; Key?: { sk?: { S?: string } } };
      return i.Item?.sk?.S ?? i.Key?.sk?.S ?? '';
    };
    const strikeLost = loseNextAnswer(backends.clients.dynamodb, (command, input) => command === 'PutItemCommand' && skOf(input).startsWith('STRIKE#'));
    const restrictionLost = loseNextAnswer(backends.clients.dynamodb, (command, input) => command === 'PutItemCommand' && skOf(input).startsWith('RESTRICTION#'));
    const updateLost = loseNextAnswer(backends.clients.dynamodb, (command, input) => command === 'UpdateItemCommand' && skOf(input).startsWith('RESTRICTION#'));
    try {
      await room.strikes.record(aStrike(member, channel));
    } finally {
      strikeLost.remove();
      restrictionLost.remove();
      updateLost.remove();
    }
    expect(strikeLost.counts.answersLost).toBe(1);
    expect(restrictionLost.counts.answersLost).toBe(1);
    expect(updateLost.counts.answersLost).toBe(1);
    expect(await room.store.strikesOf(member, 100)).toHaveLength(1);
    const restrictions = await room.store.restrictionsOf(member, 100);
    expect(restrictions).toHaveLength(1);
    // The notice was noted once (the update whose answer was lost, applied once).
    expect(restrictions[0]!.history.filter((e) => e.event === 'notice-requested')).toHaveLength(1);
  });

  it('bans in Chime, settles a lost answer by DescribeChannelBan, and the sweeper lifts the ban when its time is up', async () => {
    const room = roomWith({ escalation: [step({ strikes: 2, action: 'BAN', forSeconds: 3600 })] });
    const member = userArn(`s4-${seq}`);
    const channel = channelArn();
    await room.strikes.record(aStrike(member, channel));
    backends.simulator.setFaults({ loseAnswerRate: 1 }); // CreateChannelBan applied, its answer lost
    await room.strikes.record(aStrike(member, channel));
    backends.simulator.setFaults({ loseAnswerRate: 0 });
    expect(await banned(channel, member)).toBe(true);
    const [ban] = await room.store.restrictionsOf(member, 100);
    expect(ban).toMatchObject({ action: 'BAN', status: 'ACTIVE', bans: [{ channelArn: channel, outcome: 'DONE', confirmedBy: 'read-back' }] });
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now())).toMatchObject([{ kind: 'BAN' }]);

    // Nothing of it is due before its end (what earlier tests left is swept away here).
    await room.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 60_000 });
    expect(await room.restrictions.get(ban!.id)).toMatchObject({ status: 'ACTIVE' });
    clock.t += 3600 * 1000 + 1;
    backends.simulator.setFaults({ loseAnswerRate: 1 }); // DeleteChannelBan applied, its answer lost
    const report = await room.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 60_000 });
    backends.simulator.setFaults({ loseAnswerRate: 0 });
    expect(report).toMatchObject({ ended: 1, unbansDone: 1, stillRequested: 0 });
    expect(await banned(channel, member)).toBe(false);
    const ended = await room.restrictions.get(ban!.id);
    expect(ended).toMatchObject({ status: 'ENDED', unbans: [{ channelArn: channel, outcome: 'DONE', confirmedBy: 'read-back' }] });
    expect(ended.queueKey).toBeUndefined();
    expect(ended.expiresAt).toEqual(expect.any(Number));
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now())).toEqual([]);
    // Swept again: nothing more.
    expect(await room.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 60_000 })).toMatchObject({ ended: 0, retried: 0 });
  });

  it('records a ban whose outcome is unknown as REQUESTED, and the sweeper settles it by reading back first', async () => {
    // Chime cannot be reached at all: no answer, and no read-back either.
    const dead = createChimeClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints: { chime: 'http://127.0.0.1:9' } });
    const down = roomWith({}, { reads: dead.chime, writes: dead.chimeWrites });
    const up = roomWith({});
    const member = userArn(`s5-${seq}`);
    const channel = channelArn();
    const { record } = await down.restrictions.imposeRecord({
      key: `test:${member}`,
      member: { appInstanceArn: APP_INSTANCE, memberArn: member },
      channelArn: channel,
      kind: 'BAN',
      scope: 'channel',
      forSeconds: 3600,
      reason: 'spam',
      by: { id: 'mod-a' },
      cause: { kind: 'moderator' },
    });
    dead.chime.destroy();
    dead.chimeWrites.destroy();
    expect(record).toMatchObject({ status: 'ACTIVE', bans: [{ outcome: 'REQUESTED', inDoubt: true, error: { refusal: 'UNCONFIRMED' } }] });
    expect(await banned(channel, member)).toBe(false);
    // The worker denies meanwhile: the restriction is in force whatever Chime says.
    expect(await up.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channel, clock.now())).toMatchObject([{ kind: 'BAN' }]);

    clock.t += 61_000;
    const report = await up.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 60_000 });
    expect(report).toMatchObject({ retried: 1, bansDone: 1, stillRequested: 0 });
    expect(await banned(channel, member)).toBe(true);
    expect(await up.restrictions.get(record.id)).toMatchObject({ bans: [{ outcome: 'DONE', tries: 2 }] });
  });

  it('records Chime’s refusal as FAILED with its answer, never retried', async () => {
    const room = roomWith({});
    const member = userArn(`s6-${seq}`);
    // Another AppInstance's channel: the emulator refuses the bearer (Forbidden).
    const foreign = 'arn:aws:chime:us-east-1:123456789012:app-instance/99999999-2222-3333-4444-555555555555/channel/x';
    const { record } = await room.restrictions.imposeRecord({
      key: `test:${member}`,
      member: { appInstanceArn: APP_INSTANCE, memberArn: member },
      channelArn: foreign,
      kind: 'BAN',
      scope: 'channel',
      forSeconds: 3600,
      reason: 'spam',
      by: { id: 'mod-a' },
      cause: { kind: 'moderator' },
    });
    expect(record.bans).toMatchObject([{ outcome: 'FAILED', error: { type: expect.any(String), refusal: expect.any(String) } }]);
    expect(record.queueSort?.startsWith(record.endsAt!)).toBe(true); // due only at its end
  });

  it('keeps the moderator whose own decisions gave the strikes from approving the escalation they reached (four-eyes)', async () => {
    const room = roomWith({ escalation: [step({ strikes: 2, action: 'BAN', scope: 'app-instance', forSeconds: 3600 })] });
    const member = userArn(`s-4e-${seq}`);
    const where = channelArn();
    const byModerator = (callbackId: string): Omit<Strike, 'id' | 'decaysAt'> => ({ ...aStrike(member, where), source: { kind: 'moderator', callbackId }, actor: { id: 'mod-a', name: 'ada' } });
    await room.strikes.record(byModerator(`cb-4e-1-${seq}`));
    await room.strikes.record(byModerator(`cb-4e-2-${seq}`));
    const [pending] = await room.store.restrictionsOf(member, 100);
    expect(pending).toMatchObject({ status: 'PENDING_APPROVAL', approvalExcludes: [{ id: 'mod-a' }] });
    await expect(room.restrictions.decideApproval(pending!.id, { id: 'mod-a', name: 'ada' }, { approve: true, reason: 'mine' })).rejects.toBeInstanceOf(FourEyesError);
    await expect(room.restrictions.decideApproval(pending!.id, { id: 'mod-b', name: 'bea' }, { approve: true, reason: 'clear pattern' })).resolves.toMatchObject({ status: 'ACTIVE' });
  });

  it('bans across the AppInstance in every channel the member is in, after a second moderator approves', async () => {
    const room = roomWith({ escalation: [step({ strikes: 1, action: 'BAN', scope: 'app-instance', forSeconds: 3600 })] });
    const member = userArn(`s7-${seq}`);
    const channels = [channelArn(), channelArn(), channelArn()];
    for (const channel of channels) {
      await backends.clients.chime.send(new CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: member, ChimeBearer: BEARER, Type: 'DEFAULT' }));
    }
    const where = channelArn();
    await room.strikes.record(aStrike(member, where));
    const imposed = await room.store.restrictionsOf(member, 100);
    const pending = imposed.find((r) => r.action === 'BAN');
    expect(pending).toMatchObject({ status: 'PENDING_APPROVAL', scope: 'app-instance', queueKey: expect.stringMatching(/^APPROVALS#PENDING#/) });
    // Never unrestricted while the ban waits: an interim HOLD (no step short of it needs no approval), in force now.
    const interim = imposed.find((r) => r.action === 'HOLD');
    expect(interim).toMatchObject({ status: 'ACTIVE', scope: 'app-instance', forSeconds: 3600, reason: expect.stringMatching(/until a second moderator approves that/) });
    expect(notices).toMatchObject([{ kind: 'restriction', about: { restrictionId: interim!.id } }]); // the ban's notice only once it is in force
    notices.length = 0;
    for (const channel of channels) expect(await banned(channel, member)).toBe(false);
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, where, clock.now())).toMatchObject([{ kind: 'HOLD' }]);

    clock.t += 5_000;
    const approved = await room.restrictions.decideApproval(pending!.id, { id: 'mod-b', name: 'bea' }, { approve: true, reason: 'clear pattern' });
    expect(approved).toMatchObject({ status: 'ACTIVE', channelsListed: true, approval: { approved: true, by: { id: 'mod-b' } } });
    // Its `for` counts from the approval.
    expect(approved.endsAt).toBe(new Date(clock.now() + 3600 * 1000).toISOString());
    expect(approved.bans!.map((b) => b.channelArn).sort()).toEqual([where, ...channels].sort());
    expect(approved.bans!.every((b) => b.outcome === 'DONE')).toBe(true);
    for (const channel of channels) expect(await banned(channel, member)).toBe(true);
    // The worker denies everywhere in the AppInstance.
    expect((await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, channelArn(), clock.now())).map((r) => r.kind).sort()).toEqual(['BAN', 'HOLD']);
    expect(notices).toMatchObject([{ kind: 'restriction', values: { outcome: 'you are banned from every channel here' } }]);

    // Lifted by an admin: every channel unbanned.
    const lifted = await room.restrictions.liftRecord(pending!.id, { id: 'admin-1' }, 'appeal upheld');
    expect(lifted).toMatchObject({ status: 'LIFTED', lifted: { by: { id: 'admin-1' }, reason: 'appeal upheld' } });
    expect(lifted.unbans!.every((u) => u.outcome === 'DONE')).toBe(true);
    for (const channel of channels) expect(await banned(channel, member)).toBe(false);
    // The interim HOLD runs its own course (an admin lifts it separately).
    expect(await room.restrictions.activeFor({ appInstanceArn: APP_INSTANCE, memberArn: member }, where, clock.now())).toMatchObject([{ kind: 'HOLD', id: interim!.id }]);
  });

  it('the two-person rule: the requester gets four-eyes; of two approvers at once one wins and the other is told who', async () => {
    const room = roomWith({});
    const member = userArn(`s8-${seq}`);
    const channel = channelArn();
    const { record } = await room.restrictions.imposeRecord({
      key: `test:${member}`,
      member: { appInstanceArn: APP_INSTANCE, memberArn: member },
      channelArn: channel,
      kind: 'BAN',
      scope: 'channel',
      forSeconds: 7 * DAY,
      reason: 'harassment after a warning',
      by: { id: 'mod-a', name: 'ada' },
      cause: { kind: 'moderator' },
    });
    expect(record.status).toBe('PENDING_APPROVAL');
    await expect(room.restrictions.decideApproval(record.id, { id: 'mod-a', name: 'ada' }, { approve: true, reason: 'me' })).rejects.toBeInstanceOf(FourEyesError);

    // Two containers (their own caches), two moderators, at once.
    const other = roomWith({});
    const results = await Promise.allSettled([
      room.restrictions.decideApproval(record.id, { id: 'mod-b', name: 'bea' }, { approve: true, reason: 'yes' }),
      other.restrictions.decideApproval(record.id, { id: 'mod-c', name: 'cy' }, { approve: false, reason: 'no' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(PeopleConflictError);
    const winner = (won[0] as PromiseFulfilledResult<RestrictionRecord>).value;
    expect((lost[0]!.reason as PeopleConflictError).problemType).toBe('approval-conflict');
    expect((lost[0]!.reason as PeopleConflictError).context).toMatchObject({ decidedBy: winner.approval!.by, approved: winner.approval!.approved });
    // The winner asking again gets the same answer; the stored record agrees.
    await expect(room.restrictions.decideApproval(record.id, winner.approval!.by, { approve: winner.approval!.approved, reason: 'again' })).resolves.toMatchObject({ status: winner.status });
    const stored = await new ControlRecords(backends.clients.documents, backends.resources.controlTableName).get<RestrictionRecord>({ pk: memberPk(member), sk: restrictionSk(record.id) });
    expect(stored).toMatchObject({ status: winner.status, approval: winner.approval });
    expect(stored!.queueKey?.startsWith('APPROVALS')).not.toBe(true);
  });

  it('ending one ban keeps the Chime ban where another ban of the member still holds; a ban that lands after its lift is unbanned', async () => {
    const room = roomWith({});
    const member = userArn(`s-two-${seq}`);
    const where = channelArn();
    const ban = (key: string, forSeconds: number) =>
      room.restrictions.imposeRecord({ key, member: { appInstanceArn: APP_INSTANCE, memberArn: member }, channelArn: where, kind: 'BAN', scope: 'channel', forSeconds, reason: key, by: { id: 'mod-a' }, cause: { kind: 'moderator' } });
    const first = (await ban(`moderator:first-${seq}`, 3600)).record;
    const second = (await ban(`moderator:second-${seq}`, 7200)).record;
    expect([first.status, second.status]).toEqual(['ACTIVE', 'ACTIVE']);
    expect(await banned(where, member)).toBe(true);

    const lifted = await room.restrictions.liftRecord(first.id, { id: 'admin' }, 'lifted early');
    expect(lifted.unbans).toEqual([expect.objectContaining({ channelArn: where, outcome: 'DONE', keptFor: second.id })]);
    expect(await banned(where, member)).toBe(true); // the second ban still holds there
    const liftedToo = await room.restrictions.liftRecord(second.id, { id: 'admin' }, 'appeal upheld');
    expect(liftedToo.unbans).toEqual([expect.objectContaining({ channelArn: where, outcome: 'DONE' })]);
    expect(liftedToo.unbans![0]!.keptFor).toBeUndefined();
    expect(await banned(where, member)).toBe(false);

    // A lift that races a ban in flight: the ban lands after the lift's unban found nothing there.
    // (The real Chime adapter, with the lift made by a second container right after the ban landed.)
    const chimeBans = new ChimeChannelModeration({ writes: backends.clients.chimeWrites }, bearerFor(BEARER));
    const other = roomWith({});
    let racingId = '';
    const racingRoom = new Restrictions({
      store: room.store,
      bans: {
        bearerFor: (c) => chimeBans.bearerFor(c),
        ban: async (c, m, o) => {
          // The other container lifts it while the ban is on its way: its unban finds nothing to remove …
          const lifted = await other.restrictions.liftRecord(racingId, { id: 'admin' }, 'lifted while the ban was in flight');
          expect(lifted.unbans).toEqual([expect.objectContaining({ outcome: 'DONE', already: true })]);
          // … and then the ban lands.
          return chimeBans.ban(c, m, o);
        },
        unban: (c, m, o) => chimeBans.unban(c, m, o),
        channelsOf: async () => ({ channelArns: [], complete: true }),
      },
      policies: fixedCommunityPolicies(DEFAULT_COMMUNITY_POLICY),
      clock,
      retentionDays: 30,
      warn: () => {},
    });
    const key = `moderator:race-${seq}`;
    racingId = restrictionIdOf(key);
    const raced = (await racingRoom.imposeRecord({ key, member: { appInstanceArn: APP_INSTANCE, memberArn: member }, channelArn: where, kind: 'BAN', scope: 'channel', forSeconds: 3600, reason: 'race', by: { id: 'mod-a' }, cause: { kind: 'moderator' } })).record;
    expect(raced.status).toBe('LIFTED');
    expect(raced.bans).toEqual([expect.objectContaining({ outcome: 'DONE' })]);
    // The landed ban is owed an unban; the sweeper makes it.
    await other.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
    expect(await banned(where, member)).toBe(false);
    expect((await room.store.getRestriction(racingId))!.unbans!.every((u) => u.outcome === 'DONE')).toBe(true);
  });

  it('marks a ban in doubt before calling Chime, so a run killed mid-call is settled by reading back, never read as "already banned"', async () => {
    const room = roomWith({});
    const member = userArn(`s-killed-${seq}`);
    const where = channelArn();
    const chimeBans = new ChimeChannelModeration({ writes: backends.clients.chimeWrites }, bearerFor(BEARER));
    const key = `moderator:killed-${seq}`;
    let leftBehind: RestrictionRecord | undefined;
    const dying = new Restrictions({
      store: room.store,
      bans: {
        bearerFor: (c) => chimeBans.bearerFor(c),
        ban: async (c, m, o) => {
          // What a container killed right now leaves: the record as stored during the call.
          leftBehind = await room.store.getRestriction(restrictionIdOf(key));
          return chimeBans.ban(c, m, o);
        },
        unban: (c, m, o) => chimeBans.unban(c, m, o),
        channelsOf: async () => ({ channelArns: [], complete: true }),
      },
      policies: fixedCommunityPolicies(DEFAULT_COMMUNITY_POLICY),
      clock,
      retentionDays: 30,
      warn: () => {},
    });
    const done = (await dying.imposeRecord({ key, member: { appInstanceArn: APP_INSTANCE, memberArn: member }, channelArn: where, kind: 'BAN', scope: 'channel', forSeconds: 3600, reason: 'killed', by: { id: 'mod-a' }, cause: { kind: 'moderator' } })).record;
    expect(leftBehind!.bans).toEqual([expect.objectContaining({ outcome: 'REQUESTED', inDoubt: true })]);
    expect(done.bans).toEqual([expect.objectContaining({ outcome: 'DONE', confirmedBy: 'answer' })]);
    // The kill: the outcome's write never happened.
    await room.store.saveRestriction({ ...leftBehind!, retryAt: new Date(clock.now()).toISOString() }, done.version);
    await room.sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
    const settled = (await room.store.getRestriction(done.id))!;
    expect(settled.bans).toEqual([expect.objectContaining({ outcome: 'DONE', confirmedBy: 'read-back' })]);
    expect(settled.bans![0]!.already).not.toBe(true);
    expect(await banned(where, member)).toBe(true);
  });

  it('an automatic step’s ban may be approved by any moderator; imposing again with the same key finds the first', async () => {
    const room = roomWith({});
    const member = userArn(`s9-${seq}`);
    const input = {
      key: `escalation-test:${member}`,
      member: { appInstanceArn: APP_INSTANCE, memberArn: member },
      channelArn: channelArn(),
      kind: 'BAN' as const,
      scope: 'channel' as const,
      reason: 'ladder',
      by: { id: 'escalation' },
      cause: { kind: 'escalation' as const, step: 0, strikeIds: ['rule:x'], ruleIds: ['terms.block'] },
    };
    const first = await room.restrictions.imposeRecord(input);
    const again = await room.restrictions.imposeRecord(input);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, record: { id: first.record.id } });
    await expect(room.restrictions.decideApproval(first.record.id, { id: 'escalation' }, { approve: false, reason: 'no' })).resolves.toMatchObject({ status: 'REJECTED' });
  });
});
