import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Expectation, HttpCase } from './cases.js';
import { encodeComponent } from './hostile.js';
import type { RawResponse } from './http.js';
import type { Rng } from './random.js';

/**
 * Target 4: the console's paths under /console/ (GET, unauthenticated), with traversal and odd
 * encodings. The stack serves a console root made here, with secrets planted beside it (in its
 * parent, and in a sibling whose name starts like it), so "never a file outside the root" is
 * checked against files that exist.
 *
 * What is legitimate (src/console-host/assets.ts): /console → 308 to /console/; a file of the
 * root → 200 that file; config.json → 200 the sign-in settings; a missing bundle file (assets/,
 * .js, .css …) → 404; any other path → 200 index.html, the single-page app's fallback (deep links).
 * Refusals of the console are text/plain by design: it is a static file host for a browser, not
 * part of the JSON API. A path the URL resolves out of /console is the API's, and gets its
 * problem+json (401 without a token).
 */

export const SECRET = 'FUZZ-SECRET-OUTSIDE-THE-CONSOLE-ROOT';

export interface ConsoleSite {
  /** The console root the stack serves. */
  root: string;
  /** Every file under the root, by its path relative to the root. */
  files: Map<string, Buffer>;
}

export function makeConsoleSite(): ConsoleSite {
  const site = mkdtempSync(join(tmpdir(), 'fuzz-console-'));
  const root = join(site, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), `<!doctype html><title>fuzz console</title><script type="module" src="/console/assets/app-f022.js"></script>${'<!-- padding -->'.repeat(60)}`);
  writeFileSync(join(root, 'assets', 'app-f022.js'), `export const app = 'fuzz';\n${'// padding\n'.repeat(80)}`);
  writeFileSync(join(root, 'assets', 'app-f022.css'), 'body { color: black; }');
  writeFileSync(join(root, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  // Secrets where a traversal would find them: the root's parent, a sibling named like the root, the repository's kind of files.
  writeFileSync(join(site, 'secret.txt'), SECRET);
  writeFileSync(join(site, 'package.json'), JSON.stringify({ secret: SECRET }));
  mkdirSync(join(site, 'dist-evil'));
  writeFileSync(join(site, 'dist-evil', 'app.js'), `// ${SECRET}`);
  mkdirSync(join(site, '.local'));
  writeFileSync(join(site, '.local', 'jwt-signing-key.json'), JSON.stringify({ d: SECRET }));
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(root, full).split('\\').join('/'), readFileSync(full));
    }
  };
  walk(root);
  return { root, files };
}

const TARGETS = ['secret.txt', 'package.json', 'dist-evil/app.js', '.local/jwt-signing-key.json', 'etc/passwd', '../../../../../../etc/passwd'];

/** A 200 must be a file of the root (or the sign-in settings), with the console's security headers. */
function servedFromRoot(site: ConsoleSite, wanted?: string): (response: RawResponse) => string[] {
  return (response) => {
    if (response.text.includes(SECRET)) return ['served a file from outside the console root'];
    if (response.status !== 200) return [];
    const failures: string[] = [];
    if (!response.headers['content-security-policy']) failures.push('a console answer without its Content-Security-Policy');
    if (response.headers['x-content-type-options'] !== 'nosniff') failures.push('a console answer without `X-Content-Type-Options: nosniff`');
    if (response.body.length === 0) return failures; // HEAD
    const matches = [...site.files].filter(([, bytes]) => bytes.equals(response.body)).map(([name]) => name);
    const isConfig = /^application\/json/.test(response.headers['content-type'] ?? '') && typeof (response.json as { auth?: unknown } | undefined)?.auth === 'object';
    if (matches.length === 0 && !isConfig) failures.push(`a 200 whose body is no file of the console root: ${JSON.stringify(response.text.slice(0, 80))}`);
    if (wanted !== undefined && !matches.includes(wanted) && !(wanted === 'config.json' && isConfig)) failures.push(`served ${matches.join(', ') || 'something else'}, expected ${wanted}`);
    return failures;
  };
}

