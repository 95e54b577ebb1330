import { describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../../src/domain/message.js';
import { compilePolicy, evaluate, NO_MATCH_REASON } from '../../../src/policy/engine.js';
import type { PolicyDocumentInput } from '../../../src/policy/schema.js';

const USER = 'arn:aws:chime:us-east-1:111122223333:app-instance/inst-1/user/alice';
const BOT = 'arn:aws:chime:us-east-1:111122223333:app-instance/inst-1/bot/helper';

function aMessage(overrides: Partial<ChannelMessage> = {}): ChannelMessage {
  return {
    messageId: 'msg-1',
    channelArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/inst-1/channel/general',
    content: 'Hello team, the release went out this morning.',
    sender: { arn: USER, name: 'Alice' },
    persistence: 'PERSISTENT',
    type: 'STANDARD',
    createdTimestamp: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}

function aPolicy(overrides: PolicyDocumentInput = {}): PolicyDocumentInput {
  return {
    terms: { block: ['badword', 'scamcoin', 'buy followers'], review: ['refund', 'wire transfer'] },
    pii: {},
    links: { allow: ['github.com', 'amazon.com'], deny: ['bit.ly', 'malware.example'] },
    content: { maxLength: 200 },
    metadata: {},
    senders: { allow: [`${BOT.slice(0, BOT.lastIndexOf('/') + 1)}*`], deny: [] },
    ...overrides,
  };
}

const judge = (content: string, doc: PolicyDocumentInput = aPolicy(), extra: Partial<ChannelMessage> = {}) =>
  evaluate(compilePolicy(doc), aMessage({ content, ...extra }));

describe('evaluate', () => {
  describe('when nothing matches', () => {
    it('allows with no rule ids', () => {
      const v = judge('Hello team, the release went out this morning.');
      expect(v).toEqual({ action: 'ALLOW', ruleIds: [], reason: NO_MATCH_REASON, findings: [] });
    });

    it('allows everything under an empty policy', () => {
      const v = judge('badword +1 (555) 123-4567 bit.ly/x ' + 'x'.repeat(5000), {}, { metadata: 'not json' });
      expect(v.action).toBe('ALLOW');
      expect(v.ruleIds).toEqual([]);
    });

    it('allows an empty message', () => {
      expect(judge('').action).toBe('ALLOW');
    });
  });

  describe('terms', () => {
    it('denies a blocked term and quotes it', () => {
      const v = judge('get your SCAMCOIN here');
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['terms.block']);
      expect(v.reason).toContain('"scamcoin"');
      expect(v.content).toBeUndefined();
    });

    it('denies an obfuscated blocked phrase', () => {
      expect(judge('b.u.y f0ll0w3rs cheap').ruleIds).toEqual(['terms.block']);
    });

    it('does not deny a word that merely contains a blocked term', () => {
      expect(judge('the badwordsmith guild').action).toBe('ALLOW');
    });

    it('sends a review term to review', () => {
      const v = judge('I would like a Refund');
      expect(v.action).toBe('REVIEW');
      expect(v.ruleIds).toEqual(['terms.review']);
      expect(v.reason).toContain('"refund"');
    });

    it('lists every blocked term found in the reason', () => {
      expect(judge('badword and scamcoin').reason).toContain('"badword" and "scamcoin"');
    });
  });

  describe('PII', () => {
    it('updates the content with the e-mail address masked', () => {
      const v = judge('Mail me at jane@example.com please');
      expect(v).toMatchObject({ action: 'UPDATE', ruleIds: ['pii.email'], content: 'Mail me at [email redacted] please' });
      expect(v.reason).toBe('Content contains an e-mail address');
    });

    it('masks phones and cards and names each rule', () => {
      const v = judge('Call +1 (555) 123-4567, card 4111 1111 1111 1111.');
      expect(v.action).toBe('UPDATE');
      expect(v.ruleIds).toEqual(['pii.phone', 'pii.card']);
      expect(v.content).toBe('Call [phone redacted], card [card ending 1111].');
    });

    it('never echoes the PII in the reason', () => {
      const v = judge('jane@example.com +44 20 7946 0958 4111111111111111');
      expect(v.reason).not.toMatch(/jane|7946|4111111111111111/);
      expect(v.findings.map((f) => f.reason).join(' ')).not.toMatch(/jane|7946|41111111/);
    });

    it('does not mask a kind that is switched off', () => {
      const v = judge('jane@example.com', aPolicy({ pii: { email: false } }));
      expect(v.action).toBe('ALLOW');
    });

    it('holds the message instead when the PII action is REVIEW', () => {
      const v = judge('jane@example.com', aPolicy({ pii: { action: 'REVIEW' } }));
      expect(v.action).toBe('REVIEW');
      expect(v.ruleIds).toEqual(['pii.email']);
      expect(v.content).toBeUndefined();
    });

    it('does not treat a non-Luhn 16-digit number as PII', () => {
      expect(judge('order 1234 5678 9012 3456').action).toBe('ALLOW');
    });
  });

  describe('links', () => {
    it('allows links to allowed domains and their subdomains', () => {
      expect(judge('see https://docs.github.com/x and aws.amazon.com').action).toBe('ALLOW');
    });

    it('denies a link to a denied domain', () => {
      const v = judge('click bit.ly/abc');
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['links.deny']);
      expect(v.reason).toContain('bit.ly');
    });

    it('reviews a link to an unknown domain', () => {
      const v = judge('see https://notgithub.com/x');
      expect(v.action).toBe('REVIEW');
      expect(v.ruleIds).toEqual(['links.unknown']);
    });

    it('applies the configured action to unknown links', () => {
      const links = { allow: ['github.com'], deny: [], unknown: 'DENY' as const };
      expect(judge('see example.org', aPolicy({ links })).action).toBe('DENY');
      expect(judge('see example.org', aPolicy({ links: { ...links, unknown: 'ALLOW' } })).action).toBe('ALLOW');
    });

    it('does not treat an e-mail domain as a link', () => {
      expect(judge('write to x@malware.example').ruleIds).toEqual(['pii.email']);
    });
  });

  describe('content length', () => {
    it('reviews content over the limit', () => {
      const v = judge('word '.repeat(50));
      expect(v.action).toBe('REVIEW');
      expect(v.ruleIds).toEqual(['content.length']);
      expect(v.reason).toContain('the limit is 200');
    });

    it('accepts content exactly at the limit, counting characters not UTF-16 units', () => {
      expect(judge('😀'.repeat(200)).action).toBe('ALLOW');
      expect(judge('😀'.repeat(201)).ruleIds).toEqual(['content.length']);
    });

    it('uses the configured action', () => {
      expect(judge('x'.repeat(201), aPolicy({ content: { maxLength: 200, action: 'DENY' } })).action).toBe('DENY');
    });
  });

  describe('metadata', () => {
    it('accepts JSON metadata and absent metadata', () => {
      expect(judge('hi', aPolicy(), { metadata: '{"a":1}' }).action).toBe('ALLOW');
      expect(judge('hi', aPolicy(), { metadata: undefined }).action).toBe('ALLOW');
    });

    it('reviews metadata that is not JSON', () => {
      const v = judge('hi', aPolicy(), { metadata: '{oops' });
      expect(v).toMatchObject({ action: 'REVIEW', ruleIds: ['metadata.malformed'], reason: 'Metadata is not valid JSON' });
    });

    it('reviews metadata over the byte limit', () => {
      const v = judge('hi', aPolicy(), { metadata: JSON.stringify({ a: 'é'.repeat(600) }) });
      expect(v.ruleIds).toEqual(['metadata.malformed']);
      expect(v.reason).toMatch(/bytes; the limit is 1024/);
    });

    it('accepts non-JSON metadata when JSON is not required', () => {
      expect(judge('hi', aPolicy({ metadata: { requireJson: false } }), { metadata: 'plain' }).action).toBe('ALLOW');
    });
  });

  describe('senders', () => {
    it('denies a sender on the deny list', () => {
      const v = judge('hello', aPolicy({ senders: { deny: [USER] } }));
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['sender.deny']);
    });

    it('matches a trailing * as a prefix', () => {
      const prefix = USER.slice(0, USER.lastIndexOf('/') + 1) + '*';
      expect(judge('hello', aPolicy({ senders: { deny: [prefix] } })).ruleIds).toEqual(['sender.deny']);
      expect(judge('hello', aPolicy({ senders: { deny: [`${USER}x*`] } })).action).toBe('ALLOW');
    });

    it('allows a trusted sender and skips every content rule', () => {
      const v = judge('badword bit.ly/x jane@example.com', aPolicy(), { sender: { arn: BOT } });
      expect(v).toEqual({
        action: 'ALLOW',
        ruleIds: ['sender.allow'],
        reason: expect.stringContaining('allow list'),
        findings: [expect.objectContaining({ ruleId: 'sender.allow', action: 'ALLOW' })],
      });
      expect(v.content).toBeUndefined();
    });

    it('lets deny win over allow for the same sender', () => {
      const v = judge('hello', aPolicy({ senders: { allow: [USER], deny: [USER] } }));
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['sender.deny']);
    });

    it('still records content findings for a denied sender', () => {
      expect(judge('refund please', aPolicy({ senders: { deny: [USER] } })).ruleIds).toEqual([
        'sender.deny',
        'terms.review',
      ]);
    });
  });

  describe('precedence', () => {
    it('prefers DENY over REVIEW and UPDATE, keeping every rule id and dropping the content', () => {
      const v = judge('refund my scamcoin to jane@example.com via example.org');
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['terms.block', 'terms.review', 'links.unknown', 'pii.email']);
      expect(v.content).toBeUndefined();
      expect(v.findings.map((f) => f.action)).toEqual(['DENY', 'REVIEW', 'REVIEW', 'UPDATE']);
    });

    it('prefers REVIEW over UPDATE and drops the content', () => {
      const v = judge('wire transfer to jane@example.com');
      expect(v.action).toBe('REVIEW');
      expect(v.ruleIds).toEqual(['terms.review', 'pii.email']);
      expect(v.content).toBeUndefined();
    });

    it('prefers UPDATE over ALLOW findings', () => {
      const doc = aPolicy({ links: { allow: [], deny: [], unknown: 'ALLOW' } });
      const v = judge('example.org jane@example.com', doc);
      expect(v.action).toBe('UPDATE');
      expect(v.ruleIds).toEqual(['links.unknown', 'pii.email']);
      expect(v.content).toBe('example.org [email redacted]');
    });

    it('prefers a denied link over an unknown one', () => {
      const v = judge('bit.ly/a and example.org');
      expect(v.action).toBe('DENY');
      expect(v.ruleIds).toEqual(['links.deny', 'links.unknown']);
    });

    it('joins every finding into the reason', () => {
      const v = judge('refund at example.org', aPolicy(), { metadata: 'nope' });
      expect(v.ruleIds).toEqual(['metadata.malformed', 'terms.review', 'links.unknown']);
      expect(v.reason).toBe(v.findings.map((f) => f.reason).join('; '));
    });
  });
});

describe('compilePolicy', () => {
  it('throws naming the invalid field', () => {
    expect(() => compilePolicy({ links: { unknown: 'MAYBE' } } as unknown as PolicyDocumentInput)).toThrow(
      /links\.unknown/,
    );
  });

  it('compiles 100,000 terms', () => {
    const block = Array.from({ length: 100_000 }, (_, i) => `w${i}q`.replace(/\d/g, (d) => 'abcdefghij'[+d]!));
    const policy = compilePolicy({ terms: { block } });
    expect(policy.terms.size).toBe(100_000);
    expect(evaluate(policy, aMessage({ content: 'so wbcdq it is' })).ruleIds).toEqual(['terms.block']);
  });
});
