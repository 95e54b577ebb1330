/**
 * Text normalisation and tokenisation for term matching, with a map back to the original.
 *
 * The same functions are applied to policy terms (at compile time) and to message content
 * (at evaluation time), so both sides end up in one canonical alphabet. Each code point of
 * the input is folded on its own (see {@link foldCodePoint}):
 *
 * - Look-alike letters of other scripts are folded to the Latin letter they imitate
 *   (Cyrillic `іdіоt` → `idiot`, Greek `ο`, Armenian `օ`…; table in confusables.ts).
 * - Unicode compatibility forms are folded (NFKD: full-width letters, mathematical
 *   alphanumerics, ligatures, circled letters…), combining marks are dropped (diacritics:
 *   `é` → `e`) and format characters are removed (zero-width space/joiners, soft hyphen,
 *   BOM). Removed characters are *transparent*: they neither belong to a token nor split one.
 * - Everything is lower-cased.
 *
 * Folding code point by code point (rather than normalising the whole string) is what keeps
 * the way back: every folded character knows the `[start, end)` of the original code point
 * it came from, in UTF-16 units, so a match reports exactly the characters the sender wrote
 * (surrogate pairs and combining marks included). Per code point NFKD equals whole-string
 * NFKD here because the only thing whole-string NFKD adds is the reordering of combining
 * marks, which are dropped anyway. (Lower-casing per code point skips the context rules of
 * whole-string lower-casing, e.g. Greek final sigma; terms are folded the same way, so both
 * sides agree.) All-ASCII text, most chat, takes a fast path: native lower-casing is its
 * whole folding and keeps every offset.
 *
 * Tokens and units:
 * - A token is a maximal run of letters, digits, `$` and `@` (after folding). Matching is
 *   done on whole tokens, which is what makes it word-aware: `bad` never matches inside
 *   `badminton`.
 * - Tokens that contain a letter, and letterless tokens whose `$`/`@` outnumber their digits
 *   (`@$$`, `4$$`), are de-leeted (`4→a 3→e 1→i|l 0→o 5→s $→s 7→t @→a`). Other letterless
 *   tokens are numbers and amounts (`2024`, `$500`, `@55`) and are left alone.
 * - Letters repeated three or more times are also tried collapsed (`baaad` → `bad`, and
 *   `freeee` → `free`); doubled letters are left alone so `good` never becomes `god`.
 * - Runs of single characters separated by at most {@link MAX_RUN_GAP} separator characters
 *   (`b.a.d`, `b-a-d`, `B A D`) are joined into one unit (`bad`). A joined run is one word:
 *   it matches a term only as a whole (see terms.ts for the one-letter-word exception).
 * - Between two units, a sentence boundary is a sentence-ending mark (`.` `?` `!` `…` `。`
 *   `‽` and their full-width forms) followed by white space somewhere in the separator:
 *   `buy? Followers`, `buy. followers`, `buy!! followers`, `buy." Followers`. Phrases never
 *   match across one. Other punctuation (`buy -- followers`, `buy, followers`, `buy?followers`,
 *   a single line break) does not separate a phrase.
 */
import { confusableFold } from './confusables.js';

/** Longest gap (in separator characters) between two single-character tokens that still joins them. */
export const MAX_RUN_GAP = 3;
/** Leet variants are only enumerated for this many ambiguous `1`s; the rest map to `i`. */
const MAX_AMBIGUOUS_ONES = 3;
/** Tokens longer than this get only their primary form (bounds the work per token). */
const MAX_VARIANT_TOKEN_LENGTH = 48;

/** Character classes after folding. Token classes are >= LETTER. */
const enum Cls {
  /** Removed by folding (combining mark, format character): neither token nor separator. */
  Transparent = 0,
  /** White space: ends a token; after a sentence terminator it makes a sentence boundary. */
  Space = 1,
  /** `.` `?` `!` and other sentence-ending marks. */
  Terminator = 2,
  /** Any other separator (punctuation, symbols, emoji). */
  Punct = 3,
  Letter = 4,
  Digit = 5,
  /** `$` and `@`: part of a token (leet), but neither letter nor digit. */
  Symbol = 6,
}

