/**
 * Reports of sent messages and the moderators' cases, end to end through the local stack (the
 * same Lambda handler behind the local HTTP API and JWT authorizer, the Chime emulator, dynalite):
 * members report with member tokens, moderators decide with theirs, and what happened is read
 * back from Chime with the stock client.
 */
import { randomUUID } from 'node:crypto';
import { CreateChannelMembershipCommand, GetChannelMessageCommand, ListChannelBansCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { caseIdOf } from '../../src/reports/model.js';
import { APP_INSTANCE, channelArn, userArn } from '../support/factories.js';
import { api, memberTokenFor, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForStatus, type SentMessage } from '../support/stack.js';

const BEARER = `${APP_INSTANCE}/bot/review-api`;
type Entry = Record<string, any>;

describe('reports and cases (local stack)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let anna: string;
  let ben: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack, { maxAttempts: 1 });
    anna = await tokenFor(stack, 'anna');
    ben = await tokenFor(stack, 'ben');
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const someone = (name: string) => userArn(`${name}-${randomUUID().slice(0, 8)}`);
  const join = (channel: string, member: string) => chime.send(new CreateChannelMembershipCommand({ ChannelArn: channel, MemberArn: member, Type: 'DEFAULT', ChimeBearer: member }));
  /** A message that went through the channel flow and was SENT, and members who can see it. */
  async function sentMessage(members: string[], options: { channel?: string; content?: string } = {}): Promise<SentMessage> {
    const sent = await sendMessage(chime, options.content ?? 'meet me after class, you know what happens then', { channel: options.channel ?? channelArn(), sender: someone('mallory') });
    await waitForStatus(chime, sent, 'SENT');
    for (const m of members) await join(sent.channelArn, m);
    return sent;
  }
  const reportAs = async (member: string, body: Record<string, unknown>) => api(stack, 'POST', '/reports', { token: await memberTokenFor(stack, member), json: body });
  const caseIdOfSent = (sent: SentMessage) => caseIdOf(sent.channelArn, sent.messageId);
  const caseOf = async (sent: SentMessage) => api(stack, 'GET', `/cases/${caseIdOfSent(sent)}`, { token: anna });

  it('gathers two members’ reports of a SENT message into one case with count 2; a repeat is idempotent', async () => {
    const [alice, bob] = [someone('alice'), someone('bob')];
    const sent = await sentMessage([alice, bob]);
    const first = await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'harassment', note: 'it is a threat' });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ repeated: false, report: { category: 'harassment', categoryLabel: 'Harassment', note: 'it is a threat' }, case: { caseId: caseIdOfSent(sent), status: 'OPEN' } });
    // The reporter's view never names another reporter, nor how many there are.
    expect(JSON.stringify(first.body)).not.toContain('reporterCount');
    const second = await reportAs(bob, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'violence' });
    expect(second.status, second.text).toBe(200);
    const repeat = await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ ...first.body, repeated: true });

    const c = await caseOf(sent);
    expect(c.status, c.text).toBe(200);
    expect(c.body).toMatchObject({
      status: 'OPEN',
      reporterCount: 2,
      sender: { arn: sent.sender },
      message: { content: 'meet me after class, you know what happens then' },
      severity: 4,
      claim: null,
      decision: null,
    });
    expect(c.body.categories.map((x: Entry) => x.category)).toEqual(['violence', 'harassment']);
    expect(c.body.reports.map((r: Entry) => r.reporterArn).sort()).toEqual([alice, bob].sort());
    expect(c.body.reports.find((r: Entry) => r.reporterArn === alice)).toMatchObject({ note: 'it is a threat', reporter: { accuracy: 0.5, upheld: 0, dismissed: 0 } });
    // Violence's SLA (1 h) from the first report; the countdown runs.
    expect(Date.parse(c.body.dueAt) - Date.parse(c.body.firstReportAt)).toBe(3_600_000);
    expect(c.body.secondsToDue).toBeGreaterThan(3000);

    const mine = await api(stack, 'GET', '/reports/mine', { token: await memberTokenFor(stack, alice) });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items).toEqual([{ report: first.body.report, case: { caseId: caseIdOfSent(sent), status: 'OPEN' } }]);
  });

  it('refuses a forged `content` (400, the field named) and stores nothing; the case holds what Chime holds', async () => {
    const alice = someone('alice');
    const sent = await sentMessage([alice]);
    const forged = await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam', content: 'something the sender never wrote' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(forged.body.errors).toEqual([{ path: 'body', message: 'unknown field(s): content' }]);
    expect((await caseOf(sent)).status).toBe(404);
    const honest = await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
    expect(honest.status).toBe(200);
    expect((await caseOf(sent)).body.message.content).toBe('meet me after class, you know what happens then');
  });

  it('answers 404 to a member who is not in the channel, exactly as for a message that does not exist', async () => {
    const [alice, outsider] = [someone('alice'), someone('outsider')];
    const sent = await sentMessage([alice]);
    const refused = await reportAs(outsider, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
    const missing = await reportAs(alice, { channelArn: sent.channelArn, messageId: 'no-such-message', category: 'spam' });
    expect(refused.status).toBe(404);
    expect(refused.body.type).toMatch(/\/not-found$/);
    expect(refused.body.detail).toBe(missing.body.detail.replace('no-such-message', sent.messageId));
    expect((await caseOf(sent)).status).toBe(404);
  });

  it('DELETE from the case: the message reads back gone in Chime, the action is audited, and the reporters’ accuracy moves', async () => {
    const [alice, bob] = [someone('alice'), someone('bob')];
    const sent = await sentMessage([alice, bob]);
    for (const m of [alice, bob]) expect((await reportAs(m, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'violence' })).status).toBe(200);
    const caseId = caseIdOfSent(sent);

    const claimed = await api(stack, 'POST', `/cases/${caseId}/claim`, { token: anna, json: { leaseSeconds: 120 } });
    expect(claimed.status, claimed.text).toBe(200);
    expect(claimed.body.claim).toMatchObject({ username: 'anna', active: true });
    const blocked = await api(stack, 'POST', `/cases/${caseId}/decision`, { token: ben, json: { action: 'DISMISS', reason: 'looks fine' } });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ type: expect.stringMatching(/\/claim-conflict$/), claimedBy: { username: 'anna' } });

    const decided = await api(stack, 'POST', `/cases/${caseId}/decision`, { token: anna, json: { action: 'DELETE', reason: 'a threat of violence', publicReason: 'it threatened a member', expectedVersion: claimed.body.version }, headers: { 'idempotency-key': `del-${caseId}` } });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body).toMatchObject({ status: 'ACTIONED', claim: null, settled: true, decision: { action: 'DELETE', decidedBy: { name: 'anna' }, chime: { outcome: 'DONE' } } });
    await expect(chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: BEARER }))).rejects.toBeInstanceOf(NotFoundException);
    for (const r of decided.body.reports) expect(r.reporter).toEqual({ accuracy: 0.667, upheld: 1, dismissed: 0 });

    // The same request again: the first answer, nothing twice.
    const replay = await api(stack, 'POST', `/cases/${caseId}/decision`, { token: anna, json: { action: 'DELETE', reason: 'a threat of violence', publicReason: 'it threatened a member', expectedVersion: claimed.body.version }, headers: { 'idempotency-key': `del-${caseId}` } });
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body.decision).toEqual(decided.body.decision);
    expect(replay.body.reports.map((r: Entry) => r.reporter.upheld)).toEqual([1, 1]);

    // The audit log shows the deletion with its case.
    const audit = await api(stack, 'GET', `/decisions?${new URLSearchParams({ channelArn: sent.channelArn, origin: 'MODERATOR', limit: '100' })}`, { token: anna });
    expect(audit.body.items).toEqual([expect.objectContaining({ kind: 'ACTION', action: 'DELETE_MESSAGE', status: 'DONE', decidedBy: { id: expect.any(String), name: 'anna' }, target: expect.objectContaining({ caseId, messageId: sent.messageId }) })]);

    // The reporters' track record reaches their next case.
    const next = await sentMessage([alice]);
    await reportAs(alice, { channelArn: next.channelArn, messageId: next.messageId, category: 'spam' });
    expect((await caseOf(next)).body.reports[0]).toMatchObject({ accuracyAtReport: 2 / 3 });
    const mine = await api(stack, 'GET', '/reports/mine', { token: await memberTokenFor(stack, alice) });
    expect(mine.body.items.map((i: Entry) => i.case.status)).toEqual(['OPEN', 'ACTIONED']);
  });

  it('lets exactly one of two moderators deciding a case at once win; the other gets 409 saying who decided what', async () => {
    const alice = someone('alice');
    const sent = await sentMessage([alice]);
    await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
    const caseId = caseIdOfSent(sent);
    const [a, b] = await Promise.all([
      api(stack, 'POST', `/cases/${caseId}/decision`, { token: anna, json: { action: 'REDACT', reason: 'spam' } }),
      api(stack, 'POST', `/cases/${caseId}/decision`, { token: ben, json: { action: 'DISMISS', reason: 'not spam' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(lost.body).toMatchObject({ type: expect.stringMatching(/\/already-decided$/), decidedBy: won.body.decision.decidedBy, action: won.body.decision.action, decidedAt: won.body.decision.decidedAt });
    expect(lost.body.detail).toContain(won.body.decision.decidedBy.name);
  });

  it('acts on a case’s sender: a timed ban through the senders room (in Chime at once), and a warning notice; both in the case’s history', async () => {
    const alice = someone('alice');
    const sent = await sentMessage([alice]);
    await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'harassment' });
    const caseId = caseIdOfSent(sent);
    const ban = await api(stack, 'POST', `/cases/${caseId}/actions`, { token: anna, json: { type: 'BAN_SENDER', reason: 'harassing members', for: '1h' }, headers: { 'idempotency-key': `ban-${caseId}` } });
    expect(ban.status, ban.text).toBe(200);
    expect(ban.body.restriction).toMatchObject({ status: 'ACTIVE', restrictionId: expect.any(String) });
    const bans = await chime.send(new ListChannelBansCommand({ ChannelArn: sent.channelArn, ChimeBearer: BEARER }));
    expect((bans.ChannelBans ?? []).map((b) => b.Member?.Arn)).toEqual([sent.sender]);
    const again = await api(stack, 'POST', `/cases/${caseId}/actions`, { token: anna, json: { type: 'BAN_SENDER', reason: 'harassing members', for: '1h' }, headers: { 'idempotency-key': `ban-${caseId}` } });
    expect(again.body.restriction).toEqual(ban.body.restriction);

    const warn = await api(stack, 'POST', `/cases/${caseId}/actions`, { token: anna, json: { type: 'NOTIFY_SENDER', reason: 'Please keep to the channel rules.' } });
    expect(warn.status, warn.text).toBe(200);
    expect(warn.body.action).toMatchObject({ kind: 'ACTION', action: 'NOTIFY_SENDER', status: 'DONE', target: { caseId } });
    expect(warn.body.case.history.filter((h: Entry) => h.event === 'action').map((h: Entry) => h.reason)).toEqual([
      expect.stringMatching(/^BAN_SENDER ACTIVE/),
      expect.stringMatching(/^NOTIFY_SENDER DONE/),
    ]);
  });

  it('limits a member’s reports per hour: 429 with Retry-After, before anything is stored', async () => {
    const reporter = someone('eager');
    const channel = channelArn();
    const sent: SentMessage[] = [];
    for (let i = 0; i < 11; i += 1) sent.push(await sentMessage(i === 0 ? [reporter] : [], { channel, content: `message number ${i}` }));
    for (const s of sent.slice(0, 10)) expect((await reportAs(reporter, { channelArn: s.channelArn, messageId: s.messageId, category: 'spam' })).status).toBe(200);
    const limited = await reportAs(reporter, { channelArn: sent[10]!.channelArn, messageId: sent[10]!.messageId, category: 'spam' });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ type: expect.stringMatching(/\/rate-limited$/), limit: { max: 10, withinSeconds: 3600 } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect((await caseOf(sent[10]!)).status).toBe(404);
    // A repeat of a report made is never limited.
    expect((await reportAs(reporter, { channelArn: sent[0]!.channelArn, messageId: sent[0]!.messageId, category: 'spam' })).status).toBe(200);
  });

  describe('bad input: 400 problem+json naming each field, nothing stored', () => {
    it('refuses every bad field of a report', async () => {
      const alice = someone('alice');
      const sent = await sentMessage([alice]);
      const good = { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...good, channelArn: 'arn:aws:s3:::bucket' }, 'body.channelArn'],
        [{ ...good, channelArn: 42 }, 'body.channelArn'],
        [{ ...good, messageId: '../etc' }, 'body.messageId'],
        [{ ...good, messageId: 'x'.repeat(129) }, 'body.messageId'],
        [{ ...good, category: 'rude' }, 'body.category'],
        [{ ...good, note: 'x'.repeat(1001) }, 'body.note'],
        [{ ...good, note: '   ' }, 'body.note'],
        [{ ...good, memberArn: 'nobody' }, 'body.memberArn'],
        [{ channelArn: good.channelArn, messageId: good.messageId }, 'body.category'],
        [{ ...good, reporter: 'x' }, 'body'],
      ];
      for (const [json, path] of cases) {
        const response = await reportAs(alice, json);
        expect(response.status, JSON.stringify(json)).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(response.body.errors.map((e: Entry) => e.path), JSON.stringify(json)).toContain(path);
      }
      const notJson = await api(stack, 'POST', '/reports', { token: await memberTokenFor(stack, alice), raw: '{"channelArn":', headers: { 'content-type': 'application/json' } });
      expect(notJson.status).toBe(400);
      // Naming another member is not a service's right.
      const other = await reportAs(alice, { ...good, memberArn: someone('bob') });
      expect(other.status).toBe(403);
      expect(other.body.type).toMatch(/\/not-your-member$/);
      expect((await caseOf(sent)).status).toBe(404);
    });

    it('refuses every bad field of the moderators’ case routes', async () => {
      const alice = someone('alice');
      const sent = await sentMessage([alice]);
      await reportAs(alice, { channelArn: sent.channelArn, messageId: sent.messageId, category: 'spam' });
      const caseId = caseIdOfSent(sent);
      const version = (await caseOf(sent)).body.version;
      const requests: Array<[string, string, unknown, string]> = [
        ['GET', '/cases?status=open', undefined, 'query.status'],
        ['GET', '/cases?order=newest', undefined, 'query.order'],
        ['GET', '/cases?limit=0', undefined, 'query.limit'],
        ['GET', '/cases?category=rude', undefined, 'query.category'],
        ['GET', '/cases?senderArn=bob', undefined, 'query.senderArn'],
        ['GET', '/cases?nope=1', undefined, 'query'],
        ['GET', `/cases/${'x'.repeat(31)}`, undefined, 'path.caseId'],
        ['POST', `/cases/${caseId}/claim`, { leaseSeconds: 0 }, 'body.leaseSeconds'],
        ['POST', `/cases/${caseId}/decision`, { action: 'BAN', reason: 'x' }, 'body.action'],
        ['POST', `/cases/${caseId}/decision`, { action: 'DISMISS', reason: '' }, 'body.reason'],
        ['POST', `/cases/${caseId}/decision`, { action: 'DISMISS', reason: 'x'.repeat(501) }, 'body.reason'],
        ['POST', `/cases/${caseId}/decision`, { action: 'DISMISS', reason: 'x', expectedVersion: 'one' }, 'body.expectedVersion'],
        ['POST', `/cases/${caseId}/decision`, { action: 'DISMISS', reason: 'x', publicReason: 'x'.repeat(501) }, 'body.publicReason'],
        ['POST', `/cases/${caseId}/actions`, { type: 'KICK', reason: 'x' }, 'body.type'],
        ['POST', `/cases/${caseId}/actions`, { type: 'BAN_SENDER', reason: 'x', for: 'forever' }, 'body.for'],
        ['POST', `/cases/${caseId}/actions`, { type: 'NOTIFY_SENDER', reason: 'x', scope: 'channel' }, 'body.scope'],
        ['POST', `/cases/${caseId}/actions`, { type: 'BAN_SENDER', reason: 'x', scope: 'galaxy' }, 'body.scope'],
      ];
      for (const [method, path, json, field] of requests) {
        const response = await api(stack, method, path, { token: anna, ...(json !== undefined ? { json } : {}) });
        expect(response.status, `${method} ${path} ${JSON.stringify(json)}`).toBe(400);
        expect(response.body.errors.map((e: Entry) => e.path).join(' '), `${method} ${path}`).toContain(field);
      }
      const after = await caseOf(sent);
      expect(after.body).toMatchObject({ version, decision: null, claim: null });
      const cursor = await api(stack, 'GET', '/cases?cursor=abc.def', { token: anna });
      expect(cursor.status).toBe(400);
      expect(cursor.body.type).toMatch(/\/invalid-cursor$/);
    });

    it('keeps members out of the moderators’ routes, and needs a token for the members’ ones', async () => {
      const alice = someone('alice');
      expect((await api(stack, 'GET', '/cases', { token: await memberTokenFor(stack, alice) })).status).toBe(403);
      expect((await api(stack, 'POST', '/reports', { json: { channelArn: channelArn(), messageId: 'm', category: 'spam' } })).status).toBe(401);
    });
  });

  it('lists open cases by due time and by priority, with signed cursors', async () => {
    const channel = channelArn();
    const reporters = [someone('r1'), someone('r2'), someone('r3')];
    const spam = await sentMessage(reporters, { channel, content: 'first' });
    const harm = await sentMessage([], { channel, content: 'second' });
    for (const r of reporters) await reportAs(r, { channelArn: channel, messageId: spam.messageId, category: 'spam' });
    await reportAs(reporters[0]!, { channelArn: channel, messageId: harm.messageId, category: 'self-harm' });
    const page1 = await api(stack, 'GET', `/cases?${new URLSearchParams({ channelArn: channel, order: 'priority', limit: '1' })}`, { token: anna });
    expect(page1.status, page1.text).toBe(200);
    expect(page1.body.items.map((c: Entry) => c.caseId)).toEqual([caseIdOfSent(harm)]);
    const page2 = await api(stack, 'GET', `/cases?${new URLSearchParams({ channelArn: channel, order: 'priority', limit: '1', cursor: page1.body.next })}`, { token: anna });
    expect(page2.body.items.map((c: Entry) => c.caseId)).toEqual([caseIdOfSent(spam)]);
    expect(page2.body.items[0]).toMatchObject({ reporterCount: 3, categories: [{ category: 'spam', count: 3 }] });
    // The cursor is bound to its filters.
    const other = await api(stack, 'GET', `/cases?${new URLSearchParams({ channelArn: channel, order: 'deadline', limit: '1', cursor: page1.body.next })}`, { token: anna });
    expect(other.status).toBe(400);
  });
});
