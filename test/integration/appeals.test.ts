import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppeal, getAppeal, listAppeals } from '../../src/appeals/appeals.js';
import { createAppealParts } from '../../src/appeals/create.js';
import { decideAppeal, SETTLE_CHECK_MS } from '../../src/appeals/decisions.js';
import type { AppealDeps } from '../../src/appeals/deps.js';
import { appealIdOf, type AppealRecord } from '../../src/appeals/model.js';
import { ControlRecords, type StoredRecord } from '../../src/adapters/control-records.js';
import { utcDay } from '../../src/domain/deadline.js';
import type { Decision, ModerationItem, Status } from '../../src/domain/item.js';
import type { NoticeRequest, Notices, SenderRestrictions, StrikeLedger, StrikeSource } from '../../src/domain/people.js';
import { AppealWindowClosedError, FourEyesError, IdempotencyKeyReusedError, PeopleNotFoundError } from '../../src/errors.js';
import { CursorCodec } from '../../src/http/cursor.js';
import type { Principal } from '../../src/http/principal.js';
import { toProblem } from '../../src/http/problems.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../src/policy/community.js';
import { contentHash } from '../../src/worker/sender-gate.js';
import { startBackends, type Backends } from '../support/backends.js';
import { aMessage, callbackId, channelArn, userArn } from '../support/factories.js';
import { AdjustableClock } from '../support/wait.js';

/**
 * Appeals on real backends: the appeals, allowances and the other rooms' records in the control
 * table, the items and the audit log in the moderation table (dynalite). The other rooms' ports
 * (strikes, restrictions, notices) are in-memory implementations of the ports themselves.
 */

const SENDER = userArn('sam');
const STRANGER = userArn('stan');
const member = (memberArn = SENDER) => ({ memberArn, onBehalf: false });
const principal = (subject: string): Principal => ({ subject, username: subject, groups: ['moderators'], isAdmin: false, isModerator: true });
const alice = principal('alice');
const bob = principal('bob');
const carol = principal('carol');

let backends: Backends;
let clock: AdjustableClock;
let deps: AppealDeps;
let policy: CommunityPolicy;
let announced: NoticeRequest[];
let removedStrikes: Array<{ source: StrikeSource; appealId: string }>;
let lifted: Array<{ id: string; reason: string }>;
let noticesFail: number;
let records: ControlRecords;

const notices: Notices = {
  async announce(notice) {
    // The port never throws: a store it cannot reach is NOT_RECORDED, and the caller retries.
    if (noticesFail > 0) {
      noticesFail -= 1;
      return { recorded: false, status: 'NOT_RECORDED', error: 'notices unreachable' };
    }
    announced.push(notice);
    return { recorded: true, noticeId: String(announced.length), status: 'SENT' };
  },
};
const strikeLedger: StrikeLedger = {
  async record() {},
  async remove(source, _by, appealId) {
    removedStrikes.push({ source, appealId });
    return true;
  },
};
const senderRestrictions: SenderRestrictions = {
  async impose() {
    throw new Error('not used here');
  },
  async activeFor() {
    return [];
  },
  async lift(id, _by, reason) {
    lifted.push({ id, reason });
  },
};

beforeAll(async () => {
  backends = await startBackends();
  records = new ControlRecords(backends.clients.documents, backends.resources.controlTableName);
}, 60_000);
afterAll(async () => backends?.stop());
beforeEach(() => {
  clock = new AdjustableClock();
  policy = DEFAULT_COMMUNITY_POLICY;
  announced = [];
  removedStrikes = [];
  lifted = [];
  noticesFail = 0;
  const parts = createAppealParts({
    documents: backends.clients.documents,
    controlTableName: backends.resources.controlTableName,
    store: backends.store,
    communityPolicies: { forChannel: async () => policy },
    strikeLedger,
    senderRestrictions,
    notices,
    clock,
    retentionDays: 30,
    warn: () => {},
  });
  deps = {
    appeals: parts.appeals,
    allowances: parts.allowances,
    store: backends.store,
    communityPolicies: { forChannel: async () => policy },
    strikeLedger,
    senderRestrictions,
    notices,
    cursors: new CursorCodec('c'.repeat(32)),
    clock,
    retentionDays: 30,
    warn: () => {},
  };
});

