import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type PolicyVersion } from '../api/client';
import { announce } from '../announcer';
import { ReasonForm, useSubmission } from '../components/ReasonForm';
import { ErrorState, Loading } from '../components/States';
import { toYaml } from '../lib/policy-yaml';
import { formatTimestamp } from '../lib/time';
import { DiffView } from './DiffView';
import { scopeLabel } from './scopes';

/**
 * A scope's versions, newest first (GET /policies/{scope}/versions, paged), a diff between any
 * two of them, and "Roll back to this version" for admins (a new version equal to the old one).
 * A version never changes, so the documents read for diffs are kept for the page's life.
 */
interface Row {
  version: number;
  entry: PolicyVersion | null;
}

const PAGE = 25;

const changeText = (e: PolicyVersion) =>
  e.kind === 'rollback' ? `rolled back to v${e.restoredVersion ?? '?'}` : e.kind === 'delete' ? 'deleted (inherits again)' : 'saved';

export function HistoryView(props: { api: Api; scope: string; currentVersion: number; isAdmin: boolean | undefined; onChanged: () => void }) {
  const { api, scope } = props;
  const [rows, setRows] = useState<Row[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [pair, setPair] = useState<[number, number]>();
  const [rollingBack, setRollingBack] = useState<number>();
  const documents = useRef(new Map<number, Promise<unknown>>());

  const load = async (cursor?: string) => {
    try {
      const page = await call(api.GET('/policies/{scope}/versions', { params: { path: { scope }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }));
      const loaded: Row[] = page.items.map((entry) => ({ version: entry.version, entry }));
      // Global's history ends with version 0, the bundled POLICY_FILE (which a rollback can restore).
      if (!page.next && scope === 'global') loaded.push({ version: 0, entry: null });
      if (!cursor) {
        // The newest change by default: the latest version with a document against the one before it.
        const live = loaded.filter((r) => !r.entry?.deleted);
        setPair(live.length >= 2 ? [live[1]!.version, live[0]!.version] : undefined);
      }
      setRows((current) => (cursor ? [...(current ?? []), ...loaded] : loaded));
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setError(e);
    }
  };

  useEffect(() => {
    setRows(undefined);
    void load();
  }, [scope, props.currentVersion]);

  const documentOf = (version: number) => {
    let promise = documents.current.get(version);
    if (!promise) {
      promise = call(api.GET('/policies/{scope}/versions/{version}', { params: { path: { scope, version } } })).then((v) => v.document);
      documents.current.set(version, promise);
      promise.catch(() => documents.current.delete(version));
    }
    return promise;
  };

  if (error) return <ErrorState error={error} what="the history" onRetry={() => void load()} />;
  if (!rows) return <Loading what="the history" />;
  const choices = rows.filter((r) => !r.entry?.deleted);

  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">History of {scopeLabel(scope)}</h2>
      {props.isAdmin === false && <p class="hint">Only admins can roll back. You can compare any two versions.</p>}
      {rows.length === 0 ? (
        <p class="muted">Nothing stored yet: this scope has always inherited its policy.</p>
      ) : (
        <div class="table-scroll" role="region" aria-label="Versions, newest first" tabIndex={0}>
          <table class="versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Change</th>
                <th scope="col">By</th>
                <th scope="col">When</th>
                <th scope="col">Why</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const current = r.version === props.currentVersion;
                const canRollBack = !current && !r.entry?.deleted;
                return (
                  <tr key={r.version} class={current ? 'current' : undefined} data-version={r.version}>
                    <th scope="row">
                      v{r.version}
                      {current && <span class="badge">current</span>}
                    </th>
                    <td>
                      {r.entry ? changeText(r.entry) : 'the bundled POLICY_FILE'}
                      {r.entry?.mode === 'shadow' && <span class="badge shadow">shadow</span>}
                    </td>
                    <td>{r.entry ? (r.entry.updatedBy.name ?? r.entry.updatedBy.id) : '—'}</td>
                    <td>{r.entry ? <time dateTime={r.entry.updatedAt}>{formatTimestamp(r.entry.updatedAt)}</time> : 'deployment'}</td>
                    <td>{r.entry?.comment ?? 'policy/default.yaml, as deployed'}</td>
                    <td class="row-actions">
                      {canRollBack && (
                        <button type="button" class="small" disabled={props.isAdmin !== true} aria-expanded={rollingBack === r.version} onClick={() => setRollingBack(rollingBack === r.version ? undefined : r.version)}>
                          Roll back to v{r.version}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Older versions
        </button>
      )}
      {rollingBack !== undefined && (
        <RollbackForm
          api={api}
          scope={scope}
          version={rollingBack}
          currentVersion={props.currentVersion}
          onCancel={() => setRollingBack(undefined)}
          onDone={(created) => {
            setRollingBack(undefined);
            announce(`Rolled back: version ${created} of ${scopeLabel(scope)} is a copy of version ${rollingBack}.`);
            props.onChanged();
          }}
        />
      )}

      {choices.length >= 2 && (
        <section class="compare" aria-labelledby="compare-title">
          <h3 id="compare-title">Compare two versions</h3>
          <div class="compare-pickers">
            <VersionSelect id="compare-from" label="From" value={pair?.[0]} choices={choices} onChange={(from) => setPair([from, pair?.[1] ?? choices[0]!.version])} />
            <VersionSelect id="compare-to" label="To" value={pair?.[1]} choices={choices} onChange={(to) => setPair([pair?.[0] ?? choices[1]!.version, to])} />
          </div>
          {pair && <VersionDiff key={pair.join('-')} from={pair[0]} to={pair[1]} documentOf={documentOf} />}
        </section>
      )}
    </section>
  );
}

function VersionDiff(props: { from: number; to: number; documentOf: (version: number) => Promise<unknown> }) {
  const [texts, setTexts] = useState<[string, string]>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    let cancelled = false;
    Promise.all([props.documentOf(props.from), props.documentOf(props.to)])
      .then(([a, b]) => {
        if (!cancelled) setTexts([toYaml(a), toYaml(b)]);
      })
      .catch((e: unknown) => {
        if (!cancelled && e instanceof ApiError) setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, []);
  if (error) return <ErrorState error={error} what="the versions to compare" />;
  if (!texts) return <Loading what="the two versions" />;
  return <DiffView before={texts[0]} after={texts[1]} beforeLabel={`v${props.from}`} afterLabel={`v${props.to}`} />;
}

function VersionSelect(props: { id: string; label: string; value: number | undefined; choices: ReadonlyArray<{ version: number }>; onChange: (version: number) => void }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {props.choices.map((r) => (
          <option key={r.version} value={r.version}>
            v{r.version}
          </option>
        ))}
      </select>
    </div>
  );
}

function RollbackForm(props: { api: Api; scope: string; version: number; currentVersion: number; onCancel: () => void; onDone: (created: number) => void }) {
  const { busy, problem, run } = useSubmission();
  return (
    <ReasonForm
      class="confirm-form rollback-form"
      aria-label={`Roll back to version ${props.version}`}
      consequence={`Roll back ${scopeLabel(props.scope)} to version ${props.version}: version ${props.currentVersion + 1} will be a copy of it, and workers apply it within seconds. The history keeps every version.`}
      id="rollback-comment"
      label="Why (kept in the history)"
      maxLength={1000}
      confirm="Confirm rollback"
      working="Rolling back…"
      busy={busy}
      problem={problem}
      onConfirm={(comment) =>
        void run(async () => {
          const created = await call(props.api.POST('/policies/{scope}/rollback', { params: { path: { scope: props.scope } }, body: { version: props.version, comment, expectedVersion: props.currentVersion } }));
          props.onDone(created.version);
        })
      }
      onCancel={props.onCancel}
    />
  );
}
