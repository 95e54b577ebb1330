import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client';
import { explainProblem, type Explanation } from '../lib/problems';

/** Loading, empty and error states: designed, never a blank pane. */

export function Loading(props: { what: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {props.what}…
    </div>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty" role="status">
      <p class="state-title">{props.title}</p>
      {props.children}
    </div>
  );
}

export function ErrorState(props: { error: ApiError; what: string; onRetry?: () => void }) {
  const explained = explainProblem(props.error.problem, { nowMs: Date.now() });
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">
        Could not load {props.what}: {explained.title}
      </p>
      <p>{explained.message}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Why the API refused what the moderator just did, in their words (an alert: read at once). */
export function ProblemNotice(props: { explained: Explanation }) {
  return (
    <div class={`notice notice-${props.explained.kind}`} role="alert">
      <p class="notice-title">{props.explained.title}</p>
      <p>{props.explained.message}</p>
    </div>
  );
}

/** A form's submit and Cancel buttons; while the form works, its submit button is disabled and may say so (`working`). */
export function FormActions(props: { confirm: string; working?: string; busy: boolean; disabled: boolean; tone: 'danger' | 'primary'; onCancel: () => void; describedBy?: string }) {
  return (
    <div class="actions">
      <button type="submit" class={props.tone} disabled={props.disabled || props.busy} aria-describedby={props.describedBy}>
        {props.busy && props.working ? props.working : props.confirm}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}
