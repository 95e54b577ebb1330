/**
 * Link extraction and domain matching.
 *
 * Recognises `http(s)://…` URLs, `www.…` URLs and bare domains whose last label is a
 * well-known TLD (`example.com`, `evil.example/path`). E-mail addresses are not links.
 * Domains are compared case-insensitively, without a trailing dot, and a domain matches
 * every subdomain of itself (`github.com` covers `docs.github.com` but not `notgithub.com`).
 */

/** TLDs a bare `word.tld` must end with to count as a link (URLs with a scheme or `www.` need none). */
const KNOWN_TLDS = new Set(
  (
    'com net org edu gov mil int info biz name pro mobi asia tel travel jobs ' +
    'io co ai app dev me ly gl to be gg tv cc ws su tk ml ga cf gq fm am ' +
    'xyz top site online club shop store link click live news tech cloud page ' +
    'zip mov win vip work fun icu buzz bid loan men ' +
    'us uk de fr es it nl ru cn jp in br au ca ch se no pl at dk fi ie pt cz ' +
    'gr hu ro ua tr il kr tw hk sg my id th vn ph nz za mx ar cl eu ' +
    'example test invalid localhost'
  ).split(' '),
);

/** `http(s)://host…`: the host is whatever follows `//` up to the path. */
const SCHEME_URL_RE = /https?:\/\/([^\s<>"'`/?#()[\]{},;\\]+)/gi;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD_RE = /^[a-z]{2,24}$/;
const STRIP_RE = /[\p{Cf}]/gu;
const NON_ASCII_RE = /[^\x00-\x7f]/;

function isHostChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 46 /* . */
  );
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

/** A bare `label.label.tld` (already lower-cased, trailing dots removed) that looks like a link. */
function isBareDomain(host: string): boolean {
  const labels = host.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (!LABEL_RE.test(l)) return false;
  const tld = labels[labels.length - 1]!;
  return TLD_RE.test(tld) && (KNOWN_TLDS.has(tld) || labels[0] === 'www');
}

/** Lower-case, without trailing dot(s), userinfo or port. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  const at = h.lastIndexOf('@');
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith('[')) return h; // IPv6 literal: leave as is
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.replace(/\.+$/, '');
}

/**
 * Normalise a domain entry from the policy: accepts `github.com`, `GitHub.com.`,
 * `*.github.com`, `.github.com` and `https://github.com/path`.
 */
export function normalizeDomainEntry(entry: string): string {
  let e = entry.trim().toLowerCase();
  e = e.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  e = e.replace(/[/?#].*$/, '');
  e = e.replace(/^\*\./, '').replace(/^\.+/, '');
  return normalizeHost(e);
}

interface Span {
  start: number;
  end: number;
}

/** A link found in content: its host (lower-cased) and where the link sits in the original text. */
export interface LinkMatch {
  host: string;
  /**
   * UTF-16 `[start, end)` of the link as written: from its scheme, `www.` or first host
   * character to the end of its port, path, query or fragment, without trailing sentence
   * punctuation (`example.com/x.` → `example.com/x`; a `)` is kept only when the link opened it).
   */
  start: number;
  end: number;
}

/** Characters that end a link's path (besides white space). */
const PATH_STOP = new Set(['<', '>', '"', '`']);
/** Punctuation that ends a sentence or clause rather than a link, when it is a link's last character. */
const TRAILING_PUNCT = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_']);
const CLOSERS: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{', '>': '<' };
const SPACE_CHAR_RE = /\s/;

/**
 * Content folded for link finding (NFKC, format characters removed: full-width dots and
 * letters, zero-width characters), with the way back to the original. ASCII content is used
 * as is. Otherwise `edits` lists, in order, every code point whose folding differs from
 * itself, as quadruples (folded start, folded length, original start, original length);
 * everything between edits is copied unchanged, so mapping an offset back is a walk over
 * the few edits before it.
 */
interface LinkView {
  t: string;
  edits?: readonly number[];
}

/** Folding of a code point for links; null when it folds to itself (most of them). */
const LINK_FOLD_CACHE = new Map<number, string | null>();
const NON_ASCII_RUN_RE = /[^\x00-\x7f]+/g;

function linkFold(cp: number): string | null {
  let f = LINK_FOLD_CACHE.get(cp);
  if (f === undefined) {
    const ch = String.fromCodePoint(cp);
    const folded = ch.normalize('NFKC').replace(STRIP_RE, '');
    f = folded === ch ? null : folded;
    if (LINK_FOLD_CACHE.size < 1 << 16) LINK_FOLD_CACHE.set(cp, f);
  }
  return f;
}

function linkView(text: string): LinkView {
  if (!NON_ASCII_RE.test(text)) return { t: text };
  // Per code point NFKC: composition across code points only ever builds non-ASCII letters,
  // which end a host either way, so the hosts found are those of whole-string NFKC.
  const parts: string[] = [];
  const edits: number[] = [];
  let copyFrom = 0;
  let folded = 0;
  NON_ASCII_RUN_RE.lastIndex = 0;
  for (let m = NON_ASCII_RUN_RE.exec(text); m !== null; m = NON_ASCII_RUN_RE.exec(text)) {
    const end = m.index + m[0].length;
    for (let i = m.index; i < end; ) {
      const cp = text.codePointAt(i)!;
      const width = cp > 0xffff ? 2 : 1;
      const f = linkFold(cp);
      if (f !== null) {
        parts.push(text.slice(copyFrom, i));
        folded += i - copyFrom;
        edits.push(folded, f.length, i, width);
        parts.push(f);
        folded += f.length;
        copyFrom = i + width;
      }
      i += width;
    }
  }
  if (edits.length === 0) return { t: text };
  parts.push(text.slice(copyFrom));
  return { t: parts.join(''), edits };
}

/** Original `[start, end)` of the folded range `[from, to)` (to > from). */
function originalSpan(edits: readonly number[], from: number, to: number): Span {
  let start = from;
  let end = to;
  let startDone = false;
  for (let e = 0; e < edits.length; e += 4) {
    const tStart = edits[e]!;
    const tLen = edits[e + 1]!;
    const oStart = edits[e + 2]!;
    const oLen = edits[e + 3]!;
    const shift = oStart + oLen - (tStart + tLen);
    if (!startDone) {
      if (from < tStart) startDone = true;
      else start = from < tStart + tLen ? oStart : from + shift;
    }
    if (to - 1 < tStart) break;
    end = to - 1 < tStart + tLen ? oStart + oLen : to + shift;
  }
  return { start, end };
}

/** End of the path/query/fragment that starts at `from`: up to white space, without trailing punctuation. */
function linkEnd(t: string, from: number, floor: number, linkStart: number): number {
  let e = from;
  while (e < t.length && !PATH_STOP.has(t[e]!) && !SPACE_CHAR_RE.test(t[e]!)) e++;
  while (e > floor) {
    const last = t[e - 1]!;
    if (TRAILING_PUNCT.has(last)) {
      e--;
      continue;
    }
    const opener = CLOSERS[last];
    if (opener !== undefined) {
      let depth = 0;
      for (let k = linkStart; k < e - 1; k++) {
        if (t[k] === opener) depth++;
        else if (t[k] === last) depth--;
      }
      if (depth <= 0) {
        e--;
        continue;
      }
    }
    break;
  }
  return e;
}

/** Every link in `text`, in order of appearance (duplicates kept), with its span in `text`. */
export function findLinks(text: string): LinkMatch[] {
  if (!text.includes('.') && !text.includes('\uff0e') && !text.includes('\u3002') && !text.includes('\ufe52')) return [];
  // Fold full-width dots/letters and drop zero-width characters that would hide a link.
  const view = linkView(text);
  const t = view.t;
  const found: LinkMatch[] = [];

  // 1. URLs with a scheme; remember where they are so the bare-domain scan skips them.
  const covered: { start: number; end: number }[] = [];
  SCHEME_URL_RE.lastIndex = 0;
  for (let m = SCHEME_URL_RE.exec(t); m !== null; m = SCHEME_URL_RE.exec(t)) {
    const hostEnd = m.index + m[0].length;
    // Skip the rest of the URL (path, query) too.
    let e = hostEnd;
    while (e < t.length && !SPACE_CHAR_RE.test(t[e]!)) e++;
    covered.push({ start: m.index, end: e });
    const host = normalizeHost(m[1]!);
    if (host.length > 0) {
      const schemeEnd = m.index + m[0].length - m[1]!.length;
      found.push({ host, start: m.index, end: linkEnd(t, hostEnd, schemeEnd + 1, m.index) });
    }
  }

  // 2. `www.` URLs and bare domains: grow a host-shaped span around every dot. Linear.
  let from = 0;
  let ci = 0;
  for (let dot = t.indexOf('.', from); dot >= 0; dot = t.indexOf('.', from)) {
    let l = dot;
    while (l > 0 && isHostChar(t.charCodeAt(l - 1))) l--;
    let r = dot + 1;
    while (r < t.length && isHostChar(t.charCodeAt(r))) r++;
    from = r + 1;
    // Without its leading and trailing dots the span must still contain a dot: a full stop
    // after a word (the common case in prose) is rejected here without any allocation.
    let hl = l;
    while (hl < r && t.charCodeAt(hl) === 46) hl++;
    let hr = r;
    while (hr > hl && t.charCodeAt(hr - 1) === 46) hr--;
    const inner = t.indexOf('.', hl);
    if (inner < 0 || inner >= hr) continue;
    while (ci < covered.length && covered[ci]!.end <= l) ci++;
    if (ci < covered.length && covered[ci]!.start <= l) continue; // part of a scheme URL
    const before = l > 0 ? t.charCodeAt(l - 1) : 0;
    const after = r < t.length ? t.charCodeAt(r) : 0;
    // `user@example.com` is an e-mail address; `a_b.com`, `x.com@y` are not links either.
    if (before === 64 /* @ */ || after === 64 || isWordChar(before) || isWordChar(after)) continue;
    const host = t.slice(hl, hr).toLowerCase();
    if (!isBareDomain(host)) continue;
    // A path, query, fragment or port belongs to the link; a trailing dot does not.
    const next = hr < t.length ? t[hr]! : '';
    const hasRest =
      hr === r && (next === '/' || next === '?' || next === '#' || (next === ':' && /[0-9]/.test(t[hr + 1] ?? '')));
    found.push({ host, start: hl, end: hasRest ? linkEnd(t, hr, hr, hl) : hr });
  }

  found.sort((x, y) => x.start - y.start);
  if (view.edits !== undefined) {
    for (const f of found) {
      const o = originalSpan(view.edits, f.start, f.end);
      f.start = o.start;
      f.end = o.end;
    }
  }
  return found;
}

/** Hosts of every link in `text`, lower-cased, in order of appearance (duplicates kept). */
export function extractLinkHosts(text: string): string[] {
  return findLinks(text).map((f) => f.host);
}

export type DomainListing = 'allow' | 'deny' | 'unknown';

export interface DomainLists {
  readonly allow: ReadonlySet<string>;
  readonly deny: ReadonlySet<string>;
}

export function compileDomainLists(allow: readonly string[], deny: readonly string[]): DomainLists {
  const norm = (list: readonly string[]): Set<string> =>
    new Set(list.map(normalizeDomainEntry).filter((d) => d.length > 0));
  return { allow: norm(allow), deny: norm(deny) };
}

/**
 * Classify a host. The most specific listed domain wins (so `allow: [github.com]` with
 * `deny: [gist.github.com]` denies gists); at equal specificity deny wins.
 * Cost: one hash lookup per label of the host.
 */
export function classifyHost(lists: DomainLists, host: string): DomainListing {
  let h = normalizeHost(host);
  for (;;) {
    if (lists.deny.has(h)) return 'deny';
    if (lists.allow.has(h)) return 'allow';
    const dot = h.indexOf('.');
    if (dot < 0) return 'unknown';
    h = h.slice(dot + 1);
  }
}
