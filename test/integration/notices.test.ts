import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChimeSDKMessagingClient, CreateChannelBanCommand, CreateChannelCommand, CreateChannelMembershipCommand, DeleteChannelMembershipCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { createNoticeParts } from '../../src/notices/create.js';
import { MAX_SEND_ATTEMPTS, SEND_HORIZON_MS } from '../../src/notices/notices.js';
import { noticeIdOf } from '../../src/notices/compose.js';
import type { NoticeRecord } from '../../src/notices/records.js';
import { strikeIdOf, type CommunityPolicies, type Strike, type StrikeLedger } from '../../src/domain/people.js';
import type { Decision, ModerationItem, Status } from '../../src/domain/item.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../src/policy/community.js';
import { startBackends, type Backends } from '../support/backends.js';
import { aMessage, APP_INSTANCE, callbackId, userArn } from '../support/factories.js';
import { AdjustableClock } from '../support/wait.js';

/**
 * Notices on real backends: the control table (dynalite) and the Chime emulator in strict mode
 * (channels and memberships exist only when created, as in AWS). The bot sends as
 * `{appInstanceArn}/bot/moderation`, a member of the channels it notices in.
 */

const ADMIN = `${APP_INSTANCE}/bot/admin`;
const BOT = `${APP_INSTANCE}/bot/moderation`;
const SENDER = userArn('sam');
const OTHER = userArn('olga');

/** The emulator's coin for each fault it rolls: scripted values first, then "no fault". */
const coins: number[] = [];

let backends: Backends;
let chime: ChimeSDKMessagingClient;
let clock: AdjustableClock;
let strikes: Array<Omit<Strike, 'id' | 'decaysAt'>>;
let policy: CommunityPolicy;

/** The strike ledger's port, in memory: idempotent by the strike's source, as the contract says. */
const ledger: Pick<StrikeLedger, 'record'> = {
  async record(strike) {
    if (!strikes.some((s) => strikeIdOf(s.source) === strikeIdOf(strike.source))) strikes.push(strike);
  },
};
const policies: CommunityPolicies = { forChannel: async () => policy };

beforeAll(async () => {
  backends = await startBackends({ simulator: { strict: true, appInstanceAdmins: [ADMIN], random: () => coins.shift() ?? 1 } });
  chime = new ChimeSDKMessagingClient({ endpoint: backends.endpoints.chime, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}, 60_000);
afterAll(async () => {
  chime?.destroy();
  await backends?.stop();
});
beforeEach(() => {
  clock = new AdjustableClock();
  strikes = [];
  policy = DEFAULT_COMMUNITY_POLICY;
  coins.length = 0;
  backends.simulator.setFaults({ loseSendAnswerRate: 0 });
});

function parts(options: { bot?: string | null } = {}) {
  return createNoticeParts({
    documents: backends.clients.documents,
    controlTableName: backends.resources.controlTableName,
    chimeWrites: backends.clients.chimeWrites,
    items: backends.store,
    policies,
    clock,
    ...(options.bot === null ? {} : { botArn: options.bot ?? '{appInstanceArn}/bot/moderation' }),
    strikes: ledger,
    retentionDays: 30,
  });
}

/** A channel as an app creates it: the sender, another member and the bot in it. */
async function channel(members = [SENDER, OTHER, BOT]): Promise<string> {
  const out = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP_INSTANCE, Name: 'general', ChimeBearer: ADMIN, MemberArns: members }));
  return out.ChannelArn!;
}

/** The bot's messages in a channel, as the emulator holds them. */
const notices = (channelArn: string) => backends.simulator.messages().filter((m) => m.channelArn === channelArn && m.sender.arn === BOT);

