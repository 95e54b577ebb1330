import type { Rng } from './random.js';

/**
 * Hostile values: the catalogue every target draws from. Each has a short label, so that a
 * failure names the input class and not just a blob of bytes.
 */

export interface Labelled<T> {
  label: string;
  value: T;
}

const L = <T>(label: string, value: T): Labelled<T> => ({ label, value });

/** Strings: unicode oddities, traversal, markup, prototype keys, numbers in words, edges. */
export const HOSTILE_STRINGS: ReadonlyArray<Labelled<string>> = [
  L('empty', ''),
  L('space', ' '),
  L('tab+newline', '\t\r\n'),
  L('zero-width space', '\u200b'),
  L('zero-width joiner inside', 'mod\u200derators'),
  L('BOM', '\ufeff'),
  L('RTL override', '\u202eadmin'),
  L('RTL mark', 'abc\u200fdef'),
  L('lone high surrogate', '\ud800'),
  L('lone low surrogate', 'x\udfffy'),
  L('NUL', '\u0000'),
  L('NUL inside', 'abc\u0000def'),
  L('control characters', '\u0001\u0002\u001b[31m\u007f'),
  L('C1 control', '\u0085\u009b'),
  L('non-characters', '\ufffe\uffff'),
  L('é precomposed', '\u00e9'),
  L('é combining', 'e\u0301'),
  L('emoji', '😀👍🏽'),
  L('astral math bold', '𝐚𝐝𝐦𝐢𝐧𝐬'),
  L('fullwidth', 'ａｄｍｉｎｓ'),
  L('cyrillic look-alike', '\u0430dmins'),
  L('dot-dot-slash', '../'),
  L('deep traversal', '../../../../etc/passwd'),
  L('encoded traversal', '%2e%2e/%2e%2e/'),
  L('encoded slash traversal', '..%2f..%2f'),
  L('backslash traversal', '..\\..\\windows'),
  L('encoded NUL', '%00'),
  L('double-encoded', '%252e%252e%252f'),
  L('overlong UTF-8', '%c0%ae%c0%ae/'),
  L('script tag', '<script>alert(1)</script>'),
  L('attribute break', '"><img src=x onerror=alert(1)>'),
  L('__proto__', '__proto__'),
  L('constructor', 'constructor'),
  L('prototype', 'prototype'),
  L('toString', 'toString'),
  L('minus zero', '-0'),
  L('1e308', '1e308'),
  L('NaN', 'NaN'),
  L('Infinity', 'Infinity'),
  L('-1e20', '-1e20'),
  L('hex number', '0x10'),
  L('arabic digits', '\u0661\u0662'),
  L('fullwidth digits', '\uff19'),
  L('SQL', "' OR 1=1 --"),
  L('format string', '%s%s%n%x'),
  L('template', '${jndi:ldap://x}{{7*7}}'),
  L('json null', 'null'),
  L('json object', '{"a":1}'),
  L('CRLF injection', 'x\r\nSet-Cookie: a=b'),
  L('long 5000', 'A'.repeat(5000)),
  L('long unicode 3000', '\u00e9'.repeat(3000)),
];

/** A marker for a number (or other token) written into JSON text as is: `-0`, `1e999`. */
export class RawJson {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new RawJson(text);

/** JSON values of every type, for slots that take another. */
export const HOSTILE_JSON: ReadonlyArray<Labelled<unknown>> = [
  L('null', null),
  L('true', true),
  L('false', false),
  L('zero', 0),
  L('minus zero', raw('-0')),
  L('1e308', 1e308),
  L('1e999 (Infinity)', raw('1e999')),
  L('-1e20', -1e20),
  L('fraction', 1.5),
  L('max safe + 2', 9007199254740993),
  L('empty string', ''),
  L('string', 'x'),
  L('NaN as string', 'NaN'),
  L('empty array', []),
  L('array of null', [null]),
  L('empty object', {}),
  L('object with __proto__', objectWith([['__proto__', { isAdmin: true, isModerator: true }]])),
  L('object with constructor.prototype', objectWith([['constructor', { prototype: { polluted: true } }]])),
];

/** An object whose own keys are exactly these, `__proto__` included (an assignment would set the prototype). */
export function objectWith(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** A copy of `obj` with `key` set (as an own property, whatever its name). */
export function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const entries = Object.entries(obj).filter(([k]) => k !== key);
  return objectWith([...entries, [key, value]]);
}

export function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  return objectWith(Object.entries(obj).filter(([k]) => k !== key));
}

/** JSON text of `value`, with RawJson tokens written as they are. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0000@raw${raws.length - 1}@\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000@raw(\d+)@\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

/** `[[[…]]]` or `{"a":{"a":…}}`, `depth` levels, as JSON text (never built as an object: that is the point). */
export function deepJson(kind: 'array' | 'object', depth: number, leaf = '1'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** The same, as a value (for intake, which is invoked with objects, not text). */
export function deepValue(kind: 'array' | 'object', depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Keys a strict object must refuse. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'isAdmin',
  '$where',
  '',
  ' ',
  '\u200baction',
  'action ',
  'Action',
  'reason\u0000',
  'a'.repeat(300),
  '<script>',
  '../',
];

/** A random hostile string. */
export const hostileString = (rng: Rng): Labelled<string> => rng.pick(HOSTILE_STRINGS);

/** Insert one hostile character into `base` at a random position, keeping its length (`é` for `a`). */
export function injectChar(rng: Rng, base: string): Labelled<string> {
  const chars = ['\u00e9', '\u200b', '\u202e', '\u0000', ' ', '/', '.', '%', '<', '+', '=', '\u0430', '\ud800', '\n', '\\', '~', '*'];
  const c = rng.pick(chars);
  const at = rng.int(Math.max(1, base.length));
  return { label: `one ${JSON.stringify(c)} at ${at}`, value: base.slice(0, at) + c + base.slice(at + 1) };
}

/** Percent-encoding that never throws: a lone surrogate is written as the (invalid) UTF-8 of its code unit. */
export function encodeComponent(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const next = value.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

/** What a header value becomes on the wire: latin1 text without control characters (UTF-8 bytes shown as latin1). */
export function headerSafe(value: string): string {
  const latin1 = Buffer.from(value, 'utf8').toString('latin1');
  return latin1.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '?');
}

/** A short, printable rendering of a value for failure messages. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (Buffer.isBuffer(value)) text = value.toString('utf8');
  else {
    try {
      text = toJsonText(value);
    } catch {
      text = String(value);
    }
  }
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return text.length > max ? `${shown} (${text.length} chars)` : shown;
}
