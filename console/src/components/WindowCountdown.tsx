import { useNow } from '../hooks';
import { windowText } from '../lib/redelivery';

/**
 * The live countdown to Chime's deadline for a FAILED message: how long re-delivering its
 * decision can still work. Anchored, like the queue's Countdown, to the API's own `secondsLeft`
 * when the answer arrived (a wrong clock on this machine cannot make it lie); the colour is
 * backed by words.
 */
export function WindowCountdown(props: { secondsAtFetch: number; receivedAt: number; deadline: string }) {
  const now = useNow();
  const msLeft = props.secondsAtFetch * 1000 - (now - props.receivedAt);
  const text = windowText(msLeft, props.deadline, { nowMs: Date.parse(props.deadline) - msLeft });
  return (
    <span class={`countdown compact urgency-${text.urgency}`} title={text.sentence} data-urgency={text.urgency}>
      <span class="countdown-headline">{text.headline}</span> <span class="countdown-remaining">{text.remaining}</span>
      <span class="visually-hidden"> ({text.urgency === 'ok' ? 'not urgent' : text.urgency})</span>
    </span>
  );
}
