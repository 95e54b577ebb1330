import { useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type Restriction, type Viewer } from '../api/client';
import { announce } from '../announcer';
import { ReasonForm } from '../components/ReasonForm';
import { SenderLink } from '../components/SenderLink';
import { Empty, ErrorState, Loading, ProblemNotice } from '../components/States';
import { useNow, usePolling } from '../hooks';
import { loadPages } from '../lib/pages';
import { durationWords, ownRequest, restrictionCause, restrictionEffect, restrictionWhat } from '../lib/people';
import { arnTail, explainProblem, type Explanation } from '../lib/problems';
import { formatAge, formatTimestamp } from '../lib/time';
import './people.css';

/**
 * Bans waiting for a second moderator (GET /approvals), oldest request first: the two-person rule
 * for long bans and bans across an AppInstance. Approve (the ban applies now; its `for` counts
 * from now) or reject, each with a reason. Whoever asked for a ban cannot decide it: the console
 * says so beside the buttons, and explains the API's 403 four-eyes or 409 (someone else decided
 * first) if either comes.
 */
const PAGE = 25;
const POLL_MS = 10_000;
type Choice = { id: string; approve: boolean };
type Outcome = { ok: true; text: string } | { ok: false; who: string; explained: Explanation };

export function ApprovalsView(props: { api: Api; me: Viewer }) {
  const { api, me } = props;
  const pages = useRef(1);
  const polled = usePolling(() => loadPages((cursor) => call(api.GET('/approvals', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } })), pages.current, (r) => r.id), POLL_MS, 'approvals');
  const items = polled.data?.items ?? [];
  const [choice, setChoice] = useState<Choice>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const now = useNow();

  const decide = async (r: Restriction, approve: boolean, reason: string) => {
    setBusy(true);
    const who = arnTail(r.memberArn);
    try {
      const after = await call(api.POST('/approvals/{approvalId}/decision', { params: { path: { approvalId: r.id } }, body: { approve, reason } }));
      const text = approve ? `Approved: ${who} is banned ${after.endsAt ? `until ${formatTimestamp(after.endsAt)}` : 'until lifted'} (${restrictionWhat(after).toLowerCase()}).` : `Rejected: the ban of ${who} will not be applied.`;
      setOutcome({ ok: true, text });
      announce(text);
      setChoice(undefined);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return;
      setOutcome({ ok: false, who, explained: explainProblem(error.problem, { nowMs: Date.now() }) });
      setChoice(undefined);
    } finally {
      setBusy(false);
      polled.refresh();
    }
  };

  return (
    <section class="approvals" aria-labelledby="approvals-title">
      <div class="queue-head">
        <h1 id="approvals-title">Approvals</h1>
        {polled.data && (
          <p class="queue-count">
            {items.length}
            {polled.data.next ? '+' : ''} waiting · oldest first · refreshes every 10 s
          </p>
        )}
      </div>
      <p class="hint">Bans that need a second moderator (the two-person rule): longer than the policy allows, until lifted, or across an AppInstance. Whoever asked for a ban cannot decide it.</p>
      {outcome?.ok && (
        <p class="outcome outcome-ok" role="status">
          {outcome.text}
        </p>
      )}
      {outcome && !outcome.ok && (
        <ProblemNotice explained={{ ...outcome.explained, title: `${outcome.explained.title} (the ban of ${outcome.who})` }} />
      )}
      {polled.error && polled.data && (
        <p class="stale" role="status">
          Could not refresh ({polled.error.status || 'no answer'}); showing what was loaded. Retrying…
        </p>
      )}
      {!polled.data && polled.error && <ErrorState error={polled.error} what="the approvals" onRetry={polled.refresh} />}
      {!polled.data && !polled.error && <Loading what="the approvals" />}
      {polled.data && items.length === 0 && (
        <Empty title="Nothing waits for approval.">
          <p>A ban that needs a second moderator appears here, with who asked for it and why.</p>
        </Empty>
      )}
      {items.length > 0 && (
        <ol class="approval-list" aria-label="Bans waiting for approval, oldest first">
          {items.map((r) => {
            const own = ownRequest(r, me.subject);
            const noteId = `approval-${r.id}-own`;
            const open = choice?.id === r.id ? choice : undefined;
            return (
              <li key={r.id} class="card approval" data-approval-id={r.id}>
                <h2 class="approval-title">
                  {restrictionWhat(r)}: <SenderLink arn={r.memberArn} channel={r.channelArn} />
                </h2>
                <dl class="facts">
                  <div>
                    <dt>For</dt>
                    <dd>{r.forSeconds !== undefined ? `${durationWords(r.forSeconds)}, counted from the approval` : 'Until lifted'}</dd>
                  </div>
                  <div>
                    <dt>Asked by</dt>
                    <dd>
                      {restrictionCause(r)}, {formatAge(now - Date.parse(r.requestedAt))}
                    </dd>
                  </div>
                  <div>
                    <dt>Reason</dt>
                    <dd>{r.reason}</dd>
                  </div>
                </dl>
                <p class="muted">{restrictionEffect(r.action)}</p>
                {own && (
                  <p class="notice notice-four-eyes" id={noteId}>
                    You asked for this ban: the two-person rule needs another moderator to approve or reject it.
                  </p>
                )}
                <div class="actions">
                  <button type="button" class="danger" disabled={busy || own} aria-describedby={own ? noteId : undefined} aria-expanded={open?.approve === true} onClick={() => setChoice({ id: r.id, approve: true })}>
                    Approve<span class="visually-hidden"> the ban of {arnTail(r.memberArn)}</span>
                  </button>
                  <button type="button" disabled={busy || own} aria-describedby={own ? noteId : undefined} aria-expanded={open?.approve === false} onClick={() => setChoice({ id: r.id, approve: false })}>
                    Reject<span class="visually-hidden"> the ban of {arnTail(r.memberArn)}</span>
                  </button>
                </div>
                {open && (
                  <ReasonForm
                    key={`${r.id}-${open.approve}`}
                    class="confirm-form"
                    aria-label={open.approve ? 'Approve the ban' : 'Reject the ban'}
                    consequence={open.approve ? `Approve: ${arnTail(r.memberArn)} is banned now (${restrictionWhat(r).toLowerCase()}), ${r.forSeconds !== undefined ? `for ${durationWords(r.forSeconds)} from now` : 'until lifted'}.` : `Reject: the ban is not applied.`}
                    id={`approval-${r.id}-reason`}
                    label="Reason"
                    maxLength={1000}
                    help="Kept with the restriction."
                    confirm={open.approve ? 'Confirm approval' : 'Confirm rejection'}
                    working="Working…"
                    busy={busy}
                    tone={open.approve ? 'danger' : 'primary'}
                    onConfirm={(reason) => void decide(r, open.approve, reason)}
                    onCancel={() => setChoice(undefined)}
                  />
                )}
              </li>
            );
          })}
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
  );
}
