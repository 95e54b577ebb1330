import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { explainProblem, type Explanation } from '../lib/problems';
import { FormActions, ProblemNotice } from './States';

/**
 * A reason field, with the policy's canned reasons when there are some: picking one fills the
 * field, which stays editable (a canned reason is a start, not a cage). The picker is a labelled
 * select after the field, so the field keeps the focus a form gives it.
 */
export function ReasonField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  maxLength: number;
  help?: string | undefined;
  suggestions?: readonly string[] | undefined;
  inputRef?: { current: HTMLInputElement | null };
  required?: boolean;
}) {
  const helpId = props.help ? `${props.id}-help` : undefined;
  const suggestions = props.suggestions ?? [];
  const pickerId = `${props.id}-canned`;
  return (
    <div class="reason-field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        ref={props.inputRef}
        required={props.required ?? true}
        maxLength={props.maxLength}
        value={props.value}
        aria-describedby={helpId}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.help && <small id={helpId}>{props.help}</small>}
      {suggestions.length > 0 && (
        <div class="canned">
          <label for={pickerId}>Canned reason</label>
          <select id={pickerId} value={suggestions.includes(props.value) ? props.value : ''} onChange={(e) => e.currentTarget.value && props.onInput(e.currentTarget.value)}>
            <option value="">Pick one to fill the field…</option>
            {suggestions.map((reason) => (
              <option key={reason} value={reason}>
                {reason}
              </option>
            ))}
          </select>
        </div>
      )}
    </div>
  );
}

/**
 * "Say why, then Confirm": deny, bulk deny, ban/redact/delete, roll back, delete a policy. The
 * field takes focus, Escape cancels, and only a reason with more than spaces is sent (trimmed).
 * `suggestions`: the policy's canned reasons for this form (useCannedReasons).
 */
export function ReasonForm(props: {
  class: string;
  'aria-label'?: string;
  /** What will happen, said before it is done. */
  consequence?: ComponentChildren;
  id: string;
  label: string;
  maxLength: number;
  help?: string;
  confirm: string;
  working?: string;
  busy: boolean;
  problem?: Explanation | undefined;
  suggestions?: readonly string[] | undefined;
  tone?: 'danger' | 'primary';
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const trimmed = reason.trim();
  return (
    <form
      class={props.class}
      aria-label={props['aria-label']}
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
      {props.consequence && <p class="consequence">{props.consequence}</p>}
      <ReasonField id={props.id} label={props.label} value={reason} onInput={setReason} maxLength={props.maxLength} help={props.help} suggestions={props.suggestions} inputRef={input} />
      {props.problem && <ProblemNotice explained={props.problem} />}
      <FormActions confirm={props.confirm} working={props.working} busy={props.busy} disabled={!trimmed} tone={props.tone ?? 'danger'} onCancel={props.onCancel} />
    </form>
  );
}

/**
 * One API call at a time for a form that shows its own refusal: busy while it runs, the refusal
 * explained in the moderator's words. A 401 shows nothing here: the sign-in comes back over the page.
 */
export function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Explanation>();
  const run = async (work: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    try {
      await work();
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setProblem(explainProblem(e.problem, { nowMs: Date.now() }));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run };
}