/** A held message's item as the decision path leaves it. */
async function decided(status: Status, decision: Partial<Decision> = {}, content = 'this is totally fine'): Promise<ModerationItem> {
  const at = new Date(clock.now()).toISOString();
  const item: ModerationItem = {
    callbackId: callbackId(),
    message: aMessage({ channelArn: channelArn(), sender: { arn: SENDER, name: 'sam' }, content }),
    receivedAt: at,
    deadline: new Date(clock.now() + 86_400_000).toISOString(),
    status,
    version: 4,
    updatedAt: at,
    decision: { action: 'DENY', origin: 'MODERATOR', actor: { id: 'alice', name: 'alice' }, reason: 'looks like spam', ruleIds: ['terms.review'], decidedAt: at, ...decision },
    history: [{ at, actor: 'intake', to: 'RECEIVED', event: 'received' }],
  };
  await backends.store.recordReceived(item);
  return item;
}

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

describe('POST /appeals (createAppeal)', () => {
  it('takes the sender’s appeal of a delivered DENY, once: a second is 409 already-appealed with its id', async () => {
    const item = await decided('DELIVERED');
    const appeal = await createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'It was a joke between friends' });
    expect(appeal).toMatchObject({ appealId: appealIdOf({ kind: 'message', callbackId: item.callbackId }), status: 'PENDING', ref: { kind: 'message', callbackId: item.callbackId } });
    const stored = (await deps.appeals.get(appeal.appealId))!;
    expect(stored).toMatchObject({
      appellant: { memberArn: SENDER, onBehalf: false },
      appealed: { action: 'DENY', origin: 'MODERATOR', decidedBy: { id: 'alice' }, memberArn: SENDER, message: { content: 'this is totally fine' } },
      queueKey: expect.stringMatching(/^APPEALS#PENDING#\d$/),
    });

    const again = await refusal(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'Please!' }));
    expect(toProblem(again)).toMatchObject({ status: 409, type: expect.stringMatching(/already-appealed$/), appealId: appeal.appealId });
  });

  it('answers the same request with the same Idempotency-Key with the first appeal; another request under it is refused', async () => {
    const item = await decided('DELIVERED');
    const first = await createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'a mistake' }, 'key-1');
    expect(await createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'a mistake' }, 'key-1')).toEqual(first);
    expect(await refusal(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'another text' }, 'key-1'))).toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('makes one appeal of two sent at once; the other finds it', async () => {
    const item = await decided('DELIVERED');
    const results = await Promise.allSettled([1, 2, 3].map((n) => createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: `try ${n}` }, `key-${n}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(toProblem((r as PromiseRejectedResult).reason)).toMatchObject({ status: 409, type: expect.stringMatching(/already-appealed$/) });
  });

  it('answers 404, the same way, for a decision that does not exist and for one about someone else', async () => {
    const item = await decided('DELIVERED');
    const theirs = toProblem(await refusal(createAppeal(deps, alice, member(STRANGER), { callbackId: item.callbackId, text: 'x' })));
    const missing = toProblem(await refusal(createAppeal(deps, alice, member(STRANGER), { callbackId: callbackId(), text: 'x' })));
    expect(theirs).toMatchObject({ status: 404, type: expect.stringMatching(/not-found$/) });
    expect({ ...theirs, detail: '', id: '' }).toEqual({ ...missing, detail: '', id: '' });
    expect(await deps.appeals.get(appealIdOf({ kind: 'message', callbackId: item.callbackId }))).toBeUndefined();
  });

  it('refuses a decision still being delivered (DECIDED), saying it can be appealed once it has taken effect', async () => {
    const item = await decided('DECIDED');
    const problem = toProblem(await refusal(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'x' })));
    expect(problem).toMatchObject({ status: 409, type: expect.stringMatching(/not-appealable$/), why: 'being-delivered', detail: expect.stringMatching(/still being delivered/) });
    // Delivered a moment later: now it can be.
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['DECIDED'], to: 'DELIVERED', history: { actor: 'worker', event: 'delivered' }, now: clock.now() });
    await expect(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'x' })).resolves.toMatchObject({ status: 'PENDING' });
  });

  it('refuses what did not go against the member or never took effect: 409 not-appealable, nothing stored', async () => {
    for (const [status, action, why] of [['DELIVERED', 'ALLOW', 'not-against'], ['EXPIRED', 'DENY', 'not-effective'], ['PENDING_REVIEW', undefined, 'undecided']] as const) {
      const item = await decided(status, action ? { action } : {});
      if (!action) await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: [status], to: status, remove: ['decision'], history: { actor: 't', event: 'x' }, now: clock.now(), quiet: true });
      expect(toProblem(await refusal(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'x' })))).toMatchObject({ status: 409, why });
      expect(await deps.appeals.get(appealIdOf({ kind: 'message', callbackId: item.callbackId }))).toBeUndefined();
    }
  });

  it('refuses after the policy’s window (14 days from the decision by default): 410', async () => {
    const item = await decided('DELIVERED');
    clock.advance(14 * 86_400_000 - 1000);
    const late = await decided('DELIVERED');
    await expect(createAppeal(deps, alice, member(), { callbackId: late.callbackId, text: 'x' })).resolves.toBeDefined();
    clock.advance(1000);
    const error = await refusal(createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'x' }));
    expect(error).toBeInstanceOf(AppealWindowClosedError);
    expect(toProblem(error)).toMatchObject({ status: 410, closedAt: new Date(Date.parse(item.decision!.decidedAt) + 14 * 86_400_000).toISOString() });
    policy = { ...DEFAULT_COMMUNITY_POLICY, appeals: { ...DEFAULT_COMMUNITY_POLICY.appeals, windowSeconds: 60 } };
    const recent = await decided('DELIVERED');
    clock.advance(61_000);
    expect(await refusal(createAppeal(deps, alice, member(), { callbackId: recent.callbackId, text: 'x' }))).toBeInstanceOf(AppealWindowClosedError);
  });
});

describe('deciding an appeal', () => {
  async function appealed(decision: Partial<Decision> = {}, content?: string): Promise<{ item: ModerationItem; appealId: string }> {
    const item = await decided('DELIVERED', decision, content);
    const { appealId } = await createAppeal(deps, alice, member(), { callbackId: item.callbackId, text: 'please look again' });
    return { item, appealId };
  }

  it('may not be done by whoever made the decision (403 four-eyes); an automatic decision’s by anyone', async () => {
    const { appealId } = await appealed();
    const error = await refusal(decideAppeal(deps, alice, appealId, { outcome: 'OVERTURN', reason: 'mine was wrong' }));
    expect(error).toBeInstanceOf(FourEyesError);
    expect(toProblem(error)).toMatchObject({ status: 403, type: expect.stringMatching(/four-eyes$/) });
    expect((await deps.appeals.get(appealId))!.status).toBe('PENDING');
    const auto = await appealed({ origin: 'AUTO', actor: { id: 'policy' }, ruleIds: ['terms.block'] });
    await expect(decideAppeal(deps, alice, auto.appealId, { outcome: 'UPHOLD', reason: 'it stands' })).resolves.toMatchObject({ status: 'UPHELD' });
  });

  it('overturned: allows the exact content for its sender in its channel, removes the strike, tells the member, audits it; each once', async () => {
    const { item, appealId } = await appealed({}, 'we should meet at the pub');
    const decidedAppeal = await decideAppeal(deps, bob, appealId, { outcome: 'OVERTURN', reason: 'Context shows it was fine' }, 'k-1');
    const until = new Date(Date.parse(decidedAppeal.decision!.decidedAt) + 86_400_000).toISOString();
    expect(decidedAppeal).toMatchObject({
      status: 'OVERTURNED',
      decision: { outcome: 'OVERTURN', decidedBy: { id: 'bob' } },
      effects: { audit: { status: 'DONE', actionId: `ACTION#appeal-${appealId}` }, allowance: { status: 'DONE', until }, restrictions: { status: 'NONE' }, strike: { status: 'DONE', removed: true }, notice: { status: 'DONE' } },
      settledAt: expect.any(String),
    });
    const m = item.message;
    expect(await deps.allowances!.find(m.channelArn, SENDER, contentHash(m.content), clock.now())).toEqual({ appealId, until });
    expect(await deps.allowances!.find(m.channelArn, SENDER, contentHash(`${m.content}!`), clock.now())).toBeUndefined();
    expect(await deps.allowances!.find(channelArn(), SENDER, contentHash(m.content), clock.now())).toBeUndefined();
    expect(await deps.allowances!.find(m.channelArn, STRANGER, contentHash(m.content), clock.now())).toBeUndefined();
    expect(await deps.allowances!.find(m.channelArn, SENDER, contentHash(m.content), Date.parse(until))).toBeUndefined();
    expect(removedStrikes).toEqual([{ source: { kind: 'moderator', callbackId: item.callbackId }, appealId }]);
    expect(announced).toEqual([{ kind: 'appealOutcome', about: { kind: 'appeal', appealId }, channelArn: m.channelArn, to: SENDER, values: { outcome: 'overturned', reason: 'Context shows it was fine' } }]);

    // The audit log (the moderation table's audit index) shows it, DONE.
    const day = utcDay(decidedAppeal.decision!.decidedAt);
    const audit = await backends.store.listDecisionsOfDay({ day, from: `${day}T00:00:00.000Z`, to: `${day}T23:59:59.999Z`, actor: 'bob', limit: 50 });
    expect(audit.items.find((r) => r.callbackId === `ACTION#appeal-${appealId}`)).toMatchObject({ kind: 'ACTION', action: 'APPEAL_OVERTURN', outcome: 'DONE', appealId, reviewCallbackId: item.callbackId, member: { arn: SENDER } });

    // The same request again (its answer was lost): the same outcome, nothing done twice.
    expect(await decideAppeal(deps, bob, appealId, { outcome: 'OVERTURN', reason: 'Context shows it was fine' }, 'k-1')).toMatchObject({ status: 'OVERTURNED', settledAt: decidedAppeal.settledAt });
    expect(announced).toHaveLength(1);
    expect(removedStrikes).toHaveLength(1);
    expect(await refusal(decideAppeal(deps, bob, appealId, { outcome: 'UPHOLD', reason: 'changed my mind' }, 'k-1'))).toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('upheld: the member is told and it is audited; nothing is undone', async () => {
    const { appealId } = await appealed({ origin: 'AUTO', actor: { id: 'policy' }, ruleIds: ['terms.block'] });
    const result = await decideAppeal(deps, carol, appealId, { outcome: 'UPHOLD', reason: 'The rule applies' });
    expect(result).toMatchObject({ status: 'UPHELD', effects: { audit: { status: 'DONE' }, notice: { status: 'DONE' } }, settledAt: expect.any(String) });
    expect(result.effects!.allowance).toBeUndefined();
    expect(announced.map((n) => n.values)).toEqual([{ outcome: 'upheld', reason: 'The rule applies' }]);
    expect(removedStrikes).toEqual([]);
  });

  it('lets one of two moderators decide; the other gets 409 already-decided naming who', async () => {
    const { appealId } = await appealed();
    const results = await Promise.allSettled([decideAppeal(deps, bob, appealId, { outcome: 'OVERTURN', reason: 'ok' }), decideAppeal(deps, carol, appealId, { outcome: 'UPHOLD', reason: 'no' })]);
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof decideAppeal>>> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]!.value.decision!.decidedBy.id;
    expect(toProblem(lost[0]!.reason)).toMatchObject({ status: 409, type: expect.stringMatching(/already-decided$/), decidedBy: { id: winner }, detail: expect.stringContaining(winner) });
    expect(announced).toHaveLength(1);
  });

  it('refuses a stale expectedVersion (409) and an unknown appeal (404)', async () => {
    const { appealId } = await appealed();
    expect(toProblem(await refusal(decideAppeal(deps, bob, appealId, { outcome: 'UPHOLD', reason: 'x', expectedVersion: 7 })))).toMatchObject({ status: 409, type: expect.stringMatching(/version-conflict$/) });
    expect(await refusal(decideAppeal(deps, bob, 'x'.repeat(32), { outcome: 'UPHOLD', reason: 'x' }))).toBeInstanceOf(PeopleNotFoundError);
  });

  it('leaves an effect that failed owed: the sweeper’s task finishes it, and a request that died after deciding', async () => {
    const { appealId } = await appealed();
    noticesFail = 1;
    const first = await decideAppeal(deps, bob, appealId, { outcome: 'OVERTURN', reason: 'ok' });
    expect(first).toMatchObject({ effects: { notice: { status: 'FAILED', detail: expect.stringMatching(/unreachable/) } } });
    expect(first.settledAt).toBeUndefined();

    // A second appeal whose deciding request died right after its outcome was written.
    const { appealId: orphan } = await appealed({ origin: 'AUTO', actor: { id: 'policy' } });
    const pending = (await deps.appeals.get(orphan))!;
    await deps.appeals.owe(orphan, new Date(clock.now()).toISOString(), new Date(clock.now() + SETTLE_CHECK_MS).toISOString());
    await deps.appeals.update(pending, { status: 'UPHELD', decision: { outcome: 'UPHOLD', reason: 'stands', actor: { id: 'carol' }, decidedAt: new Date(clock.now()).toISOString() } });

    const task = createAppealParts({ ...deps, documents: backends.clients.documents, controlTableName: backends.resources.controlTableName }).sweeperTask;
    expect(await task.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ settled: 0 });
    clock.advance(SETTLE_CHECK_MS + 1);
    expect(await task.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ settled: 2 });
    expect(await deps.appeals.get(appealId)).toMatchObject({ settledAt: expect.any(String), effects: { notice: { status: 'DONE' } } });
    expect(await deps.appeals.get(orphan)).toMatchObject({ settledAt: expect.any(String), effects: { audit: { status: 'DONE' }, notice: { status: 'DONE' } } });
    expect(announced.map((n) => (n.about as { appealId: string }).appealId).sort()).toEqual([appealId, orphan].sort());
    // Nothing is owed any more.
    clock.advance(10 * SETTLE_CHECK_MS);
    expect(await task.run({ nowMs: clock.now(), stopAt: clock.now() + 10_000 })).toMatchObject({ settled: 0, owed: 0 });
  });

  it('lists appeals by status, oldest first, across pages', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      made.push((await appealed()).appealId);
      clock.advance(1000);
    }
    const seen: AppealRecord['appealId'][] = [];
    let cursor: string | undefined;
    do {
      const page = await listAppeals(deps, { status: 'PENDING', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((a) => a.appealId));
      cursor = page.next;
    } while (cursor);
    const mine = seen.filter((id) => made.includes(id));
    expect(mine).toEqual(made);
    await decideAppeal(deps, bob, made[0]!, { outcome: 'UPHOLD', reason: 'x' });
    const upheld = await listAppeals(deps, { status: 'UPHELD', limit: 100 });
    expect(upheld.items.map((a) => a.appealId)).toContain(made[0]);
    expect(await getAppeal(deps, made[0]!)).toMatchObject({ status: 'UPHELD', text: 'please look again', appealed: { reason: 'looks like spam', message: { content: 'this is totally fine' } } });
  });
});

