import { describe, expect, it } from 'vitest';
import { accuracyLevel, accuracyText, caseConsequence, caseFiltersFrom, caseSearchFrom, casesQueryFrom, categoriesText, filtersActive, NO_CASE_FILTERS, priorityText, reportersText } from '../../../console/src/lib/cases.js';
import { navTarget, PAGES, titleOf } from '../../../console/src/lib/navigation.js';
import { loadPages } from '../../../console/src/lib/pages.js';
import {
  appealConsequence,
  appealedWho,
  durationWords,
  effectLines,
  madeTheDecision,
  ownRequest,
  restrictionCause,
  restrictionWhat,
  restrictionWhen,
  strikeSource,
  strikeStanding,
  type RestrictionLike,
  type StrikeLike,
} from '../../../console/src/lib/people.js';
import { explainProblem } from '../../../console/src/lib/problems.js';
import { outcomeUnknown, RetryKeys } from '../../../console/src/lib/retry-key.js';
import { slaText } from '../../../console/src/lib/sla.js';
import { parseRoute, senderUrl } from '../../../console/src/router.js';

const clock = { nowMs: Date.parse('2026-01-31T12:00:00Z'), timeZone: 'UTC' };
const base = 'https://chime-flow-moderation.dev/problems/';
const CHANNEL = 'arn:aws:chime:us-east-1:123456789012:app-instance/ai/channel/general';
const MEMBER = 'arn:aws:chime:us-east-1:123456789012:app-instance/ai/user/mallory';

describe('the Reports queue: filters in the URL, and a case’s figures in words', () => {
  it('round-trips the filters through the URL, leaving the defaults out', () => {
    expect(caseFiltersFrom('')).toEqual(NO_CASE_FILTERS);
    const f = { status: 'DISMISSED' as const, category: 'self-harm' as const, channel: CHANNEL, sender: MEMBER, order: 'priority' as const };
    expect(caseFiltersFrom(caseSearchFrom(f))).toEqual(f);
    expect(caseSearchFrom(NO_CASE_FILTERS)).toBe('');
    expect(caseSearchFrom({ ...NO_CASE_FILTERS, order: 'priority' })).toBe('?order=priority');
    // Unknown values fall back to the defaults, never to whatever the URL says.
    expect(caseFiltersFrom('?status=BOGUS&category=phishing&order=random')).toEqual(NO_CASE_FILTERS);
    expect(filtersActive(NO_CASE_FILTERS)).toBe(false);
    expect(filtersActive({ ...NO_CASE_FILTERS, order: 'priority' })).toBe(false); // the order is not a filter
    expect(filtersActive({ ...NO_CASE_FILTERS, category: 'spam' })).toBe(true);
  });

  it('builds GET /cases’s query from the filters, with the cursor of the next page', () => {
    expect(casesQueryFrom(NO_CASE_FILTERS, 25)).toEqual({ status: 'OPEN', order: 'deadline', limit: 25 });
    expect(casesQueryFrom({ ...NO_CASE_FILTERS, channel: CHANNEL, sender: MEMBER, category: 'hate' }, 25, 'c1')).toEqual({
      status: 'OPEN',
      order: 'deadline',
      limit: 25,
      category: 'hate',
      channelArn: CHANNEL,
      senderArn: MEMBER,
      cursor: 'c1',
    });
  });

  it('says the categories with their counts, the reporters, the priority and each reporter’s accuracy', () => {
    expect(categoriesText([{ label: 'Hate', count: 1 }, { label: 'Harassment', count: 2 }])).toBe('Hate · Harassment ×2');
    expect(reportersText(1)).toBe('1 reporter');
    expect(reportersText(500, true)).toBe('500+ reporters');
    expect(priorityText(7.6543)).toBe('7.7');
    expect(accuracyText({ accuracy: 0.5, upheld: 0, dismissed: 0 })).toBe('50% accurate (no decided reports yet)');
    expect(accuracyText({ accuracy: 2 / 3, upheld: 1, dismissed: 0 })).toBe('67% accurate (1 upheld, 0 dismissed)');
    expect([accuracyLevel(0.9), accuracyLevel(0.5), accuracyLevel(0.2)]).toEqual(['high', 'mid', 'low']);
    expect(caseConsequence('DELETE', 'mallory')).toMatch(/cannot be undone\. mallory gets a strike/);
    expect(caseConsequence('DISMISS', 'mallory')).toMatch(/mallory gets no strike/);
  });

  it('counts down to the SLA, and says by how much a case is overdue', () => {
    const due = '2026-01-31T12:14:00Z';
    expect(slaText(14 * 60_000, due, clock)).toEqual({ urgency: 'critical', headline: 'SLA 12:14', remaining: 'in 14m 00s', sentence: 'The SLA target is 12:14, in 14m 00s.' });
    expect(slaText(3 * 3_600_000, '2026-01-31T15:00:00Z', clock).urgency).toBe('ok');
    const late = slaText(-125_000, '2026-01-31T11:57:55Z', clock);
    expect(late).toMatchObject({ urgency: 'overdue', headline: 'SLA overdue', remaining: 'by 2m 05s' });
    expect(late.sentence).toBe('The SLA target passed at 11:57:55: this case is 2m 05s overdue.');
  });
});

