import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PARKED_BODY_MAX_BYTES, PAYLOAD_PREVIEW_CHARS, parkedMessageBody, SQS_MAX_MESSAGE_BYTES } from '../../src/adapters/parked-payload.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const envelope = { reason: 'INVALID_EVENT', issues: ['CallbackId is required'], keptAt: '2026-12-07T00:00:00.000Z' };

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

function nestedObjects(depth: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('parkedMessageBody', () => {
  it('keeps a payload that fits whole, with its size and digest', () => {
    const payload = { EventType: 'CHANNEL_MESSAGE_EVENT', CallbackId: 'x' };
    const body = JSON.parse(parkedMessageBody(envelope, payload));
    expect(body).toEqual({ ...envelope, payloadTruncated: false, payloadBytes: bytes(JSON.stringify(payload)), payloadDigest: sha256(JSON.stringify(payload)), payload });
  });

  it('keeps a payload that is not an object, and one that is absent', () => {
    expect(JSON.parse(parkedMessageBody(envelope, 'garbage'))).toMatchObject({ reason: 'INVALID_EVENT', payload: 'garbage' });
    expect(JSON.parse(parkedMessageBody(envelope, undefined))).toMatchObject({ reason: 'INVALID_EVENT', payload: null });
  });

  it('bounds a 1 MB payload to SQS\'s 256 KiB, saying so, with its size, digest and a preview', () => {
    const payload = { CallbackId: 'c'.repeat(48), ChannelMessage: { Content: 'x'.repeat(1_000_000) } };
    const json = JSON.stringify(payload);
    const text = parkedMessageBody(envelope, payload);
    expect(bytes(text)).toBeLessThanOrEqual(PARKED_BODY_MAX_BYTES);
    expect(PARKED_BODY_MAX_BYTES).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
    const body = JSON.parse(text);
    expect(body).toEqual({ ...envelope, payloadTruncated: true, payloadBytes: bytes(json), payloadDigest: sha256(json), payloadPreview: json.slice(0, PAYLOAD_PREVIEW_CHARS) });
  });

  it.each([
    ['a 200 KB array nested 100,000 deep', nestedArrays(100_000), 200_000],
    ['20,000 levels of nested objects', nestedObjects(20_000), 2 + 6 * 19_999],
  ])('keeps %s, which JSON.stringify cannot serialise, with an estimate of its size', (_name, payload, estimate) => {
    expect(() => JSON.stringify(payload)).toThrow(RangeError);
    const text = parkedMessageBody(envelope, payload);
    expect(bytes(text)).toBeLessThanOrEqual(PARKED_BODY_MAX_BYTES);
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      ...envelope,
      payloadTruncated: true,
      payloadBytes: estimate,
      payloadBytesEstimated: true,
      payloadSerialisationError: expect.stringMatching(/^RangeError/),
      payloadDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The preview shows what could be serialised: the first 64 levels.
    expect(body.payloadPreview).toMatch(/^[[{]/);
    expect(body.payloadPreview).toContain('[nested deeper than 64 levels]');
    expect(body).not.toHaveProperty('payload');
  });

  it('keeps cyclic values and BigInts, which JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(JSON.parse(parkedMessageBody(envelope, cyclic))).toMatchObject({ payloadTruncated: true, payloadBytesEstimated: true, payloadPreview: '{"name":"loop","self":"[circular]"}' });
    expect(JSON.parse(parkedMessageBody(envelope, { n: 10n }))).toMatchObject({ payloadTruncated: true, payloadPreview: '{"n":"10"}' });
  });

  it('escapes U+FFFE and U+FFFF, which SQS refuses in a message body, and keeps the payload as it was', () => {
    const payload = { Content: 'a\uFFFEb\uFFFFc' };
    const text = parkedMessageBody(envelope, payload);
    expect(text).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(JSON.parse(text).payload).toEqual(payload);
  });

  it('keeps a payload whole up to the limit exactly, and truncates it one byte past', () => {
    // Both sizes have four digits, so payloadBytes takes the same room in both bodies.
    const longest = 5_000 + 10_000 - bytes(parkedMessageBody(envelope, { x: 'y'.repeat(5_000) }, { maxBytes: 10_000 }));
    const whole = parkedMessageBody(envelope, { x: 'y'.repeat(longest) }, { maxBytes: 10_000 });
    expect(bytes(whole)).toBe(10_000);
    expect(JSON.parse(whole)).toMatchObject({ payloadTruncated: false });
    expect(JSON.parse(parkedMessageBody(envelope, { x: 'y'.repeat(longest + 1) }, { maxBytes: 10_000 }))).toMatchObject({ payloadTruncated: true });
  });

  it('names the payload as the caller asks (Lambda\'s failure record calls it requestPayload)', () => {
    expect(JSON.parse(parkedMessageBody({ version: '1.0' }, { a: 1 }, { payloadKey: 'requestPayload' }))).toMatchObject({ version: '1.0', requestPayload: { a: 1 } });
  });

  it('always keeps the reason; an envelope field that is unexpectedly large is shown as a preview', () => {
    const body = JSON.parse(parkedMessageBody({ reason: 'INVALID_EVENT', issues: ['i'.repeat(100_000)] }, nestedArrays(100_000)));
    expect(body.reason).toBe('INVALID_EVENT');
    expect(body.issues).toMatchObject({ truncated: true, bytes: 100_004, preview: expect.stringMatching(/^\["iii/) });
  });
});
