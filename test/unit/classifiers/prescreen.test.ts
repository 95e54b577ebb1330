import { describe, expect, it } from 'vitest';
import { dominantScript, prescreen } from '../../../src/classifiers/prescreen.js';
import { classifierSettingsOf, mergeClassifiers, type ClassifierEntryInput } from '../../../src/policy/classifiers.js';
import { aMessage, userArn } from '../../support/factories.js';

const settingsOf = (entry: ClassifierEntryInput) => classifierSettingsOf(mergeClassifiers([{ toxicity: entry }])).active[0]!;
const TOXICITY = settingsOf({ provider: 'comprehend-toxicity', review: { Toxicity: 0.6 }, minLength: 5 });
const ALLOW = { action: 'ALLOW' as const };

describe('prescreen', () => {
  it('sends an ordinary English message the rules allow', () => {
    expect(prescreen(TOXICITY, aMessage({ content: 'nobody would miss you if you were gone' }), ALLOW)).toEqual({ go: true, text: 'nobody would miss you if you were gone', script: 'latin' });
  });

  it('never sends what the rules deny, and only the verdicts listed in judge', () => {
    expect(prescreen(TOXICITY, aMessage(), { action: 'DENY' })).toMatchObject({ go: false, reason: 'RULES_DENY' });
    const allowOnly = settingsOf({ provider: 'comprehend-toxicity', judge: ['ALLOW', 'UPDATE'] });
    expect(prescreen(allowOnly, aMessage(), { action: 'REVIEW' })).toMatchObject({ go: false, reason: 'NOT_JUDGED' });
    expect(prescreen(allowOnly, aMessage(), { action: 'UPDATE', content: 'call me at ***' })).toMatchObject({ go: true, text: 'call me at ***' });
  });

  it('sends an UPDATE’s masked content, never the PII the rules hid', () => {
    expect(prescreen(TOXICITY, aMessage({ content: 'mail me at a@b.co you idiot' }), { action: 'UPDATE', content: 'mail me at ****** you idiot' })).toMatchObject({ text: 'mail me at ****** you idiot' });
  });

  it('skips empty and short messages, counting code points without the spaces around', () => {
    expect(prescreen(TOXICITY, aMessage({ content: '   ' }), ALLOW)).toMatchObject({ go: false, reason: 'EMPTY' });
    expect(prescreen(TOXICITY, aMessage({ content: ' ok! ' }), ALLOW)).toMatchObject({ go: false, reason: 'SHORT', detail: '3 characters; the classifier judges 5 or more' });
    expect(prescreen(TOXICITY, aMessage({ content: 'hello' }), ALLOW)).toMatchObject({ go: true });
  });

  it('skips the senders listed, exactly or by prefix', () => {
    const skipping = settingsOf({ provider: 'comprehend-toxicity', skipSenders: [userArn('trusted'), `${userArn('bot-')}*`] });
    expect(prescreen(skipping, aMessage({ sender: { arn: userArn('trusted') } }), ALLOW)).toMatchObject({ go: false, reason: 'SENDER_SKIPPED' });
    expect(prescreen(skipping, aMessage({ sender: { arn: userArn('bot-helper') } }), ALLOW)).toMatchObject({ go: false, reason: 'SENDER_SKIPPED' });
    expect(prescreen(skipping, aMessage({ sender: { arn: userArn('trusted2') } }), ALLOW)).toMatchObject({ go: true });
  });

  it('stops a message in a script the provider does not serve, with the scope’s path', () => {
    expect(prescreen(TOXICITY, aMessage({ content: 'никто не скучал бы по тебе' }), ALLOW)).toMatchObject({ go: false, reason: 'LANGUAGE', path: 'RULES_ONLY' });
    const holding = settingsOf({ provider: 'comprehend-toxicity', onUnsupportedLanguage: 'REVIEW' });
    expect(prescreen(holding, aMessage({ content: 'お前なんかいなくなればいい' }), ALLOW)).toMatchObject({ go: false, reason: 'LANGUAGE', path: 'REVIEW' });
    const guard = classifierSettingsOf(mergeClassifiers([{ guard: { provider: 'bedrock-guardrail', guardrailId: 'g1', guardrailVersion: '1' } }])).active[0]!;
    expect(prescreen(guard, aMessage({ content: 'никто не скучал бы по тебе' }), ALLOW)).toMatchObject({ go: true, script: 'cyrillic' });
  });

  it('lets a message with no letters go (emoji have no language), and an http classifier with no languages skips the check', () => {
    expect(prescreen(TOXICITY, aMessage({ content: '🖕🖕🖕🖕🖕' }), ALLOW)).toMatchObject({ go: true });
    const http = classifierSettingsOf(mergeClassifiers([{ mine: { provider: 'http', url: 'https://m.example.com' } }])).active[0]!;
    expect(prescreen(http, aMessage({ content: 'никто не скучал бы по тебе' }), ALLOW)).toMatchObject({ go: true });
  });
});

describe('dominantScript', () => {
  it('takes the script of most letters; kana make Han Japanese', () => {
    expect(dominantScript('hello мир world')).toBe('latin');
    expect(dominantScript('привет world')).toBe('cyrillic');
    expect(dominantScript('你好世界')).toBe('han');
    expect(dominantScript('日本語のテキスト')).toBe('japanese');
    expect(dominantScript('안녕하세요')).toBe('hangul');
    expect(dominantScript('123 !!! 🙂')).toBeUndefined();
  });
});
