import { useState } from 'preact/hooks';
import { ApiError, call, type Api, type BulkDecisionResult, type ReviewSummary } from '../api/client';
import { LIMITS } from '../api/limits';
import { useCannedReasons } from '../canned-reasons';
import { explainProblem } from '../lib/problems';
import { DenyForm } from './DecisionPanel';
import { senderName, snippet } from './names';

export interface BulkOutcome {
  callbackId: string;
  label: string;
  ok: boolean;
  text: string;
}

/**
 * Several items at once: Allow them, or Deny them with one reason. The API answers per item
 * (POST /reviews/decisions, 25 at a time); each result is reported on its own line.
 */
export function BulkBar(props: { api: Api; selected: ReviewSummary[]; onDone: (outcomes: BulkOutcome[]) => void; onClear: () => void }) {
  const [denying, setDenying] = useState(false);
  const [busy, setBusy] = useState(false);
  const count = props.selected.length;
  // One channel selected: its policy's canned reasons (several channels: no single list applies).
  const channels = new Set(props.selected.map((i) => i.message.channelArn));
  const cannedDeny = useCannedReasons(props.api, channels.size === 1 ? [...channels][0] : undefined, 'deny');

  const run = async (action: 'ALLOW' | 'DENY', reason?: string) => {
    setBusy(true);
    const outcomes: BulkOutcome[] = [];
    const labels = new Map(props.selected.map((i) => [i.callbackId, `${senderName(i.message.sender)}: ${snippet(i.message.content, 50)}`]));
    for (let start = 0; start < props.selected.length; start += LIMITS.bulkMax) {
      const chunk = props.selected.slice(start, start + LIMITS.bulkMax);
      const decisions = chunk.map((i) => ({ callbackId: i.callbackId, action, ...(reason ? { reason } : {}) }));
      let result: BulkDecisionResult;
      try {
        result = await call(props.api.POST('/reviews/decisions', { body: { decisions } }));
      } catch (error) {
        const problem = error instanceof ApiError ? error.problem : { status: 0 };
        const explained = explainProblem(problem, { nowMs: Date.now() });
        for (const i of chunk) outcomes.push({ callbackId: i.callbackId, label: labels.get(i.callbackId)!, ok: false, text: `${explained.title}: ${explained.message}` });
        continue;
      }
      for (const r of result.results) {
        const label = labels.get(r.callbackId) ?? r.callbackId;
        if (r.status === 200) outcomes.push({ callbackId: r.callbackId, label, ok: true, text: `${action === 'ALLOW' ? 'Allowed' : 'Denied'} (${r.item?.status ?? 'recorded'})` });
        else {
          const explained = explainProblem(r.problem ?? { status: r.status }, { nowMs: Date.now() });
          outcomes.push({ callbackId: r.callbackId, label, ok: false, text: `${explained.title}: ${explained.message}` });
        }
      }
    }
    setBusy(false);
    setDenying(false);
    props.onDone(outcomes);
  };

  return (
    <section class="bulk-bar" aria-label="Bulk decision">
      <p>
        <strong>{count}</strong> selected
      </p>
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => void run('ALLOW')}>
          Allow selected
        </button>
        <button type="button" class="danger" disabled={busy} aria-expanded={denying} onClick={() => setDenying(true)}>
          Deny selected
        </button>
        <button type="button" disabled={busy} onClick={props.onClear}>
          Clear selection
        </button>
      </div>
      {denying && <DenyForm idPrefix="bulk-deny" busy={busy} suggestions={cannedDeny} onConfirm={(reason) => void run('DENY', reason)} onCancel={() => setDenying(false)} />}
    </section>
  );
}

export function BulkResults(props: { outcomes: BulkOutcome[]; onDismiss: () => void }) {
  const ok = props.outcomes.filter((o) => o.ok).length;
  return (
    <section class="bulk-results" aria-labelledby="bulk-results-title">
      <h2 id="bulk-results-title">
        Bulk decision: {ok} of {props.outcomes.length} done
      </h2>
      <ul>
        {props.outcomes.map((o) => (
          <li key={o.callbackId} class={o.ok ? 'ok' : 'failed'} data-callback-id={o.callbackId}>
            <span aria-hidden="true">{o.ok ? '✓' : '✗'}</span> <span class="bulk-label">{o.label}</span>: {o.text}
          </li>
        ))}
      </ul>
      <button type="button" onClick={props.onDismiss}>
        Dismiss
      </button>
    </section>
  );
}
