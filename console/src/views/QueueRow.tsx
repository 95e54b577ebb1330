import type { ReviewSummary, Viewer } from '../api/client';
import { Countdown } from '../components/Countdown';
import { formatClock } from '../lib/time';
import { onLinkClick, reviewUrl } from '../router';
import { channelLabel, senderName, snippet } from './names';

/** One held message in the queue: text, who and where, the rules, the claim, the clock. */
export function QueueRow(props: {
  item: ReviewSummary;
  me: Viewer;
  receivedAt: number;
  search: string;
  selected: boolean;
  open: boolean;
  checked: boolean;
  onCheck: (checked: boolean) => void;
  onSelect: () => void;
}) {
  const { item } = props;
  const m = item.message;
  const who = senderName(m.sender);
  const claim = item.claim?.active ? item.claim : undefined;
  const claimedByOther = claim && claim.subject !== props.me.subject;
  return (
    <li class={`queue-row${props.selected ? ' selected' : ''}${props.open ? ' open' : ''}`} data-callback-id={item.callbackId}>
      <input
        type="checkbox"
        class="row-check"
        checked={props.checked}
        aria-label={`Select the message from ${who}: ${snippet(m.content, 40)}`}
        onChange={(e) => props.onCheck(e.currentTarget.checked)}
      />
      <a class="row-link" href={reviewUrl(item.callbackId, props.search)} aria-current={props.open ? 'true' : undefined} data-row-link={item.callbackId} onClick={onLinkClick} onFocus={props.onSelect}>
        <span class="row-text">{snippet(m.content, 140)}</span>
        <span class="row-meta">
          {who} · {channelLabel(m)}
        </span>
      </a>
      <div class="row-side">
        <Countdown compact secondsAtFetch={item.secondsUntilExpiryAction} receivedAt={props.receivedAt} action={item.expiryAction} atIso={item.expiryActionAt} />
        <span class="row-rules">
          {(item.policy?.ruleIds ?? []).map((rule) => (
            <code key={rule} class={`rule family-${rule.split('.')[0]}`}>
              {rule}
            </code>
          ))}
        </span>
        {claim && (
          <span class={`claim-badge${claimedByOther ? ' other' : ' mine'}`}>
            {claimedByOther ? `Claimed by ${claim.username ?? claim.subject}` : 'Claimed by you'} until {formatClock(claim.until, { nowMs: Date.now() })}
          </span>
        )}
      </div>
    </li>
  );
}
