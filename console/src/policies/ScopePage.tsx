import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type PolicyDetail, type PolicyDocument } from '../api/client';
import { ErrorState, Loading } from '../components/States';
import { useSession } from '../hooks';
import { parseDraft, placeApiErrors, sameDocument, toYaml, type EditorProblem } from '../lib/policy-yaml';
import { onLinkClick, policyUrl } from '../router';
import { EditorCard, type Draft } from './EditorCard';
import { EffectiveView } from './EffectiveView';
import { HistoryView } from './HistoryView';
import { ReplayPanel } from './ReplayPanel';
import { ScopeHeader } from './ScopeHeader';
import { kindOf, scopeLabel, useDebounced, VIEWS, type PolicyView } from './scopes';
import { sampleLines, TestCard, type CheckState } from './TestCard';

/**
 * One scope: its header (version, who, when, why), and four views: edit and test, the effective
 * policy, replay, history. The draft and the sample messages live here, so moving between the
 * views keeps them; everything else is read from the API when it is shown.
 *
 * The draft is checked by the API as it is typed (debounced): POST /policies/test with the draft
 * runs a Save's checks on it (400 with every invalid field, placed on its line) and
 * judges the sample messages with it. Nothing is written.
 */
const CHECK_AFTER_MS = 400;
/** Past this size the draft is checked when asked (Test), not on every pause in typing. */
const AUTO_CHECK_MAX_CHARS = 200_000;

export function templateFor(scope: string): string {
  return [
    `# ${scopeLabel(scope)} has no policy of its own: it is judged by what it inherits (see Effective policy).`,
    '# Write only what differs. Lists add to the inherited ones, `remove:` takes inherited entries out,',
    '# a setting here overrides the inherited one, and `section: false` switches a rule off. For example:',
    '#',
    '# terms:',
    '#   block: [new scam phrase]',
    '# remove:',
    '#   terms: {review: [refund]}',
    '# notices:',
    '#   hold: {enabled: true}          # the community sections (rules, reports, notices, appeals,',
    '# escalation: false                # strikes, escalation, approvals, cannedReasons) work the same way',
    '',
  ].join('\n');
}

