import type { CaseSummary, Viewer } from '../api/client';
import { SlaCountdown } from '../components/SlaCountdown';
import { categoriesText, priorityText, reportersText } from '../lib/cases';
import { arnTail } from '../lib/problems';
import { formatClock } from '../lib/time';
import { caseUrl, onLinkClick } from '../router';
import { snippet } from '../views/names';

export const senderOf = (c: Pick<CaseSummary, 'sender'>) => c.sender.name || arnTail(c.sender.arn);
export const channelOf = (c: Pick<CaseSummary, 'channelArn'>) => `#${arnTail(c.channelArn)}`;

/** One case in the Reports queue: the message, who and where, its SLA clock, categories, reporters, priority, claim. */
export function CaseRow(props: { item: CaseSummary; me: Viewer; receivedAt: number; search: string; selected: boolean; open: boolean; onSelect: () => void }) {
  const c = props.item;
  const claim = c.claim?.active ? c.claim : undefined;
  const claimedByOther = claim && claim.subject !== props.me.subject;
  return (
    <li class={`queue-row case-row${props.selected ? ' selected' : ''}${props.open ? ' open' : ''}${c.urgent ? ' urgent' : ''}`} data-row-id={c.caseId} data-case-id={c.caseId}>
      <a class="row-link" href={caseUrl(c.caseId, props.search)} aria-current={props.open ? 'true' : undefined} data-row-link={c.caseId} onClick={onLinkClick} onFocus={props.onSelect}>
        <span class="row-text">{snippet(c.message.content, 140)}</span>
        <span class="row-meta">
          {senderOf(c)} · {channelOf(c)} · {categoriesText(c.categories)}
        </span>
      </a>
      <div class="row-side">
        {c.urgent && <span class="badge badge-urgent">Urgent: hidden by policy</span>}
        {c.status === 'OPEN' ? <SlaCountdown compact secondsAtFetch={c.secondsToDue} receivedAt={props.receivedAt} dueAt={c.dueAt} /> : <span class="status-pill">{c.status}</span>}
        <span class="badge" title="severity × (1 + ln(1 + the reporters’ accuracy summed))">
          Priority {priorityText(c.priority)}
          <span class="muted"> · severity {c.severity}</span>
        </span>
        <span class="badge">{reportersText(c.reporterCount, c.reportersCapped)}</span>
        {claim && (
          <span class={`claim-badge${claimedByOther ? ' other' : ' mine'}`}>
            {claimedByOther ? `Claimed by ${claim.username ?? claim.subject}` : 'Claimed by you'} until {formatClock(claim.until, { nowMs: Date.now() })}
          </span>
        )}
      </div>
    </li>
  );
}