describe('senders, restrictions, strikes and appeals in words', () => {
  const restriction = (patch: Partial<RestrictionLike> = {}): RestrictionLike => ({
    action: 'BAN',
    scope: 'channel',
    status: 'ACTIVE',
    forSeconds: 86_400,
    endsAt: '2026-01-31T14:30:00Z',
    channelArn: CHANNEL,
    requestedBy: { id: 'sub-ada', name: 'ada' },
    cause: { kind: 'moderator', caseId: 'c1' },
    ...patch,
  });

  it('says what a restriction is, where, until when, and why', () => {
    expect(restrictionWhat(restriction())).toBe('Ban in #general');
    expect(restrictionWhat(restriction({ action: 'HOLD', scope: 'app-instance' }))).toBe('Hold for review in every channel of the AppInstance');
    expect(restrictionWhen(restriction(), clock)).toBe('until 14:30 (in 2h 30m)');
    expect(restrictionWhen(restriction({ endsAt: undefined }), clock)).toBe('until lifted');
    expect(restrictionWhen(restriction({ status: 'PENDING_APPROVAL', forSeconds: 7 * 86_400 }), clock)).toBe('for 7d once approved');
    expect(restrictionWhen(restriction({ status: 'LIFTED', lifted: { by: { id: 's', name: 'root' }, at: '2026-01-31T11:00:00Z', reason: 'appeal upheld' } }), clock)).toBe('lifted by root at 11:00: appeal upheld');
    expect(restrictionCause(restriction())).toBe('ada on a report case');
    expect(
      restrictionCause(
        restriction({
          requestedBy: { id: 'escalation' },
          cause: { kind: 'escalation', step: 1, strikeIds: ['a', 'b', 'c'], ruleIds: ['terms.block'] },
          step: { strikes: 3, withinSeconds: 86_400, action: 'HOLD', forSeconds: 3600, scope: 'channel' },
        }),
      ),
    ).toBe('Automatic: escalation step 2, 3 strikes within 1d → HOLD, reached by 3 strikes (rules terms.block)');
    expect([durationWords(90), durationWords(900), durationWords(7200), durationWords(604_800)]).toEqual(['90s', '15m', '2h', '7d']);
  });

  it('knows whose request an approval is (the two-person rule); an automatic step is anyone’s to decide', () => {
    expect(ownRequest(restriction(), 'sub-ada')).toBe(true);
    expect(ownRequest(restriction(), 'sub-bob')).toBe(false);
    expect(ownRequest(restriction({ requestedBy: { id: 'escalation' }, cause: { kind: 'escalation', step: 0 } }), 'escalation')).toBe(false);
  });

  it('says where a strike came from, and whether it still counts', () => {
    const strike = (patch: Partial<StrikeLike> = {}): StrikeLike => ({ source: { kind: 'rule', ruleIds: ['terms.block'] }, actor: { id: 'policy' }, at: '2026-01-30T12:00:00Z', decaysAt: '2026-03-01T12:00:00Z', standing: 'counts', ...patch });
    expect(strikeSource(strike())).toBe('Automatic DENY by terms.block');
    expect(strikeSource(strike({ source: { kind: 'moderator' }, actor: { id: 's', name: 'ada' } }))).toBe('DENY by ada');
    expect(strikeSource(strike({ source: { kind: 'report', caseId: 'c' }, actor: { id: 's', name: 'bo' } }))).toBe('Upheld report, decided by bo');
    expect(strikeStanding(strike(), clock)).toBe('Counts until 2026-03-01 12:00');
    expect(strikeStanding(strike({ standing: 'decayed', decaysAt: '2026-01-31T11:00:00Z' }), clock)).toBe('No longer counts: decayed at 11:00');
    expect(strikeStanding(strike({ standing: 'removed', removed: { at: '2026-01-31T11:00:00Z', by: { id: 's', name: 'bob' }, appealId: 'a' } }), clock)).toBe(
      'No longer counts: removed when bob overturned its decision on appeal (11:00)',
    );
  });

  it('says the decision appealed, who may not decide the appeal, what an outcome does, and what it did', () => {
    const appealed = { action: 'DENY', origin: 'MODERATOR' as const, decidedBy: { id: 'sub-ada', name: 'ada' }, ruleIds: ['terms.review'] };
    expect(appealedWho(appealed)).toBe('DENY by ada');
    expect(appealedWho({ ...appealed, origin: 'AUTO', decidedBy: { id: 'policy' }, ruleIds: ['terms.block'] })).toBe('DENY by the automatic policy (terms.block)');
    expect(madeTheDecision(appealed, 'sub-ada')).toBe(true);
    expect(madeTheDecision(appealed, 'sub-bob')).toBe(false);
    expect(madeTheDecision({ ...appealed, origin: 'AUTO', decidedBy: { id: 'sub-ada' } }, 'sub-ada')).toBe(false); // an automatic decision: anyone
    expect(appealConsequence('OVERTURN', appealed)).toMatch(/the same content from the same sender in that channel goes through/);
    expect(appealConsequence('OVERTURN', { action: 'DELETE', origin: 'CASE' })).toMatch(/any ban it caused is lifted/);
    expect(effectLines({ allowance: { status: 'DONE' }, strike: { status: 'FAILED', detail: 'timeout' }, notice: { status: 'NONE' } })).toEqual([
      'Resend allowed: done',
      'Strike removed: not done yet (tried again) (timeout)',
      'Member told: nothing to do',
    ]);
    expect(effectLines(null)).toEqual([]);
  });
});