/** An item with a recorded decision, as the decision path leaves it. */
async function decidedItem(channelArn: string, status: Status, decision: Partial<Decision> = {}): Promise<ModerationItem> {
  const at = new Date(clock.now()).toISOString();
  const item: ModerationItem = {
    callbackId: callbackId(),
    message: aMessage({ channelArn, sender: { arn: SENDER, name: 'sam' }, content: 'buy scamcoin now' }),
    receivedAt: at,
    deadline: new Date(clock.now() + 86_400_000).toISOString(),
    status,
    version: 3,
    updatedAt: at,
    policy: { action: 'DENY', ruleIds: ['terms.block'], reason: 'blocked term "scamcoin"', findings: [{ ruleId: 'terms.block', action: 'DENY', reason: 'blocked term "scamcoin"' }] },
    decision: { action: 'DENY', origin: 'AUTO', actor: { id: 'policy' }, reason: 'blocked term "scamcoin"', ruleIds: ['terms.block'], decidedAt: at, ...decision },
    history: [{ at, actor: 'intake', to: 'RECEIVED', event: 'received' }],
  };
  await backends.store.recordReceived(item);
  return item;
}

async function setStatus(item: ModerationItem, to: Status): Promise<ModerationItem> {
  const current = (await backends.store.get(item.callbackId))!;
  return backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: [current.status], to, history: { actor: 'test', event: to.toLowerCase() }, now: clock.now() });
}

const recordOf = (item: ModerationItem, kind: 'deny' | 'update' = 'deny') => noticeIdOf({ about: { kind: 'message', callbackId: item.callbackId }, kind, to: SENDER });

describe('Notices.announce: record, then send', () => {
  it('sends a targeted message as the bot, the notice’s id as its ClientRequestToken, marked a moderation notice', async () => {
    const channelArn = await channel();
    const { notices: service, store } = parts();
    await service.announce({ kind: 'appealOutcome', about: { kind: 'appeal', appealId: 'appeal-1' }, channelArn, to: SENDER, values: { outcome: 'overturned', reason: 'it was fine' } });
    const id = noticeIdOf({ about: { kind: 'appeal', appealId: 'appeal-1' }, kind: 'appealOutcome', to: SENDER });
    const record = (await store.get(id))!;
    expect(record).toMatchObject({ status: 'SENT', attempts: 1, confirmedBy: 'answer', text: 'Your appeal was reviewed: overturned. it was fine' });
    expect(record.queueKey).toBeUndefined();
    const [sent, ...more] = notices(channelArn);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ messageId: record.messageId, target: SENDER, clientRequestToken: id, content: record.text, persistence: 'PERSISTENT', type: 'STANDARD', status: 'SENT' });
    expect(JSON.parse(sent!.metadata!)).toEqual({ moderation: { notice: 'appealOutcome', ref: 'appeal-1', id: record.id } });
  });

  it('records and sends nothing for a kind the channel’s policy switches off', async () => {
    const channelArn = await channel();
    policy = { ...DEFAULT_COMMUNITY_POLICY, notices: { ...DEFAULT_COMMUNITY_POLICY.notices, appealOutcome: { enabled: false, text: 'x' } } };
    const { notices: service, store } = parts();
    await service.announce({ kind: 'appealOutcome', about: { kind: 'appeal', appealId: 'off' }, channelArn, to: SENDER, values: {} });
    expect(await store.get(noticeIdOf({ about: { kind: 'appeal', appealId: 'off' }, kind: 'appealOutcome', to: SENDER }))).toBeUndefined();
    expect(notices(channelArn)).toEqual([]);
  });

  it('records a notice NOT_SENT when no moderation bot is configured, and never throws', async () => {
    const channelArn = await channel();
    const { notices: service, store } = parts({ bot: null });
    await expect(service.announce({ kind: 'warning', about: { kind: 'warning', actionId: 'w-1' }, channelArn, to: SENDER, values: { reason: 'be kind' } })).resolves.toMatchObject({ recorded: true, status: 'NOT_SENT' });
    expect(await store.get(noticeIdOf({ about: { kind: 'warning', actionId: 'w-1' }, kind: 'warning', to: SENDER }))).toMatchObject({ status: 'NOT_SENT', reason: expect.stringMatching(/MODERATION_BOT_ARN/) });
    expect(notices(channelArn)).toEqual([]);
  });
});

