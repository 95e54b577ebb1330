import { useEffect, useRef, useState } from 'preact/hooks';
import { ReasonField } from '../components/ReasonForm';
import { FormActions, ProblemNotice } from '../components/States';
import { caseConsequence } from '../lib/cases';
import type { Explanation } from '../lib/problems';

export type CaseAction = 'DISMISS' | 'REDACT' | 'DELETE';

export const CASE_ACTION_LABELS: Record<CaseAction, string> = { DISMISS: 'Dismiss', REDACT: 'Redact', DELETE: 'Delete' };
const CONFIRM: Record<CaseAction, string> = { DISMISS: 'Confirm dismissal', REDACT: 'Confirm redaction', DELETE: 'Confirm deletion' };
const REASON_MAX = 500;

/**
 * A case's decision: what it will do (said before Confirm), why (the policy's canned reasons, or
 * the moderator's words: kept in the audit log and on the case), and optionally what the
 * reporters are told. The reason field takes the focus; Escape cancels.
 */
export function CaseDecisionForm(props: {
  action: CaseAction;
  sender: string;
  suggestions: readonly string[] | undefined;
  busy: boolean;
  problem: Explanation | undefined;
  onConfirm: (decision: { action: CaseAction; reason: string; publicReason?: string }) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState('');
  const [publicReason, setPublicReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.action]);
  const trimmed = reason.trim();
  return (
    <form
      class="confirm-form case-decision-form"
      aria-label={`${CASE_ACTION_LABELS[props.action]} the case`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed || props.busy) return;
        props.onConfirm({ action: props.action, reason: trimmed, ...(publicReason.trim() ? { publicReason: publicReason.trim() } : {}) });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p class="consequence">{caseConsequence(props.action, props.sender)}</p>
      <ReasonField id="case-reason" label="Reason" value={reason} onInput={setReason} maxLength={REASON_MAX} help="Kept in the audit log and on the case." suggestions={props.suggestions} inputRef={input} />
      <div class="reason-field">
        <label for="case-public-reason">What the reporters are told (optional)</label>
        <input id="case-public-reason" maxLength={REASON_MAX} value={publicReason} aria-describedby="case-public-reason-help" onInput={(e) => setPublicReason(e.currentTarget.value)} />
        <small id="case-public-reason-help">Sent with the outcome when the policy notifies reporters; without it they are told the outcome alone.</small>
      </div>
      {props.problem && <ProblemNotice explained={props.problem} />}
      <FormActions confirm={CONFIRM[props.action]} working="Working…" busy={props.busy} disabled={!trimmed} tone={props.action === 'DISMISS' ? 'primary' : 'danger'} onCancel={props.onCancel} />
    </form>
  );
}
