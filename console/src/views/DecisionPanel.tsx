import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../api/limits';
import type { UpdateDecision } from '../lib/edits';
import { EditForm } from './EditForm';
import { FormActions } from '../components/States';

export type Mode = 'idle' | 'deny' | 'edit';

/** Deny asks why: Chime keeps no copy of a denied message, so the reason is the record. */
export function DenyForm(props: { busy: boolean; onConfirm: (reason: string) => void; onCancel: () => void; idPrefix?: string }) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const id = `${props.idPrefix ?? 'deny'}-reason`;
  const trimmed = reason.trim();
  return (
    <form
      class="deny-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (trimmed && !props.busy) props.onConfirm(trimmed);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <label for={id}>Reason</label>
      <input id={id} ref={input} required maxLength={LIMITS.reasonMax} value={reason} aria-describedby={`${id}-help`} onInput={(e) => setReason(e.currentTarget.value)} />
      <small id={`${id}-help`}>Kept in the audit log: Chime keeps no copy of a denied message.</small>
      <FormActions confirm="Confirm" busy={props.busy} disabled={!trimmed} tone="danger" onCancel={props.onCancel} />
    </form>
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
      {props.canDecide && props.mode === 'deny' && <DenyForm busy={props.busy} onConfirm={props.onDeny} onCancel={() => props.setMode('idle')} />}
      {props.canDecide && props.mode === 'edit' && <EditForm original={props.original} busy={props.busy} onConfirm={props.onUpdate} onCancel={() => props.setMode('idle')} />}
    </section>
  );
}
