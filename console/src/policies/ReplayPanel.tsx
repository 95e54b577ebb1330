import { useState } from 'preact/hooks';
import { ApiError, call, type Api, type PolicyDocument, type PolicyReplayResult } from '../api/client';
import { announce } from '../announcer';
import { Highlighted } from '../components/Highlighted';
import { ErrorState } from '../components/States';
import { formatTimestamp } from '../lib/time';
import { onLinkClick, reviewUrl } from '../router';
import { ClassifierVerdicts } from '../components/ClassifierVerdicts';
import { CostEstimate, ReplayClassifierSummary } from './ReplayClassifiers';
import { ActionBadge } from './TestResults';
import { scopeLabel } from './scopes';

/**
 * Replay: the candidate (the draft, or the saved document) against the messages recorded in a
 * window, through POST /policies/replay: what the recorded policy did → what the candidate would
 * do, the changed messages, and the review queue it would make per day.
 */
const ACTIONS = ['ALLOW', 'UPDATE', 'REVIEW', 'DENY'] as const;
const HOUR = 3_600_000;

const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function ReplayPanel(props: { api: Api; scope: string; document: unknown | undefined; candidateLabel: string; blockedBecause?: string | undefined }) {
  const [from, setFrom] = useState(() => localInput(Date.now() - 24 * HOUR));
  const [to, setTo] = useState(() => localInput(Date.now() + 60_000));
  const [limit, setLimit] = useState('1000');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PolicyReplayResult>();
  const [error, setError] = useState<ApiError>();
  // Classifiers replay on recorded scores; calling a provider takes an explicit cap, and the
  // projected cost is shown (an `estimate: true` answer, calling nothing) before any call.
  const [callProviders, setCallProviders] = useState(false);
  const [cap, setCap] = useState('');
  const [estimate, setEstimate] = useState<{ key: string; answer: PolicyReplayResult }>();
  const estimateKey = JSON.stringify([props.scope, props.document, from, to, limit, cap]);
  const shownEstimate = callProviders && estimate?.key === estimateKey ? estimate.answer : undefined;

  const replay = async (mode: 'recorded' | 'estimate' | 'calls') => {
    if (props.document === undefined || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        scope: props.scope,
        document: props.document as PolicyDocument,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        limit: Number(limit),
        samples: 20,
        estimate: mode === 'estimate',
        ...(mode === 'recorded' ? {} : { classifierCalls: { max: Number(cap) } }),
      };
      const answer = await call(props.api.POST('/policies/replay', { body }));
      if (mode === 'estimate') {
        setEstimate({ key: estimateKey, answer });
        const calls = answer.classifiers?.estimate.capped.calls ?? 0;
        announce(`Projected: ${calls} provider call${calls === 1 ? '' : 's'}. Nothing was called yet.`);
        return;
      }
      setEstimate(undefined);
      setResult(answer);
      announce(`Replayed ${answer.evaluated} recorded message${answer.evaluated === 1 ? '' : 's'}: ${answer.changed} would change.`);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setError(e);
    } finally {
      setBusy(false);
    }
  };
  const run = (event: Event) => {
    event.preventDefault();
    void replay(callProviders ? 'estimate' : 'recorded');
  };

  return (
    <section class="replay" aria-labelledby="replay-title">
      <h2 id="replay-title">Replay recorded traffic</h2>
      <p class="hint">
        Judges the messages recorded in a window (decided ones, and those still held) by <strong>{props.candidateLabel}</strong> at {scopeLabel(props.scope)}, and compares with what was
        recorded. Nothing is sent or written.
      </p>
      <form class="replay-form" onSubmit={run} aria-label="Replay window">
        <div>
          <label for="replay-from">From</label>
          <input id="replay-from" type="datetime-local" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div>
          <label for="replay-to">To</label>
          <input id="replay-to" type="datetime-local" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
        <div>
          <label for="replay-limit">At most (messages)</label>
          <input id="replay-limit" type="number" min={1} max={5000} required value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
        </div>
        <fieldset class="replay-calls">
          <legend>Classifiers</legend>
          <p class="hint" id="replay-calls-help">
            Replay recomputes them from the scores recorded with each message and calls no provider. To score what has none, call the providers, at most as many times as you say: the cost is shown first.
          </p>
          <label class="check">
            <input type="checkbox" checked={callProviders} aria-describedby="replay-calls-help" onChange={(e) => setCallProviders(e.currentTarget.checked)} /> Call the providers for messages without recorded scores
          </label>
          {callProviders && (
            <div>
              <label for="replay-cap">At most (provider calls)</label>
              <input id="replay-cap" type="number" min={1} max={1000} required value={cap} onInput={(e) => setCap(e.currentTarget.value)} />
            </div>
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || props.document === undefined} aria-describedby={props.blockedBecause ? 'replay-blocked' : undefined}>
            {busy ? 'Replaying…' : callProviders ? 'Estimate the cost' : 'Replay'}
          </button>
        </div>
      </form>
      {props.blockedBecause && (
        <p id="replay-blocked" class="hint">
          {props.blockedBecause}
        </p>
      )}
      {error && <ErrorState error={error} what="the replay" />}
      {shownEstimate?.classifiers && (
        <CostEstimate estimate={shownEstimate.classifiers.estimate} cap={Number(cap)} busy={busy} onRun={() => void replay('calls')} onCancel={() => setEstimate(undefined)} />
      )}
      {result && <ReplayResult result={result} />}
    </section>
  );
}

