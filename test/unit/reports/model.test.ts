import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../../src/policy/community.js';
import { PeopleConflictError } from '../../../src/errors.js';
import {
  autoHideDue,
  caseIdOf,
  caseIdOfSort,
  caseObstacle,
  deadlineSort,
  MAX_CASE_HISTORY,
  TALLIED_KEPT,
  evictedTallies,
  MAX_LISTED_REPORTERS,
  newReporter,
  openCase,
  prioritySort,
  rateLimitFor,
  withAutoHide,
  withClaim,
  withDecision,
  withHistory,
  withOutcome,
  withReport,
  withReportMade,
  type CaseRecord,
  type ReporterRecord,
} from '../../../src/reports/model.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const CHANNEL = `${APP}/channel/general`;
const user = (name: string) => `${APP}/user/${name}`;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const policy = DEFAULT_COMMUNITY_POLICY;

function aCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  const opened = openCase({
    caseId: caseIdOf(CHANNEL, 'm-1'),
    appInstanceArn: APP,
    channelArn: CHANNEL,
    messageId: 'm-1',
    sender: { arn: user('mallory'), name: 'mallory' },
    message: { content: 'buy scamcoin now', createdTimestamp: at(-60) },
    report: { reporterArn: user('alice'), category: 'spam', at: at(0), accuracy: 0.5 },
    policy,
  });
  return { ...opened, version: 1, ...overrides };
}

const report = (name: string, seconds: number, category: 'spam' | 'hate' | 'self-harm' = 'spam', accuracy = 0.5) => ({ reporterArn: user(name), category, at: at(seconds), accuracy });

