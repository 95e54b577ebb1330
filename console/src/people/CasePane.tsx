import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type CaseDetail, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { sessions } from '../auth/session';
import { useCannedReasons } from '../canned-reasons';
import { SenderLink } from '../components/SenderLink';
import { SlaCountdown } from '../components/SlaCountdown';
import { ErrorState, Loading, ProblemNotice } from '../components/States';
import { useNow, useSession } from '../hooks';
import { accuracyLevel, accuracyText, categoriesText, priorityText, reportersText } from '../lib/cases';
import { outcomeText } from '../lib/follow-ups';
import { arnTail, explainProblem, type Explanation } from '../lib/problems';
import { outcomeUnknown, RetryKeys } from '../lib/retry-key';
import { formatClock, formatDuration, formatTimestamp } from '../lib/time';
import { CaseActions } from './CaseActions';
import { CASE_ACTION_LABELS, CaseDecisionForm, type CaseAction } from './CaseDecisionForm';
import { channelOf, senderOf } from './CaseRow';
import { usePaneKeys } from './list-keys';

/**
 * One case of a reported message. Opening it claims it (a lease, renewed while it stays open,
 * given back on leaving or with Release), as held messages are claimed. It shows the message as
 * Chime held it, never as a reporter described it; each report with its note and its reporter's
 * track record; the history; the decision form (Dismiss, Redact, Delete, with a reason; the
 * case's version goes with it, so a case that changed meanwhile is refused and reloaded) and the
 * actions on the sender. Every refusal is explained in place.
 *
 *   mount ─▶ POST claim ─▶ held ─every 100 s─▶ POST claim (renew)
 *              └─ 409 ─▶ GET case, explain           └─ every 5 s: GET case (reports, decisions elsewhere)
 *   decide ─▶ POST decision (Idempotency-Key; expectedVersion) ─▶ onDecided (next case)
 *   unmount / pagehide / Release ─▶ DELETE claim
 */
const LEASE_SECONDS = 300;
const RENEW_MS = 100_000;
const REFRESH_MS = 5_000;

