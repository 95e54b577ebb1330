import { describe, expect, it } from 'vitest';
import { canonical, CursorCodec } from '../../../src/http/cursor.js';
import { InvalidCursorError } from '../../../src/errors.js';

const codec = new CursorCodec('s'.repeat(32));
const scope = { route: 'GET /reviews', channelArn: 'arn:c', claimed: 'any' };
const position = { status: 'PENDING_REVIEW', deadline: '2026-01-01T00:00:00.000Z', callbackId: 'x'.repeat(48) };

describe('CursorCodec', () => {
  it('round-trips a position under the same scope', () => {
    expect(codec.decode(scope, codec.encode(scope, position))).toEqual(position);
  });

  it('does not care about key order or undefined members in the scope', () => {
    const cursor = codec.encode(scope, position);
    expect(codec.decode({ claimed: 'any', rule: undefined, channelArn: 'arn:c', route: 'GET /reviews' }, cursor)).toEqual(position);
  });

  it('refuses a cursor presented with other filters', () => {
    const cursor = codec.encode(scope, position);
    expect(() => codec.decode({ ...scope, channelArn: 'arn:other' }, cursor)).toThrow(InvalidCursorError);
    expect(() => codec.decode({ ...scope, rule: 'terms.review' }, cursor)).toThrow(InvalidCursorError);
  });

  it('refuses a tampered position, a tampered signature, and garbage', () => {
    const [payload, signature] = codec.encode(scope, position).split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...position, status: 'DELIVERED' })).toString('base64url');
    expect(() => codec.decode(scope, `${forged}.${signature}`)).toThrow(InvalidCursorError);
    expect(() => codec.decode(scope, `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toThrow(InvalidCursorError);
    expect(() => codec.decode(scope, `${payload}.${signature}.extra`)).toThrow(InvalidCursorError);
    expect(() => codec.decode(scope, 'garbage')).toThrow(InvalidCursorError);
    expect(() => codec.decode(scope, '')).toThrow(InvalidCursorError);
  });

  it('refuses a cursor signed with another secret', () => {
    const other = new CursorCodec('t'.repeat(32));
    expect(() => codec.decode(scope, other.encode(scope, position))).toThrow(InvalidCursorError);
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new CursorCodec('short')).toThrow(/32/);
  });

  it('canonicalizes by sorted keys', () => {
    expect(canonical({ b: 1, a: 2, c: undefined })).toBe('{"a":2,"b":1}');
  });
});
