/**
 * PII detection and masking: e-mail addresses, phone numbers and payment card numbers.
 *
 * Detection runs on the original content (so masks land on the right characters) in a
 * fixed order — e-mail, card, phone — and a later kind never claims characters an earlier
 * one matched. Cards are always detected, even when card masking is off, so a card number
 * is never reported as a phone number.
 */

export type PiiKind = 'email' | 'phone' | 'card';

export interface PiiOptions {
  email: boolean;
  phone: boolean;
  card: boolean;
}

export interface PiiMatch {
  kind: PiiKind;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  /** What the match is replaced with when masking. */
  replacement: string;
}

export const EMAIL_MASK = '[email redacted]';
export const PHONE_MASK = '[phone redacted]';
export const cardMask = (lastFour: string): string => `[card ending ${lastFour}]`;

const EMAIL_RE =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

/**
 * 13–19 digits, optionally separated by single spaces or dashes, not inside a longer
 * word/number and not after `+` (an international phone number).
 */
const CARD_RE = /(?<![\p{L}\p{N}_+])\d(?:[ -]?\d){12,18}(?![\p{L}\p{N}_])/gu;

// € and £ written as escapes: the Lambda bundles stay pure ASCII, which Node reads and V8 parses
// faster than the two-byte text one such character makes of a whole bundle.
const PHONE_BEFORE_FORBIDDEN = /[\p{L}\p{N}_@/+$\u20AC\u00A3#]/u;
const PHONE_AFTER_FORBIDDEN = /[\p{L}\p{N}_@]/u;
/** Separator runs longer than this split a candidate into independent pieces (`30 - 555…`). */
const LONG_SEPARATOR_RE = /[ ().-]{3,}/g;

const MIN_PHONE_DIGITS = 10;
/** E.164 allows at most 15 digits. */
const MAX_PHONE_DIGITS = 15;

/** Luhn (mod 10) checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export interface Span {
  start: number;
  end: number;
}

function overlaps(spans: readonly Span[], start: number, end: number): boolean {
  for (const s of spans) if (start < s.end && s.start < end) return true;
  return false;
}

/** Characters of an e-mail address's local part (the part before `@`). */
function isLocalPartChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45
  );
}

/**
 * E-mail addresses. Every address contains an `@`, and its local part is the whole run of
 * local-part characters before it (the regex's look-behind), so the regex is tried, sticky,
 * once per `@` at the start of that run instead of at every word of the message. Same
 * matches as a global scan: a global scan can only succeed at such a run start.
 */
function findEmails(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  let end = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start < end || start === at) continue; // inside the previous address, or no local part
    EMAIL_RE.lastIndex = start;
    const m = EMAIL_RE.exec(text);
    if (m === null) continue;
    end = start + m[0].length;
    out.push({ kind: 'email', start, end, replacement: EMAIL_MASK });
  }
  return out;
}

/** A run of number characters (digits, space, `( ) + - .`) long enough to hold a phone or card number. */
const NUMBER_RUN_RE = /[0-9 ()+.-]{10,}/g;

/**
 * Where a phone or card number can be: the smallest window covering every run of number
 * characters that holds at least {@link MIN_PHONE_DIGITS} digits, or undefined when there is
 * none. Both the card and the phone regex match only number characters and need at least
 * that many digits, so nothing outside the window can match. Most chat messages have no
 * such run, and then neither regex runs at all. (A native regex finds the runs: a
 * character-by-character loop in JavaScript costs more than the regexes it would save.)
 */
function numberWindow(text: string): Span | undefined {
  let winStart = -1;
  let winEnd = -1;
  NUMBER_RUN_RE.lastIndex = 0;
  for (let m = NUMBER_RUN_RE.exec(text); m !== null; m = NUMBER_RUN_RE.exec(text)) {
    const run = m[0];
    let digits = 0;
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    if (digits < MIN_PHONE_DIGITS) continue;
    if (winStart < 0) winStart = m.index;
    winEnd = m.index + run.length;
  }
  return winStart < 0 ? undefined : { start: winStart, end: winEnd };
}