export function CasePane(props: { api: Api; me: Viewer; isAdmin: boolean; caseId: string; onDecided: (caseId: string, summary: string) => void; onChanged: () => void; backHref: string; onBack: (e: MouseEvent) => void }) {
  const { api, caseId, me } = props;
  const { epoch } = useSession();
  const [detail, setDetail] = useState<CaseDetail>();
  const [receivedAt, setReceivedAt] = useState(0);
  const [loadError, setLoadError] = useState<ApiError>();
  const [held, setHeld] = useState(false);
  const [notice, setNotice] = useState<Explanation>();
  const [formProblem, setFormProblem] = useState<Explanation>();
  const [mode, setMode] = useState<CaseAction>();
  const [busy, setBusy] = useState(false);
  const heldRef = useRef(false);
  heldRef.current = held;
  const decidedRef = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const keys = useRef(new RetryKeys());
  const path = { params: { path: { caseId } } };
  const explain = (error: ApiError) => explainProblem(error.problem, { nowMs: Date.now() });
  const cannedCase = useCannedReasons(api, detail?.channelArn, 'case');

  const detailRef = useRef<CaseDetail | undefined>(undefined);
  const show = (d: CaseDetail) => {
    detailRef.current = d;
    setDetail(d);
    setReceivedAt(Date.now());
    setLoadError(undefined);
  };

  const claim = async () => {
    const d = await call(api.POST('/cases/{caseId}/claim', { ...path, body: { leaseSeconds: LEASE_SECONDS } }));
    show(d);
    setHeld(true);
    setNotice(undefined);
    return d;
  };

  const reload = useCallback(async () => {
    try {
      const d = await call(api.GET('/cases/{caseId}', path));
      const before = detailRef.current;
      // Decided elsewhere while it was open: say who, what and when.
      if (before && !before.decision && d.decision && !decidedRef.current) {
        setHeld(false);
        setMode(undefined);
        setNotice(explain(new ApiError(409, { type: 'already-decided', decidedBy: d.decision.decidedBy, action: d.decision.action, decidedAt: d.decision.decidedAt, reason: d.decision.reason, caseStatus: d.status })));
      }
      show(d);
      return d;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setLoadError(error);
      return undefined;
    }
  }, [caseId]);

  // Open = claim (an open case only).
  useEffect(() => {
    let cancelled = false;
    if (!sessions.session) return;
    (async () => {
      try {
        await claim();
      } catch (error) {
        if (cancelled || !(error instanceof ApiError) || error.status === 401) return;
        // A decided case opens read-only, without an alarm: its decision is shown.
        if (error.status !== 404 && error.problem.type?.endsWith('/already-decided') !== true) setNotice(explain(error));
        setHeld(false);
        await reload();
      }
      if (!cancelled) heading.current?.focus({ preventScroll: true });
    })();
    return () => {
      cancelled = true;
    };
  }, [caseId, epoch]);

  useEffect(() => {
    if (!held) return;
    const renew = setInterval(async () => {
      try {
        show(await call(api.POST('/cases/{caseId}/claim', { ...path, body: { leaseSeconds: LEASE_SECONDS } })));
      } catch (error) {
        if (error instanceof ApiError && error.status !== 401) {
          setHeld(false);
          setNotice(explain(error));
          void reload();
        }
      }
    }, RENEW_MS);
    return () => clearInterval(renew);
  }, [held, caseId]);

  useEffect(() => {
    const refresh = setInterval(() => {
      if (sessions.session && !busy) void reload();
    }, REFRESH_MS);
    return () => clearInterval(refresh);
  }, [caseId, busy, reload]);

  const release = async () => {
    heldRef.current = false;
    setHeld(false);
    try {
      show(await call(api.DELETE('/cases/{caseId}/claim', path)));
      announce('Claim released: another moderator may take the case.');
      props.onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setNotice(explain(error));
    }
  };

  useEffect(() => {
    const giveBack = (keepalive: boolean) => {
      if (!heldRef.current || decidedRef.current) return;
      heldRef.current = false;
      if (!sessions.token()) return;
      void api.DELETE('/cases/{caseId}/claim', { ...path, keepalive }).catch(() => undefined);
    };
    const onPageHide = () => giveBack(true);
    addEventListener('pagehide', onPageHide);
    return () => {
      removeEventListener('pagehide', onPageHide);
      giveBack(false);
    };
  }, [caseId]);

  const claimedByOther = Boolean(detail?.claim?.active && detail.claim.subject !== me.subject);
  const canDecide = Boolean(detail && detail.status === 'OPEN' && !detail.decision && !claimedByOther && !decidedRef.current);

  const decide = async (decision: { action: CaseAction; reason: string; publicReason?: string }) => {
    if (!detail || !canDecide || busy) return;
    const body = { ...decision, expectedVersion: detail.version };
    setBusy(true);
    setFormProblem(undefined);
    try {
      const d = await call(api.POST('/cases/{caseId}/decision', { params: { path: { caseId }, header: { 'Idempotency-Key': keys.current.keyFor(body) } }, body }));
      keys.current.settled();
      decidedRef.current = true;
      setHeld(false);
      setMode(undefined);
      show(d);
      const chime = d.decision?.chime;
      const verb = { DISMISS: 'Dismissed.', REDACT: 'Redacted.', DELETE: 'Deleted.' }[decision.action];
      if (chime && chime.outcome !== 'DONE') {
        // Recorded, but Chime refused or did not answer: stay, and say so.
        setNotice({
          kind: chime.outcome === 'FAILED' ? 'chime-conflict' : 'chime-unavailable',
          title: chime.outcome === 'FAILED' ? 'Decided; Chime refused the action' : 'Decided; Chime’s answer is not known yet',
          message: chime.outcome === 'FAILED' ? `Your decision is recorded. Chime answered ${chime.chimeError?.type ?? 'an error'}: ${chime.chimeError?.message ?? ''}` : 'Your decision is recorded; the next request on the case settles what Chime did (it reads the message back).',
        });
        announce(`${verb} Chime has not confirmed it.`);
        props.onChanged();
      } else props.onDecided(caseId, verb);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return; // the sign-in comes back; the form stays
      if (!outcomeUnknown(error.status)) keys.current.settled();
      const explained = explain(error);
      if (error.status === 400) setFormProblem(explained);
      else if (outcomeUnknown(error.status)) setFormProblem({ ...explained, message: `${explained.message} Confirm again to retry: the same decision is not made twice.` });
      else {
        setNotice(explained);
        setMode(undefined);
        if (error.status === 409) await reload();
      }
    } finally {
      setBusy(false);
    }
  };

  usePaneKeys(
    {
      a: () => setMode('DISMISS'),
      r: () => setMode('REDACT'),
      d: () => setMode('DELETE'),
    },
    canDecide && !busy,
  );

  return (
    <section class="review-pane case-pane" aria-label="Open case" aria-busy={busy || !detail}>
      <a class="back-link" href={props.backHref} onClick={props.onBack}>
        ← Back to the reports
      </a>
      {notice && <ProblemNotice explained={notice} />}
      {!detail && !loadError && <Loading what="the case" />}
      {!detail && loadError && <ErrorState error={loadError} what="the case" onRetry={() => void reload()} />}
      {detail && (
        <>
          <article class="message" aria-labelledby="case-title">
            <h2 id="case-title" tabIndex={-1} ref={heading}>
              Reported: {senderOf(detail)} in {channelOf(detail)}
            </h2>
            <div class="clock">
              {detail.status === 'OPEN' ? <SlaCountdown secondsAtFetch={detail.secondsToDue} receivedAt={receivedAt} dueAt={detail.dueAt} /> : <span class="status-pill">{detail.status}</span>}
              {detail.urgent && <span class="badge badge-urgent">Urgent: hidden by policy</span>}
              <span class="badge">Priority {priorityText(detail.priority)}</span>
              <span class="badge">Severity {detail.severity} of 5</span>
              <span class="badge">{reportersText(detail.reporterCount, detail.reportersCapped)}</span>
            </div>
            <p class="case-context">
              Sender: <SenderLink arn={detail.sender.arn} name={senderOf(detail)} channel={detail.channelArn} /> · {categoriesText(detail.categories)}
            </p>
            <CaseClaimLine detail={detail} me={me} held={held} canClaim={detail.status === 'OPEN' && !claimedByOther && !held} onClaim={() => void claim().catch((e: unknown) => e instanceof ApiError && setNotice(explain(e)))} onRelease={() => void release()} />
            {detail.autoHide && (
              <p class="notice notice-auto-hide">
                Hidden at once by policy: {detail.autoHide.reporters} reporters within {formatDuration(detail.autoHide.withinSeconds * 1000)}. The redaction: {outcomeText({ action: 'REDACT_MESSAGE', status: detail.autoHide.outcome, sender: { arn: '' }, chimeError: detail.autoHide.chimeError })}.
              </p>
            )}

            <h3>The message, as Chime held it</h3>
            <p class="message-text">{detail.message.content || '(empty message)'}</p>
            <p class="muted message-facts">
              {detail.message.createdTimestamp && <>Sent {formatTimestamp(detail.message.createdTimestamp)}. </>}
              {detail.message.lastEditedTimestamp && <>Edited {formatTimestamp(detail.message.lastEditedTimestamp)}. </>}
              {detail.messageChangedAt && <>Chime’s copy changed after the first report ({formatTimestamp(detail.messageChangedAt)}): this is the newer one. </>}
              {detail.message.target && detail.message.target.length > 0 && <>A targeted message, for {detail.message.target.map(arnTail).join(', ')}. </>}
              Read from Chime by the API; never as a reporter described it.
            </p>
            {detail.message.metadata && (
              <details>
                <summary>Metadata</summary>
                <pre class="code">{detail.message.metadata}</pre>
              </details>
            )}

            <h3 id="case-reports-title">
              Reports ({detail.reportsShown < detail.reporterCount ? `the first ${detail.reportsShown} of ${detail.reporterCount}` : detail.reporterCount})
            </h3>
            <ul class="reports" aria-labelledby="case-reports-title">
              {detail.reports.map((r) => (
                <li key={r.reporterArn}>
                  <div>
                    <strong class="category">{r.categoryLabel}</strong> by <span title={r.reporterArn}>{arnTail(r.reporterArn)}</span>
                    {r.onBehalf ? ' (through a service)' : ''}, <time dateTime={r.reportedAt}>{formatClock(r.reportedAt, { nowMs: Date.now() })}</time>
                  </div>
                  {r.note && <blockquote class="report-note">{r.note}</blockquote>}
                  <div class={`accuracy accuracy-${accuracyLevel(r.reporter.accuracy)}`}>
                    Reporter: {accuracyText(r.reporter)}
                    {Math.round(r.accuracyAtReport * 100) !== Math.round(r.reporter.accuracy * 100) && <span class="muted"> · {Math.round(r.accuracyAtReport * 100)}% when they reported</span>}
                  </div>
                </li>
              ))}
            </ul>

            {detail.decision && (
              <>
                <h3>Decision</h3>
                <p class="case-decision">
                  <strong>{detail.decision.action}</strong> by {detail.decision.decidedBy.name ?? detail.decision.decidedBy.id} at {formatTimestamp(detail.decision.decidedAt)}: {detail.decision.reason}
                  {detail.decision.publicReason && <> (reporters were told: “{detail.decision.publicReason}”)</>}
                  {detail.decision.chime && <> · in Chime: {outcomeText({ action: 'REDACT_MESSAGE', status: detail.decision.chime.outcome, sender: { arn: '' }, chimeError: detail.decision.chime.chimeError })}</>}
                </p>
              </>
            )}
          </article>

          {detail.status === 'OPEN' && (
            <section class="decision" aria-label="Decide">
              <div class="actions decision-buttons">
                {(['DISMISS', 'REDACT', 'DELETE'] as const).map((action) => (
                  <button
                    key={action}
                    type="button"
                    class={action === 'DISMISS' ? 'primary' : 'danger'}
                    disabled={!canDecide || busy}
                    aria-keyshortcuts={{ DISMISS: 'a', REDACT: 'r', DELETE: 'd' }[action]}
                    aria-expanded={mode === action}
                    onClick={() => {
                      setFormProblem(undefined);
                      setMode(action);
                    }}
                  >
                    {CASE_ACTION_LABELS[action]}
                  </button>
                ))}
              </div>
              {canDecide && mode && (
                <CaseDecisionForm key={mode} action={mode} sender={senderOf(detail)} suggestions={cannedCase} busy={busy} problem={formProblem} onConfirm={(d) => void decide(d)} onCancel={() => setMode(undefined)} />
              )}
            </section>
          )}

          <CaseActions api={api} detail={detail} onDone={(result) => show(result.case)} />

          <h3>History</h3>
          <ol class="timeline">
            {detail.history.map((h, i) => (
              <li key={i}>
                <time dateTime={h.at}>{formatTimestamp(h.at)}</time> <strong>{h.actor}</strong> {h.event.replaceAll('-', ' ')}
                {h.count && h.count > 1 ? ` (×${h.count})` : ''}
                {h.reason ? `: ${h.reason}` : ''}
              </li>
            ))}
          </ol>
          <details class="ids">
            <summary>Identifiers</summary>
            <dl>
              <dt>Case</dt>
              <dd>{detail.caseId}</dd>
              <dt>Version</dt>
              <dd>{detail.version}</dd>
              <dt>Sender</dt>
              <dd>{detail.sender.arn}</dd>
              <dt>Channel</dt>
              <dd>{detail.channelArn}</dd>
              <dt>MessageId</dt>
              <dd>{detail.messageId}</dd>
            </dl>
          </details>
        </>
      )}
    </section>
  );
}

function CaseClaimLine(props: { detail: CaseDetail; me: Viewer; held: boolean; canClaim: boolean; onClaim: () => void; onRelease: () => void }) {
  const now = useNow();
  const claim = props.detail.claim?.active ? props.detail.claim : undefined;
  const mine = claim && claim.subject === props.me.subject;
  return (
    <div class="claim-row">
      <p class={`claim-line${claim ? (mine ? ' mine' : ' other') : ''}`}>
        {!claim && 'Not claimed.'}
        {mine && <>Claimed by you until {formatClock(claim.until, { nowMs: now })}{props.held ? ' · renewed while this stays open' : ''}.</>}
        {claim && !mine && (
          <>
            Claimed by <strong>{claim.username ?? claim.subject}</strong> until {formatClock(claim.until, { nowMs: now })}.
          </>
        )}
      </p>
      {mine && props.detail.status === 'OPEN' && (
        <button type="button" class="small" onClick={props.onRelease}>
          Release
        </button>
      )}
      {props.canClaim && !mine && (
        <button type="button" class="small" onClick={props.onClaim}>
          Claim
        </button>
      )}
    </div>
  );
}
