/**
 * The moderator console: (1) time from navigation to the first page of the queue rendered (50
 * rows, countdowns running), with 10,000 pending items, in headless Chromium (Debian's, through
 * playwright-core), each run in a fresh browser context (cold cache); (2) the JavaScript the
 * first load needs, gzipped as the console function serves it (budget: 150 KB); (3) what is
 * loaded later, on demand (the Policies page, with its YAML parser and diff), so that moving
 * code out of the first load never hides it.
 *
 * `npx tsx bench/console.ts` prints the figures; `benchConsole()` returns them silently.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from '../src/local/console.js';
import { startLocalStack } from '../src/local/stack.js';
import { launchChromium } from '../test/browser/support.js';
import { seedPendingReviews, type HeldMessage } from './review.js';
import { isRunDirectly } from './run-directly.js';

export const FIRST_LOAD_BUDGET_BYTES = 150 * 1024;
const FIRST_PAGE_ROWS = 50;

export interface ConsoleBenchResult {
  items: number;
  runs: number;
  /** Milliseconds from navigation start to the 50th row in the DOM. */
  firstPageP50: number;
  firstPageMin: number;
  firstPageMax: number;
  /** The scripts index.html loads (entry and modulepreloads), gzipped -9 as served. */
  firstLoadJsGzipBytes: number;
  firstLoadJsBytes: number;
  cssGzipBytes: number;
  /** Chunks the first load does not fetch (loaded when a page needs them), gzipped. */
  lazyChunks: LazyChunk[];
}

export interface LazyChunk {
  /** The chunk's name without its hash, e.g. `PoliciesPage`. */
  name: string;
  jsGzipBytes: number;
  cssGzipBytes: number;
}

/** A refund request with an e-mail address: two findings to highlight in every row and item. */
function refundWithEmail(i: number): HeldMessage {
  const content = `Can I get a refund for order ${i}? Mail me at user${i}@example.com`;
  const email = content.indexOf('user');
  return {
    content,
    policy: {
      action: 'REVIEW',
      ruleIds: ['terms.review', 'pii.email'],
      reason: 'Content contains term "refund" that requires review; an email address',
      findings: [
        { ruleId: 'terms.review', action: 'REVIEW', reason: 'Content contains term "refund" that requires review', spans: [{ start: 12, end: 18 }] },
        { ruleId: 'pii.email', action: 'UPDATE', reason: 'Content contains an email address', spans: [{ start: email, end: content.length }] },
      ],
    },
  };
}

/** What index.html makes the browser fetch before the app runs: the entry script and its preloads. */
export function firstLoadBundle(dist = CONSOLE_DIST): { js: number; jsGzip: number; cssGzip: number } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => readFileSync(join(dist, m[1]!.replace(/^\/console\//, ''))));
  const scripts = files(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g);
  const styles = files(/<link[^>]*rel="stylesheet"[^>]*\shref="([^"]+\.css)"/g);
  const gz = (buffers: Buffer[]) => buffers.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0);
  if (scripts.length === 0) throw new Error(`No script found in ${dist}/index.html`);
  return { js: scripts.reduce((s, b) => s + b.length, 0), jsGzip: gz(scripts), cssGzip: gz(styles) };
}