export function consoleCases(rng: Rng, site: ConsoleSite, total: number): HttpCase[] {
  const out: Array<Omit<HttpCase, 'id'>> = [];
  const add = (group: string, name: string, path: string, expect: Expectation, method = 'GET', headers: Array<[string, string]> = []) =>
    out.push({ target: 'console', group, name, expect, build: () => ({ method, path, headers }) });
  const spa = (path: string) => add('legitimate', `the app's route ${path}`, path, { statuses: [200], also: servedFromRoot(site, 'index.html') });

  // What a browser asks for: each must work.
  spa('/console/');
  spa('/console/reviews');
  spa(`/console/reviews/${'A'.repeat(40)}`);
  spa(`/console/policies/${encodeComponent('arn:aws:chime:us-east-1:123456789012:app-instance/x/channel/y')}`);
  spa('/console/index.html');
  add('legitimate', 'a bundle file', '/console/assets/app-f022.js', { statuses: [200], also: servedFromRoot(site, 'assets/app-f022.js') });
  add('legitimate', 'a bundle file, gzipped', '/console/assets/app-f022.js', { statuses: [200], also: servedFromRoot(site, 'assets/app-f022.js') }, 'GET', [['accept-encoding', 'gzip']]);
  add('legitimate', 'a root file', '/console/robots.txt', { statuses: [200], also: servedFromRoot(site, 'robots.txt') });
  add('legitimate', 'the sign-in settings', '/console/config.json', { statuses: [200], also: servedFromRoot(site, 'config.json') });
  add('legitimate', 'a missing bundle file', '/console/assets/app-0000.js', { statuses: [404], plainText: true });
  const redirect = (query: string) =>
    add('redirect', `/console${query}`, `/console${query}`, {
      statuses: [308],
      also: (response) => {
        const location = response.headers.location ?? '';
        return location.startsWith('/console/') && !location.startsWith('//') ? [] : [`redirects to ${JSON.stringify(location)}, not inside /console/`];
      },
    });
  redirect('');
  redirect('?code=abc&state=%3Cscript%3E');
  redirect('?//evil.example');
  redirect('?x=%0d%0aSet-Cookie:%20a=b');

  // Traversal and odd encodings: a refusal, the app's fallback, or (resolved out of /console) the API's refusal.
  const hostile: Array<(target: string) => [string, string]> = [
    (t) => ['raw ../', `/console/../${t}`],
    (t) => ['%2e%2e segment', `/console/%2e%2e/${t}`],
    (t) => ['%2E%2e segment, mixed case', `/console/%2E%2e/%2e%2E/${t}`],
    (t) => ['..%2f', `/console/..%2f${encodeComponent(t).replace(/%2F/g, '%2f')}`],
    (t) => ['%2e%2e%2f', `/console/%2e%2e%2f%2e%2e%2f${encodeComponent(t)}`],
    (t) => ['assets/..%2f..%2f', `/console/assets/..%2f..%2f${encodeComponent(t)}`],
    (t) => ['..%5c (backslash)', `/console/..%5c..%5c${encodeComponent(t)}`],
    (t) => ['raw backslashes', `/console/..\\..\\${t.replace(/\//g, '\\')}`],
    (t) => ['double-encoded', `/console/%252e%252e%252f${encodeComponent(t)}`],
    (t) => ['....//', `/console/....//....//${t}`],
    (t) => ['encoded NUL before', `/console/%00${t}`],
    (t) => ['encoded NUL after, with a .js', `/console/${t}%00.js`],
    (t) => ['overlong UTF-8 dots', `/console/%c0%ae%c0%ae/%c0%ae%c0%ae/${t}`],
    (t) => ['double slash (absolute after the base)', `/console//${t}`],
    (t) => ['assets/../..', `/console/assets/../../${t}`],
    (t) => ['absolute-form request target', `http://localhost/console/%2e%2e/${t}`],
    (t) => ['semicolon trick', `/console/..;/${t}`],
    (t) => ['config.json then ..', `/console/config.json/../../${t}`],
  ];
  const odd: Array<[string, string]> = [
    ['a lone surrogate', '/console/%ED%A0%80'],
    ['a bare %', '/console/%'],
    ['%zz', '/console/%zz/x'],
    ['encoded NUL alone', '/console/%00'],
    ['config.json%00', '/console/config.json%00'],
    ['index.html%20', '/console/index.html%20'],
    ['upper-case INDEX.HTML', '/console/INDEX.HTML'],
    ['assets/ (a directory)', '/console/assets/'],
    ['assets (a directory)', '/console/assets'],
    ['a 6,000-character path', `/console/${'a/'.repeat(3000)}`],
    ['markup in the path', `/console/${encodeComponent('<script>alert(1)</script>')}`],
    ['zero-width and RTL', `/console/${encodeComponent('\u200b\u202e')}`],
    ['a query with markup', '/console/reviews?x=%3Cscript%3E&x=2'],
    ['a missing map file', '/console/assets/app-f022.js.map'],
    ['a stylesheet with traversal', '/console/assets/..%2fapp-f022.css'],
  ];
  const anyOutcome: Expectation = { statuses: [200, 400, 401, 404], plainText: 'either', also: servedFromRoot(site) };
  for (const make of hostile) {
    const [label, path] = make(rng.pick(TARGETS));
    add('traversal', `${label}: ${path.slice(0, 80)}`, path, anyOutcome);
  }
  for (const [label, path] of odd) add('odd-encoding', `${label}: ${path.slice(0, 60)}`, path, anyOutcome);
  // Other methods: the console routes are GET only; the rest of the API wants a token.
  // The console's routes are GET only (serverless.yml): a HEAD goes to the API's default route, which wants a token.
  add('method', 'HEAD /console/', '/console/', { statuses: [401] }, 'HEAD');
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) add('method', `${method} /console/`, '/console/', { statuses: [401, 405], plainText: 'either', also: servedFromRoot(site) }, method);
  // Random mixes of the above until the count.
  while (out.length < total) {
    const [label, path] = rng.bool(0.7) ? rng.pick(hostile)(rng.pick(TARGETS)) : rng.pick(odd);
    const headers: Array<[string, string]> = rng.bool(0.3) ? [rng.pick<[string, string]>([['accept-encoding', 'gzip'], ['if-none-match', '*'], ['authorization', 'Bearer garbage'], ['range', 'bytes=0-0']])] : [];
    add(rng.bool(0.7) ? 'traversal' : 'odd-encoding', `${label}${headers.length ? ` + ${headers[0]![0]}` : ''}: ${path.slice(0, 70)}`, path, { ...anyOutcome, statuses: [...anyOutcome.statuses, 304] }, 'GET', headers);
  }
  return out.map((c, i) => ({ ...c, id: `console#${i}` }));
}
