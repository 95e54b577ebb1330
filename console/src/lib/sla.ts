import { formatClock, formatDuration, urgencyOf, type ClockOptions, type CountdownText } from './time.js';

/**
 * A report case's SLA countdown, as the Reports queue and the case pane show it: the time left
 * to the case's due time (its first report plus the shortest SLA of its categories). Pure, like
 * the held messages' countdown (time.ts): the colour comes from the same thresholds, and words
 * always back it. An overdue case says by how much.
 */
export function slaText(msLeft: number, dueIso: string, clock: ClockOptions): CountdownText {
  const urgency = urgencyOf(msLeft);
  const at = formatClock(dueIso, clock);
  if (urgency === 'overdue') {
    const late = formatDuration(-msLeft);
    return {
      urgency,
      headline: `SLA overdue`,
      remaining: `by ${late}`,
      sentence: `The SLA target passed at ${at}: this case is ${late} overdue.`,
    };
  }
  return {
    urgency,
    headline: `SLA ${at}`,
    remaining: `in ${formatDuration(msLeft)}`,
    sentence: `The SLA target is ${at}, in ${formatDuration(msLeft)}.`,
  };
}