/** Class of each ASCII character, upper-case letters included (they fold to lower case). */
const ASCII_CLS = new Uint8Array(128).fill(Cls.Punct);
for (let c = 48; c <= 57; c++) ASCII_CLS[c] = Cls.Digit;
for (let c = 65; c <= 90; c++) ASCII_CLS[c] = Cls.Letter;
for (let c = 97; c <= 122; c++) ASCII_CLS[c] = Cls.Letter;
ASCII_CLS[36] = Cls.Symbol; // $
ASCII_CLS[64] = Cls.Symbol; // @
for (const c of [9, 10, 11, 12, 13, 32]) ASCII_CLS[c] = Cls.Space;
for (const c of [33, 46, 63]) ASCII_CLS[c] = Cls.Terminator; // ! . ?

/** Sentence-ending marks outside ASCII that survive NFKD (`…` `‼` `？` already fold to ASCII). */
const NON_ASCII_TERMINATORS = new Set([0x3002, 0x203d, 0x0964, 0x0965, 0x061f, 0x06d4]);
const STRIP_RE = /^[\p{M}\p{Cf}]$/u;
const MARK_RE = /^\p{M}$/u;
const SPACE_RE = /^\s$/u;
const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;

/** How one non-ASCII code point folds: the pieces it becomes (each one code point) and their classes. */
interface Fold {
  readonly pieces: readonly string[];
  readonly classes: readonly Cls[];
  /** A combining mark: belongs to the character before it (extends a token's span). */
  readonly mark: boolean;
}

function classOf(piece: string): Cls {
  const c = piece.charCodeAt(0);
  if (piece.length === 1 && c < 128) return ASCII_CLS[c] as Cls;
  if (LETTER_RE.test(piece)) return Cls.Letter;
  if (NUMBER_RE.test(piece)) return Cls.Digit;
  if (SPACE_RE.test(piece)) return Cls.Space;
  if (NON_ASCII_TERMINATORS.has(piece.codePointAt(0)!)) return Cls.Terminator;
  return Cls.Punct;
}

/**
 * Fold one code point: confusables, then NFKD without marks and format characters, then
 * lower case (then confusables again, for look-alikes that only appear after decomposition
 * or lower-casing, like `ї` → `і` → `i`). Returns the folded text, possibly empty.
 */
export function foldCodePoint(cp: number): string {
  if (cp < 128) return cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
  const direct = confusableFold(cp);
  if (direct !== undefined) return direct;
  let out = '';
  for (const d of String.fromCodePoint(cp).normalize('NFKD')) {
    if (STRIP_RE.test(d)) continue;
    const d1 = confusableFold(d.codePointAt(0)!);
    if (d1 !== undefined) {
      out += d1;
      continue;
    }
    for (const l of d.toLowerCase()) {
      if (STRIP_RE.test(l)) continue;
      out += confusableFold(l.codePointAt(0)!) ?? l;
    }
  }
  return out;
}

/**
 * Folding is a pure function of the code point, memoised. The cache is bounded so that a
 * message full of distinct rare code points cannot grow it without limit.
 */
const FOLD_CACHE = new Map<number, Fold>();
const MAX_FOLD_CACHE = 1 << 16;

function foldOf(cp: number): Fold {
  let f = FOLD_CACHE.get(cp);
  if (f !== undefined) return f;
  const text = foldCodePoint(cp);
  const pieces = [...text];
  const ch = String.fromCodePoint(cp);
  f = { pieces, classes: pieces.map(classOf), mark: text === '' && MARK_RE.test(ch) };
  if (FOLD_CACHE.size < MAX_FOLD_CACHE) FOLD_CACHE.set(cp, f);
  return f;
}

/** Fold a whole text (what terms are compared in). ASCII text only needs lower-casing. */
export function normalizeText(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp < 128 ? ch.toLowerCase() : foldOf(cp).pieces.join('');
  }
  return out;
}

/** Row flags of a {@link TokenTable}. */
export const enum RowFlag {
  /**
   * The row's only reading is its folded text: letters only (any script, after folding) with
   * no letter three times in a row, or ASCII digits only. Its hash is valid, and its text is
   * the lower-cased slice of the original unless `raw` holds a folded one.
   */
  Plain = 1,
  /** The slice has upper-case letters (lower-case it when materialising). */
  Upper = 2,
  /** A joined run of two or more spaced-out single characters. */
  Joined = 4,
  /** A sentence boundary separates this row from the previous one: no phrase spans it. */
  SentenceBreak = 8,
  /** Joined run of 3+ whose first letter is a one-letter word (`a`, `i`, `u`). */
  TrimFirst = 16,
  /** Joined run of 3+ whose last letter is a one-letter word. */
  TrimLast = 32,
}

