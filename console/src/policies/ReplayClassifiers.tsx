import type { PolicyReplayResult } from '../api/client';
import { estimateText, formatUsd, PROVIDER_NAMES } from '../lib/classifiers';

/**
 * The classifiers' part of a replay (POST /policies/replay, `classifiers`): where their
 * conclusions came from (recorded scores, capped calls), what each concluded, and what calling
 * the providers for the rest would cost, in calls, text units and dollars, before any call.
 */
type ReplayClassifiers = PolicyReplayResult['classifiers'];
type Estimate = ReplayClassifiers['estimate'];

/** The projected cost of a replay that calls providers, shown before it runs; `onRun` makes the calls. */
export function CostEstimate(props: { estimate: Estimate; cap: number; busy: boolean; onRun: () => void; onCancel: () => void }) {
  const e = props.estimate;
  return (
    <section class="cost-estimate notice" aria-labelledby="cost-estimate-title">
      <h3 id="cost-estimate-title">Before it calls the providers</h3>
      <p>
        Of {e.items} replayed message{e.items === 1 ? '' : 's'}, those without usable recorded scores need <strong>{estimateText(e.needed)}</strong>.
      </p>
      <p>
        With a cap of {props.cap} call{props.cap === 1 ? '' : 's'}, this replay makes <strong>{estimateText(e.capped)}</strong>
        {e.capped.calls < e.needed.calls ? `; the other ${e.needed.calls - e.capped.calls} stay not scored` : ''}.
      </p>
      <EstimateTable estimate={e.capped} caption="By classifier, within the cap" />
      <p class="muted small-print">
        At list prices from {e.prices.file} ({e.prices.asOf}, {e.prices.currency}). The calls count against the same quota as the workers’.
      </p>
      <div class="actions">
        <button type="button" class="primary" disabled={props.busy || e.capped.calls === 0} onClick={props.onRun}>
          {props.busy ? 'Replaying…' : `Replay, making at most ${props.cap} provider call${props.cap === 1 ? '' : 's'}`}
        </button>
        <button type="button" disabled={props.busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function EstimateTable(props: { estimate: Estimate['capped']; caption: string }) {
  if (props.estimate.byClassifier.length === 0) return null;
  return (
    <div class="table-scroll" role="region" aria-label={props.caption} tabIndex={0}>
      <table class="estimate-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Classifier</th>
            <th scope="col">Calls</th>
            <th scope="col">Text units</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {props.estimate.byClassifier.map((c) => (
            <tr key={c.name}>
              <th scope="row">
                {c.name} <span class="muted">({PROVIDER_NAMES[c.provider]})</span>
              </th>
              <td>{c.calls}</td>
              <td>{c.textUnits}</td>
              <td>{formatUsd(c.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** After a replay: how the candidate's classifiers were judged, and each one's conclusions. */
export function ReplayClassifierSummary(props: { classifiers: ReplayClassifiers | undefined }) {
  const c = props.classifiers;
  if (!c || c.source === 'none') return null;
  const notScored = c.byClassifier.reduce((n, k) => n + k.notScored, 0);
  return (
    <section class="replay-classifiers" aria-labelledby="replay-classifiers-title">
      <h3 id="replay-classifiers-title">Classifiers</h3>
      <p>
        {c.source === 'recorded' ? 'Recomputed from the recorded scores: no provider was called.' : `Recorded scores, and ${c.calls.made} of at most ${c.calls.max} provider call${c.calls.max === 1 ? '' : 's'} for the rest.`}
        {notScored > 0 && ` ${notScored} judgement${notScored === 1 ? '' : 's'} had no recorded scores and were not scored: they add nothing to the candidate’s verdicts.`}
      </p>
      <div class="table-scroll" role="region" aria-label="Classifiers in the replay" tabIndex={0}>
        <table class="replay-classifier-table">
          <thead>
            <tr>
              <th scope="col">Classifier</th>
              <th scope="col">From recorded scores</th>
              <th scope="col">Called</th>
              <th scope="col">Not scored</th>
              <th scope="col">Not sent</th>
              <th scope="col">Unavailable</th>
              <th scope="col">Concluded (allow · review · deny)</th>
            </tr>
          </thead>
          <tbody>
            {c.byClassifier.map((k) => (
              <tr key={k.name}>
                <th scope="row">
                  {k.name}
                  {k.shadow ? ' (shadow)' : ''} <span class="muted">({PROVIDER_NAMES[k.provider]})</span>
                </th>
                <td>{k.recorded}</td>
                <td>{k.called}</td>
                <td>{k.notScored}</td>
                <td>{k.skipped}</td>
                <td>{k.unavailable}</td>
                <td>
                  {k.actions.ALLOW} · {k.actions.REVIEW} · {k.actions.DENY}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {c.source === 'recorded' && c.estimate.needed.calls > 0 && (
        <p class="muted">
          Calling the providers for what has no recorded scores would take {estimateText(c.estimate.needed)}. Tick “Call the providers” and set a cap to do it.
        </p>
      )}
    </section>
  );
}