export function ScopePage(props: { api: Api; scope: string; view: PolicyView; isAdmin: boolean | undefined; onChanged: () => void }) {
  const { api, scope } = props;
  const { epoch } = useSession();
  const [detail, setDetail] = useState<PolicyDetail>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [draft, setDraft] = useState<Draft>();
  const [samples, setSamples] = useState('');
  const [sender, setSender] = useState('');
  const [check, setCheck] = useState<CheckState>({ pending: false, messages: [], messageErrors: [] });
  const [apiProblems, setApiProblems] = useState<EditorProblem[]>([]);
  const [nonce, setNonce] = useState(0);
  const run = useRef(0);
  const lastNonce = useRef(0);

  const storedText = detail ? (detail.document ? toYaml(detail.document) : templateFor(scope)) : '';

  const load = async (options: { resetDraft: boolean }) => {
    try {
      const d = await call(api.GET('/policies/{scope}', { params: { path: { scope }, query: { effective: 'true' } } }));
      setDetail(d);
      setLoadError(undefined);
      setDraft((current) => {
        if (current && !options.resetDraft) return current;
        return { text: d.document ? toYaml(d.document) : templateFor(scope), baseVersion: d.version };
      });
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setLoadError(error);
    }
  };

  useEffect(() => {
    void load({ resetDraft: false });
  }, [scope, epoch]);

  const text = draft?.text ?? '';
  const settledText = useDebounced(text, CHECK_AFTER_MS);
  const settledSamples = useDebounced(samples, CHECK_AFTER_MS);
  const settledSender = useDebounced(sender, CHECK_AFTER_MS);
  const parsed = useMemo(() => parseDraft(settledText), [settledText]);
  // The draft counts as a change once it parses to another document than the stored one.
  const dirty = detail !== undefined && draft !== undefined && parsed.document !== undefined && !sameDocument(parsed.document, detail.document ?? {});
  const yamlProblems = parsed.problems;

  // Check the draft and judge the samples: on a pause in typing, on Test, and after a reload.
  useEffect(() => {
    if (!detail || !draft) return;
    const mine = ++run.current;
    const messages = sampleLines(settledSamples);
    if (yamlProblems.length > 0) {
      setApiProblems([]);
      setCheck({ pending: false, messages, messageErrors: [], blocked: 'Fix the YAML to test the draft.' });
      return;
    }
    const manual = nonce !== lastNonce.current;
    lastNonce.current = nonce;
    if (settledText.length > AUTO_CHECK_MAX_CHARS && !manual) {
      setCheck((c) => ({ ...c, pending: false, blocked: undefined }));
      return;
    }
    if (messages.length === 0 && !dirty) {
      setApiProblems([]);
      setCheck({ pending: false, messages, messageErrors: [] });
      return;
    }
    setCheck((c) => ({ ...c, pending: true }));
    const judgedBy = dirty ? 'draft' : 'saved';
    const body = {
      scope,
      ...(dirty ? { document: parsed.document as PolicyDocument } : {}),
      // Without samples, one empty message: the call then only checks the draft.
      messages: (messages.length > 0 ? messages : ['']).map((content) => ({ content, ...(settledSender.trim() ? { senderArn: settledSender.trim() } : {}) })),
      // Classifiers are called on Test (Ctrl+Enter) only: every call counts against the
      // provider's quota, shared with live traffic, and a pause in typing is not a request.
      classify: manual && messages.length > 0,
    };
    call(api.POST('/policies/test', { body }))
      .then((answer) => {
        if (mine !== run.current) return;
        setApiProblems([]);
        setCheck({ pending: false, judged: judgedBy, messages, results: messages.length > 0 ? answer.results : [], messageErrors: [] });
      })
      .catch((error: unknown) => {
        if (mine !== run.current || !(error instanceof ApiError) || error.status === 401) return;
        if (error.status === 400 && Array.isArray(error.problem.errors)) {
          const placed = placeApiErrors(parsed, error.problem.errors as Array<{ path: string; message: string }>);
          setApiProblems(placed.problems);
          setCheck({
            pending: false,
            messages,
            messageErrors: placed.other,
            ...(placed.problems.length > 0 ? { blocked: 'Fix the problems in the document to test it.' } : {}),
          });
        } else {
          setCheck({ pending: false, messages, messageErrors: [], error });
        }
      });
  }, [parsed, settledSamples, settledSender, detail, nonce]);

  if (loadError && !detail) return <ErrorState error={loadError} what={`the policy of ${scopeLabel(scope)}`} onRetry={() => void load({ resetDraft: false })} />;
  if (!detail || !draft) return <Loading what={`the policy of ${scopeLabel(scope)}`} />;

  // The last check's problems stay while typing (for a moment they may sit a line off): no flicker.
  const problems = [...yamlProblems, ...apiProblems];
  const candidate = parsed.document ?? undefined;
  const changed = () => {
    void load({ resetDraft: !dirty });
    props.onChanged();
  };

  return (
    <section class="scope-page" aria-labelledby="scope-title">
      <ScopeHeader api={api} detail={detail} isAdmin={props.isAdmin} onDeleted={changed} />
      <nav class="subnav" aria-label={`Policy of ${scopeLabel(scope)}`}>
        <ul>
          {VIEWS.map(([view, label]) => (
            <li key={view}>
              <a href={policyUrl(scope, view)} aria-current={props.view === view ? 'page' : undefined} onClick={onLinkClick}>
                {label}
                {view === 'edit' && dirty ? ' •' : ''}
                {view === 'edit' && dirty && <span class="visually-hidden"> (unsaved draft)</span>}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.view === 'edit' && (
        <div class="edit-grid">
          <EditorCard
            api={api}
            detail={detail}
            isAdmin={props.isAdmin}
            draft={draft}
            setDraft={setDraft}
            problems={problems}
            checking={check.pending || text !== settledText}
            dirty={dirty}
            storedText={storedText}
            onSaved={() => {
              void load({ resetDraft: true });
              props.onChanged();
            }}
            onReload={() => void load({ resetDraft: true })}
            onStale={() => {
              void load({ resetDraft: false });
              props.onChanged();
            }}
          />
          <TestCard samples={samples} setSamples={setSamples} sender={sender} setSender={setSender} check={check} onTestNow={() => setNonce((n) => n + 1)} />
        </div>
      )}
      {props.view === 'effective' && <EffectiveView api={api} detail={detail} />}
      {props.view === 'replay' && (
        <ReplayPanel
          api={api}
          scope={scope}
          document={yamlProblems.length > 0 ? undefined : (candidate ?? {})}
          candidateLabel={dirty ? 'your draft (not saved)' : 'the saved policy'}
          blockedBecause={yamlProblems.length > 0 ? 'The draft has YAML problems: fix them in Edit and test to replay it.' : dirty ? undefined : 'There is no draft: this replays the saved policy against what was recorded. Change the document in Edit and test to replay a candidate.'}
        />
      )}
      {props.view === 'history' && <HistoryView api={api} scope={scope} currentVersion={detail.version} isAdmin={props.isAdmin} onChanged={changed} />}
      {kindOf(scope) === 'global' && props.view === 'edit' && (
        <p class="hint">Global judges every message; app instances and channels add to it. While nothing is stored, global is the bundled POLICY_FILE (v0).</p>
      )}
    </section>
  );
}
