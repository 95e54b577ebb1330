/**
 * The reports room's backstops on real backends (dynalite or DYNAMODB_ENDPOINT, the Chime emulator):
 * the sweeper's cases task for what a decision leaves owed, reports kept as long as their case,
 * a reporter's outcome counted once per report however late, and a message many members report at
 * once (the case record small, no report failing after it was stored, every one counted once).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { GetChannelMessageCommand, NotFoundException } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { DynamoDbCaseStore } from '../../src/adapters/dynamodb-reports.js';
import type { NoticeAnnouncement, NoticeRequest } from '../../src/domain/people.js';
import { PeopleRefusal } from '../../src/errors.js';
import { getCase } from '../../src/reports/cases.js';
import { decideCase } from '../../src/reports/decisions.js';
import { SETTLE_REPORTS_PER_REQUEST, settleReport } from '../../src/reports/finish.js';
import { caseIdOf, caseKey, priorityKey, reportedKey, reporterRecordKey, reportKey as reportKeyOf, SETTLED_KEPT, senderCaseKey, tallyQueueOf, type CaseRecord } from '../../src/reports/model.js';
import { listMyReports, submitReport } from '../../src/reports/reports.js';
import { RecordChangedError } from '../../src/reports/store.js';
import { casesSweeperTask } from '../../src/reports/sweeper-task.js';
import { moveReporter } from '../../src/reports/writes.js';
import { startBackends, type Backends } from '../support/backends.js';
import { aSentMessage, asMember, BEARER, join, member, memberPrincipal, moderator, RecordingNotices, RecordingStrikes, reportDepsOn, testClock } from '../support/reports.js';

type Deps = ReturnType<typeof reportDepsOn>;
type Sent = { channelArn: string; messageId: string; sender: string };

/** Notices that refuse to record the outcome notices of some reporters (the notices room down for them). */
class RefusingNotices extends RecordingNotices {
  constructor(public refuse: (to: string) => boolean) {
    super();
  }
  override async announce(notice: NoticeRequest): Promise<NoticeAnnouncement> {
    if (this.refuse(notice.to)) return { recorded: false, status: 'NOT_RECORDED', error: 'notices table throttled' } as NoticeAnnouncement;
    return super.announce(notice);
  }
}

