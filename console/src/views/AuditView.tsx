import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type AuditEntry, type DecisionsQuery } from '../api/client';
import { announce } from '../announcer';
import { FollowUpActions } from '../components/FollowUpActions';
import { ClassifierVerdicts } from '../components/ClassifierVerdicts';
import { Empty, ErrorState, Loading } from '../components/States';
import { useSession } from '../hooks';
import { auditCsv } from '../lib/csv';
import { FOLLOW_UP_LABELS, outcomeText, wasSent, type FollowUpType } from '../lib/follow-ups';
import { formatTimestamp } from '../lib/time';
import { SenderLink } from '../components/SenderLink';
import { appealUrl, caseUrl, navigate, BASE, onLinkClick, reviewUrl } from '../router';
import { channelLabel, senderName, snippet } from './names';

/**
 * The decision log (GET /decisions), newest first, with the API's filters: moderator, channel,
 * origin and a time range. The filters live in the URL. CSV export pages through the whole
 * selection (up to EXPORT_MAX entries).
 *
 * Moderators' follow-up actions (ban, redact, delete: kind ACTION) are lines of their own, with
 * their outcome in Chime. From a decision's line a moderator can open the message, or follow up
 * on it (ban its sender; admins: redact or delete it, once Chime delivered it).
 */
const PAGE = 50;
const EXPORT_MAX = 5000;

interface AuditFilters {
  moderator: string;
  channel: string;
  origin: '' | 'AUTO' | 'MODERATOR' | 'EXPIRY';
  from: string;
  to: string;
}

