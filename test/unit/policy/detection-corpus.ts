/**
 * Tricky positives and negatives for term matching, checked by detection.test.ts against
 * DETECTION_TERMS. Add a line whenever a miss or a false positive is found in the field:
 * `text`, and the block terms that must be found in it (empty = nothing may match).
 */
export const DETECTION_TERMS = ['ass', 'bad', 'idiot', 'scam', 'hello', 'buy followers', 'send me your password'];

export const DETECTION_CORPUS: readonly { readonly text: string; readonly found: readonly string[]; readonly why: string }[] = [
  // Look-alike letters of other scripts.
  { text: 'you \u0456d\u0456\u043Et', found: ['idiot'], why: 'Cyrillic і і о' },
  { text: 'YOU \u0406D\u0406\u041E\u0422', found: ['idiot'], why: 'Cyrillic capitals І О Т' },
  { text: 'what an \u03B9d\u03B9\u03BFt', found: ['idiot'], why: 'Greek iota and omicron' },
  { text: 'what an idi\u03BFt', found: ['idiot'], why: 'one Greek omicron' },
  { text: 'what an idi\u0585t', found: ['idiot'], why: 'Armenian oh' },
  { text: 'the \u13AA\u13DA\u13DA here', found: ['ass'], why: 'Cherokee look-alikes' },
  { text: 'so \u1D00\uA731\uA731', found: ['ass'], why: 'Latin small capitals' },
  { text: 'h\u0435ll\u043E there', found: ['hello'], why: 'Cyrillic е and о inside a Latin word' },
  { text: '\u{1D422}\u{1D41D}\u{1D422}\u{1D428}\u{1D42D}', found: ['idiot'], why: 'mathematical bold letters' },
  { text: '\u{1D55A}\u{1D555}\u{1D55A}\u{1D560}\u{1D565}', found: ['idiot'], why: 'mathematical double-struck letters' },
  { text: 'id\u0131ot', found: ['idiot'], why: 'dotless i' },
  { text: 'b\u00F8\u00F8 bad', found: ['bad'], why: 'ø folds to o (and bad is still found)' },
  { text: '\u{1F170}\u{1F182}\u{1F182}', found: ['ass'], why: 'negative squared letter emoji' },
  { text: '\u0438\u0434\u0438\u043E\u0442', found: [], why: 'Russian идиот is a Russian word, not Latin look-alikes (и, д are not confusable)' },
  { text: '\u043A\u043B\u0430\u0441\u0441', found: [], why: 'Russian класс: only some letters look Latin' },

  // Leet.
  { text: 'you @$$', found: ['ass'], why: '@ reads as a in a token of symbols only' },
  { text: 'you a$$', found: ['ass'], why: 'unchanged' },
  { text: 'you @ss', found: ['ass'], why: 'unchanged' },
  { text: 'you 4$$', found: ['ass'], why: 'digit and symbols with a letter-like digit' },
  { text: 'costs $500, or @55 each, $$ cash', found: [], why: 'numbers and money are not leet' },
  { text: 'email me @ 5 or $5', found: [], why: 'lone symbols are not words' },
  { text: '$cam alert', found: ['scam'], why: 'unchanged' },

  // Phrases and sentence boundaries.
  { text: 'Want to buy? Followers are overrated.', found: [], why: '? and a space end a sentence' },
  { text: 'I will not buy. Followers come naturally', found: [], why: '. and a space' },
  { text: 'buy! followers', found: [], why: '! and a space' },
  { text: 'buy\u2026 Followers\u2026', found: [], why: 'ellipsis then a space' },
  { text: 'why buy?! followers', found: [], why: 'several marks then a space' },
  { text: 'just buy.\nFollowers later', found: [], why: 'full stop then a line break' },
  { text: 'I said "buy." Followers laughed', found: [], why: 'closing quote between the mark and the space' },
  { text: 'please send me. Your password is safe', found: [], why: 'a boundary in the middle of a longer phrase' },
  { text: 'Buy -- FOLLOWERS!', found: ['buy followers'], why: 'dashes do not end a sentence' },
  { text: 'buy, followers', found: ['buy followers'], why: 'comma' },
  { text: 'buy\nfollowers', found: ['buy followers'], why: 'a single line break without a mark' },
  { text: 'buy?followers', found: ['buy followers'], why: 'a mark without a space is obfuscation, not a sentence end' },
  { text: 'buy.followers', found: ['buy followers'], why: 'likewise' },
  { text: 'b.u.y f0ll0w3rs', found: ['buy followers'], why: 'spaced letters then leet' },
  { text: 'b u y f o l l o w e r s', found: ['buy followers'], why: 'a whole phrase spelled out' },
  { text: 'b.u.y. f.o.l.l.o.w.e.r.s.', found: ['buy followers'], why: 'a spelled-out run is one word, its dots are not sentences' },

  // Spaced-out letters.
  { text: 'A S S B', found: [], why: 'the run spells assb, not ass' },
  { text: 'C L A S S', found: [], why: 'class' },
  { text: 'A S S E T S', found: [], why: 'assets' },
  { text: 'P A S S', found: [], why: 'pass' },
  { text: 'X B A D Y', found: [], why: 'extra letters on both sides' },
  { text: 'a s s', found: ['ass'], why: 'the whole run' },
  { text: 'B A D', found: ['bad'], why: 'the whole run' },
  { text: 'b.a.d', found: ['bad'], why: 'dotted' },
  { text: 'b. a. d.', found: ['bad'], why: 'dotted with spaces' },
  { text: 'so b a d!', found: ['bad'], why: 'a word before the run' },
  { text: 'what a b a d idea', found: ['bad'], why: 'the one-letter word a glued before the run' },
  { text: 'B.A.D. I said', found: ['bad'], why: 'the one-letter word I glued after the run' },
  { text: 'u s c a m', found: ['scam'], why: 'the one-letter word u glued before the run' },
  { text: 'A B C D', found: [], why: 'letters that spell nothing' },
];
