import type { Ref } from 'preact';
import { ProblemNotice } from '../components/States';
import type { Explanation } from '../lib/problems';
import { OUTCOME_LABELS, outcomeSentence, type RedeliverItemResult, type RedeliverySummary } from '../lib/redelivery';

export interface RedeliveryReportData {
  /** "Re-deliver all" or one message. */
  scope: 'all' | 'one';
  summary: RedeliverySummary;
  lines: Array<{ result: RedeliverItemResult; label: string }>;
  /** The API refused or did not answer (the lines before it are kept). */
  problem?: Explanation | undefined;
}

const MARK = { ok: '✓', pending: '•', bad: '✗' } as const;

/** What a re-delivery did, item by item, until dismissed (the list itself is re-read from the API). */
export function RedeliveryReport(props: { report: RedeliveryReportData; headingRef: Ref<HTMLHeadingElement>; onDismiss: () => void }) {
  const { report } = props;
  return (
    <section class={`redelivery-report${report.summary.allGood && !report.problem ? ' all-good' : ''}`} aria-labelledby="redelivery-report-title">
      <h2 id="redelivery-report-title" tabIndex={-1} ref={props.headingRef}>
        {report.scope === 'all' ? 'Re-deliver all' : 'Re-deliver'}: {report.summary.title}
      </h2>
      {report.problem && <ProblemNotice explained={report.problem} />}
      {report.summary.advice && <p class="redelivery-advice">{report.summary.advice}</p>}
      {report.lines.length > 0 && (
        <ul class="redelivery-lines">
          {report.lines.map(({ result, label }) => {
            const tone = OUTCOME_LABELS[result.outcome]?.tone ?? 'pending';
            return (
              <li key={result.callbackId} class={`tone-${tone}`} data-callback-id={result.callbackId} data-outcome={result.outcome}>
                <span class="redelivery-mark" aria-hidden="true">
                  {MARK[tone]}
                </span>
                <span>
                  <span class="redelivery-label">{label}</span> — <span class="redelivery-outcome">{outcomeSentence(result)}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" onClick={props.onDismiss}>
        Dismiss
      </button>
    </section>
  );
}
