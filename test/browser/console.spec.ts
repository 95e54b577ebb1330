import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, waitForStatus } from '../support/stack.js';
import { AdjustableClock, waitFor } from '../support/wait.js';
import { deliveredContent, heldMessage, namedChannel, seedWithSpans } from './fixtures.js';
import { type BrowserUnderTest, consoleUrl, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * The moderator console in Debian's Chromium against a local stack: what a moderator does, end
 * to end, down to what Chime ends up with. Every view is checked with axe-core (no serious or
 * critical violations) and photographed into .artifacts/console/.
 */
describe('moderator console (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;
  const clock = new AdjustableClock();

  const pageFor = (viewport?: { width: number; height: number }): Promise<Page> => browser.pageFor(viewport);
  const row = (page: Page, text: string) => page.locator('.queue-row', { hasText: text });
  /** The open message's claim line (the queue's rows carry claim badges too). */
  const claimLine = (page: Page, text: RegExp) => page.locator('.review-pane .claim-line', { hasText: text });
  // A function, not a string: the console's CSP refuses eval, and Playwright evals string predicates.
  const focusedOn = (page: Page, id: string) =>
    page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === want, id);
  const decisionButton = (page: Page, name: 'Allow' | 'Deny' | 'Edit and allow') => page.getByRole('region', { name: 'Open message' }).getByRole('button', { name, exact: true });

  beforeAll(async () => {
    stack = await startReviewStack({ clock, leaseSeconds: 30 });
    chime = chimeClient(stack);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('signs in with the local form, and the held messages appear with their countdowns', async () => {
    const channel = await namedChannel(chime, 'Support desk');
    const now = clock.now();
    const margin = stack.config.expiryMarginSeconds * 1000;
    // One due in 10 minutes (red), one in 90 minutes (amber), one with the full window (calm).
    await seedWithSpans(stack, channel, now + margin + 10 * 60_000);
    await seedWithSpans(stack, channel, now + margin + 90 * 60_000);
    const { item } = await heldMessage(stack, chime, 'Can I get a refund for order 1234?', { channel });

    const page = await pageFor();
    await page.goto(consoleUrl(stack, '/'));
    await page.getByText('Local only.').waitFor();
    await page.getByLabel('Username', { exact: true }).waitFor();
    expect(await page.getByLabel('Groups', { exact: true }).inputValue()).toBe('moderators');
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await signIn(page, stack, 'alice', 'moderators', `/?channel=${encodeURIComponent(channel)}`);

    await waitFor(async () => (await page.locator('.queue-row').count()) === 3, { what: 'three held messages' });
    const urgencies = await page.locator('.queue-row .countdown').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-urgency')));
    expect(urgencies).toEqual(['critical', 'warning', 'ok']); // most urgent first
    const real = row(page, 'order 1234');
    expect(await real.textContent()).toContain('#Support desk'); // Chime's channel Name, via DescribeChannel
    expect(await real.textContent()).toContain('dana');
    expect(await real.locator('.countdown').textContent()).toMatch(/auto-DENY at \S+.*in \d+h \d+m/);
    // The countdown names the moment the sweeper acts: deadline − margin, as the API says.
    expect(Date.parse(item.deadline) - margin).toBeGreaterThan(now);
    await expectAccessible(page, 'queue');
    await screenshot(page, 'queue');

    // A message held while the moderator watches shows up without a reload.
    await heldMessage(stack, chime, 'Is a refund possible after 30 days?', { channel });
    await waitFor(async () => (await page.locator('.queue-row').count()) === 4, { what: 'the new message to appear', timeoutMs: 12_000 });
  });

  it('opens an item: claims it, highlights what fired in place, and shows its context', async () => {
    const channel = await namedChannel(chime, 'Highlights');
    const item = await seedWithSpans(stack, channel, clock.now() + 20 * 3_600_000);
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/?channel=${encodeURIComponent(channel)}`);
    await row(page, 'Refund me now').locator('.row-link').click();

    await claimLine(page, /Claimed by you until/).waitFor();
    const claimed = await api(stack, 'GET', `/reviews/${item.callbackId}`, { token: await tokenFor(stack, 'bob') });
    expect(claimed.body.claim).toMatchObject({ username: 'alice', active: true });
    expect(page.url()).toContain(`/console/reviews/${item.callbackId}`);

    const marks = await page.locator('.message-text mark').evaluateAll((nodes) => nodes.map((n) => [n.firstChild?.textContent, n.getAttribute('data-rules')]));
    expect(marks).toEqual([
      ['Refund', 'terms.review'],
      ['carol@example.com', 'pii.email'],
      ['https://bit.example/x', 'links.unknown'],
    ]);
    const pane = page.getByRole('region', { name: 'Open message' });
    for (const text of ['Why it was held', 'Metadata', 'MessageAttributes', 'History', 'Content contains an email address']) await pane.getByText(text).first().waitFor();
    await expectAccessible(page, 'item');
    await screenshot(page, 'item');

    // Leaving gives the claim back.
    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    await waitFor(async () => (await api(stack, 'GET', `/reviews/${item.callbackId}`, { token: await tokenFor(stack, 'bob') })).body.claim === null, { what: 'the claim to be released' });
  });

  it('Edit and allow: the simulator shows the message SENT with the edited content', async () => {
    const channel = await namedChannel(chime, 'Edits');
    const { sent, item } = await heldMessage(stack, chime, 'Can I get a refund for order 9876 to my card 4111?', { channel });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await decisionButton(page, 'Edit and allow').click();

    const content = page.getByLabel('Content', { exact: true });
    await content.fill('x'.repeat(4097));
    await page.getByText('4097 / 4096 bytes').waitFor();
    expect(await page.getByRole('button', { name: 'Confirm', exact: true }).isDisabled()).toBe(true);
    await content.fill('€'.repeat(1366)); // 4098 bytes in UTF-8, 1366 characters
    await page.getByText('4098 / 4096 bytes').waitFor();
    await content.fill('Can I get a refund for my order?');
    await page.getByLabel('Title', { exact: true }).fill('T'.repeat(51));
    await page.getByText('51 / 50 characters').waitFor();
    expect(await page.getByRole('button', { name: 'Confirm', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Title', { exact: true }).fill('Support');
    await page.getByLabel('Body', { exact: true }).fill('A question about an order');
    await expectAccessible(page, 'edit form');
    await page.evaluate("document.getElementById('edit-title').scrollIntoView({ block: 'start' })");
    await screenshot(page, 'edit');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();

    await waitForStatus(chime, sent, 'SENT');
    expect(await deliveredContent(chime, sent)).toBe('Can I get a refund for my order?');
    const decided = (await stack.runtime.store.get(item.callbackId))!;
    expect(decided.decision).toMatchObject({ action: 'UPDATE', origin: 'MODERATOR', actor: { name: 'alice' }, update: { content: 'Can I get a refund for my order?', pushNotification: { title: 'Support' } } });
  });

  it('Deny with a reason: the message is DENIED', async () => {
    const channel = await namedChannel(chime, 'Denials');
    const { sent, item } = await heldMessage(stack, chime, 'refund me now or I post your home address', { channel });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await decisionButton(page, 'Deny').click();
    await page.getByLabel('Reason', { exact: true }).fill('threatens to publish an address');
    await expectAccessible(page, 'deny form');
    await screenshot(page, 'deny');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await waitForStatus(chime, sent, 'DENIED');
    expect((await stack.runtime.store.get(item.callbackId))!.decision).toMatchObject({ action: 'DENY', reason: 'threatens to publish an address', actor: { name: 'alice' } });
  });

  it('two moderators: the second sees the first one’s claim and cannot decide', async () => {
    const channel = await namedChannel(chime, 'Two moderators');
    const { item } = await heldMessage(stack, chime, 'refund please, order 55', { channel });
    const alice = await pageFor();
    const bob = await pageFor();
    await signIn(alice, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await claimLine(alice, /Claimed by you until/).waitFor();

    await signIn(bob, stack, 'bob', 'moderators', `/reviews/${item.callbackId}`);
    await bob.getByText('Claimed by someone else').waitFor();
    expect(await bob.getByRole('alert').first().textContent()).toMatch(/alice is working on this message until/);
    expect(await bob.locator('.review-pane .claim-line').textContent()).toMatch(/Claimed by alice until/);
    for (const name of ['Allow', 'Deny', 'Edit and allow'] as const) expect(await decisionButton(bob, name).isDisabled()).toBe(true);
    await expectAccessible(bob, 'item claimed by someone else');
    await screenshot(bob, 'claimed-by-other');
    // The queue says who holds it, too.
    expect(await row(bob, 'order 55').locator('.claim-badge').textContent()).toMatch(/Claimed by alice until/);

    // When alice leaves, her claim is released and bob, still looking at it, gets it.
    await alice.getByRole('link', { name: 'Queue', exact: true }).click();
    await claimLine(bob, /Claimed by you until/).waitFor({ timeout: 12_000 });
    expect(await decisionButton(bob, 'Allow').isDisabled()).toBe(false);
  });

  it('an item decided by someone else while it is open explains the 409: who decided what, and when', async () => {
    const channel = await namedChannel(chime, 'Races');
    const { item } = await heldMessage(stack, chime, 'refund, please, quickly', { channel });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await claimLine(page, /Claimed by you until/).waitFor();
    // Freeze the page's view of the item, so the click goes out on what alice saw.
    await page.route(`**/reviews/${item.callbackId}`, (route) => (route.request().method() === 'GET' ? route.abort() : route.fallback()));
    const admin = await tokenFor(stack, 'carol', ['admins']);
    expect((await api(stack, 'DELETE', `/reviews/${item.callbackId}/claim`, { token: admin })).status).toBe(200);
    const bobToken = await tokenFor(stack, 'bob');
    expect((await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: bobToken, json: { action: 'DENY', reason: 'spam' } })).status).toBe(200);

    await decisionButton(page, 'Allow').click();
    const notice = page.locator('.notice-already-decided');
    await notice.waitFor();
    const text = (await notice.textContent())!;
    expect(text).toContain('Someone decided first');
    expect(text).toMatch(/bob already decided DENY at .*Reason: “spam”/);
    await page.unroute(`**/reviews/${item.callbackId}`);
    // Once the page reads the item again it shows where it stands; the explanation stays.
    await page.locator('.review-pane .status-pill', { hasText: 'DELIVERED' }).waitFor();
    await notice.waitFor();
    await expectAccessible(page, '409 explanation');
    await screenshot(page, 'conflict');
    expect((await stack.runtime.store.get(item.callbackId))!.decision).toMatchObject({ action: 'DENY', actor: { name: 'bob' } });
  });

  it('works three items with the keyboard alone: allow, deny with a reason, edit', async () => {
    const channel = await namedChannel(chime, 'Keyboard');
    const a = await heldMessage(stack, chime, 'refund for order A', { channel });
    const b = await heldMessage(stack, chime, 'refund for order B', { channel });
    const c = await heldMessage(stack, chime, 'refund for order C', { channel });
    const page = await pageFor();
    await page.goto(consoleUrl(stack, `/?channel=${encodeURIComponent(channel)}`));
    await page.getByLabel('Username', { exact: true }).waitFor();
    await page.keyboard.type('kim');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.locator('.queue-row').count()) === 3, { what: 'the three messages' });

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectAccessible(page, 'shortcuts');
    await screenshot(page, 'shortcuts');
    await page.keyboard.press('Escape');

    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await claimLine(page, /Claimed by you until/).waitFor();
    expect(page.url()).toContain(a.item.callbackId);
    await page.keyboard.press('a');
    await waitForStatus(chime, a.sent, 'SENT');

    await waitFor(() => page.url().includes(b.item.callbackId), { what: 'the next item to open' });
    await claimLine(page, /Claimed by you until/).waitFor();
    await page.keyboard.press('d');
    await focusedOn(page, 'deny-reason');
    await page.keyboard.type('off-topic');
    await page.keyboard.press('Enter');
    await waitForStatus(chime, b.sent, 'DENIED');

    await waitFor(() => page.url().includes(c.item.callbackId), { what: 'the third item to open' });
    await claimLine(page, /Claimed by you until/).waitFor();
    await page.keyboard.press('e');
    await focusedOn(page, 'edit-content');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('refund for an order');
    await page.keyboard.press('Control+Enter');
    await waitForStatus(chime, c.sent, 'SENT');
    expect(await deliveredContent(chime, c.sent)).toBe('refund for an order');
    await page.getByText('No held messages match these filters.').waitFor();
    const actions = await Promise.all([a, b, c].map(async (x) => (await stack.runtime.store.get(x.item.callbackId))!.decision?.action));
    expect(actions).toEqual(['ALLOW', 'DENY', 'UPDATE']);
  });

  it('bulk: selects with checkboxes and x, denies them with one reason, and reports each', async () => {
    const channel = await namedChannel(chime, 'Spam wave');
    const mallory = userArn('mallory');
    const held = [];
    for (const n of [1, 2, 3]) held.push(await heldMessage(stack, chime, `cheap refund service, DM me (${n})`, { channel, sender: mallory }));
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/?channel=${encodeURIComponent(channel)}`);
    await waitFor(async () => (await page.locator('.queue-row').count()) === 3, { what: 'the spam wave' });
    await page.locator('.row-check').nth(0).check();
    await page.locator('.row-check').nth(1).check();
    await page.locator('.row-link').nth(2).focus();
    await page.keyboard.press('x');
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Deny selected', exact: true }).click();
    await page.getByLabel('Reason', { exact: true }).fill('spam wave');
    await expectAccessible(page, 'bulk');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByRole('heading', { name: 'Bulk decision: 3 of 3 done' }).waitFor();
    expect(await page.locator('.bulk-results li.ok').count()).toBe(3);
    await screenshot(page, 'bulk');
    for (const { sent } of held) await waitForStatus(chime, sent, 'DENIED');
  });

  it('the audit view lists the decisions with the API’s filters, and exports CSV', async () => {
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', '/audit?origin=MODERATOR&moderator=alice');
    // The log walks back day by day until it has a page; give a loaded machine time.
    await page.locator('.audit-table tbody tr').first().waitFor({ timeout: 45_000 });
    const text = (await page.locator('.audit-table').textContent())!;
    expect(text).toContain('threatens to publish an address');
    expect(text).toContain('spam wave');
    expect(text).not.toContain('bob'); // filtered to alice
    await expectAccessible(page, 'audit');
    await screenshot(page, 'audit');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray();
    const body = Buffer.concat(csv as Buffer[]).toString('utf8');
    expect(body.split('\r\n')[0]).toMatch(/^decidedAt,origin,action,decidedBy/);
    expect(body).toContain('threatens to publish an address');
  });

  it('the dashboard shows counts, the queue’s clock and 24 h of decisions by origin', async () => {
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', '/dashboard');
    await page.getByRole('heading', { name: 'Decisions by origin, last 24 hours' }).waitFor();
    expect(await page.locator('.chart svg rect').count()).toBeGreaterThan(0);
    expect(await page.locator('.chart svg').getAttribute('aria-label')).toMatch(/moderators \d+/);
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'dashboard');
  });

  it('is usable 390 px wide: the queue, then the item on its own screen', async () => {
    const channel = await namedChannel(chime, 'Phone');
    const { item } = await heldMessage(stack, chime, 'refund, from my phone', { channel });
    const page = await pageFor(PHONE);
    await signIn(page, stack, 'alice', 'moderators', `/?channel=${encodeURIComponent(channel)}`);
    await row(page, 'from my phone').waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'queue at 390 px');
    await screenshot(page, 'queue-phone');
    await row(page, 'from my phone').locator('.row-link').click();
    await claimLine(page, /Claimed by you until/).waitFor();
    expect(await page.locator('.queue-pane').isVisible()).toBe(false);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'item at 390 px');
    await screenshot(page, 'item-phone');
    await decisionButton(page, 'Allow').click();
    await waitFor(async () => (await stack.runtime.store.get(item.callbackId))!.decision?.action === 'ALLOW', { what: 'the decision' });
  });

  it('a message whose deadline has passed says so, and cannot be decided', async () => {
    const channel = await namedChannel(chime, 'Too late');
    const late = await seedWithSpans(stack, channel, clock.now() - 60_000);
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${late.callbackId}`);
    const notice = page.locator('.notice-deadline-passed');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/The deadline passed.*Chime stopped accepting a decision for this message at/);
    for (const name of ['Allow', 'Deny', 'Edit and allow'] as const) expect(await decisionButton(page, name).isDisabled()).toBe(true);
    await expectAccessible(page, '410 explanation');
  });

  it('an account in neither group is told so plainly', async () => {
    const page = await pageFor();
    await page.goto(consoleUrl(stack, '/'));
    await page.getByLabel('Username', { exact: true }).fill('vic');
    await page.getByLabel('Groups', { exact: true }).fill('viewers');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Not a moderator' }).waitFor();
    expect(await page.locator('.forbidden').textContent()).toMatch(/neither the moderators nor the admins group/);
    await expectAccessible(page, '403');
    await screenshot(page, 'forbidden');
  });

  it('an expired token brings the sign-in back over the page, and the moderator carries on where they were', async () => {
    const channel = await namedChannel(chime, 'Expiry');
    const { item } = await heldMessage(stack, chime, 'refund, while the token runs out', { channel });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await claimLine(page, /Claimed by you until/).waitFor();

    // The API's clock moves past the token's expiry: the next call answers 401.
    clock.advance(2 * 3_600_000);
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`/console/reviews/${item.callbackId}`);
    await expectAccessible(page, 'sign in again');
    await screenshot(page, 'signed-out');
    await dialog.getByLabel('Username', { exact: true }).fill('alice');
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await claimLine(page, /Claimed by you until/).waitFor();
    expect(page.url()).toContain(`/console/reviews/${item.callbackId}`);

    // And a session whose token runs out ends by itself, on the browser's timer: the API would
    // still take this token, so only the timer can bring the sign-in back here.
    const shortLived = await stack.issuer.mint({ user: 'alice', groups: ['moderators'], nowMs: clock.now() });
    await page.evaluate(`sessionStorage.setItem('moderation-console.session', ${JSON.stringify(JSON.stringify({ token: shortLived, expiresAt: Date.now() + 3000, username: 'alice' }))})`);
    await page.reload();
    await page.getByRole('dialog', { name: 'Sign in again' }).waitFor({ timeout: 10_000 });
  });
});
