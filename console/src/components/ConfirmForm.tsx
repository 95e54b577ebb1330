import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { FormActions } from './States';

/**
 * "Say what it will do, then Confirm", for an action that needs no reason (re-delivering a
 * recorded decision). The consequence describes the Confirm button, which takes the focus, so a
 * keyboard or screen-reader user hears what will happen before pressing it; Escape or Cancel
 * closes it.
 */
export function ConfirmForm(props: {
  id: string;
  'aria-label': string;
  consequence: ComponentChildren;
  confirm: string;
  working?: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus(), []);
  const consequenceId = `${props.id}-consequence`;
  return (
    <form
      ref={form}
      id={props.id}
      class="confirm-form"
      aria-label={props['aria-label']}
      onSubmit={(e) => {
        e.preventDefault();
        if (!props.busy) props.onConfirm();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p id={consequenceId} class="consequence">
        {props.consequence}
      </p>
      <FormActions confirm={props.confirm} working={props.working} busy={props.busy} disabled={false} tone="primary" onCancel={props.onCancel} describedBy={consequenceId} />
    </form>
  );
}
