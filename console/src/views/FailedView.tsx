import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type ReviewDetail } from '../api/client';
import type { components } from '../api/schema';
import { announce } from '../announcer';
import { ConfirmForm } from '../components/ConfirmForm';
import { Empty, ErrorState, Loading } from '../components/States';
import { usePolling } from '../hooks';
import { explainProblem } from '../lib/problems';
import { redeliverAll, REDELIVER_BATCH, summarise, type RedeliverRun } from '../lib/redelivery';
import { FailedRow } from './FailedRow';
import { RedeliveryReport, type RedeliveryReportData } from './RedeliveryReport';
import { senderName, snippet } from './names';
import './failed.css';

/**
 * FAILED messages (GET /operations/failed): decisions Chime refused while the message still
 * waits in its window, nearest deadline first, each with why. After the cause is fixed (most
 * often the execution role's missing chime:ChannelFlowCallback grant), an admin re-delivers each
 * recorded decision (POST /operations/redeliver): all at once, or one. The list is re-read from
 * the API after every re-delivery and every 10 s; the console keeps no copy of its own.
 */
const PAGE = 25;
const POLL_MS = 10_000;

type Answer = components['schemas']['RedeliverResult'];
type Result = Answer['results'][number];

async function loadFailed(api: Api, pages: number): Promise<{ items: ReviewDetail[]; next?: string | undefined }> {
  const byId = new Map<string, ReviewDetail>();
  let cursor: string | undefined;
  for (let n = 0; n < pages; n++) {
    const page = await call(api.GET('/operations/failed', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }));
    for (const item of page.items) byId.set(item.callbackId, item);
    cursor = page.next;
    if (!cursor) break;
  }
  return { items: [...byId.values()], next: cursor };
}

