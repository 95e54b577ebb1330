import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../console/src/api/limits.js';
import { checkDraft, draftFrom, utf8Bytes } from '../../../console/src/lib/edits.js';

const original = { content: 'Can I get a refund for order 1234?', metadata: '{"a":1}' };

describe('Edit and allow: the draft against Chime’s limits', () => {
  it('counts Content and Metadata in UTF-8 bytes, push fields in characters', () => {
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('é€')).toBe(5);
    expect(utf8Bytes('💸')).toBe(4);
    const check = checkDraft({ ...draftFrom(original), content: '€'.repeat(1366), pushTitle: '💸'.repeat(50) }, original, LIMITS);
    expect(check.counters.content).toEqual({ used: 4098, max: 4096, unit: 'bytes', over: true });
    expect(check.counters.pushTitle).toEqual({ used: 50, max: 50, unit: 'characters', over: false });
    expect(check.errors.content).toMatch(/4098 bytes; Chime takes at most 4096/);
    expect(check.decision).toBeUndefined();
  });

  it('refuses an empty Content, an over-long push title or body, and bad attributes', () => {
    const check = checkDraft(
      { ...draftFrom(original), content: '', pushTitle: 'x'.repeat(51), pushBody: 'y'.repeat(151), attributes: [{ name: '', values: 'a' }, { name: 'k', values: '' }, { name: 'k2', values: 'v' }, { name: 'k2', values: 'w' }] },
      original,
      LIMITS,
    );
    expect(Object.keys(check.errors).sort()).toEqual(['attributes', 'content', 'pushBody', 'pushTitle']);
    expect(check.attributeErrors).toEqual(['Give the attribute a name.', 'Give at least one value (one per line).', undefined, '"k2" appears twice.']);
  });

  it('needs at least one change, then sends only what changed', () => {
    expect(checkDraft(draftFrom(original), original, LIMITS).errors.form).toMatch(/Nothing is changed/);
    const check = checkDraft(
      { ...draftFrom(original), content: 'Can I get a refund for my order?', attributes: [{ name: 'topic', values: 'billing\nrefund\n' }], pushTitle: 'Support', reason: ' order number removed ' },
      original,
      LIMITS,
    );
    expect(check.errors).toEqual({});
    expect(check.decision).toEqual({
      action: 'UPDATE',
      content: 'Can I get a refund for my order?',
      messageAttributes: { topic: { StringValues: ['billing', 'refund'] } },
      pushNotification: { title: 'Support', type: 'DEFAULT' },
      reason: 'order number removed',
    });
  });
});
