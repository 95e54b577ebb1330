import { useState } from 'preact/hooks';
import { call, type Api, type PolicyDetail } from '../api/client';
import { announce } from '../announcer';
import { formatTimestamp } from '../lib/time';
import { kindOf, scopeLabel } from './scopes';
import { ReasonForm, useSubmission } from '../components/ReasonForm';

const KIND_WORDS = { global: 'every message', 'app-instance': 'every channel of this app instance', channel: 'this channel' } as const;

/** Where a scope stands: its version, who changed it, when and why; and Delete (admins, not global). */
export function ScopeHeader(props: { api: Api; detail: PolicyDetail; isAdmin: boolean | undefined; onDeleted: () => void }) {
  const d = props.detail;
  const [deleting, setDeleting] = useState(false);
  const canDelete = d.kind !== 'global' && d.source === 'store';
  return (
    <header class="scope-header">
      <h2 id="scope-title">
        {scopeLabel(d.scope)} {d.mode === 'shadow' && <span class="badge shadow">shadow</span>}
      </h2>
      {d.scope !== 'global' && <p class="scope-arn">{d.scope}</p>}
      <p class="scope-meta">
        {d.source === 'store' && d.updatedBy && d.updatedAt ? (
          <>
            <strong>v{d.version}</strong>, saved by {d.updatedBy.name ?? d.updatedBy.id} on <time dateTime={d.updatedAt}>{formatTimestamp(d.updatedAt)}</time>
            {d.comment ? <>: “{d.comment}”</> : ''}
          </>
        ) : d.source === 'POLICY_FILE' ? (
          <>
            <strong>v0</strong>: the bundled POLICY_FILE (nothing stored yet)
          </>
        ) : (
          <>Nothing of its own{d.version > 0 ? ` (deleted at v${d.version})` : ''}: it inherits.</>
        )}{' '}
        <span class="muted">Applies to {KIND_WORDS[kindOf(d.scope)]}.</span>
      </p>
      {canDelete && (
        <div class="actions">
          <button
            type="button"
            class="danger-outline"
            disabled={props.isAdmin !== true}
            aria-expanded={deleting}
            aria-describedby={props.isAdmin === false ? 'policies-role-note' : undefined}
            onClick={() => setDeleting((x) => !x)}
          >
            Delete this policy
          </button>
        </div>
      )}
      {deleting && (
        <DeleteForm
          api={props.api}
          detail={d}
          onCancel={() => setDeleting(false)}
          onDone={() => {
            setDeleting(false);
            props.onDeleted();
          }}
        />
      )}
    </header>
  );
}

function DeleteForm(props: { api: Api; detail: PolicyDetail; onCancel: () => void; onDone: () => void }) {
  const { busy, problem, run } = useSubmission();
  return (
    <ReasonForm
      class="confirm-form"
      aria-label="Delete this policy"
      consequence={`Delete the policy of ${scopeLabel(props.detail.scope)}: it is judged by what it inherits again, within seconds. The history keeps every version, and a rollback restores one.`}
      id="delete-comment"
      label="Why (kept in the history)"
      maxLength={1000}
      confirm="Confirm deletion"
      working="Deleting…"
      busy={busy}
      problem={problem}
      onConfirm={(comment) =>
        void run(async () => {
          await call(props.api.DELETE('/policies/{scope}', { params: { path: { scope: props.detail.scope }, query: { comment, expectedVersion: props.detail.version } } }));
          announce(`Deleted the policy of ${scopeLabel(props.detail.scope)}: it inherits again.`);
          props.onDone();
        })
      }
      onCancel={props.onCancel}
    />
  );
}
