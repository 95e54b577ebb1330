import { createHash } from 'node:crypto';

/**
 * The body of a message that parks something we could not process (the intake DLQ): always
 * valid JSON, always within the queue's size limit, whatever the payload is. Parking must
 * never fail because of the payload, or the one record of a bad event would be lost with it:
 *
 *   payload serialises and fits   → kept whole, with its size and digest
 *   too large, or unserialisable  → `payloadTruncated: true`, its size (or an estimate), the
 *   (nested 100,000 deep, cyclic)   sha256 of what could be serialised, a short preview and
 *                                   why; the envelope (the reason) is always kept
 *
 * This is what Lambda itself does with an invocation record too large for its destination: it
 * drops the payload and delivers the rest (Lambda developer guide, "Capturing records of
 * asynchronous invocations"); we keep a digest and a preview as well.
 */

/** SQS's classic message limit (256 KiB), which every SQS endpoint accepts. */
export const SQS_MAX_MESSAGE_BYTES = 262_144;
/** Room kept for the message attributes, which count towards the same limit. */
const ATTRIBUTE_ALLOWANCE_BYTES = 1_024;
/** The largest body a parked message may have. */
export const PARKED_BODY_MAX_BYTES = SQS_MAX_MESSAGE_BYTES - ATTRIBUTE_ALLOWANCE_BYTES;
/** How much of a payload that is not kept whole is shown, in UTF-16 code units. */
export const PAYLOAD_PREVIEW_CHARS = 2_048;
/** An envelope field larger than this (serialised) is replaced by a preview of it. */
const ENVELOPE_FIELD_MAX_BYTES = 8_192;
/** Nesting kept by the fallback serialisation; JSON.stringify overflows the stack at a few thousand. */
const SKETCH_MAX_DEPTH = 64;

type Serialised = { json: string; exact: true } | { json: string; exact: false; error: string };

/**
 * JSON of `value`, with the two characters JSON leaves raw that SQS refuses (U+FFFE, U+FFFF)
 * escaped. When JSON.stringify fails (too deep, a cycle, a BigInt), the JSON of a copy cut at
 * {@link SKETCH_MAX_DEPTH} levels, marked `exact: false` with the reason.
 */
function serialise(value: unknown): Serialised {
  try {
    return { json: sqsSafe(JSON.stringify(value) ?? 'null'), exact: true };
  } catch (error) {
    return { json: sqsSafe(JSON.stringify(sketch(value, SKETCH_MAX_DEPTH, new Set())) ?? 'null'), exact: false, error: String(error) };
  }
}

const sqsSafe = (json: string): string => json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

/** A plain-data copy of `value` that JSON.stringify cannot fail on. */
function sketch(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[circular]';
  if (depth === 0) return `[nested deeper than ${SKETCH_MAX_DEPTH} levels]`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => sketch(v, depth - 1, ancestors));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sketch(v, depth - 1, ancestors)]));
  } catch {
    return '[unreadable]';
  } finally {
    ancestors.delete(value);
  }
}

/**
 * About how many bytes the JSON of `value` would take, for a value JSON.stringify cannot
 * serialise. Walks with its own stack (a nested array 100,000 deep must not overflow ours) and
 * counts each object once (a cycle would never end).
 */
function estimateBytes(value: unknown): number {
  let bytes = 0;
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8') + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') bytes += String(v).length;
    else if (v === null || v === undefined) bytes += 4;
    else if (typeof v === 'object' && !seen.has(v)) {
      seen.add(v);
      const entries = Array.isArray(v) ? v.map((item) => ['', item] as const) : Object.entries(v);
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [key, item] of entries) {
        if (key !== '') bytes += Buffer.byteLength(key, 'utf8') + 3;
        pending.push(item);
      }
    }
  }
  return bytes;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** What stands in for a value that is not kept whole. */
function described(value: unknown, serialised: Serialised, previewChars: number): Record<string, unknown> {
  return {
    truncated: true,
    bytes: serialised.exact ? byteLength(serialised.json) : estimateBytes(value),
    ...(serialised.exact ? {} : { bytesEstimated: true, serialisationError: serialised.error }),
    digest: sha256(serialised.json),
    preview: serialised.json.slice(0, previewChars),
  };
}

/**
 * `{...envelope, [payloadKey]: payload}` as a JSON message body of at most `maxBytes`, plus
 * `payloadTruncated`, `payloadBytes` and `payloadDigest`. The envelope is the caller's own few
 * fields (a reason, issues, a timestamp); one that is unexpectedly large is shown as a preview.
 */
export function parkedMessageBody(envelope: Record<string, unknown>, payload: unknown, options: { payloadKey?: string; maxBytes?: number } = {}): string {
  const payloadKey = options.payloadKey ?? 'payload';
  const maxBytes = options.maxBytes ?? PARKED_BODY_MAX_BYTES;

  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(envelope)) {
    const serialised = serialise(value);
    fields[name] = serialised.exact && byteLength(serialised.json) <= ENVELOPE_FIELD_MAX_BYTES ? value : described(value, serialised, 1_024);
  }

  const serialised = serialise(payload);
  const payloadBytes = serialised.exact ? byteLength(serialised.json) : estimateBytes(payload);
  const digest = sha256(serialised.json);
  if (serialised.exact) {
    // The payload goes in as the JSON already made, not serialised a second time.
    const head = JSON.stringify({ ...fields, payloadTruncated: false, payloadBytes, payloadDigest: digest });
    const body = `${head.slice(0, -1)},${JSON.stringify(payloadKey)}:${serialised.json}}`;
    if (byteLength(body) <= maxBytes) return body;
  }
  const about = described(payload, serialised, PAYLOAD_PREVIEW_CHARS);
  return JSON.stringify({
    ...fields,
    payloadTruncated: true,
    payloadBytes,
    ...(about.bytesEstimated ? { payloadBytesEstimated: true, payloadSerialisationError: about.serialisationError } : {}),
    payloadDigest: digest,
    payloadPreview: about.preview,
  });
}
