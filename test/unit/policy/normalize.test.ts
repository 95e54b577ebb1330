import { describe, expect, it } from 'vitest';
import { normalizeText, termTokens, tokenForms, toUnits } from '../../../src/policy/normalize.js';

const unitForms = (text: string): string[][] => toUnits(normalizeText(text)).map((u) => u.forms);

describe('normalizeText', () => {
  it('lower-cases and strips diacritics', () => {
    expect(normalizeText('CAFÉ Crème')).toBe('cafe creme');
  });

  it('folds compatibility forms such as full-width letters and ligatures', () => {
    expect(normalizeText('ＢＡＤ ﬁne')).toBe('bad fine');
  });

  it('removes zero-width and soft-hyphen characters', () => {
    expect(normalizeText('b\u200Ba\u200Dd\u00ADly\uFEFF')).toBe('badly');
  });
});

describe('tokenForms', () => {
  it('returns a plain word unchanged as its only form', () => {
    expect(tokenForms('hello')).toEqual(['hello']);
  });

  it('de-leets digits and symbols', () => {
    expect(tokenForms('b4d')).toContain('bad');
    expect(tokenForms('a$$')).toContain('ass');
    expect(tokenForms('h3ll0')).toContain('hello');
    expect(tokenForms('7h3')).toContain('the');
  });

  it('reads 1 as either i or l', () => {
    const forms = tokenForms('k1ll');
    expect(forms).toContain('kill');
    expect(forms).toContain('klll');
    expect(tokenForms('sp1t')).toContain('spit');
  });

  it('collapses letters repeated three or more times to one and to two', () => {
    expect(tokenForms('baaaad')).toEqual(expect.arrayContaining(['baaaad', 'bad', 'baad']));
  });

  it('leaves doubled letters alone', () => {
    expect(tokenForms('good')).toEqual(['good']);
  });

  it('does not de-leet pure numbers', () => {
    expect(tokenForms('2024')).toEqual(['2024']);
  });

  it('also tries a mention without its @', () => {
    expect(tokenForms('@alice')).toContain('alice');
  });
});

describe('toUnits', () => {
  it('splits on whitespace and punctuation', () => {
    expect(unitForms('Hello, world! How-are you?')).toEqual([['hello'], ['world'], ['how'], ['are'], ['you']]);
  });

  it('joins spaced-out single letters into one unit', () => {
    for (const text of ['b.a.d', 'b-a-d', 'b a d', 'B.A.D', 'b . a . d']) {
      const units = toUnits(normalizeText(text));
      expect(units, text).toHaveLength(1);
      expect(units[0]!.joined).toBe(true);
      expect(units[0]!.forms).toContain('bad');
    }
  });

  it('keeps a lone single letter as its own unit', () => {
    const units = toUnits(normalizeText('I am here'));
    expect(units.map((u) => u.forms[0])).toEqual(['i', 'am', 'here']);
    expect(units[0]!.joined).toBe(false);
  });

  it('does not join letters separated by a long gap', () => {
    expect(toUnits(normalizeText('a      b')).map((u) => u.forms[0])).toEqual(['a', 'b']);
  });
});

describe('termTokens', () => {
  it('normalises a phrase to canonical tokens', () => {
    expect(termTokens('  Buy   FOLLOWERS ')).toEqual(['buy', 'followers']);
  });

  it('treats spaced-out letters in a term like content does', () => {
    expect(termTokens('u.s.a')).toEqual(['usa']);
  });

  it('returns nothing for a term without letters or digits', () => {
    expect(termTokens('!!!')).toEqual([]);
  });
});