/** FNV-1a offset basis; the scanner and {@link hashKey} must agree. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The hash the scanner computes for a plain row, for a term key (its UTF-16 code units). */
export function hashKey(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
  return h;
}

/** One-letter words that cannot be told apart from a spaced-out letter at the edge of a run. */
const ONE_LETTER_WORDS = new Set(['a', 'i', 'u']);

/**
 * The units of one text as parallel arrays: a unit is a word, or a joined run of spaced-out
 * single characters (`b.a.d`). Struct-of-arrays and reused from message to message, so that
 * scanning a message allocates nothing per word; a plain word's text is only sliced out of
 * the original when a matcher asks for it ({@link rawText}).
 */
export class TokenTable {
  count = 0;
  text = '';
  start = new Int32Array(64);
  end = new Int32Array(64);
  flags = new Uint8Array(64);
  /** FNV-1a of the folded text, for plain rows. */
  hash = new Int32Array(64);
  /** For joined runs: start of the second letter and end of the second-to-last one. */
  trimStart = new Int32Array(64);
  trimEnd = new Int32Array(64);
  /**
   * Folded text: set by the scanner for non-plain rows and for rows whose folding changed
   * the original characters; for the other plain rows, sliced from the text on demand.
   */
  raw: (string | undefined)[] = [];
  /** Readings of non-plain rows, computed on demand. */
  forms: (readonly string[] | undefined)[] = [];

  // The pending run of single-character tokens (joined into one row when it ends).
  private runCount = 0;
  private runText: string[] = [];
  private runStart: number[] = [];
  private runEnd: number[] = [];
  private runFlags: number[] = [];
  private runHash: number[] = [];

  reset(text: string): void {
    this.text = text;
    this.count = 0;
    this.runCount = 0;
  }

  /** Folded text of row `r`. */
  rawText(r: number): string {
    let t = this.raw[r];
    if (t === undefined) {
      t = this.text.slice(this.start[r]!, this.end[r]!);
      if (this.flags[r]! & RowFlag.Upper) t = t.toLowerCase();
      this.raw[r] = t;
    }
    return t;
  }

  /** Every reading of row `r` (see {@link tokenForms}), the first one first. */
  formsOf(r: number): readonly string[] {
    if (this.flags[r]! & RowFlag.Plain) return [this.rawText(r)];
    let f = this.forms[r];
    if (f === undefined) this.forms[r] = f = tokenForms(this.rawText(r));
    return f;
  }

  /** The raw text of a joined run without its first (`which` 0) or last (1) letter. */
  trimmedText(r: number, which: 0 | 1): string {
    const t = this.rawText(r);
    return which === 0 ? t.slice(1) : t.slice(0, -1);
  }

  private addRow(start: number, end: number, flags: number, hash: number, raw: string | undefined): number {
    const r = this.count;
    if (r === this.start.length) this.grow();
    this.start[r] = start;
    this.end[r] = end;
    this.flags[r] = flags;
    this.hash[r] = hash;
    this.raw[r] = raw;
    this.forms[r] = undefined;
    this.count = r + 1;
    return r;
  }

  private grow(): void {
    const size = this.start.length * 2;
    const widen = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.start = widen(this.start, (n) => new Int32Array(n));
    this.end = widen(this.end, (n) => new Int32Array(n));
    this.flags = widen(this.flags, (n) => new Uint8Array(n));
    this.hash = widen(this.hash, (n) => new Int32Array(n));
    this.trimStart = widen(this.trimStart, (n) => new Int32Array(n));
    this.trimEnd = widen(this.trimEnd, (n) => new Int32Array(n));
  }

  /**
   * A token ended. Single-character tokens separated by at most {@link MAX_RUN_GAP}
   * separator characters are collected into a run (`b.a.d` → one row `bad`).
   */
  token(start: number, end: number, chars: number, flags: number, hash: number, raw: string | undefined, gap: number): void {
    if (chars === 1) {
      if (this.runCount > 0 && gap > MAX_RUN_GAP) this.flushRun();
      const k = this.runCount++;
      this.runText[k] = raw ?? (flags & RowFlag.Upper ? this.text[start]!.toLowerCase() : this.text[start]!);
      this.runStart[k] = start;
      this.runEnd[k] = end;
      this.runFlags[k] = flags;
      this.runHash[k] = hash;
      return;
    }
    if (this.runCount > 0) this.flushRun();
    this.addRow(start, end, flags, hash, raw);
  }