describe('appealing a report case', () => {
  /** A case as the reports room records it (src/reports/model.ts), decided by `by`. */
  async function aCase(decision: { action: 'DELETE' | 'REDACT' | 'DISMISS'; outcome?: 'DONE' | 'REQUESTED' }, by = 'alice') {
    const caseId = callbackId().slice(0, 32);
    const at = new Date(clock.now()).toISOString();
    const channel = channelArn();
    await records.create<StoredRecord & Record<string, unknown>>({
      pk: `CASE#${caseId}`,
      sk: 'CASE',
      kind: 'CASE',
      caseId,
      status: decision.action === 'DISMISS' ? 'DISMISSED' : 'ACTIONED',
      channelArn: channel,
      messageId: 'm-1',
      sender: { arn: SENDER, name: 'sam' },
      message: { content: 'the reported words' },
      firstReportAt: at,
      decision: { action: decision.action, reason: 'reported abuse', actor: { id: by, name: by }, decidedAt: at, ...(decision.outcome ? { chime: { actionId: 'ACTION#x', outcome: decision.outcome } } : {}) },
    });
    return { caseId, channel };
  }

  it('takes the sender’s appeal of a DELETE done in Chime; overturned, it lifts the ban the case caused', async () => {
    const { caseId, channel } = await aCase({ action: 'DELETE', outcome: 'DONE' });
    // The senders room's restriction for the case (MEMBER#<arn> / RESTRICTION#<id>), and one it did not cause.
    await records.create<StoredRecord & Record<string, unknown>>({ pk: `MEMBER#${SENDER}`, sk: 'RESTRICTION#r-case', kind: 'RESTRICTION', id: 'r-case', status: 'ACTIVE', channelArn: channel, cause: { kind: 'moderator', caseId } });
    await records.create<StoredRecord & Record<string, unknown>>({ pk: `MEMBER#${SENDER}`, sk: 'RESTRICTION#r-other', kind: 'RESTRICTION', id: 'r-other', status: 'ACTIVE', channelArn: channel, cause: { kind: 'moderator', caseId: 'someone-else-case-xxxxxxxxxxxxxx' } });
    const { appealId } = await createAppeal(deps, alice, member(), { caseId, text: 'it was a quote' });
    expect(await refusal(decideAppeal(deps, alice, appealId, { outcome: 'OVERTURN', reason: 'x' }))).toBeInstanceOf(FourEyesError);
    const result = await decideAppeal(deps, bob, appealId, { outcome: 'OVERTURN', reason: 'quoting is fine' });
    expect(result).toMatchObject({ status: 'OVERTURNED', appealed: { origin: 'CASE', action: 'DELETE', banned: true }, effects: { restrictions: { status: 'DONE', lifted: ['r-case'] }, allowance: { status: 'NONE' } } });
    expect(lifted).toEqual([{ id: 'r-case', reason: expect.stringContaining(appealId) }]);
    expect(removedStrikes).toEqual([{ source: { kind: 'report', caseId }, appealId }]);
  });

  it('may not be decided by whoever asked for or approved the ban the case brought (four-eyes)', async () => {
    const { caseId, channel } = await aCase({ action: 'DELETE', outcome: 'DONE' });
    const id = `r-4e-${caseId.slice(0, 8)}`;
    await records.create<StoredRecord & Record<string, unknown>>({
      pk: `MEMBER#${SENDER}`,
      sk: `RESTRICTION#${id}`,
      kind: 'RESTRICTION',
      id,
      status: 'ACTIVE',
      channelArn: channel,
      cause: { kind: 'moderator', caseId },
      requestedBy: { id: 'carol', name: 'carol' },
      approval: { approved: true, by: { id: 'dave', name: 'dave' }, at: new Date(clock.now()).toISOString(), reason: 'ok' },
    });
    const { appealId } = await createAppeal(deps, alice, member(), { caseId, text: 'it was a quote' });
    for (const who of ['carol', 'dave']) expect(await refusal(decideAppeal(deps, principal(who), appealId, { outcome: 'OVERTURN', reason: 'x' }))).toBeInstanceOf(FourEyesError);
    await expect(decideAppeal(deps, bob, appealId, { outcome: 'UPHOLD', reason: 'the rules were broken' })).resolves.toMatchObject({ status: 'UPHELD' });
  });

  it('refuses a dismissed case without a ban, and one whose action Chime has not confirmed yet; 404 for another member', async () => {
    const dismissed = await aCase({ action: 'DISMISS' });
    expect(toProblem(await refusal(createAppeal(deps, alice, member(), { caseId: dismissed.caseId, text: 'x' })))).toMatchObject({ status: 409, why: 'not-against' });
    const inFlight = await aCase({ action: 'REDACT', outcome: 'REQUESTED' });
    expect(toProblem(await refusal(createAppeal(deps, alice, member(), { caseId: inFlight.caseId, text: 'x' })))).toMatchObject({ status: 409, why: 'being-delivered' });
    expect(await refusal(createAppeal(deps, alice, member(STRANGER), { caseId: inFlight.caseId, text: 'x' }))).toBeInstanceOf(PeopleNotFoundError);
    expect(await refusal(createAppeal(deps, alice, member(), { caseId: 'n'.repeat(32), text: 'x' }))).toBeInstanceOf(PeopleNotFoundError);
  });
});