const filtersFrom = (search: string): AuditFilters => {
  const p = new URLSearchParams(search);
  const origin = p.get('origin');
  return {
    moderator: p.get('moderator') ?? '',
    channel: p.get('channel') ?? '',
    origin: origin === 'AUTO' || origin === 'MODERATOR' || origin === 'EXPIRY' ? origin : '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  };
};

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

function queryFrom(f: AuditFilters, cursor?: string): DecisionsQuery {
  const from = toIso(f.from);
  const to = toIso(f.to);
  return {
    limit: PAGE,
    ...(f.moderator ? { moderator: f.moderator } : {}),
    ...(f.channel ? { channelArn: f.channel } : {}),
    ...(f.origin ? { origin: f.origin } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export function AuditView(props: { api: Api; isAdmin: boolean; search: string }) {
  const applied = filtersFrom(props.search);
  const [draft, setDraft] = useState(applied);
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [exporting, setExporting] = useState(false);
  const [acting, setActing] = useState<AuditEntry>();
  const { epoch } = useSession();
  const key = JSON.stringify(applied);

  const load = async (cursor?: string) => {
    setLoading(true);
    try {
      const page = await call(props.api.GET('/decisions', { params: { query: queryFrom(applied, cursor) } }));
      setEntries((current) => (cursor ? [...(current ?? []), ...page.items] : page.items));
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setDraft(applied);
    setEntries(undefined);
    void load();
  }, [key, epoch]);

  const apply = (event: Event) => {
    event.preventDefault();
    const p = new URLSearchParams();
    for (const [name, value] of Object.entries(draft)) if (value) p.set(name, value);
    const search = p.toString();
    navigate(`${BASE}/audit${search ? `?${search}` : ''}`);
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const all: AuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(props.api.GET('/decisions', { params: { query: { ...queryFrom(applied, cursor), limit: 100 } } }));
        all.push(...page.items);
        cursor = page.next;
      } while (cursor && all.length < EXPORT_MAX);
      const blob = new Blob([auditCsv(all)], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `decisions-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce(`Exported ${all.length} decision${all.length === 1 ? '' : 's'}${cursor ? ` (the first ${EXPORT_MAX}; narrow the range for the rest)` : ''}.`);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setExporting(false);
    }
  };

  const set = (patch: Partial<AuditFilters>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <section class="audit" aria-labelledby="audit-title">
      <h1 id="audit-title">Decision log</h1>
      <p class="hint">
        Every decision (the automatic policy's, moderators' and the sweeper's) and every ban, redaction and deletion, newest first. Chime keeps no copy of a denied message; this log is the record. Open a message from its line, or follow up on it.
      </p>
      <form class="filters" role="search" aria-label="Filter the decision log" onSubmit={apply}>
        <div>
          <label for="audit-moderator">Moderator</label>
          <input id="audit-moderator" value={draft.moderator} placeholder="username, policy or sweeper" onInput={(e) => set({ moderator: e.currentTarget.value })} />
        </div>
        <div>
          <label for="audit-channel">Channel ARN</label>
          <input id="audit-channel" value={draft.channel} list="audit-channels" onInput={(e) => set({ channel: e.currentTarget.value })} />
          <datalist id="audit-channels">
            {[...new Map((entries ?? []).map((e) => [e.channelArn, e.channelName])).entries()].map(([arn, name]) => (
              <option key={arn} value={arn}>
                #{name}
              </option>
            ))}
          </datalist>
        </div>
        <div>
          <label for="audit-origin">Origin</label>
          <select id="audit-origin" value={draft.origin} onChange={(e) => set({ origin: e.currentTarget.value as AuditFilters['origin'] })}>
            <option value="">All</option>
            <option value="MODERATOR">Moderators</option>
            <option value="AUTO">Automatic policy</option>
            <option value="EXPIRY">Expiry (sweeper)</option>
          </select>
        </div>
        <div>
          <label for="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onInput={(e) => set({ from: e.currentTarget.value })} />
        </div>
        <div>
          <label for="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onInput={(e) => set({ to: e.currentTarget.value })} />
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" disabled={exporting} onClick={() => void exportCsv()}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </form>
      {error && <ErrorState error={error} what="the decision log" onRetry={() => void load()} />}
      {!entries && !error && <Loading what="the decision log" />}
      {entries && entries.length === 0 && <Empty title="No decisions match these filters." />}
      {entries && entries.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Decisions">
          <table class="audit-table">
            <thead>
              <tr>
                <th scope="col">Decided</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
                <th scope="col">Sender · channel</th>
                <th scope="col">Now</th>
                <th scope="col">
                  <span class="visually-hidden">Follow up</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (e.kind === 'ACTION' ? (isAppealOutcome(e) ? <AppealRow key={e.callbackId} entry={e} /> : <ActionRow key={e.callbackId} entry={e} />) : <DecisionRow key={`${e.callbackId}-${e.decidedAt}`} entry={e} onFollowUp={() => setActing(e)} />))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" disabled={loading} onClick={() => void load(next)}>
          Load more
        </button>
      )}
      <FollowUpDialog api={props.api} isAdmin={props.isAdmin} entry={acting} onClose={() => setActing(undefined)} onDone={() => void load()} />
    </section>
  );
}

const actionLabel = (action: string) => FOLLOW_UP_LABELS[action as FollowUpType] ?? (action === 'NOTIFY_SENDER' ? 'Warn sender' : action);

function DecisionRow(props: { entry: AuditEntry; onFollowUp: () => void }) {
  const e = props.entry;
  return (
    <tr data-callback-id={e.callbackId}>
      <td>
        <time dateTime={e.decidedAt}>{formatTimestamp(e.decidedAt)}</time>
      </td>
      <td>
        <span class={`action action-${e.action}`}>{e.action}</span> <span class="muted">{e.origin}</span>
      </td>
      <td>{e.decidedBy.name ?? e.decidedBy.id}</td>
      <td>
        {e.reason}
        {e.policy?.classifiers && e.policy.classifiers.length > 0 && (
          <details class="audit-classifiers">
            <summary>
              Classifiers ({e.policy.classifiers.length})<span class="visually-hidden"> on the message from {senderName(e.sender)}</span>
            </summary>
            <ClassifierVerdicts records={e.policy.classifiers} />
          </details>
        )}
      </td>
      <td>
        <a href={reviewUrl(e.callbackId, '')} onClick={onLinkClick}>
          {snippet(e.original.content, 90)}
        </a>
        {e.update?.content !== undefined && <div class="muted">→ {snippet(e.update.content, 90)}</div>}
      </td>
      <td>
        <SenderLink arn={e.sender.arn} name={senderName(e.sender)} channel={e.channelArn} /> · {channelLabel(e)}
      </td>
      <td>{e.status}</td>
      <td>
        <button type="button" class="small" onClick={props.onFollowUp}>
          Follow up<span class="visually-hidden"> on the message from {senderName(e.sender)}: {snippet(e.original.content, 40)}</span>
        </button>
      </td>
    </tr>
  );
}

/** An appeal's outcome (APPEAL_UPHOLD, APPEAL_OVERTURN): DONE once its effects (allowance, lifts, strike, notice) are all done. */
const APPEAL_LABELS: Record<string, string> = { APPEAL_UPHOLD: 'Appeal upheld', APPEAL_OVERTURN: 'Appeal overturned' };
const isAppealOutcome = (e: AuditEntry) => e.action in APPEAL_LABELS;

function AppealRow(props: { entry: AuditEntry }) {
  const e = props.entry;
  const reviewId = e.target?.reviewCallbackId;
  return (
    <tr class={`action-row appeal-row outcome-${e.status}`} data-action-id={e.callbackId}>
      <td>
        <time dateTime={e.decidedAt}>{formatTimestamp(e.decidedAt)}</time>
      </td>
      <td>
        {e.target?.appealId ? (
          <a class={`action action-${e.action}`} href={appealUrl(e.target.appealId, '')} onClick={onLinkClick}>
            {APPEAL_LABELS[e.action]}
          </a>
        ) : (
          <span class={`action action-${e.action}`}>{APPEAL_LABELS[e.action]}</span>
        )}{' '}
        <span class="muted">appeal</span>
      </td>
      <td>{e.decidedBy.name ?? e.decidedBy.id}</td>
      <td>{e.reason}</td>
      <td>
        {reviewId ? (
          <a href={reviewUrl(reviewId, '')} onClick={onLinkClick}>
            {snippet(e.original.content, 90)}
          </a>
        ) : (
          snippet(e.original.content, 90)
        )}
        <div class="muted">the message the appealed decision was about</div>
      </td>
      <td>
        <SenderLink arn={e.sender.arn} name={senderName(e.sender)} channel={e.channelArn} /> · {channelLabel(e)}
      </td>
      <td class="outcome-cell">{e.status === 'DONE' ? 'Done' : e.status === 'REQUESTED' ? 'Its effects are still being carried out' : e.status}</td>
      <td />
    </tr>
  );
}

/** A ban, redaction or deletion: who asked, why, on what, and how Chime answered. */
function ActionRow(props: { entry: AuditEntry }) {
  const e = props.entry;
  const reviewId = e.target?.reviewCallbackId;
  return (
    <tr class={`action-row outcome-${e.status}`} data-action-id={e.callbackId}>
      <td>
        <time dateTime={e.decidedAt}>{formatTimestamp(e.decidedAt)}</time>
      </td>
      <td>
        <span class={`action action-${e.action}`}>{actionLabel(e.action)}</span> <span class="muted">follow-up</span>
      </td>
      <td>{e.decidedBy.name ?? e.decidedBy.id}</td>
      <td>{e.reason}</td>
      <td>
        {e.action === 'BAN_SENDER' ? (
          <>
            {reviewId ? (
              <a href={reviewUrl(reviewId, '')} onClick={onLinkClick}>
                {snippet(e.original.content, 90)}
              </a>
            ) : (
              snippet(e.original.content, 90)
            )}
            <div class="muted">the message that prompted the ban</div>
          </>
        ) : (
          <span class="muted">
            Message <code class="message-id">{e.messageId}</code> (its content is not read by the API)
          </span>
        )}
      </td>
      <td>
        {e.sender.arn ? (
          <>
            <SenderLink arn={e.sender.arn} name={senderName(e.sender)} channel={e.channelArn} /> · {channelLabel(e)}
          </>
        ) : (
          channelLabel(e)
        )}
        {e.target?.caseId && (
          <div>
            <a href={caseUrl(e.target.caseId, '')} onClick={onLinkClick}>
              Open the report case
            </a>
          </div>
        )}
      </td>
      <td class="outcome-cell">{outcomeText(e)}</td>
      <td />
    </tr>
  );
}

/** Follow up on a decided message from its audit line, in a modal dialog. */
function FollowUpDialog(props: { api: Api; isAdmin: boolean; entry: AuditEntry | undefined; onClose: () => void; onDone: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const e = props.entry;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (e && !dialog.open) dialog.showModal();
    if (!e && dialog.open) dialog.close();
  }, [e]);
  return (
    <dialog ref={ref} class="dialog follow-up-dialog" aria-labelledby="follow-up-dialog-title" onClose={props.onClose}>
      {e && (
        <>
          <h2 id="follow-up-dialog-title">Follow up on a message</h2>
          <p class="message-text">{e.original.content || '(empty message)'}</p>
          <p class="muted">
            {senderName(e.sender)} in {channelLabel(e)} · {e.action} by {e.decidedBy.name ?? e.decidedBy.id} ({e.origin}) · now {e.status}
          </p>
          <ClassifierVerdicts records={e.policy?.classifiers ?? undefined} />
          <FollowUpActions
            key={e.callbackId}
            api={props.api}
            isAdmin={props.isAdmin}
            idPrefix="audit-follow-up"
            target={{
              channelArn: e.channelArn,
              channelLabel: channelLabel(e),
              messageId: e.messageId,
              callbackId: e.callbackId,
              senderArn: e.sender.arn,
              senderName: senderName(e.sender),
              sent: wasSent(e.status, e.action),
            }}
            onDone={props.onDone}
          />
          {!wasSent(e.status, e.action) && <p class="hint">Chime did not deliver this message ({e.action}, now {e.status}), so there is nothing to redact or delete.</p>}
          <form method="dialog" class="actions">
            <a href={reviewUrl(e.callbackId, '')} onClick={(event) => {
              ref.current?.close();
              onLinkClick(event);
            }}>
              Open the message
            </a>
            <button type="submit">Close</button>
          </form>
        </>
      )}
    </dialog>
  );
}