describe('the reports room’s backstops (real store, real Chime emulator)', () => {
  let backends: Backends;
  let chime: ChimeSDKMessagingClient;
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

  const report = (deps: Deps, reporter: string, sent: Pick<Sent, 'channelArn' | 'messageId'>) =>
    submitReport(deps, memberPrincipal(reporter), asMember(reporter), { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
  async function reportedCase(deps: Deps, count: number): Promise<{ sent: Sent; caseId: string; reporters: string[] }> {
    const reporters = Array.from({ length: count }, (_, i) => member(`reporter${i}`));
    const sent = await aSentMessage(chime, { members: reporters });
    for (const r of reporters) await report(deps, r, sent);
    return { sent, caseId: caseIdOf(sent.channelArn, sent.messageId), reporters };
  }
  const item = async (key: { pk: string; sk: string }) => (await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: key }))).Item;
  const reporterRecord = (arn: string) => backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: reporterRecordKey(arn) })).then((r) => r.Item as { upheld: number; dismissed: number; settled: string[] } | undefined);
  const settleQueue = async (caseId: string) => (await item({ pk: `CASE#${caseId}`, sk: 'SETTLE' }))?.queueKey as string | undefined;
  /** The sweeper's cases task, run as the schedule would, later than the grace left to the deciding request. */
  const sweep = (deps: Deps, laterMs = 120_000) => casesSweeperTask(deps).run({ nowMs: deps.clock.now() + laterMs, stopAt: Date.now() + 60_000 });

  describe('a decided case’s consequences', () => {
    it('records the strike first, settles a bounded number of reports per request, and the sweeper task finishes the rest', async () => {
      const notices = new RecordingNotices();
      const strikes = new RecordingStrikes();
      const deps = reportDepsOn(backends, { notices, strikeLedger: strikes });
      const { caseId, reporters } = await reportedCase(deps, SETTLE_REPORTS_PER_REQUEST + 7);

      const decided = await decideCase(deps, moderator('anna'), caseId, { action: 'DELETE', reason: 'scam' });
      expect(decided).toMatchObject({ status: 'ACTIONED', settled: false, decision: { chime: { outcome: 'DONE' } } });
      // The strike does not wait for the reporters.
      expect(strikes.strikes.size).toBe(1);
      const moved = async () => (await Promise.all(reporters.map(reporterRecord))).filter((r) => r!.upheld === 1).length;
      expect(await moved()).toBe(SETTLE_REPORTS_PER_REQUEST);
      // Owed: it waits in the settle queue.
      expect(await settleQueue(caseId)).toMatch(/^CASES#SETTLE#\d$/);

      expect(await sweep(deps)).toMatchObject({ settled: 1, owed: 0, errors: 0 });
      expect((await getCase(deps, caseId)).settled).toBe(true);
      expect(await moved()).toBe(reporters.length);
      expect(notices.of('reportOutcome')).toHaveLength(reporters.length);
      expect(strikes.strikes.size).toBe(1);
      expect(await settleQueue(caseId)).toBeUndefined();
      // Once settled, a second sweep does nothing, and nobody is counted twice.
      expect(await sweep(deps)).toMatchObject({ settled: 0, owed: 0 });
      for (const r of reporters) expect(await reporterRecord(r)).toMatchObject({ upheld: 1, dismissed: 0 });
    });

    it('records the strike even when a reporter’s notice cannot be recorded, and the sweeper finishes once it can', async () => {
      const [blocked] = [member('blocked')];
      const notices = new RefusingNotices((to) => to === blocked);
      const strikes = new RecordingStrikes();
      const deps = reportDepsOn(backends, { notices, strikeLedger: strikes });
      const sent = await aSentMessage(chime, { members: [blocked] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      await report(deps, blocked, sent);

      const decided = await decideCase(deps, moderator('anna'), caseId, { action: 'REDACT', reason: 'spam' });
      expect(decided.settled).toBe(false);
      expect(strikes.strikes.size).toBe(1);
      // Still refused: owed, and looked at again later.
      expect(await sweep(deps)).toMatchObject({ settled: 0, owed: 1 });
      notices.refuse = () => false;
      expect(await sweep(deps, 3_600_000)).toMatchObject({ settled: 1 });
      expect((await getCase(deps, caseId)).settled).toBe(true);
      expect(await reporterRecord(blocked)).toMatchObject({ upheld: 1, dismissed: 0 });
    });

    it('settles a DELETE whose Chime answer was lost, with nobody touching the case again', async () => {
      const offline = reportDepsOn(backends, { notices: new RecordingNotices(), strikeLedger: new RecordingStrikes(), chimeWrites: dead.chimeWrites });
      const { sent, caseId, reporters } = await reportedCase(offline, 2);
      expect(await decideCase(offline, moderator('anna'), caseId, { action: 'DELETE', reason: 'scam' })).toMatchObject({ decision: { chime: { outcome: 'REQUESTED' } } });

      const online = reportDepsOn(backends, { notices: new RecordingNotices(), strikeLedger: new RecordingStrikes() });
      const swept = await sweep(online);
      expect(swept).toMatchObject({ settled: 1, errors: 0 });
      const c = await getCase(online, caseId);
      expect(c).toMatchObject({ settled: true, decision: { chime: { outcome: 'DONE' } } });
      await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: BEARER }))).rejects.toBeInstanceOf(NotFoundException);
      for (const r of reporters) expect(await reporterRecord(r)).toMatchObject({ upheld: 1 });
    });

    it('drops a settle marker whose case was never decided (the decision lost), after a while', async () => {
      const deps = reportDepsOn(backends);
      const { caseId } = await reportedCase(deps, 1);
      await deps.cases.oweSettlement(caseId, new Date(deps.clock.now()).toISOString());
      expect(await sweep(deps, 1_000)).toMatchObject({ dropped: 0 });
      expect(await settleQueue(caseId)).toBeDefined();
      expect(await sweep(deps, 11 * 60_000)).toMatchObject({ dropped: 1 });
      expect(await settleQueue(caseId)).toBeUndefined();
    });
  });

  describe('a reporter’s outcome, once per report', () => {
    it('counts an old case settled again once, however many cases the reporter’s record saw since', async () => {
      const blocked = member('bob');
      const notices = new RefusingNotices((to) => to === blocked);
      const deps = reportDepsOn(backends, { notices, strikeLedger: new RecordingStrikes() });
      const alice = member('alice');
      const sent = await aSentMessage(chime, { members: [alice, blocked] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      await report(deps, alice, sent);
      await report(deps, blocked, sent);
      expect((await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'fine' })).settled).toBe(false);
      expect(await reporterRecord(alice)).toMatchObject({ dismissed: 1 });

      // Alice's record goes on to count many more cases than it remembers.
      const stored = (await deps.cases.getReporter(alice))!;
      await deps.cases.saveReporter({ ...stored, settled: [...stored.settled, ...Array.from({ length: 200 }, (_, i) => `other${String(i).padStart(27, '0')}#2026-01-01T00:00:00.000Z`)].slice(-200) }, stored.version);

      notices.refuse = () => false;
      expect(await sweep(deps)).toMatchObject({ settled: 1 });
      expect(await reporterRecord(alice)).toMatchObject({ upheld: 0, dismissed: 1 });
      expect(await reporterRecord(blocked)).toMatchObject({ upheld: 0, dismissed: 1 });
    });

    it('never counts twice when a request died between the reporter’s record and the report’s flag, even after the record forgot it', async () => {
      const deps = reportDepsOn(backends, { strikeLedger: new RecordingStrikes() });
      const { caseId, reporters } = await reportedCase(deps, 1);
      const alice = reporters[0]!;
      await decideCase(deps, moderator('anna'), caseId, { action: 'DELETE', reason: 'scam' });
      expect(await reporterRecord(alice)).toMatchObject({ upheld: 1 });
      // As if the request died after the reporter's record and before the report's flag.
      const mine = (await deps.cases.getReport(caseId, alice))!;
      await deps.cases.updateReport(caseId, alice, { remove: ['outcomeCounted', 'outcomeSettledAt'] });
      // More outcomes than the record remembers push this one out (each a report that never existed).
      for (let i = 0; i < SETTLED_KEPT + 3; i += 1) await moveReporter(deps, { caseId: `gone${String(i).padStart(28, '0')}`, reporterArn: alice, at: mine.at }, true);
      expect((await reporterRecord(alice))!.settled).not.toContain(`${caseId}#${mine.at}`);
      // The report was flagged before it was forgotten: settling it again counts nothing.
      const c = (await deps.cases.getCase(caseId))!;
      await settleReport(deps, c, (await deps.cases.getReport(caseId, alice))!, (await import('../../src/policy/community.js')).DEFAULT_COMMUNITY_POLICY);
      expect(await reporterRecord(alice)).toMatchObject({ upheld: 1 + SETTLED_KEPT + 3 });
    });
  });

  describe('retention', () => {
    it('keeps a decided case’s reports and pointers as long as the case; after it, my reports forget it and a new report opens a new case', async () => {
      const clock = testClock();
      const deps = reportDepsOn(backends, { clock, retentionDays: 30, notices: new RecordingNotices(), strikeLedger: new RecordingStrikes() });
      const alice = member('alice');
      const bob = member('bob');
      const sent = await aSentMessage(chime, { members: [alice, bob] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      const first = await report(deps, alice, sent);
      await decideCase(deps, moderator('anna'), caseId, { action: 'DISMISS', reason: 'fine' });
      clock.advance(1_000);
      // A report after the decision joins the decided case, kept as long.
      await report(deps, bob, sent);

      const c = (await item(caseKey(caseId))) as CaseRecord;
      expect(c.expiresAt).toBeGreaterThan(Math.floor(clock.now() / 1000) + 29 * 86_400);
      for (const r of [alice, bob]) expect((await item({ pk: `CASE#${caseId}`, sk: `REPORT#${r}` }))!.expiresAt).toBe(c.expiresAt);
      expect((await item(reportedKey(alice, first.report.reportedAt, caseId)))!.expiresAt).toBe(c.expiresAt);
      const bobs = await backends.clients.documents.send(new QueryCommand({ TableName: backends.resources.controlTableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `MEMBER#${bob}`, ':p': 'REPORTED#' } }));
      expect(bobs.Items).toEqual([expect.objectContaining({ expiresAt: c.expiresAt })]);
      expect((await item(senderCaseKey(sent.sender, caseId)))!.expiresAt).toBe(c.expiresAt);
      expect((await item(priorityKey(caseId)))!.expiresAt).toBe(c.expiresAt);
      expect((await listMyReports(deps, asMember(alice), { limit: 10 })).items).toEqual([expect.objectContaining({ case: expect.objectContaining({ caseId, status: 'DISMISSED' }) })]);

      // Past the retention (before the TTL deleted anything): gone from my reports, and a new
      // report of the same message opens a new case instead of answering the old one.
      clock.advance(31 * 86_400_000);
      expect((await listMyReports(deps, asMember(alice), { limit: 10 })).items).toEqual([]);
      const again = await report(deps, alice, sent);
      expect(again).toMatchObject({ repeated: false, case: { caseId, status: 'OPEN' } });
      const reopened = (await deps.cases.getCase(caseId))!;
      expect(reopened).toMatchObject({ status: 'OPEN', reporterCount: 1, version: 1 });
      expect(reopened.decision).toBeUndefined();
      expect(reopened.expiresAt).toBeUndefined();
      expect((await item(priorityKey(caseId)))).toMatchObject({ status: 'OPEN', caseVersion: 1 });
      expect((await listMyReports(deps, asMember(alice), { limit: 10 })).items).toEqual([expect.objectContaining({ case: expect.objectContaining({ caseId, status: 'OPEN' }) })]);
      // Its decision counts again for alice: the old one was another report.
      await decideCase(deps, moderator('anna'), caseId, { action: 'REDACT', reason: 'spam after all' });
      expect(await reporterRecord(alice)).toMatchObject({ upheld: 1, dismissed: 1 });
    });
  });

  describe('a message many members report at once', () => {
    it('counts a stored report its case could not take on the case’s next write, or by the sweeper task', async () => {
      const deps = reportDepsOn(backends);
      const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(member) as [string, string, string, string];
      const sent = await aSentMessage(chime, { members: [alice, bob, carol, dave] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      await report(deps, alice, sent);
      // As if their requests stored their reports and then lost every write of the case.
      const stranded = (arn: string) => {
        const at = new Date(deps.clock.now()).toISOString();
        return deps.cases.createReport({ ...reportKeyOf(caseId, arn), kind: 'REPORT', reportId: `r-${arn.slice(-8)}`, caseId, channelArn: sent.channelArn, messageId: sent.messageId, reporterArn: arn, category: 'hate', at, by: { subject: arn, onBehalf: false }, accuracy: 0.5, ...tallyQueueOf({ caseId, at, reporterArn: arn }) });
      };
      await stranded(bob);
      expect((await deps.cases.getCase(caseId))!.reporterCount).toBe(1);
      // The next report's write counts the one waiting with its own.
      await report(deps, carol, sent);
      expect((await deps.cases.getCase(caseId))!).toMatchObject({ reporterCount: 3, categories: { spam: 2, hate: 1 } });
      expect(await deps.cases.getReport(caseId, bob)).toMatchObject({ tallied: true });
      // With nobody else reporting, the sweeper's cases task counts it.
      await stranded(dave);
      expect(await sweep(deps, 0)).toMatchObject({ tallied: 1, untallied: 0, errors: 0 });
      expect((await deps.cases.getCase(caseId))!.reporterCount).toBe(4);
      // And never twice.
      expect(await sweep(deps, 0)).toMatchObject({ tallied: 0 });
      await report(deps, dave, sent);
      expect((await deps.cases.getCase(caseId))!.reporterCount).toBe(4);
    });

    it('answers every report (no 5xx), keeps the case small, and counts each reporter exactly once (the sweeper catches up)', async () => {
      const N = 200;
      const reporters = Array.from({ length: N }, (_, i) => member(`crowd${i}`));
      const sent = await aSentMessage(chime, {});
      for (const r of reporters) await join(chime, sent.channelArn, r);
      const caseId = caseIdOf(sent.channelArn, sent.messageId);

      // Four containers: each its own deps and store, counting the case writes that lost a race.
      let conflicts = 0;
      let caseWrites = 0;
      class CountingStore extends DynamoDbCaseStore {
        override async saveCase(next: CaseRecord, readVersion: number): Promise<CaseRecord> {
          caseWrites += 1;
          try {
            return await super.saveCase(next, readVersion);
          } catch (error) {
            if (error instanceof RecordChangedError) conflicts += 1;
            throw error;
          }
        }
      }
      const containers = Array.from({ length: 4 }, () => reportDepsOn(backends, { cases: new CountingStore(backends.clients.documents, backends.resources.controlTableName) }));
      const started = Date.now();
      const results = await Promise.allSettled(reporters.map((r, i) => report(containers[i % 4]!, r, sent)));
      const elapsedMs = Date.now() - started;
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      const serverErrors = failures.filter((f) => !(f.reason instanceof PeopleRefusal));
      const c = (await item(caseKey(caseId))) as CaseRecord;
      const countedAtOnce = c.reporterCount;
      const untallied = (await containers[0]!.cases.untalliedReports(N)).filter((r) => r.caseId === caseId).length;
      const caseBytes = Buffer.byteLength(JSON.stringify(c));
      // What the queue index holds of the case: its two small entries, never the case record.
      const entryBytes = Math.max(...(await Promise.all([priorityKey(caseId), { pk: `CASE#${caseId}`, sk: 'DUE' }].map(async (k) => Buffer.byteLength(JSON.stringify(await item(k)))))));

      const swept = await sweep(containers[0]!, 0);
      const after = (await containers[0]!.cases.getCase(caseId))!;
      // The figures, for the record.
      console.log(JSON.stringify({ N, containers: 4, elapsedMs, serverErrors: serverErrors.length, refusals: failures.length - serverErrors.length, caseWrites, conflicts, countedAtOnce, untallied, caseBytes, entryBytes, swept, reporterCountAfterSweep: after.reporterCount }));

      expect(serverErrors.map((f) => String(f.reason))).toEqual([]);
      expect(failures).toEqual([]);
      expect(countedAtOnce + untallied).toBe(N);
      expect(after.reporterCount).toBe(N);
      expect(after.weight).toBeCloseTo(N * 0.5, 5);
      expect(caseBytes).toBeLessThan(8_000);
      expect(c.queueKey).toBeUndefined();
      expect(entryBytes).toBeLessThan(1_000);
      for (const r of reporters.slice(0, 20)) expect(await containers[0]!.cases.getReport(caseId, r)).toMatchObject({ tallied: true });
      expect((await containers[0]!.cases.untalliedReports(N)).filter((r) => r.caseId === caseId)).toEqual([]);
    }, 120_000);
  });
});
