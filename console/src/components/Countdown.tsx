import { useNow } from '../hooks';
import { countdownText } from '../lib/time';

/**
 * The live countdown to the moment the sweeper acts on an undecided message (deadline − margin).
 * It is anchored to the API's own `secondsUntilExpiryAction` at the time the answer arrived, so a
 * wrong clock on the moderator's machine cannot make it lie; the colour is backed by words.
 */
export function Countdown(props: { secondsAtFetch: number; receivedAt: number; action: string; atIso: string; compact?: boolean }) {
  const now = useNow();
  const msLeft = props.secondsAtFetch * 1000 - (now - props.receivedAt);
  const text = countdownText(msLeft, props.action, props.atIso, { nowMs: Date.parse(props.atIso) - msLeft });
  return (
    <span class={`countdown urgency-${text.urgency}${props.compact ? ' compact' : ''}`} title={text.sentence} data-urgency={text.urgency}>
      <span class="countdown-headline">{text.headline}</span> <span class="countdown-remaining">{text.remaining}</span>
      <span class="visually-hidden"> ({text.urgency === 'ok' ? 'not urgent' : text.urgency})</span>
    </span>
  );
}
