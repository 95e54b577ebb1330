import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type DecisionRequest, type ReviewDetail, type Viewer } from '../api/client';
import { sessions } from '../auth/session';
import { useCannedReasons } from '../canned-reasons';
import { FollowUpActions } from '../components/FollowUpActions';
import { ErrorState, Loading, ProblemNotice } from '../components/States';
import { isShortcut, useSession } from '../hooks';
import type { UpdateDecision } from '../lib/edits';
import { wasSent } from '../lib/follow-ups';
import { explainProblem, type Explanation } from '../lib/problems';
import { DecisionPanel, type Mode } from './DecisionPanel';
import { MessageView } from './MessageView';
import { channelLabel, senderName } from './names';

/**
 * One open item. Opening it claims it (a lease), the lease is renewed while it stays open and
 * given back when the moderator leaves. Someone else's claim, a decision made elsewhere or a
 * passed deadline is explained above the (then disabled) decision buttons.
 *
 *   mount ─▶ POST claim ─▶ held ─every 40 s─▶ POST claim (renew)
 *              └─ 409/410 ─▶ GET item, explain              └─ every 5 s: GET item (decided elsewhere?)
 *   decide ─▶ POST decision ─▶ onDecided (the queue opens the next item)
 *   unmount / pagehide ─▶ DELETE claim (if still held)
 */
export const LEASE_SECONDS = 120;
const RENEW_MS = 40_000;
const REFRESH_MS = 5_000;