describe('a decision’s notice (the aftercare)', () => {
  it('is recorded PENDING with the decision, and sent (with its strike) once it is DELIVERED', async () => {
    const channelArn = await channel();
    const { aftercare, store } = parts();
    const item = await decidedItem(channelArn, 'DECIDED');
    await aftercare.recorded(item);
    const pending = (await store.get(recordOf(item)))!;
    expect(pending).toMatchObject({ status: 'PENDING', afterDelivery: { callbackId: item.callbackId }, attempts: 0, strike: { status: 'PENDING', strike: { source: { kind: 'rule', callbackId: item.callbackId, ruleIds: ['terms.block'] } } } });
    expect(pending.text).toContain('it contains language this channel does not allow');
    expect(pending.text.toLowerCase()).not.toContain('scamcoin');
    expect(notices(channelArn)).toEqual([]);

    await aftercare.delivered(await setStatus(item, 'DELIVERED'));
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'SENT', strike: { status: 'RECORDED' } });
    expect(notices(channelArn)).toHaveLength(1);
    expect(strikes).toHaveLength(1);
  });

  it('is sent once under redelivery: delivered again, and twice at once, posts one message and records one strike', async () => {
    const channelArn = await channel();
    const { aftercare, store } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.recorded(item);
    await Promise.all([aftercare.delivered(item), aftercare.delivered(item)]);
    await aftercare.delivered(item);
    await aftercare.recorded(item);
    expect(notices(channelArn)).toHaveLength(1);
    expect(strikes).toHaveLength(1);
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'SENT' });
  });

  it('is prepared at delivery when nothing was recorded before (a decision recorded by an older version)', async () => {
    const channelArn = await channel();
    const { aftercare, store } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED', { action: 'UPDATE', ruleIds: ['pii.email'], update: { content: 'mail me: [email]' } });
    await aftercare.delivered(item);
    expect(await store.get(recordOf(item, 'update'))).toMatchObject({ status: 'SENT', text: 'Your message was changed before it was sent: it contained an e-mail address, which was hidden.' });
    expect(strikes).toEqual([]);
  });

  it('is cancelled, never sent, when its decision ends otherwise; a crash is finished by the sweeper task', async () => {
    const channelArn = await channel();
    const { aftercare, store, sweeperTask } = parts();
    const crashed = await decidedItem(channelArn, 'DECIDED');
    const expired = await decidedItem(channelArn, 'DECIDED');
    const waiting = await decidedItem(channelArn, 'DECIDED');
    for (const item of [crashed, expired, waiting]) await aftercare.recorded(item);
    // The deliverer of `crashed` confirmed it and died before its aftercare; `expired` never landed.
    await setStatus(crashed, 'DELIVERED');
    await setStatus(expired, 'EXPIRED');

    // Nothing is due before the aftercare's own check time.
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ sent: 0, cancelled: 0 });
    clock.advance(61_000);
    const counts = await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
    expect(counts).toMatchObject({ sent: 1, cancelled: 1, waiting: 1, strikes: 1 });
    expect(await store.get(recordOf(crashed))).toMatchObject({ status: 'SENT', strike: { status: 'RECORDED' } });
    expect(await store.get(recordOf(expired))).toMatchObject({ status: 'CANCELLED', reason: expect.stringMatching(/EXPIRED/), strike: { status: 'CANCELLED' } });
    const still = (await store.get(recordOf(waiting)))!;
    expect(still).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(Date.parse(still.nextAttemptAt!)).toBeGreaterThan(clock.now());
    expect(notices(channelArn)).toHaveLength(1);
    expect(strikes.map((s) => s.source)).toEqual([{ kind: 'rule', callbackId: crashed.callbackId, ruleIds: ['terms.block'] }]);
  });

  it('is opened again when a decision cancelled as FAILED is delivered after all (a redelivery)', async () => {
    const channelArn = await channel();
    const { aftercare, store, sweeperTask } = parts();
    const item = await decidedItem(channelArn, 'DECIDED');
    await aftercare.recorded(item);
    await setStatus(item, 'FAILED');
    clock.advance(61_000);
    await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'CANCELLED', strike: { status: 'CANCELLED' } });
    // POST /operations/redeliver: the same decision, delivered now.
    await aftercare.delivered(await setStatus(item, 'DELIVERED'));
    const sent = (await store.get(recordOf(item)))!;
    expect(sent).toMatchObject({ status: 'SENT', strike: { status: 'RECORDED' } });
    expect(sent.reason).toBeUndefined();
    expect(notices(channelArn)).toHaveLength(1);
    expect(strikes).toHaveLength(1);
  });

  it('carries the strike even when the notice kind is switched off (recorded NOT_SENT)', async () => {
    const channelArn = await channel();
    policy = { ...DEFAULT_COMMUNITY_POLICY, notices: { ...DEFAULT_COMMUNITY_POLICY.notices, deny: { enabled: false, text: 'x' } } };
    const { aftercare, store } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.recorded(item);
    await aftercare.delivered(item);
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'NOT_SENT', strike: { status: 'RECORDED' } });
    expect(notices(channelArn)).toEqual([]);
    expect(strikes).toHaveLength(1);
  });

  it('records nothing for an ALLOW, nor for a DENY the policy neither notices nor strikes', async () => {
    const channelArn = await channel();
    policy = { ...DEFAULT_COMMUNITY_POLICY, notices: { ...DEFAULT_COMMUNITY_POLICY.notices, deny: { enabled: false, text: 'x' } } };
    const { aftercare, store } = parts();
    const allowed = await decidedItem(channelArn, 'DELIVERED', { action: 'ALLOW', ruleIds: [] });
    const linkDenied = await decidedItem(channelArn, 'DELIVERED', { ruleIds: ['links.deny'] });
    for (const item of [allowed, linkDenied]) await aftercare.delivered(item);
    expect(await store.get(recordOf(linkDenied))).toBeUndefined();
    expect(notices(channelArn)).toEqual([]);
  });
});

