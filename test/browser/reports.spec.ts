import { GetChannelMessageCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { namedChannel } from './fixtures.js';
import { reportAll, reportedMessage, sentMessage, someone } from './people-fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * The Reports queue and a case (issue 15) in Debian's Chromium against a local stack: members
 * report SENT messages through the API; moderators see the cases with their SLA countdowns,
 * categories, reporters and priority, filter and order them (in the URL), open one (claiming
 * it), read each reporter's track record, and decide it with a canned reason, down to what
 * Chime then holds. Conflicts (another's claim, a case that changed, a decision made elsewhere)
 * are explained; everything works from the keyboard; every view passes axe-core.
 */
describe('Reports queue and cases (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;

  const pageFor = (viewport?: { width: number; height: number }): Promise<Page> => browser.pageFor(viewport);
  const row = (page: Page, text: string) => page.locator('.case-row', { hasText: text });
  const pane = (page: Page) => page.getByRole('region', { name: 'Open case' });
  const decisionButton = (page: Page, name: 'Dismiss' | 'Redact' | 'Delete') => pane(page).getByRole('button', { name, exact: true });
  const readBack = (sent: SentMessage) => chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender }));
  const focusedOn = (page: Page, id: string) =>
    page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === want, id);

  beforeAll(async () => {
    stack = await startReviewStack({ moderationBotArn: '{appInstanceArn}/bot/moderation', env: { POLICY_REFRESH_SECONDS: '0.5' } });
    chime = chimeClient(stack, { maxAttempts: 1 });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('lists the open cases with SLA countdowns, categories, reporters and priority; filters and order live in the URL', async () => {
    const channel = await namedChannel(chime, 'Town square');
    const mallory = someone('mallory');
    const [ruth, sam, tess] = [someone('ruth'), someone('sam'), someone('tess')];
    await reportedMessage(stack, chime, 'nobody would miss me if I was gone', { channel, sender: someone('quinn'), reports: [{ member: ruth, category: 'self-harm', note: 'please check on them' }] });
    await reportedMessage(stack, chime, 'you are pathetic and everyone knows it', {
      channel,
      sender: mallory,
      reports: [
        { member: ruth, category: 'harassment', note: 'aimed at a new member' },
        { member: sam, category: 'harassment' },
        { member: tess, category: 'hate' },
      ],
    });
    await reportedMessage(stack, chime, 'cheap followers, DM me', { channel, sender: mallory, reports: [{ member: sam, category: 'spam' }] });

    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reports?channel=${encodeURIComponent(channel)}`);
    await waitFor(async () => (await page.locator('.case-row').count()) === 3, { what: 'three cases' });
    await page.waitForFunction((title) => document.title === title, 'Reports · Moderation console');
    expect(await page.getByRole('link', { name: 'Reports', exact: true }).getAttribute('aria-current')).toBe('page');
    // Soonest SLA first: self-harm (15 min), hate (1 h), spam (1 day).
    const texts = await page.locator('.case-row .row-text').allTextContents();
    expect(texts).toEqual(['nobody would miss me if I was gone', 'you are pathetic and everyone knows it', 'cheap followers, DM me']);
    const urgencies = await page.locator('.case-row .countdown').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-urgency')));
    expect(urgencies).toEqual(['critical', 'warning', 'ok']);
    const harassment = row(page, 'you are pathetic');
    expect(await harassment.textContent()).toMatch(/Hate · Harassment ×2.*SLA \S+ in (59|1h)/);
    expect(await harassment.textContent()).toContain('3 reporters');
    expect(await harassment.textContent()).toMatch(/Priority \d+\.\d · severity 4/);
    await expectAccessible(page, 'reports queue');
    await screenshot(page, 'reports-queue');

    // Order by priority: the three-reporter hate case first. Kept in the URL.
    await page.getByLabel('Order', { exact: true }).selectOption('priority');
    await waitFor(() => page.url().includes('order=priority'), { what: 'the order in the URL' });
    await waitFor(async () => (await page.locator('.case-row .row-text').first().textContent()) === 'you are pathetic and everyone knows it', { what: 'priority order' });
    // Filter by category, and by sender (the senders seen so far).
    await page.getByLabel('Category', { exact: true }).selectOption('spam');
    await waitFor(() => page.url().includes('category=spam'), { what: 'the category in the URL' });
    await waitFor(async () => (await page.locator('.case-row').count()) === 1, { what: 'the spam case alone' });
    await page.getByLabel('Category', { exact: true }).selectOption('');
    await page.getByLabel('Sender', { exact: true }).selectOption(mallory);
    await waitFor(async () => (await page.locator('.case-row').count()) === 2 && page.url().includes('sender='), { what: 'mallory’s two cases' });
    // A reload lands on the same view.
    await page.reload();
    await waitFor(async () => (await page.locator('.case-row').count()) === 2, { what: 'the same view after a reload' });
    expect(await page.getByLabel('Order', { exact: true }).inputValue()).toBe('priority');
  });

  it('opens a case: claims it, shows the message as Chime holds it, each report and its reporter’s record; Delete with a canned reason removes it in Chime', async () => {
    const channel = await namedChannel(chime, 'Lobby');
    const mallory = someone('mallory');
    const [ruth, sam] = [someone('ruth'), someone('sam')];
    const { sent, caseId } = await reportedMessage(stack, chime, 'meet me after class, you know what happens then', {
      channel,
      sender: mallory,
      reports: [
        { member: ruth, category: 'violence', note: 'this is a threat against a classmate' },
        { member: sam, category: 'harassment' },
      ],
    });
    const other = await reportedMessage(stack, chime, 'lol ok whatever', { channel, sender: someone('nina'), reports: [{ member: ruth, category: 'other' }] });

    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reports?channel=${encodeURIComponent(channel)}`);
    await row(page, 'meet me after class').locator('.row-link').click();
    await pane(page).locator('.claim-line', { hasText: /Claimed by you until/ }).waitFor();
    expect(page.url()).toContain(`/console/reports/${caseId}`);
    const claimed = await api(stack, 'GET', `/cases/${caseId}`, { token: await tokenFor(stack, 'bob') });
    expect(claimed.body.claim).toMatchObject({ username: 'alice', active: true });

    const reports = pane(page).locator('.reports li');
    expect(await reports.count()).toBe(2);
    const ruthsReport = reports.filter({ hasText: 'this is a threat against a classmate' });
    expect(await ruthsReport.textContent()).toMatch(/Violence or threats by ruth-.*Reporter: 50% accurate \(no decided reports yet\)/);
    await pane(page).getByText('Read from Chime by the API; never as a reporter described it.').waitFor();
    await pane(page).getByRole('link', { name: /mallory-.*sender record/ }).waitFor();
    await expectAccessible(page, 'case');
    await screenshot(page, 'case');

    // Delete: the form says what it does; a canned reason fills the field, still editable.
    await decisionButton(page, 'Delete').click();
    await pane(page).getByText('this cannot be undone').waitFor();
    await focusedOn(page, 'case-reason');
    const picker = pane(page).getByLabel('Canned reason', { exact: true });
    const options = await picker.locator('option').allTextContents();
    expect(options.length).toBeGreaterThan(1); // the default policy's case reasons
    await picker.selectOption({ index: 1 });
    const reason = pane(page).getByLabel('Reason', { exact: true });
    expect(await reason.inputValue()).toBe(options[1]);
    await reason.fill(`${options[1]} (threat against a classmate)`);
    await pane(page).getByLabel('What the reporters are told (optional)').fill('We removed it. Thank you.');
    await expectAccessible(page, 'case decision form');
    await page.evaluate("document.querySelector('.case-decision-form').scrollIntoView({ block: 'center' })");
    await screenshot(page, 'case-delete');
    await pane(page).getByRole('button', { name: 'Confirm deletion' }).click();

    // Gone in Chime; the next case opens; the reporters' records moved.
    await waitFor(() => readBack(sent).then(() => false, (e: unknown) => e instanceof NotFoundException), { what: 'the message deleted in Chime' });
    await waitFor(() => page.url().includes(other.caseId), { what: 'the next case to open' });
    const decided = await api(stack, 'GET', `/cases/${caseId}`, { token: await tokenFor(stack, 'bob') });
    expect(decided.body).toMatchObject({ status: 'ACTIONED', decision: { action: 'DELETE', reason: `${options[1]} (threat against a classmate)`, publicReason: 'We removed it. Thank you.', decidedBy: { name: 'alice' } } });
    // Ruth's record now: one upheld report.
    await waitFor(async () => /67% accurate \(1 upheld, 0 dismissed\)/.test((await pane(page).locator('.reports li').first().textContent()) ?? ''), { what: 'ruth’s accuracy to move', timeoutMs: 20_000 });
    await expectAccessible(page, 'next case');
  });

  it('works with the keyboard alone: j/k, Enter, a to dismiss with a reason; g and a letter go to another page', async () => {
    const channel = await namedChannel(chime, 'Keyboard cases');
    const a = await reportedMessage(stack, chime, 'first reported message', { channel, sender: someone('oli'), reports: [{ member: someone('ruth'), category: 'spam' }] });
    const b = await reportedMessage(stack, chime, 'second reported message', { channel, sender: someone('oli'), reports: [{ member: someone('sam'), category: 'spam' }] });
    const page = await pageFor();
    await signIn(page, stack, 'kim', 'moderators', `/reports?channel=${encodeURIComponent(channel)}`);
    await waitFor(async () => (await page.locator('.case-row').count()) === 2, { what: 'two cases' });

    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await pane(page).locator('.claim-line', { hasText: /Claimed by you until/ }).waitFor();
    expect(page.url()).toContain(a.caseId);
    await page.keyboard.press('a');
    await focusedOn(page, 'case-reason');
    await page.keyboard.type('not spam: a test message');
    await page.keyboard.press('Enter');
    await waitFor(() => page.url().includes(b.caseId), { what: 'the next case' });
    expect((await api(stack, 'GET', `/cases/${a.caseId}`, { token: await tokenFor(stack, 'bob') })).body).toMatchObject({ status: 'DISMISSED', decision: { action: 'DISMISS', reason: 'not spam: a test message' } });
    await pane(page).locator('.claim-line', { hasText: /Claimed by you until/ }).waitFor();
    await page.keyboard.press('Escape');

    // The shortcuts list names the new keys; g then a letter changes page (and the key after g never decides).
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.getByText('On a report case: Redact the message').waitFor();
    await dialog.getByRole('table', { name: 'Go to a page: g, then a letter' }).getByText('Reports', { exact: true }).waitFor();
    await expectAccessible(page, 'shortcuts with the people views');
    await screenshot(page, 'shortcuts-people');
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.getByRole('heading', { name: 'Appeals', level: 1 }).waitFor();
    await page.waitForFunction((title) => document.title === title, 'Appeals · Moderation console');
    expect((await api(stack, 'GET', `/cases/${b.caseId}`, { token: await tokenFor(stack, 'bob') })).body.status).toBe('OPEN'); // "a" after "g" dismissed nothing
    await page.keyboard.press('g');
    await page.keyboard.press('v');
    await page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('r');
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await page.getByRole('heading', { name: 'Held messages', level: 1 }).waitFor();
  });

  it('explains the conflicts: another moderator’s claim, a case that changed while open, a decision made elsewhere', async () => {
    const channel = await namedChannel(chime, 'Races');
    const mallory = someone('mallory');
    const ruth = someone('ruth');
    const { sent, caseId } = await reportedMessage(stack, chime, 'you will regret this', { channel, sender: mallory, reports: [{ member: ruth, category: 'violence' }] });

    const alice = await pageFor();
    await signIn(alice, stack, 'alice', 'moderators', `/reports/${caseId}`);
    await pane(alice).locator('.claim-line', { hasText: /Claimed by you until/ }).waitFor();
    const bob = await pageFor();
    await signIn(bob, stack, 'bob', 'moderators', `/reports/${caseId}`);
    await bob.getByText('Claimed by someone else').waitFor();
    expect(await bob.getByRole('alert').first().textContent()).toMatch(/alice is working on this case until/);
    for (const name of ['Dismiss', 'Redact', 'Delete'] as const) expect(await decisionButton(bob, name).isDisabled()).toBe(true);
    await expectAccessible(bob, 'case claimed by someone else');
    await screenshot(bob, 'case-claimed-by-other');

    // A new report arrives while alice decides, on what she saw: 409 version-conflict, explained; the case reloads.
    await alice.route(`**/cases/${caseId}`, (route) => (route.request().method() === 'GET' ? route.abort() : route.fallback()));
    await reportAll(stack, chime, sent, [{ member: someone('sam'), category: 'violence' }]);
    await decisionButton(alice, 'Dismiss').click();
    await pane(alice).getByLabel('Reason', { exact: true }).fill('a joke between friends');
    await pane(alice).getByRole('button', { name: 'Confirm dismissal' }).click();
    const changed = alice.locator('.notice-version-conflict');
    await changed.waitFor();
    expect(await changed.textContent()).toMatch(/The case changed.*a new report, a claim or an action.*reloaded/);
    await alice.unroute(`**/cases/${caseId}`);
    await waitFor(async () => (await pane(alice).locator('.reports li').count()) === 2, { what: 'the new report shown' });
    await expectAccessible(alice, 'version conflict');
    await screenshot(alice, 'case-version-conflict');

    // Someone else decides (an admin takes the claim away first): alice is told who, what and when.
    const carol = await tokenFor(stack, 'carol', ['admins']);
    expect((await api(stack, 'DELETE', `/cases/${caseId}/claim`, { token: carol })).status).toBe(200);
    const decided = await api(stack, 'POST', `/cases/${caseId}/decision`, { token: carol, json: { action: 'DISMISS', reason: 'friends joking' } });
    expect(decided.status, decided.text).toBe(200);
    const first = alice.locator('.notice-already-decided');
    await first.waitFor({ timeout: 12_000 });
    expect(await first.textContent()).toMatch(/Someone decided first.*carol already decided DISMISS at .*Reason: “friends joking”\. The case is now DISMISSED/);
    await pane(alice).locator('.status-pill', { hasText: 'DISMISSED' }).waitFor();
    expect(await alice.getByRole('button', { name: 'Dismiss', exact: true }).count()).toBe(0);
  });

  it('bans and warns the sender from the case: the ban is in force in Chime, the warning reaches the sender', async () => {
    const channel = await namedChannel(chime, 'Actions');
    const mallory = someone('mallory');
    const { caseId } = await reportedMessage(stack, chime, 'spam spam spam, buy my course', { channel, sender: mallory, reports: [{ member: someone('ruth'), category: 'spam' }] });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reports/${caseId}`);
    const actions = page.getByRole('region', { name: 'Actions on the sender' });
    await actions.getByRole('button', { name: 'Warn sender' }).click();
    await actions.getByLabel('What the sender is told').fill('Please keep advertising out of this channel.');
    await actions.getByRole('button', { name: 'Send the warning' }).click();
    await actions.getByRole('status').filter({ hasText: /^Warned mallory-.*: the moderation bot sends them your words/ }).waitFor();

    await actions.getByRole('button', { name: 'Ban sender' }).click();
    await actions.getByText('waits for a second moderator’s approval').waitFor();
    const picker = actions.getByLabel('Canned reason', { exact: true });
    await picker.selectOption('Repeated spam');
    expect(await actions.getByLabel('Reason for the ban').inputValue()).toBe('Repeated spam');
    await actions.getByLabel('For', { exact: true }).selectOption('1h');
    await expectAccessible(page, 'ban from a case');
    await page.evaluate("document.querySelector('[aria-labelledby=\"case-actions-title\"]').scrollIntoView({ block: 'center' })");
    await screenshot(page, 'case-ban');
    await actions.getByRole('button', { name: 'Confirm ban' }).click();
    await actions.getByRole('status').filter({ hasText: /^Banned mallory-.* in #actions-\S+ for 1h\. Chime refuses their messages there\./ }).waitFor();
    await expect(sentMessage(chime, 'let me back in', { channel, sender: mallory })).rejects.toMatchObject({ name: 'ForbiddenException' });
    await page.locator('.timeline li', { hasText: 'BAN_SENDER ACTIVE' }).waitFor();
    // The sender's record, one click away, has it.
    await pane(page).getByRole('link', { name: /sender record/ }).click();
    await page.getByRole('heading', { name: /^Sender: mallory-/ }).waitFor();
    await page.locator('.restriction-ACTIVE', { hasText: 'Ban in #actions-' }).waitFor();
  });

  it('marks an urgent case (hidden at once by the channel’s policy) first, and offers the channel’s own canned reasons', async () => {
    const channel = await namedChannel(chime, 'Auto hide');
    const admin = await tokenFor(stack, 'root', ['admins']);
    const put = await api(stack, 'PUT', `/policies/${encodeURIComponent(channel)}`, {
      token: admin,
      json: { document: { reports: { autoHide: { reporters: 2, within: '1h' } }, cannedReasons: { case: ['Doxxing: personal details of another member'] } }, comment: 'hide doxxing fast' },
    });
    expect(put.status, put.text).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 700)); // the policy cache refreshes every 0.5 s here
    await reportedMessage(stack, chime, 'an ordinary complaint about the weather', { channel, sender: someone('oli'), reports: [{ member: someone('ruth'), category: 'self-harm' }] });
    const { sent, caseId } = await reportedMessage(stack, chime, 'her address is 12 Elm Street, go visit', {
      channel,
      sender: someone('mallory'),
      reports: [
        { member: someone('ruth'), category: 'harassment', note: 'doxxing' },
        { member: someone('sam'), category: 'harassment' },
      ],
    });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reports?channel=${encodeURIComponent(channel)}`);
    await waitFor(async () => (await page.locator('.case-row').count()) === 2, { what: 'two cases' });
    // Urgent first, even before a self-harm case whose SLA is sooner.
    const first = page.locator('.case-row').first();
    expect(await first.getAttribute('data-case-id')).toBe(caseId);
    expect(await first.textContent()).toContain('Urgent: hidden by policy');
    await expectAccessible(page, 'urgent case');
    await screenshot(page, 'reports-urgent');
    await first.locator('.row-link').click();
    await pane(page).getByText(/Hidden at once by policy: 2 reporters within 1h 00m\. The redaction: Done/).waitFor();
    const redacted = (await readBack(sent)).ChannelMessage!;
    expect(redacted.Redacted).toBe(true);
    await decisionButton(page, 'Delete').click();
    const options = await pane(page).getByLabel('Canned reason', { exact: true }).locator('option').allTextContents();
    expect(options).toContain('Doxxing: personal details of another member'); // the channel's own, with what it inherits
  });

  it('is usable 390 px wide: the queue, then the case on its own screen', async () => {
    const channel = await namedChannel(chime, 'Phone cases');
    const { caseId } = await reportedMessage(stack, chime, 'reported from a phone', { channel, sender: someone('oli'), reports: [{ member: someone('ruth'), category: 'scam', note: 'asks for card numbers' }] });
    const page = await pageFor(PHONE);
    await signIn(page, stack, 'alice', 'moderators', `/reports?channel=${encodeURIComponent(channel)}`);
    await row(page, 'reported from a phone').waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'reports at 390 px');
    await screenshot(page, 'reports-phone');
    await row(page, 'reported from a phone').locator('.row-link').click();
    await pane(page).locator('.claim-line', { hasText: /Claimed by you until/ }).waitFor();
    expect(page.url()).toContain(caseId);
    expect(await page.locator('.queue-pane').isVisible()).toBe(false);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'case at 390 px');
    await screenshot(page, 'case-phone');
  });
});
