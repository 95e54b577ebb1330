import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/client';
import { explainProblem } from '../lib/problems';

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