describe('a case', () => {
  it('has one id per message, whatever reports it', () => {
    expect(caseIdOf(CHANNEL, 'm-1')).toBe(caseIdOf(CHANNEL, 'm-1'));
    expect(caseIdOf(CHANNEL, 'm-1')).not.toBe(caseIdOf(CHANNEL, 'm-2'));
    expect(caseIdOf(CHANNEL, 'm-1')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('opens with its first report: count 1, its category, the SLA from it, OPEN in the deadline queue', () => {
    const c = aCase();
    expect(c).toMatchObject({ status: 'OPEN', reporterCount: 1, categories: { spam: 1 }, weight: 0.5, maxSeverity: 1, dueAt: at(24 * 3600), urgent: false });
    expect(c.queueKey).toMatch(/^CASES#OPEN#[0-3]$/);
    expect(c.queueSort).toBe(`1#${at(24 * 3600)}#${c.caseId}`);
  });

  it('counts each distinct reporter once, and a repeat of one not at all', () => {
    const c = aCase();
    const two = withReport(c, report('bob', 10), undefined, policy, at(10))!;
    expect(two).toMatchObject({ reporterCount: 2, categories: { spam: 2 }, weight: 1 });
    expect(withReport({ ...two, version: 2 }, report('bob', 20), undefined, policy, at(20))).toBeUndefined();
    expect(withReport({ ...two, version: 2 }, report('alice', 30), undefined, policy, at(30))).toBeUndefined();
  });

  it('moves its due time earlier and its priority up when a more severe category arrives', () => {
    const c = aCase();
    const hate = withReport(c, report('bob', 600, 'hate'), undefined, policy, at(600))!;
    expect(hate.dueAt).toBe(at(3600)); // from the first report, hate's 1 h
    expect(hate.maxSeverity).toBe(4);
    expect(hate.priority).toBeGreaterThan(c.priority);
    expect(hate.queueSort < c.queueSort).toBe(true);
  });

  it('refreshes the message when Chime holds another version, and says so', () => {
    const c = aCase();
    const edited = withReport(c, report('bob', 10), { content: 'buy scamcoin now!!', createdTimestamp: at(-60), lastEditedTimestamp: at(5) }, policy, at(10))!;
    expect(edited.message.content).toBe('buy scamcoin now!!');
    expect(edited.messageChangedAt).toBe(at(10));
    expect(edited.history.map((h) => h.event)).toContain('message-changed');
    const same = withReport(c, report('carol', 10), { content: 'buy scamcoin now', createdTimestamp: at(-60) }, policy, at(10))!;
    expect(same.messageChangedAt).toBeUndefined();
  });

  it('names the first reporters and counts all of them, remembering only the last few it counted', () => {
    let c = aCase();
    const n = MAX_LISTED_REPORTERS + TALLIED_KEPT + 5;
    for (let i = 1; i < n; i += 1) {
      const next = { ...withReport(c, report(`r${i}`, i), undefined, policy, at(i))!, version: c.version + 1 };
      // One forgotten per report once the memory is full: its report must be flagged before the write.
      expect(evictedTallies(c, next).length).toBe(c.tallied.length === TALLIED_KEPT ? 1 : 0);
      c = next;
    }
    expect(c.reporterCount).toBe(n);
    expect(c.reporters).toHaveLength(MAX_LISTED_REPORTERS);
    expect(c.tallied).toHaveLength(TALLIED_KEPT);
    // Bounded whatever the number of reporters: a hundred more add only their report times (kept up to RECENT_REPORTS_KEPT).
    const before = JSON.stringify(c).length;
    for (let i = n; i < n + 100; i += 1) c = { ...withReport(c, report(`r${i}`, i), undefined, policy, at(i))!, version: c.version + 1 };
    expect(JSON.stringify(c).length - before).toBeLessThan(100 * 30);
    expect(JSON.stringify(c).length).toBeLessThan(8_000);
  });

  it('joins a decided case (counted) and opens nothing new', () => {
    const decided = { ...withDecision(aCase(), { action: 'DISMISS', reason: 'fine', actor: { id: 'm1' }, decidedAt: at(100) }, 1), version: 2 };
    const joined = withReport(decided, report('bob', 200), undefined, policy, at(200))!;
    expect(joined).toMatchObject({ status: 'DISMISSED', reporterCount: 2 });
    expect(joined.queueKey).toMatch(/^CASES#DISMISSED#/);
  });
});

describe('queue order', () => {
  it('puts urgent cases first, then by due time (deadline) or by priority, highest first (priority)', () => {
    const a = { caseId: 'a'.repeat(32), urgent: false, dueAt: at(100), priority: 9 };
    const b = { caseId: 'b'.repeat(32), urgent: false, dueAt: at(50), priority: 2 };
    const u = { caseId: 'u'.repeat(32), urgent: true, dueAt: at(9999), priority: 1 };
    expect([a, b, u].map(deadlineSort).sort().map(caseIdOfSort)).toEqual([u.caseId, b.caseId, a.caseId]);
    expect([a, b, u].map(prioritySort).sort().map(caseIdOfSort)).toEqual([u.caseId, a.caseId, b.caseId]);
  });
});

describe('auto-hide', () => {
  const rule: CommunityPolicy = { ...policy, reports: { ...policy.reports, autoHide: { reporters: 3, withinSeconds: 600 } } };

  it('is off unless the policy sets it', () => {
    let c = aCase();
    for (const [i, name] of ['b', 'c', 'd'].entries()) c = { ...withReport(c, report(name, i + 1), undefined, policy, at(i + 1))!, version: c.version + 1 };
    expect(autoHideDue(c, policy, T0 + 10_000)).toBe(false);
    expect(autoHideDue(c, rule, T0 + 10_000)).toBe(true);
  });

  it('counts distinct reporters within the window only, and hides once', () => {
    let c = aCase();
    c = { ...withReport(c, report('b', 700), undefined, rule, at(700))!, version: 2 };
    expect(autoHideDue(c, rule, T0 + 701_000)).toBe(false); // alice's report is out of the window
    c = { ...withReport(c, report('c', 701), undefined, rule, at(701))!, version: 3 };
    c = { ...withReport(c, report('d', 702), undefined, rule, at(702))!, version: 4 };
    expect(autoHideDue(c, rule, T0 + 703_000)).toBe(true);
    const hidden = withAutoHide(c, 'ACTION#x', rule, at(703));
    expect(hidden).toMatchObject({ urgent: true, autoHide: { outcome: 'REQUESTED', reporters: 3, withinSeconds: 600 } });
    expect(hidden.queueSort.startsWith('0#')).toBe(true);
    expect(autoHideDue({ ...hidden, version: 5 }, rule, T0 + 704_000)).toBe(false);
  });
});

describe('claims and decisions', () => {
  it('refuses another moderator while a claim runs, and names the holder', () => {
    const claimed = withClaim(aCase(), { subject: 's-alice', username: 'alice' }, T0, 300);
    const obstacle = caseObstacle({ ...claimed, version: 2 }, 's-bob', T0 + 1000);
    expect(obstacle).toBeInstanceOf(PeopleConflictError);
    expect(obstacle).toMatchObject({ problemType: 'claim-conflict', context: { claimedBy: { subject: 's-alice', username: 'alice' } } });
    expect(caseObstacle({ ...claimed, version: 2 }, 's-bob', T0 + 301_000)).toBeUndefined(); // lapsed
    expect(caseObstacle({ ...claimed, version: 2 }, 's-alice', T0 + 1000)).toBeUndefined();
  });

  it('lets a holder renew without growing the history', () => {
    let c = withClaim(aCase(), { subject: 's-alice', username: 'alice' }, T0, 300);
    for (let i = 1; i <= 100; i += 1) c = withClaim(c, { subject: 's-alice', username: 'alice' }, T0 + i * 60_000, 300);
    expect(c.history.filter((h) => h.event === 'claimed')).toEqual([expect.objectContaining({ count: 101 })]);
    expect(c.claim!.claimedAt).toBe(at(0));
  });

  it('says who decided what and when, after the fact; a decision trumps a claim and a version', () => {
    const decided = { ...withDecision(withClaim(aCase(), { subject: 's-alice' }, T0, 300), { action: 'DELETE', reason: 'scam', actor: { id: 's-alice', name: 'alice' }, decidedAt: at(5) }, 123), version: 3 };
    expect(decided).toMatchObject({ status: 'ACTIONED', expiresAt: 123 });
    expect(decided.claim).toBeUndefined();
    expect(decided.queueKey).toMatch(/^CASES#ACTIONED#/);
    const obstacle = caseObstacle(decided, 's-bob', T0 + 10_000, 1);
    expect(obstacle).toMatchObject({ problemType: 'already-decided', context: { decidedBy: { id: 's-alice', name: 'alice' }, action: 'DELETE', decidedAt: at(5) } });
  });

  it('refuses a stale expectedVersion', () => {
    expect(caseObstacle(aCase({ version: 4 }), 's-bob', T0, 3)).toMatchObject({ problemType: 'version-conflict', context: { expectedVersion: 3, currentVersion: 4 } });
  });

  it('keeps the history bounded, folding the oldest entries', () => {
    let history = aCase().history;
    for (let i = 0; i < 500; i += 1) history = withHistory(history, { at: at(i), actor: i % 2 ? 'a' : 'b', event: 'released' });
    expect(history).toHaveLength(MAX_CASE_HISTORY);
    expect(history[0]!.event).toBe('opened');
    expect(history[1]).toMatchObject({ event: 'history-compacted', count: 500 + 1 - (MAX_CASE_HISTORY - 1) });
  });
});

describe("a reporter's record", () => {
  const limits = [
    { max: 3, withinSeconds: 3600 },
    { max: 5, withinSeconds: 86_400 },
  ];
  const made = (r: ReporterRecord, caseId: string, seconds: number) => ({ ...withReportMade(r, at(seconds), caseId, limits, T0 + seconds * 1000)!, version: r.version + 1 });

  it('limits reports per window, with when the next one is taken', () => {
    let r: ReporterRecord = { ...newReporter(user('alice')), version: 1 };
    r = made(r, 'c1', 0);
    r = made(r, 'c2', 100);
    expect(rateLimitFor(r, limits, T0 + 200_000)).toBeUndefined();
    r = made(r, 'c3', 200);
    expect(rateLimitFor(r, limits, T0 + 300_000)).toEqual({ limit: limits[0], retryAfterSeconds: 3600 - 300 });
    expect(rateLimitFor(r, limits, T0 + 3_601_000)).toBeUndefined();
    r = made(r, 'c4', 3601);
    r = made(r, 'c5', 3700);
    // The hourly window has room again, the daily one does not.
    expect(rateLimitFor(r, limits, T0 + 7300_000)).toEqual({ limit: limits[1], retryAfterSeconds: 86_400 - 7300 });
  });

  it('counts a report of one message once, and keeps only what the longest window needs', () => {
    let r: ReporterRecord = { ...newReporter(user('alice')), version: 1 };
    r = made(r, 'c1', 0);
    expect(withReportMade(r, at(1), 'c1', limits, T0 + 1000)).toBeUndefined();
    for (let i = 2; i < 20; i += 1) r = made(r, `c${i}`, i * 90_000);
    expect(r.recent.length).toBeLessThanOrEqual(5);
    expect(r.reports).toBe(19);
  });

  it('moves once per case: upheld or dismissed', () => {
    const r: ReporterRecord = { ...newReporter(user('alice')), version: 1 };
    const upheld = { ...withOutcome(r, 'c1', true)!, version: 2 };
    expect(upheld).toMatchObject({ upheld: 1, dismissed: 0 });
    expect(withOutcome(upheld, 'c1', true)).toBeUndefined();
    expect(withOutcome(upheld, 'c2', false)).toMatchObject({ upheld: 1, dismissed: 1 });
  });
});
