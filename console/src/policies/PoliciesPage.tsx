import { useState } from 'preact/hooks';
import { call, type PolicySummary } from '../api/client';
import { ErrorState, Loading } from '../components/States';
import { usePolling } from '../hooks';
import { formatTimestamp } from '../lib/time';
import { BASE, navigate, onLinkClick, policyUrl } from '../router';
import type { PoliciesPageProps } from '../views/LazyPolicies';
import { ScopePage } from './ScopePage';
import { kindOf, scopeLabel, viewFrom } from './scopes';
import './policies.css';

/**
 * Live policies: the stored scopes (global first), and one scope open beside them. Everyone
 * may read, test and replay; only admins save, roll back and delete, and the page says so
 * rather than letting a moderator find out from a 403.
 */
const LIST_REFRESH_MS = 30_000;

export function PoliciesPage(props: PoliciesPageProps) {
  const { api } = props;
  const scope = props.scope ?? 'global';
  const view = viewFrom(props.search);
  const list = usePolling(() => call(api.GET('/policies', { params: { query: { limit: 100 } } })), LIST_REFRESH_MS, 'policies');
  const items = list.data?.items ?? [];
  const listed = items.some((i) => i.scope === scope);

  return (
    <div class="policies">
      <div class="policies-head">
        <h1>Policies</h1>
        <RoleNote isAdmin={props.isAdmin} />
      </div>
      <div class={`policies-layout${props.scope ? ' has-open' : ''}`}>
        <section class="scope-list-pane" aria-labelledby="scopes-title">
          <h2 id="scopes-title">Scopes</h2>
          {list.error && !list.data && <ErrorState error={list.error} what="the scopes" onRetry={list.refresh} />}
          {!list.data && !list.error && <Loading what="the scopes" />}
          {list.data && (
            <ul class="scope-list">
              {items.map((item) => (
                <ScopeItem key={item.scope} item={item} current={item.scope === scope} />
              ))}
              {!listed && (
                <li class="scope-item current">
                  <a href={policyUrl(scope)} aria-current="page" onClick={onLinkClick}>
                    <span class="scope-name">{scopeLabel(scope)}</span>
                    <span class="scope-line">nothing stored: inherits</span>
                  </a>
                </li>
              )}
            </ul>
          )}
          {list.data?.next && <p class="hint">The first 100 scopes are listed; open any other by its ARN.</p>}
          <OpenScope />
        </section>
        <div class="scope-pane">
          {props.scope && (
            <a class="back-link" href={`${BASE}/policies`} onClick={onLinkClick}>
              ← All scopes
            </a>
          )}
          <ScopePage key={scope} api={api} scope={scope} view={view} isAdmin={props.isAdmin} onChanged={list.refresh} />
        </div>
      </div>
    </div>
  );
}

function RoleNote(props: { isAdmin: boolean | undefined }) {
  if (props.isAdmin === undefined) return null;
  return props.isAdmin ? (
    <p id="policies-role-note" class="role-note admin">
      You are an admin: what you save applies to live traffic within seconds, without a deploy. Test and replay it first.
    </p>
  ) : (
    <p id="policies-role-note" class="role-note reader">
      <strong>Read and test only.</strong> You are signed in as a moderator: you can read every policy, try changes in the editor, test and replay them. Saving, rolling back and deleting are for
      admins.
    </p>
  );
}

function ScopeItem(props: { item: PolicySummary; current: boolean }) {
  const { item } = props;
  return (
    <li class={`scope-item kind-${kindOf(item.scope)}${props.current ? ' current' : ''}`}>
      <a href={policyUrl(item.scope)} aria-current={props.current ? 'page' : undefined} onClick={onLinkClick}>
        <span class="scope-name">
          {scopeLabel(item.scope)} {item.mode === 'shadow' && <span class="badge shadow">shadow</span>}
        </span>
        <span class="scope-line">
          {item.source === 'POLICY_FILE' ? 'v0 · the bundled POLICY_FILE' : `v${item.version} · ${item.updatedBy?.name ?? item.updatedBy?.id ?? ''}${item.updatedAt ? ` · ${formatTimestamp(item.updatedAt)}` : ''}`}
        </span>
      </a>
    </li>
  );
}

/** Any scope by its ARN: one with nothing stored yet is where a new policy starts. */
function OpenScope() {
  const [value, setValue] = useState('');
  return (
    <form
      class="open-scope"
      onSubmit={(e) => {
        e.preventDefault();
        const scope = value.trim();
        if (scope) navigate(policyUrl(scope));
      }}
    >
      <label for="open-scope">Open a scope</label>
      <input id="open-scope" value={value} placeholder="app instance or channel ARN" aria-describedby="open-scope-help" onInput={(e) => setValue(e.currentTarget.value)} />
      <small id="open-scope-help">To give a channel or an app instance its own policy, open it here.</small>
      <button type="submit" disabled={!value.trim()}>
        Open
      </button>
    </form>
  );
}
