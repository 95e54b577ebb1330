import { describe, expect, it } from 'vitest';
import { loadLivePolicySettings } from '../../../src/config.js';
import { ConfigurationError } from '../../../src/errors.js';
import { ENTRY_KEYS } from '../../../src/policy/merge.js';
import { MAX_DOCUMENT_ISSUES, scopedDocumentIssues } from '../../../src/policy/schema.js';

describe('stored policy documents', () => {
  it('accepts today’s documents, `mode`, sections switched off with false, and `remove`', () => {
    expect(scopedDocumentIssues({}, 'channel')).toEqual([]);
    expect(scopedDocumentIssues({ version: 1, terms: { block: ['a1'] }, pii: false, mode: 'shadow', remove: { links: { deny: ['bit.ly'] } } }, 'app-instance', ENTRY_KEYS)).toEqual([]);
    expect(scopedDocumentIssues({ terms: { block: ['scamcoin'] }, links: false, mode: 'enforce' }, 'global')).toEqual([]);
  });

  it('names each unknown key by its own path', () => {
    expect(scopedDocumentIssues({ terms: { blok: [], revue: [] }, colour: 'red' }, 'channel')).toEqual([
      { path: ['colour'], message: 'is not a known field' },
      { path: ['terms', 'blok'], message: 'is not a known field' },
      { path: ['terms', 'revue'], message: 'is not a known field' },
    ]);
  });

  it('names an unknown key beside a list’s invalid entries too', () => {
    expect(scopedDocumentIssues({ terms: { block: ['ok', ''], revue: ['refund'] } }, 'channel', ENTRY_KEYS).map((i) => i.path)).toEqual([
      ['terms', 'block', 1],
      ['terms', 'revue'],
    ]);
  });

  it('reports one entry per field, however many checks the value breaks', () => {
    const issues = scopedDocumentIssues({ terms: { block: [''] } }, 'channel');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: ['terms', 'block', 0] });
  });

  it('keeps global enforced and with nothing to remove', () => {
    expect(scopedDocumentIssues({ mode: 'shadow', remove: {} }, 'global').map((i) => i.path)).toEqual([['remove'], ['mode']]);
  });

  it('refuses an entry a document both adds and removes, as the engine reads entries', () => {
    expect(scopedDocumentIssues({ links: { deny: ['Bit.ly'] }, remove: { links: { deny: ['https://bit.ly/'] } } }, 'channel', ENTRY_KEYS)).toEqual([
      { path: ['remove', 'links', 'deny', 0], message: 'is also added by links.deny in this document' },
    ]);
  });

  it('wants an object', () => {
    for (const raw of [null, [], 'terms: x', 3]) expect(scopedDocumentIssues(raw, 'channel')).toEqual([{ path: [], message: expect.stringMatching(/must be an object/) }]);
  });
});

describe('POLICY_REFRESH_SECONDS', () => {
  it('defaults to 10 seconds and takes fractions', () => {
    expect(loadLivePolicySettings({})).toEqual({ refreshSeconds: 10 });
    expect(loadLivePolicySettings({ POLICY_REFRESH_SECONDS: '0.5' })).toEqual({ refreshSeconds: 0.5 });
  });

  it.each(['0', '-1', 'soon', '3601'])('fails fast on %j, naming the variable', (value) => {
    expect(() => loadLivePolicySettings({ POLICY_REFRESH_SECONDS: value })).toThrow(ConfigurationError);
    expect(() => loadLivePolicySettings({ POLICY_REFRESH_SECONDS: value })).toThrow(/POLICY_REFRESH_SECONDS/);
  });
});

describe('a document with many invalid entries', () => {
  it('reports the first MAX_DOCUMENT_ISSUES problems and says there are more, without walking every entry', () => {
    // 150,000 blank terms once overflowed zod's issue collection (a 500) and took seconds.
    const issues = scopedDocumentIssues({ terms: { block: Array.from({ length: 150_000 }, () => '') } }, 'channel', ENTRY_KEYS);
    expect(issues).toHaveLength(MAX_DOCUMENT_ISSUES + 1);
    expect(issues[0]).toEqual({ path: ['terms', 'block', 0], message: 'term must not be empty; term must contain at least one letter or digit' });
    expect(issues.at(-1)).toEqual({ path: ['terms', 'block'], message: `has more invalid entries than the first ${MAX_DOCUMENT_ISSUES} reported` });
  });

  it('bounds the lists of `remove` the same way', () => {
    const issues = scopedDocumentIssues({ remove: { links: { deny: Array.from({ length: 5_000 }, () => ' ') } } }, 'channel', ENTRY_KEYS);
    expect(issues).toHaveLength(MAX_DOCUMENT_ISSUES + 1);
    expect(issues[0]?.path).toEqual(['remove', 'links', 'deny', 0]);
  });

  it('still reports every problem of a document with a few', () => {
    expect(scopedDocumentIssues({ terms: { block: ['ok', '', 'fine', ''] }, links: { deny: [''] } }, 'channel', ENTRY_KEYS).map((i) => i.path)).toEqual([
      ['terms', 'block', 1],
      ['terms', 'block', 3],
      ['links', 'deny', 0],
    ]);
  });
});
