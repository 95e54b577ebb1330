import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { userArn } from '../support/factories.js';
import { startReviewStack } from '../support/review.js';
import { chimeClient, itemsFor, messageStatus, sendMessage, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { namedChannel } from './fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * The Failed view in Debian's Chromium: after a misconfiguration (the execution role lacks
 * chime:ChannelFlowCallback: the emulator's `callbackForbiddenRate`) every message is refused and
 * recorded FAILED while it still waits in Chime. A moderator sees them, why, and that only admins
 * re-deliver; an admin re-delivers one while the fault is still there (it fails again, said so),
 * then, the fault cleared, all of them: each DELIVERED, and the list empty.
 */
describe('the Failed view (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;
  let sent: SentMessage[];
  let failed: ModerationItem[];
  const contents = ['all fine here', 'buy followers now', 'mail me: ops@example.com'];

  const rows = (page: Page) => page.locator('.failed-row');
  const row = (page: Page, text: string) => page.locator('.failed-row', { hasText: text });
  // A function, not a string: the console's CSP refuses eval, and Playwright evals string predicates.
  const focusedText = (page: Page, text: string) =>
    page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim() === want, text);

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack, { maxAttempts: 1 });
    browser = await openBrowser();
    // The grant is missing: Chime refuses every callback, each message is recorded FAILED and waits, PENDING, in Chime.
    const channel = await namedChannel(chime, 'Support desk');
    stack.simulator.setFaults({ callbackForbiddenRate: 1 });
    sent = [];
    for (const content of contents) sent.push(await sendMessage(chime, content, { channel, sender: userArn('grace') }));
    failed = await waitFor(
      async () => {
        const all = (await Promise.all(sent.map((s) => itemsFor(stack, s)))).flat();
        return all.length === sent.length && all.every((i) => i.status === 'FAILED') ? all : undefined;
      },
      { what: 'every message to be FAILED' },
    );
    stack.simulator.setFaults({ callbackForbiddenRate: 0 });
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('a moderator sees each FAILED message, what was decided, why it failed and its window, and that only admins re-deliver', async () => {
    const page = await browser.pageFor();
    await signIn(page, stack, 'alice', 'moderators', '/failed');
    await page.getByRole('heading', { level: 1, name: 'Failed deliveries' }).waitFor();
    await rows(page).nth(2).waitFor();
    expect(await rows(page).count()).toBe(3);
    for (const content of contents) {
      const r = row(page, content);
      expect(await r.textContent()).toMatch(/grace in #Support desk/);
      expect(await r.locator('.failed-reason').textContent()).toMatch(/Forbidden before its deadline.*chime:ChannelFlowCallback/);
      expect(await r.locator('.countdown').textContent()).toMatch(/window closes at .* in (47|48)h/);
      expect(await r.locator('.failed-facts').textContent()).toMatch(/Decided(ALLOW|DENY|UPDATE) by the automatic policy/);
    }
    await page.getByText('Only admins can re-deliver.').waitFor();
    expect(await page.getByRole('button', { name: /Re-deliver/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Failed', exact: true }).getAttribute('aria-current')).toBe('page');
    await expectAccessible(page, 'the Failed view, as a moderator');
    await screenshot(page, 'failed-moderator');
    // At 390 px the side column goes under the message.
    const phone = await browser.pageFor(PHONE);
    await signIn(phone, stack, 'alice', 'moderators', '/failed');
    await rows(phone).nth(2).waitFor();
    await expectAccessible(phone, 'the Failed view at 390 px');
    await screenshot(phone, 'failed-phone');
  });

  it('an admin reaches it from the navigation by keyboard, re-delivers one that fails again, then all: each DELIVERED and the list empty', async () => {
    const page = await browser.pageFor();
    await signIn(page, stack, 'root', 'moderators,admins');
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed', exact: true });
    await nav.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Failed deliveries' }).waitFor();
    await rows(page).nth(2).waitFor();
    await page.getByRole('button', { name: 'Re-deliver all' }).waitFor();
    expect(await page.getByText('Only admins can re-deliver.').count()).toBe(0);
    await expectAccessible(page, 'the Failed view, as an admin');
    await page.locator('#failed-title').click(); // the nav link's focus ring out of the picture
    await screenshot(page, 'failed');

    // One, while the grant is still missing: it fails again, with Chime's reason, and stays listed.
    stack.simulator.setFaults({ callbackForbiddenRate: 1 });
    try {
      const one = row(page, 'buy followers now');
      await one.getByRole('button', { name: 'Re-deliver the message from grace: buy followers now' }).click();
      await one.getByRole('form', { name: 'Re-deliver the message from grace' }).getByText('Send Chime the decision this message recorded').waitFor();
      await focusedText(page, 'Confirm re-delivery');
      await expectAccessible(page, 'confirm one re-delivery');
      await screenshot(page, 'failed-confirm');
      await page.keyboard.press('Enter');
      const report = page.getByRole('region', { name: /^Re-deliver:/ });
      await report.getByRole('heading', { name: 'Re-deliver: 0 of 1 delivered · 1 failed again' }).waitFor();
      expect(await report.locator('li[data-outcome="FAILED"]').textContent()).toMatch(/grace: buy followers now — Failed again: Chime refused the callback as Forbidden before its deadline .*chime:ChannelFlowCallback/);
      expect(await report.textContent()).toMatch(/check the cause/);
      await screenshot(page, 'failed-again');
    } finally {
      stack.simulator.setFaults({ callbackForbiddenRate: 0 });
    }
    expect((await stack.runtime.store.get(failed[1]!.callbackId))!.status).toBe('FAILED');
    await row(page, 'buy followers now').waitFor();

    // The grant fixed: all of them, by keyboard, after a Confirm.
    await page.getByRole('button', { name: 'Re-deliver all' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('form', { name: 'Re-deliver all' });
    await confirm.getByText('Send Chime, again, the decision each FAILED message in its window recorded: the 3 listed here.').waitFor();
    await focusedText(page, 'Confirm re-delivery');
    // Escape cancels, and the focus goes back to the button.
    await page.keyboard.press('Escape');
    await focusedText(page, 'Re-deliver all');
    expect(await confirm.count()).toBe(0);
    await page.keyboard.press('Enter');
    await focusedText(page, 'Confirm re-delivery');
    await page.keyboard.press('Enter');

    const report = page.getByRole('region', { name: /^Re-deliver all:/ });
    await report.getByRole('heading', { name: 'Re-deliver all: 3 of 3 delivered' }).waitFor();
    expect(await report.locator('li[data-outcome="DELIVERED"]').count()).toBe(3);
    for (const content of contents) expect(await report.locator('li', { hasText: content }).textContent()).toMatch(/ — Delivered: Chime took the recorded (ALLOW|DENY|UPDATE)\./);
    // Re-read from the API: nothing FAILED is left.
    await page.getByText('Nothing is FAILED in its window.').waitFor();
    expect(await rows(page).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Re-deliver all' }).count()).toBe(0);
    for (const [i, item] of failed.entries()) {
      expect(await stack.runtime.store.get(item.callbackId)).toMatchObject({ status: 'DELIVERED', decision: item.decision });
      expect(await messageStatus(chime, sent[i]!)).toBe(item.decision!.action === 'DENY' ? 'DENIED' : 'SENT');
    }
    await expectAccessible(page, 'the Failed view after re-delivering all');
    await screenshot(page, 'failed-redelivered');
  });
});
