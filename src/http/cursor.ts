import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../errors.js';

/**
 * Opaque, unforgeable paging cursors.
 *
 *   cursor = base64url(JSON position) "." base64url(HMAC-SHA256(secret, scope "\n" payload))
 *
 * The scope (the route and its normalized filters, and the caller when a filter depends on
 * who asks) is signed but not carried: a cursor presented with other filters fails the check
 * exactly like a tampered one, so a client can never steer a page into another query, nor
 * hand DynamoDB an ExclusiveStartKey of its own making.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('The cursor secret must be at least 32 characters');
  }

  encode(scope: Record<string, unknown>, position: unknown): string {
    const payload = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
    return `${payload}.${this.sign(scope, payload)}`;
  }

  decode<T>(scope: Record<string, unknown>, cursor: string): T {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(scope, payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
    } catch {
      throw invalid(); // Signed by us, so unreachable unless the secret leaked; refuse anyway.
    }
  }

  private sign(scope: Record<string, unknown>, payload: string): string {
    return createHmac('sha256', this.secret).update(canonical(scope)).update('\n').update(payload).digest('base64url');
  }
}

const invalid = () =>
  new InvalidCursorError('The cursor was altered, or was issued for a different query. Repeat the first request without `cursor` and page from there with the same filters.');

/** JSON with sorted keys and no undefined members, so equal scopes sign equally. */
export function canonical(value: Record<string, unknown>): string {
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}
