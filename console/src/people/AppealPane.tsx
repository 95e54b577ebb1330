import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type Appeal, type Viewer } from '../api/client';
import { useCannedReasons } from '../canned-reasons';
import { ReasonForm } from '../components/ReasonForm';
import { SenderLink } from '../components/SenderLink';
import { ErrorState, Loading, ProblemNotice } from '../components/States';
import { useSession } from '../hooks';
import { appealConsequence, appealedWho, effectLines, madeTheDecision } from '../lib/people';
import { arnTail, explainProblem, type Explanation } from '../lib/problems';
import { outcomeUnknown, RetryKeys } from '../lib/retry-key';
import { formatTimestamp } from '../lib/time';
import { caseUrl, onLinkClick, reviewUrl } from '../router';
import { appellantOf } from './AppealsView';
import { usePaneKeys } from './list-keys';

/**
 * One appeal: the decision appealed (the message as its sender wrote it, the rules, who decided,
 * when and why), the member's own words, and the outcome: Uphold or Overturn, with a reason the
 * member reads. Whoever made the decision may not decide its appeal (the API answers 403
 * four-eyes): the console says so before anyone tries, and explains the refusal if it comes.
 */
const REFRESH_MS = 10_000;
type Outcome = 'UPHOLD' | 'OVERTURN';