/** Every built file index.html does not load, grouped by chunk name (JS and its CSS), gzipped -9. */
export function lazyBundle(dist = CONSOLE_DIST): LazyChunk[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const chunks = new Map<string, LazyChunk>();
  for (const file of readdirSync(join(dist, 'assets'))) {
    if (html.includes(`assets/${file}`) || !/\.(js|css)$/.test(file)) continue;
    const name = file.replace(/-[\w-]{8}\.(js|css)$/, '');
    const chunk = chunks.get(name) ?? { name, jsGzipBytes: 0, cssGzipBytes: 0 };
    const size = gzipSync(readFileSync(join(dist, 'assets', file)), { level: 9 }).length;
    if (file.endsWith('.js')) chunk.jsGzipBytes += size;
    else chunk.cssGzipBytes += size;
    chunks.set(name, chunk);
  }
  return [...chunks.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function benchConsole(options: { items?: number; runs?: number } = {}): Promise<ConsoleBenchResult> {
  const count = options.items ?? 10_000;
  const runs = options.runs ?? 5;
  execFileSync(process.execPath, [new URL('../console/ensure-built.mjs', import.meta.url).pathname], { stdio: 'inherit' });
  const bundle = firstLoadBundle();
  const lazyChunks = lazyBundle();
  const stack = await startLocalStack({ apiPort: 0, chimePort: 0, lambdaPort: 0, sweepIntervalSeconds: 0, issuerKeyFile: null, logLevel: 'SILENT' });
  const browser = await launchChromium();
  try {
    await seedPendingReviews(stack, count, refundWithEmail);
    const token = await stack.issuer.mint({ user: 'bench', groups: ['moderators'], nowMs: stack.runtime.clock.now() });
    const session = JSON.stringify({ token, expiresAt: Date.now() + 3_600_000, username: 'bench' });
    const timings: number[] = [];
    for (let run = 0; run < runs + 1; run += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Signed in already (the benchmark is the queue, not typing), and a watcher that notes the
      // moment the 50th row appears, on the page's own clock (ms since navigation start).
      await context.addInitScript(`
        sessionStorage.setItem('moderation-console.session', ${JSON.stringify(session)});
        new MutationObserver((_, observer) => {
          if (document.querySelectorAll('.queue-row').length >= ${FIRST_PAGE_ROWS}) { window.__firstPageAt = performance.now(); observer.disconnect(); }
        }).observe(document, { childList: true, subtree: true });
      `);
      const page = await context.newPage();
      await page.goto(`${stack.endpoints.api}/console/`);
      // A function, not a string: the console's CSP (rightly) refuses eval.
      await page.waitForFunction(() => (globalThis as { __firstPageAt?: number }).__firstPageAt !== undefined, undefined, { timeout: 60_000 });
      const at = await page.evaluate<number>('window.__firstPageAt');
      if (run > 0) timings.push(at); // the first run warms the server (JIT, caches), not the browser
      await context.close();
    }
    timings.sort((a, b) => a - b);
    return {
      items: count,
      runs,
      firstPageP50: timings[Math.floor((timings.length - 1) / 2)]!,
      firstPageMin: timings[0]!,
      firstPageMax: timings[timings.length - 1]!,
      firstLoadJsGzipBytes: bundle.jsGzip,
      firstLoadJsBytes: bundle.js,
      cssGzipBytes: bundle.cssGzip,
      lazyChunks,
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}

export function printConsoleBench(r: ConsoleBenchResult): void {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`  first page of the queue (${FIRST_PAGE_ROWS} rows) with ${r.items.toLocaleString('en-US')} pending, cold browser cache, ${r.runs} runs`);
  console.log(`    p50 ${ms(r.firstPageP50)}   min ${ms(r.firstPageMin)}   max ${ms(r.firstPageMax)}   (navigation start → 50th row in the DOM)`);
  console.log(`  first-load JavaScript  ${kb(r.firstLoadJsGzipBytes)} gzipped (${kb(r.firstLoadJsBytes)} raw)   budget ${kb(FIRST_LOAD_BUDGET_BYTES)}: ${r.firstLoadJsGzipBytes <= FIRST_LOAD_BUDGET_BYTES ? 'within' : 'OVER'}`);
  console.log(`  stylesheet             ${kb(r.cssGzipBytes)} gzipped`);
  for (const chunk of r.lazyChunks) console.log(`  loaded on demand       ${chunk.name}: ${kb(chunk.jsGzipBytes)} JavaScript + ${kb(chunk.cssGzipBytes)} CSS gzipped (not in the first load)`);
}

if (isRunDirectly(import.meta.url)) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  benchConsole()
    .then((r) => {
      console.log('Moderator console in headless Chromium');
      printConsoleBench(r);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