  /** End the pending run: one single character stays a plain row; two or more become a joined row. */
  flushRun(): void {
    const count = this.runCount;
    if (count === 0) return;
    this.runCount = 0;
    if (count === 1) {
      this.addRow(this.runStart[0]!, this.runEnd[0]!, this.runFlags[0]!, this.runHash[0]!, this.runText[0]);
      return;
    }
    let joined = '';
    for (let k = 0; k < count; k++) joined += this.runText[k]!;
    let flags = RowFlag.Joined | (this.runFlags[0]! & RowFlag.SentenceBreak);
    if (count >= 3 && ONE_LETTER_WORDS.has(this.runText[0]!)) flags |= RowFlag.TrimFirst;
    if (count >= 3 && ONE_LETTER_WORDS.has(this.runText[count - 1]!)) flags |= RowFlag.TrimLast;
    const r = this.addRow(this.runStart[0]!, this.runEnd[count - 1]!, flags, 0, joined);
    this.trimStart[r] = this.runStart[1]!;
    this.trimEnd[r] = this.runEnd[count - 2]!;
  }
}

/**
 * Split `text` into units (see the module comment), folding as it goes: one pass, no
 * intermediate normalised copy, ASCII through a table and other code points through the
 * memoised {@link foldOf}. Fills and returns `table` (reset first).
 */
