import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, type Api, type Restriction, type SenderRecord, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { Empty, ErrorState, Loading, ProblemNotice } from '../components/States';
import { useNow, usePolling } from '../hooks';
import { categoriesText, CATEGORY_LABELS, type Category } from '../lib/cases';
import { restrictionCause, restrictionWhat, restrictionWhen, STATUS_WORDS, strikeSource, strikeStanding } from '../lib/people';
import { arnTail, explainProblem, type Explanation } from '../lib/problems';
import { formatTimestamp } from '../lib/time';
import { BASE, caseUrl, navigate, onLinkClick, reviewUrl, senderUrl } from '../router';
import { snippet } from '../views/names';
import { LiftForm, RestrictionForm } from './RestrictionForm';
import './people.css';

/**
 * A sender's record (GET /senders/{memberArn}): their strikes (counting or not, and why),
 * restrictions in force and past (with their end times; admins lift one, after a reason),
 * the report cases against them, moderators' notes (add one), and their held and denied
 * messages, a page at a time. A moderator imposes a hold or a ban from here. The record is
 * re-read every 15 s and after every change; `messages=all` in the URL shows every message.
 */
const POLL_MS = 15_000;
const PAGE = 25;
type Messages = SenderRecord['messages']['items'];

export function SenderPage(props: { api: Api; me: Viewer; isAdmin: boolean; memberArn: string; search: string }) {
  const { api, memberArn } = props;
  const params = new URLSearchParams(props.search);
  const filter = params.get('messages') === 'all' ? 'all' : 'held-or-denied';
  const fromChannel = params.get('channel') ?? undefined;
  const key = `${memberArn}|${filter}`;
  const polled = usePolling(() => call(api.GET('/senders/{memberArn}', { params: { path: { memberArn }, query: { messages: filter, limit: PAGE } } })), POLL_MS, key);
  const record = polled.data;
  const [older, setOlder] = useState<{ items: Messages; next: string | undefined; key: string }>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<Explanation>();
  const now = useNow();
  useEffect(() => setOlder(undefined), [key]);

  const channels = [...new Set([...(fromChannel ? [fromChannel] : []), ...(record?.messages.items ?? []).map((m) => m.channelArn), ...(record?.reports ?? []).flatMap((c) => (c.channelArn ? [c.channelArn] : [])), ...(record ? [...record.restrictions.active, ...record.restrictions.past].map((r) => r.channelArn) : [])])];
  const messages = [...(record?.messages.items ?? []), ...(older?.key === key ? older.items : [])];
  const next = older?.key === key ? older.next : record?.messages.next;

  const loadOlder = async () => {
    if (!next) return;
    setLoadingOlder(true);
    try {
      const page = await call(api.GET('/senders/{memberArn}', { params: { path: { memberArn }, query: { messages: filter, limit: PAGE, cursor: next } } }));
      setOlder({ items: [...(older?.key === key ? older.items : []), ...page.messages.items], next: page.messages.next, key });
      setOlderError(undefined);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setOlderError(explainProblem(error.problem, { nowMs: Date.now() }));
    } finally {
      setLoadingOlder(false);
    }
  };

  const name = arnTail(memberArn);
  return (
    <section class="sender-page" aria-labelledby="sender-title">
      <h1 id="sender-title">Sender: {name}</h1>
      <p class="muted sender-arn">
        <code>{memberArn}</code>
      </p>
      {polled.error && record && (
        <p class="stale" role="status">
          Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…
        </p>
      )}
      {!record && polled.error && <ErrorState error={polled.error} what="the sender’s record" onRetry={polled.refresh} />}
      {!record && !polled.error && <Loading what="the sender’s record" />}
      {record && (
        <>
          <div class="cards">
            <div class={`card${record.summary.countingStrikes > 0 ? ' emphasis' : ''}`}>
              <h2>Strikes that count</h2>
              <p class="big">{record.summary.countingStrikes}</p>
            </div>
            <div class={`card${record.summary.activeRestrictions > 0 ? ' emphasis' : ''}`}>
              <h2>Restrictions in force</h2>
              <p class="big">{record.summary.activeRestrictions}</p>
            </div>
            <div class="card">
              <h2>Waiting for approval</h2>
              <p class="big">{record.summary.pendingApprovals}</p>
            </div>
            <div class="card">
              <h2>Reported messages</h2>
              <p class="big">{record.summary.reports}</p>
            </div>
          </div>

          <div class="sender-grid">
            <div class="stack">
              <Restrictions api={api} isAdmin={props.isAdmin} record={record} nowMs={now} onChanged={polled.refresh} />
              <Notes api={api} memberArn={memberArn} notes={record.notes} onAdded={polled.refresh} />
              <RestrictionForm api={api} memberArn={memberArn} channels={channels} initialChannel={fromChannel} onDone={() => polled.refresh()} />
            </div>
            <div class="stack">
              <section class="card" aria-labelledby="strikes-title">
                <h2 id="strikes-title">Strikes</h2>
                {record.strikes.length === 0 ? (
                  <p class="muted">None.</p>
                ) : (
                  <div class="table-scroll" tabIndex={0} role="region" aria-label="Strikes">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">When</th>
                          <th scope="col">Why</th>
                          <th scope="col">Where</th>
                          <th scope="col">Counts?</th>
                        </tr>
                      </thead>
                      <tbody>
                        {record.strikes.map((s) => (
                          <tr key={s.id} class={`strike strike-${s.standing}`}>
                            <td>
                              <time dateTime={s.at}>{formatTimestamp(s.at)}</time>
                            </td>
                            <td>
                              {s.source.callbackId ? (
                                <a href={reviewUrl(s.source.callbackId, '')} onClick={onLinkClick}>
                                  {strikeSource(s)}
                                </a>
                              ) : s.source.caseId ? (
                                <a href={caseUrl(s.source.caseId, '')} onClick={onLinkClick}>
                                  {strikeSource(s)}
                                </a>
                              ) : (
                                strikeSource(s)
                              )}
                            </td>
                            <td>#{arnTail(s.channelArn)}</td>
                            <td>{strikeStanding(s, { nowMs: now })}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>

              <section class="card" aria-labelledby="sender-reports-title">
                <h2 id="sender-reports-title">Reports against them</h2>
                {record.reports.length === 0 ? (
                  <p class="muted">None.</p>
                ) : (
                  <ul class="plain-list">
                    {record.reports.map((c) => (
                      <li key={c.caseId}>
                        <a href={caseUrl(c.caseId, '')} onClick={onLinkClick}>
                          {c.categories ? categoriesText(Object.entries(c.categories).map(([category, count]) => ({ label: CATEGORY_LABELS[category as Category] ?? category, count }))) : 'Report case'}
                          {c.channelArn ? ` in #${arnTail(c.channelArn)}` : ''}
                        </a>{' '}
                        <span class="muted">
                          {c.reporterCount !== undefined ? `${c.reporterCount} reporter${c.reporterCount === 1 ? '' : 's'} · ` : ''}
                          {c.status ?? 'unknown'}
                          {c.decisionAction ? ` (${c.decisionAction})` : ''}
                          {c.urgent ? ' · urgent' : ''}
                          {c.firstReportAt ? ` · ${formatTimestamp(c.firstReportAt)}` : ''}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>

              <section class="card" aria-labelledby="sender-messages-title">
                <div class="field-head">
                  <h2 id="sender-messages-title">{filter === 'all' ? 'Messages' : 'Held and denied messages'}</h2>
                  <div class="inline-field">
                    <label for="sender-messages-filter">Show</label>
                    <select id="sender-messages-filter" value={filter} onChange={(e) => navigate(`${senderUrl(memberArn)}${e.currentTarget.value === 'all' ? `?messages=all${fromChannel ? `&channel=${encodeURIComponent(fromChannel)}` : ''}` : fromChannel ? `?channel=${encodeURIComponent(fromChannel)}` : ''}`, { replace: true })}>
                      <option value="held-or-denied">Held or denied</option>
                      <option value="all">All messages</option>
                    </select>
                  </div>
                </div>
                {messages.length === 0 ? (
                  <Empty title={filter === 'all' ? 'No messages in the record.' : 'No held or denied messages in this page of the record.'} />
                ) : (
                  <ul class="plain-list sender-messages">
                    {messages.map((m) => (
                      <li key={m.callbackId}>
                        <a href={reviewUrl(m.callbackId, '')} onClick={onLinkClick}>
                          {snippet(m.content, 100)}
                        </a>
                        <div class="muted">
                          {formatTimestamp(m.receivedAt)} · #{arnTail(m.channelArn)} · {m.decision ? `${m.decision.action} by ${m.decision.actor.name ?? m.decision.actor.id} (${m.decision.origin.toLowerCase()})` : m.status}
                          {m.policy?.ruleIds.length ? ` · ${m.policy.ruleIds.join(', ')}` : ''}
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
                {olderError && <ProblemNotice explained={olderError} />}
                {next && (
                  <button type="button" disabled={loadingOlder} onClick={() => void loadOlder()}>
                    {loadingOlder ? 'Loading…' : 'Older messages'}
                  </button>
                )}
              </section>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function Restrictions(props: { api: Api; isAdmin: boolean; record: SenderRecord; nowMs: number; onChanged: () => void }) {
  const { record } = props;
  const [lifting, setLifting] = useState<string>();
  const clock = { nowMs: props.nowMs };
  const row = (r: Restriction, active: boolean) => (
    <li key={r.id} class={`restriction restriction-${r.status}`} data-restriction-id={r.id}>
      <p class="restriction-what">
        <strong>{restrictionWhat(r)}</strong> <span class="status-pill">{STATUS_WORDS[r.status]}</span> <span>{restrictionWhen(r, clock)}</span>
      </p>
      <p class="muted">
        {restrictionCause(r)} · {formatTimestamp(r.requestedAt)}: {r.reason}
        {r.approval?.approved ? ` · approved by ${r.approval.by.name ?? r.approval.by.id}` : ''}
        {r.chime.bans.some((b) => b.outcome !== 'DONE') ? ` · Chime: ${r.chime.bans.filter((b) => b.outcome !== 'DONE').map((b) => `${b.outcome} in #${arnTail(b.channelArn)}`).join(', ')}` : ''}
      </p>
      {active && (
        <div class="actions">
          <button type="button" class="small danger-outline" disabled={!props.isAdmin} aria-describedby={props.isAdmin ? undefined : 'lift-admins-only'} aria-expanded={lifting === r.id} onClick={() => setLifting(lifting === r.id ? undefined : r.id)}>
            Lift<span class="visually-hidden"> {restrictionWhat(r).toLowerCase()}</span>
          </button>
        </div>
      )}
      {lifting === r.id && (
        <LiftForm
          api={props.api}
          restriction={r}
          onCancel={() => setLifting(undefined)}
          onDone={() => {
            setLifting(undefined);
            props.onChanged();
          }}
        />
      )}
    </li>
  );
  return (
    <section class="card" aria-labelledby="restrictions-title">
      <h2 id="restrictions-title">Restrictions</h2>
      {record.restrictions.active.length === 0 ? <p class="muted">None in force or waiting.</p> : <ul class="plain-list restrictions">{record.restrictions.active.map((r) => row(r, true))}</ul>}
      {!props.isAdmin && record.restrictions.active.length > 0 && (
        <p class="hint" id="lift-admins-only">
          Only admins may lift a restriction early. Ask one, or wait for it to end.
        </p>
      )}
      {record.restrictions.past.length > 0 && (
        <details>
          <summary>Past restrictions ({record.restrictions.past.length})</summary>
          <ul class="plain-list restrictions">{record.restrictions.past.map((r) => row(r, false))}</ul>
        </details>
      )}
      {record.summary.pendingApprovals > 0 && (
        <p class="hint">
          <a href={`${BASE}/approvals`} onClick={onLinkClick}>
            Open the approvals
          </a>{' '}
          to decide a ban waiting for a second moderator.
        </p>
      )}
    </section>
  );
}

function Notes(props: { api: Api; memberArn: string; notes: SenderRecord['notes']; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Explanation>();
  const trimmed = text.trim();
  return (
    <section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      {props.notes.length === 0 ? (
        <p class="muted">No notes yet.</p>
      ) : (
        <ul class="plain-list notes">
          {props.notes.map((n) => (
            <li key={n.id}>
              <p class="note-text">{n.text}</p>
              <p class="muted">
                {n.by.name ?? n.by.id}, {formatTimestamp(n.at)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!trimmed || busy) return;
          setBusy(true);
          try {
            await call(props.api.POST('/senders/{memberArn}/notes', { params: { path: { memberArn: props.memberArn } }, body: { text: trimmed } }));
            setText('');
            setProblem(undefined);
            announce('Note added.');
            props.onAdded();
          } catch (error) {
            if (error instanceof ApiError && error.status !== 401) setProblem(explainProblem(error.problem, { nowMs: Date.now() }));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="sender-note">Add a note</label>
        <textarea id="sender-note" rows={3} maxLength={2000} value={text} aria-describedby="sender-note-help" onInput={(e) => setText(e.currentTarget.value)} />
        <small id="sender-note-help">Only moderators ever see notes.</small>
        {problem && <ProblemNotice explained={problem} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={!trimmed || busy}>
            {busy ? 'Adding…' : 'Add note'}
          </button>
        </div>
      </form>
    </section>
  );
}
