/**
 * Moderators' cases (src/reports: cases, claims, decisions, actions, auto-hide) on real backends:
 * the control and moderation tables through the stores (dynalite, or DYNAMODB_ENDPOINT), Chime
 * through the stock clients against the emulator, whose state is read back to see what happened.
 * The other rooms' ports (strikes, notices, restrictions) are in-memory implementations of those ports.
 */
import { DeleteChannelMessageCommand, DescribeChannelBanCommand, GetChannelMessageCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import type { FollowUpRecord } from '../../src/domain/follow-up.js';
import { InvalidCursorError, PeopleConflictError, PortNotConfiguredError } from '../../src/errors.js';
import { DEFAULT_COMMUNITY_POLICY } from '../../src/policy/community.js';
import { actOnCase } from '../../src/reports/actions.js';
import { caseActionIdOf } from '../../src/reports/chime-actions.js';
import { claimCase, getCase, listCases, releaseCaseClaim } from '../../src/reports/cases.js';
import { decideCase } from '../../src/reports/decisions.js';
import { caseIdOf, priorityKey } from '../../src/reports/model.js';
import { submitReport } from '../../src/reports/reports.js';
import { CasesQuery } from '../../src/reports/schemas.js';
import { startBackends, type Backends } from '../support/backends.js';
import {
  aSentMessage,
  asMember,
  BEARER,
  FixedPolicies,
  join,
  member,
  memberPrincipal,
  moderator,
  RecordingNotices,
  RecordingRestrictions,
  RecordingStrikes,
  reportDepsOn,
  testClock,
  withReports,
} from '../support/reports.js';

type Deps = ReturnType<typeof reportDepsOn>;
type Sent = { channelArn: string; messageId: string; sender: string };

describe('cases of reported messages (real store, real Chime emulator)', () => {
  let backends: Backends;
  let chime: ChimeSDKMessagingClient;
  /** Chime clients on a port nobody listens on: a call that never gets an answer. */
  let dead: AwsClients;

  beforeAll(async () => {
    backends = await startBackends({ simulator: { defaultFlow: null } });
    chime = backends.clients.chime;
    dead = createAwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints: { chime: 'http://127.0.0.1:9' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    if (dead) destroyAwsClients(dead);
    await backends?.stop();
  });

  const ports = () => ({ strikeLedger: new RecordingStrikes(), notices: new RecordingNotices() });
  const report = (deps: Deps, reporter: string, sent: Pick<Sent, 'channelArn' | 'messageId'>, category: 'spam' | 'hate' | 'self-harm' | 'scam' = 'spam') =>
    submitReport(deps, memberPrincipal(reporter), asMember(reporter), { channelArn: sent.channelArn, messageId: sent.messageId, category });
  /** A SENT message, reported by `reporters` members: its case id. */
  async function reportedCase(deps: Deps, options: { reporters?: number; category?: 'spam' | 'hate' | 'self-harm' | 'scam'; channelArn?: string; sender?: string } = {}): Promise<{ sent: Sent; caseId: string; reporters: string[] }> {
    const reporters = Array.from({ length: options.reporters ?? 2 }, (_, i) => member(`reporter${i}`));
    const sent = await aSentMessage(chime, { members: reporters, ...(options.channelArn ? { channelArn: options.channelArn } : {}), ...(options.sender ? { sender: options.sender } : {}) });
    for (const r of reporters) await report(deps, r, sent, options.category);
    return { sent, caseId: caseIdOf(sent.channelArn, sent.messageId), reporters };
  }
  const chimeMessage = (sent: Pick<Sent, 'channelArn' | 'messageId'>) => chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: BEARER }));
  const followUp = async (id: string) => (await backends.store.get(id)) as unknown as FollowUpRecord | undefined;
  const accuracyOf = async (deps: Deps, caseId: string, reporter: string) => (await getCase(deps, caseId)).reports.find((r) => r.reporterArn === reporter)!.reporter;

  describe('decisions', () => {
    it('DELETE: recorded, then the message is deleted in Chime (audited with the case), reporters upheld, the sender struck, reporters told: once', async () => {
      const deps = reportDepsOn(backends, ports());
      const { sent, caseId, reporters } = await reportedCase(deps);
      const anna = moderator('anna');
      const decided = await decideCase(deps, anna, caseId, { action: 'DELETE', reason: 'crypto scam', publicReason: 'it was a scam' }, 'key-1');

      expect(decided).toMatchObject({ status: 'ACTIONED', settled: true, decision: { action: 'DELETE', decidedBy: { id: 'sub-anna', name: 'anna' }, chime: { outcome: 'DONE', confirmedBy: 'answer' } } });
      await expect(chimeMessage(sent)).rejects.toBeInstanceOf(NotFoundException);
      const action = await followUp(caseActionIdOf(caseId, 'decision'));
      expect(action).toMatchObject({ action: 'DELETE_MESSAGE', outcome: 'DONE', caseId, origin: 'MODERATOR', actor: { id: 'sub-anna' }, messageId: sent.messageId, member: { arn: sent.sender } });
      for (const r of reporters) expect(await accuracyOf(deps, caseId, r)).toEqual({ accuracy: 0.667, upheld: 1, dismissed: 0 });
      expect([...(deps.strikeLedger as RecordingStrikes).strikes.values()]).toEqual([
        expect.objectContaining({ source: { kind: 'report', caseId }, member: { appInstanceArn: expect.stringContaining('app-instance/'), memberArn: sent.sender }, messageId: sent.messageId }),
      ]);
      const told = (deps.notices as RecordingNotices).of('reportOutcome');
      expect(told.map((n) => n.to).sort()).toEqual([...reporters].sort());
      expect(told[0]).toMatchObject({ about: { kind: 'case', caseId }, values: { outcome: 'the message was removed', reason: 'it was a scam' } });

      // The same request again (its answer lost, say): the same case, nothing moves twice.
      const again = await decideCase(deps, anna, caseId, { action: 'DELETE', reason: 'crypto scam', publicReason: 'it was a scam' }, 'key-1');
      expect(again.decision).toEqual(decided.decision);
      for (const r of reporters) expect((await accuracyOf(deps, caseId, r)).upheld).toBe(1);
      expect((deps.strikeLedger as RecordingStrikes).strikes.size).toBe(1);
      expect((deps.notices as RecordingNotices).of('reportOutcome')).toHaveLength(reporters.length);
    });

    it('DISMISS: nothing in Chime, reporters dismissed, no strike', async () => {
      const deps = reportDepsOn(backends, ports());
      const { sent, caseId, reporters } = await reportedCase(deps, { reporters: 1 });
      const decided = await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'banter between friends' });
      expect(decided).toMatchObject({ status: 'DISMISSED', settled: true, decision: { action: 'DISMISS' } });
      expect(decided.decision!.chime).toBeUndefined();
      expect((await chimeMessage(sent)).ChannelMessage?.Content).toBeDefined();
      expect(await accuracyOf(deps, caseId, reporters[0]!)).toEqual({ accuracy: 0.333, upheld: 0, dismissed: 1 });
      expect((deps.strikeLedger as RecordingStrikes).strikes.size).toBe(0);
      expect((deps.notices as RecordingNotices).of('reportOutcome')[0]!.values.outcome).toBe('no rule was broken, so it stays');
    });

    it('lets exactly one of two moderators deciding at once win; the other hears who decided what', async () => {
      const deps = reportDepsOn(backends, ports());
      const { caseId, reporters } = await reportedCase(deps);
      const results = await Promise.allSettled([
        decideCase(deps, moderator('anna'), caseId, { action: 'REDACT', reason: 'spam' }),
        decideCase(deps, moderator('ben'), caseId, { action: 'DISMISS', reason: 'not spam' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof decideCase>>>).value.decision!;
      expect(lost[0]!.reason).toBeInstanceOf(PeopleConflictError);
      expect(lost[0]!.reason).toMatchObject({ problemType: 'already-decided', context: { decidedBy: winner.decidedBy, action: winner.action, decidedAt: winner.decidedAt } });
      for (const r of reporters) {
        const track = await accuracyOf(deps, caseId, r);
        expect(track.upheld + track.dismissed).toBe(1);
      }
    });

    it('refuses a stale expectedVersion, and someone else’s claim', async () => {
      const deps = reportDepsOn(backends, ports());
      const { caseId } = await reportedCase(deps);
      const read = await getCase(deps, caseId);
      await claimCase(deps, moderator('anna'), caseId, 300);
      await expect(decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'x', expectedVersion: read.version })).rejects.toMatchObject({ problemType: 'version-conflict' });
      await expect(decideCase(deps, moderator('ben'), caseId, { action: 'DISMISS', reason: 'x' })).rejects.toMatchObject({ problemType: 'claim-conflict', context: { claimedBy: { username: 'anna' } } });
      expect((await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'x' })).claim).toBeNull();
    });

    it('counts a report made while the case is being decided on the decided case (nothing new opens); its reporter’s record moves only if it was made by the decision', async () => {
      const clock = testClock();
      const deps = reportDepsOn(backends, { ...ports(), clock });
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      const [early, late] = [member('early'), member('late')];
      for (const m of [early, late]) await join(chime, sent.channelArn, m);
      // At the same instant as the decision, in whichever order the writes land: it took part in it.
      const both = await Promise.allSettled([decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'a joke between friends' }), report(deps, early, sent)]);
      expect(both.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      clock.advance(1000);
      await report(deps, late, sent);
      const c = await getCase(deps, caseId);
      expect(c).toMatchObject({ status: 'DISMISSED', reporterCount: 3, settled: true });
      expect(await accuracyOf(deps, caseId, early)).toMatchObject({ dismissed: 1 });
      expect(await accuracyOf(deps, caseId, late)).toMatchObject({ upheld: 0, dismissed: 0 });
      // After a REDACT there is nothing left to report: the same 404 as for any message one cannot see.
      const redacted = await reportedCase(deps, { reporters: 1 });
      await decideCase(deps, moderator('anna'), redacted.caseId, { action: 'REDACT', reason: 'spam' });
      await join(chime, redacted.sent.channelArn, late);
      await expect(report(deps, late, redacted.sent)).rejects.toMatchObject({ problemType: 'not-found' });
    });

    it('joins a report after a DISMISS to the dismissed case: counted, and its reporter’s record does not move', async () => {
      const clock = testClock();
      const deps = reportDepsOn(backends, { ...ports(), clock });
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'fine' });
      clock.advance(5000);
      const late = member('late');
      await join(chime, sent.channelArn, late);
      expect((await report(deps, late, sent)).case).toMatchObject({ status: 'DISMISSED', caseId });
      const c = await getCase(deps, caseId);
      expect(c.reporterCount).toBe(2);
      expect(await accuracyOf(deps, caseId, late)).toEqual({ accuracy: 0.5, upheld: 0, dismissed: 0 });
    });

    it('settles a REDACT whose Chime answer was lost by reading the message back: DONE, confirmed by read-back', async () => {
      const deps = reportDepsOn(backends, ports());
      const { sent, caseId } = await reportedCase(deps);
      backends.simulator.setFaults({ loseAnswerRate: 1 });
      let decided;
      try {
        decided = await decideCase(deps, moderator('anna'), caseId, { action: 'REDACT', reason: 'spam' });
      } finally {
        backends.simulator.setFaults({ loseAnswerRate: 0 });
      }
      expect(decided.decision!.chime).toMatchObject({ outcome: 'DONE', confirmedBy: 'read-back' });
      expect((await chimeMessage(sent)).ChannelMessage?.Redacted).toBe(true);
      expect(await followUp(caseActionIdOf(caseId, 'decision'))).toMatchObject({ outcome: 'DONE', confirmedBy: 'read-back' });
    });

    it('records a DELETE Chime never answered as REQUESTED (not a guess), and the next request settles it', async () => {
      const offline = reportDepsOn(backends, { ...ports(), chimeWrites: dead.chimeWrites });
      const { sent, caseId } = await reportedCase(offline);
      const decided = await decideCase(offline, moderator('anna'), caseId, { action: 'DELETE', reason: 'scam' }, 'key-offline');
      expect(decided).toMatchObject({ status: 'ACTIONED', decision: { chime: { outcome: 'REQUESTED' } } });
      expect(await followUp(caseActionIdOf(caseId, 'decision'))).toMatchObject({ outcome: 'REQUESTED' });
      expect((await chimeMessage(sent)).ChannelMessage).toBeDefined();

      // Chime answers again; a second moderator's attempt is refused, and settles it on the way.
      const online = reportDepsOn(backends, ports());
      await expect(decideCase(online, moderator('ben'), caseId, { action: 'DISMISS', reason: 'x' })).rejects.toMatchObject({ problemType: 'already-decided' });
      expect((await getCase(online, caseId)).decision!.chime).toMatchObject({ outcome: 'DONE' });
      await expect(chimeMessage(sent)).rejects.toBeInstanceOf(NotFoundException);
      expect(await followUp(caseActionIdOf(caseId, 'decision'))).toMatchObject({ outcome: 'DONE' });
    });

    it('shows Chime’s refusal on the case (FAILED, Chime’s words) instead of pretending', async () => {
      const deps = reportDepsOn(backends, ports());
      const { sent, caseId } = await reportedCase(deps);
      await chime.send(new DeleteChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: BEARER }));
      const decided = await decideCase(deps, moderator('anna'), caseId, { action: 'REDACT', reason: 'spam' });
      expect(decided).toMatchObject({ status: 'ACTIONED', settled: true, decision: { chime: { outcome: 'FAILED', chimeError: { type: 'NotFoundException' } } } });
      expect(await followUp(caseActionIdOf(caseId, 'decision'))).toMatchObject({ outcome: 'FAILED' });
    });

    it('refuses REDACT and DELETE with no bearer (503) and records nothing', async () => {
      const deps = reportDepsOn(backends, ports());
      const { caseId } = await reportedCase(deps);
      const noBearer = reportDepsOn(backends, { ...ports(), bearer: null });
      await expect(decideCase(noBearer, moderator('anna'), caseId, { action: 'DELETE', reason: 'x' })).rejects.toMatchObject({ name: 'ChimeBearerNotConfiguredError' });
      expect((await getCase(deps, caseId)).decision).toBeNull();
    });

    it('finishes consequences a failure interrupted, on the next request, moving each reporter once', async () => {
      let failures = 1;
      const strikes = new RecordingStrikes();
      const flaky = { record: async (s: Parameters<RecordingStrikes['record']>[0]) => (failures-- > 0 ? Promise.reject(new Error('senders room down')) : strikes.record(s)), remove: async () => false };
      const deps = reportDepsOn(backends, { notices: new RecordingNotices(), strikeLedger: flaky });
      const { caseId, reporters } = await reportedCase(deps);
      const decided = await decideCase(deps, moderator('anna'), caseId, { action: 'DELETE', reason: 'scam' });
      expect(decided.settled).toBe(false);
      expect(deps.warnings.map((w) => w.message).join()).toMatch(/not all carried out/);
      await expect(claimCase(deps, moderator('ben'), caseId, 60)).rejects.toMatchObject({ problemType: 'already-decided' });
      expect((await getCase(deps, caseId)).settled).toBe(true);
      expect(strikes.strikes.size).toBe(1);
      for (const r of reporters) expect((await accuracyOf(deps, caseId, r)).upheld).toBe(1);
    });
  });

  describe('claims', () => {
    it('lets one of two moderators claiming at once hold it; the holder renews; an admin may release it', async () => {
      const deps = reportDepsOn(backends);
      const { caseId } = await reportedCase(deps, { reporters: 1 });
      const results = await Promise.allSettled([claimCase(deps, moderator('anna'), caseId, 300), claimCase(deps, moderator('ben'), caseId, 300)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const holder = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof claimCase>>>).value.claim!.username!;
      const other = holder === 'anna' ? 'ben' : 'anna';
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ problemType: 'claim-conflict', context: { claimedBy: { username: holder } } });
      const renewed = await claimCase(deps, moderator(holder), caseId, 600);
      expect(renewed.history.filter((h) => h.event === 'claimed')).toEqual([expect.objectContaining({ count: 2 })]);
      await expect(releaseCaseClaim(deps, moderator(other), caseId)).rejects.toMatchObject({ problemType: 'claim-conflict' });
      expect((await releaseCaseClaim(deps, moderator('root', true), caseId)).claim).toBeNull();
    });
  });

  describe('the queue', () => {
    it('lists open cases by SLA due time or by priority, filtered, page by page, without a gap or a repeat', async () => {
      const deps = reportDepsOn(backends);
      const channelArn = `${(await aSentMessage(chime)).channelArn}`;
      const sender = member('spammer');
      const spam = await reportedCase(deps, { reporters: 3, category: 'spam', channelArn, sender });
      const harm = await reportedCase(deps, { reporters: 1, category: 'self-harm', channelArn });
      const hate = await reportedCase(deps, { reporters: 2, category: 'hate', channelArn, sender });
      const scam = await reportedCase(deps, { reporters: 1, category: 'scam', channelArn });
      const list = async (q: Record<string, string>) => (await listCases(deps, CasesQuery.parse({ channelArn, ...q }))).items.map((c) => c.caseId);

      // Deadline: self-harm (15 min), hate (1 h), scam (4 h), spam (24 h).
      expect(await list({})).toEqual([harm.caseId, hate.caseId, scam.caseId, spam.caseId]);
      // Priority: self-harm 5×(1+ln1.5)=7.03; hate 4×(1+ln2)=6.77; spam 1×(1+ln2.5)=1.92; scam 2×1.41=2.81.
      expect(await list({ order: 'priority' })).toEqual([harm.caseId, hate.caseId, scam.caseId, spam.caseId]);
      expect(await list({ senderArn: sender })).toEqual([hate.caseId, spam.caseId]);
      expect(await list({ category: 'hate' })).toEqual([hate.caseId]);

      // Two at a time: every case once, in order, the cursor bound to its filters.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listCases(deps, CasesQuery.parse({ channelArn, order: 'priority', limit: '2', ...(cursor ? { cursor } : {}) }));
        seen.push(...page.items.map((c) => c.caseId));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual([harm.caseId, hate.caseId, scam.caseId, spam.caseId]);
      const first = await listCases(deps, CasesQuery.parse({ channelArn, limit: '1' }));
      await expect(listCases(deps, CasesQuery.parse({ channelArn, order: 'priority', limit: '1', cursor: first.next }))).rejects.toBeInstanceOf(InvalidCursorError);

      // Decided cases leave the OPEN queue, in both orders, and are listed under their status.
      await decideCase(deps, moderator('anna'), harm.caseId, { action: 'DISMISS', reason: 'checked on them, fine' });
      expect(await list({ order: 'priority' })).toEqual([hate.caseId, scam.caseId, spam.caseId]);
      expect(await list({ status: 'DISMISSED' })).toEqual([harm.caseId]);
    });

    it('mends a priority entry that lags its case (a request that died between the two writes)', async () => {
      const deps = reportDepsOn(backends);
      const { caseId, sent } = await reportedCase(deps, { reporters: 1 });
      // The decision landed; its priority entry was never rewritten: it still says OPEN.
      const entryBefore = await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: priorityKey(caseId) }));
      await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'fine' });
      await backends.clients.documents.send(new PutCommand({ TableName: backends.resources.controlTableName, Item: entryBefore.Item }));
      const open = await listCases(deps, CasesQuery.parse({ channelArn: sent.channelArn, order: 'priority' }));
      expect(open.items.map((c) => c.caseId)).not.toContain(caseId);
      const mended = await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: priorityKey(caseId) }));
      expect(mended.Item).toMatchObject({ status: 'DISMISSED', queueKey: expect.stringMatching(/^CASES-BY-PRIORITY#DISMISSED#/) });
    });
  });

  describe('auto-hide', () => {
    it('redacts the message at once when enough members report it within the window (audited, actor auto-hide), and marks the case urgent', async () => {
      const policies = new FixedPolicies(withReports(DEFAULT_COMMUNITY_POLICY, { autoHide: { reporters: 2, withinSeconds: 600 } }));
      const deps = reportDepsOn(backends, { communityPolicies: policies });
      const { sent, caseId } = await reportedCase(deps, { reporters: 2 });
      expect((await chimeMessage(sent)).ChannelMessage?.Redacted).toBe(true);
      const c = await getCase(deps, caseId);
      expect(c).toMatchObject({ status: 'OPEN', urgent: true, autoHide: { outcome: 'DONE', reporters: 2, withinSeconds: 600 } });
      expect(await followUp(caseActionIdOf(caseId, 'autohide'))).toMatchObject({ action: 'REDACT_MESSAGE', origin: 'AUTO', actor: { id: 'auto-hide' }, caseId, outcome: 'DONE' });
      // Urgent cases come first.
      const other = await reportedCase(deps, { reporters: 1, category: 'self-harm', channelArn: sent.channelArn });
      const listed = (await listCases(deps, CasesQuery.parse({ channelArn: sent.channelArn }))).items.map((i) => i.caseId);
      expect(listed).toEqual([caseId, other.caseId]);
    });

    it('marks the case urgent and its auto-hide FAILED (not REQUESTED) when there is no bearer to redact as', async () => {
      const policies = new FixedPolicies(withReports(DEFAULT_COMMUNITY_POLICY, { autoHide: { reporters: 1, withinSeconds: 600 } }));
      const unarmed = { bearerFor: () => undefined, ban: async () => Promise.reject(new Error('unused')), redact: async () => Promise.reject(new Error('unused')), delete: async () => Promise.reject(new Error('unused')) };
      const deps = reportDepsOn(backends, { communityPolicies: policies, channelModeration: unarmed });
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      expect((await chimeMessage(sent)).ChannelMessage?.Redacted).toBe(false);
      expect(await getCase(deps, caseId)).toMatchObject({ urgent: true, autoHide: { outcome: 'FAILED', chimeError: { type: 'ChimeBearerNotConfigured' } } });
      expect(deps.warnings.map((w) => w.message).join()).toMatch(/no bearer is configured/);
    });

    it('is off by default', async () => {
      const deps = reportDepsOn(backends);
      const { sent, caseId } = await reportedCase(deps, { reporters: 4 });
      expect((await chimeMessage(sent)).ChannelMessage?.Redacted).toBe(false);
      expect((await getCase(deps, caseId)).urgent).toBe(false);
    });
  });

  describe('actions on the sender', () => {
    it('bans through the senders room when it is there, once per Idempotency-Key', async () => {
      const restrictions = new RecordingRestrictions();
      const deps = reportDepsOn(backends, { senderRestrictions: restrictions });
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      const first = await actOnCase(deps, moderator('anna'), caseId, { type: 'BAN_SENDER', reason: 'repeat spammer', for: '24h', scope: 'channel' }, 'ban-1');
      const again = await actOnCase(deps, moderator('anna'), caseId, { type: 'BAN_SENDER', reason: 'repeat spammer', for: '24h', scope: 'channel' }, 'ban-1');
      expect(first.restriction).toEqual({ restrictionId: 'r-0', status: 'ACTIVE' });
      expect(again.restriction).toEqual(first.restriction);
      expect([...restrictions.imposed.values()]).toEqual([
        expect.objectContaining({ kind: 'BAN', scope: 'channel', forSeconds: 86_400, member: expect.objectContaining({ memberArn: sent.sender }), cause: { kind: 'moderator', caseId }, by: { id: 'sub-anna', name: 'anna' } }),
      ]);
      expect(first.case.history.map((h) => h.event)).toContain('action');
    });

    it('bans in the channel as a follow-up action without the senders room (audited with the case), and refuses what only that room can do', async () => {
      const deps = reportDepsOn(backends);
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      const banned = await actOnCase(deps, moderator('anna'), caseId, { type: 'BAN_SENDER', reason: 'spam wave' });
      expect(banned.action).toMatchObject({ kind: 'ACTION', action: 'BAN_SENDER', status: 'DONE', target: { memberArn: sent.sender, caseId } });
      expect((await chime.send(new DescribeChannelBanCommand({ ChannelArn: sent.channelArn, MemberArn: sent.sender, ChimeBearer: BEARER }))).ChannelBan?.Member?.Arn).toBe(sent.sender);
      await expect(actOnCase(deps, moderator('anna'), caseId, { type: 'BAN_SENDER', reason: 'x', for: '1h' })).rejects.toMatchObject({ name: 'InvalidRequestError' });
    });

    it('warns the sender through the notices room, once per Idempotency-Key; 503 without that room', async () => {
      const notices = new RecordingNotices();
      const deps = reportDepsOn(backends, { notices });
      const { sent, caseId } = await reportedCase(deps, { reporters: 1 });
      const warned = await actOnCase(deps, moderator('anna'), caseId, { type: 'NOTIFY_SENDER', reason: 'Please keep it friendly.' }, 'warn-1');
      const again = await actOnCase(deps, moderator('anna'), caseId, { type: 'NOTIFY_SENDER', reason: 'Please keep it friendly.' }, 'warn-1');
      expect(warned.action).toMatchObject({ action: 'NOTIFY_SENDER', status: 'DONE', target: { caseId } });
      expect(again.action!.callbackId).toBe(warned.action!.callbackId);
      expect(notices.of('warning')).toEqual([expect.objectContaining({ to: sent.sender, channelArn: sent.channelArn, values: { reason: 'Please keep it friendly.' } })]);
      await expect(actOnCase(deps, moderator('anna'), caseId, { type: 'NOTIFY_SENDER', reason: 'other words' }, 'warn-1')).rejects.toMatchObject({ name: 'IdempotencyKeyReusedError' });
      await expect(actOnCase(reportDepsOn(backends), moderator('anna'), caseId, { type: 'NOTIFY_SENDER', reason: 'x' })).rejects.toBeInstanceOf(PortNotConfiguredError);
    });
  });

  it('shows a case in full: each report with its note, and each reporter’s record as it is now', async () => {
    const deps = reportDepsOn(backends, ports());
    const { caseId: first, reporters } = await reportedCase(deps, { reporters: 1 });
    await decideCase(deps, moderator('anna'), first, { action: 'REDACT', reason: 'spam' });
    const sent = await aSentMessage(chime, { members: reporters });
    await submitReport(deps, memberPrincipal(reporters[0]!), asMember(reporters[0]!), { channelArn: sent.channelArn, messageId: sent.messageId, category: 'scam', note: 'same account as before' });
    const c: Awaited<ReturnType<typeof getCase>> = await getCase(deps, caseIdOf(sent.channelArn, sent.messageId));
    expect(c.reports).toEqual([expect.objectContaining({ reporterArn: reporters[0], note: 'same account as before', category: 'scam', categoryLabel: 'Scam or fraud', accuracyAtReport: 2 / 3, reporter: { accuracy: 0.667, upheld: 1, dismissed: 0 } })]);
    expect(c.weight).toBe(0.667);
    expect(c).toMatchObject({ reporterCount: 1, categories: [{ category: 'scam', label: 'Scam or fraud', severity: 2, count: 1 }] });
  });
});
