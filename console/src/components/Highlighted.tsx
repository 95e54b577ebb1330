import { highlightRuns, ruleFamily, type FindingWithSpans } from '../lib/highlight';

/**
 * The message exactly as the sender wrote it, with the parts that fired a rule marked in place.
 * Each mark names its rules (for screen readers and on hover).
 */
export function Highlighted(props: { content: string; findings: readonly FindingWithSpans[] }) {
  const runs = highlightRuns(props.content, props.findings);
  return (
    <p class="message-text">
      {runs.map((run) =>
        run.rules.length === 0 ? (
          run.text
        ) : (
          <mark key={run.start} class={`finding family-${ruleFamily(run.rules[0]!)}`} title={run.rules.join(', ')} data-rules={run.rules.join(' ')}>
            {run.text}
            <span class="visually-hidden"> (flagged by {run.rules.join(', ')})</span>
          </mark>
        ),
      )}
    </p>
  );
}
