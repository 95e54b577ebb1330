import { describe, expect, it } from 'vitest';
import { effectiveSources, entryKey } from '../../../console/src/lib/effective-sources.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/school';
const CHANNEL = `${APP}/channel/kids-chat`;

/** The README's example: global (POLICY_FILE) → app instance "school" → channel "kids-chat". */
const layers = [
  { scope: 'global', document: { terms: { block: ['scamcoin', 'badword'], review: ['refund'] }, pii: { action: 'UPDATE' }, links: { allow: ['github.com'] } } },
  { scope: APP, document: { terms: { block: ['pyramid scheme'] }, pii: { action: 'REVIEW' } } },
  { scope: CHANNEL, document: { terms: { block: ['dare'] }, remove: { terms: { review: ['Refund'] } }, pii: { action: 'DENY' }, links: false } },
];
// What the API answers for the channel (merged, defaults filled in).
const effective = {
  version: 1,
  terms: { block: ['scamcoin', 'badword', 'pyramid scheme', 'dare'], review: [] },
  pii: { email: true, phone: true, card: true, action: 'DENY' },
};

describe('where each part of an effective policy comes from', () => {
  it('labels list entries with the scope that added them, and settings with the narrowest that wrote them', () => {
    const s = effectiveSources(layers, effective);
    expect(s.terms.lists).toEqual([
      {
        field: 'block',
        entries: [
          { entry: 'scamcoin', source: 'global' },
          { entry: 'badword', source: 'global' },
          { entry: 'pyramid scheme', source: APP },
          { entry: 'dare', source: CHANNEL },
        ],
      },
      { field: 'review', entries: [] },
    ]);
    expect(s.pii.settings).toEqual([
      { field: 'email', value: true, source: 'default' },
      { field: 'phone', value: true, source: 'default' },
      { field: 'card', value: true, source: 'default' },
      { field: 'action', value: 'DENY', source: CHANNEL },
    ]);
    expect(s.pii).toMatchObject({ on: true, enabledBy: 'global' });
  });

  it('says a section switched off is off, and that one switched on again starts from the scope that did it', () => {
    expect(effectiveSources(layers, effective).links).toEqual({ on: false, settings: [], lists: [] });
    const again = [...layers, { scope: `${CHANNEL}-x`, document: { links: { deny: ['bit.ly'] } } }];
    const s = effectiveSources(again, { ...effective, links: { allow: [], deny: ['bit.ly'], unknown: 'REVIEW' } });
    expect(s.links.enabledBy).toBe(`${CHANNEL}-x`);
    expect(s.links.lists.find((l) => l.field === 'deny')!.entries).toEqual([{ entry: 'bit.ly', source: `${CHANNEL}-x` }]);
    expect(s.links.settings).toEqual([{ field: 'unknown', value: 'REVIEW', source: 'default' }]);
  });

  it('keeps the broadest scope for an entry a narrower one repeats, and the re-adder after a removal', () => {
    const chain = [
      { scope: 'global', document: { terms: { block: ['Bad Word'] } } },
      { scope: APP, document: { terms: { block: ['bad  word'] }, remove: {} } },
      { scope: CHANNEL, document: { remove: { terms: { block: ['bad word'] } }, terms: { block: ['BAD WORD'] } } },
    ];
    expect(effectiveSources(chain.slice(0, 2), { terms: { block: ['Bad Word'], review: [] } }).terms.lists[0]!.entries).toEqual([{ entry: 'Bad Word', source: 'global' }]);
    expect(effectiveSources(chain, { terms: { block: ['BAD WORD'], review: [] } }).terms.lists[0]!.entries).toEqual([{ entry: 'BAD WORD', source: CHANNEL }]);
  });

  it('skips scopes with nothing of their own, and says "unknown" rather than guess', () => {
    const s = effectiveSources([{ scope: 'global', document: null }], { terms: { block: ['x'], review: [] } });
    expect(s.terms.lists[0]!.entries).toEqual([{ entry: 'x', source: 'unknown' }]);
  });

  it('matches entries loosely, as the engine reads them', () => {
    expect(entryKey('terms', '  Crème   Brûlée! ')).toBe(entryKey('terms', 'creme brulee'));
    expect(entryKey('links', 'https://WWW.Example.com/path')).toBe('www.example.com');
    expect(entryKey('links', '*.example.com')).toBe('example.com');
    expect(entryKey('senders', ' arn:x/user/A ')).toBe('arn:x/user/A');
  });
});
