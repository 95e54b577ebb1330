import { describe, expect, it } from 'vitest';
import { loadLivePolicySettings } from '../../../src/config.js';
import { ConfigurationError } from '../../../src/errors.js';
import { ENTRY_KEYS } from '../../../src/policy/merge.js';
import { scopedDocumentIssues } from '../../../src/policy/schema.js';

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