function ReplayResult(props: { result: PolicyReplayResult }) {
  const r = props.result;
  const held = r.reviewQueue.reduce((s, d) => ({ recorded: s.recorded + d.recorded, candidate: s.candidate + d.candidate }), { recorded: 0, candidate: 0 });
  return (
    <div class="replay-result" aria-live="polite">
      <p class="replay-summary">
        <strong>{r.evaluated}</strong> recorded message{r.evaluated === 1 ? '' : 's'} judged; <strong>{r.changed}</strong> would change. Held for review: {held.recorded} → {held.candidate}.
        {r.skipped.noVerdict > 0 && ` ${r.skipped.noVerdict} without a recorded verdict were skipped.`}
      </p>
      {r.capped && (
        <p class="notice">
          Stopped at the cap ({r.cap.reached === 'limit' ? `${r.cap.limit} messages` : `${r.cap.limit * 4} read`}): the figures cover the newest messages of the window. Narrow the window, or raise the limit.
        </p>
      )}
      <div class="table-scroll matrix-scroll" role="region" aria-label="Recorded action → candidate action" tabIndex={0}>
        <table class="matrix">
          <caption>Recorded action (rows) → candidate action (columns), in messages</caption>
          <thead>
            <tr>
              <td />
              {ACTIONS.map((a) => (
                <th key={a} scope="col">
                  <ActionBadge action={a} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ACTIONS.map((recorded) => (
              <tr key={recorded}>
                <th scope="row">
                  <ActionBadge action={recorded} />
                </th>
                {ACTIONS.map((candidate) => {
                  const n = r.matrix[recorded][candidate];
                  const changed = recorded !== candidate && n > 0;
                  return (
                    <td key={candidate} class={changed ? 'cell-changed' : recorded === candidate ? 'cell-same' : 'cell-zero'} data-cell={`${recorded}>${candidate}`}>
                      {n}
                      {changed && <span class="visually-hidden"> (changed)</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <ReplayClassifierSummary classifiers={r.classifiers} />

      {r.reviewQueue.length > 0 && (
        <details class="review-volume">
          <summary>Review queue per day</summary>
          <div class="table-scroll" role="region" aria-label="Review queue per day" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col">Messages</th>
                  <th scope="col">Held, recorded</th>
                  <th scope="col">Held, candidate</th>
                </tr>
              </thead>
              <tbody>
                {r.reviewQueue.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{d.day}</th>
                    <td>{d.evaluated}</td>
                    <td>{d.recorded}</td>
                    <td>{d.candidate}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}

      <h3>Changed messages{r.samples.length < r.changed ? ` (${r.samples.length} of ${r.changed}, spread over the kinds of change)` : ''}</h3>
      {r.samples.length === 0 ? (
        <p class="muted">None: the candidate decides every replayed message as it was recorded.</p>
      ) : (
        <ol class="samples">
          {r.samples.map((s) => (
            <li key={s.callbackId} class="sample">
              <p class="sample-change">
                <ActionBadge action={s.recorded.action} /> <span class="muted">{s.recorded.ruleIds.join(', ') || 'no rule'}</span> → <ActionBadge action={s.candidate.action} />{' '}
                <span class="muted">{s.candidate.ruleIds.join(', ') || 'no rule'}</span>
              </p>
              <Highlighted content={s.content} findings={s.candidate.findings} />
              {s.candidate.classifiers && s.candidate.classifiers.length > 0 && (
                <details class="sample-classifiers">
                  <summary>Classifiers ({s.candidate.classifiers.length})</summary>
                  <ClassifierVerdicts records={s.candidate.classifiers} label="The candidate’s classifiers on this message" />
                </details>
              )}
              <p class="muted small-print">
                Received {formatTimestamp(s.receivedAt)} · now {s.status}
                {s.decision ? ` · finally ${s.decision.action} (${s.decision.origin})` : ''} ·{' '}
                <a href={reviewUrl(s.callbackId, '')} onClick={onLinkClick}>
                  open the message
                </a>
              </p>
            </li>
          ))}
        </ol>
      )}
      {r.shadow.compared > 0 && (
        <p class="muted">
          Shadow verdicts recorded in the window: {r.shadow.compared}, of which {r.shadow.differ} differ from what was applied.
        </p>
      )}
    </div>
  );
}
