/**
 * The community settings of an effective policy: merged across scopes (src/policy/merge.ts) and
 * read with every default applied (src/policy/community.ts communityPolicyOf).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMUNITY_POLICY, communityPolicyOf, formatDuration, parseDuration } from '../../../src/policy/community.js';
import { DEFAULT_POLICY_FILE, loadPolicySeed, loadPolicySeedDocument } from '../../../src/policy/load.js';
import { effectivePolicies, mergeCommunity, mergeLayers, type PolicyLayer } from '../../../src/policy/merge.js';
import type { ScopedPolicyDocument } from '../../../src/policy/schema.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/kids`;

const layer = (scope: string, document: ScopedPolicyDocument, version = 1): PolicyLayer => ({ scope, version, mode: document.mode ?? 'enforce', document });
const global = (document: ScopedPolicyDocument) => layer('global', document);
const app = (document: ScopedPolicyDocument) => layer(APP, document);
const channel = (document: ScopedPolicyDocument) => layer(CHANNEL, document);

/** The effective community settings of a chain, as every loader computes them. */
const communityOf = (...layers: PolicyLayer[]) => communityPolicyOf(effectivePolicies(layers).applied.community);

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('durations', () => {
  it('read as seconds, and written back in the largest exact unit', () => {
    expect(['90s', '15m', '24h', '7d'].map(parseDuration)).toEqual([90, 900, DAY, 7 * DAY]);
    expect([undefined, '7', '1w', '1.5h'].map((t) => (t === undefined ? undefined : parseDuration(t)))).toEqual([undefined, undefined, undefined, undefined]);
    expect([90, 900, DAY, 7 * DAY, 36 * HOUR].map(formatDuration)).toEqual(['90s', '15m', '1d', '7d', '36h']);
  });
});

describe('communityPolicyOf: every default applied', () => {
  it('is DEFAULT_COMMUNITY_POLICY for a document that writes nothing', () => {
    expect(communityPolicyOf({})).toEqual(DEFAULT_COMMUNITY_POLICY);
    expect(communityOf(global({ terms: { block: ['x'] } }))).toEqual(DEFAULT_COMMUNITY_POLICY);
  });

  it('is DEFAULT_COMMUNITY_POLICY for policy/default.yaml, which writes the defaults out (escalation stays off)', () => {
    expect(communityPolicyOf(loadPolicySeed(DEFAULT_POLICY_FILE).document)).toEqual(DEFAULT_COMMUNITY_POLICY);
    expect(communityPolicyOf(loadPolicySeedDocument(DEFAULT_POLICY_FILE))).toEqual(DEFAULT_COMMUNITY_POLICY);
    expect(DEFAULT_COMMUNITY_POLICY.escalation).toEqual([]);
    // The blocklist strikes by default; nothing else automatic does.
    expect(Object.entries(DEFAULT_COMMUNITY_POLICY.rules).filter(([, r]) => r.strike).map(([id]) => id)).toEqual(['terms.block', 'moderator']);
  });

  it('fills in what a document leaves out, field by field, with durations in seconds', () => {
    const policy = communityPolicyOf({
      rules: { 'links.deny': { strike: true } },
      reports: { categories: { spam: { sla: '2h' } }, autoHide: { reporters: 3, within: '30m' } },
      notices: { hold: { enabled: true }, deny: { text: 'No: {reason}' } },
      appeals: { window: '7d' },
      escalation: [
        { strikes: 3, within: '24h', action: 'HOLD', for: '12h' },
        { strikes: 5, within: '7d', action: 'BAN', for: '1d' },
        { strikes: 8, within: '30d', action: 'BAN', for: '7d', scope: 'app-instance', notify: false },
      ],
    });
    expect(policy.rules['links.deny']).toEqual({ publicReason: DEFAULT_COMMUNITY_POLICY.rules['links.deny']!.publicReason, strike: true });
    expect(policy.reports.categories.spam).toEqual({ label: 'Spam', severity: 1, slaSeconds: 2 * HOUR });
    expect(policy.reports.autoHide).toEqual({ reporters: 3, withinSeconds: 30 * 60 });
    expect(policy.notices.hold).toEqual({ enabled: true, text: DEFAULT_COMMUNITY_POLICY.notices.hold.text });
    expect(policy.notices.deny).toEqual({ enabled: true, text: 'No: {reason}' });
    expect(policy.appeals).toEqual({ windowSeconds: 7 * DAY, allowanceSeconds: DAY });
    expect(policy.escalation).toEqual([
      { strikes: 3, withinSeconds: DAY, action: 'HOLD', forSeconds: 12 * HOUR, scope: 'channel', notify: true },
      { strikes: 5, withinSeconds: 7 * DAY, action: 'BAN', forSeconds: DAY, scope: 'channel', notify: true },
      { strikes: 8, withinSeconds: 30 * DAY, action: 'BAN', forSeconds: 7 * DAY, scope: 'app-instance', notify: false },
    ]);
  });

  it('gives a rule nobody names a plain default, and hands out a frozen copy', () => {
    const policy = communityPolicyOf({ rules: { 'sender.allow': { strike: false } } });
    expect(policy.rules['sender.allow']).toEqual({ publicReason: 'it breaks this channel’s rules', strike: false });
    expect(Object.isFrozen(policy.notices.deny)).toBe(true);
    expect(() => (policy.escalation as unknown[]).push({})).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_COMMUNITY_POLICY.notices.deny)).toBe(false);
  });
});

