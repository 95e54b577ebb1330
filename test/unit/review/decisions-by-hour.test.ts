import { describe, expect, it } from 'vitest';
import { countDecisionsByHour } from '../../../src/review/stats.js';

const NOW = Date.parse('2026-01-31T01:20:00Z');

describe('decisions by hour (the dashboard chart)', () => {
  it('gives 24 UTC hours up to the current one, oldest first, with zeros for quiet hours', async () => {
    const asked: string[][] = [];
    const hours = await countDecisionsByHour(
      {
        async hourly(from, to) {
          asked.push([from, to]);
          return { hours: [{ hour: '2026-01-31T01:00:00.000Z', decisions: { AUTO: 4, MODERATOR: 2, EXPIRY: 1 } }, { hour: '2026-01-30T02:00:00.000Z', decisions: { AUTO: 1, MODERATOR: 0, EXPIRY: 0 } }], complete: true };
        },
      },
      NOW,
    );
    expect(asked).toEqual([['2026-01-30T02:00:00.000Z', '2026-01-31T01:00:00.000Z']]);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ hour: '2026-01-30T02:00:00.000Z', AUTO: 1, MODERATOR: 0, EXPIRY: 0, complete: true });
    expect(hours[23]).toEqual({ hour: '2026-01-31T01:00:00.000Z', AUTO: 4, MODERATOR: 2, EXPIRY: 1, complete: true });
    expect(hours.slice(1, 23).every((h) => h.AUTO + h.MODERATOR + h.EXPIRY === 0)).toBe(true);
  });
});
