import { DescribeChannelBanCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { APP_INSTANCE } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { heldMessage, namedChannel } from './fixtures.js';
import { reportedMessage, sentMessage, someone } from './people-fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * A sender's record, restrictions, approvals and canned reasons (issue 15) in Debian's Chromium
 * against a local stack. An escalation ladder is set through the policy API; a sender's blocked
 * messages strike them and the ladder holds them; a member reports one of their messages. The
 * moderator reaches the sender's page from the held message and from the audit log, reads it,
 * adds a note; asks for a long ban, which waits for a second moderator (the requester is told
 * they cannot approve it), who approves it (banned in Chime); an admin lifts it (unbanned).
 * Every reason form offers the policy's canned reasons.
 */
const BEARER = `${APP_INSTANCE}/bot/review-api`;

describe('sender records, restrictions and approvals (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;

  const pageFor = (): Promise<Page> => browser.pageFor();
  const isBanned = (channel: string, member: string) =>
    chime.send(new DescribeChannelBanCommand({ ChannelArn: channel, MemberArn: member, ChimeBearer: BEARER })).then(
      () => true,
      (error: { name?: string }) => (error.name === 'NotFoundException' ? false : Promise.reject(error)),
    );
  const record = async (member: string) => (await api(stack, 'GET', `/senders/${encodeURIComponent(member)}?messages=all`, { token: await tokenFor(stack, 'zed') })).body;

  beforeAll(async () => {
    stack = await startReviewStack({ moderationBotArn: '{appInstanceArn}/bot/moderation', env: { POLICY_REFRESH_SECONDS: '0.5' } });
    chime = chimeClient(stack, { maxAttempts: 1 });
    browser = await openBrowser();
    // The ladder, in the global policy (the bundled rules kept): two strikes in a day hold the sender for an hour.
    const admin = await tokenFor(stack, 'root', ['admins']);
    const seed = await api(stack, 'GET', '/policies/global/versions/0', { token: admin });
    expect(seed.status, seed.text).toBe(200);
    const put = await api(stack, 'PUT', '/policies/global', { token: admin, json: { document: { ...seed.body.document, escalation: [{ strikes: 2, within: '1d', action: 'HOLD', for: '1h' }] }, comment: 'a short ladder for the console' } });
    expect(put.status, put.text).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 700));
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('shows a sender’s record, reached from a held message: strikes, the automatic hold, reports, messages; a note added from the keyboard', async () => {
    const channel = await namedChannel(chime, 'Sender record');
    const mallory = someone('mallory');
    await reportedMessage(stack, chime, 'join my crypto group, trust me', { channel, sender: mallory, reports: [{ member: someone('ruth'), category: 'scam' }] });
    for (const n of [1, 2]) await waitForStatus(chime, await sendMessage(chime, `buy scamcoin now ${n}`, { channel, sender: mallory }), 'DENIED');
    await waitFor(async () => (await record(mallory)).summary?.activeRestrictions === 1 || undefined, { what: 'the hold from two strikes' });
    const clean = await sendMessage(chime, 'hello again, sorry about before', { channel, sender: mallory });
    const held = await waitForItem(stack, clean, (i) => i.status === 'PENDING_REVIEW', 'the next message held');

    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${held.callbackId}`);
    await page.getByRole('region', { name: 'Open message' }).getByRole('link', { name: /^mallory-.* \(sender record\)$/ }).click();
    await page.getByRole('heading', { name: /^Sender: mallory-/, level: 1 }).waitFor();
    await page.waitForFunction((title) => document.title === title, 'Sender record · Moderation console');
    expect(decodeURIComponent(page.url())).toContain(`/console/senders/${mallory}?channel=${channel}`);
    const card = (title: string) => page.locator('.cards .card', { has: page.getByRole('heading', { name: title }) }).locator('.big');
    await waitFor(async () => (await card('Strikes that count').textContent()) === '2', { what: 'two strikes counted' });
    expect(await card('Restrictions in force').textContent()).toBe('1');
    expect(await card('Reported messages').textContent()).toBe('1');

    const hold = page.locator('.restriction-ACTIVE');
    expect(await hold.textContent()).toMatch(/Hold for review in #sender-record-\S+\s*In force\s*until \S+ \(in (59|1h)/);
    expect(await hold.textContent()).toMatch(/Automatic: escalation step 1, 2 strikes within 1d → HOLD, reached by 2 strikes \(rules terms\.block\)/);
    const strikes = page.getByRole('region', { name: 'Strikes' }).locator('tbody tr');
    expect(await strikes.count()).toBe(2);
    expect(await strikes.first().textContent()).toMatch(/Automatic DENY by terms\.block.*Counts until/);
    await page.getByRole('link', { name: /^Scam or fraud in #sender-record-/ }).waitFor();
    const messages = page.locator('.sender-messages li');
    expect(await messages.count()).toBe(3); // held, denied, denied
    // A moderator may not lift: the button says why.
    expect(await hold.getByRole('button', { name: /^Lift/ }).isDisabled()).toBe(true);
    await page.getByText('Only admins may lift a restriction early.').waitFor();

    // A note, from the keyboard.
    await page.getByLabel('Add a note', { exact: true }).focus();
    await page.keyboard.type('Crypto spam again; second time this week.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('.notes li', { hasText: 'Crypto spam again; second time this week.' }).waitFor();
    expect(await page.locator('.notes li').first().textContent()).toMatch(/alice, \d{4}-\d\d-\d\d/);
    await expectAccessible(page, 'sender record');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'sender');
    await page.evaluate("document.getElementById('notes-title').scrollIntoView({ block: 'start' })");
    await screenshot(page, 'sender-notes');

    // Every message, a filter away (kept in the URL).
    await page.getByLabel('Show', { exact: true }).selectOption('all');
    await waitFor(() => page.url().includes('messages=all'), { what: 'the filter in the URL' });
    await waitFor(async () => (await messages.count()) === 4, { what: 'all four messages' });

    // 390 px wide: one column, nothing wider than the screen.
    await page.setViewportSize(PHONE);
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await expectAccessible(page, 'sender record at 390 px');
    await screenshot(page, 'sender-phone');
  });

  it('a long ban waits for a second moderator: the requester is told they cannot approve it, another approves it, an admin lifts it', async () => {
    const channel = await namedChannel(chime, 'Two person rule');
    const trudy = someone('trudy');
    await sentMessage(chime, 'hi all', { channel, sender: trudy });
    const alice = await pageFor();
    await signIn(alice, stack, 'alice', 'moderators', `/senders/${encodeURIComponent(trudy)}?channel=${encodeURIComponent(channel)}`);
    const form = alice.getByRole('region', { name: 'Impose a restriction' });
    await form.getByRole('radio', { name: /Ban: Chime refuses/ }).check();
    await form.getByLabel('For', { exact: true }).selectOption('7d');
    await form.getByLabel('Canned reason', { exact: true }).selectOption('Ban evasion');
    expect(await form.getByLabel('Reason', { exact: true }).inputValue()).toBe('Ban evasion');
    await form.getByText('waits for a second moderator’s approval').waitFor();
    await expectAccessible(alice, 'restriction form');
    await alice.evaluate("document.getElementById('impose-title').scrollIntoView({ block: 'start' })");
    await screenshot(alice, 'sender-restrict');
    await form.getByRole('button', { name: 'Confirm ban' }).click();
    await form.getByRole('status').filter({ hasText: /^Ban in #two-person-rule-\S+ waits for a second moderator’s approval/ }).waitFor();
    await alice.locator('.restriction-PENDING_APPROVAL', { hasText: 'Waiting for approval' }).waitFor();
    expect(await isBanned(channel, trudy)).toBe(false);

    await alice.getByRole('link', { name: 'Approvals', exact: true }).click();
    const own = alice.locator('.approval', { hasText: 'Ban evasion' });
    await own.waitFor();
    await own.getByText('You asked for this ban: the two-person rule needs another moderator to approve or reject it.').waitFor();
    expect(await own.getByRole('button', { name: /^Approve/ }).isDisabled()).toBe(true);
    await expectAccessible(alice, 'approvals, own request');
    await screenshot(alice, 'approvals-four-eyes');

    const bob = await pageFor();
    await signIn(bob, stack, 'bob', 'moderators', '/approvals');
    const item = bob.locator('.approval', { hasText: 'Ban evasion' });
    await item.getByRole('button', { name: /^Approve the ban of trudy-/ }).click();
    await item.getByText(/^Approve: trudy-\S+ is banned now \(ban in #two-person-rule-\S+\), for 7d from now\./).waitFor();
    await item.getByLabel('Reason', { exact: true }).fill('agreed: the same person as last week');
    await expectAccessible(bob, 'approve form');
    await screenshot(bob, 'approvals');
    await item.getByRole('button', { name: 'Confirm approval' }).click();
    await bob.locator('.outcome-ok', { hasText: /^Approved: trudy-\S+ is banned until / }).waitFor();
    await waitFor(() => isBanned(channel, trudy), { what: 'the ban in Chime' });
    await bob.getByText('Nothing waits for approval.').waitFor();

    // A second pending ban, decided by someone else while bob's form is open: the 409 explained.
    const second = someone('ursula');
    await sentMessage(chime, 'hello', { channel, sender: second });
    const asked = await api(stack, 'POST', `/senders/${encodeURIComponent(second)}/restrictions`, { token: await tokenFor(stack, 'alice'), json: { action: 'BAN', channelArn: channel, reason: 'Hate speech', scope: 'app-instance' } });
    expect(asked.body.status, asked.text).toBe('PENDING_APPROVAL');
    const next = bob.locator('.approval', { hasText: 'Hate speech' });
    await next.waitFor({ timeout: 15_000 });
    await next.getByRole('button', { name: /^Reject/ }).click();
    await next.getByLabel('Reason', { exact: true }).fill('not enough evidence');
    expect((await api(stack, 'POST', `/approvals/${asked.body.id}/decision`, { token: await tokenFor(stack, 'carol'), json: { approve: false, reason: 'duplicate' } })).status).toBe(200);
    await next.getByRole('button', { name: 'Confirm rejection' }).click();
    const conflict = bob.locator('.notice-approval-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/Decided by someone else \(the ban of ursula-\S+\).*carol already rejected this ban/);
    await expectAccessible(bob, 'approval conflict');

    // An admin lifts trudy's ban, after a confirm with a reason: unbanned in Chime.
    const root = await pageFor();
    await signIn(root, stack, 'root', 'moderators,admins', `/senders/${encodeURIComponent(trudy)}`);
    const ban = root.locator('.restriction-ACTIVE', { hasText: 'Ban in #two-person-rule-' });
    await ban.getByRole('button', { name: /^Lift/ }).click();
    await ban.getByText('Lift now: Chime’s bans are deleted and the member may post again.').waitFor();
    await ban.getByLabel('Why it is lifted').fill('appeal upheld by the team');
    await expectAccessible(root, 'lift confirmation');
    await screenshot(root, 'sender-lift');
    await ban.getByRole('button', { name: 'Confirm lift' }).click();
    await waitFor(async () => !(await isBanned(channel, trudy)), { what: 'the ban lifted in Chime' });
    await root.getByText('Past restrictions (1)').click();
    await root.locator('.restriction-LIFTED', { hasText: 'lifted by root' }).waitFor();
  });

  it('offers the policy’s canned reasons in the deny and ban forms of a held message; the audit log links to the sender', async () => {
    const channel = await namedChannel(chime, 'Canned');
    const dana = someone('dana');
    const { sent, item } = await heldMessage(stack, chime, 'refund me or I post your details', { channel, sender: dana });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    const review = page.getByRole('region', { name: 'Open message' });
    await review.getByRole('button', { name: 'Ban sender' }).click();
    const banPicker = review.getByLabel('Canned reason', { exact: true });
    expect(await banPicker.locator('option').allTextContents()).toEqual(['Pick one to fill the field…', 'Repeated spam', 'Harassment after a warning', 'Hate speech', 'Ban evasion']);
    await review.getByRole('button', { name: 'Cancel' }).click();

    await review.getByRole('button', { name: 'Deny', exact: true }).click();
    const picker = review.getByLabel('Canned reason', { exact: true });
    await picker.selectOption('Personal information');
    const reason = review.getByLabel('Reason', { exact: true });
    expect(await reason.inputValue()).toBe('Personal information');
    await reason.fill('Personal information: threatens to post details');
    expect(await picker.inputValue()).toBe(''); // edited: no longer the canned one
    await expectAccessible(page, 'deny with canned reasons');
    await page.evaluate("document.querySelector('.deny-form').scrollIntoView({ block: 'center' })");
    await screenshot(page, 'deny-canned');
    await review.getByRole('button', { name: 'Confirm', exact: true }).click();
    await waitForStatus(chime, sent, 'DENIED');
    expect((await stack.runtime.store.get(item.callbackId))!.decision).toMatchObject({ action: 'DENY', reason: 'Personal information: threatens to post details' });

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    const line = page.locator('.audit-table tr', { hasText: 'refund me or I post your details' }).first();
    await line.waitFor({ timeout: 45_000 });
    await line.getByRole('link', { name: /^dana-.* \(sender record\)$/ }).click();
    await page.getByRole('heading', { name: /^Sender: dana-/, level: 1 }).waitFor();
    await page.locator('.sender-messages li', { hasText: 'refund me or I post your details' }).waitFor();
  });
});
