import { describe, expect, it } from 'vitest';
import {
  appealabilityOfCase,
  appealabilityOfItem,
  appealIdOf,
  APPEAL_ID_PATTERN,
  isSettled,
  isWindowOpen,
  originalDecider,
  strikeSourceOf,
  windowClosesAt,
} from '../../../src/appeals/model.js';
import { DEFAULT_COMMUNITY_POLICY } from '../../../src/policy/community.js';
import type { Decision, Status } from '../../../src/domain/item.js';

const DAY = 86_400;
const decision = (action: Decision['action']): Decision => ({ action, origin: 'AUTO', actor: { id: 'policy' }, reason: 'r', ruleIds: [], decidedAt: '2026-01-01T00:00:00.000Z' });

describe('the appeal window', () => {
  const decidedAt = '2026-01-01T12:00:00.000Z';
  const window = DEFAULT_COMMUNITY_POLICY.appeals.windowSeconds;

  it('is 14 days from the decision by default', () => {
    expect(window).toBe(14 * DAY);
    expect(windowClosesAt(decidedAt, window)).toBe('2026-01-15T12:00:00.000Z');
  });

  it('is open up to its end, exclusive', () => {
    const end = Date.parse('2026-01-15T12:00:00.000Z');
    expect(isWindowOpen(decidedAt, window, Date.parse(decidedAt))).toBe(true);
    expect(isWindowOpen(decidedAt, window, end - 1)).toBe(true);
    expect(isWindowOpen(decidedAt, window, end)).toBe(false);
    expect(isWindowOpen(decidedAt, window, end + 1)).toBe(false);
  });

  it('follows a policy’s own window', () => {
    expect(isWindowOpen(decidedAt, 3600, Date.parse(decidedAt) + 3_599_999)).toBe(true);
    expect(isWindowOpen(decidedAt, 3600, Date.parse(decidedAt) + 3_600_000)).toBe(false);
  });
});

describe('what can be appealed', () => {
  const item = (status: Status, action?: Decision['action']) => ({ status, ...(action ? { decision: decision(action) } : {}) });

  it('a held message delivered as DENY or UPDATE', () => {
    expect(appealabilityOfItem(item('DELIVERED', 'DENY'))).toBeUndefined();
    expect(appealabilityOfItem(item('DELIVERED', 'UPDATE'))).toBeUndefined();
  });

  it('not a decision still being delivered (DECIDED): the member is told to try again shortly', () => {
    expect(appealabilityOfItem(item('DECIDED', 'DENY'))).toMatchObject({ why: 'being-delivered', detail: expect.stringMatching(/still being delivered.*once it has taken effect/) });
  });

  it('not an ALLOW, an undecided message, nor a decision that never took effect', () => {
    expect(appealabilityOfItem(item('DELIVERED', 'ALLOW'))).toMatchObject({ why: 'not-against' });
    expect(appealabilityOfItem(item('PENDING_REVIEW'))).toMatchObject({ why: 'undecided' });
    expect(appealabilityOfItem(item('RECEIVED'))).toMatchObject({ why: 'undecided' });
    for (const status of ['EXPIRED', 'FAILED', 'ALREADY_RESOLVED'] as const) expect(appealabilityOfItem(item(status, 'DENY'))).toMatchObject({ why: 'not-effective' });
  });

  it('a case decided REDACT or DELETE once Chime did it, or one with a ban', () => {
    const decided = (action: string, outcome?: string) => ({ action, actor: { id: 'm' }, decidedAt: 'x', reason: 'r', ...(outcome ? { chime: { outcome } } : {}) });
    expect(appealabilityOfCase({ status: 'ACTIONED', decision: decided('DELETE', 'DONE'), banned: false })).toBeUndefined();
    expect(appealabilityOfCase({ status: 'ACTIONED', decision: decided('REDACT', 'REQUESTED'), banned: false })).toMatchObject({ why: 'being-delivered' });
    expect(appealabilityOfCase({ status: 'ACTIONED', decision: decided('REDACT', 'FAILED'), banned: false })).toMatchObject({ why: 'not-effective' });
    expect(appealabilityOfCase({ status: 'DISMISSED', decision: decided('DISMISS'), banned: false })).toMatchObject({ why: 'not-against' });
    expect(appealabilityOfCase({ status: 'DISMISSED', decision: decided('DISMISS'), banned: true })).toBeUndefined();
    expect(appealabilityOfCase({ status: 'OPEN', banned: false })).toMatchObject({ why: 'undecided' });
  });
});

describe('an appeal', () => {
  it('has one id per decision', () => {
    const id = appealIdOf({ kind: 'message', callbackId: 'c'.repeat(40) });
    expect(id).toMatch(APPEAL_ID_PATTERN);
    expect(appealIdOf({ kind: 'message', callbackId: 'c'.repeat(40) })).toBe(id);
    expect(appealIdOf({ kind: 'case', caseId: 'c'.repeat(40) })).not.toBe(id);
  });

  it('may not be decided by whoever made the decision; an automatic one by anyone', () => {
    expect(originalDecider({ origin: 'MODERATOR', decidedBy: { id: 'sub-a' } })).toBe('sub-a');
    expect(originalDecider({ origin: 'CASE', decidedBy: { id: 'sub-b' } })).toBe('sub-b');
    expect(originalDecider({ origin: 'AUTO', decidedBy: { id: 'policy' } })).toBeUndefined();
    expect(originalDecider({ origin: 'EXPIRY', decidedBy: { id: 'sweeper' } })).toBeUndefined();
  });

  it('removes the strike the decision carried, named as the ledger names it', () => {
    expect(strikeSourceOf({ ref: { kind: 'message', callbackId: 'x' }, origin: 'AUTO', ruleIds: ['terms.block'] })).toEqual({ kind: 'rule', callbackId: 'x', ruleIds: ['terms.block'] });
    expect(strikeSourceOf({ ref: { kind: 'message', callbackId: 'x' }, origin: 'MODERATOR', ruleIds: [] })).toEqual({ kind: 'moderator', callbackId: 'x' });
    expect(strikeSourceOf({ ref: { kind: 'case', caseId: 'k' }, origin: 'CASE', ruleIds: [] })).toEqual({ kind: 'report', caseId: 'k' });
  });

  it('is settled when every effect of its outcome is done or had nothing to do', () => {
    const done = { status: 'DONE' as const, at: 'x' };
    expect(isSettled({ audit: { ...done, actionId: 'a' }, notice: done }, 'UPHOLD')).toBe(true);
    expect(isSettled({ audit: { ...done, actionId: 'a' }, notice: { ...done, status: 'FAILED' } }, 'UPHOLD')).toBe(false);
    expect(isSettled({ audit: { ...done, actionId: 'a' }, notice: done }, 'OVERTURN')).toBe(false);
    expect(isSettled({ audit: { ...done, actionId: 'a' }, notice: done, allowance: done, restrictions: { ...done, status: 'NONE' }, strike: { ...done, status: 'NONE' } }, 'OVERTURN')).toBe(true);
  });
});
