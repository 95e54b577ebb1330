import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';

/**
 * Idempotency keys (the IETF draft "The Idempotency-Key HTTP Header Field", as Stripe and others
 * use it). A client that did not get an answer (a 503, a timeout, a dropped connection) cannot
 * know whether its request was carried out; sending it again with the same key is always safe:
 *
 *   first request  ── carried out, its outcome recorded under the key
 *   same key, same request ── the recorded outcome again (200, or the same problem); if the
 *                             first one's outcome is still unknown, it is settled first
 *   same key, another request ── 409 idempotency-key-reused, nothing done
 *
 * Keys are scoped to the caller (a token subject) and to the route: two moderators, or two
 * routes, never share a key. They live as long as what they protect (the audit record, the item).
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function readIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY_PATTERN.test(value)) {
    throw new InvalidRequestError('The Idempotency-Key header must be 1-128 characters of letters, digits, ".", "_", ":" or "-" (a UUID is a good key)', [
      { path: 'headers.Idempotency-Key', message: 'must be 1-128 characters of [A-Za-z0-9._:-]' },
    ]);
  }
  return value;
}

/** The OpenAPI description of the header, on every route that takes it. */
export const IDEMPOTENCY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: send the same key again after an error or a timeout, and the first request’s outcome is answered again instead of the action being repeated. 1-128 characters of [A-Za-z0-9._:-]; a UUID is a good key. The same key with a different request is 409 idempotency-key-reused.',
  schema: { type: 'string', pattern: KEY_PATTERN.source, maxLength: 128 },
} as const;

/** A stable id for (caller, route, key): what a replay is found by. */
export function idempotencyId(subject: string, route: string, key: string): string {
  return createHash('sha256').update(`${subject}\u0000${route}\u0000${key}`).digest('base64url').slice(0, 32);
}

/** A digest of what was asked, so that a replay with another request under the same key is refused. */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url').slice(0, 32);
}
