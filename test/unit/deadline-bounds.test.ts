import { describe, expect, it } from 'vitest';
import { deadlineFor, parseTimestamp, windowStart } from '../../src/domain/deadline.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const WINDOW = 172_800;

describe('deadline maths on timestamps no Date can hold', () => {
  it.each(['-10000000000000', '-9999999999999999', '9999999999999999', '1e300', '-1e300'])('reads %s as no timestamp at all', (value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });

  it.each(['createdTimestamp', 'lastEditedTimestamp'])('counts from receipt when the %s is out of range, instead of throwing RangeError', (field) => {
    for (const value of ['-10000000000000', '-9999999999999999']) {
      const deadline = deadlineFor({ [field]: value }, NOW, WINDOW);
      expect(deadline.toISOString()).toBe('2026-11-23T12:00:00.000Z');
      expect(windowStart({ [field]: value }, NOW)).toBe(NOW);
    }
  });

  it('still reads the extremes a Date can hold', () => {
    expect(parseTimestamp('8640000000000000')).toBe(8_640_000_000_000_000);
    expect(parseTimestamp('-8640000000000')).toBe(-8_640_000_000_000_000);
  });
});