describe('the people rooms’ refusals in plain words', () => {
  it('a 403 four-eyes on an appeal: you made the original decision', () => {
    expect(explainProblem({ type: `${base}four-eyes`, status: 403, kind: 'appeal', id: 'a1', subject: 's' }, clock)).toEqual({
      kind: 'four-eyes',
      title: 'Another moderator must decide',
      message: 'You made the original decision: another moderator must decide this appeal.',
    });
    expect(explainProblem({ type: `${base}four-eyes`, status: 403, kind: 'approval' }, clock).message).toBe('You asked for this ban: the two-person rule needs another moderator to approve or reject it.');
  });

  it('a 409 on a case says who decided what and where the case stands; a claim names the case; a version conflict says the case changed', () => {
    expect(
      explainProblem({ type: `${base}already-decided`, status: 409, caseId: 'c', caseStatus: 'ACTIONED', decidedBy: { id: 's', name: 'bob' }, action: 'DELETE', decidedAt: '2026-01-31T11:58:03Z', reason: 'threat' }, clock).message,
    ).toBe('bob already decided DELETE at 11:58:03 (2026-01-31 11:58:03). Reason: “threat”. The case is now ACTIONED. Your decision was not applied; nothing changed.');
    expect(explainProblem({ type: `${base}already-decided`, appealId: 'a', decidedBy: { id: 's', name: 'carol' }, outcome: 'UPHOLD', decidedAt: '2026-01-31T11:00:00Z' }, clock).message).toMatch(/^carol already decided UPHOLD at /);
    expect(explainProblem({ type: `${base}claim-conflict`, caseId: 'c', claimedBy: { subject: 's', username: 'alice' }, until: '2026-01-31T12:05:00Z' }, clock).message).toMatch(/^alice is working on this case until 12:05:00/);
    expect(explainProblem({ type: `${base}version-conflict`, caseId: 'c', expectedVersion: 3, currentVersion: 4 }, clock)).toMatchObject({ title: 'The case changed' });
    expect(explainProblem({ type: `${base}version-conflict` }, clock)).toMatchObject({ title: 'The message changed' }); // a held message, as before
  });

  it('a 400 lists each refused field; a 409 approval-conflict and a lost case keep the API’s words', () => {
    expect(explainProblem({ type: `${base}invalid-request`, status: 400, detail: 'The body is invalid.', errors: [{ path: 'body.for', message: 'must be a duration such as 90s, 15m, 24h or 7d' }] }, clock).message).toBe(
      'The body is invalid. (for: must be a duration such as 90s, 15m, 24h or 7d) Nothing was changed.',
    );
    expect(explainProblem({ type: `${base}approval-conflict`, status: 409, detail: 'carol already rejected this ban at x: it is REJECTED. Nothing was changed.' }, clock)).toMatchObject({ kind: 'approval-conflict', title: 'Decided by someone else' });
    expect(explainProblem({ type: `${base}not-found`, status: 404, kind: 'case', id: 'c', detail: 'No case c that you can see.' }, clock)).toEqual({ kind: 'not-found', title: 'No such case', message: 'No case c that you can see.' });
  });
});

