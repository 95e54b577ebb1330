/**
 * "Edit and allow": the moderator's draft, checked against Chime's limits as they type, and
 * turned into the UPDATE decision the API takes. Pure, so the rules are unit-tested; the limits
 * come from the API's OpenAPI document (console/src/api/limits.ts, generated).
 */

export interface Limits {
  contentMaxBytes: number;
  metadataMaxBytes: number;
  pushTitleMax: number;
  pushBodyMax: number;
  attributeNameMax: number;
  attributeValuesMax: number;
  attributeValueMax: number;
  reasonMax: number;
}

export interface AttributeDraft {
  name: string;
  /** One value per line. */
  values: string;
}

export interface EditDraft {
  content: string;
  metadata: string;
  attributes: AttributeDraft[];
  pushTitle: string;
  pushBody: string;
  pushType: 'DEFAULT' | 'VOIP';
  reason: string;
}

export interface Counter {
  used: number;
  max: number;
  unit: 'bytes' | 'characters';
  over: boolean;
}

export type DraftField = 'content' | 'metadata' | 'attributes' | 'pushTitle' | 'pushBody' | 'reason' | 'form';

export interface UpdateDecision {
  action: 'UPDATE';
  content?: string;
  metadata?: string;
  messageAttributes?: Record<string, { StringValues: string[] }>;
  pushNotification?: { title?: string; body?: string; type?: 'DEFAULT' | 'VOIP' };
  reason?: string;
}

export interface DraftCheck {
  counters: { content: Counter; metadata: Counter; pushTitle: Counter; pushBody: Counter };
  errors: Partial<Record<DraftField, string>>;
  /** Per attribute row, its problem. */
  attributeErrors: Array<string | undefined>;
  /** The decision to send, when the draft is valid. */
  decision?: UpdateDecision;
}

/** UTF-8 length without allocating (what Chime's 4 KB means). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Characters as Chime counts push fields: code points, so an emoji is one. */
const characters = (text: string) => [...text].length;

export const counter = (used: number, max: number, unit: Counter['unit']): Counter => ({ used, max, unit, over: used > max });

export interface Original {
  content: string;
  metadata?: string | undefined;
}

export function draftFrom(original: Original): EditDraft {
  return { content: original.content, metadata: original.metadata ?? '', attributes: [], pushTitle: '', pushBody: '', pushType: 'DEFAULT', reason: '' };
}

export function checkDraft(draft: EditDraft, original: Original, limits: Limits): DraftCheck {
  const counters = {
    content: counter(utf8Bytes(draft.content), limits.contentMaxBytes, 'bytes'),
    metadata: counter(utf8Bytes(draft.metadata), limits.metadataMaxBytes, 'bytes'),
    pushTitle: counter(characters(draft.pushTitle), limits.pushTitleMax, 'characters'),
    pushBody: counter(characters(draft.pushBody), limits.pushBodyMax, 'characters'),
  };
  const errors: DraftCheck['errors'] = {};
  if (draft.content.length === 0) errors.content = 'Content cannot be empty: Chime needs at least 1 character. To drop the message, use Deny.';
  else if (counters.content.over) errors.content = `Content is ${counters.content.used} bytes; Chime takes at most ${limits.contentMaxBytes}.`;
  if (counters.metadata.over) errors.metadata = `Metadata is ${counters.metadata.used} bytes; Chime takes at most ${limits.metadataMaxBytes}.`;
  if (counters.pushTitle.over) errors.pushTitle = `The title is ${counters.pushTitle.used} characters; at most ${limits.pushTitleMax}.`;
  if (counters.pushBody.over) errors.pushBody = `The body is ${counters.pushBody.used} characters; at most ${limits.pushBodyMax}.`;
  if (draft.reason.trim().length > limits.reasonMax) errors.reason = `The reason is longer than ${limits.reasonMax} characters.`;

  const seen = new Set<string>();
  const attributes: Record<string, { StringValues: string[] }> = {};
  const attributeErrors = draft.attributes.map((row): string | undefined => {
    const name = row.name.trim();
    const values = row.values.split('\n').map((v) => v.trim()).filter(Boolean);
    if (name === '' && values.length === 0) return undefined; // an empty row is ignored
    if (name === '') return 'Give the attribute a name.';
    if (name.length > limits.attributeNameMax) return `Names are at most ${limits.attributeNameMax} characters.`;
    if (seen.has(name)) return `"${name}" appears twice.`;
    seen.add(name);
    if (values.length === 0) return 'Give at least one value (one per line).';
    if (values.length > limits.attributeValuesMax) return `At most ${limits.attributeValuesMax} values.`;
    const long = values.find((v) => v.length > limits.attributeValueMax);
    if (long) return `Each value is at most ${limits.attributeValueMax} characters.`;
    attributes[name] = { StringValues: values };
    return undefined;
  });
  if (attributeErrors.some(Boolean)) errors.attributes = 'Fix the MessageAttributes marked below.';

  const decision: UpdateDecision = { action: 'UPDATE' };
  if (draft.content !== original.content) decision.content = draft.content;
  if (draft.metadata !== (original.metadata ?? '')) decision.metadata = draft.metadata;
  if (Object.keys(attributes).length > 0) decision.messageAttributes = attributes;
  if (draft.pushTitle !== '' || draft.pushBody !== '') {
    decision.pushNotification = {
      ...(draft.pushTitle !== '' ? { title: draft.pushTitle } : {}),
      ...(draft.pushBody !== '' ? { body: draft.pushBody } : {}),
      type: draft.pushType,
    };
  }
  if (draft.reason.trim() !== '') decision.reason = draft.reason.trim();
  const edits = ['content', 'metadata', 'messageAttributes', 'pushNotification'].filter((k) => k in decision);
  if (edits.length === 0 && Object.keys(errors).length === 0) errors.form = 'Nothing is changed yet. Edit something, or use Allow to send it as it is.';
  return { counters, errors, attributeErrors, ...(Object.keys(errors).length === 0 ? { decision } : {}) };
}
