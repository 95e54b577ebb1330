import { describe, expect, it } from 'vitest';
import type { Decision, ModerationItem } from '../../../src/domain/item.js';
import { evaluate } from '../../../src/policy/engine.js';
import { loadPolicyFile, resolvePolicyPath } from '../../../src/policy/index.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../../../src/policy/community.js';
import {
  aboutKeyOf,
  appealUrlOf,
  decisionNoticeKind,
  decisionNoticeValues,
  noticeIdOf,
  noticeMetadata,
  noticeText,
  publicReasonOf,
  strikeOf,
} from '../../../src/notices/compose.js';
import { APP_INSTANCE, aMessage, callbackId, userArn } from '../../support/factories.js';

const policy = loadPolicyFile(resolvePolicyPath());

/** An item as the worker records an automatic decision of `content`. */
function decided(content: string, overrides: Partial<Decision> = {}): ModerationItem {
  const message = aMessage({ content });
  const verdict = evaluate(policy, message);
  const at = new Date().toISOString();
  return {
    callbackId: callbackId(),
    message,
    receivedAt: at,
    deadline: at,
    status: 'DELIVERED',
    version: 3,
    updatedAt: at,
    policy: { action: verdict.action, ruleIds: verdict.ruleIds, reason: verdict.reason, findings: verdict.findings },
    decision: { action: verdict.action === 'REVIEW' ? 'DENY' : verdict.action, origin: 'AUTO', actor: { id: 'policy' }, reason: verdict.reason, ruleIds: verdict.ruleIds, decidedAt: at, ...overrides },
    history: [],
  };
}

