import { factsText, levelBars, LEVELS, outcomeText, outcomeTone, scoreBars, titleParts, type ClassifierRecordView } from '../lib/classifiers';
import './classifiers.css';

/**
 * What each classifier of the scope did with a message: its name, provider and model, the outcome
 * in words, and each label's score as a bar with the review and deny thresholds as ticks on the
 * same scale (Guardrails: a four-step NONE/LOW/MEDIUM/HIGH bar). Each bar is a `meter` whose
 * value text says what the drawing shows; the drawing itself is hidden from assistive technology.
 * Used in "Why it was held", the audit log and the policy test box.
 */
export function ClassifierVerdicts(props: { records: readonly ClassifierRecordView[] | undefined; label?: string }) {
  const records = props.records ?? [];
  if (records.length === 0) return null;
  return (
    <div class="classifier-verdicts">
      <ul class="classifier-list" aria-label={props.label ?? 'Classifiers'}>
        {records.map((r) => (
          <ClassifierBlock key={r.name} record={r} />
        ))}
      </ul>
      <p class="classifier-legend muted">
        <span class="legend-tick review" aria-hidden="true" /> review threshold <span class="legend-tick deny" aria-hidden="true" /> deny threshold · a bar that reached one is in bold
      </p>
    </div>
  );
}

function ClassifierBlock(props: { record: ClassifierRecordView }) {
  const r = props.record;
  const title = titleParts(r);
  const facts = factsText(r);
  const scores = scoreBars(r);
  const levels = levelBars(r);
  return (
    <li class={`classifier tone-${outcomeTone(r)}`} data-classifier={r.name}>
      <p class="classifier-title">
        <strong>{title.name}</strong> <span class="muted">· {title.provider}</span>
        {title.model && (
          <>
            {' '}
            <span class="muted">·</span> <code class="classifier-model">{title.model}</code>
          </>
        )}
      </p>
      <p class="classifier-outcome">{outcomeText(r)}</p>
      {facts.length > 0 && <p class="classifier-facts muted">{facts.join(' · ')}</p>}
      {r.detail && r.outcome !== 'DECIDED' && r.outcome !== 'SHADOW' && <p class="classifier-detail muted">{r.detail}</p>}
      {scores.length > 0 && (
        <ul class="score-bars" aria-label={`${r.name} scores`}>
          {scores.map((b) => (
            <BarRow key={b.label} name={`${r.name} ${b.label}`} label={b.label} value={b.score} max={1} percent={b.percent} review={b.review} deny={b.deny} fired={b.fired} shown={b.score.toFixed(2)} valueText={b.valueText} />
          ))}
        </ul>
      )}
      {levels.length > 0 && (
        <ul class="score-bars levels" aria-label={`${r.name} confidence levels`}>
          {levels.map((b) => (
            <BarRow
              key={b.label}
              name={`${r.name} ${b.label}`}
              label={b.label}
              value={b.step}
              max={3}
              percent={(b.step / 3) * 100}
              review={b.review ? LEVELS.indexOf(b.review) / 3 : undefined}
              deny={b.deny ? LEVELS.indexOf(b.deny) / 3 : undefined}
              fired={b.fired}
              shown={b.level}
              valueText={b.valueText}
              steps
            />
          ))}
        </ul>
      )}
    </li>
  );
}

/** One label: its name, the bar (fill, ticks), and the value in figures. Thresholds are 0..1 of the bar's width. */
function BarRow(props: { name: string; label: string; value: number; max: number; percent: number; review?: number; deny?: number; fired?: 'REVIEW' | 'DENY'; shown: string; valueText: string; steps?: boolean }) {
  const fired = props.fired ? ` fired-${props.fired.toLowerCase()}` : '';
  return (
    <li class={`score-row${fired}`}>
      <span class="score-label" aria-hidden="true">
        {props.label}
      </span>
      <div class={`score-bar${props.steps ? ' stepped' : ''}`} role="meter" aria-label={props.name} aria-valuemin={0} aria-valuemax={props.max} aria-valuenow={props.value} aria-valuetext={props.valueText}>
        <span class="score-fill" style={{ width: `${props.percent}%` }} />
        {props.review !== undefined && <span class="score-tick review" style={{ left: `${props.review * 100}%` }} />}
        {props.deny !== undefined && <span class="score-tick deny" style={{ left: `${props.deny * 100}%` }} />}
      </div>
      <span class="score-value" aria-hidden="true">
        {props.shown}
        {props.fired && <strong class="score-fired"> ≥ {props.fired === 'DENY' ? 'deny' : 'review'}</strong>}
      </span>
    </li>
  );
}
