import { useNow } from '../hooks';
import { slaText } from '../lib/sla';

/**
 * A report case's SLA countdown. Anchored, like the held messages' Countdown, to the API's own
 * `secondsToDue` when the answer arrived (a wrong clock on this machine cannot make it lie); the
 * colour is backed by words.
 */
export function SlaCountdown(props: { secondsAtFetch: number; receivedAt: number; dueAt: string; compact?: boolean }) {
  const now = useNow();
  const msLeft = props.secondsAtFetch * 1000 - (now - props.receivedAt);
  const text = slaText(msLeft, props.dueAt, { nowMs: Date.parse(props.dueAt) - msLeft });
  return (
    <span class={`countdown urgency-${text.urgency}${props.compact ? ' compact' : ''}`} title={text.sentence} data-urgency={text.urgency}>
      <span class="countdown-headline">{text.headline}</span> <span class="countdown-remaining">{text.remaining}</span>
      <span class="visually-hidden"> ({text.urgency === 'ok' ? 'not urgent' : text.urgency})</span>
    </span>
  );
}