describe('a send whose answer is lost', () => {
  it('stays PENDING in doubt when the answer is lost, and the next sender reads the channel back: one message, SENT, confirmed by the read-back', async () => {
    const channelArn = await channel();
    const { aftercare, store, sweeperTask } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    // The send lands and its answer is lost.
    backends.simulator.setFaults({ loseSendAnswerRate: 1 });
    coins.push(0);
    await aftercare.delivered(item);
    const inDoubt = (await store.get(recordOf(item)))!;
    expect(inDoubt).toMatchObject({ status: 'PENDING', attempts: 1, inDoubt: true, doubtSince: expect.any(String), lastError: { type: expect.any(String) } });
    expect(inDoubt.lease).toBeUndefined();
    expect(inDoubt.queueKey).toMatch(/^NOTICES#PENDING#\d$/);
    expect(notices(channelArn)).toHaveLength(1); // it landed; nobody could tell

    backends.simulator.setFaults({ loseSendAnswerRate: 0 });
    clock.advance(31_000);
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ sent: 1 });
    const settled = (await store.get(recordOf(item)))!;
    // Settled by reading back, not by sending again: still one attempt, and one message.
    expect(settled).toMatchObject({ status: 'SENT', attempts: 1, confirmedBy: 'read-back', messageId: notices(channelArn)[0]!.messageId });
    expect(settled.inDoubt).toBeUndefined();
    expect(settled.doubtSince).toBeUndefined();
    expect(notices(channelArn)).toHaveLength(1);
  });

  it('sends again when the read-back finds nothing (a sender died before its call landed); never while another sender holds the lease', async () => {
    const channelArn = await channel();
    const { notices: service, store, sweeperTask } = parts();
    const request = { kind: 'warning' as const, about: { kind: 'warning' as const, actionId: 'w-dead' }, channelArn, to: SENDER, values: { reason: 'be kind' } };
    const { record } = await store.create(service.newRecord(request, 'Please be kind.'));
    // As a sender leaves it when it dies mid-call: its lease taken, the send marked in doubt.
    const held = (await store.update(record, { lease: { id: 'dead-sender', until: new Date(clock.now() + 60_000).toISOString() }, inDoubt: true, doubtSince: new Date(clock.now()).toISOString() }))!;
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ sent: 0 });
    expect(notices(channelArn)).toHaveLength(0); // the lease holds: nobody else sends
    expect((await store.get(held.id))!.status).toBe('PENDING');

    clock.advance(61_000);
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ sent: 1 });
    const settled = (await store.get(held.id))!;
    expect(settled).toMatchObject({ status: 'SENT', attempts: 1, confirmedBy: 'answer' });
    expect(settled.lease).toBeUndefined();
    expect(settled.inDoubt).toBeUndefined();
    expect(notices(channelArn)).toHaveLength(1);
  });

});

