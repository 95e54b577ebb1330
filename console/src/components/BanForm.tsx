import { useEffect, useRef, useState } from 'preact/hooks';
import { DurationField, ScopeField, TWO_PERSON_NOTE, type Scope } from '../people/RestrictionFields';
import { ReasonField } from './ReasonForm';
import { FormActions } from './States';

/** What a ban asks for: the API's BAN_SENDER body without its type (a case's and a review item's are the same). */
export interface BanRequest {
  reason: string;
  for?: string;
  scope: Scope;
}

/**
 * "Ban sender" from a case or a held message: a reason, how long, where, and the two-person rule
 * said before it is asked for. Escape cancels; the reason field has focus.
 */
export function BanForm(props: { idPrefix: string; heldMessage?: boolean; sender: string; channelLabel: string; suggestions: readonly string[] | undefined; busy: boolean; onConfirm: (ban: BanRequest) => void; onCancel: () => void }) {
  const [duration, setDuration] = useState('24h');
  const [scope, setScope] = useState<Scope>('channel');
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const trimmed = reason.trim();
  return (
    <form
      class="confirm-form"
      aria-label="Ban sender"
      onSubmit={(e) => {
        e.preventDefault();
        if (trimmed && !props.busy) props.onConfirm({ reason: trimmed, scope, ...(duration ? { for: duration } : {}) });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p class="consequence">
        Ban {props.sender}: Chime refuses their messages where the ban applies, and the sweeper lifts it when it ends.{props.heldMessage ? ' A ban is not a decision: a held message still waits for one.' : ''} {TWO_PERSON_NOTE}
      </p>
      <ReasonField id={`${props.idPrefix}-reason`} label="Reason for the ban" value={reason} onInput={setReason} maxLength={500} help="Kept with the restriction on the sender’s record." suggestions={props.suggestions} inputRef={input} />
      <div class="form-row">
        <DurationField id={`${props.idPrefix}-for`} value={duration} onChange={setDuration} />
        <ScopeField name={`${props.idPrefix}-scope`} value={scope} channelLabel={props.channelLabel} onChange={setScope} />
      </div>
      <FormActions confirm="Confirm ban" working="Working…" busy={props.busy} disabled={!trimmed} tone="danger" onCancel={props.onCancel} />
    </form>
  );
}

/** What became of a ban, in words: in force now, or waiting for a second moderator. */
export function banOutcomeText(ban: { for?: string; scope?: Scope }, restriction: { status: string }, sender: string, channel: string): string {
  const where = ban.scope === 'app-instance' ? 'every channel of the AppInstance' : channel;
  const howLong = ban.for ? `for ${ban.for}` : 'until lifted';
  if (restriction.status === 'PENDING_APPROVAL') return `The ban of ${sender} in ${where} (${howLong}) waits for a second moderator’s approval.`;
  return `Banned ${sender} in ${where} ${howLong}. Chime refuses their messages there.`;
}