export function scanText(text: string, table: TokenTable): TokenTable {
  // All-ASCII text (most chat) folds to its native lower-casing, which keeps every offset;
  // scanAscii then reads a fresh sequential string with no per-character folding.
  if (!NON_ASCII_RE.test(text)) return scanAscii(text.toLowerCase(), table);
  table.reset(text);
  const n = text.length;
  let inToken = false;
  let tokStart = 0;
  let tokEnd = 0;
  let tokChars = 0;
  let upper = false;
  let hasLetter = false;
  let hasDigit = false;
  /** `$`/`@`, a non-ASCII digit or a triple letter: more than one reading (see RowFlag.Plain). */
  let special = false;
  let prevLetter = 0;
  let letterRun = 0;
  let hash = FNV_OFFSET;
  /** Folded text of the current token once it stops being a slice of the original. */
  let folded: string | undefined;
  let gap = 0;
  let sawTerminator = false;
  let sentenceBreak = false;

  let i = 0;
  while (i <= n) {
    // Class of the next piece; `n` acts as a final separator that flushes the last token.
    let cls: Cls;
    let piece = '';
    let width = 1;
    let pieces: readonly string[] | undefined;
    let classes: readonly Cls[] | undefined;
    let mark = false;
    const c = i < n ? text.charCodeAt(i) : 32;
    if (c < 128) {
      cls = ASCII_CLS[c] as Cls;
      if (cls >= Cls.Letter) {
        if (!inToken) {
          inToken = true;
          tokStart = i;
          tokChars = 0;
          upper = hasLetter = hasDigit = special = false;
          prevLetter = letterRun = 0;
          hash = FNV_OFFSET;
          folded = undefined;
        }
        // Tight inner loop over the ASCII characters of the token (the common case).
        let cc = c;
        let k = cls;
        for (;;) {
          let lc = cc;
          if (k === Cls.Letter) {
            hasLetter = true;
            lc = cc | 0x20; // ASCII letters only: sets the lower-case bit
            if (lc !== cc) upper = true;
            if (lc === prevLetter) {
              if (++letterRun >= 3) special = true;
            } else {
              prevLetter = lc;
              letterRun = 1;
            }
          } else if (k === Cls.Digit) hasDigit = true;
          else special = true;
          hash = Math.imul(hash ^ lc, FNV_PRIME);
          if (folded !== undefined) folded += String.fromCharCode(lc);
          tokChars++;
          if (++i >= n) break;
          cc = text.charCodeAt(i);
          if (cc >= 128) break;
          k = ASCII_CLS[cc] as Cls;
          if (k < Cls.Letter) break;
        }
        tokEnd = i;
        continue;
      }
    } else {
      // Non-ASCII: one code point (a surrogate pair counts as one), folded to 0..n pieces.
      let cp = c;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const fold = foldOf(cp);
      pieces = fold.pieces;
      classes = fold.classes;
      mark = fold.mark;
      cls = pieces.length === 0 ? Cls.Transparent : classes[0]!;
      piece = pieces[0] ?? '';
    }

    if (cls === Cls.Transparent) {
      // Does not end a token. A combining mark belongs to the character before it, so it
      // extends the token's span (several marks in a row all do).
      if (inToken) {
        if (folded === undefined) folded = upper ? text.slice(tokStart, tokEnd).toLowerCase() : text.slice(tokStart, tokEnd);
        if (mark && tokEnd === i) tokEnd = i + width;
      }
      i += width;
      continue;
    }

    // Non-ASCII pieces (usually one; `…` → `...`, `½` → `1⁄2`), or one ASCII separator.
    const count = pieces === undefined ? 1 : pieces.length;
    for (let p = 0; p < count; p++) {
      if (p > 0) {
        cls = classes![p]!;
        piece = pieces![p]!;
      }
      if (cls >= Cls.Letter) {
        if (!inToken) {
          inToken = true;
          tokStart = i;
          tokChars = 0;
          upper = hasLetter = hasDigit = special = false;
          prevLetter = letterRun = 0;
          hash = FNV_OFFSET;
          folded = '';
        } else if (folded === undefined) {
          folded = upper ? text.slice(tokStart, tokEnd).toLowerCase() : text.slice(tokStart, tokEnd);
        }
        // A folded letter of any script keeps the token plain (hashed like the ASCII ones,
        // code unit by code unit, as hashKey does); `$`, `@` and non-ASCII digits do not.
        for (let u = 0; u < piece.length; u++) hash = Math.imul(hash ^ piece.charCodeAt(u), FNV_PRIME);
        if (cls === Cls.Letter) {
          hasLetter = true;
          const code = piece.codePointAt(0)!;
          if (code === prevLetter) {
            if (++letterRun >= 3) special = true;
          } else {
            prevLetter = code;
            letterRun = 1;
          }
        } else if (cls === Cls.Digit && piece.length === 1 && piece.charCodeAt(0) < 128) hasDigit = true;
        else special = true;
        folded += piece;
        tokChars++;
        tokEnd = i + width;
        continue;
      }
      if (inToken) {
        inToken = false;
        let flags = sentenceBreak ? RowFlag.SentenceBreak : 0;
        if (!special && hasLetter !== hasDigit) flags |= upper ? RowFlag.Plain | RowFlag.Upper : RowFlag.Plain;
        // A plain row's text is its slice of the original, unless folding changed it.
        const raw = folded ?? (flags & RowFlag.Plain ? undefined : lowerSlice(text, tokStart, tokEnd, upper));
        table.token(tokStart, tokEnd, tokChars, flags, hash, raw, gap);
        gap = 0;
        sawTerminator = false;
        sentenceBreak = false;
      }
      gap++;
      if (cls === Cls.Terminator) sawTerminator = true;
      else if (cls === Cls.Space && sawTerminator) sentenceBreak = true;
    }
    i += width;
  }
  table.flushRun();
  return table;
}

const NON_ASCII_RE = /[^\x00-\x7f]/;

/** Which kinds of token character a token has (bit set), for the plain-row test. */
const enum Has {
  Letter = 1,
  Digit = 2,
  Symbol = 4,
}
const ASCII_HAS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const cls = ASCII_CLS[c] as Cls;
  ASCII_HAS[c] = cls === Cls.Letter ? Has.Letter : cls === Cls.Digit ? Has.Digit : cls === Cls.Symbol ? Has.Symbol : 0;
}

/**
 * {@link scanText} for lower-cased ASCII text: the same tokens, runs and sentence boundaries,
 * without folding. A token is plain when it has only letters and no letter three times in a
 * row, or only digits.
 */
