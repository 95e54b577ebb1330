/**
 * Detection gaps found on a hidden corpus (issue 10): look-alike letters of other scripts,
 * `@$$`, phrases across sentence boundaries and spaced-out letters joined into other words.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from '../../../src/policy/engine.js';
import { classifyHost, compileDomainLists, extractLinkHosts } from '../../../src/policy/links.js';
import { foldCodePoint, normalizeText, termTokens, toUnits, tokenForms } from '../../../src/policy/normalize.js';
import { CONFUSABLE_COUNT } from '../../../src/policy/confusables.js';
import { compileTerms, matchTerms } from '../../../src/policy/terms.js';
import { DETECTION_CORPUS, DETECTION_TERMS } from './detection-corpus.js';

const blocked = (terms: string[], text: string): string[] => matchTerms(compileTerms(terms, []), text).block;

describe('the detection corpus', () => {
  const compiled = compileTerms(DETECTION_TERMS, []);
  it.each(DETECTION_CORPUS.map((c) => [c.text, c.found, c.why] as const))('%j → %j (%s)', (text, found) => {
    expect([...matchTerms(compiled, text).block].sort()).toEqual([...found].sort());
  });
});

describe('look-alike letters of other scripts', () => {
  it.each([
    ['Cyrillic', '\u0430\u0435\u043E\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04BB', 'aeopcyxijsdh'],
    ['Cyrillic capitals', '\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421\u0422\u0425', 'abekmhopctx'],
    ['Greek', '\u03B1\u03BF\u03C1\u03B9\u03BD\u03BA\u03C7\u03C5', 'aopivkxu'],
    ['Greek capitals', '\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7', 'abezhikmnoptyx'],
    ['Armenian', '\u0585\u057D\u0570\u0578', 'ouhn'],
    ['full-width', '\uFF41\uFF22\uFF43', 'abc'],
    ['mathematical', '\u{1D41A}\u{1D5BB}\u{1D68C}', 'abc'],
    ['small capitals', '\u1D00\u0299\u1D04', 'abc'],
  ])('folds %s to Latin', (_script, text, latin) => {
    expect(normalizeText(text)).toBe(latin);
  });

  it('folds a look-alike with a diacritic through its base letter', () => {
    expect(foldCodePoint(0x0457)).toBe('i'); // ї → і + ̈ → i
    expect(foldCodePoint(0x03AC)).toBe('a'); // ά → α + ́ → a
  });

  it('leaves letters that only resemble nothing Latin alone', () => {
    expect(normalizeText('\u0436\u0434\u0438')).toBe('\u0436\u0434\u0438'); // жди
  });

  it('keeps the table compact', () => {
    expect(CONFUSABLE_COUNT).toBeLessThan(400);
  });

  it('treats a term written with look-alikes like its Latin spelling', () => {
    expect(termTokens('\u0456d\u0456\u043Et')).toEqual(['idiot']);
    expect(compileTerms(['idiot', '\u0456d\u0456\u043Et'], []).size).toBe(1);
  });

  it('does not fold look-alikes in links: a Cyrillic а makes a different domain', () => {
    const lists = compileDomainLists(['amazon.com'], []);
    const hosts = extractLinkHosts('pay at \u0430mazon.com now');
    expect(hosts).not.toContain('amazon.com');
    for (const host of hosts) expect(classifyHost(lists, host)).not.toBe('allow');
  });

  it('denies a message with a look-alike spelling end to end', () => {
    const v = evaluate(compilePolicy({ terms: { block: ['idiot'] } }), {
      messageId: 'm',
      channelArn: 'c',
      content: 'you are an \u0456d\u0456\u043Et',
      sender: { arn: 'u' },
    });
    expect(v.action).toBe('DENY');
  });
});

describe('leet made only of symbols', () => {
  it('reads @$$ as ass', () => {
    expect(tokenForms('@$$')).toContain('ass');
    expect(blocked(['ass'], 'what an @$$')).toEqual(['ass']);
  });

  it('reads symbols that outnumber digits as leet, and leaves amounts alone', () => {
    expect(tokenForms('4$$')).toContain('ass');
    expect(tokenForms('$500')).toEqual(['$500']);
    expect(tokenForms('@55')).toEqual(['@55']);
    expect(tokenForms('$5')).toEqual(['$5']);
    expect(tokenForms('2024')).toEqual(['2024']);
  });
});

describe('sentence boundaries', () => {
  it('marks the unit after a sentence end followed by white space', () => {
    const breaks = (text: string) => toUnits(text).map((u) => u.sentenceBreak);
    expect(breaks('buy? Followers')).toEqual([false, true]);
    expect(breaks('buy?followers')).toEqual([false, false]);
    expect(breaks('buy -- followers')).toEqual([false, false]);
    expect(breaks('buy." Followers')).toEqual([false, true]);
    expect(breaks('buy\u3002 followers')).toEqual([false, true]);
    expect(breaks('buy\uFF1F followers')).toEqual([false, true]); // full-width ？
  });

  it('never lets a phrase span one, at any position in the phrase', () => {
    const terms = ['send me your password'];
    expect(blocked(terms, 'send me your password')).toEqual(terms);
    expect(blocked(terms, 'send! me your password')).toEqual([]);
    expect(blocked(terms, 'send me your. Password')).toEqual([]);
  });

  it('still matches single words right after a sentence end', () => {
    expect(blocked(['bad', 'buy followers'], 'Fine. Bad! Buy followers? No.')).toEqual(['bad', 'buy followers']);
  });
});

describe('spaced-out letters', () => {
  it('matches a run only as a whole word', () => {
    expect(blocked(['ass'], 'A S S B')).toEqual([]);
    expect(blocked(['ass'], 'a s s b c')).toEqual([]);
    expect(blocked(['ass'], 'A S S')).toEqual(['ass']);
  });

  it('reads a run without a one-letter word glued to its edge, for single words only', () => {
    expect(blocked(['bad'], 'a b a d')).toEqual(['bad']);
    expect(blocked(['bad'], 'b a d i')).toEqual(['bad']);
    expect(blocked(['bad'], 'q b a d')).toEqual([]);
    expect(blocked(['buy followers'], 'a b u y f o l l o w e r s')).toEqual([]);
  });

  it('does not trim a run down to fewer than three letters', () => {
    expect(blocked(['ab'], 'a a b')).toEqual([]);
  });

  it('keeps the whole-run spans and the trimmed spans apart', () => {
    const content = 'what a b a d idea';
    const v = evaluate(compilePolicy({ terms: { block: ['bad'] } }), { messageId: 'm', channelArn: 'c', content, sender: { arn: 'u' } });
    expect(v.findings[0]!.spans!.map((s) => content.slice(s.start, s.end))).toEqual(['b a d']);
  });
});

describe('the ASCII fast path', () => {
  it('reads ASCII text exactly like the general folding scanner', () => {
    // A trailing no-break space sends the text through the general scanner (it folds to a
    // space, so it adds no unit): both paths must give the same units.
    let a = 7;
    const rand = (): number => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
    const alphabet = 'abcAB xyzZ..!?  ,-$@0149\n\'"()aaa';
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const len = Math.floor(rand() * 40);
      for (let k = 0; k < len; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
      expect(toUnits(`${text}\u00A0`), JSON.stringify(text)).toEqual(toUnits(text));
    }
  });
});

describe('terms in other scripts among many terms', () => {
  // Enough terms that the membership filter in front of the trie actually rejects words.
  const filler = Array.from({ length: 5000 }, (_, i) => `filler${i.toString(36).replace(/\d/g, (d) => 'qwxyzjkvbn'[+d]!)}`);
  const compiled = compileTerms([...filler, '\u0436\u0434\u0438', '\u043F\u0440\u0438\u0432\u0435\u0442 \u043C\u0438\u0440', 'caf\u00E9', '\u6B7B'], []);

  it.each([
    ['\u0436\u0434\u0438 \u043C\u0435\u043D\u044F', ['\u0436\u0434\u0438']],
    ['\u0416\u0414\u0418!', ['\u0436\u0434\u0438']],
    ['\u0436\u0434\u0438\u0301', ['\u0436\u0434\u0438']], // a combining accent on the last letter
    ['\u0436\u200B\u0434\u0438', ['\u0436\u0434\u0438']], // a zero-width space inside
    ['\u041F\u0440\u0438\u0432\u0435\u0442, \u043C\u0438\u0440', ['\u043F\u0440\u0438\u0432\u0435\u0442 \u043C\u0438\u0440']],
    ['at the CAF\u00C9 now', ['caf\u00E9']],
    ['at the cafe\u0301 now', ['caf\u00E9']],
    ['\u6B7B', ['\u6B7B']],
    ['\u0436\u0434\u0438\u0442\u0435', []],
  ])('finds %j', (text, expected) => {
    expect(matchTerms(compiled, text).block).toEqual(expected);
  });
});
