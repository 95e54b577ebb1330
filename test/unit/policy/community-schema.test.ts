/**
 * The community sections of a policy document (src/policy/schema.ts): every field checked, each
 * problem at its own path, wherever documents are validated (stored scoped documents, POLICY_FILE,
 * the OpenAPI JSON Schema), and no public text that echoes the document's own blocklist.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../../src/policy/engine.js';
import { loadPolicyFile, loadPolicySeed, loadPolicySeedDocument } from '../../../src/policy/load.js';
import { ENTRY_KEYS } from '../../../src/policy/merge.js';
import { PolicyDocumentSchema, RULE_SETTING_IDS, blockedTermEchoes, scopedDocumentIssues, scopedPolicyDocumentJsonSchema } from '../../../src/policy/schema.js';

const issuesOf = (document: unknown, kind: 'global' | 'app-instance' | 'channel' = 'channel') => scopedDocumentIssues(document, kind, ENTRY_KEYS);
/** The fields with a problem, sorted. */
const pathsOf = (document: unknown) => issuesOf(document).map((issue) => issue.path.join('.')).sort();
const messageAt = (document: unknown, path: string) => issuesOf(document).find((issue) => issue.path.join('.') === path)?.message;

/** Every community section, valid. */
const EVERYTHING = {
  terms: { block: ['zorblax'] },
  rules: { 'terms.block': { publicReason: 'it contains language this channel does not allow', strike: true }, moderator: { strike: false }, 'callback.limits': { publicReason: 'held' } },
  reports: {
    categories: { 'self-harm': { label: 'Self-harm', severity: 5, sla: '15m' }, spam: { sla: '2d' } },
    rateLimits: [{ max: 5, within: '1h' }],
    autoHide: { reporters: 3, within: '30m' },
    notifyReporter: false,
  },
  notices: { deny: { text: 'Not sent: {reason}. Appeal: {appealUrl}' }, hold: { enabled: true }, update: false, appealUrl: 'https://help.example.com/appeal/{ref}' },
  appeals: { window: '7d', allowance: '12h' },
  strikes: { decay: '90d' },
  escalation: [
    { strikes: 3, within: '24h', action: 'HOLD', for: '24h' },
    { strikes: 5, within: '7d', action: 'BAN', for: '1d', scope: 'app-instance', notify: false },
  ],
  approvals: { banLongerThan: '3d', appInstanceBans: false },
  cannedReasons: { deny: ['Spam'], ban: ['Ban evasion'], case: ['Not a violation'], appeal: ['Upheld'] },
};

