/**
 * Text normalisation and tokenisation for term matching.
 *
 * The same functions are applied to policy terms (at compile time) and to message content
 * (at evaluation time), so both sides end up in one canonical alphabet:
 *
 * - Unicode compatibility forms are folded (NFKD: full-width letters, ligatures, circled
 *   digits…), combining marks are dropped (diacritics: `é` → `e`) and format characters
 *   are removed (zero-width space/joiners, soft hyphen, BOM).
 * - Everything is lower-cased.
 * - A token is a maximal run of letters, digits, `$` and `@`. Matching is done on whole
 *   tokens, which is what makes it word-aware: `bad` never matches inside `badminton`.
 * - Tokens that contain a letter are de-leeted (`4→a 3→e 1→i|l 0→o 5→s $→s 7→t @→a`).
 * - Letters repeated three or more times are also tried collapsed (`baaad` → `bad`, and
 *   `freeee` → `free`); doubled letters are left alone so `good` never becomes `god`.
 * - Runs of single characters separated by short punctuation/space (`b.a.d`, `b-a-d`,
 *   `b a d`) are joined into one unit.
 */

/** Combining marks and format characters (ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM, soft hyphen…). */
const STRIP_RE = /[\p{M}\p{Cf}]/gu;
/** ASCII characters that belong to a token: a-z A-Z 0-9 $ @. */
const ASCII_TOKEN = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) ASCII_TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) ASCII_TOKEN[c] = 1;
ASCII_TOKEN[36] = 1; // $
ASCII_TOKEN[64] = 1; // @
const NON_ASCII_TOKEN_RE = /^[\p{L}\p{N}]$/u;

/** UTF-16 width of the token character at `i`, or 0 when it is a separator. */
function tokenCharWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 128) return ASCII_TOKEN[c]!;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    return NON_ASCII_TOKEN_RE.test(s.slice(i, i + 2)) ? 2 : 0;
  }
  return NON_ASCII_TOKEN_RE.test(s[i]!) ? 1 : 0;
}

const LETTER_RE = /\p{L}/u;

/** Longest gap (in characters) between two single-character tokens that still joins them. */
const MAX_RUN_GAP = 3;
/** Leet variants are only enumerated for this many ambiguous `1`s; the rest map to `i`. */
const MAX_AMBIGUOUS_ONES = 3;
/** Tokens longer than this get only their primary form (bounds the work per token). */
const MAX_VARIANT_TOKEN_LENGTH = 48;

/** NFKD, drop combining marks and zero-width/format characters, lower-case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKD').replace(STRIP_RE, '').toLowerCase();
}

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

/**
 * The canonical form of a term token: de-leeted with `1 → i`. Terms are written by
 * operators in plain text, so a term only ever has one form.
 */
export function canonicalTermToken(token: string): string {
  if (isPlainAsciiWord(token) || !LETTER_RE.test(token)) return token;
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
  if (!LETTER_RE.test(token)) return [token];
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

/** One matchable unit of content: a word, or a joined run of spaced-out single characters. */
export interface Unit {
  /** Candidate readings (see {@link tokenForms}). */
  forms: string[];
  /** True when this unit was assembled from two or more single-character tokens. */
  joined: boolean;
}

/**
 * Split normalised text into raw tokens. Consecutive single-character tokens separated by
 * at most {@link MAX_RUN_GAP} characters (`b.a.d`, `b - a - d`) are joined into one token.
 */
function rawTokens(normalized: string, emit: (token: string, joined: boolean) => void): void {
  const n = normalized.length;
  let run = '';
  let runChars = 0;
  let runEnd = -1;
  let i = 0;
  while (i < n) {
    let w = tokenCharWidth(normalized, i);
    if (w === 0) {
      i++;
      continue;
    }
    const start = i;
    let chars = 0;
    do {
      i += w;
      chars++;
    } while (i < n && (w = tokenCharWidth(normalized, i)) > 0);
    const token = normalized.slice(start, i);
    if (chars === 1) {
      if (runChars > 0 && start - runEnd > MAX_RUN_GAP) {
        emit(run, runChars > 1);
        run = '';
        runChars = 0;
      }
      run += token;
      runChars++;
      runEnd = i;
      continue;
    }
    if (runChars > 0) {
      emit(run, runChars > 1);
      run = '';
      runChars = 0;
    }
    emit(token, false);
  }
  if (runChars > 0) emit(run, runChars > 1);
}

/** Normalised content → matchable units. */
export function toUnits(normalized: string): Unit[] {
  const units: Unit[] = [];
  rawTokens(normalized, (token, joined) => units.push({ forms: tokenForms(token), joined }));
  return units;
}

/**
 * Tokenise a policy term into its canonical tokens (empty when it has no letters/digits).
 * Uses the same tokeniser as content, so `u.s.a` and `usa` are the same term.
 */
export function termTokens(term: string): string[] {
  const out: string[] = [];
  rawTokens(normalizeText(term), (token) => out.push(canonicalTermToken(token)));
  return out;
}
