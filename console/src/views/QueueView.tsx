import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call, type Api, type ReviewSummary, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { Empty, ErrorState, Loading } from '../components/States';
import { isShortcut, usePolling } from '../hooks';
import { navigate, onLinkClick, queueUrl, reviewUrl } from '../router';
import { BulkBar, BulkResults, type BulkOutcome } from './BulkBar';
import { Filters, filtersFrom, queryFrom, searchFrom, type KnownValues } from './Filters';
import { QueueRow } from './QueueRow';
import { ReviewPane } from './ReviewPane';
import { senderName } from './names';

/**
 * The queue: held messages, most urgent first, refreshed every 5 s (new ones appear without a
 * reload; the selection and the open item stay). With an item open (wide screens) the queue
 * stays beside it; on a phone the item takes the screen.
 *
 * Keys here: j/k move, Enter opens, x selects for a bulk decision. The open item handles a/d/e.
 */
const PAGE = 50;
const MAX_SHOWN = 100;
const POLL_MS = 5_000;

export function QueueView(props: { api: Api; me: Viewer; isAdmin: boolean; openId?: string | undefined; search: string }) {
  const { api, me, openId } = props;
  const filters = filtersFrom(props.search);
  const search = searchFrom(filters);
  const [shown, setShown] = useState(PAGE);
  const query = queryFrom(filters, shown);
  const polled = usePolling(() => call(api.GET('/reviews', { params: { query } })), POLL_MS, JSON.stringify(query));
  const items = polled.data?.items ?? [];
  const [selectedId, setSelectedId] = useState<string | undefined>(openId);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<BulkOutcome[]>();
  const known = useRef<KnownValues>({ channels: new Map(), senders: new Map(), rules: new Set() });
  const previousCount = useRef<number | undefined>(undefined);

  for (const item of items) {
    known.current.channels.set(item.message.channelArn, item.message.channelName);
    known.current.senders.set(item.message.sender.arn, senderName(item.message.sender));
    for (const rule of item.policy?.ruleIds ?? []) known.current.rules.add(rule);
  }

  // Keep a selection that still exists; otherwise the row now at its place.
  const index = items.findIndex((i) => i.callbackId === selectedId);
  const lastIndex = useRef(0);
  if (index >= 0) lastIndex.current = index;
  const effectiveSelected = index >= 0 ? selectedId : items[Math.min(lastIndex.current, items.length - 1)]?.callbackId;

  useEffect(() => {
    if (openId) setSelectedId(openId);
  }, [openId]);

  useEffect(() => {
    if (!polled.data) return;
    const count = polled.data.items.length;
    if (previousCount.current !== undefined && count > previousCount.current) announce(`${count - previousCount.current} new held message${count - previousCount.current === 1 ? '' : 's'}.`);
    previousCount.current = count;
  }, [polled.data]);

  const focusRow = (id: string) => {
    const link = document.querySelector<HTMLAnchorElement>(`[data-row-link="${CSS.escape(id)}"]`);
    link?.focus({ preventScroll: true });
    link?.scrollIntoView({ block: 'nearest' });
  };

  // One listener, reading the latest render through a ref: a key pressed right after a click or
  // a focus change must act on what the moderator sees, not on the render before it.
  const latest = useRef({ items, effectiveSelected, checked, search });
  latest.current = { items, effectiveSelected, checked, search };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { items, checked, search } = latest.current;
      if (!isShortcut(event) || items.length === 0) return;
      // The row that has the focus is the selected one (Tab and clicks move focus too).
      const focused = (document.activeElement as HTMLElement | null)?.closest('[data-callback-id]')?.getAttribute('data-callback-id');
      const effectiveSelected = focused && items.some((i) => i.callbackId === focused) ? focused : latest.current.effectiveSelected;
      const at = Math.max(0, items.findIndex((i) => i.callbackId === effectiveSelected));
      if (event.key === 'j' || event.key === 'k') {
        const next = items[Math.min(items.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)))]!;
        setSelectedId(next.callbackId);
        focusRow(next.callbackId);
      } else if (event.key === 'Enter') {
        const target = event.target as HTMLElement;
        if (target.closest('a, button, summary, [role="button"]')) return; // the focused control handles it
        if (effectiveSelected) navigate(reviewUrl(effectiveSelected, search));
      } else if (event.key === 'x') {
        if (!effectiveSelected) return;
        toggle(effectiveSelected, !checked.has(effectiveSelected));
      } else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const toggle = (id: string, on: boolean) =>
    setChecked((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  /** After a decision: the next message nobody else holds, in queue order. */
  const onDecided = (id: string, summary: string) => {
    const at = items.findIndex((i) => i.callbackId === id);
    const candidates = [...items.slice(at + 1), ...items.slice(0, Math.max(0, at))].filter((i) => i.callbackId !== id && !(i.claim?.active && i.claim.subject !== me.subject));
    const next = candidates[0];
    setChecked((c) => {
      const n = new Set(c);
      n.delete(id);
      return n;
    });
    if (next) {
      announce(`${summary} Next message opened.`);
      setSelectedId(next.callbackId);
      navigate(reviewUrl(next.callbackId, search));
    } else {
      announce(`${summary} No more held messages${search ? ' match these filters' : ''}.`);
      navigate(queueUrl(search));
    }
    polled.refresh();
  };

  const selectedItems = useMemo(() => items.filter((i) => checked.has(i.callbackId)), [items, checked]);
  const othersHolding = items.filter((i) => i.claim?.active && i.claim.subject !== me.subject).length;

  return (
    <div class={`queue-layout${openId ? ' has-open' : ''}`}>
      <section class="queue-pane" aria-labelledby="queue-title">
        <div class="queue-head">
          <h1 id="queue-title">Held messages</h1>
          {polled.data && (
            <p class="queue-count" aria-live="off">
              {items.length >= shown ? `${items.length}+` : items.length} waiting{othersHolding ? ` · ${othersHolding} claimed by others` : ''} · refreshes every 5 s
            </p>
          )}
        </div>
        <Filters
          filters={filters}
          known={known.current}
          onChange={(f) => {
            setChecked(new Set());
            navigate(openId ? reviewUrl(openId, searchFrom(f)) : queueUrl(searchFrom(f)), { replace: true });
          }}
        />
        {selectedItems.length > 0 && (
          <BulkBar
            api={api}
            selected={selectedItems}
            onClear={() => setChecked(new Set())}
            onDone={(results) => {
              setOutcomes(results);
              setChecked(new Set(results.filter((r) => !r.ok).map((r) => r.callbackId)));
              announce(`Bulk decision: ${results.filter((r) => r.ok).length} of ${results.length} done.`);
              polled.refresh();
            }}
          />
        )}
        {outcomes && <BulkResults outcomes={outcomes} onDismiss={() => setOutcomes(undefined)} />}
        {polled.error && polled.data && <p class="stale" role="status">Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…</p>}
        {!polled.data && polled.error && <ErrorState error={polled.error} what="the queue" onRetry={polled.refresh} />}
        {!polled.data && !polled.error && <Loading what="the queue" />}
        {polled.data && items.length === 0 && (
          <Empty title={search ? 'No held messages match these filters.' : 'Nothing is waiting for review.'}>
            <p>{search ? 'Clear the filters to see the whole queue.' : 'New held messages appear here within 5 seconds, most urgent first.'}</p>
          </Empty>
        )}
        {items.length > 0 && (
          <ol class="queue" aria-label="Held messages, most urgent first">
            {items.map((item: ReviewSummary) => (
              <QueueRow
                key={item.callbackId}
                item={item}
                me={me}
                receivedAt={polled.receivedAt}
                search={search}
                selected={item.callbackId === effectiveSelected}
                open={item.callbackId === openId}
                checked={checked.has(item.callbackId)}
                onCheck={(on) => toggle(item.callbackId, on)}
                onSelect={() => setSelectedId(item.callbackId)}
              />
            ))}
          </ol>
        )}
        {items.length >= shown && shown < MAX_SHOWN && (
          <button type="button" onClick={() => setShown((s) => Math.min(MAX_SHOWN, s + PAGE))}>
            Show more
          </button>
        )}
        {items.length >= MAX_SHOWN && <p class="hint">Showing the {MAX_SHOWN} most urgent. Filters narrow the queue.</p>}
      </section>
      {openId ? (
        <ReviewPane key={openId} api={api} me={me} isAdmin={props.isAdmin} id={openId} onDecided={onDecided} backHref={queueUrl(search)} onBack={onLinkClick} />
      ) : (
        <section class="review-pane placeholder" aria-label="Open message">
          <p>Open a message to review it: click it, or move with j and k and press Enter. Opening a message claims it for you.</p>
          <p>
            Press <kbd>?</kbd> for all the keyboard shortcuts.
          </p>
        </section>
      )}
    </div>
  );
}