describe('the community sections of a stored document', () => {
  it('accepts every section, at every scope kind, and the POLICY_FILE schema takes the same', () => {
    for (const kind of ['global', 'app-instance', 'channel'] as const) expect(issuesOf(EVERYTHING, kind)).toEqual([]);
    expect(PolicyDocumentSchema.safeParse(EVERYTHING).success).toBe(true);
    expect(issuesOf({ escalation: false, reports: { autoHide: false }, notices: { warning: false } })).toEqual([]);
  });

  it('knows every rule id of the engine, plus callback.limits, moderator and expiry, and names the ids when one is unknown', () => {
    expect([...RULE_SETTING_IDS].sort()).toEqual([...Object.values(RULE_IDS), 'callback.limits', 'moderator', 'expiry'].sort());
    expect(issuesOf({ rules: { 'terms.blok': { strike: true } } })).toEqual([{ path: ['rules', 'terms.blok'], message: expect.stringMatching(/^is not a rule id \(one of .*terms\.block.*moderator.*expiry/) }]);
    expect(pathsOf({ rules: { 'terms.block': { publicReason: '', strike: 'yes', colour: 1 } } })).toEqual(['rules.terms.block.colour', 'rules.terms.block.publicReason', 'rules.terms.block.strike']);
    expect(messageAt({ rules: { moderator: { publicReason: 'x'.repeat(201) } } }, 'rules.moderator.publicReason')).toMatch(/at most 200/);
    expect(messageAt({ rules: { moderator: { publicReason: '   ' } } }, 'rules.moderator.publicReason')).toMatch(/blank/);
  });

  it('checks each report category, limit and the auto-hide threshold by field', () => {
    expect(pathsOf({ reports: { categories: { spam: { label: '', severity: 6, sla: '30s' }, phishing: {} } } })).toEqual([
      'reports.categories.phishing',
      'reports.categories.spam.label',
      'reports.categories.spam.severity',
      'reports.categories.spam.sla',
    ]);
    expect(messageAt({ reports: { categories: { spam: { sla: '30s' } } } }, 'reports.categories.spam.sla')).toBe('must be at least 1m and at most 365d');
    expect(messageAt({ reports: { categories: { spam: { severity: 2.5 } } } }, 'reports.categories.spam.severity')).toMatch(/expected int/);
    expect(pathsOf({ reports: { rateLimits: [{ max: 0, within: '1h' }, { max: 10_001, within: 'soon' }, { within: '1h' }] } })).toEqual([
      'reports.rateLimits.0.max',
      'reports.rateLimits.1.max',
      'reports.rateLimits.1.within',
      'reports.rateLimits.2.max',
    ]);
    expect(messageAt({ reports: { rateLimits: Array.from({ length: 6 }, () => ({ max: 1, within: '1h' })) } }, 'reports.rateLimits')).toMatch(/at most 5/);
    expect(pathsOf({ reports: { autoHide: { reporters: 1, within: '1h' } } })).toEqual(['reports.autoHide.reporters']);
    expect(pathsOf({ reports: { autoHide: { reporters: 1001, within: '1h' } } })).toEqual(['reports.autoHide.reporters']);
    expect(messageAt({ reports: { autoHide: true } }, 'reports.autoHide')).toBe('must be an object with reporters and within, or false to switch it off here');
    expect(pathsOf({ reports: { notifyReporter: 'yes' } })).toEqual(['reports.notifyReporter']);
  });

  it('checks each notice kind, its text and the appeal URL', () => {
    expect(pathsOf({ notices: { deny: { enabled: 'no', text: '' }, bounce: {} } })).toEqual(['notices.bounce', 'notices.deny.enabled', 'notices.deny.text']);
    expect(messageAt({ notices: { hold: { text: 'x'.repeat(1001) } } }, 'notices.hold.text')).toMatch(/at most 1000/);
    expect(messageAt({ notices: { hold: true } }, 'notices.hold')).toBe('must be an object with enabled and text, or false to switch it off here');
    for (const url of ['http://example.com/appeal', 'https://', 'example.com/appeal', 'https://exa mple.com', 'javascript:alert(1)', `https://example.com/${'x'.repeat(2000)}`]) {
      expect(pathsOf({ notices: { appealUrl: url } }), url).toEqual(['notices.appealUrl']);
    }
    expect(issuesOf({ notices: { appealUrl: 'https://example.com/appeal?ref={ref}' } })).toEqual([]);
  });

  it('reads durations as a whole number and a unit, at least 1s and at most 365d', () => {
    for (const good of ['1s', '90s', '15m', '24h', '7d', '365d', '525600m']) expect(issuesOf({ strikes: { decay: good } }), good).toEqual([]);
    for (const bad of ['', '7', 'd', '1.5h', '-1d', ' 7d', '7 d', '7D', '1w', '366d', '0s', '9999999d', 7]) {
      expect(pathsOf({ strikes: { decay: bad } }), String(bad)).toEqual(['strikes.decay']);
    }
    expect(messageAt({ appeals: { window: '2w' } }, 'appeals.window')).toBe('must be a duration: a whole number and a unit (s, m, h or d), such as 90s, 15m, 24h or 7d');
    expect(messageAt({ appeals: { allowance: '400d' } }, 'appeals.allowance')).toBe('must be at least 1s and at most 365d');
    expect(pathsOf({ approvals: { banLongerThan: 'forever', appInstanceBans: 1 } })).toEqual(['approvals.appInstanceBans', 'approvals.banLongerThan']);
  });

  it('checks each escalation step by field; scope is for a BAN only; at most 10 steps', () => {
    expect(
      pathsOf({
        escalation: [
          { strikes: 0, within: '1h', action: 'MUTE', for: '1h' },
          { strikes: 3, within: '1h', action: 'HOLD', for: '1h', scope: 'channel' },
          { strikes: 3, within: '1h', action: 'BAN', for: '1h', scope: 'everywhere', notify: 'yes' },
          { strikes: 3, action: 'BAN' },
          { strikes: 3, within: '1h', action: 'BAN', for: '1h', until: 'never' },
        ],
      }),
    ).toEqual([
      'escalation.0.action',
      'escalation.0.strikes',
      'escalation.1.scope',
      'escalation.2.notify',
      'escalation.2.scope',
      'escalation.3.for',
      'escalation.3.within',
      'escalation.4.until',
    ]);
    expect(messageAt({ escalation: [{ strikes: 3, within: '1h', action: 'HOLD', for: '1h', scope: 'channel' }] }, 'escalation.0.scope')).toMatch(/BAN only/);
    const step = { strikes: 1, within: '1h', action: 'HOLD', for: '1h' };
    expect(messageAt({ escalation: Array.from({ length: 11 }, () => step) }, 'escalation')).toMatch(/at most 10 steps/);
    expect(messageAt({ escalation: { strikes: 3 } }, 'escalation')).toBe('must be a list of steps, or false to switch it off here');
    expect(messageAt({ escalation: true }, 'escalation')).toBe('must be a list of steps, or false to switch it off here');
  });

  it('checks canned reasons: four forms, at most 50 each, 1 to 200 characters', () => {
    expect(pathsOf({ cannedReasons: { deny: [''], mute: ['x'] } })).toEqual(['cannedReasons.deny.0', 'cannedReasons.mute']);
    expect(pathsOf({ cannedReasons: { ban: Array.from({ length: 51 }, (_, i) => `reason ${i}`) } })).toEqual(['cannedReasons.ban']);
    expect(pathsOf({ cannedReasons: { case: ['x'.repeat(201)] } })).toEqual(['cannedReasons.case.0']);
  });

  it('never lets a public reason or a notice echo the document’s own blocked terms, as the engine matches them', () => {
    const document = {
      terms: { block: ['zorblax', 'buy followers'], review: ['refund'] },
      rules: {
        'terms.block': { publicReason: 'it mentions z.o.r.b.l.a.x' },
        'links.deny': { publicReason: 'it tries to BUY -- followers' },
        'terms.review': { publicReason: 'it mentions a refund' },
        moderator: { publicReason: 'a moderator said no' },
      },
      notices: { deny: { text: 'Not sent ({reason}): no ZORBLAX here' }, update: { text: 'Changed: {reason}' }, hold: false },
    };
    expect(issuesOf(document)).toEqual([
      { path: ['rules', 'terms.block', 'publicReason'], message: 'must not contain a blocked term ("zorblax" is in terms.block)' },
      { path: ['rules', 'links.deny', 'publicReason'], message: 'must not contain a blocked term ("buy followers" is in terms.block)' },
      { path: ['notices', 'deny', 'text'], message: 'must not contain a blocked term ("zorblax" is in terms.block)' },
    ]);
    // A placeholder is not a word of the text: blocking `reason` does not refuse `{reason}`.
    expect(issuesOf({ terms: { block: ['reason'] }, notices: { deny: { text: 'Not sent: {reason}' } } })).toEqual([]);
    // Only the document's own list: an inherited term is not known here (and no list, nothing to echo).
    expect(issuesOf({ rules: { moderator: { publicReason: 'zorblax' } } })).toEqual([]);
    expect(blockedTermEchoes({ terms: false, rules: { moderator: { publicReason: 'zorblax' } } })).toEqual([]);
  });

  it('renders the sections in the OpenAPI document’s JSON Schema', () => {
    const schema = scopedPolicyDocumentJsonSchema() as { properties: Record<string, Record<string, unknown>> };
    for (const section of ['rules', 'reports', 'notices', 'appeals', 'strikes', 'escalation', 'approvals', 'cannedReasons']) expect(schema.properties[section], section).toBeDefined();
    expect(JSON.stringify(schema.properties.strikes)).toContain('"pattern":"^\\\\d{1,6}[smhd]$"');
    expect(schema.properties.escalation!.anyOf).toEqual(expect.arrayContaining([expect.objectContaining({ const: false })]));
  });
});

describe('the community sections in POLICY_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-community-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('names the file and each field of an invalid section, escalation steps included', () => {
    const path = write('bad.yaml', 'escalation:\n  - { strikes: 0, within: 1h, action: HOLD, for: 1w }\nappeals: { window: soon }\n');
    expect(() => loadPolicyFile(path)).toThrow(path);
    expect(() => loadPolicyFile(path)).toThrow(/escalation\.0\.strikes/);
    expect(() => loadPolicyFile(path)).toThrow(/escalation\.0\.for: must be a duration/);
    expect(() => loadPolicyFile(path)).toThrow(/appeals\.window: must be a duration/);
  });

  it('refuses a file whose public texts echo its own blocklist, naming the field', () => {
    const path = write('echo.yaml', 'terms: { block: [zorblax] }\nrules:\n  terms.block: { publicReason: no zorblax please }\n');
    expect(() => loadPolicyFile(path)).toThrow(/rules\.terms\.block\.publicReason: must not contain a blocked term/);
    expect(() => loadPolicySeed(path)).toThrow(/must not contain a blocked term/);
  });

  it('loads the document without compiling it for the community settings alone (the echo is the compiling functions’ to refuse)', () => {
    const path = write('community.yaml', 'terms: { block: [zorblax] }\nstrikes: { decay: 7d }\n');
    expect(loadPolicySeedDocument(path)).toEqual({ terms: { block: ['zorblax'] }, strikes: { decay: '7d' } });
    expect(() => loadPolicySeedDocument(write('bad-community.yaml', 'strikes: { decay: 7 }\n'))).toThrow(/strikes\.decay/);
  });
});
