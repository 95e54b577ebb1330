import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { explainProblem, type Explanation } from '../lib/problems';
import { FormActions, ProblemNotice } from './States';

/**
 * "Say why, then Confirm": deny, bulk deny, ban/redact/delete, roll back, delete a policy. The
 * field takes focus, Escape cancels, and only a reason with more than spaces is sent (trimmed).
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
  problem?: Explanation;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const trimmed = reason.trim();
  const helpId = props.help ? `${props.id}-help` : undefined;
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
      <label for={props.id}>{props.label}</label>
      <input id={props.id} ref={input} required maxLength={props.maxLength} value={reason} aria-describedby={helpId} onInput={(e) => setReason(e.currentTarget.value)} />
      {props.help && <small id={helpId}>{props.help}</small>}
      {props.problem && <ProblemNotice explained={props.problem} />}
      <FormActions confirm={props.confirm} working={props.working} busy={props.busy} disabled={!trimmed} tone="danger" onCancel={props.onCancel} />
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
