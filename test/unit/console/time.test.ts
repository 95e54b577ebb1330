import { describe, expect, it } from 'vitest';
import { countdownText, formatClock, formatDuration, urgencyOf } from '../../../console/src/lib/time.js';

const NOW = Date.parse('2026-01-31T12:00:00Z');
const clock = { nowMs: NOW, timeZone: 'UTC' };

describe('the countdown', () => {
  it('grades urgency by the time left until the sweeper acts', () => {
    expect(urgencyOf(-1)).toBe('overdue');
    expect(urgencyOf(0)).toBe('overdue');
    expect(urgencyOf(14 * 60_000)).toBe('critical');
    expect(urgencyOf(15 * 60_000)).toBe('warning');
    expect(urgencyOf(2 * 3_600_000 - 1)).toBe('warning');
    expect(urgencyOf(2 * 3_600_000)).toBe('ok');
  });

  it('formats durations for reading at a glance', () => {
    expect(formatDuration(9_500)).toBe('9s');
    expect(formatDuration(14 * 60_000 + 5_000)).toBe('14m 05s');
    expect(formatDuration(47 * 3_600_000 + 12 * 60_000)).toBe('47h 12m');
    expect(formatDuration(3 * 86_400_000 + 2 * 3_600_000)).toBe('3d 2h');
    expect(formatDuration(-5000)).toBe('0s');
  });

  it('says what happens and when: "auto-DENY at 14:05"', () => {
    const text = countdownText(2 * 3_600_000 + 5 * 60_000, 'DENY', '2026-01-31T14:05:00Z', clock);
    expect(text).toMatchObject({ urgency: 'ok', headline: 'auto-DENY at 14:05', remaining: 'in 2h 05m' });
    expect(text.sentence).toBe('If nobody decides, this message is denied automatically at 14:05, in 2h 05m.');
    expect(countdownText(60_000, 'ALLOW', '2026-01-31T12:01:00Z', clock).headline).toBe('auto-ALLOW at 12:01:00');
  });

  it('says the sweeper is due once the moment has passed', () => {
    const text = countdownText(-3000, 'DENY', '2026-01-31T11:59:57Z', clock);
    expect(text).toMatchObject({ urgency: 'overdue', headline: 'auto-DENY due now', remaining: 'the sweeper acts at its next run' });
  });

  it('adds the weekday or the date when the moment is not today', () => {
    expect(formatClock('2026-02-01T09:30:00Z', clock)).toBe('Sun 09:30');
    expect(formatClock('2026-03-01T09:30:00Z', clock)).toBe('2026-03-01 09:30');
  });
});