function scanAscii(lower: string, table: TokenTable): TokenTable {
  table.reset(lower);
  const n = lower.length;
  let gap = 0;
  let sawTerminator = false;
  let sentenceBreak = false;
  let i = 0;
  while (i < n) {
    let c = lower.charCodeAt(i);
    let cls = ASCII_CLS[c] as Cls;
    if (cls < Cls.Letter) {
      gap++;
      if (cls === Cls.Terminator) sawTerminator = true;
      else if (cls === Cls.Space && sawTerminator) sentenceBreak = true;
      i++;
      continue;
    }
    const start = i;
    let hash = FNV_OFFSET;
    let has = 0;
    let prev = -1;
    let run = 0;
    let triple = false;
    do {
      hash = Math.imul(hash ^ c, FNV_PRIME);
      has |= ASCII_HAS[c]!;
      if (c !== prev) {
        prev = c;
        run = 1;
      } else if (++run >= 3) triple = true;
      if (++i >= n) break;
      c = lower.charCodeAt(i);
      cls = ASCII_CLS[c] as Cls;
    } while (cls >= Cls.Letter);
    let flags = sentenceBreak ? RowFlag.SentenceBreak : 0;
    const plain = has === Has.Digit || (has === Has.Letter && !triple);
    if (plain) flags |= RowFlag.Plain;
    table.token(start, i, i - start, flags, hash, plain ? undefined : lower.slice(start, i), gap);
    gap = 0;
    sawTerminator = false;
    sentenceBreak = false;
  }
  table.flushRun();
  return table;
}

function lowerSlice(text: string, start: number, end: number, upper: boolean): string {
  const s = text.slice(start, end);
  return upper ? s.toLowerCase() : s;
}

/**
 * The table {@link findTerms} scans messages into. Shared to avoid allocating per message:
 * scanning is synchronous and never re-entered, and every caller finishes with the table
 * before it returns.
 */
export const SHARED_TABLE = new TokenTable();
/** Likewise for {@link termTokens} (compiling 100,000 terms should not allocate 100,000 tables). */
const TERM_TABLE = new TokenTable();

/** Leet substitutions that have exactly one reading. `1` is handled separately (i or l). */
const LEET: Readonly<Record<string, string>> = {
  '4': 'a',
  '@': 'a',
  '3': 'e',
  '0': 'o',
  '5': 's',
  $: 's',
  '7': 't',
};

function isPlainAsciiWord(token: string): boolean {
  // a-z only and no letter repeated three times in a row: the overwhelmingly common case.
  let prev = -1;
  let run = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 97 || c > 122) return false;
    run = c === prev ? run + 1 : 1;
    if (run >= 3) return false;
    prev = c;
  }
  return true;
}

const HAS_LETTER_RE = /\p{L}/u;
/** Characters that give a token another reading (leet digits and symbols). */
const LEET_OR_SYMBOL_RE = /[013457$@]/;

/**
 * Whether a token is read as leet: it has a letter (`b4d`, `a$$`), or it has no letter and
 * its `$`/`@` outnumber its digits (`@$$`, `4$$`). Other letterless tokens are numbers and
 * amounts (`2024`, `$500`, `@55`, `$5`) and are read as written.
 */
function readsAsLeet(token: string): boolean {
  if (HAS_LETTER_RE.test(token)) return true;
  let symbols = 0;
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 36 || c === 64) symbols++;
    else digits++;
  }
  return symbols > digits;
}

/**
 * The canonical form of a term token: de-leeted with `1 → i`. Terms are written by
 * operators in plain text, so a term only ever has one form.
 */
export function canonicalTermToken(token: string): string {
  if (isPlainAsciiWord(token) || !readsAsLeet(token)) return token;
  let out = '';
  for (const ch of token) out += ch === '1' ? 'i' : (LEET[ch] ?? ch);
  return out;
}

/** Every de-leeted reading of a token (`1` may be `i` or `l`). */
function leetVariants(token: string): string[] {
  let ones = 0;
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 49) ones++;
  const enumerate = token.length <= MAX_VARIANT_TOKEN_LENGTH ? Math.min(ones, MAX_AMBIGUOUS_ONES) : 0;
  const out: string[] = [];
  const combos = 1 << enumerate;
  for (let mask = 0; mask < combos; mask++) {
    let s = '';
    let seen = 0;
    for (const ch of token) {
      if (ch === '1') {
        s += seen < enumerate && mask & (1 << seen) ? 'l' : 'i';
        seen++;
      } else {
        s += LEET[ch] ?? ch;
      }
    }
    out.push(s);
  }
  return out;
}

