import { useEffect, useRef, useState } from 'preact/hooks';
import { call, type Api, type CaseSummary, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { Empty, ErrorState, Loading } from '../components/States';
import { usePolling } from '../hooks';
import { caseFiltersFrom, caseSearchFrom, casesQueryFrom, filtersActive } from '../lib/cases';
import { loadPages } from '../lib/pages';
import { caseUrl, casesUrl, navigate, onLinkClick } from '../router';
import { CaseFilters } from './CaseFilters';
import { CasePane } from './CasePane';
import { CaseRow, channelOf, senderOf } from './CaseRow';
import { useListKeys } from './list-keys';
import './people.css';

/**
 * The Reports queue: cases of reported messages (GET /cases), soonest SLA first (or highest
 * priority first), urgent ones on top, each with its SLA countdown. Filters and order live in the
 * URL; the list is re-read every 10 s, every page shown (cursors), so what it shows is what the
 * API says now. With a case open (wide screens) the queue stays beside it.
 *
 * Keys: j/k move, Enter opens; the open case handles a/r/d (Dismiss, Redact, Delete).
 */
const PAGE = 25;
const POLL_MS = 10_000;

export function ReportsView(props: { api: Api; me: Viewer; isAdmin: boolean; openId?: string | undefined; search: string }) {
  const { api, me, openId } = props;
  const filters = caseFiltersFrom(props.search);
  const search = caseSearchFrom(filters);
  const key = JSON.stringify(filters);
  const pages = useRef(1);
  const pagesKey = useRef(key);
  if (pagesKey.current !== key) {
    pagesKey.current = key;
    pages.current = 1;
  }
  const polled = usePolling(
    () => loadPages((cursor) => call(api.GET('/cases', { params: { query: casesQueryFrom(filters, PAGE, cursor) } })), pages.current, (c) => c.caseId),
    POLL_MS,
    key,
  );
  const items = polled.data?.items ?? [];
  const [selectedId, setSelectedId] = useState<string | undefined>(openId);
  const known = useRef({ channels: new Map<string, string>(), senders: new Map<string, string>() });
  for (const c of items) {
    known.current.channels.set(c.channelArn, channelOf(c));
    known.current.senders.set(c.sender.arn, senderOf(c));
  }
  useEffect(() => {
    if (openId) setSelectedId(openId);
  }, [openId]);

  const previous = useRef<Set<string> | undefined>(undefined);
  useEffect(() => {
    if (!polled.data) return;
    const ids = new Set(polled.data.items.map((c) => c.caseId));
    const fresh = previous.current ? [...ids].filter((id) => !previous.current!.has(id)).length : 0;
    if (fresh > 0) announce(`${fresh} new report case${fresh === 1 ? '' : 's'}.`);
    previous.current = ids;
  }, [polled.data]);

  const effectiveSelected = items.some((c) => c.caseId === selectedId) ? selectedId : items[0]?.caseId;
  useListKeys({ ids: items.map((c) => c.caseId), selected: effectiveSelected, select: setSelectedId, urlOf: (id) => caseUrl(id, search) });

  /** After a decision: the next open case nobody else holds, in queue order. */
  const onDecided = (caseId: string, summary: string) => {
    const at = items.findIndex((c) => c.caseId === caseId);
    const next = [...items.slice(at + 1), ...items.slice(0, Math.max(0, at))].find((c) => c.caseId !== caseId && c.status === 'OPEN' && !(c.claim?.active && c.claim.subject !== me.subject));
    if (next) {
      announce(`${summary} Next case opened.`);
      setSelectedId(next.caseId);
      navigate(caseUrl(next.caseId, search));
    } else {
      announce(`${summary} No more open cases${filtersActive(filters) ? ' match these filters' : ''}.`);
      navigate(casesUrl(search));
    }
    polled.refresh();
  };

  const urgent = items.filter((c) => c.urgent).length;
  return (
    <div class={`queue-layout${openId ? ' has-open' : ''}`}>
      <section class="queue-pane" aria-labelledby="reports-title">
        <div class="queue-head">
          <h1 id="reports-title">Reports</h1>
          {polled.data && (
            <p class="queue-count">
              {items.length}
              {polled.data.next ? '+' : ''} {filters.status === 'OPEN' ? 'open' : filters.status.toLowerCase()}
              {urgent ? ` · ${urgent} urgent` : ''} · {filters.order === 'priority' ? 'highest priority first' : 'soonest SLA first'} · refreshes every 10 s
            </p>
          )}
        </div>
        <CaseFilters filters={filters} channels={known.current.channels} senders={known.current.senders} onChange={(f) => navigate(openId ? caseUrl(openId, caseSearchFrom(f)) : casesUrl(caseSearchFrom(f)), { replace: true })} />
        {polled.error && polled.data && (
          <p class="stale" role="status">
            Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…
          </p>
        )}
        {!polled.data && polled.error && <ErrorState error={polled.error} what="the reports" onRetry={polled.refresh} />}
        {!polled.data && !polled.error && <Loading what="the reports" />}
        {polled.data && items.length === 0 && (
          <Empty title={filtersActive(filters) ? 'No cases match these filters.' : 'No open reports.'}>
            <p>{filtersActive(filters) ? 'Clear the filters to see every open case.' : 'When members report a message, its case appears here within 10 seconds, soonest SLA first.'}</p>
          </Empty>
        )}
        {items.length > 0 && (
          <ol class="queue" aria-label={`Report cases, ${filters.order === 'priority' ? 'highest priority' : 'soonest SLA'} first`}>
            {items.map((c: CaseSummary) => (
              <CaseRow key={c.caseId} item={c} me={me} receivedAt={polled.receivedAt} search={search} selected={c.caseId === effectiveSelected} open={c.caseId === openId} onSelect={() => setSelectedId(c.caseId)} />
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
        <CasePane key={openId} api={api} me={me} isAdmin={props.isAdmin} caseId={openId} onDecided={onDecided} onChanged={polled.refresh} backHref={casesUrl(search)} onBack={onLinkClick} />
      ) : (
        <section class="review-pane placeholder" aria-label="Open case">
          <p>Open a case to act on it: click it, or move with j and k and press Enter. Opening a case claims it for you.</p>
          <p>
            Press <kbd>?</kbd> for all the keyboard shortcuts.
          </p>
        </section>
      )}
    </div>
  );
}
