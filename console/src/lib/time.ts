/**
 * The clock every held message is on, as moderators read it. Pure: callers pass "now" and the
 * time zone, so tests are deterministic.
 *
 * The countdown runs to the moment the sweeper acts (deadline − margin), not to Chime's deadline:
 * that is when the message is decided without a human.
 */

export type Urgency = 'overdue' | 'critical' | 'warning' | 'ok';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** ≤ 0: the sweeper is due; < 15 min: red; < 2 h: amber; otherwise calm. */
export function urgencyOf(msLeft: number): Urgency {
  if (msLeft <= 0) return 'overdue';
  if (msLeft < 15 * MINUTE) return 'critical';
  if (msLeft < 2 * HOUR) return 'warning';
  return 'ok';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "47h 12m", "14m 05s", "9s"; never negative (use urgency for the past). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days >= 2) return `${days}d ${hours}h`;
  if (total >= 3600) return `${days * 24 + hours}h ${pad(minutes)}m`;
  if (total >= 60) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** "3h ago" style, for ages (oldest pending, history). */
export function formatAge(ms: number): string {
  return ms < 60_000 ? 'just now' : `${formatDuration(ms).replace(/ \d+s$/, '')} ago`;
}

export interface ClockOptions {
  nowMs: number;
  timeZone?: string;
  locale?: string;
}

/**
 * A moment as a wall-clock time: "14:05" today, with seconds when it is within 10 minutes
 * ("14:05:30"), "Tue 14:05" within a week, a date otherwise.
 */
export function formatClock(iso: string, options: ClockOptions): string {
  const at = Date.parse(iso);
  const locale = options.locale ?? 'en-GB';
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { ...zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  const withSeconds = Math.abs(at - options.nowMs) < 10 * MINUTE;
  const time = new Intl.DateTimeFormat(locale, { ...zone, hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}), hourCycle: 'h23' }).format(at);
  if (day(at) === day(options.nowMs)) return time;
  if (Math.abs(at - options.nowMs) < 6 * 24 * HOUR) return `${new Intl.DateTimeFormat(locale, { ...zone, weekday: 'short' }).format(at)} ${time}`;
  return `${day(at)} ${time}`;
}

/** A full timestamp for titles and the audit log: "2026-01-31 14:05:09". */
export function formatTimestamp(iso: string, timeZone?: string): string {
  const zone = timeZone ? { timeZone } : {};
  const parts = new Intl.DateTimeFormat('en-CA', { ...zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(Date.parse(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

export interface CountdownText {
  urgency: Urgency;
  /** "auto-DENY at 14:05" */
  headline: string;
  /** "in 47h 12m", or what is happening now. */
  remaining: string;
  /** One sentence for screen readers and titles. */
  sentence: string;
}

/**
 * What the countdown says. `msLeft` counts to the sweeper's moment; `action` is the expiry action
 * the API reports. The sweeper runs on a schedule, so "due" means "at its next run".
 */
export function countdownText(msLeft: number, action: string, atIso: string, clock: ClockOptions): CountdownText {
  const urgency = urgencyOf(msLeft);
  const at = formatClock(atIso, clock);
  const verb = action === 'ALLOW' ? 'allowed' : 'denied';
  if (urgency === 'overdue') {
    return {
      urgency,
      headline: `auto-${action} due now`,
      remaining: 'the sweeper acts at its next run',
      sentence: `The expiry time passed at ${at}: the sweeper will apply ${action} at its next run unless you decide first.`,
    };
  }
  return {
    urgency,
    headline: `auto-${action} at ${at}`,
    remaining: `in ${formatDuration(msLeft)}`,
    sentence: `If nobody decides, this message is ${verb} automatically at ${at}, in ${formatDuration(msLeft)}.`,
  };
}
