/**
 * Members' reports of sent messages (src/reports/reports.ts) on real backends: the control table
 * through the room's store (dynalite, or DYNAMODB_ENDPOINT), Chime through the stock client
 * against the emulator. What a report stores is read back from the table; what Chime holds, from
 * the emulator. Duplicates, twins, lost answers, rate-limit windows and Chime's silence each have
 * a test that makes them happen.
 */
import { ChimeSDKMessagingClient, DeleteChannelMessageCommand, RedactChannelMessageCommand, UpdateChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { ChimeBearerNotConfiguredError, ChimeReadError, InvalidRequestError, PeopleNotFoundError, RateLimitedError } from '../../src/errors.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { DEFAULT_COMMUNITY_POLICY } from '../../src/policy/community.js';
import { caseIdOf, reportKey, reporterRecordKey, type CaseRecord, type ReporterRecord } from '../../src/reports/model.js';
import { submitReport } from '../../src/reports/reports.js';
import { startBackends, type Backends } from '../support/backends.js';
import { aSentMessage, asMember, BEARER, FixedPolicies, join, member, memberPrincipal, reportDepsOn, testClock, withReports } from '../support/reports.js';

const keyValue = (input: unknown, name: string) => ((input as { Key?: Record<string, { S?: string }>; Item?: Record<string, { S?: string }> }).Key ?? (input as { Item?: Record<string, { S?: string }> }).Item ?? {})[name]?.S;

describe('reports of sent messages (real store, real Chime emulator)', () => {
  let backends: Backends;
  let chime: ChimeSDKMessagingClient;
  /** Clients on the same endpoints, where the storage faults go. */
  let lossy: AwsClients;

  beforeAll(async () => {
    backends = await startBackends({ simulator: { defaultFlow: null } });
    chime = backends.clients.chime;
    lossy = createAwsClients({ region: 'us-east-1', ...(backends.credentials ? { credentials: backends.credentials } : {}), endpoints: backends.endpoints });
  });
  afterAll(async () => {
    if (lossy) destroyAwsClients(lossy);
    await backends?.stop();
  });

  const report = (deps: ReturnType<typeof reportDepsOn>, reporter: string, sent: { channelArn: string; messageId: string }, extra: { category?: 'spam' | 'hate' | 'self-harm' | 'harassment'; note?: string } = {}) =>
    submitReport(deps, memberPrincipal(reporter), asMember(reporter), { channelArn: sent.channelArn, messageId: sent.messageId, category: extra.category ?? 'spam', ...(extra.note !== undefined ? { note: extra.note } : {}) });
  const caseOf = (deps: ReturnType<typeof reportDepsOn>, sent: { channelArn: string; messageId: string }) => deps.cases.getCase(caseIdOf(sent.channelArn, sent.messageId));
  const reporterOf = async (arn: string) => (await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.controlTableName, Key: reporterRecordKey(arn) }))).Item as ReporterRecord | undefined;

  it('gathers two members’ reports of one message into one case with count 2; a repeat is the same report, counted once', async () => {
    const deps = reportDepsOn(backends);
    const [alice, bob] = [member('alice'), member('bob')];
    const sent = await aSentMessage(chime, { members: [alice, bob] });

    const first = await report(deps, alice, sent, { note: 'third time today' });
    expect(first).toMatchObject({ repeated: false, report: { category: 'spam', categoryLabel: 'Spam', note: 'third time today' }, case: { status: 'OPEN' } });
    const second = await report(deps, bob, sent, { category: 'hate' });
    const again = await report(deps, alice, sent, { category: 'self-harm', note: 'changed my mind' });
    expect(again).toEqual({ ...first, repeated: true });

    const c = (await caseOf(deps, sent))!;
    expect(c).toMatchObject({ caseId: second.case.caseId, status: 'OPEN', reporterCount: 2, categories: { spam: 1, hate: 1 }, sender: { arn: sent.sender }, senderArn: sent.sender });
    // What Chime holds, never what a reporter said.
    expect(c.message.content).toBe('buy scamcoin now, guaranteed 10x');
    expect(c.reporters.map((r) => r.arn)).toEqual([alice, bob]);
    // The sender's record points at the case; each reporter's at their report.
    const senderCases = await backends.clients.documents.send(new QueryCommand({ TableName: backends.resources.controlTableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `MEMBER#${sent.sender}` } }));
    expect(senderCases.Items).toEqual([expect.objectContaining({ sk: `CASE#${c.caseId}`, kind: 'SENDER_CASE' })]);
    expect((await deps.cases.listReportedBy(alice, { limit: 10 })).items).toEqual([expect.objectContaining({ caseId: c.caseId, category: 'spam' })]);
    expect((await reporterOf(alice))!.recent).toHaveLength(1);
  });

  it('converges the first reports of a message, arriving at once, on one case that counts each reporter once', async () => {
    const deps = reportDepsOn(backends);
    const reporters = Array.from({ length: 8 }, (_, i) => member(`crowd${i}`));
    const sent = await aSentMessage(chime, { members: reporters });
    const receipts = await Promise.all(reporters.map((r) => report(deps, r, sent)));
    expect(new Set(receipts.map((r) => r.case.caseId)).size).toBe(1);
    const c = (await caseOf(deps, sent))!;
    expect(c.reporterCount).toBe(8);
    // The case remembers only the last few it counted; every report is flagged counted, none left to tally.
    expect(c.tallied.length).toBeLessThanOrEqual(8);
    for (const r of reporters) expect(await deps.cases.getReport(c.caseId, r)).toMatchObject({ tallied: true });
    expect(await deps.cases.untalliedReports(100)).toEqual([]);
    expect(c.weight).toBe(4);
  });

  it('takes one report when a member sends it twice at once: one record, counted once, one place in their limits', async () => {
    const deps = reportDepsOn(backends);
    const alice = member('alice');
    const sent = await aSentMessage(chime, { members: [alice] });
    const twins = await Promise.all([report(deps, alice, sent), report(deps, alice, sent), report(deps, alice, sent)]);
    expect(new Set(twins.map((t) => t.report.reportId)).size).toBe(1);
    expect(twins.filter((t) => !t.repeated)).toHaveLength(1);
    expect((await caseOf(deps, sent))!.reporterCount).toBe(1);
    expect((await reporterOf(alice))!).toMatchObject({ reports: 1, recent: [expect.objectContaining({ caseId: caseIdOf(sent.channelArn, sent.messageId) })] });
  });

  describe('what cannot be reported: the same 404, and nothing stored', () => {
    const nothingStored = async (deps: ReturnType<typeof reportDepsOn>, reporter: string, sent: { channelArn: string; messageId: string }) => {
      expect(await deps.cases.getReport(caseIdOf(sent.channelArn, sent.messageId), reporter)).toBeUndefined();
      expect(await caseOf(deps, sent)).toBeUndefined();
      expect(await reporterOf(reporter)).toBeUndefined();
    };

    it('refuses a reporter who is not a member of the channel', async () => {
      const deps = reportDepsOn(backends);
      const outsider = member('outsider');
      const sent = await aSentMessage(chime);
      const refused = await report(deps, outsider, sent).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PeopleNotFoundError);
      // Word for word what a member hears for a message that is not there: nothing tells which.
      const alice = member('alice');
      const elsewhere = await aSentMessage(chime, { members: [alice] });
      const missing = await report(deps, alice, { channelArn: elsewhere.channelArn, messageId: sent.messageId }).catch((e: Error) => e);
      expect((refused as PeopleNotFoundError).message).toBe((missing as Error).message);
      await nothingStored(deps, outsider, sent);
    });

    it('refuses a message that does not exist, was deleted, or was redacted, with the very same answer', async () => {
      const deps = reportDepsOn(backends);
      const alice = member('alice');
      const sent = await aSentMessage(chime, { members: [alice] });
      const answers: string[] = [];
      const missing = { ...sent, messageId: 'no-such-message' };
      answers.push(((await report(deps, alice, missing).catch((e: Error) => e)) as Error).constructor.name);
      const redacted = await aSentMessage(chime, { channelArn: sent.channelArn });
      await chime.send(new RedactChannelMessageCommand({ ChannelArn: redacted.channelArn, MessageId: redacted.messageId, ChimeBearer: BEARER }));
      answers.push(((await report(deps, alice, redacted).catch((e: Error) => e)) as Error).constructor.name);
      const deleted = await aSentMessage(chime, { channelArn: sent.channelArn });
      await chime.send(new DeleteChannelMessageCommand({ ChannelArn: deleted.channelArn, MessageId: deleted.messageId, ChimeBearer: BEARER }));
      answers.push(((await report(deps, alice, deleted).catch((e: Error) => e)) as Error).constructor.name);
      expect(answers).toEqual(['PeopleNotFoundError', 'PeopleNotFoundError', 'PeopleNotFoundError']);
      for (const s of [missing, redacted, deleted]) await nothingStored(deps, alice, s);
    });

    it('refuses a targeted message to a member it was not for, and takes it from its target (read as them)', async () => {
      const deps = reportDepsOn(backends);
      const [target, bystander] = [member('target'), member('bystander')];
      const sent = await aSentMessage(chime, { members: [target, bystander], target: undefined });
      const dm = await aSentMessage(chime, { channelArn: sent.channelArn, sender: sent.sender, target, content: 'I know where you live' });
      await expect(report(deps, bystander, dm)).rejects.toBeInstanceOf(PeopleNotFoundError);
      await nothingStored(deps, bystander, dm);
      const taken = await report(deps, target, dm, { category: 'harassment' });
      const c = (await caseOf(deps, dm))!;
      expect(taken.case.status).toBe('OPEN');
      expect(c.message).toMatchObject({ content: 'I know where you live', target: [target] });
    });

    it('refuses a report of one’s own message (400)', async () => {
      const deps = reportDepsOn(backends);
      const sent = await aSentMessage(chime);
      await expect(report(deps, sent.sender, sent)).rejects.toBeInstanceOf(InvalidRequestError);
      await nothingStored(deps, sent.sender, sent);
    });

    it('answers 503 when Chime does not answer, and stores nothing', async () => {
      const dead = createAwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints: { chime: 'http://127.0.0.1:9' }, maxAttempts: 1 });
      try {
        const deps = reportDepsOn(backends, { chime: dead.chime });
        const alice = member('alice');
        const sent = await aSentMessage(chime, { members: [alice] });
        const refused = await report(deps, alice, sent).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ChimeReadError);
        expect(refused).toMatchObject({ refusal: 'UNAVAILABLE' });
        await nothingStored(deps, alice, sent);
      } finally {
        destroyAwsClients(dead);
      }
    });

    it('answers 503 chime-bearer-not-configured without a bearer', async () => {
      const deps = reportDepsOn(backends, { bearer: null });
      const alice = member('alice');
      const sent = await aSentMessage(chime, { members: [alice] });
      await expect(report(deps, alice, sent)).rejects.toBeInstanceOf(ChimeBearerNotConfiguredError);
    });
  });

  describe('rate limits', () => {
    it('refuses a report over a limit with when to try again, before anything is stored; a repeat is never limited; the window passes', async () => {
      const clock = testClock();
      const policies = new FixedPolicies(withReports(DEFAULT_COMMUNITY_POLICY, { rateLimits: [{ max: 2, withinSeconds: 600 }] }));
      const deps = reportDepsOn(backends, { clock, communityPolicies: policies });
      const alice = member('alice');
      const channel = (await aSentMessage(chime, { members: [alice] })).channelArn;
      const messages = [];
      for (let i = 0; i < 4; i += 1) messages.push(await aSentMessage(chime, { channelArn: channel }));

      await report(deps, alice, messages[0]!);
      clock.advance(100_000);
      await report(deps, alice, messages[1]!);
      clock.advance(100_000);
      const limited = await report(deps, alice, messages[2]!).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect(limited).toMatchObject({ limit: { max: 2, withinSeconds: 600 }, retryAfterSeconds: 400 });
      expect(await deps.cases.getReport(caseIdOf(channel, messages[2]!.messageId), alice)).toBeUndefined();
      expect(await caseOf(deps, messages[2]!)).toBeUndefined();
      // A repeat of a report already made is answered, limited or not.
      expect((await report(deps, alice, messages[0]!)).repeated).toBe(true);
      // Once the first report leaves the window, one more is taken.
      clock.advance(400_000);
      expect((await report(deps, alice, messages[2]!)).repeated).toBe(false);
      await expect(report(deps, alice, messages[3]!)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it('lets only one of two reports at once take the last place', async () => {
      const policies = new FixedPolicies(withReports(DEFAULT_COMMUNITY_POLICY, { rateLimits: [{ max: 1, withinSeconds: 3600 }] }));
      const deps = reportDepsOn(backends, { communityPolicies: policies });
      const alice = member('alice');
      const a = await aSentMessage(chime, { members: [alice] });
      const b = await aSentMessage(chime, { channelArn: a.channelArn });
      const results = await Promise.allSettled([report(deps, alice, a), report(deps, alice, b)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
      expect((await reporterOf(alice))!.recent).toHaveLength(1);
    });
  });

  describe('answers that get lost (the SDK retries a write DynamoDB applied)', () => {
    it('records the report once when its put was applied and its answer lost', async () => {
      const deps = reportDepsOn(backends, { documents: lossy.documents });
      const alice = member('alice');
      const sent = await aSentMessage(chime, { members: [alice] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'PutItemCommand' && keyValue(input, 'sk') === reportKey(caseId, alice).sk);
      try {
        expect((await report(deps, alice, sent)).repeated).toBe(false);
      } finally {
        faults.remove();
      }
      expect(faults.counts.answersLost).toBe(1);
      expect((await caseOf(deps, sent))!.reporterCount).toBe(1);
    });

    it('counts a report on its case once when the case write was applied and its answer lost', async () => {
      const deps = reportDepsOn(backends, { documents: lossy.documents });
      const [alice, bob] = [member('alice'), member('bob')];
      const sent = await aSentMessage(chime, { members: [alice, bob] });
      await report(deps, alice, sent);
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'UpdateItemCommand' && keyValue(input, 'pk') === `CASE#${caseId}` && keyValue(input, 'sk') === 'CASE');
      try {
        await report(deps, bob, sent);
      } finally {
        faults.remove();
      }
      expect(faults.counts.answersLost).toBe(1);
      const c = (await caseOf(deps, sent)) as CaseRecord;
      expect(c.reporterCount).toBe(2);
      expect(c.version).toBe(2);
    });

    it('finishes, on the repeat, a report whose first request died after storing it (no case yet): counted once', async () => {
      const deps = reportDepsOn(backends);
      const alice = member('alice');
      const sent = await aSentMessage(chime, { members: [alice] });
      const caseId = caseIdOf(sent.channelArn, sent.messageId);
      // What a request that died right after the report's put leaves behind.
      await deps.cases.createReport({ ...reportKey(caseId, alice), kind: 'REPORT', reportId: 'r'.repeat(32), caseId, channelArn: sent.channelArn, messageId: sent.messageId, reporterArn: alice, category: 'scam', at: new Date().toISOString(), by: { subject: 'alice', onBehalf: false }, accuracy: 0.5 });
      const repeat = await report(deps, alice, sent);
      expect(repeat).toMatchObject({ repeated: true, report: { category: 'scam' } });
      expect(await caseOf(deps, sent)).toMatchObject({ reporterCount: 1, categories: { scam: 1 } });
      await report(deps, alice, sent);
      expect((await caseOf(deps, sent))!.reporterCount).toBe(1);
    });
  });

  it('refreshes the case’s copy of the message when a later report finds it edited', async () => {
    const deps = reportDepsOn(backends);
    const [alice, bob] = [member('alice'), member('bob')];
    const sent = await aSentMessage(chime, { members: [alice, bob] });
    await report(deps, alice, sent);
    await chime.send(new UpdateChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender, Content: 'buy scamcoin now, guaranteed 100x' }));
    await report(deps, bob, sent);
    const c = (await caseOf(deps, sent))!;
    expect(c.message.content).toBe('buy scamcoin now, guaranteed 100x');
    expect(c.messageChangedAt).toBeDefined();
  });

  it('lets a member join a channel and report what was sent before they joined', async () => {
    const deps = reportDepsOn(backends);
    const late = member('late');
    const sent = await aSentMessage(chime);
    await expect(report(deps, late, sent)).rejects.toBeInstanceOf(PeopleNotFoundError);
    await join(chime, sent.channelArn, late);
    expect((await report(deps, late, sent)).case.status).toBe('OPEN');
  });
});
