import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type PolicyDetail, type PolicyDocument } from '../api/client';
import { announce } from '../announcer';
import { ErrorState, Loading, ProblemNotice } from '../components/States';
import { parseDraft, placeApiErrors, toYaml, type EditorProblem } from '../lib/policy-yaml';
import { explainProblem, type Explanation } from '../lib/problems';
import { DiffView } from './DiffView';
import { goToLine, YamlEditor } from './YamlEditor';
import { scopeLabel } from './scopes';

/**
 * The YAML editor of one scope's document, its problems (each on its line, and listed), and
 * Save (admins): PUT with the version the draft started from, so a change made meanwhile by
 * someone else is a 409 that keeps the draft, never a silent overwrite.
 */
export interface Draft {
  text: string;
  /** The version the draft started from: the expectedVersion of Save. */
  baseVersion: number;
}

export function EditorCard(props: {
  api: Api;
  detail: PolicyDetail;
  isAdmin: boolean | undefined;
  draft: Draft;
  setDraft: (draft: Draft) => void;
  problems: readonly EditorProblem[];
  checking: boolean;
  dirty: boolean;
  storedText: string;
  onSaved: () => void;
  onReload: () => void;
  /** Someone else saved meanwhile: read the scope again, keeping the draft. */
  onStale: () => void;
}) {
  const { api, detail, draft } = props;
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveProblems, setSaveProblems] = useState<EditorProblem[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Array<{ path: string; message: string }>>([]);
  const [refusal, setRefusal] = useState<Explanation>();
  const [conflict, setConflict] = useState<{ currentVersion: number; explained: Explanation }>();
  const [showChanges, setShowChanges] = useState(false);
  // Problems the Save itself got back stand until the text changes.
  useEffect(() => setSaveProblems([]), [draft.text]);
  const problems = saveProblems.length > 0 ? saveProblems : props.problems;
  // After a 409 the admin first chooses: keep the draft (to save over theirs) or load theirs.
  const canSave = props.isAdmin === true && props.dirty && problems.length === 0 && comment.trim() !== '' && !busy && !conflict;

  const save = async (event: Event) => {
    event.preventDefault();
    if (!canSave) return;
    const parsed = parseDraft(draft.text);
    if (parsed.problems.length > 0) {
      setSaveProblems(parsed.problems);
      return;
    }
    setBusy(true);
    setRefusal(undefined);
    setFieldErrors([]);
    try {
      const saved = await call(
        api.PUT('/policies/{scope}', { params: { path: { scope: detail.scope } }, body: { document: parsed.document as PolicyDocument, comment: comment.trim(), expectedVersion: draft.baseVersion } }),
      );
      setComment('');
      setConflict(undefined);
      announce(`Saved version ${saved.version} of ${scopeLabel(detail.scope)}. Workers apply it within seconds.`);
      props.onSaved();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return;
      const explained = explainProblem(error.problem, { nowMs: Date.now() });
      if (error.status === 400 && Array.isArray(error.problem.errors)) {
        const placed = placeApiErrors(parsed, error.problem.errors as Array<{ path: string; message: string }>);
        setSaveProblems(placed.problems);
        setFieldErrors(placed.other);
        if (placed.problems.length === 0 && placed.other.length === 0) setRefusal(explained);
      } else if (error.status === 409 && explained.kind === 'policy-version-conflict') {
        setConflict({ currentVersion: Number(error.problem.currentVersion ?? draft.baseVersion), explained });
        props.onStale();
      } else {
        setRefusal(explained);
      }
    } finally {
      setBusy(false);
    }
  };

  const commentError = fieldErrors.find((e) => e.path === 'body.comment');
  return (
    <section class="card editor-card" aria-labelledby="editor-title">
      <div class="card-head">
        <h2 id="editor-title">Document</h2>
        <span class="muted small-print">
          {props.dirty ? (detail.document ? `Draft, changed from v${draft.baseVersion} (not saved)` : 'New draft (not saved)') : detail.document ? `v${detail.version}, as saved` : 'Nothing of its own yet'}
        </span>
      </div>
      <p id="editor-help" class="hint">
        YAML, as in POLICY_FILE, plus <code>mode: shadow</code>, <code>remove:</code> and <code>section: false</code>. The API checks it as you type. Tab leaves the editor; indent with spaces.
      </p>
      <YamlEditor
        id="policy-yaml"
        label={`Policy document of ${scopeLabel(detail.scope)} (YAML)`}
        value={draft.text}
        problems={problems}
        describedBy="editor-help editor-status"
        textareaRef={textarea}
        onInput={(text) => props.setDraft({ ...draft, text })}
      />
      <p id="editor-status" class={`editor-status${problems.length ? ' has-problems' : ''}`} role="status">
        {problems.length > 0
          ? `${problems.length} problem${problems.length === 1 ? '' : 's'} in the document.`
          : props.checking
            ? 'Checking…'
            : props.dirty
              ? 'The API accepts this document.'
              : 'No changes.'}
      </p>
      {problems.length > 0 && (
        <ul class="editor-problems" aria-label="Problems in the document">
          {problems.map((p, i) => (
            <li key={i}>
              <button type="button" class="link-button" onClick={() => textarea.current && goToLine(textarea.current, p.line)}>
                Line {p.line}
              </button>{' '}
              {p.path && <code>{p.path}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" disabled={!props.dirty} aria-expanded={showChanges} onClick={() => setShowChanges((s) => !s)}>
          {showChanges ? 'Hide changes' : 'Show changes'}
        </button>
        <button type="button" disabled={!props.dirty} onClick={() => props.setDraft({ text: props.storedText, baseVersion: detail.version })}>
          Discard changes
        </button>
      </div>
      {showChanges && props.dirty && <DiffView before={props.storedText} after={draft.text} beforeLabel={`v${detail.version}`} afterLabel="your draft" />}

      {conflict && (
        <ConflictNotice
          api={api}
          scope={detail.scope}
          conflict={conflict}
          draftText={draft.text}
          onKeep={() => {
            props.setDraft({ ...draft, baseVersion: conflict.currentVersion });
            setConflict(undefined);
          }}
          onDiscard={() => {
            setConflict(undefined);
            props.onReload();
          }}
        />
      )}
      {refusal && <ProblemNotice explained={refusal} />}

      <form class="save-form" onSubmit={save} aria-label="Save">
        <label for="policy-comment">Why (kept in the history)</label>
        <input
          id="policy-comment"
          value={comment}
          maxLength={1000}
          disabled={props.isAdmin !== true}
          aria-invalid={commentError ? 'true' : undefined}
          aria-describedby={props.isAdmin === false ? 'save-admins-only' : commentError ? 'comment-error' : undefined}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
        {commentError && (
          <p id="comment-error" class="field-error" role="alert">
            {commentError.message}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={!canSave} aria-describedby={props.isAdmin === false ? 'save-admins-only' : undefined}>
            {busy ? 'Saving…' : `Save as v${draft.baseVersion + 1}`}
          </button>
        </div>
        {props.isAdmin === false && (
          <p id="save-admins-only" class="hint admins-only-note">
            Only admins can save. You can still change the draft here to test and replay it, and hand it to an admin.
          </p>
        )}
      </form>
    </section>
  );
}

function ConflictNotice(props: {
  api: Api;
  scope: string;
  conflict: { currentVersion: number; explained: Explanation };
  draftText: string;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  const { conflict } = props;
  const [theirs, setTheirs] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [comparing, setComparing] = useState(false);
  useEffect(() => {
    if (!comparing || theirs !== undefined) return;
    call(props.api.GET('/policies/{scope}/versions/{version}', { params: { path: { scope: props.scope, version: conflict.currentVersion } } }))
      .then((v) => setTheirs(toYaml(v.document)))
      .catch((e: unknown) => {
        if (e instanceof ApiError) setError(e);
      });
  }, [comparing]);
  return (
    <div class="notice notice-policy-version-conflict" role="alert">
      <p class="notice-title">{conflict.explained.title}</p>
      <p>{conflict.explained.message}</p>
      <div class="actions">
        <button type="button" aria-expanded={comparing} onClick={() => setComparing((c) => !c)}>
          Compare with v{conflict.currentVersion}
        </button>
        <button type="button" onClick={props.onKeep}>
          Keep my draft, to save over v{conflict.currentVersion}
        </button>
        <button type="button" onClick={props.onDiscard}>
          Discard my draft, load v{conflict.currentVersion}
        </button>
      </div>
      {comparing && error && <ErrorState error={error} what={`version ${conflict.currentVersion}`} />}
      {comparing && !error && theirs === undefined && <Loading what={`version ${conflict.currentVersion}`} />}
      {comparing && theirs !== undefined && <DiffView before={theirs} after={props.draftText} beforeLabel={`v${conflict.currentVersion}`} afterLabel="your draft" />}
    </div>
  );
}
