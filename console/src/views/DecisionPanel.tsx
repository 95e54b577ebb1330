import { LIMITS } from '../api/limits';
import type { UpdateDecision } from '../lib/edits';
import { EditForm } from './EditForm';
import { ReasonForm } from '../components/ReasonForm';

export type Mode = 'idle' | 'deny' | 'edit';

/** Deny asks why: Chime keeps no copy of a denied message, so the reason is the record. */
export function DenyForm(props: { busy: boolean; onConfirm: (reason: string) => void; onCancel: () => void; idPrefix?: string; suggestions?: readonly string[] | undefined }) {
  return (
    <ReasonForm
      class="deny-form"
      id={`${props.idPrefix ?? 'deny'}-reason`}
      label="Reason"
      maxLength={LIMITS.reasonMax}
      help="Kept in the audit log: Chime keeps no copy of a denied message."
      confirm="Confirm"
      busy={props.busy}
      suggestions={props.suggestions}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    />
  );
}

/** The three decisions. Disabled (with the reason shown above them) when this moderator cannot decide. */
export function DecisionPanel(props: {
  canDecide: boolean;
  busy: boolean;
  mode: Mode;
  setMode: (mode: Mode) => void;
  original: { content: string; metadata?: string | undefined };
  onAllow: () => void;
  onDeny: (reason: string) => void;
  onUpdate: (decision: UpdateDecision) => void;
  /** The policy's canned reasons for a deny (GET /canned-reasons). */
  cannedDeny?: readonly string[] | undefined;
}) {
  const disabled = !props.canDecide || props.busy;
  return (
    <section class="decision" aria-label="Decide">
      <div class="actions decision-buttons">
        <button type="button" class="primary" disabled={disabled} aria-keyshortcuts="a" onClick={props.onAllow}>
          Allow
        </button>
        <button type="button" class="danger" disabled={disabled} aria-keyshortcuts="d" aria-expanded={props.mode === 'deny'} onClick={() => props.setMode('deny')}>
          Deny
        </button>
        <button type="button" disabled={disabled} aria-keyshortcuts="e" aria-expanded={props.mode === 'edit'} onClick={() => props.setMode('edit')}>
          Edit and allow
        </button>
      </div>
      {props.canDecide && props.mode === 'deny' && <DenyForm busy={props.busy} suggestions={props.cannedDeny} onConfirm={props.onDeny} onCancel={() => props.setMode('idle')} />}
      {props.canDecide && props.mode === 'edit' && <EditForm original={props.original} busy={props.busy} onConfirm={props.onUpdate} onCancel={() => props.setMode('idle')} />}
    </section>
  );
}
