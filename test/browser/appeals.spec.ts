import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { api, memberTokenFor, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { heldMessage, namedChannel } from './fixtures.js';
import { someone } from './people-fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, screenshot, signIn } from './support.js';

/**
 * The Appeals queue (issue 15) in Debian's Chromium against a local stack: a moderator denies a
 * held message, its sender appeals through the API with a member token, and the appeal waits in
 * the queue with the decision it is about. The moderator who denied it is told, before trying,
 * that another moderator must decide; a second moderator overturns it from the keyboard with a
 * canned reason, and the same content from the same sender is then SENT in Chime. An appeal
 * decided elsewhere while open is explained.
 */
describe('Appeals queue (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;

  const pageFor = (): Promise<Page> => browser.pageFor();
  const pane = (page: Page) => page.getByRole('region', { name: 'Open appeal' });
  const focusedOn = (page: Page, id: string) =>
    page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === want, id);

  beforeAll(async () => {
    stack = await startReviewStack({ moderationBotArn: '{appInstanceArn}/bot/moderation' });
    chime = chimeClient(stack, { maxAttempts: 1 });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  /** A held message denied by `moderator`, appealed by its sender: the appeal's id. */
  async function appealed(channel: string, content: string, text: string, moderator = 'alice') {
    const sender = someone('dana');
    const { sent, item } = await heldMessage(stack, chime, content, { channel, sender });
    const denied = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token: await tokenFor(stack, moderator), json: { action: 'DENY', reason: 'looks like a refund scam' } });
    expect(denied.status, denied.text).toBe(200);
    await waitForStatus(chime, sent, 'DENIED');
    const appeal = await api(stack, 'POST', '/appeals', { token: await memberTokenFor(stack, sender), json: { callbackId: item.callbackId, text } });
    expect(appeal.status, appeal.text).toBe(200);
    return { appealId: appeal.body.appealId as string, sender, sent, item, content };
  }

  it('the moderator who denied the message sees the appeal and is told another moderator must decide it', async () => {
    const channel = await namedChannel(chime, 'Appeals desk');
    const { appealId } = await appealed(channel, 'I need a refund for order 4411, it never arrived', 'My parcel never came; I was asking for my money back, not scamming anyone.');
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', '/appeals');
    const row = page.locator('.appeal-row', { hasText: 'My parcel never came' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/dana-\S+ appeals DENY by alice/);
    await page.waitForFunction((title) => document.title === title, 'Appeals · Moderation console');
    await expectAccessible(page, 'appeals queue');
    await screenshot(page, 'appeals-queue');

    await row.locator('.row-link').click();
    await pane(page).getByRole('heading', { name: /^Appeal by dana-/ }).waitFor();
    expect(page.url()).toContain(`/console/appeals/${appealId}`);
    for (const text of ['The member’s appeal', 'The decision appealed', 'DENY by alice', 'Reason: “looks like a refund scam”', 'I need a refund for order 4411, it never arrived']) await pane(page).getByText(text).first().waitFor();
    await pane(page).getByText('You made the original decision: another moderator must decide this appeal.').waitFor();
    for (const name of ['Uphold', 'Overturn']) expect(await pane(page).getByRole('button', { name, exact: true }).isDisabled()).toBe(true);
    await page.keyboard.press('o'); // nothing opens
    expect(await pane(page).getByLabel('Reason', { exact: true }).count()).toBe(0);
    await expectAccessible(page, 'appeal, four eyes');
    await screenshot(page, 'appeal-four-eyes');
    // The API says the same if asked anyway.
    const own = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: await tokenFor(stack, 'alice'), json: { outcome: 'OVERTURN', reason: 'mine' } });
    expect(own.status).toBe(403);
  });

  it('a second moderator overturns it from the keyboard with a canned reason; the resend is SENT', async () => {
    const channel = await namedChannel(chime, 'Overturns');
    const { appealId, sender, content } = await appealed(channel, 'refund please, the blender broke on day two', 'It is a real refund request, please look again.');
    const page = await pageFor();
    await page.goto(`${stack.endpoints.api}/console/appeals`);
    await page.getByLabel('Username', { exact: true }).waitFor();
    await page.keyboard.type('bob');
    await page.keyboard.press('Enter');
    const row = page.locator('.appeal-row', { hasText: 'It is a real refund request' });
    await row.waitFor();
    // j/k move through the queue; Enter opens the selected appeal.
    const ids = await page.locator('.appeal-row').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-row-id')));
    for (let i = 0; i < ids.indexOf(appealId); i++) await page.keyboard.press('j');
    if (ids.indexOf(appealId) === 0) {
      await page.keyboard.press('j');
      await page.keyboard.press('k');
    }
    await page.keyboard.press('Enter');
    await waitFor(() => page.url().includes(appealId), { what: 'the appeal to open' });
    await pane(page).getByRole('heading', { name: /^Appeal by dana-/ }).waitFor();
    await waitFor(async () => !(await pane(page).getByRole('button', { name: 'Overturn', exact: true }).isDisabled()), { what: 'the decision buttons' });

    await page.keyboard.press('o');
    await focusedOn(page, 'appeal-reason');
    await pane(page).getByText('Its strike is removed, the same content from the same sender in that channel goes through').waitFor();
    // Tab to the canned reasons; pick one with the arrow keys: it fills the field, still editable.
    await page.keyboard.press('Tab');
    await focusedOn(page, 'appeal-reason-canned');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const reason = pane(page).getByLabel('Reason', { exact: true });
    await waitFor(async () => (await reason.inputValue()) === 'Overturned: the message was within the rules', { what: 'the canned reason in the field' });
    await reason.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' (a real order)');
    await expectAccessible(page, 'appeal decision form');
    await screenshot(page, 'appeal-overturn');
    await page.keyboard.press('Enter');

    await waitFor(async () => (await api(stack, 'GET', `/appeals/${appealId}`, { token: await tokenFor(stack, 'carol') })).body.status === 'OVERTURNED', { what: 'the appeal overturned' });
    const decided = (await api(stack, 'GET', `/appeals/${appealId}`, { token: await tokenFor(stack, 'carol') })).body;
    expect(decided.decision).toMatchObject({ outcome: 'OVERTURN', reason: 'Overturned: the message was within the rules (a real order)', decidedBy: { name: 'bob' } });
    const resent = await sendMessage(chime, content, { channel, sender });
    await waitForStatus(chime, resent, 'SENT');

    // The decided appeal, under Overturned: what the outcome did.
    await page.goto(`${stack.endpoints.api}/console/appeals/${appealId}?status=OVERTURNED`);
    await pane(page).getByText(/^Overturned by bob/).waitFor();
    await pane(page).getByText('Resend allowed: done').waitFor();
    await pane(page).getByText('Member told: done').waitFor();
    await page.locator('.appeal-row', { hasText: 'It is a real refund request' }).waitFor();
    await expectAccessible(page, 'overturned appeal');
    await screenshot(page, 'appeal-overturned');
    // The sender's record is one click away.
    await pane(page).getByRole('link', { name: /dana-.*sender record/ }).click();
    await page.getByRole('heading', { name: /^Sender: dana-/ }).waitFor();
  });

  it('an appeal decided by someone else while it is open says who decided what, and when', async () => {
    const channel = await namedChannel(chime, 'Appeal races');
    const { appealId } = await appealed(channel, 'refund for the concert tickets, please', 'The concert was cancelled, I want my money.');
    const page = await pageFor();
    await signIn(page, stack, 'bob', 'moderators', `/appeals/${appealId}`);
    await pane(page).getByRole('button', { name: 'Uphold', exact: true }).waitFor();
    const carol = await tokenFor(stack, 'carol');
    const upheld = await api(stack, 'POST', `/appeals/${appealId}/decision`, { token: carol, json: { outcome: 'UPHOLD', reason: 'refunds go through support' } });
    expect(upheld.status, upheld.text).toBe(200);
    const notice = page.locator('.notice-already-decided');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toMatch(/Someone decided first.*carol already decided UPHOLD at .*Reason: “refunds go through support”/);
    expect(await pane(page).getByRole('button', { name: 'Uphold', exact: true }).count()).toBe(0);
    await expectAccessible(page, 'appeal decided elsewhere');
  });
});
