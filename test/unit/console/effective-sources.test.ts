import { describe, expect, it } from 'vitest';
import { communitySources, effectiveSources, entryKey, formatDuration } from '../../../console/src/lib/effective-sources.js';

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

describe('where each community setting comes from', () => {
  const chain = [
    { scope: 'global', document: { notices: { update: { text: 'Global: {reason}' } }, appeals: { window: '30d' }, reports: { autoHide: { reporters: 4, within: '1h' } }, cannedReasons: { deny: ['Spam'] } } },
    {
      scope: APP,
      document: {
        rules: { 'terms.block': { publicReason: 'not here' } },
        notices: { update: false },
        escalation: [{ strikes: 3, within: '24h', action: 'HOLD', for: '24h' }],
        reports: { categories: { spam: { sla: '2h' } } },
      },
    },
    { scope: CHANNEL, document: { appeals: { allowance: '1h' }, reports: { autoHide: false }, cannedReasons: { deny: ['Spam ', 'Cheating'] } } },
  ];
  // What the API answers for the channel (effective.community: defaults filled in, seconds).
  const community = {
    rules: { 'terms.block': { publicReason: 'not here', strike: true }, moderator: { publicReason: 'a moderator said no', strike: true } },
    reports: { categories: { spam: { label: 'Spam', severity: 1, slaSeconds: 7200 } }, rateLimits: [{ max: 10, withinSeconds: 3600 }], notifyReporter: true },
    notices: { update: { enabled: false, text: 'Your message was changed: {reason}.' }, appealUrl: 'https://example.com/appeal?ref={ref}' },
    appeals: { windowSeconds: 30 * 86_400, allowanceSeconds: 3600 },
    strikes: { decaySeconds: 30 * 86_400 },
    escalation: [{ strikes: 3, withinSeconds: 86_400, action: 'HOLD', forSeconds: 86_400, scope: 'channel', notify: true }],
    approvals: { banLongerThanSeconds: 86_400, appInstanceBans: true },
    cannedReasons: { deny: ['Spam', 'Cheating'], ban: ['Ban evasion'], case: [], appeal: [] },
  };
  const s = communitySources(chain, community);
  const at = (section: keyof typeof s, path: string) => s[section].settings.find((x) => x.path.join('.') === path);

  it('labels each setting with the narrowest scope that wrote it, durations as written', () => {
    expect(at('rules', 'terms.block.publicReason')).toEqual({ path: ['terms.block', 'publicReason'], value: 'not here', duration: false, source: APP });
    expect(at('rules', 'terms.block.strike')?.source).toBe('default');
    expect(at('appeals', 'window')).toEqual({ path: ['window'], value: 30 * 86_400, duration: true, source: 'global' });
    expect(at('appeals', 'allowance')?.source).toBe(CHANNEL);
    expect(at('reports', 'categories.spam.sla')).toMatchObject({ value: 7200, duration: true, source: APP });
    expect(at('strikes', 'decay')?.source).toBe('default');
  });

  it('takes a switched-off notice kind or auto-hide as the doing of the scope that wrote `false`, and a ladder whole', () => {
    expect(at('notices', 'update.enabled')?.source).toBe(APP);
    expect(at('notices', 'update.text')?.source).toBe('default');
    expect(at('reports', 'autoHide')).toEqual({ path: ['autoHide'], value: false, duration: false, source: CHANNEL });
    expect(at('reports', 'rateLimits')?.source).toBe('default');
    expect(s.escalation.settings).toEqual([{ path: [], value: community.escalation, duration: false, source: APP }]);
  });

  it('labels canned reasons with the first scope that added them, and the built-in ones as defaults', () => {
    expect(s.cannedReasons.lists[0]).toEqual({ field: 'deny', entries: [{ entry: 'Spam', source: 'global' }, { entry: 'Cheating', source: CHANNEL }] });
    expect(s.cannedReasons.lists[1]).toEqual({ field: 'ban', entries: [{ entry: 'Ban evasion', source: 'default' }] });
  });

  it('writes seconds back in the largest exact unit', () => {
    expect([90, 900, 86_400, 129_600].map(formatDuration)).toEqual(['90s', '15m', '1d', '36h']);
  });
});
