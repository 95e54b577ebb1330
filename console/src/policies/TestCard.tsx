import type { PolicyTestResult } from '../api/client';
import { ErrorState } from '../components/States';
import type { ApiError } from '../api/client';
import { TestResults } from './TestResults';

/**
 * The test box: sample messages, one per line, judged as the moderator types (POST
 * /policies/test: nothing is sent or stored) by the draft when there is one, else by the saved
 * policy. Each result shows the verdict and the matches highlighted in place.
 */
export interface CheckState {
  pending: boolean;
  /** What the results were judged by. */
  judged?: 'draft' | 'saved';
  messages: string[];
  results?: PolicyTestResult['results'];
  /** 400 errors about the messages (too long …), by message. */
  messageErrors: Array<{ path: string; message: string }>;
  error?: ApiError;
  /** Why the draft cannot be tested now (YAML problems, API problems). */
  blocked?: string;
}

export const sampleLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

export function TestCard(props: { samples: string; setSamples: (text: string) => void; sender: string; setSender: (text: string) => void; check: CheckState; onTestNow: () => void }) {
  const { check } = props;
  const count = sampleLines(props.samples).length;
  return (
    <section class="card test-card" aria-labelledby="test-title">
      <div class="card-head">
        <h2 id="test-title">Test</h2>
        <span class="muted small-print">{check.judged === 'draft' ? 'Judged by your draft (not saved)' : check.judged === 'saved' ? 'Judged by the saved policy' : ''}</span>
      </div>
      <label for="policy-samples">Sample messages, one per line</label>
      <textarea
        id="policy-samples"
        rows={4}
        value={props.samples}
        placeholder={'get your scamcoin here\nmail me at someone@example.com'}
        aria-describedby="samples-help"
        onInput={(e) => props.setSamples(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            props.onTestNow();
          }
        }}
      />
      <small id="samples-help" class="hint">
        Judged by the rules as you type; Test (Ctrl+Enter) also calls the classifiers, which counts against their quota. Nothing is sent to Chime or stored.
      </small>
      <details class="test-more">
        <summary>Sender</summary>
        <label for="policy-sender">Sender ARN (for the senders rules)</label>
        <input id="policy-sender" value={props.sender} placeholder="arn:aws:chime:…:app-instance/…/user/…" onInput={(e) => props.setSender(e.currentTarget.value)} />
      </details>
      <div class="actions">
        <button type="button" onClick={props.onTestNow} disabled={count === 0 || Boolean(check.blocked)}>
          Test
        </button>
        <span class="muted" role="status">
          {check.pending ? 'Testing…' : check.blocked ? check.blocked : count === 0 ? 'Type a message to see what the policy does with it.' : ''}
        </span>
      </div>
      {check.messageErrors.length > 0 && (
        <ul class="field-error" role="alert">
          {check.messageErrors.map((e, i) => (
            <li key={i}>{describeMessageError(e)}</li>
          ))}
        </ul>
      )}
      {check.error && <ErrorState error={check.error} what="the test" onRetry={props.onTestNow} />}
      {check.results && check.results.length > 0 && <TestResults messages={check.messages} results={check.results} />}
    </section>
  );
}

function describeMessageError(e: { path: string; message: string }): string {
  const at = /^body\.messages\.(\d+)(?:\.(\w+))?/.exec(e.path);
  if (!at) return `${e.path}: ${e.message}`;
  const field = at[2] === 'senderArn' ? 'Sender ARN' : at[2] === 'content' || !at[2] ? 'content' : at[2];
  return `Message ${Number(at[1]) + 1}, ${field}: ${e.message}`;
}