describe('merging the community sections across scopes', () => {
  it('lets the narrowest scope that writes a setting win, and keeps what it does not write', () => {
    const policy = communityOf(
      global({ appeals: { window: '30d', allowance: '2d' }, approvals: { banLongerThan: '3d' }, reports: { notifyReporter: false } }),
      app({ appeals: { window: '7d' }, approvals: { appInstanceBans: false } }),
      channel({ appeals: { allowance: '1h' }, strikes: { decay: '10d' } }),
    );
    expect(policy.appeals).toEqual({ windowSeconds: 7 * DAY, allowanceSeconds: HOUR });
    expect(policy.approvals).toEqual({ banLongerThanSeconds: 3 * DAY, appInstanceBans: false });
    expect(policy.strikes.decaySeconds).toBe(10 * DAY);
    expect(policy.reports.notifyReporter).toBe(false);
  });

  it('merges rules by id, categories by name and notice kinds key by key', () => {
    const policy = communityOf(
      global({ rules: { 'terms.block': { publicReason: 'not allowed here' }, 'links.deny': { strike: true } }, reports: { categories: { spam: { label: 'Junk', severity: 2 } } }, notices: { deny: { text: 'Global: {reason}' } } }),
      channel({ rules: { 'terms.block': { strike: false } }, reports: { categories: { spam: { sla: '1h' }, hate: { severity: 5 } } }, notices: { deny: { enabled: false } } }),
    );
    expect(policy.rules['terms.block']).toEqual({ publicReason: 'not allowed here', strike: false });
    expect(policy.rules['links.deny']!.strike).toBe(true);
    expect(policy.reports.categories.spam).toEqual({ label: 'Junk', severity: 2, slaSeconds: HOUR });
    expect(policy.reports.categories.hate).toEqual({ label: 'Hate', severity: 5, slaSeconds: HOUR });
    expect(policy.notices.deny).toEqual({ enabled: false, text: 'Global: {reason}' });
  });

  it('switches a notice kind or auto-hide off with false, and a narrower scope starts afresh from its own settings', () => {
    const off = communityOf(global({ notices: { update: { text: 'Global text' } }, reports: { autoHide: { reporters: 4, within: '1h' } } }), app({ notices: { update: false }, reports: { autoHide: false } }));
    expect(off.notices.update).toEqual({ enabled: false, text: DEFAULT_COMMUNITY_POLICY.notices.update.text });
    expect(off.reports.autoHide).toBeUndefined();
    const again = communityOf(
      global({ notices: { update: { text: 'Global text' } }, reports: { autoHide: { reporters: 4, within: '1h' } } }),
      app({ notices: { update: false }, reports: { autoHide: false } }),
      channel({ notices: { update: { enabled: true } }, reports: { autoHide: { reporters: 2, within: '5m' } } }),
    );
    // The inherited text was dropped with the `false`: the default's is used.
    expect(again.notices.update).toEqual({ enabled: true, text: DEFAULT_COMMUNITY_POLICY.notices.update.text });
    expect(again.reports.autoHide).toEqual({ reporters: 2, withinSeconds: 300 });
  });

  it('replaces the escalation ladder and the rate limits whole, and `escalation: false` switches the ladder off', () => {
    const ladder = [
      { strikes: 3, within: '24h', action: 'HOLD' as const, for: '24h' },
      { strikes: 5, within: '7d', action: 'BAN' as const, for: '24h' },
    ];
    const replaced = communityOf(global({ escalation: ladder, reports: { rateLimits: [{ max: 10, within: '1h' }, { max: 20, within: '1d' }] } }), channel({ escalation: [{ strikes: 2, within: '1h', action: 'HOLD', for: '1h' }], reports: { rateLimits: [{ max: 3, within: '1h' }] } }));
    expect(replaced.escalation).toEqual([{ strikes: 2, withinSeconds: HOUR, action: 'HOLD', forSeconds: HOUR, scope: 'channel', notify: true }]);
    expect(replaced.reports.rateLimits).toEqual([{ max: 3, withinSeconds: HOUR }]);
    expect(communityOf(global({ escalation: ladder }), app({ escalation: false })).escalation).toEqual([]);
    expect(communityOf(global({ escalation: ladder }), app({ escalation: false }), channel({ escalation: ladder.slice(1) })).escalation).toHaveLength(1);
    expect(communityOf(global({ escalation: ladder }), channel({ strikes: { decay: '1d' } })).escalation).toHaveLength(2);
  });

  it('unions canned reasons across scopes, in order, without repeats; a written list stands instead of the built-in one', () => {
    const policy = communityOf(global({ cannedReasons: { deny: ['Spam', 'Off-topic'] } }), app({ cannedReasons: { deny: ['Off-topic ', 'Hate speech'], ban: ['Evasion'] } }), channel({ cannedReasons: { deny: ['Spam', 'Homework answers'] } }));
    expect(policy.cannedReasons.deny).toEqual(['Spam', 'Off-topic', 'Hate speech', 'Homework answers']);
    expect(policy.cannedReasons.ban).toEqual(['Evasion']);
    expect(policy.cannedReasons.case).toEqual(DEFAULT_COMMUNITY_POLICY.cannedReasons.case);
  });

  it('takes the community settings of the enforced scopes only: a shadow scope never acts on people', () => {
    const layers = [global({ notices: { deny: { text: 'Global: {reason}' } } }), app({ mode: 'shadow', notices: { deny: false }, escalation: [{ strikes: 1, within: '1h', action: 'BAN', for: '1d' }], terms: { block: ['crypto'] } })];
    const effective = effectivePolicies(layers);
    expect(effective.shadow).toBeDefined();
    const policy = communityPolicyOf(effective.applied.community);
    expect(policy.notices.deny).toEqual({ enabled: true, text: 'Global: {reason}' });
    expect(policy.escalation).toEqual([]);
  });

  it('keeps the community sections out of the rules’ merged document (which the engine compiles)', () => {
    const merged = mergeLayers([global({ terms: { block: ['x'] }, strikes: { decay: '1d' } })]);
    expect(merged.document).toEqual({ version: 1, terms: { block: ['x'] } });
    expect(merged.community).toEqual({ strikes: { decay: '1d' } });
    expect(mergeCommunity([{ rules: { moderator: { strike: false } } }, { rules: { moderator: { publicReason: 'no' } } }])).toEqual({ rules: { moderator: { strike: false, publicReason: 'no' } } });
  });
});
