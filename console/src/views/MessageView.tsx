import type { ReviewDetail, Viewer } from '../api/client';
import { ClassifierVerdicts } from '../components/ClassifierVerdicts';
import { Countdown } from '../components/Countdown';
import { Highlighted } from '../components/Highlighted';
import { SenderLink } from '../components/SenderLink';
import { useNow } from '../hooks';
import { formatClock, formatDuration, formatTimestamp } from '../lib/time';
import { arnTail } from '../lib/problems';
import { onLinkClick, policyUrl } from '../router';
import { channelLabel, senderName } from './names';

/** One held message, read-only: what was written, why it was held, its clock, claim and history. */
export function ClaimLine(props: { claim: ReviewDetail['claim']; me: Viewer; held: boolean }) {
  const now = useNow();
  const claim = props.claim;
  if (!claim || !claim.active) return <p class="claim-line">Not claimed.</p>;
  const until = formatClock(claim.until, { nowMs: now });
  if (claim.subject === props.me.subject) {
    return (
      <p class="claim-line mine">
        Claimed by you until {until}
        {props.held ? ' · renewed while this stays open' : ''}.
      </p>
    );
  }
  return (
    <p class="claim-line other">
      Claimed by <strong>{claim.username ?? claim.subject}</strong> until {until} (since {formatClock(claim.claimedAt, { nowMs: now })}).
    </p>
  );
}

export function MessageView(props: { detail: ReviewDetail; receivedAt: number; me: Viewer; held: boolean; headingRef?: { current: HTMLHeadingElement | null } }) {
  const d = props.detail;
  const m = d.message;
  const findings = d.policy?.findings ?? [];
  const now = useNow();
  const attributes = d.decision?.update?.messageAttributes;
  return (
    <article class="message" aria-labelledby="message-title">
      <h2 id="message-title" tabIndex={-1} ref={props.headingRef}>
        {senderName(m.sender)} in {channelLabel(m)}
      </h2>
      <div class="clock">
        {d.status === 'PENDING_REVIEW' ? (
          <Countdown secondsAtFetch={d.secondsUntilExpiryAction} receivedAt={props.receivedAt} action={d.expiryAction} atIso={d.expiryActionAt} />
        ) : (
          <span class="status-pill">{d.status}</span>
        )}
        <span class="deadline">
          Chime's deadline {formatTimestamp(d.deadline)}
          {d.secondsLeft > 0 ? ` (in ${formatDuration(d.secondsLeft * 1000 - (now - props.receivedAt))})` : ' (passed)'}
        </span>
      </div>
      <p class="sender-line">
        Sender: <SenderLink arn={m.sender.arn} name={senderName(m.sender)} channel={m.channelArn} />
      </p>
      <ClaimLine claim={d.claim} me={props.me} held={props.held} />

      <h3>Message</h3>
      <Highlighted content={m.content} findings={findings} />

      <h3>{d.policy && d.policy.action !== 'REVIEW' ? `The policy’s verdict: ${d.policy.action}` : 'Why it was held'}</h3>
      {findings.length === 0 ? (
        <p>{d.policy?.reason ?? 'No policy verdict recorded.'}</p>
      ) : (
        <ul class="findings">
          {findings.map((f, i) => (
            <li key={i}>
              <code class={`rule family-${f.ruleId.split('.')[0]}`}>{f.ruleId}</code> <span class="finding-action">{f.action}</span> {f.reason}
            </li>
          ))}
        </ul>
      )}
      <ClassifierVerdicts records={d.policy?.classifiers} label="What the classifiers said" />
      {d.shadowPolicy?.classifiers && d.shadowPolicy.classifiers.length > 0 && (
        <>
          <p class="muted">With its shadow-mode scopes enforced, the policy would have decided {d.shadowPolicy.action}:</p>
          <ClassifierVerdicts records={d.shadowPolicy.classifiers} label="What the shadow scopes’ classifiers said" />
        </>
      )}
      {d.policy?.versions && d.policy.versions.length > 0 && (
        <p class="muted policy-versions">
          Judged by{' '}
          {d.policy.versions.map((v, i) => (
            <span key={v.scope}>
              {i > 0 && ' › '}
              <a href={policyUrl(v.scope, 'history')} onClick={onLinkClick}>
                {v.scope === 'global' ? 'global' : `${v.scope.includes('/channel/') ? 'channel' : 'app instance'} ${arnTail(v.scope)}`} v{v.version}
              </a>
              {v.mode === 'shadow' ? ' (shadow)' : ''}
            </span>
          ))}
          .
        </p>
      )}

      <div class="grid-2">
        <section aria-labelledby="metadata-title">
          <h3 id="metadata-title">Metadata</h3>
          {m.metadata ? <pre class="code">{m.metadata}</pre> : <p class="muted">None.</p>}
        </section>
        <section aria-labelledby="attributes-title">
          <h3 id="attributes-title">MessageAttributes</h3>
          {attributes && Object.keys(attributes).length > 0 ? (
            <dl class="attributes">
              {Object.entries(attributes).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value.StringValues.join(', ')}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p class="muted">None in Chime's event (Chime does not pass them to the processor).</p>
          )}
        </section>
      </div>

      <details class="ids">
        <summary>Identifiers</summary>
        <dl>
          <dt>Sender</dt>
          <dd>{m.sender.arn}</dd>
          <dt>Channel</dt>
          <dd>{m.channelArn}</dd>
          <dt>MessageId</dt>
          <dd>{m.messageId}</dd>
          <dt>CallbackId</dt>
          <dd>{d.callbackId}</dd>
          <dt>Sent</dt>
          <dd>{m.createdTimestamp ? formatTimestamp(m.createdTimestamp) : 'unknown'}</dd>
          <dt>Received</dt>
          <dd>{formatTimestamp(d.receivedAt)}</dd>
        </dl>
      </details>

      <h3>History</h3>
      <ol class="timeline">
        {d.history.map((h, i) => (
          <li key={i}>
            <time dateTime={h.at}>{formatTimestamp(h.at)}</time> <strong>{h.actor}</strong> {h.event.replaceAll('-', ' ')}
            {h.from && h.from !== h.to ? ` (${h.from} → ${h.to})` : ''}
            {h.reason ? `: ${h.reason}` : ''}
          </li>
        ))}
      </ol>
    </article>
  );
}
