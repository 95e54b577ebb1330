import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../../src/policy/community.js';
import { casePriority, maxSeverity, reporterAccuracy, slaDueAt, secondsUntil } from '../../../src/reports/scoring.js';

const policy = DEFAULT_COMMUNITY_POLICY;
const FIRST = '2026-03-01T12:00:00.000Z';
const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

describe('reporter accuracy (Discourse: upheld and dismissed, one of each assumed)', () => {
  it('counts a new reporter 0.5', () => {
    expect(reporterAccuracy({ upheld: 0, dismissed: 0 })).toBe(0.5);
  });

  it('moves towards 1 with upheld reports and towards 0 with dismissed ones, never reaching either', () => {
    expect(reporterAccuracy({ upheld: 1, dismissed: 0 })).toBeCloseTo(2 / 3);
    expect(reporterAccuracy({ upheld: 10, dismissed: 0 })).toBeCloseTo(11 / 12);
    expect(reporterAccuracy({ upheld: 0, dismissed: 10 })).toBeCloseTo(1 / 12);
    expect(reporterAccuracy({ upheld: 1000, dismissed: 0 })).toBeLessThan(1);
    expect(reporterAccuracy({ upheld: 0, dismissed: 1000 })).toBeGreaterThan(0);
  });

  it('is the share upheld once there is a long record', () => {
    expect(reporterAccuracy({ upheld: 298, dismissed: 98 })).toBeCloseTo(0.75, 2);
  });
});

describe('case priority = severity × (1 + ln(1 + Σ accuracy))', () => {
  it('rises with every distinct reporter, more for a reliable one than for a new one', () => {
    const one = casePriority({ severity: 3, weight: 0.5 });
    const twoNew = casePriority({ severity: 3, weight: 1 });
    const newAndReliable = casePriority({ severity: 3, weight: 0.5 + 0.92 });
    expect(twoNew).toBeGreaterThan(one);
    expect(newAndReliable).toBeGreaterThan(twoNew);
  });

  it('puts one new member reporting self-harm before a hundred reliable spam reports', () => {
    expect(casePriority({ severity: 5, weight: 0.5 })).toBe(7.03);
    expect(casePriority({ severity: 1, weight: 99 })).toBe(5.61);
  });

  it('lets reporters whose reports keep being dismissed add almost nothing', () => {
    const alone = casePriority({ severity: 2, weight: 0.5 });
    const withTenUnreliable = casePriority({ severity: 2, weight: 0.5 + 10 * (1 / 12) });
    const withTenReliable = casePriority({ severity: 2, weight: 0.5 + 10 * (11 / 12) });
    expect(withTenUnreliable - alone).toBeLessThan((withTenReliable - alone) / 2);
  });

  it('keeps severity and weight in bounds (a corrupt figure cannot make a case outrank everything)', () => {
    expect(casePriority({ severity: 99, weight: 1e9 })).toBe(casePriority({ severity: 5, weight: 1000 }));
    expect(casePriority({ severity: 0, weight: -5 })).toBe(1);
  });
});

describe('the SLA due time', () => {
  it('is the first report plus the shortest SLA of the categories', () => {
    expect(slaDueAt(FIRST, ['spam'], policy)).toBe(plus(FIRST, 24 * 3600));
    expect(slaDueAt(FIRST, ['spam', 'self-harm'], policy)).toBe(plus(FIRST, 15 * 60));
  });

  it('moves earlier when a more severe category arrives, never later', () => {
    const spam = slaDueAt(FIRST, ['spam'], policy);
    const hate = slaDueAt(FIRST, ['spam', 'hate'], policy, spam);
    expect(hate).toBe(plus(FIRST, 3600));
    // A policy that later lengthened every SLA does not move a case back.
    const relaxed: CommunityPolicy = { ...policy, reports: { ...policy.reports, categories: { ...policy.reports.categories, hate: { ...policy.reports.categories.hate, slaSeconds: 48 * 3600 } } } };
    expect(slaDueAt(FIRST, ['spam', 'hate'], relaxed, hate)).toBe(hate);
  });

  it('counts down in whole seconds, negative once overdue', () => {
    expect(secondsUntil(plus(FIRST, 90), Date.parse(FIRST))).toBe(90);
    expect(secondsUntil(FIRST, Date.parse(FIRST) + 30_500)).toBe(-31);
  });

  it('takes the highest severity of the categories', () => {
    expect(maxSeverity(['spam', 'violence', 'scam'], policy)).toBe(4);
  });
});
