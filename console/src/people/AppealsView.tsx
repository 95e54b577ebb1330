import { useEffect, useRef, useState } from 'preact/hooks';
import { call, type Api, type Appeal, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { Empty, ErrorState, Loading } from '../components/States';
import { useNow, usePolling } from '../hooks';
import { loadPages } from '../lib/pages';
import { appealedWho } from '../lib/people';
import { arnTail } from '../lib/problems';
import { formatAge } from '../lib/time';
import { appealsUrl, appealUrl, navigate, onLinkClick } from '../router';
import { snippet } from '../views/names';
import { AppealPane } from './AppealPane';
import { useListKeys } from './list-keys';
import './people.css';

/**
 * The Appeals queue (GET /appeals): pending appeals first (the default), oldest first, each
 * with the decision it is about; UPHELD and OVERTURNED ones a filter away. The status lives in
 * the URL; the list is re-read every 10 s. Keys: j/k move, Enter opens; the open appeal handles
 * u (Uphold) and o (Overturn).
 */
const PAGE = 25;
const POLL_MS = 10_000;
const STATUSES = ['PENDING', 'UPHELD', 'OVERTURNED'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_LABELS: Record<Status, string> = { PENDING: 'Pending', UPHELD: 'Upheld', OVERTURNED: 'Overturned' };

const statusFrom = (search: string): Status => {
  const s = new URLSearchParams(search).get('status');
  return (STATUSES as readonly string[]).includes(s ?? '') ? (s as Status) : 'PENDING';
};
const searchFor = (status: Status) => (status === 'PENDING' ? '' : `?status=${status}`);

export const appellantOf = (a: Appeal) => arnTail(a.appellant.memberArn);

export function AppealsView(props: { api: Api; me: Viewer; openId?: string | undefined; search: string }) {
  const { api, me, openId } = props;
  const status = statusFrom(props.search);
  const search = searchFor(status);
  const pages = useRef(1);
  const pagesFor = useRef(status);
  if (pagesFor.current !== status) {
    pagesFor.current = status;
    pages.current = 1;
  }
  const polled = usePolling(() => loadPages((cursor) => call(api.GET('/appeals', { params: { query: { status, limit: PAGE, ...(cursor ? { cursor } : {}) } } })), pages.current, (a) => a.appealId), POLL_MS, status);
  const items = polled.data?.items ?? [];
  const [selectedId, setSelectedId] = useState<string | undefined>(openId);
  useEffect(() => {
    if (openId) setSelectedId(openId);
  }, [openId]);
  const effectiveSelected = items.some((a) => a.appealId === selectedId) ? selectedId : items[0]?.appealId;
  useListKeys({ ids: items.map((a) => a.appealId), selected: effectiveSelected, select: setSelectedId, urlOf: (id) => appealUrl(id, search) });
  const now = useNow();

  const onDecided = (appealId: string, summary: string) => {
    const at = items.findIndex((a) => a.appealId === appealId);
    const next = [...items.slice(at + 1), ...items.slice(0, Math.max(0, at))].find((a) => a.appealId !== appealId && a.status === 'PENDING');
    if (next) {
      announce(`${summary} Next appeal opened.`);
      setSelectedId(next.appealId);
      navigate(appealUrl(next.appealId, search));
    } else {
      announce(`${summary} No more pending appeals.`);
      navigate(appealsUrl(search));
    }
    polled.refresh();
  };

  return (
    <div class={`queue-layout${openId ? ' has-open' : ''}`}>
      <section class="queue-pane" aria-labelledby="appeals-title">
        <div class="queue-head">
          <h1 id="appeals-title">Appeals</h1>
          {polled.data && (
            <p class="queue-count">
              {items.length}
              {polled.data.next ? '+' : ''} {STATUS_LABELS[status].toLowerCase()} · oldest first · refreshes every 10 s
            </p>
          )}
        </div>
        <form class="filters appeals-filters" role="search" aria-label="Filter the appeals" onSubmit={(e) => e.preventDefault()}>
          <div>
            <label for="appeals-status">Status</label>
            <select id="appeals-status" value={status} onChange={(e) => navigate(openId ? appealUrl(openId, searchFor(e.currentTarget.value as Status)) : appealsUrl(searchFor(e.currentTarget.value as Status)), { replace: true })}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        </form>
        {polled.error && polled.data && (
          <p class="stale" role="status">
            Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…
          </p>
        )}
        {!polled.data && polled.error && <ErrorState error={polled.error} what="the appeals" onRetry={polled.refresh} />}
        {!polled.data && !polled.error && <Loading what="the appeals" />}
        {polled.data && items.length === 0 && (
          <Empty title={status === 'PENDING' ? 'No appeals are waiting.' : `No ${STATUS_LABELS[status].toLowerCase()} appeals.`}>
            {status === 'PENDING' && <p>When a member appeals a decision about their message, it appears here within 10 seconds.</p>}
          </Empty>
        )}
        {items.length > 0 && (
          <ol class="queue" aria-label={`${STATUS_LABELS[status]} appeals, oldest first`}>
            {items.map((a) => (
              <li key={a.appealId} class={`queue-row appeal-row${a.appealId === effectiveSelected ? ' selected' : ''}${a.appealId === openId ? ' open' : ''}`} data-row-id={a.appealId}>
                <a class="row-link" href={appealUrl(a.appealId, search)} aria-current={a.appealId === openId ? 'true' : undefined} data-row-link={a.appealId} onClick={onLinkClick} onFocus={() => setSelectedId(a.appealId)}>
                  <span class="row-text">“{snippet(a.text, 120)}”</span>
                  <span class="row-meta">
                    {appellantOf(a)} appeals {appealedWho(a.appealed)} · #{arnTail(a.appealed.channelArn)}
                  </span>
                </a>
                <div class="row-side">
                  {a.status === 'PENDING' ? <span class="badge">made {formatAge(now - Date.parse(a.createdAt))}</span> : <span class="status-pill">{a.status}</span>}
                  <span class="muted row-quote">on: {snippet(a.appealed.message.content, 60)}</span>
                </div>
              </li>
            ))}
          </ol>
        )}
        {polled.data?.next && (
          <button
            type="button"
            disabled={polled.loading}
            onClick={() => {
              pages.current += 1;
              polled.refresh();
            }}
          >
            Show more
          </button>
        )}
      </section>
      {openId ? (
        <AppealPane key={openId} api={api} me={me} appealId={openId} onDecided={onDecided} backHref={appealsUrl(search)} onBack={onLinkClick} />
      ) : (
        <section class="review-pane placeholder" aria-label="Open appeal">
          <p>Open an appeal to decide it: click it, or move with j and k and press Enter.</p>
          <p>
            Press <kbd>?</kbd> for all the keyboard shortcuts.
          </p>
        </section>
      )}
    </div>
  );
}
