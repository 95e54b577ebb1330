import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { actBy, deadlineFor, isPastDeadline, isWithinMargin, parseTimestamp, retentionExpiry, secondsLeft, stuckAfterMs, sweepAt, windowStart } from '../../src/domain/deadline.js';

const WINDOW = 172_800;

describe('deadlineFor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-21T12:00:00.000Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('counts 48 hours from CreatedTimestamp when it is earlier than our receipt', () => {
    const deadline = deadlineFor({ createdTimestamp: '2026-11-21T11:59:58.000Z' }, Date.now(), WINDOW);
    expect(deadline.toISOString()).toBe('2026-11-23T11:59:58.000Z');
  });

  it('counts from our receipt when CreatedTimestamp is later (a sender clock ahead of ours)', () => {
    const deadline = deadlineFor({ createdTimestamp: '2026-11-21T12:05:00.000Z' }, Date.now(), WINDOW);
    expect(deadline.toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });

  it('counts from our receipt when CreatedTimestamp is missing or garbled', () => {
    expect(deadlineFor({}, Date.now(), WINDOW).toISOString()).toBe('2026-11-23T12:00:00.000Z');
    expect(deadlineFor({ createdTimestamp: 'yesterday-ish' }, Date.now(), WINDOW).toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });

  it('counts an edit from its LastEditedTimestamp, not from the original message', () => {
    const deadline = deadlineFor(
      { createdTimestamp: '2026-11-01T00:00:00.000Z', lastEditedTimestamp: '2026-11-21T11:59:00.000Z' },
      Date.now(),
      WINDOW,
    );
    expect(deadline.toISOString()).toBe('2026-11-23T11:59:00.000Z');
  });

  it('honours a configured window', () => {
    expect(deadlineFor({}, Date.now(), 30).toISOString()).toBe('2026-11-21T12:00:30.000Z');
  });

  it('accepts epoch seconds and milliseconds as well as ISO-8601', () => {
    expect(parseTimestamp('1795262400')).toBe(1795262400000);
    expect(parseTimestamp('1795262400000')).toBe(1795262400000);
    expect(parseTimestamp('')).toBeUndefined();
    expect(windowStart({ createdTimestamp: '1795262400' }, Date.now())).toBe(Math.min(1795262400000, Date.now()));
  });
});

describe('acting before the deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acts from deadline - margin and reports the deadline passed only at the deadline', () => {
    const deadline = '2026-11-23T12:00:00.000Z';
    expect(actBy(deadline, 3600).toISOString()).toBe('2026-11-23T11:00:00.000Z');

    vi.setSystemTime(new Date('2026-11-23T10:59:59.999Z'));
    expect(isWithinMargin(deadline, Date.now(), 3600)).toBe(false);
    vi.setSystemTime(new Date('2026-11-23T11:00:00.000Z'));
    expect(isWithinMargin(deadline, Date.now(), 3600)).toBe(true);
    expect(isPastDeadline(deadline, Date.now())).toBe(false);
    expect(secondsLeft(deadline, Date.now())).toBe(3600);
    vi.setSystemTime(new Date('2026-11-23T12:00:00.000Z'));
    expect(isPastDeadline(deadline, Date.now())).toBe(true);
  });

  it('keeps terminal items for the retention period', () => {
    vi.setSystemTime(new Date('2026-11-21T00:00:00.000Z'));
    expect(retentionExpiry(Date.now(), 30)).toBe(Date.parse('2026-12-21T00:00:00.000Z') / 1000);
  });
});

describe('stuckAfterMs and the RECEIVED sweep moment', () => {
  const settings = { expiryMarginSeconds: 3600, stuckAfterSeconds: 300 };
  const deadline = '2026-01-03T00:00:00.000Z';
  const updatedAt = '2026-01-01T00:00:00.000Z';

  it('doubles the wait with each re-drive, up to 64 times the stuck time', () => {
    expect([0, 1, 2, 3, 6, 7, 20].map((redriveCount) => stuckAfterMs({ redriveCount }, 300) / 300_000)).toEqual([1, 2, 4, 8, 64, 64, 64]);
    expect(stuckAfterMs({}, 300)).toBe(300_000);
  });

  it('moves a re-driven RECEIVED item\'s sweep moment accordingly, never past deadline − margin', () => {
    expect(sweepAt('RECEIVED', { deadline, updatedAt, redriveCount: 2 }, settings)).toBe('2026-01-01T00:20:00.000Z');
    expect(sweepAt('RECEIVED', { deadline, updatedAt, redriveCount: 6 }, settings)).toBe('2026-01-01T05:20:00.000Z');
    expect(sweepAt('RECEIVED', { deadline: '2026-01-01T01:00:00.000Z', updatedAt, redriveCount: 6 }, settings)).toBe('2026-01-01T00:00:00.000Z');
  });

  it('never backs off a DECIDED item that was re-driven while RECEIVED: its delivery retries at the plain stuck time', () => {
    expect(sweepAt('DECIDED', { deadline, updatedAt, redriveCount: 4 }, settings)).toBe('2026-01-01T00:05:00.000Z');
  });
});
