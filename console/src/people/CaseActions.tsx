import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type CaseActionRequest, type CaseActionResult, type CaseDetail } from '../api/client';
import { announce } from '../announcer';
import { useCannedReasons } from '../canned-reasons';
import { ReasonField } from '../components/ReasonForm';
import { FormActions, ProblemNotice } from '../components/States';
import { outcomeText } from '../lib/follow-ups';
import { explainProblem, type Explanation } from '../lib/problems';
import { outcomeUnknown, RetryKeys } from '../lib/retry-key';
import { BASE, onLinkClick } from '../router';
import { channelOf, senderOf } from './CaseRow';
import { BanForm, banOutcomeText } from '../components/BanForm';

type Kind = CaseActionRequest['type'];
type Outcome = { ok: true; text: string; approvals?: boolean } | { ok: false; explained: Explanation };

/**
 * Actions on a case's sender, beside or after its decision (POST /cases/{caseId}/actions): ban
 * them (how long, where; the two-person rule may make it wait), or warn them (a notice from the
 * moderation bot with the reason, written for them). Each says what happened after.
 */
export function CaseActions(props: { api: Api; detail: CaseDetail; onDone: (result: CaseActionResult) => void }) {
  const { api, detail } = props;
  const [open, setOpen] = useState<Kind>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const keys = useRef(new RetryKeys());
  const cannedBan = useCannedReasons(api, detail.channelArn, 'ban');
  const sender = senderOf(detail);

  const run = async (body: CaseActionRequest) => {
    setBusy(true);
    try {
      const result = await call(api.POST('/cases/{caseId}/actions', { params: { path: { caseId: detail.caseId }, header: { 'Idempotency-Key': keys.current.keyFor(body) } }, body }));
      keys.current.settled();
      const text = describe(body, result, sender, channelOf(detail));
      setOutcome({ ok: true, text, approvals: result.restriction?.status === 'PENDING_APPROVAL' });
      setOpen(undefined);
      announce(text);
      props.onDone(result);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return;
      if (!outcomeUnknown(error.status)) keys.current.settled();
      setOutcome({ ok: false, explained: explainProblem(error.problem, { nowMs: Date.now() }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="follow-ups" aria-labelledby="case-actions-title">
      <h3 id="case-actions-title">Actions on the sender</h3>
      <p class="hint">Recorded in the audit log and in the case’s history, with your name and reason.</p>
      <div class="actions">
        {(['BAN_SENDER', 'NOTIFY_SENDER'] as const).map((kind) => (
          <button
            key={kind}
            type="button"
            class={kind === 'BAN_SENDER' ? 'danger-outline' : undefined}
            disabled={busy}
            aria-expanded={open === kind}
            onClick={() => {
              setOutcome(undefined);
              setOpen(open === kind ? undefined : kind);
            }}
          >
            {kind === 'BAN_SENDER' ? 'Ban sender' : 'Warn sender'}
          </button>
        ))}
      </div>
      {open === 'BAN_SENDER' && <BanForm idPrefix="case-ban" sender={sender} channelLabel={channelOf(detail)} suggestions={cannedBan} busy={busy} onConfirm={(ban) => void run({ type: 'BAN_SENDER', ...ban })} onCancel={() => setOpen(undefined)} />}
      {open === 'NOTIFY_SENDER' && <WarnForm sender={sender} busy={busy} onConfirm={(body) => void run(body)} onCancel={() => setOpen(undefined)} />}
      {outcome?.ok && (
        <p class="outcome outcome-ok" role="status">
          {outcome.text}
          {outcome.approvals && (
            <>
              {' '}
              <a href={`${BASE}/approvals`} onClick={onLinkClick}>
                Open the approvals
              </a>
            </>
          )}
        </p>
      )}
      {outcome && !outcome.ok && <ProblemNotice explained={outcome.explained} />}
    </section>
  );
}

function describe(body: CaseActionRequest, result: CaseActionResult, sender: string, channel: string): string {
  if (body.type === 'NOTIFY_SENDER') return result.action?.status === 'DONE' ? `Warned ${sender}: the moderation bot sends them your words in ${channel}.` : `Warning ${sender}: ${outcomeText(result.action ?? { action: 'NOTIFY_SENDER', status: 'REQUESTED', sender: { arn: '' } })}.`;
  if (result.restriction) return banOutcomeText(body, result.restriction, sender, channel);
  return result.action ? `Ban of ${sender}: ${outcomeText(result.action)}.` : `Ban of ${sender} requested.`;
}

function WarnForm(props: { sender: string; busy: boolean; onConfirm: (body: CaseActionRequest) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const trimmed = reason.trim();
  return (
    <form
      class="confirm-form"
      aria-label="Warn sender"
      onSubmit={(e) => {
        e.preventDefault();
        if (trimmed && !props.busy) props.onConfirm({ type: 'NOTIFY_SENDER', reason: trimmed });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p class="consequence">The moderation bot sends {props.sender} a message only they can see, with your words: write them for the sender.</p>
      <ReasonField id="case-warn-reason" label="What the sender is told" value={reason} onInput={setReason} maxLength={500} inputRef={input} />
      <FormActions confirm="Send the warning" working="Sending…" busy={props.busy} disabled={!trimmed} tone="primary" onCancel={props.onCancel} />
    </form>
  );
}
