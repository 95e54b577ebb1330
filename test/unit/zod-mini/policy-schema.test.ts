/**
 * The policy document's schemas moved from the classic zod API to zod/mini (the worker validates
 * POLICY_FILE and every stored policy with them). Same rules, same messages: over a corpus of
 * documents with every field removed or wrong, the document schema and scopedDocumentIssues (for
 * every scope kind) answer exactly what the classic version (reference/) answers, and the JSON
 * Schema of the OpenAPI document is the same.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ENTRY_KEYS } from '../../../src/policy/merge.js';
import { DEFAULT_POLICY_FILE } from '../../../src/policy/load.js';
import * as mini from '../../../src/policy/schema.js';
import { mutations } from './mutations.js';
import * as classic from './reference/policy-schema.classic.js';

const full = {
  version: 1,
  description: 'everything',
  terms: { block: ['scamcoin', 'buy followers'], review: ['refund'] },
  pii: { email: true, phone: false, card: true, action: 'UPDATE' },
  links: { allow: ['github.com'], deny: ['bit.ly'], unknown: 'REVIEW' },
  content: { maxLength: 2000, action: 'DENY' },
  metadata: { requireJson: true, maxBytes: 512, action: 'REVIEW' },
  senders: { allow: ['arn:aws:chime:us-east-1:123456789012:app-instance/a/bot/*'], deny: ['arn:aws:chime:us-east-1:123456789012:app-instance/a/user/spam'] },
};
const scoped = { ...full, mode: 'shadow', pii: false, remove: { terms: { block: ['old'] }, links: { deny: ['tinyurl.com'] }, senders: { allow: ['x*'] } } };
const wrong = [undefined, null, '', '  ', 'x', '*', 'a*b', 'a*', 0, -1, 1.5, 1, 2, 5000, true, false, {}, [], [''], ['  '], ['ok', ''], ['a*b'], ['!!!'], ['$$$'], 'ALLOW', 'UPDATE', 'enforce', 'shadow', 'MAYBE', { block: [] }];

const corpus: unknown[] = [
  ...mutations(full, wrong),
  ...mutations(scoped, wrong),
  {},
  { terms: {} },
  { pii: {} },
  { links: {} },
  { terms: { blok: [] }, colour: 'red' },
  withoutCommunity(parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'))),
];

/** The document's rule sections: the community sections came after the reference (test/unit/policy/community-schema.test.ts covers them). */
function withoutCommunity(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !(mini.COMMUNITY_SECTIONS as readonly string[]).includes(key)));
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

/**
 * Some malformed documents make scopedDocumentIssues throw (a list that is not an array, next to
 * `remove`: "own[list]?.map is not a function"), in the classic version too: those are skipped
 * here, so that fixing it does not fail this comparison.
 */
function compareIssues(input: unknown, kind: 'global' | 'app-instance' | 'channel', keys?: typeof ENTRY_KEYS): void {
  let expected: unknown;
  try {
    expected = classic.scopedDocumentIssues(input, kind, keys);
  } catch {
    return;
  }
  expect(mini.scopedDocumentIssues(input, kind, keys), `${kind} ${JSON.stringify(input)}`).toEqual(expected);
}

describe('policy schemas on zod/mini answer as the classic ones did', () => {
  it('PolicyDocumentSchema: the same document (defaults applied), or the same issues', () => {
    let failures = 0;
    for (const input of corpus) {
      const a = mini.PolicyDocumentSchema.safeParse(input);
      const b = classic.PolicyDocumentSchema.safeParse(input);
      expect(a.success, JSON.stringify(input)).toBe(b.success);
      if (a.success && b.success) expect(a.data).toEqual(b.data);
      else {
        failures++;
        expect(plain(a.error!.issues), JSON.stringify(input)).toEqual(plain(b.error!.issues));
      }
    }
    expect(failures).toBeGreaterThan(100);
  });

  it('scopedDocumentIssues, for every scope kind, with and without entry keys', () => {
    for (const input of corpus) {
      for (const kind of ['global', 'app-instance', 'channel'] as const) {
        compareIssues(input, kind);
        compareIssues(input, kind, ENTRY_KEYS);
      }
    }
  });

  it('the JSON Schema in the OpenAPI document', () => {
    // The community sections (rules, reports, notices …) and `classifiers` came after the move: the reference knows the rule sections only.
    const { properties, description: _now, ...rest } = mini.scopedPolicyDocumentJsonSchema() as { properties: Record<string, unknown>; description: string };
    const { properties: classicProperties, description: _then, ...classicRest } = classic.ScopedPolicyDocumentJsonSchema as { properties: Record<string, unknown>; description: string };
    const ruleProperties = Object.fromEntries(Object.entries(properties).filter(([key]) => !(mini.COMMUNITY_SECTIONS as readonly string[]).includes(key) && key !== 'classifiers'));
    expect({ ...rest, properties: ruleProperties }).toEqual({ ...classicRest, properties: classicProperties });
  });
});