export function ReviewPane(props: { api: Api; me: Viewer; isAdmin: boolean; id: string; onDecided: (id: string, summary: string) => void; backHref: string; onBack: (e: MouseEvent) => void }) {
  const { api, id } = props;
  const { epoch } = useSession();
  const [detail, setDetail] = useState<ReviewDetail>();
  const [receivedAt, setReceivedAt] = useState(0);
  const [loadError, setLoadError] = useState<ApiError>();
  const [held, setHeld] = useState(false);
  const [notice, setNotice] = useState<Explanation>();
  const [mode, setMode] = useState<Mode>('idle');
  const [busy, setBusy] = useState(false);
  const heldRef = useRef(false);
  heldRef.current = held;
  const noticeRef = useRef<Explanation | undefined>(undefined);
  noticeRef.current = notice;
  const decidedRef = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const explain = (error: ApiError) => explainProblem(error.problem, { nowMs: Date.now() });
  const path = { params: { path: { callbackId: id } } };

  const show = (d: ReviewDetail) => {
    setDetail(d);
    setReceivedAt(Date.now());
    setLoadError(undefined);
  };

  const claim = async () => {
    const d = await call(api.POST('/reviews/{callbackId}/claim', { ...path, body: { leaseSeconds: LEASE_SECONDS } }));
    show(d);
    setHeld(true);
    setNotice(undefined);
    return d;
  };

  const reload = useCallback(async () => {
    try {
      const d = await call(api.GET('/reviews/{callbackId}', path));
      show(d);
      // Someone else's claim ran out or was released while this stayed open: take it now.
      const otherClaim = d.claim?.active && d.claim.subject !== props.me.subject;
      if (!heldRef.current && !decidedRef.current && d.status === 'PENDING_REVIEW' && !otherClaim && noticeRef.current?.kind === 'claim-conflict') {
        await claim().catch(() => undefined);
        return d;
      }
      if (d.status !== 'PENDING_REVIEW' && d.decision && !decidedRef.current) {
        const decision = d.decision;
        setHeld(false);
        setNotice(explain(new ApiError(409, { type: 'already-decided', decidedBy: decision.actor, action: decision.action, origin: decision.origin, decidedAt: decision.decidedAt, reason: decision.reason, itemStatus: d.status })));
      } else if (d.status === 'EXPIRED' && !decidedRef.current) {
        setHeld(false);
        setNotice(explain(new ApiError(410, { type: 'deadline-passed', deadline: d.deadline })));
      }
      return d;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) setLoadError(error);
      return undefined;
    }
  }, [id]);

  // Open = claim.
  useEffect(() => {
    let cancelled = false;
    if (!sessions.session) return;
    (async () => {
      try {
        await claim();
        if (cancelled) return;
        heading.current?.focus({ preventScroll: true });
      } catch (error) {
        if (cancelled || !(error instanceof ApiError) || error.status === 401) return;
        if (error.status !== 404) setNotice(explain(error));
        setHeld(false);
        await reload();
        if (!cancelled) heading.current?.focus({ preventScroll: true });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [id, epoch]);

  // Renew while open; watch for decisions made elsewhere.
  useEffect(() => {
    if (!held) return;
    const renew = setInterval(async () => {
      try {
        show(await call(api.POST('/reviews/{callbackId}/claim', { ...path, body: { leaseSeconds: LEASE_SECONDS } })));
      } catch (error) {
        if (error instanceof ApiError && error.status !== 401) {
          setHeld(false);
          setNotice(explain(error));
          void reload();
        }
      }
    }, RENEW_MS);
    return () => clearInterval(renew);
  }, [held, id]);

  useEffect(() => {
    const refresh = setInterval(() => {
      if (sessions.session && !busy) void reload();
    }, REFRESH_MS);
    return () => clearInterval(refresh);
  }, [id, busy, reload]);

  // Leaving gives the claim back: on unmount, and when the tab goes away.
  useEffect(() => {
    const release = (keepalive: boolean) => {
      if (!heldRef.current || decidedRef.current) return;
      heldRef.current = false;
      if (!sessions.token()) return;
      // keepalive: the request outlives the page when the tab is closing.
      void api.DELETE('/reviews/{callbackId}/claim', { ...path, keepalive }).catch(() => undefined);
    };
    const onPageHide = () => release(true);
    addEventListener('pagehide', onPageHide);
    return () => {
      removeEventListener('pagehide', onPageHide);
      release(false);
    };
  }, [id]);

  const canDecide = Boolean(detail && detail.status === 'PENDING_REVIEW' && held && !notice);
  const cannedDeny = useCannedReasons(api, detail?.message.channelArn, 'deny');

  const decide = async (body: DecisionRequest, verb: string) => {
    if (!canDecide || busy) return;
    setBusy(true);
    try {
      const result = await call(api.POST('/reviews/{callbackId}/decision', { ...path, body }));
      decidedRef.current = true;
      setHeld(false);
      props.onDecided(id, `${verb}${result.status === 'DECIDED' ? ' (Chime is busy: delivery will be retried; your decision stands)' : ''}.`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return; // sign-in comes back; the form stays as it was
      setNotice(explain(error));
      if (error.status === 409 || error.status === 410) {
        setHeld(false);
        await reload();
      }
    } finally {
      setBusy(false);
    }
  };
  const allow = () => decide({ action: 'ALLOW' }, 'Allowed');
  const deny = (reason: string) => decide({ action: 'DENY', reason }, 'Denied');
  const update = (decision: UpdateDecision) => decide(decision, 'Edited and allowed');

  // a / d / e act on this item (one listener; the latest render through a ref).
  const latest = useRef({ canDecide, busy, allow });
  latest.current = { canDecide, busy, allow };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { canDecide, busy, allow } = latest.current;
      if (!isShortcut(event) || !canDecide || busy) return;
      if (event.key === 'a') void allow();
      else if (event.key === 'd') setMode('deny');
      else if (event.key === 'e') setMode('edit');
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section class="review-pane" aria-label="Open message" aria-busy={busy || !detail}>
      <a class="back-link" href={props.backHref} onClick={props.onBack}>
        ← Back to the queue
      </a>
      {notice && <ProblemNotice explained={notice} />}
      {!detail && !loadError && <Loading what="the message" />}
      {!detail && loadError && <ErrorState error={loadError} what="the message" onRetry={() => void reload()} />}
      {detail && (
        <>
          <MessageView detail={detail} receivedAt={receivedAt} me={props.me} held={held} headingRef={heading} />
          {detail.status === 'PENDING_REVIEW' && (
            <DecisionPanel
              canDecide={canDecide}
              busy={busy}
              mode={mode}
              setMode={setMode}
              original={{ content: detail.message.content, metadata: detail.message.metadata }}
              onAllow={allow}
              onDeny={deny}
              onUpdate={update}
              cannedDeny={cannedDeny}
            />
          )}
          <FollowUpActions
            api={api}
            isAdmin={props.isAdmin}
            idPrefix="item-follow-up"
            target={{
              channelArn: detail.message.channelArn,
              channelLabel: channelLabel(detail.message),
              messageId: detail.message.messageId,
              callbackId: detail.callbackId,
              senderArn: detail.message.sender.arn,
              senderName: senderName(detail.message.sender),
              sent: wasSent(detail.status, detail.decision?.action),
            }}
            onDone={(result) => {
              if (result.item) show(result.item);
            }}
          />
        </>
      )}
    </section>
  );
}