describe('a notice’s text', () => {
  it('gives a denied message’s public reason and never the blocked term, the rule’s reason or the list', () => {
    const item = decided('please buy some SCAMCOIN today');
    expect(item.decision).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
    // The audit log's reason names the term: exactly what must never reach the channel.
    expect(item.decision!.reason.toLowerCase()).toContain('scamcoin');
    const text = noticeText(DEFAULT_COMMUNITY_POLICY.notices.deny.text, decisionNoticeValues(DEFAULT_COMMUNITY_POLICY, item));
    expect(text).toBe(`Your message was not sent: it contains language this channel does not allow. If you think this is a mistake, appeal: https://example.com/appeal?ref=${item.callbackId}`);
    expect(text.toLowerCase()).not.toContain('scamcoin');
    for (const term of ['badword', 'buy followers', 'send me your password', 'guaranteed returns']) expect(text.toLowerCase()).not.toContain(term);
    expect(text).not.toContain(item.decision!.reason);
  });

  it('joins the public reasons of every rule that fired, each once', () => {
    const item = decided('x', { action: 'UPDATE', ruleIds: ['pii.email', 'pii.phone', 'pii.email'] });
    expect(publicReasonOf(DEFAULT_COMMUNITY_POLICY, item.decision!)).toBe('it contained an e-mail address, which was hidden; it contained a phone number, which was hidden');
  });

  it('uses a moderator’s public reason, else the `moderator` rule’s; the expiry rule’s for the sweeper', () => {
    const base = decided('hello');
    const moderator: Decision = { ...base.decision!, origin: 'MODERATOR', actor: { id: 'sub-1', name: 'alice' }, reason: 'the term scamcoin again', action: 'DENY' };
    expect(publicReasonOf(DEFAULT_COMMUNITY_POLICY, moderator)).toBe('a moderator found it breaks this channel’s rules');
    expect(publicReasonOf(DEFAULT_COMMUNITY_POLICY, { ...moderator, publicReason: 'please keep it civil' })).toBe('please keep it civil');
    expect(publicReasonOf(DEFAULT_COMMUNITY_POLICY, { ...moderator, origin: 'EXPIRY', actor: { id: 'sweeper' } })).toBe('it could not be reviewed in time');
  });

  it('takes a policy’s own wording and appeal link, and a rule no policy names reads as a plain default', () => {
    const own: CommunityPolicy = {
      ...DEFAULT_COMMUNITY_POLICY,
      rules: { ...DEFAULT_COMMUNITY_POLICY.rules, 'terms.block': { publicReason: 'that word is not welcome here', strike: true } },
      notices: { ...DEFAULT_COMMUNITY_POLICY.notices, appealUrl: 'https://chat.example/appeals/{ref}?x={unknown}' },
    };
    const item = decided('scamcoin');
    expect(decisionNoticeValues(own, item)).toEqual({ reason: 'that word is not welcome here', appealUrl: `https://chat.example/appeals/${item.callbackId}?x={unknown}` });
    expect(publicReasonOf(own, { ...item.decision!, ruleIds: ['some.new.rule'] })).toBe('it breaks this channel’s rules');
    expect(appealUrlOf(own, 'a b')).toBe('https://chat.example/appeals/a%20b?x={unknown}');
  });

  it('is cut to what Chime takes (4 KB), however long a policy’s reason', () => {
    const text = noticeText('{reason}', { reason: 'é'.repeat(5000) });
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(4096);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('a notice’s id', () => {
  const about = { kind: 'message' as const, callbackId: 'a'.repeat(40) };

  it('is the same for the same decision, kind and member, whatever the redeliveries', () => {
    expect(noticeIdOf({ about, kind: 'deny', to: userArn('bob') })).toBe(noticeIdOf({ about: { ...about }, kind: 'deny', to: userArn('bob') }));
  });

  it('differs with the decision, the kind or the member', () => {
    const id = noticeIdOf({ about, kind: 'deny', to: userArn('bob') });
    expect(noticeIdOf({ about: { kind: 'message', callbackId: 'b'.repeat(40) }, kind: 'deny', to: userArn('bob') })).not.toBe(id);
    expect(noticeIdOf({ about, kind: 'update', to: userArn('bob') })).not.toBe(id);
    expect(noticeIdOf({ about, kind: 'deny', to: userArn('carol') })).not.toBe(id);
    expect(noticeIdOf({ about: { kind: 'case', caseId: 'a'.repeat(40) }, kind: 'deny', to: userArn('bob') })).not.toBe(id);
  });

  it('is a valid ClientRequestToken (the model: 2-64 characters of [-_a-zA-Z0-9])', () => {
    for (const kind of ['deny', 'appealOutcome', 'restriction'] as const) {
      expect(noticeIdOf({ about: { kind: 'appeal', appealId: 'x' }, kind, to: userArn() })).toMatch(/^[-_a-zA-Z0-9]{2,64}$/);
    }
  });

  it('keys every kind of subject apart', () => {
    expect(new Set([aboutKeyOf({ kind: 'message', callbackId: 'x' }), aboutKeyOf({ kind: 'case', caseId: 'x' }), aboutKeyOf({ kind: 'restriction', restrictionId: 'x' }), aboutKeyOf({ kind: 'appeal', appealId: 'x' }), aboutKeyOf({ kind: 'warning', actionId: 'x' })]).size).toBe(5);
  });

  it('marks the message a moderation notice in its metadata, within Chime’s 1 KB', () => {
    expect(JSON.parse(noticeMetadata('deny', 'cb-1', 'n-1'))).toEqual({ moderation: { notice: 'deny', ref: 'cb-1', id: 'n-1' } });
  });
});

describe('what a decision carries', () => {
  it('notices DENY and UPDATE only', () => {
    expect(decisionNoticeKind({ action: 'DENY' })).toBe('deny');
    expect(decisionNoticeKind({ action: 'UPDATE' })).toBe('update');
    expect(decisionNoticeKind({ action: 'ALLOW' })).toBeUndefined();
  });

  it('strikes an automatic DENY by a striking rule, with only the striking rules', () => {
    const item = decided('scamcoin and more');
    expect(strikeOf(DEFAULT_COMMUNITY_POLICY, item, APP_INSTANCE)).toMatchObject({
      member: { appInstanceArn: APP_INSTANCE, memberArn: item.message.sender.arn },
      source: { kind: 'rule', callbackId: item.callbackId, ruleIds: ['terms.block'] },
      channelArn: item.message.channelArn,
      messageId: item.message.messageId,
      actor: { id: 'policy' },
    });
    expect(strikeOf(DEFAULT_COMMUNITY_POLICY, { ...item, decision: { ...item.decision!, ruleIds: ['links.deny'] } }, APP_INSTANCE)).toBeUndefined();
  });

  it('strikes a moderator’s DENY when the `moderator` rule does; never an UPDATE, never the expiry’s DENY', () => {
    const item = decided('hello');
    const moderator = { ...item, decision: { ...item.decision!, action: 'DENY' as const, origin: 'MODERATOR' as const, actor: { id: 'sub-1' } } };
    expect(strikeOf(DEFAULT_COMMUNITY_POLICY, moderator, APP_INSTANCE)).toMatchObject({ source: { kind: 'moderator', callbackId: item.callbackId }, actor: { id: 'sub-1' } });
    const lenient = { ...DEFAULT_COMMUNITY_POLICY, rules: { ...DEFAULT_COMMUNITY_POLICY.rules, moderator: { publicReason: 'x', strike: false } } };
    expect(strikeOf(lenient, moderator, APP_INSTANCE)).toBeUndefined();
    expect(strikeOf(DEFAULT_COMMUNITY_POLICY, { ...moderator, decision: { ...moderator.decision, action: 'UPDATE' as const } }, APP_INSTANCE)).toBeUndefined();
    expect(strikeOf(DEFAULT_COMMUNITY_POLICY, { ...moderator, decision: { ...moderator.decision, origin: 'EXPIRY' as const, ruleIds: ['terms.block'] } }, APP_INSTANCE)).toBeUndefined();
  });
});