describe('retry keys, paging and navigation', () => {
  it('sends the same Idempotency-Key again only for the same request whose outcome is unknown', () => {
    let n = 0;
    const keys = new RetryKeys(() => `k${++n}`);
    expect(keys.keyFor({ action: 'DELETE', reason: 'x' })).toBe('k1');
    expect(keys.keyFor({ action: 'DELETE', reason: 'x' })).toBe('k1'); // a retry after no answer
    expect(keys.keyFor({ action: 'DELETE', reason: 'y' })).toBe('k2'); // changed: a new request
    keys.settled();
    expect(keys.keyFor({ action: 'DELETE', reason: 'y' })).toBe('k3'); // answered: the next one is new
    expect([outcomeUnknown(0), outcomeUnknown(503), outcomeUnknown(409), outcomeUnknown(400)]).toEqual([true, true, false, false]);
  });

  it('re-reads every page shown, following the cursors, once per row', async () => {
    const pages: Record<string, { items: Array<{ id: string }>; next?: string }> = {
      start: { items: [{ id: 'a' }, { id: 'b' }], next: 'p2' },
      p2: { items: [{ id: 'b' }, { id: 'c' }], next: 'p3' },
      p3: { items: [{ id: 'd' }] },
    };
    const asked: Array<string | undefined> = [];
    const fetchPage = async (cursor: string | undefined) => {
      asked.push(cursor);
      return pages[cursor ?? 'start']!;
    };
    expect(await loadPages(fetchPage, 2, (x) => x.id)).toEqual({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], next: 'p3' });
    expect(asked).toEqual([undefined, 'p2']);
    expect(await loadPages(fetchPage, 5, (x) => x.id)).toEqual({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], next: undefined });
  });

  it('routes the new pages, and names each page and its key', () => {
    expect(parseRoute('/console/reports')).toEqual({ name: 'reports' });
    expect(parseRoute('/console/reports/AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toEqual({ name: 'reports', openId: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345' });
    expect(parseRoute('/console/appeals/AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toEqual({ name: 'appeals', openId: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345' });
    expect(parseRoute('/console/approvals')).toEqual({ name: 'approvals' });
    expect(parseRoute(senderUrl(MEMBER, CHANNEL).split('?')[0]!)).toEqual({ name: 'sender', memberArn: MEMBER });
    expect(senderUrl(MEMBER, CHANNEL)).toBe(`/console/senders/${encodeURIComponent(MEMBER)}?channel=${encodeURIComponent(CHANNEL)}`);
    expect(parseRoute('/console/senders/%E0%A4%A')).toEqual({ name: 'unknown' });
    expect(parseRoute('/console/reports/not/a/case')).toEqual({ name: 'unknown' });
    expect(new Set(PAGES.map((p) => p.key)).size).toBe(PAGES.length); // one key per page
    expect(navTarget('r')).toBe('/reports');
    expect(navTarget('h')).toBe('');
    expect(navTarget('z')).toBeUndefined();
    expect(titleOf('reports')).toBe('Reports · Moderation console');
    expect(titleOf('sender')).toBe('Sender record · Moderation console');
  });
});