export function AppealPane(props: { api: Api; me: Viewer; appealId: string; onDecided: (appealId: string, summary: string) => void; backHref: string; onBack: (e: MouseEvent) => void }) {
  const { api, appealId, me } = props;
  const { epoch } = useSession();
  const [appeal, setAppeal] = useState<Appeal>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [mode, setMode] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Explanation>();
  const [formProblem, setFormProblem] = useState<Explanation>();
  const heading = useRef<HTMLHeadingElement>(null);
  const keys = useRef(new RetryKeys());
  const decided = useRef(false);
  const appealRef = useRef<Appeal | undefined>(undefined);
  const canned = useCannedReasons(api, appeal?.appealed.channelArn, 'appeal');

  const load = useCallback(async () => {
    try {
      const a = await call(api.GET('/appeals/{appealId}', { params: { path: { appealId } } }));
      const before = appealRef.current;
      // Decided by someone else while it was open: who, what, when.
      if (before && !before.decision && a.decision && !decided.current) {
        setMode(undefined);
        setNotice(explainProblem({ type: 'already-decided', decidedBy: a.decision.decidedBy, outcome: a.decision.outcome, decidedAt: a.decision.decidedAt, reason: a.decision.reason }, { nowMs: Date.now() }));
      }
      appealRef.current = a;
      setAppeal(a);
      setLoadError(undefined);
      return a;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setLoadError(error);
      return undefined;
    }
  }, [appealId]);

  useEffect(() => {
    void load().then(() => heading.current?.focus({ preventScroll: true }));
  }, [appealId, epoch]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (!busy) void load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [busy, load]);

  const ownDecision = appeal ? madeTheDecision(appeal.appealed, me.subject) : false;
  const canDecide = Boolean(appeal && appeal.status === 'PENDING' && !ownDecision && !decided.current);

  const decide = async (outcome: Outcome, reason: string) => {
    if (!appeal || busy) return;
    const body = { outcome, reason, expectedVersion: appeal.version };
    setBusy(true);
    setFormProblem(undefined);
    try {
      const a = await call(api.POST('/appeals/{appealId}/decision', { params: { path: { appealId }, header: { 'Idempotency-Key': keys.current.keyFor(body) } }, body }));
      keys.current.settled();
      decided.current = true;
      appealRef.current = a;
      setAppeal(a);
      setMode(undefined);
      props.onDecided(appealId, outcome === 'OVERTURN' ? 'Overturned.' : 'Upheld.');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return;
      if (!outcomeUnknown(error.status)) keys.current.settled();
      const explained = explainProblem(error.problem, { nowMs: Date.now() });
      if (error.status === 400) setFormProblem(explained);
      else if (outcomeUnknown(error.status)) setFormProblem({ ...explained, message: `${explained.message} Confirm again to retry: the appeal is not decided twice.` });
      else {
        setNotice(explained);
        setMode(undefined);
        await load();
      }
    } finally {
      setBusy(false);
    }
  };

  usePaneKeys({ u: () => setMode('UPHOLD'), o: () => setMode('OVERTURN') }, canDecide && !busy);

  const a = appeal;
  const decidedLink = a && (a.ref.kind === 'message' && a.ref.callbackId ? reviewUrl(a.ref.callbackId, '') : a.ref.caseId ? caseUrl(a.ref.caseId, '') : undefined);
  return (
    <section class="review-pane appeal-pane" aria-label="Open appeal" aria-busy={busy || !appeal}>
      <a class="back-link" href={props.backHref} onClick={props.onBack}>
        ← Back to the appeals
      </a>
      {notice && <ProblemNotice explained={notice} />}
      {!a && !loadError && <Loading what="the appeal" />}
      {!a && loadError && <ErrorState error={loadError} what="the appeal" onRetry={() => void load()} />}
      {a && (
        <>
          <article class="message" aria-labelledby="appeal-title">
            <h2 id="appeal-title" tabIndex={-1} ref={heading}>
              Appeal by {appellantOf(a)}
            </h2>
            <div class="clock">
              <span class="status-pill">{a.status}</span>
              <span class="deadline">
                Made {formatTimestamp(a.createdAt)}
                {a.appellant.onBehalf ? ' through a service' : ''} · the appeal window {Date.parse(a.windowClosedAt) > Date.now() ? 'closes' : 'closed'} {formatTimestamp(a.windowClosedAt)}
              </span>
            </div>

            <h3>The member’s appeal</h3>
            <blockquote class="appeal-text">{a.text}</blockquote>

            <h3>The decision appealed</h3>
            <p>
              <strong>{appealedWho(a.appealed)}</strong> at {formatTimestamp(a.appealed.decidedAt)}
              {a.appealed.banned ? ', and the sender was banned for it' : ''}. Reason: “{a.appealed.reason}”.
            </p>
            {a.appealed.ruleIds.length > 0 && (
              <p class="rules-line">
                Rules:{' '}
                {a.appealed.ruleIds.map((rule) => (
                  <code key={rule} class={`rule family-${rule.split('.')[0]}`}>
                    {rule}
                  </code>
                ))}
              </p>
            )}
            <p class="case-context">
              Sender: <SenderLink arn={a.appealed.sender.arn} name={a.appealed.sender.name} channel={a.appealed.channelArn} /> · #{arnTail(a.appealed.channelArn)}
              {decidedLink && (
                <>
                  {' '}
                  ·{' '}
                  <a href={decidedLink} onClick={onLinkClick}>
                    {a.ref.kind === 'message' ? 'Open the held message' : 'Open the report case'}
                  </a>
                </>
              )}
            </p>
            <h3>The message, as its sender wrote it</h3>
            <p class="message-text">{a.appealed.message.content || '(empty message)'}</p>

            {a.decision && (
              <>
                <h3>Outcome</h3>
                <p>
                  <strong>{a.decision.outcome === 'OVERTURN' ? 'Overturned' : 'Upheld'}</strong> by {a.decision.decidedBy.name ?? a.decision.decidedBy.id} at {formatTimestamp(a.decision.decidedAt)}: {a.decision.reason}
                </p>
                <ul class="effects">
                  {effectLines(a.effects).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <p class="muted">{a.settledAt ? `Every effect done at ${formatTimestamp(a.settledAt)}.` : 'Some effects are still owed: the sweeper tries them again.'}</p>
              </>
            )}
          </article>

          {a.status === 'PENDING' && (
            <section class="decision" aria-label="Decide the appeal">
              {ownDecision && (
                <p class="notice notice-four-eyes" id="four-eyes-note">
                  <span class="notice-title">Another moderator must decide.</span> You made the original decision: another moderator must decide this appeal.
                </p>
              )}
              <div class="actions decision-buttons">
                <button type="button" class="primary" disabled={!canDecide || busy} aria-describedby={ownDecision ? 'four-eyes-note' : undefined} aria-keyshortcuts="u" aria-expanded={mode === 'UPHOLD'} onClick={() => setMode('UPHOLD')}>
                  Uphold
                </button>
                <button type="button" class="danger" disabled={!canDecide || busy} aria-describedby={ownDecision ? 'four-eyes-note' : undefined} aria-keyshortcuts="o" aria-expanded={mode === 'OVERTURN'} onClick={() => setMode('OVERTURN')}>
                  Overturn
                </button>
              </div>
              {canDecide && mode && (
                <ReasonForm
                  key={mode}
                  class="confirm-form"
                  aria-label={mode === 'OVERTURN' ? 'Overturn the decision' : 'Uphold the decision'}
                  consequence={appealConsequence(mode, a.appealed)}
                  id="appeal-reason"
                  label="Reason"
                  maxLength={500}
                  help="The member reads it in the outcome notice; kept in the audit log."
                  confirm={mode === 'OVERTURN' ? 'Confirm overturn' : 'Confirm uphold'}
                  working="Working…"
                  busy={busy}
                  problem={formProblem}
                  suggestions={canned}
                  tone={mode === 'OVERTURN' ? 'danger' : 'primary'}
                  onConfirm={(reason) => void decide(mode, reason)}
                  onCancel={() => setMode(undefined)}
                />
              )}
            </section>
          )}
        </>
      )}
    </section>
  );
}
