import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../api/limits';
import { checkDraft, draftFrom, type Counter, type EditDraft, type UpdateDecision } from '../lib/edits';
import { FormActions } from '../components/States';

/**
 * "Edit and allow": editors for Content, Metadata, MessageAttributes and the PushNotification,
 * checked against Chime's limits as the moderator types (live counters), then Confirm. Ctrl+Enter
 * confirms from any field; Escape cancels.
 */
function CounterText(props: { id: string; counter: Counter }) {
  const { used, max, unit, over } = props.counter;
  return (
    <span id={props.id} class={`counter${over ? ' over' : ''}`}>
      {used} / {max} {unit}
    </span>
  );
}

export function EditForm(props: { original: { content: string; metadata?: string | undefined }; busy: boolean; onConfirm: (decision: UpdateDecision) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<EditDraft>(() => draftFrom(props.original));
  const content = useRef<HTMLTextAreaElement>(null);
  useEffect(() => content.current?.focus(), []);
  const check = checkDraft(draft, props.original, LIMITS);
  const set = (patch: Partial<EditDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setRow = (i: number, patch: Partial<EditDraft['attributes'][number]>) => setDraft((d) => ({ ...d, attributes: d.attributes.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));

  const submit = (event?: Event) => {
    event?.preventDefault();
    if (check.decision && !props.busy) props.onConfirm(check.decision);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      props.onCancel();
    }
  };
  const invalid = (field: keyof typeof check.errors) => (check.errors[field] ? 'true' : undefined);

  return (
    <form class="edit-form stack" onSubmit={submit} onKeyDown={onKeyDown} aria-labelledby="edit-title">
      <h3 id="edit-title">Edit and allow</h3>
      <p class="hint">The message is sent with your changes. Limits are Chime's; Ctrl+Enter confirms, Escape cancels.</p>

      <div class="field">
        <div class="field-head">
          <label for="edit-content">Content</label>
          <CounterText id="edit-content-count" counter={check.counters.content} />
        </div>
        <textarea id="edit-content" ref={content} rows={5} value={draft.content} aria-invalid={invalid('content')} aria-describedby="edit-content-count edit-content-error" onInput={(e) => set({ content: e.currentTarget.value })} />
        {check.errors.content && (
          <p id="edit-content-error" class="field-error" role="alert">
            {check.errors.content}
          </p>
        )}
      </div>

      <div class="field">
        <div class="field-head">
          <label for="edit-metadata">Metadata</label>
          <CounterText id="edit-metadata-count" counter={check.counters.metadata} />
        </div>
        <textarea id="edit-metadata" rows={2} value={draft.metadata} aria-invalid={invalid('metadata')} aria-describedby="edit-metadata-count edit-metadata-error" onInput={(e) => set({ metadata: e.currentTarget.value })} />
        {check.errors.metadata && (
          <p id="edit-metadata-error" class="field-error" role="alert">
            {check.errors.metadata}
          </p>
        )}
      </div>

      <fieldset>
        <legend>MessageAttributes</legend>
        {draft.attributes.length === 0 && <p class="hint">None. Chime does not pass a message's attributes to the processor; add any the sent message should carry.</p>}
        {draft.attributes.map((row, i) => (
          <div class="attribute-row" key={i}>
            <label for={`attr-name-${i}`}>Name of attribute {i + 1}</label>
            <input id={`attr-name-${i}`} value={row.name} maxLength={LIMITS.attributeNameMax + 10} aria-invalid={check.attributeErrors[i] ? 'true' : undefined} aria-describedby={`attr-error-${i}`} onInput={(e) => setRow(i, { name: e.currentTarget.value })} />
            <label for={`attr-values-${i}`}>Values of attribute {i + 1} (one per line)</label>
            <textarea id={`attr-values-${i}`} rows={2} value={row.values} onInput={(e) => setRow(i, { values: e.currentTarget.value })} />
            <button type="button" onClick={() => setDraft((d) => ({ ...d, attributes: d.attributes.filter((_, j) => j !== i) }))}>
              Remove attribute {i + 1}
            </button>
            {check.attributeErrors[i] && (
              <p id={`attr-error-${i}`} class="field-error" role="alert">
                {check.attributeErrors[i]}
              </p>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setDraft((d) => ({ ...d, attributes: [...d.attributes, { name: '', values: '' }] }))}>
          Add attribute
        </button>
      </fieldset>

      <fieldset>
        <legend>PushNotification</legend>
        <div class="field">
          <div class="field-head">
            <label for="edit-push-title">Title</label>
            <CounterText id="edit-push-title-count" counter={check.counters.pushTitle} />
          </div>
          <input id="edit-push-title" value={draft.pushTitle} aria-invalid={invalid('pushTitle')} aria-describedby="edit-push-title-count edit-push-title-error" onInput={(e) => set({ pushTitle: e.currentTarget.value })} />
          {check.errors.pushTitle && (
            <p id="edit-push-title-error" class="field-error" role="alert">
              {check.errors.pushTitle}
            </p>
          )}
        </div>
        <div class="field">
          <div class="field-head">
            <label for="edit-push-body">Body</label>
            <CounterText id="edit-push-body-count" counter={check.counters.pushBody} />
          </div>
          <textarea id="edit-push-body" rows={2} value={draft.pushBody} aria-invalid={invalid('pushBody')} aria-describedby="edit-push-body-count edit-push-body-error" onInput={(e) => set({ pushBody: e.currentTarget.value })} />
          {check.errors.pushBody && (
            <p id="edit-push-body-error" class="field-error" role="alert">
              {check.errors.pushBody}
            </p>
          )}
        </div>
        <label for="edit-push-type">Type</label>
        <select id="edit-push-type" value={draft.pushType} onChange={(e) => set({ pushType: e.currentTarget.value as EditDraft['pushType'] })}>
          <option value="DEFAULT">DEFAULT</option>
          <option value="VOIP">VOIP</option>
        </select>
      </fieldset>

      <div class="field">
        <label for="edit-reason">Note for the audit log (optional)</label>
        <input id="edit-reason" value={draft.reason} aria-invalid={invalid('reason')} onInput={(e) => set({ reason: e.currentTarget.value })} />
      </div>

      {check.errors.form && <p class="hint">{check.errors.form}</p>}
      <FormActions confirm="Confirm" busy={props.busy} disabled={!check.decision} tone="primary" onCancel={props.onCancel} />
    </form>
  );
}
