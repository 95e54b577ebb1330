import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE, userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { namedChannel } from './fixtures.js';
import { type BrowserUnderTest, consoleUrl, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * The Policies page (issue 7) in Debian's Chromium against a local stack: an admin edits a
 * channel's policy (problems shown on their lines), tests it, replays it, saves it, and the next
 * message in that channel is denied; the history diffs versions and rolls back; a moderator reads
 * and tests, and is told that saving is for admins. axe-core checks every view.
 */
const REFRESH_SECONDS = 1;
const at = (scope: string, suffix = '') => `/policies/${encodeURIComponent(scope)}${suffix}`;

describe('the Policies page (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;
  let admin: string;

  const pageFor = (viewport?: { width: number; height: number }): Promise<Page> => browser.pageFor(viewport);
  const editor = (page: Page) => page.getByLabel(/^Policy document of /);
  const put = async (scope: string, document: unknown, comment: string, expectedVersion: number) => {
    const response = await api(stack, 'PUT', at(scope), { token: admin, json: { document, comment, expectedVersion } });
    expect(response.status, response.text).toBe(200);
  };

  beforeAll(async () => {
    stack = await startReviewStack({ leaseSeconds: 30, env: { POLICY_REFRESH_SECONDS: String(REFRESH_SECONDS) } });
    chime = chimeClient(stack);
    browser = await openBrowser();
    admin = await tokenFor(stack, 'grace', ['moderators', 'admins']);
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('edit → test → save: problems on their lines, matches highlighted, a replay, and the next message in the channel is denied', async () => {
    const channel = await namedChannel(chime, 'Kids chat');
    // Recorded traffic for the replay: allowed by today's policy.
    const earlier = await sendMessage(chime, 'want some zorblax?', { channel, sender: userArn('dana') });
    await waitForItem(stack, earlier, (i) => i.status === 'DELIVERED', 'the first message to be delivered');

    const page = await pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', at(channel));
    await page.getByText('You are an admin: what you save applies to live traffic').waitFor();
    await page.getByText('Nothing of its own: it inherits.').waitFor();

    // A draft with two mistakes: the API's 400 names each field; the editor marks its line.
    await editor(page).fill('terms:\n  block:\n    - zorblax\n    - ""\n  revue: [refund]\n');
    await waitFor(async () => (await page.locator('.editor-line-problem').count()) === 2, { what: 'the two problems on their lines' });
    const inline = await page.locator('.editor-line-problem').allTextContents();
    expect(inline[0]).toMatch(/^ {4}- ""\s+◂ .*must not be empty/);
    expect(inline[1]).toMatch(/^ {2}revue: \[refund\]\s+◂ is not a known field/);
    expect(await page.locator('.editor-gutter').textContent()).toMatch(/4▸\n5▸/);
    expect(await page.getByRole('list', { name: 'Problems in the document' }).textContent()).toMatch(/Line 5\s*terms\.revue is not a known field/);
    expect(await page.getByRole('button', { name: 'Save as v1' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Line 5' }).click(); // the caret goes to the line
    expect(await editor(page).evaluate((t) => (t as unknown as { selectionStart: number }).selectionStart)).toBe('terms:\n  block:\n    - zorblax\n    - ""\n'.length);
    await expectAccessible(page, 'policy problems');
    await screenshot(page, 'policy-problems');

    await editor(page).fill('terms:\n  block:\n    - zorblax\n');
    await page.getByText('The API accepts this document.').waitFor();
    expect(await page.locator('.editor-line-problem').count()).toBe(0);

    // The test box: judged by the draft, the match highlighted in place.
    await page.getByLabel('Sample messages, one per line').fill('want some zorblax?\nhello there');
    const results = page.getByRole('list', { name: 'Test results' });
    await results.locator('li').nth(1).waitFor();
    await page.getByText('Judged by your draft (not saved)').waitFor();
    expect(await results.locator('li.test-result').first().locator('.verdict').first().textContent()).toBe('DENY');
    expect(await results.locator('li.test-result').first().locator('mark').evaluateAll((marks) => marks.map((m) => [m.firstChild?.textContent, m.getAttribute('data-rules')]))).toEqual([
      ['zorblax', 'terms.block'],
    ]);
    expect(await results.locator('li.test-result').nth(1).locator('.verdict').first().textContent()).toBe('ALLOW');
    await expectAccessible(page, 'policy test');
    await screenshot(page, 'policy-test');

    // Replay the last day: the message allowed earlier would now be denied.
    await page.getByRole('link', { name: 'Replay', exact: true }).click();
    await page.getByText('your draft (not saved)').waitFor();
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.locator('.replay-result').waitFor();
    expect((await page.locator('[data-cell="ALLOW>DENY"]').textContent())?.trim()).toMatch(/^1/);
    const sample = page.locator('.samples .sample').first();
    expect(await sample.locator('.sample-change').textContent()).toMatch(/^ALLOW\s*no rule\s*→\s*DENY\s*terms\.block$/);
    // The message as written, the candidate's match marked in place.
    expect(await sample.locator('.message-text').evaluate((p) => (p as unknown as { innerText: string }).innerText)).toMatch(/^want some zorblax[\s\S]*\?$/);
    expect(await sample.locator('mark').evaluate((m) => m.firstChild?.textContent)).toBe('zorblax');
    await expectAccessible(page, 'policy replay');
    await screenshot(page, 'policy-replay');

    // Back to the editor (the draft is kept), and save.
    await page.getByRole('link', { name: /^Edit and test/ }).click();
    expect(await editor(page).inputValue()).toBe('terms:\n  block:\n    - zorblax\n');
    await page.getByLabel('Why (kept in the history)').fill('block zorblax in the kids chat');
    await page.getByRole('button', { name: 'Save as v1' }).click();
    await page.locator('.scope-meta', { hasText: /v1, saved by ada/ }).waitFor();
    await page.getByText('v1, as saved').waitFor();
    const stored = await api(stack, 'GET', at(channel), { token: admin });
    expect(stored.body).toMatchObject({ version: 1, comment: 'block zorblax in the kids chat', updatedBy: { name: 'ada' }, document: { terms: { block: ['zorblax'] } } });

    // No deploy, no restart: the next message with the term in that channel is denied.
    const next = await sendMessage(chime, 'zorblax for sale', { channel, sender: userArn('dana') });
    await waitForStatus(chime, next, 'DENIED');
  });

  it('history: a diff between versions, and a rollback that makes a new version equal to the old one', async () => {
    const channel = await namedChannel(chime, 'Rollbacks');
    await put(channel, { terms: { block: ['zorblax'] } }, 'block zorblax', 0);
    await put(channel, { terms: { block: ['zorblax', 'quux'] }, pii: false }, 'and quux, no masking', 1);

    const page = await pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', at(channel, '?view=history'));
    await page.locator('tr[data-version="2"]', { hasText: 'current' }).waitFor();
    expect(await page.locator('tr[data-version="1"]').textContent()).toMatch(/v1\s*saved\s*grace.*block zorblax/);
    // The newest change by default: v1 → v2.
    await page.locator('.diff figcaption', { hasText: 'v1 → v2: 2 lines added, 0 lines removed.' }).waitFor();
    expect(await page.locator('.diff ins').allTextContents()).toEqual([expect.stringMatching(/\+Added: {5}- quux$/), expect.stringMatching(/\+Added: pii: false$/)]);
    await expectAccessible(page, 'policy history');
    await screenshot(page, 'policy-history');

    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByText('version 3 will be a copy of it').waitFor();
    await page.getByLabel('Why (kept in the history)').fill('quux was a false alarm');
    await expectAccessible(page, 'rollback');
    await screenshot(page, 'policy-rollback');
    await page.getByRole('button', { name: 'Confirm rollback' }).click();
    await page.locator('tr[data-version="3"]', { hasText: 'current' }).waitFor();
    expect(await page.locator('tr[data-version="3"]').textContent()).toMatch(/rolled back to v1.*ada.*quux was a false alarm/);
    await page.locator('.scope-meta', { hasText: 'v3, saved by ada' }).waitFor();

    const stored = await api(stack, 'GET', at(channel), { token: admin });
    expect(stored.body).toMatchObject({ version: 3, comment: 'quux was a false alarm', document: { terms: { block: ['zorblax'] } } });
    expect(stored.body.document.pii).toBeUndefined();
    const versions = await api(stack, 'GET', at(channel, '/versions'), { token: admin });
    expect(versions.body.items[0]).toMatchObject({ version: 3, kind: 'rollback', restoredVersion: 1, updatedBy: { name: 'ada' } });
    // Comparing v2 with v3 shows what the rollback undid.
    await page.getByLabel('From', { exact: true }).selectOption('2');
    await page.getByLabel('To', { exact: true }).selectOption('3');
    await page.locator('.diff figcaption', { hasText: 'v2 → v3: 0 lines added, 2 lines removed.' }).waitFor();
  });

  it('a draft saved over someone else’s change is refused (409), keeps the draft, and says who changed what', async () => {
    const channel = await namedChannel(chime, 'Races');
    await put(channel, { terms: { block: ['alpha'] } }, 'alpha', 0);
    const page = await pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', at(channel));
    await page.getByText('v1, as saved').waitFor();
    await editor(page).fill('terms:\n  block: [alpha, beta]\n');
    await page.getByText('The API accepts this document.').waitFor();
    await put(channel, { terms: { block: ['alpha', 'gamma'] } }, 'gamma, urgently', 1); // grace, meanwhile

    await page.getByLabel('Why (kept in the history)').fill('beta too');
    await page.getByRole('button', { name: 'Save as v2' }).click();
    const notice = page.locator('.notice-policy-version-conflict');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/grace saved version 2 at .*“gamma, urgently”.*you started from version 1\. Nothing was saved/);
    expect(await editor(page).inputValue()).toBe('terms:\n  block: [alpha, beta]\n');
    await page.locator('.scope-meta', { hasText: 'v2, saved by grace' }).waitFor(); // the page reads the scope again
    await notice.getByRole('button', { name: 'Compare with v2' }).click();
    await notice.locator('.diff del', { hasText: 'gamma' }).waitFor();
    await expectAccessible(page, 'policy conflict');
    await notice.evaluate((n) => n.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'policy-conflict');

    await notice.getByRole('button', { name: 'Keep my draft, to save over v2' }).click();
    await page.getByRole('button', { name: 'Save as v3' }).click();
    await page.getByText('v3, as saved').waitFor();
    expect((await api(stack, 'GET', at(channel), { token: admin })).body).toMatchObject({ version: 3, document: { terms: { block: ['alpha', 'beta'] } } });
  });

  it('the effective policy says where each setting comes from', async () => {
    const channel = await namedChannel(chime, 'Classroom');
    await put(APP_INSTANCE, { terms: { block: ['pyramid scheme'] }, pii: { action: 'REVIEW' }, escalation: [{ strikes: 3, within: '24h', action: 'HOLD', for: '24h' }] }, 'school rules', 0);
    await put(channel, { terms: { block: ['dare'] }, remove: { terms: { review: ['refund'] } }, pii: { action: 'DENY' }, notices: { hold: { enabled: true } }, cannedReasons: { deny: ['Cheating'] } }, 'kids', 0);
    const page = await pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', at(channel, '?view=effective'));
    const terms = page.getByRole('region', { name: /Terms and phrases/ });
    await terms.locator('.chips li').first().waitFor();
    const chip = (text: string) => terms.locator('.chips li', { hasText: text }).locator('.source');
    expect(await chip('scamcoin').textContent()).toBe('global');
    expect(await chip('pyramid scheme').textContent()).toMatch(/^app instance /);
    expect(await chip('dare').textContent()).toBe('this scope');
    expect(await terms.textContent()).not.toContain('refund'); // removed here
    const pii = page.getByRole('region', { name: /Personal data/ });
    expect(await pii.locator('.settings div', { hasText: 'action' }).textContent()).toMatch(/"DENY"\s*this scope/);
    expect(await pii.locator('.settings div', { hasText: 'email' }).textContent()).toMatch(/true\s*global/);
    expect(await page.getByRole('list', { name: 'Scopes merged, broadest first' }).textContent()).toMatch(/Global v0.*App instance .* v1.*Channel .* v1/);
    // The community settings: each with where it comes from, durations as policies write them.
    const escalation = page.getByRole('region', { name: /^Escalation/ });
    expect(await escalation.textContent()).toMatch(/3 strikes within 1d → HOLD for 1d, sender told.*from app instance /);
    const notices = page.getByRole('region', { name: /^Notices to members/ });
    const enabled = async (kind: string) => (await notices.getByRole('row', { name: new RegExp(`^${kind}\\b`) }).getByRole('cell').first().textContent()) ?? '';
    expect(await enabled('hold')).toMatch(/true\s*this scope/);
    expect(await enabled('deny')).toMatch(/true\s*global/);
    expect(await page.getByRole('region', { name: /^Appeals/ }).locator('.settings div', { hasText: 'window' }).textContent()).toMatch(/14d\s*global/);
    const canned = page.getByRole('region', { name: /^Canned reasons/ });
    expect(await canned.locator('.chips li', { hasText: 'Cheating' }).locator('.source').textContent()).toBe('this scope');
    await expectAccessible(page, 'effective policy');
    await screenshot(page, 'policy-effective');
    await page.getByRole('heading', { name: 'Community settings' }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'policy-community');
    // The app instance's policy stays where it was for the other tests' channels.
    expect((await api(stack, 'DELETE', at(APP_INSTANCE, `?comment=done&expectedVersion=1`), { token: admin })).status).toBe(200);
  });

  it('a moderator reads and tests, 390 px wide, and is told that saving is for admins', async () => {
    const channel = await namedChannel(chime, 'Readers');
    await put(channel, { terms: { block: ['zorblax'] } }, 'block zorblax', 0);
    const page = await pageFor(PHONE);
    await signIn(page, stack, 'mo', 'moderators', at(channel));
    await page.getByText('Read and test only.').waitFor();
    await page.getByText('v1, as saved').waitFor();
    expect(await page.getByText('Only admins can save.').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save as v2' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Delete this policy' }).isDisabled()).toBe(true);

    // Trying a change and testing it is for everyone.
    await editor(page).fill('terms:\n  block: [zorblax, frobnicate]\n');
    await page.getByLabel('Sample messages, one per line').fill('frobnicate now');
    await page.getByText('Judged by your draft (not saved)').waitFor();
    expect(await page.locator('.test-result .verdict').first().textContent()).toBe('DENY');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'policies at 390 px, as a moderator');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'policy-phone');

    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.getByText('Only admins can roll back.').waitFor();
    // Nothing was stored by the moderator's draft.
    expect((await api(stack, 'GET', at(channel), { token: admin })).body.version).toBe(1);
  });

  it('lists the scopes, global first, and opens any scope by its ARN', async () => {
    const page = await pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', '/policies');
    const list = page.locator('.scope-list');
    await list.locator('li').first().waitFor();
    expect(await list.locator('li').first().textContent()).toMatch(/^Global\s*v0 · the bundled POLICY_FILE/);
    expect(await list.locator('li').count()).toBeGreaterThan(1);
    await page.getByRole('heading', { name: 'Global', exact: true }).waitFor();
    await expectAccessible(page, 'policies list');
    await screenshot(page, 'policies');
    const fresh = `${APP_INSTANCE}/channel/not-stored-yet`;
    await page.getByLabel('Open a scope').fill(fresh);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText('Nothing of its own: it inherits.').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console${at(fresh)}`);
    expect(await page.locator('.scope-list li[class*="current"]').textContent()).toMatch(/nothing stored: inherits/);
    // A scope that is no scope: the API's own words.
    await page.goto(consoleUrl(stack, at('not-a-scope')));
    await page.getByText(/must be `global`, an app instance ARN/).waitFor();
  });
});
