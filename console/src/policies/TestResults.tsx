import type { PolicyTestResult } from '../api/client';
import { ClassifierVerdicts } from '../components/ClassifierVerdicts';
import { Highlighted } from '../components/Highlighted';
import { scopeLabel } from './scopes';

type Verdict = PolicyTestResult['results'][number];

export const ACTION_WORDS: Record<string, string> = {
  ALLOW: 'delivered unchanged',
  UPDATE: 'delivered with personal data masked',
  REVIEW: 'held for a moderator',
  DENY: 'rejected',
};

export function ActionBadge(props: { action: string }) {
  return <span class={`verdict verdict-${props.action}`}>{props.action}</span>;
}

/** Which versions judged it: `global v3 › your draft`. */
export function versionsText(versions: Verdict['versions']): string {
  return versions.map((v) => `${scopeLabel(v.scope)} ${v.candidate ? '(your draft)' : `v${v.version}`}${v.mode === 'shadow' ? ' (shadow)' : ''}`).join(' › ');
}

/** What the policy would do with each sample message: the verdict, the matches in place, the masked text. */
export function TestResults(props: { messages: readonly string[]; results: readonly Verdict[] }) {
  return (
    <ol class="test-results" aria-label="Test results">
      {props.results.map((r) => {
        const content = props.messages[r.index] ?? '';
        return (
          <li key={r.index} class={`test-result verdict-border-${r.action}`}>
            <p class="test-verdict">
              {r.classifiers && r.classifiers.length > 0 && 'The rules: '}
              <ActionBadge action={r.action} /> {ACTION_WORDS[r.action]}
              {r.ruleIds.length > 0 && (
                <span class="row-rules verdict-rules">
                  {r.ruleIds.map((rule) => (
                    <code key={rule} class={`rule family-${rule.split('.')[0]}`}>
                      {rule}
                    </code>
                  ))}
                </span>
              )}
            </p>
            <Highlighted content={content} findings={r.findings} />
            {r.findings.length > 0 && (
              <ul class="findings">
                {r.findings.map((f, i) => (
                  <li key={i}>
                    <code class={`rule family-${f.ruleId.split('.')[0]}`}>{f.ruleId}</code> <span class="finding-action">{f.action}</span> {f.reason}
                    {f.spans && f.spans.length > 0 && <span class="muted"> (matched {f.spans.map((s) => `“${s.text}”`).join(', ')})</span>}
                  </li>
                ))}
              </ul>
            )}
            {r.content !== undefined && (
              <p class="delivered-as">
                Delivered as: <q>{r.content}</q>
              </p>
            )}
            {r.classifiers && r.classifiers.length > 0 && (
              <>
                {r.combined && (
                  <p class="test-verdict combined-verdict">
                    With the classifiers: <ActionBadge action={r.combined.action} /> {ACTION_WORDS[r.combined.action]}
                    {r.combined.action === r.action ? ' (as the rules alone)' : ` (the rules alone: ${r.action})`}
                  </p>
                )}
                <ClassifierVerdicts records={r.classifiers} label={`What the classifiers said about message ${r.index + 1}`} />
              </>
            )}
            {r.shadow && (
              <p class="muted">
                Shadow policy (recorded, not applied): <ActionBadge action={r.shadow.action} /> {r.shadow.ruleIds.join(', ') || 'no rule'}
              </p>
            )}
            <p class="muted small-print">Judged by {versionsText(r.versions)}.</p>
          </li>
        );
      })}
    </ol>
  );
}
