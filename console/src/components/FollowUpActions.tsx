import { useState } from 'preact/hooks';
import { ApiError, call, type Api, type FollowUpResult } from '../api/client';
import { announce } from '../announcer';
import { LIMITS } from '../api/limits';
import { useCannedReasons } from '../canned-reasons';
import { adminOnly, availableActions, consequence, doneText, FOLLOW_UP_LABELS, type FollowUpTarget, type FollowUpType } from '../lib/follow-ups';
import { explainProblem, type Explanation } from '../lib/problems';
import { BanForm, banOutcomeText, type BanRequest } from './BanForm';
import { ReasonForm } from './ReasonForm';
import { ProblemNotice } from './States';

/**
 * "Ban sender", "Redact" and "Delete": what a moderator does in Chime after (or beside) a
 * decision. Each asks for a reason and a Confirm, says what it will do before it is done, and
 * what happened after: Chime's outcome, or the API's refusal in plain words. Redact and Delete
 * are for admins, and only for a message Chime delivered; a moderator sees them disabled, with why.
 */
const CONFIRM: Record<FollowUpType, string> = { BAN_SENDER: 'Confirm ban', REDACT_MESSAGE: 'Confirm redaction', DELETE_MESSAGE: 'Confirm deletion' };
const REASON: Record<FollowUpType, string> = { BAN_SENDER: 'Reason for the ban', REDACT_MESSAGE: 'Reason for the redaction', DELETE_MESSAGE: 'Reason for the deletion' };

type Outcome = { ok: true; text: string } | { ok: false; explained: Explanation };

export function FollowUpActions(props: { api: Api; isAdmin: boolean; target: FollowUpTarget; idPrefix: string; headingLevel?: 2 | 3; onDone?: (result: FollowUpResult) => void }) {
  const { api, target, idPrefix } = props;
  const [open, setOpen] = useState<FollowUpType>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const cannedBan = useCannedReasons(api, target.channelArn, 'ban');
  const actions = availableActions(target);
  if (actions.length === 0) return null;
  const Heading = props.headingLevel === 2 ? 'h2' : 'h3';
  const adminNote = `${idPrefix}-admin-note`;
  const needsAdmin = !props.isAdmin && actions.some(adminOnly);

  const run = async (type: FollowUpType, ban: BanRequest) => {
    setBusy(true);
    try {
      const result =
        type === 'BAN_SENDER'
          ? await call(api.POST('/reviews/{callbackId}/actions', { params: { path: { callbackId: target.callbackId! } }, body: { type, ...ban } }))
          : await call(api.POST(type === 'REDACT_MESSAGE' ? '/messages/redact' : '/messages/delete', { body: { channelArn: target.channelArn, messageId: target.messageId, reason: ban.reason } }));
      // A ban is a restriction on the sender's record (the senders room); redactions and deletions are audited actions.
      const text = result.restriction ? banOutcomeText(ban, result.restriction, target.senderName ?? 'the sender', target.channelLabel) : result.action ? doneText(result.action, target.channelLabel) : 'Done.';
      setOutcome({ ok: true, text });
      setOpen(undefined);
      announce(text);
      props.onDone?.(result);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return; // the sign-in comes back; the form stays
      setOutcome({ ok: false, explained: explainProblem(error.problem, { nowMs: Date.now() }) });
      setOpen(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="follow-ups" aria-labelledby={`${idPrefix}-title`}>
      <Heading id={`${idPrefix}-title`}>Follow-up actions</Heading>
      <p class="hint">A ban is a restriction on the sender’s record (the two-person rule applies); redactions and deletions are done in Chime and recorded in the audit log. Each with your name and reason.</p>
      <div class="actions">
        {actions.map((type) => {
          const disabled = busy || (adminOnly(type) && !props.isAdmin);
          return (
            <button
              key={type}
              type="button"
              class={type === 'BAN_SENDER' ? undefined : 'danger-outline'}
              disabled={disabled}
              aria-expanded={open === type}
              aria-describedby={adminOnly(type) && !props.isAdmin ? adminNote : undefined}
              onClick={() => {
                setOutcome(undefined);
                setOpen(open === type ? undefined : type);
              }}
            >
              {FOLLOW_UP_LABELS[type]}
            </button>
          );
        })}
      </div>
      {needsAdmin && (
        <p id={adminNote} class="hint">
          Redact and Delete are for admins: you are signed in as a moderator.
        </p>
      )}
      {open === 'BAN_SENDER' && (
        <BanForm idPrefix={`${idPrefix}-ban`} heldMessage sender={target.senderName ?? 'the sender'} channelLabel={target.channelLabel} suggestions={cannedBan} busy={busy} onConfirm={(ban) => void run('BAN_SENDER', ban)} onCancel={() => setOpen(undefined)} />
      )}
      {open && open !== 'BAN_SENDER' && <ConfirmForm key={open} type={open} target={target} busy={busy} idPrefix={idPrefix} suggestions={undefined} onConfirm={(reason) => void run(open, { reason, scope: 'channel' })} onCancel={() => setOpen(undefined)} />}
      {outcome?.ok && (
        <p class="outcome outcome-ok" role="status">
          {outcome.text}
        </p>
      )}
      {outcome && !outcome.ok && <ProblemNotice explained={outcome.explained} />}
    </section>
  );
}

function ConfirmForm(props: { type: FollowUpType; target: FollowUpTarget; busy: boolean; idPrefix: string; suggestions: readonly string[] | undefined; onConfirm: (reason: string) => void; onCancel: () => void }) {
  return (
    <ReasonForm
      class="confirm-form"
      aria-label={FOLLOW_UP_LABELS[props.type]}
      consequence={consequence(props.type, props.target)}
      id={`${props.idPrefix}-${props.type.toLowerCase()}-reason`}
      label={REASON[props.type]}
      maxLength={LIMITS.reasonMax}
      help="Kept in the audit log."
      confirm={CONFIRM[props.type]}
      working="Working…"
      busy={props.busy}
      suggestions={props.suggestions}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    />
  );
}