/**
 * Card numbers are written unseparated or in the issuers' groupings: fours (4-4-4-4,
 * 4-4-4-4-3…) or 4-6-4/4-6-5. Anything else (`49 151 12345678`) is not a card even when
 * it happens to pass Luhn, which one random number in ten does.
 */
function cardGrouping(groups: readonly string[]): boolean {
  if (groups.length === 1) return true;
  const lens = groups.map((g) => g.length);
  if (lens.length === 3 && lens[0] === 4 && lens[1] === 6 && (lens[2] === 4 || lens[2] === 5)) return true;
  return lens.every((len, i) => (i < lens.length - 1 ? len === 4 : len >= 1 && len <= 4));
}

function findCards(text: string, taken: readonly Span[], window: Span): PiiMatch[] {
  const out: PiiMatch[] = [];
  CARD_RE.lastIndex = window.start;
  for (let m = CARD_RE.exec(text); m !== null && m.index < window.end; m = CARD_RE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    const groups = m[0].split(/[ -]/);
    const digits = groups.join('');
    if (digits.length < 13 || digits.length > 19 || !cardGrouping(groups) || !luhnValid(digits)) continue;
    if (overlaps(taken, start, end)) continue;
    out.push({ kind: 'card', start, end, replacement: cardMask(digits.slice(-4)) });
  }
  return out;
}

function isYear(group: string): boolean {
  return group.length === 4 && (group.startsWith('19') || group.startsWith('20'));
}

