import { describe, expect, it } from 'vitest';
import { compileTerms, matchTerms, MAX_PHRASE_TOKENS, termProblem } from '../../../src/policy/terms.js';

const blocker = (...block: string[]) => compileTerms(block, []);
const blocked = (terms: string[], text: string): string[] => matchTerms(blocker(...terms), text).block;

describe('matchTerms', () => {
  it('finds a blocked word regardless of case', () => {
    expect(blocked(['bad'], 'That was BAD.')).toEqual(['bad']);
  });

  it('returns nothing for clean text', () => {
    expect(blocked(['bad'], 'That was fine.')).toEqual([]);
  });

  describe('word awareness', () => {
    it.each([
      ['bad', 'I play badminton on Sundays'],
      ['bad', 'Sinbad sailed away'],
      ['ass', 'a classic class assignment'],
      ['ass', 'pass the assessment, Bass player'],
      ['hell', 'hello, shell, Michelle'],
      ['cock', 'Hitchcock and cockpit and peacock'],
    ])('does not find %j inside %j', (term, text) => {
      expect(blocked([term], text)).toEqual([]);
    });

    it('finds the word next to punctuation and apostrophes', () => {
      expect(blocked(['bad'], "(bad), bad's, 'bad'")).toEqual(['bad']);
    });
  });

  describe('obfuscation', () => {
    it.each([
      'b.a.d',
      'b-a-d',
      'b a d',
      'B.A.D',
      'BAD',
      'b4d',
      'B@D',
      'b\u200Bad',
      'bàd',
      'ｂａｄ',
      'baaad',
      'BAAAAAD',
      'so b a d!',
      'b . 4 . d',
    ])('sees through %j', (text) => {
      expect(blocked(['bad'], `this is ${text} stuff`)).toEqual(['bad']);
    });

    it.each([
      ['ass', 'a$$'],
      ['ass', '@ss'],
      ['ass', 'a.s.s'],
      ['shit', '$h1t'],
      ['kill', 'k1ll'],
      ['kill', 'ki11'],
      ['hello', 'h3ll0'],
      ['toxic', '70x1c'],
      ['free', 'freeeee'],
    ])('finds %j written as %j', (term, text) => {
      expect(blocked([term], `well ${text} then`)).toEqual([term]);
    });

    it('does not collapse doubled letters (good is not god)', () => {
      expect(blocked(['god'], 'a good day')).toEqual([]);
    });

    it('normalises the terms themselves', () => {
      expect(blocked(['CAFÉ'], 'meet at the cafe')).toEqual(['CAFÉ']);
    });
  });

  describe('phrases', () => {
    it('matches a phrase across whitespace and punctuation', () => {
      for (const text of ['buy followers', 'Buy   FOLLOWERS!', 'buy-followers', 'buy, followers', 'buy\nfollowers']) {
        expect(blocked(['buy followers'], `want to ${text} now`), text).toEqual(['buy followers']);
      }
    });

    it('matches an obfuscated phrase', () => {
      expect(blocked(['buy followers'], 'b.u.y f0ll0w3rs today')).toEqual(['buy followers']);
    });

    it('does not match the words apart or out of order', () => {
      expect(blocked(['buy followers'], 'buy more followers; followers buy')).toEqual([]);
    });

    it('matches a phrase that shares a prefix with another', () => {
      const compiled = blocker('wire money', 'wire money now', 'wire');
      expect(matchTerms(compiled, 'please wire money now').block).toEqual(['wire', 'wire money', 'wire money now']);
    });

    it('matches a phrase of the maximum length', () => {
      const phrase = 'one two three four five six';
      expect(blocked([phrase], `so ${phrase} go`)).toEqual([phrase]);
    });
  });

  it('reports every term found, in order of first occurrence, once', () => {
    expect(blocked(['scamcoin', 'bad', 'ugly'], 'ugly and bad, bad scamcoin')).toEqual(['ugly', 'bad', 'scamcoin']);
  });

  it('reports the term as written in the policy', () => {
    expect(blocked(['Buy Followers'], 'buy followers')).toEqual(['Buy Followers']);
  });

  it('keeps block and review matches apart', () => {
    const compiled = compileTerms(['scamcoin'], ['refund', 'wire transfer']);
    expect(matchTerms(compiled, 'Refund my scamcoin by wire transfer')).toEqual({
      block: ['scamcoin'],
      review: ['refund', 'wire transfer'],
    });
  });

  it('reports a term listed in both lists in both', () => {
    const compiled = compileTerms(['refund'], ['refund']);
    expect(matchTerms(compiled, 'refund')).toEqual({ block: ['refund'], review: ['refund'] });
  });

  it('matches among 100,000 terms', () => {
    // Letters only: with digits, leet folding would make e.g. `term1x` and `termix` one term.
    const word = (i: number): string => {
      let s = '';
      for (let n = i; s.length < 4; n = Math.floor(n / 26)) s += String.fromCharCode(97 + (n % 26));
      return `term${s}`;
    };
    const terms = Array.from({ length: 100_000 }, (_, i) => word(i));
    terms.push('needle phrase');
    const compiled = blocker(...terms);
    expect(compiled.size).toBe(100_001);
    expect(matchTerms(compiled, `a ${word(77_777)} and a needle phrase`).block).toEqual([word(77_777), 'needle phrase']);
    expect(matchTerms(compiled, 'nothing to see here').block).toEqual([]);
  });
});

describe('compileTerms', () => {
  it('rejects a term without letters or digits', () => {
    expect(() => blocker('!!!')).toThrow(/letter or digit/);
  });

  it(`rejects a phrase longer than ${MAX_PHRASE_TOKENS} words`, () => {
    expect(() => blocker('a1 b2 c3 d4 e5 f6 g7')).toThrow(/at most 6/);
  });

  it('counts duplicates after normalisation once', () => {
    expect(blocker('Bad', 'bad', 'BÀD').size).toBe(1);
  });
});

describe('termProblem', () => {
  it('accepts an ordinary term', () => {
    expect(termProblem('wire transfer')).toBeUndefined();
  });

  it('explains an unusable term', () => {
    expect(termProblem('---')).toMatch(/letter or digit/);
  });
});
