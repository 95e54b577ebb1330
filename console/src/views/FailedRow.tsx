import type { ReviewDetail } from '../api/client';
import { ConfirmForm } from '../components/ConfirmForm';
import { WindowCountdown } from '../components/WindowCountdown';
import { decider } from '../lib/redelivery';
import { formatTimestamp } from '../lib/time';
import { channelLabel, senderName, snippet } from './names';

/**
 * One FAILED message: what was written (who, where), what was decided and by whom, why Chime's
 * callback failed (the API's `outcome.reason`, shown as it is), and the time left in its window.
 * Admins get "Re-deliver" (with a Confirm); moderators do not (the view says why).
 */
export function FailedRow(props: {
  item: ReviewDetail;
  receivedAt: number;
  /** Undefined until GET /me answers: no button yet. */
  isAdmin: boolean | undefined;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { item } = props;
  const m = item.message;
  const who = senderName(m.sender);
  const decision = item.decision;
  const titleId = `failed-${item.callbackId}-title`;
  return (
    <li class="failed-row" data-callback-id={item.callbackId}>
      <article class="failed-item" aria-labelledby={titleId}>
        <div class="failed-main">
          <h2 id={titleId} class="failed-title">
            {who} in {channelLabel(m)}
          </h2>
          <p class="failed-text">{m.content || '(empty message)'}</p>
          <dl class="failed-facts">
            <div>
              <dt>Decided</dt>
              <dd>
                {decision ? (
                  <>
                    <span class={`action action-${decision.action}`}>{decision.action}</span> by {decider(decision)}
                    {decision.reason ? <span class="muted"> · {decision.reason}</span> : null}
                    <span class="muted">
                      {' '}
                      · <time dateTime={decision.decidedAt}>{formatTimestamp(decision.decidedAt)}</time>
                    </span>
                  </>
                ) : (
                  'No decision recorded: there is nothing to re-deliver.'
                )}
              </dd>
            </div>
            <div>
              <dt>Why it failed</dt>
              <dd class="failed-reason">{item.outcome?.reason ?? 'No reason recorded.'}</dd>
            </div>
          </dl>
        </div>
        <div class="failed-side">
          <WindowCountdown secondsAtFetch={item.secondsLeft} receivedAt={props.receivedAt} deadline={item.deadline} />
          {props.isAdmin && (
            <button type="button" class="small" disabled={props.busy} aria-expanded={props.confirming} onClick={props.onAsk}>
              Re-deliver<span class="visually-hidden"> the message from {who}: {snippet(m.content, 40)}</span>
            </button>
          )}
        </div>
      </article>
      {props.isAdmin && props.confirming && (
        <ConfirmForm
          id={`redeliver-${item.callbackId}`}
          aria-label={`Re-deliver the message from ${who}`}
          consequence={
            <>
              Send Chime the decision this message recorded{decision ? <> (<strong>{decision.action}</strong>, by {decider(decision)})</> : null}, again; never a new one. If
              the cause is not fixed yet, it fails again and stays here.
            </>
          }
          confirm="Confirm re-delivery"
          working="Re-delivering…"
          busy={props.busy}
          onConfirm={props.onConfirm}
          onCancel={props.onCancel}
        />
      )}
    </li>
  );
}
