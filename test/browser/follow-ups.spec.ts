import { ForbiddenException, GetChannelMessageCommand, NotFoundException, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, type SentMessage } from '../support/stack.js';
import { heldMessage, namedChannel } from './fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, screenshot, signIn } from './support.js';

/**
 * Moderators' follow-up actions (issue 8) in Debian's Chromium: "Ban sender" on a review item,
 * "Redact" and "Delete" (admins) on a message Chime delivered, from the item view and from its
 * audit entry; each asks for a reason and a Confirm, and says what happened, down to what Chime
 * then does. The audit log shows the actions. One stack has no Chime bearer configured: a ban is
 * still recorded (the worker enforces it), its Chime call FAILED as not configured.
 */
describe('follow-up actions (Chromium)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;

  const pageFor = (viewport?: { width: number; height: number }): Promise<Page> => browser.pageFor(viewport);
  const followUps = (page: Page) => page.getByRole('region', { name: 'Follow-up actions' });
  const readBack = (sent: SentMessage) => chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender }));

  beforeAll(async () => {
    stack = await startReviewStack({ leaseSeconds: 30 });
    chime = chimeClient(stack, { maxAttempts: 1 });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
  });

  it('Ban sender from a held message: a reason, how long, Confirm, and Chime refuses the sender’s next message; a ban until lifted waits for a second moderator', async () => {
    const channel = await namedChannel(chime, 'Spam');
    const mallory = userArn('mallory');
    const { item } = await heldMessage(stack, chime, 'cheap refund service, DM me', { channel, sender: mallory });
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    const actions = followUps(page);
    await actions.getByRole('button', { name: 'Ban sender' }).waitFor();
    // A held message was not delivered: nothing to redact or delete.
    expect(await actions.getByRole('button', { name: 'Redact' }).count()).toBe(0);

    await actions.getByRole('button', { name: 'Ban sender' }).click();
    await actions.getByText('Ban mallory: Chime refuses their messages where the ban applies').waitFor();
    expect(await actions.getByRole('button', { name: 'Confirm ban' }).isDisabled()).toBe(true); // a reason first
    await actions.getByLabel('Reason for the ban').fill('spam wave');
    expect(await actions.getByLabel('For', { exact: true }).inputValue()).toBe('24h');
    await expectAccessible(page, 'ban confirmation');
    await page.evaluate("document.querySelector('.follow-ups').scrollIntoView({ block: 'center' })");
    await screenshot(page, 'ban-confirm');
    await actions.getByRole('button', { name: 'Confirm ban' }).click();
    await actions.getByRole('status').filter({ hasText: 'Banned mallory in #Spam for 24h. Chime refuses their messages there.' }).waitFor();
    await page.locator('.timeline li', { hasText: 'alice sender banned: spam wave' }).waitFor();
    await expect(sendMessage(chime, 'let me back in', { channel, sender: mallory })).rejects.toBeInstanceOf(ForbiddenException);
    // The ban is not a decision: the message still waits for one.
    expect((await stack.runtime.store.get(item.callbackId))!.status).toBe('PENDING_REVIEW');

    // Until lifted: longer than the policy lets one moderator ban alone.
    await actions.getByRole('button', { name: 'Ban sender' }).click();
    await actions.getByLabel('Reason for the ban').fill('for good');
    await actions.getByLabel('For', { exact: true }).selectOption('');
    await actions.getByRole('button', { name: 'Confirm ban' }).click();
    await actions.getByRole('status').filter({ hasText: 'The ban of mallory in #Spam (until lifted) waits for a second moderator’s approval.' }).waitFor();
    await page.locator('.timeline li', { hasText: 'alice sender ban requested: for good' }).waitFor();
  });

  it('an admin redacts an allowed message from its audit entry, deletes another from its item view, and a repeat is explained', async () => {
    const channel = await namedChannel(chime, 'Reported');
    const dana = userArn('dana');
    const reported = await sendMessage(chime, 'my home address is 12 Elm Street', { channel, sender: dana });
    const other = await sendMessage(chime, 'and my phone pin is 4321', { channel, sender: dana });
    const otherItem = await waitForItem(stack, other, (i) => i.status === 'DELIVERED', 'the second message to be delivered');
    await waitForItem(stack, reported, (i) => i.status === 'DELIVERED', 'the first message to be delivered');

    const page = await pageFor();
    await signIn(page, stack, 'root', 'moderators,admins', `/audit?channel=${encodeURIComponent(channel)}`);
    const row = page.locator('.audit-table tr', { hasText: '12 Elm Street' });
    await row.waitFor({ timeout: 45_000 });
    await row.getByRole('button', { name: /^Follow up/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Follow up on a message' });
    await dialog.getByRole('button', { name: 'Redact' }).click();
    await dialog.getByText('it stays in the channel, with its content removed for everyone').waitFor();
    await dialog.getByLabel('Reason for the redaction').fill('reported by a user: a home address');
    await expectAccessible(page, 'redact from the audit log');
    await screenshot(page, 'redact-from-audit');
    await dialog.getByRole('button', { name: 'Confirm redaction' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Redacted: the message stays in #Reported with its content removed.' }).waitFor();
    const redacted = (await readBack(reported)).ChannelMessage!;
    expect(redacted.Redacted).toBe(true);
    expect(redacted.Content ?? '').toBe('');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The log now has the redaction, as a line of its own, with its outcome.
    const action = page.locator('.audit-table tr.action-row', { hasText: 'Redact' });
    await action.waitFor();
    expect(await action.textContent()).toMatch(/Redact\s*follow-up\s*root\s*reported by a user: a home address.*#Reported\s*Done/);
    await expectAccessible(page, 'audit with an action');
    await screenshot(page, 'audit-actions');

    // From the item view of a delivered message.
    await page.goto(`${stack.endpoints.api}/console/reviews/${otherItem.callbackId}`);
    const actions = followUps(page);
    await actions.getByRole('button', { name: 'Delete' }).click();
    await actions.getByText('This cannot be undone.').waitFor();
    await actions.getByLabel('Reason for the deletion').fill('a PIN');
    await actions.getByRole('button', { name: 'Confirm deletion' }).click();
    await actions.getByRole('status').filter({ hasText: 'Deleted: the message is gone from #Reported.' }).waitFor();
    await expect(readBack(other)).rejects.toBeInstanceOf(NotFoundException);

    // Again: Chime has no such message any more. Said so, and the attempt is audited as FAILED.
    await actions.getByRole('button', { name: 'Delete' }).click();
    await actions.getByLabel('Reason for the deletion').fill('once more');
    await actions.getByRole('button', { name: 'Confirm deletion' }).click();
    const refusal = actions.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Chime has no such message.*Nothing was changed; the audit log shows the attempt as FAILED\./);
    await expectAccessible(page, 'a refused deletion');
    await page.evaluate("document.querySelector('.follow-ups').scrollIntoView({ block: 'center' })");
    await screenshot(page, 'delete-refused');
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.locator('.audit-table tr.action-row', { hasText: 'once more' }).filter({ hasText: 'Failed: Chime answered NotFoundException' }).waitFor({ timeout: 45_000 });
  });

  it('a moderator sees Redact and Delete disabled, and why', async () => {
    const channel = await namedChannel(chime, 'Moderators');
    const sent = await sendMessage(chime, 'a harmless hello', { channel, sender: userArn('erin') });
    const item = await waitForItem(stack, sent, (i) => i.status === 'DELIVERED', 'the message to be delivered');
    const page = await pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    const actions = followUps(page);
    await actions.getByText('Redact and Delete are for admins: you are signed in as a moderator.').waitFor();
    expect(await actions.getByRole('button', { name: 'Redact' }).isDisabled()).toBe(true);
    expect(await actions.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    expect(await actions.getByRole('button', { name: 'Ban sender' }).isDisabled()).toBe(false);
    await expectAccessible(page, 'follow-ups as a moderator');
  });

  describe('without a Chime bearer configured', () => {
    let bare: LocalStack;
    let bareChime: ChimeSDKMessagingClient;
    beforeAll(async () => {
      bare = await startReviewStack({ leaseSeconds: 30, chimeBearerArn: null });
      bareChime = chimeClient(bare);
    });
    afterAll(async () => {
      bareChime?.destroy();
      await bare?.stop();
    });

    it('Ban sender without a configured bearer: recorded and enforced by the worker, its Chime call FAILED (not configured)', async () => {
      const channel = await namedChannel(bareChime, 'No bearer');
      const mallory = userArn('mallory');
      const { item } = await heldMessage(bare, bareChime, 'refund, or else', { channel, sender: mallory });
      const page = await pageFor();
      await signIn(page, bare, 'alice', 'moderators', `/reviews/${item.callbackId}`);
      const actions = followUps(page);
      await actions.getByRole('button', { name: 'Ban sender' }).click();
      await actions.getByLabel('Reason for the ban').fill('spam');
      await actions.getByRole('button', { name: 'Confirm ban' }).click();
      await actions.getByRole('status').filter({ hasText: 'Banned mallory in #No bearer for 24h.' }).waitFor();
      await expectAccessible(page, 'no bearer');
      const history = (await bare.runtime.store.get(item.callbackId))!.history;
      expect(history.at(-1)).toMatchObject({ event: 'sender-banned', actor: 'alice' });
      const restrictionId = /\(restriction (\S+)\)$/.exec(history.at(-1)!.reason ?? '')![1]!;
      const record = await api(bare, 'GET', `/senders/${encodeURIComponent(mallory)}`, { token: await tokenFor(bare, 'alice') });
      const restriction = record.body.restrictions.active.find((r: { id: string }) => r.id === restrictionId);
      expect(restriction.chime.bans).toEqual([expect.objectContaining({ outcome: 'FAILED', error: expect.objectContaining({ type: 'ChimeBearerNotConfigured' }) })]);
    });
  });
});