export function FailedView(props: { api: Api; isAdmin: boolean | undefined }) {
  const { api } = props;
  // Pages shown: every refresh re-reads all of them, so what is listed is what the API says now.
  const pages = useRef(1);
  const polled = usePolling(() => loadFailed(api, pages.current), POLL_MS, 'failed');
  const items = polled.data?.items ?? [];
  const [confirming, setConfirming] = useState<string>(); // 'all' or a callbackId
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<RedeliveryReportData>();
  const reportHeading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLElement | null>(null);

  useEffect(() => {
    if (report) reportHeading.current?.focus();
  }, [report]);

  const ask = (what: string) => {
    opener.current = document.activeElement as HTMLElement | null;
    setReport(undefined);
    setConfirming(confirming === what ? undefined : what);
  };
  const cancel = () => {
    setConfirming(undefined);
    const back = opener.current;
    setTimeout(() => back?.isConnected && back.focus(), 0);
  };

  const labelFor = (result: Result): string => {
    const item = result.item ?? items.find((i) => i.callbackId === result.callbackId);
    return item ? `${senderName(item.message.sender)}: ${snippet(item.message.content, 60)}` : result.callbackId;
  };

  const run = async (scope: 'all' | 'one', post: (cursor?: string) => Promise<Answer>) => {
    if (busy) return;
    setBusy(true);
    const outcome: RedeliverRun<Result> = scope === 'all' ? await redeliverAll(post) : await post().then((a) => ({ results: a.results, calls: 1, left: false }), (error: unknown) => ({ results: [], calls: 0, left: false, error }));
    setBusy(false);
    setConfirming(undefined);
    const error = outcome.error;
    if (error instanceof ApiError && error.status === 401 && outcome.results.length === 0) return; // the sign-in comes back over the page
    const problem = error === undefined ? undefined : explainProblem(error instanceof ApiError ? error.problem : { status: 0, detail: String(error) }, { nowMs: Date.now() });
    const summary = summarise(outcome.results, { left: outcome.left });
    setReport({ scope, summary, lines: outcome.results.map((result) => ({ result, label: labelFor(result) })), problem });
    announce(problem ? `Re-delivery stopped: ${problem.title}.` : `Re-delivery: ${summary.title}`);
    polled.refresh();
  };

  const redeliverEverything = () =>
    void run('all', (cursor) => call(api.POST('/operations/redeliver', { body: { status: 'FAILED', limit: REDELIVER_BATCH, ...(cursor ? { cursor } : {}) } })));
  const redeliverOne = (callbackId: string) =>
    void run('one', () => call(api.POST('/operations/redeliver', { body: { status: 'FAILED', callbackIds: [callbackId], limit: REDELIVER_BATCH } })));

  const more = Boolean(polled.data?.next);
  const count = `${items.length}${more ? '+' : ''}`;

  return (
    <section class="failed" aria-labelledby="failed-title">
      <div class="queue-head">
        <h1 id="failed-title">Failed deliveries</h1>
        {polled.data && (
          <p class="queue-count">
            {items.length > 0 ? `${count} FAILED in ${items.length === 1 && !more ? 'its' : 'their'} window · nearest deadline first · ` : ''}refreshes every 10 s
          </p>
        )}
      </div>
      <p class="hint failed-intro">
        Messages whose decision Chime refused while they still wait in its window. The usual cause is a missing grant: the Lambda execution role lacks <code>chime:ChannelFlowCallback</code>. Once
        the cause is fixed, re-delivering sends each message the decision it recorded, never a new one.
      </p>
      <RoleNote isAdmin={props.isAdmin} />
      {props.isAdmin && items.length > 0 && (
        <div class="failed-toolbar">
          <button type="button" class="primary" disabled={busy} aria-expanded={confirming === 'all'} onClick={() => ask('all')}>
            Re-deliver all
          </button>
          {confirming === 'all' && (
            <ConfirmForm
              id="redeliver-all"
              aria-label="Re-deliver all"
              consequence={
                <>
                  Send Chime, again, the decision each FAILED message in its window recorded: the {count} listed here{more ? ' and the rest' : ''}. Each gets its own decision, never a new
                  one. If the cause is not fixed yet, they fail again and stay listed.
                </>
              }
              confirm="Confirm re-delivery"
              working="Re-delivering…"
              busy={busy}
              onConfirm={redeliverEverything}
              onCancel={cancel}
            />
          )}
        </div>
      )}
      {report && <RedeliveryReport report={report} headingRef={reportHeading} onDismiss={() => setReport(undefined)} />}
      {polled.error && polled.data && (
        <p class="stale" role="status">
          Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…
        </p>
      )}
      {!polled.data && polled.error && <ErrorState error={polled.error} what="the FAILED messages" onRetry={polled.refresh} />}
      {!polled.data && !polled.error && <Loading what="the FAILED messages" />}
      {polled.data && items.length === 0 && (
        <Empty title="Nothing is FAILED in its window.">
          <p>Every decision Chime refused while its message still waited would be listed here, nearest deadline first. There is none now: nothing to re-deliver.</p>
        </Empty>
      )}
      {items.length > 0 && (
        <ol class="failed-list" aria-label="FAILED messages, nearest deadline first">
          {items.map((item) => (
            <FailedRow
              key={item.callbackId}
              item={item}
              receivedAt={polled.receivedAt}
              isAdmin={props.isAdmin}
              confirming={confirming === item.callbackId}
              busy={busy}
              onAsk={() => ask(item.callbackId)}
              onConfirm={() => redeliverOne(item.callbackId)}
              onCancel={cancel}
            />
          ))}
        </ol>
      )}
      {more && (
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
  );
}

function RoleNote(props: { isAdmin: boolean | undefined }) {
  if (props.isAdmin !== false) return null;
  return (
    <p class="failed-role-note" id="failed-role-note">
      <strong>Only admins can re-deliver.</strong> You are signed in as a moderator: you can see what failed and why. Once the cause is fixed, ask an admin to re-deliver these messages (here, or
      with <code>npm run redeliver</code>).
    </p>
  );
}
