import { describe, expect, it } from 'vitest';
import { documentPath, parseDraft, placeApiErrors, sameDocument, toYaml } from '../../../console/src/lib/policy-yaml.js';

const DRAFT = ['version: 1', 'terms:', '  block:', '    - scamcoin', '    - ""', '  revue: [refund]', 'pii:', '  action: MASK', ''].join('\n');

describe('the policy editor’s YAML', () => {
  it('turns a draft into the JSON document the API takes', () => {
    const parsed = parseDraft(DRAFT);
    expect(parsed.problems).toEqual([]);
    expect(parsed.document).toEqual({ version: 1, terms: { block: ['scamcoin', ''], revue: ['refund'] }, pii: { action: 'MASK' } });
  });

  it('reports a syntax error on its line, and no document', () => {
    const parsed = parseDraft('terms:\n  block: [a, "b"\n  review: x\n');
    expect(parsed.document).toBeUndefined();
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ source: 'yaml', line: 3 });
    expect(parsed.problems[0]!.message).not.toMatch(/\n/);
    expect(parseDraft('a: 1\na: 2\n').problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/unique/) });
  });

  it('reads an empty draft, or one of comments only, as the empty document', () => {
    expect(parseDraft('').document).toEqual({});
    expect(parseDraft('# nothing of its own\n').document).toEqual({});
  });

  it('places each of the API’s 400 errors on the line of its field, and keeps the others apart', () => {
    const parsed = parseDraft(DRAFT);
    const { problems, other } = placeApiErrors(parsed, [
      { path: 'body.document.pii.action', message: 'Invalid option: expected one of "UPDATE"|"REVIEW"|"DENY"' },
      { path: 'body.document.terms.block.1', message: 'term must not be empty' },
      { path: 'body.document.terms.revue', message: 'is not a known field' },
      { path: 'body.document.links.allow', message: 'is required' },
      { path: 'body.document', message: 'the effective policy at this scope does not compile' },
      { path: 'body.comment', message: 'must say why' },
    ]);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [1, 'links.allow'], // not in the draft: the document itself
      [1, '(the document)'],
      [5, 'terms.block.1'],
      [6, 'terms.revue'],
      [8, 'pii.action'],
    ]);
    expect(other).toEqual([{ path: 'body.comment', message: 'must say why' }]);
  });

  it('places an error about a rule id with dots in it (`rules.terms.block.publicReason`) on that rule’s line', () => {
    const draft = parseDraft(['rules:', '  moderator: {strike: true}', '  terms.block:', '    publicReason: no zorblax', 'escalation:', '  - {strikes: 0}', ''].join('\n'));
    const { problems } = placeApiErrors(draft, [
      { path: 'body.document.rules.terms.block.publicReason', message: 'must not contain a blocked term' },
      { path: 'body.document.escalation.0.strikes', message: 'Too small' },
    ]);
    expect(problems.map((p) => p.line)).toEqual([4, 6]);
  });

  it('reads API paths into document paths', () => {
    expect(documentPath('body.document.terms.block.3')).toEqual(['terms', 'block', 3]);
    expect(documentPath('body.document')).toEqual([]);
    expect(documentPath('body.documents.x')).toBeUndefined();
    expect(documentPath('body.messages.0.content')).toBeUndefined();
  });

  it('writes a stored document as YAML that reads back the same', () => {
    const document = { version: 1, terms: { block: ['a very long phrase '.repeat(10).trim()] }, pii: false, remove: { terms: { review: ['refund'] } } };
    const text = toYaml(document);
    expect(text.split('\n').every((line) => !line.endsWith('>-'))).toBe(true); // never folded
    expect(parseDraft(text).document).toEqual(document);
    expect(toYaml(null)).toBe('');
  });

  it('compares documents whatever the order of their keys', () => {
    expect(sameDocument({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameDocument({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameDocument({ a: undefined }, {})).toBe(true);
  });
});
