import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';

/**
 * Real-browser tests of the moderator console: Debian's Chromium driven by playwright-core
 * (never a downloaded browser), against a local stack started in-process on ephemeral ports,
 * which serves the built console (`npm run test:browser` builds it first when stale).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags the machine needs: no sandbox (root), no GPU, and no background networking (this
 * machine's network is closed; Chromium's own connections would be refused, many at a time).
 * Playwright gives every launch a fresh, empty --user-data-dir of its own (it refuses one in
 * `args`), so no state leaks between runs.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}. Install Debian's: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function newContext(browser: Browser, viewport = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-GB', acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  return context;
}

/** One Chromium for a test file: each page in a context of its own (cold cache, no shared storage), all closed with it. */
export interface BrowserUnderTest {
  pageFor(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserUnderTest> {
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    async pageFor(viewport) {
      const context = await newContext(browser, viewport);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

export const consoleUrl = (stack: LocalStack, path = '') => `${stack.endpoints.api}/console${path}`;

/** Signs in through the console's local form, as a moderator would. */
export async function signIn(page: Page, stack: LocalStack, username: string, groups = 'moderators', path = '') {
  await page.goto(consoleUrl(stack, path));
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Groups', { exact: true }).fill(groups);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe-core, injected into the page, on the whole document: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)");
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })) }));
}

/** No serious or critical axe-core violation on the page as it is now (`view` names it in the failure). */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${view}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

export const ARTIFACTS = fileURLToPath(new URL('../../.artifacts/console/', import.meta.url));

/** A screenshot of the page as a test artifact (.artifacts/console/NAME.png, gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: false });
  return path;
}