/** Collapse every run of three or more identical characters to `keep` characters. */
function collapseRuns(s: string, keep: number): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    let j = i + 1;
    while (j < s.length && s[j] === ch) j++;
    const len = j - i;
    out += len >= 3 ? ch.repeat(keep) : s.slice(i, j);
    i = j;
  }
  return out;
}

function hasTripleRun(s: string): boolean {
  for (let i = 2; i < s.length; i++) if (s[i] === s[i - 1] && s[i] === s[i - 2]) return true;
  return false;
}

/**
 * The candidate readings of one normalised content token, deduplicated, the literal
 * reading first. Most tokens have exactly one.
 */
export function tokenForms(token: string): string[] {
  if (isPlainAsciiWord(token)) return [token];
  if (!LEET_OR_SYMBOL_RE.test(token) && !hasTripleRun(token)) return [token]; // e.g. accented words
  if (!readsAsLeet(token)) return [token];
  const forms = new Set<string>();
  const bases = leetVariants(token);
  // `@alice` is a mention more often than leet for `aalice`: try it without the `@` too.
  if (token.length > 1 && token[0] === '@') bases.push(...leetVariants(token.slice(1)));
  for (const base of bases) {
    forms.add(base);
    if (base.length <= MAX_VARIANT_TOKEN_LENGTH && hasTripleRun(base)) {
      forms.add(collapseRuns(base, 1));
      forms.add(collapseRuns(base, 2));
    }
  }
  return [...forms];
}

/** A reading of a joined run with one edge letter left off (see {@link Unit.trimmed}). */
export interface TrimmedReading {
  forms: readonly string[];
  start: number;
  end: number;
}

/** One matchable unit of content, as an object (for tests and tools; matching reads the table). */
export interface Unit {
  /** Candidate readings (see {@link tokenForms}), the first one first. */
  forms: string[];
  /** True when this unit was assembled from two or more single-character tokens. */
  joined: boolean;
  /** UTF-16 `[start, end)` of the unit in the original text. */
  start: number;
  end: number;
  /** A sentence boundary separates this unit from the previous one: no phrase spans it. */
  sentenceBreak: boolean;
  /**
   * For a joined run of three or more letters that starts or ends with the one-letter word
   * `a`, `i` or `u` (`a b a d`, `B.A.D. I`): the readings without that letter. These match
   * single-word terms only.
   */
  trimmed?: TrimmedReading[];
}

/** The trimmed readings of joined row `r`, if it has any. */
export function trimmedReadings(table: TokenTable, r: number): TrimmedReading[] | undefined {
  const f = table.flags[r]!;
  if (!(f & (RowFlag.TrimFirst | RowFlag.TrimLast))) return undefined;
  const out: TrimmedReading[] = [];
  if (f & RowFlag.TrimFirst) out.push({ forms: tokenForms(table.trimmedText(r, 0)), start: table.trimStart[r]!, end: table.end[r]! });
  if (f & RowFlag.TrimLast) out.push({ forms: tokenForms(table.trimmedText(r, 1)), start: table.start[r]!, end: table.trimEnd[r]! });
  return out;
}

/**
 * Text → matchable units, with their spans in `text`. Accepts original content (folding
 * happens here) and, equivalently, text that is already normalised.
 */
export function toUnits(text: string): Unit[] {
  const table = scanText(text, new TokenTable());
  const units: Unit[] = [];
  for (let r = 0; r < table.count; r++) {
    const f = table.flags[r]!;
    const unit: Unit = {
      forms: [...table.formsOf(r)],
      joined: (f & RowFlag.Joined) !== 0,
      start: table.start[r]!,
      end: table.end[r]!,
      sentenceBreak: (f & RowFlag.SentenceBreak) !== 0,
    };
    const trimmed = trimmedReadings(table, r);
    if (trimmed !== undefined) unit.trimmed = trimmed;
    units.push(unit);
  }
  return units;
}

/**
 * Tokenise a policy term into its canonical tokens (empty when it has no letters/digits).
 * Uses the same tokeniser as content, so `u.s.a` and `usa` are the same term.
 */
export function termTokens(term: string): string[] {
  const table = scanText(term, TERM_TABLE);
  const out: string[] = [];
  for (let r = 0; r < table.count; r++) out.push(canonicalTermToken(table.rawText(r)));
  return out;
}