/** Decide whether one candidate piece (already trimmed to start/end with a digit or paren) is a phone number. */
function isPhone(piece: string): boolean {
  const hasPlus = piece.startsWith('+');
  const groups = piece.split(/\D+/).filter((g) => g.length > 0);
  const digits = groups.reduce((n, g) => n + g.length, 0);
  if (digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) return false;
  if (!hasPlus && groups.length < 2) return false; // bare digit run: ids, epoch timestamps…
  const dotted = piece.includes('.');
  if (dotted && groups.length === 4 && groups.every((g) => g.length <= 3)) return false; // IPv4
  if (!hasPlus) {
    const maxGroup = dotted ? 4 : 6; // `3.14159265358`, `51.507351 -0.127758` are not phones
    if (groups.some((g) => g.length > maxGroup)) return false;
    if (groups.every(isYear)) return false; // `2019 2020 2021`
    const lens = groups.map((g) => g.length);
    // Card-style grouping (4-4-4-x, 4-6-5) that failed Luhn: a mistyped card, not a phone.
    if (digits >= 13 && lens.length >= 4 && lens[0] === 4 && lens[1] === 4 && lens[2] === 4) return false;
    if (digits >= 13 && lens.length === 3 && lens[0] === 4 && lens[1] === 6) return false;
  }
  return true;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** A phone candidate's first character: a digit or `(` (optionally after a `+`). */
const isPhoneStart = (c: number): boolean => isDigit(c) || c === 40;
/** The characters of a phone candidate after its first: digits and ` ( ) . -`. */
const isPhoneBody = (c: number): boolean => isDigit(c) || c === 32 || c === 40 || c === 41 || c === 46 || c === 45;

/**
 * Where phone numbers may be: the spans `/\+?[\d(][\d ().-]*\d/g` matches that start inside
 * `window`, found in one pass. Each is a run of digits and separators, from its first `+`, digit
 * or `(` to its last digit. That regex, after a run's last digit, tried again at every `(` left
 * in the run and read the rest of the run each time: a number followed by 64,000 `(`s took
 * seconds. No start inside a run can end anywhere but at the run's last digit, so one read of
 * the run settles all of them. `work.steps` counts the characters read (tests check it is linear).
 */
export function phoneCandidates(text: string, window: Span, work: { steps: number } = { steps: 0 }): Span[] {
  const out: Span[] = [];
  let i = window.start;
  while (i < window.end) {
    work.steps++;
    const plus = text.charCodeAt(i) === 43 && isPhoneStart(text.charCodeAt(i + 1));
    const first = plus ? i + 1 : i;
    if (!isPhoneStart(text.charCodeAt(first))) {
      i++;
      continue;
    }
    let end = first + 1;
    let lastDigit = -1;
    for (; end < text.length && isPhoneBody(text.charCodeAt(end)); end++) {
      work.steps++;
      if (isDigit(text.charCodeAt(end))) lastDigit = end;
    }
    if (lastDigit > first) out.push({ start: i, end: lastDigit + 1 });
    i = end;
  }
  return out;
}

function findPhones(original: string, taken: readonly Span[], window: Span): PiiMatch[] {
  const out: PiiMatch[] = [];
  // Blank out e-mail and card matches (same length, so offsets stay valid) so a phone
  // number written right next to a card number is still seen on its own.
  let text = original;
  if (taken.length > 0) {
    let blanked = '';
    let pos = 0;
    for (const t of [...taken].sort((a, b) => a.start - b.start)) {
      if (t.start < pos) continue;
      blanked += original.slice(pos, t.start) + '\u0001'.repeat(t.end - t.start);
      pos = t.end;
    }
    text = blanked + original.slice(pos);
  }
  for (const candidate of phoneCandidates(text, window)) {
    const candidateStart = candidate.start;
    const candidateText = text.slice(candidate.start, candidate.end);
    // Split on long separator runs; each piece is judged on its own.
    const pieces: Span[] = [];
    let pieceStart = 0;
    LONG_SEPARATOR_RE.lastIndex = 0;
    for (let s = LONG_SEPARATOR_RE.exec(candidateText); s !== null; s = LONG_SEPARATOR_RE.exec(candidateText)) {
      pieces.push({ start: pieceStart, end: s.index });
      pieceStart = s.index + s[0].length;
    }
    pieces.push({ start: pieceStart, end: candidateText.length });

    for (const p of pieces) {
      let start = candidateStart + p.start;
      const end = candidateStart + p.end;
      let piece = text.slice(start, end);
      // Only keep a leading `(` if it is closed inside the number: `(555) 123-4567`.
      if (piece.startsWith('(') && !piece.includes(')')) {
        piece = piece.slice(1);
        start++;
      }
      if (!/\d/.test(piece[0] ?? '') && piece[0] !== '+' && piece[0] !== '(') continue;
      const before = start > 0 ? text[start - 1]! : '';
      const after = end < text.length ? text[end]! : '';
      if (before !== '' && PHONE_BEFORE_FORBIDDEN.test(before)) continue;
      if (after !== '' && PHONE_AFTER_FORBIDDEN.test(after)) continue;
      if (!isPhone(piece)) continue;
      out.push({ kind: 'phone', start, end, replacement: PHONE_MASK });
    }
  }
  return out;
}

/** Every enabled kind of PII in `text`, ordered by position, non-overlapping. */
export function findPii(text: string, options: PiiOptions): PiiMatch[] {
  if (!options.email && !options.phone && !options.card) return [];
  const emails = findEmails(text);
  const window = options.card || options.phone ? numberWindow(text) : undefined;
  // Cards are needed to keep them from being read as phones, even when not masked.
  const cards = window !== undefined ? findCards(text, emails, window) : [];
  const phones = options.phone && window !== undefined ? findPhones(text, [...emails, ...cards], window) : [];
  const out = [...(options.email ? emails : []), ...(options.card ? cards : []), ...phones];
  return out.sort((a, b) => a.start - b.start);
}

/** Replace every match (as returned by {@link findPii}) by its mask. */
export function maskPii(text: string, matches: readonly PiiMatch[]): string {
  if (matches.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const m of [...matches].sort((a, b) => a.start - b.start)) {
    if (m.start < pos) continue;
    out += text.slice(pos, m.start) + m.replacement;
    pos = m.end;
  }
  return out + text.slice(pos);
}