describe('a notice Chime refuses', () => {
  it('is retried by the sweeper task with backoff while the bot may not post, and SENT once it may', async () => {
    const channelArn = await channel([SENDER, OTHER]); // the operator forgot the bot
    const { aftercare, store, sweeperTask } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.delivered(item);
    const refused = (await store.get(recordOf(item)))!;
    expect(refused).toMatchObject({ status: 'PENDING', attempts: 1, lastError: { type: 'ForbiddenException' } });
    expect(refused.inDoubt).toBeUndefined();
    // Not due yet: the backoff holds it.
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ retrying: 0, sent: 0 });

    await chime.send(new CreateChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: BOT, Type: 'DEFAULT', ChimeBearer: ADMIN }));
    clock.advance(31_000);
    expect(await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ sent: 1 });
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(notices(channelArn)).toHaveLength(1);
  });

  it('is FAILED, Chime’s answer kept, after MAX_SEND_ATTEMPTS or past the horizon; the decision is untouched', async () => {
    const channelArn = await channel([SENDER, OTHER]);
    const { aftercare, store, sweeperTask } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.delivered(item);
    let record: NoticeRecord = (await store.get(recordOf(item)))!;
    for (let i = 1; i < MAX_SEND_ATTEMPTS && record.status === 'PENDING'; i += 1) {
      clock.advance(Date.parse(record.nextAttemptAt!) - clock.now() + 1);
      await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
      record = (await store.get(recordOf(item)))!;
    }
    expect(record).toMatchObject({ status: 'FAILED', attempts: MAX_SEND_ATTEMPTS, lastError: { type: 'ForbiddenException' }, reason: expect.stringMatching(/Not sent after/) });
    expect(record.queueKey).toBeUndefined();
    expect(clock.now() - Date.parse(record.createdAt)).toBeLessThan(SEND_HORIZON_MS);
    expect(await backends.store.get(item.callbackId)).toMatchObject({ status: 'DELIVERED', version: item.version });

    const late = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.delivered(late);
    clock.advance(SEND_HORIZON_MS);
    await sweeperTask.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 });
    expect(await store.get(recordOf(late))).toMatchObject({ status: 'FAILED', attempts: 2 });
  });

  it('is FAILED at once when the member can never receive it (banned from the channel)', async () => {
    const channelArn = await channel();
    await chime.send(new CreateChannelBanCommand({ ChannelArn: channelArn, MemberArn: SENDER, ChimeBearer: ADMIN }));
    const { aftercare, store } = parts();
    const item = await decidedItem(channelArn, 'DELIVERED');
    await aftercare.delivered(item);
    expect(await store.get(recordOf(item))).toMatchObject({ status: 'FAILED', attempts: 1, lastError: { type: 'BadRequestException' }, reason: expect.stringMatching(/Chime refused it/) });
    // The member left meanwhile: the same, and nothing was posted.
    await chime.send(new DeleteChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: OTHER, ChimeBearer: ADMIN }));
    expect(notices(channelArn)).toEqual([]);
  });
});
