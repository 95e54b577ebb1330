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

/** Hosts of every link in `text`, lower-cased, in order of appearance (duplicates kept). */
export function extractLinkHosts(text: string): string[] {
  if (!text.includes('.') && !text.includes('\uff0e') && !text.includes('\u3002')) return [];
  // Fold full-width dots/letters and drop zero-width characters that would hide a link.
  const t = NON_ASCII_RE.test(text) ? text.normalize('NFKC').replace(STRIP_RE, '') : text;
  const found: { at: number; host: string }[] = [];

  // 1. URLs with a scheme; remember where they are so the bare-domain scan skips them.
  const covered: { start: number; end: number }[] = [];
  SCHEME_URL_RE.lastIndex = 0;
  for (let m = SCHEME_URL_RE.exec(t); m !== null; m = SCHEME_URL_RE.exec(t)) {
    const end = m.index + m[0].length;
    covered.push({ start: m.index, end });
    const host = normalizeHost(m[1]!);
    if (host.length > 0) found.push({ at: m.index, host });
    // Skip the rest of the URL (path, query) too.
    let e = end;
    while (e < t.length && !/\s/.test(t[e]!)) e++;
    covered[covered.length - 1]!.end = e;
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
    while (ci < covered.length && covered[ci]!.end <= l) ci++;
    if (ci < covered.length && covered[ci]!.start <= l) continue; // part of a scheme URL
    const before = l > 0 ? t.charCodeAt(l - 1) : 0;
    const after = r < t.length ? t.charCodeAt(r) : 0;
    // `user@example.com` is an e-mail address; `a_b.com`, `x.com@y` are not links either.
    if (before === 64 /* @ */ || after === 64 || isWordChar(before) || isWordChar(after)) continue;
    const host = t.slice(l, r).toLowerCase().replace(/^\.+|\.+$/g, '');
    if (isBareDomain(host)) found.push({ at: l, host });
  }

  found.sort((x, y) => x.at - y.at);
  return found.map((f) => f.host);
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
