import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockRuntimeEmulator, type BedrockRuntimeEmulator } from '../../src/local/bedrock/index.js';
import { startComprehendEmulator, type ComprehendEmulator } from '../../src/local/comprehend/index.js';
import type { LocalStack } from '../../src/local/stack.js';
import { userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';
import { heldMessage, namedChannel } from './fixtures.js';
import { type BrowserUnderTest, expectAccessible, openBrowser, PHONE, screenshot, signIn } from './support.js';

/**
 * What moderators see of machine judgement (issue 16), in Debian's Chromium against a local stack
 * whose Comprehend and Bedrock runtime are our emulators, scoring from fixtures the test sets:
 * "Why it was held" shows each classifier's scores as bars with the thresholds on the same scale,
 * every bar a meter whose value text says the score and the thresholds; the audit log shows the
 * same for a message a guardrail denied.
 */
describe('classifier verdicts in the console (Chromium)', () => {
  const GUARDRAIL = { id: 'gr7abc123', version: '3' };
  let comprehend: ComprehendEmulator;
  let bedrock: BedrockRuntimeEmulator;
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let browser: BrowserUnderTest;
  let admin: string;

  beforeAll(async () => {
    comprehend = await startComprehendEmulator({ quota: 1000 });
    bedrock = await startBedrockRuntimeEmulator({ quota: 1000, guardrails: [{ id: GUARDRAIL.id, versions: [GUARDRAIL.version] }] });
    stack = await startReviewStack({ classifiers: { endpoints: { comprehend: comprehend.endpoint, bedrockRuntime: bedrock.endpoint } } });
    chime = chimeClient(stack);
    browser = await openBrowser();
    admin = await tokenFor(stack, 'ada', ['admins']);
  });
  afterAll(async () => {
    await browser?.close();
    chime?.destroy();
    await stack?.stop();
    await comprehend?.close();
    await bedrock?.close();
  });

  const putPolicy = async (scope: string, document: unknown) => {
    const response = await api(stack, 'PUT', `/policies/${encodeURIComponent(scope)}`, { token: admin, json: { document, comment: 'console classifiers test' } });
    expect(response.status, response.text.slice(0, 500)).toBe(200);
  };
  const meter = (page: Page, name: string) => page.getByRole('meter', { name, exact: true });

  it('"Why it was held" shows the INSULT score as a bar with its thresholds, and the badge says the scores are emulated', async () => {
    const text = 'you are a complete waste of space';
    comprehend.addFixture({ text, toxicity: 0.7, labels: { INSULT: 0.95, PROFANITY: 0.12 } });
    const channel = await namedChannel(chime, 'Classified');
    await putPolicy(channel, {
      classifiers: {
        toxicity: { provider: 'comprehend-toxicity', review: { Toxicity: 0.6, INSULT: 0.6 }, deny: { Toxicity: 0.97, INSULT: 0.98, HATE_SPEECH: 0.8 }, onUnavailable: 'REVIEW', minLength: 8 },
      },
    });
    const { item } = await heldMessage(stack, chime, text, { channel });
    expect(item.policy).toMatchObject({ action: 'REVIEW', ruleIds: ['classifier:toxicity'] });

    const page = await browser.pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    await page.getByText('local stack · classifier scores from an emulator').waitFor();
    const pane = page.getByRole('region', { name: 'Open message' });
    await pane.getByText('Why it was held').waitFor();
    const block = pane.locator('.classifier[data-classifier="toxicity"]');
    await block.waitFor();
    expect(await block.locator('.classifier-title').textContent()).toMatch(/toxicity.*Amazon Comprehend toxicity.*comprehend:DetectToxicContent/);
    expect(await block.locator('.classifier-outcome').textContent()).toBe('Held for review by toxicity (Toxicity 0.70, INSULT 0.95)');
    expect(await block.locator('.classifier-facts').textContent()).toMatch(/^\d+ ms · \d+ units?/);

    const insult = meter(page, 'toxicity INSULT');
    expect(await insult.getAttribute('aria-valuetext')).toBe('INSULT 0.95, review at 0.60, deny at 0.98, reached review');
    expect(await insult.getAttribute('aria-valuenow')).toBe('0.95');
    // The drawing agrees with the words: the fill reaches 95 % of the scale, the ticks sit at 60 % and 98 %.
    const geometry = await insult.evaluate((bar) => {
      const box = bar.getBoundingClientRect();
      const at = (selector: string) => {
        const r = bar.querySelector(selector)!.getBoundingClientRect();
        return selector === '.score-fill' ? r.width / box.width : (r.left + r.width / 2 - box.left) / box.width;
      };
      return { fill: at('.score-fill'), review: at('.score-tick.review'), deny: at('.score-tick.deny') };
    });
    expect(geometry.fill).toBeCloseTo(0.95, 1);
    expect(geometry.review).toBeCloseTo(0.6, 1);
    expect(geometry.deny).toBeCloseTo(0.98, 1);
    expect(await meter(page, 'toxicity Toxicity').getAttribute('aria-valuetext')).toBe('Toxicity 0.70, review at 0.60, deny at 0.97, reached review');
    expect(await meter(page, 'toxicity PROFANITY').getAttribute('aria-valuetext')).toBe('PROFANITY 0.12');
    // Not colour alone: a bar that reached a threshold says so in text.
    expect(await block.locator('.score-row.fired-review', { hasText: 'INSULT' }).locator('.score-fired').textContent()).toBe(' ≥ review');

    await expectAccessible(page, 'why it was held, with classifier bars');
    await block.scrollIntoViewIfNeeded();
    await screenshot(page, 'classifier-why-held');

    // On a phone the bars stay inside the pane: nothing scrolls sideways.
    const phone = await browser.pageFor(PHONE);
    await signIn(phone, stack, 'alice', 'moderators', `/reviews/${item.callbackId}`);
    const phoneBlock = phone.locator('.classifier[data-classifier="toxicity"]');
    await phoneBlock.waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const barBox = (await meter(phone, 'toxicity INSULT').boundingBox())!;
    expect(barBox.x + barBox.width).toBeLessThanOrEqual(PHONE.width);
    expect(barBox.width).toBeGreaterThan(100);
    await expectAccessible(phone, 'classifier bars on a phone');
    await phoneBlock.scrollIntoViewIfNeeded();
    await screenshot(phone, 'classifier-why-held-phone');
  });

  it('the audit log shows a guardrail denial with four-step level bars', async () => {
    const text = 'meet me outside and you will regret it';
    const fixture = await fetch(`${bedrock.endpoint}/_emulator/fixtures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, filters: { VIOLENCE: 'MEDIUM', INSULTS: 'LOW' }, intervene: true }),
    });
    expect(fixture.status).toBeLessThan(300);
    const channel = await namedChannel(chime, 'Guarded');
    await putPolicy(channel, {
      classifiers: { guard: { provider: 'bedrock-guardrail', guardrailId: GUARDRAIL.id, guardrailVersion: GUARDRAIL.version, review: { VIOLENCE: 'MEDIUM' }, deny: { VIOLENCE: 'HIGH' }, onIntervention: 'DENY' } },
    });
    const sent = await sendMessage(chime, text, { channel, sender: userArn('dana') });
    await waitForStatus(chime, sent, 'DENIED');
    await waitForItem(stack, sent, (i) => i.decision !== undefined, 'decided');

    const page = await browser.pageFor();
    await signIn(page, stack, 'alice', 'moderators', `/audit?channel=${encodeURIComponent(channel)}`);
    const row = page.locator('.audit-table tr', { hasText: 'regret it' });
    await row.waitFor({ timeout: 45_000 });
    await row.getByText(/^Classifiers \(1\)/).click();
    const block = row.locator('.classifier[data-classifier="guard"]');
    await block.waitFor();
    expect(await block.locator('.classifier-outcome').textContent()).toBe('Denied by guard (the guardrail intervened)');
    expect(await block.locator('.classifier-title').textContent()).toContain(`guardrail:${GUARDRAIL.id}:${GUARDRAIL.version}`);
    const violence = meter(page, 'guard VIOLENCE');
    expect(await violence.getAttribute('aria-valuetext')).toBe('VIOLENCE MEDIUM, review at MEDIUM, deny at HIGH, reached review');
    expect(await violence.getAttribute('aria-valuemax')).toBe('3');
    expect(await violence.getAttribute('aria-valuenow')).toBe('2');
    expect(await meter(page, 'guard INSULTS').getAttribute('aria-valuetext')).toBe('INSULTS LOW');
    await expectAccessible(page, 'audit log with a classifier verdict');
    await block.scrollIntoViewIfNeeded();
    await screenshot(page, 'classifier-audit');
  });

  it('the policy page: the test box shows what the classifier scores; replay uses recorded scores, and calls a provider only under a cap, after showing the cost', async () => {
    const text = 'nobody would miss you if you were gone';
    comprehend.addFixture({ text, toxicity: 0.72, labels: { HARASSMENT_OR_ABUSE: 0.88 } });
    const channel = await namedChannel(chime, 'Replayed');
    // Recorded traffic without classifier scores: the channel had no classifier when it was sent.
    const earlier = await sendMessage(chime, text, { channel, sender: userArn('dana') });
    await waitForItem(stack, earlier, (i) => i.status === 'DELIVERED', 'the message to be delivered');
    const callsFor = () => comprehend.calls().filter((c) => c.operation === 'DetectToxicContent' && c.segments.includes(text)).length;
    expect(callsFor()).toBe(0);

    const page = await browser.pageFor();
    await signIn(page, stack, 'ada', 'moderators,admins', `/policies/${encodeURIComponent(channel)}`);
    await page.getByLabel(/^Policy document of /).fill(
      'classifiers:\n  toxicity:\n    provider: comprehend-toxicity\n    review: { Toxicity: 0.6 }\n    deny: { HARASSMENT_OR_ABUSE: 0.95 }\n    onUnavailable: REVIEW\n',
    );
    await page.getByText('The API accepts this document.').waitFor();

    // As you type, the test box judges by the rules only: no provider call for a pause in typing.
    await page.getByLabel('Sample messages, one per line').fill(text);
    const results = page.getByRole('list', { name: 'Test results' });
    await results.locator('li.test-result').first().waitFor();
    expect(await results.locator('.classifier').count()).toBe(0);
    expect(callsFor()).toBe(0);
    // Test calls the classifier and shows its scores against the draft's thresholds.
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const block = results.locator('.classifier[data-classifier="toxicity"]');
    await block.waitFor();
    expect(await block.textContent()).toMatch(/^toxicity · Amazon Comprehend toxicity · comprehend:DetectToxicContentHeld for review by toxicity \(Toxicity 0\.72\)/);
    expect(await meter(page, 'toxicity HARASSMENT_OR_ABUSE').getAttribute('aria-valuetext')).toBe('HARASSMENT_OR_ABUSE 0.88, deny at 0.95');
    expect(await meter(page, 'toxicity Toxicity').getAttribute('aria-valuetext')).toBe('Toxicity 0.72, review at 0.60, reached review');
    expect(await results.locator('.combined-verdict').textContent()).toMatch(/^With the classifiers: REVIEW held for a moderator/);
    const afterTest = callsFor();
    expect(afterTest).toBe(1);
    await expectAccessible(page, 'policy test box with a classifier');
    await block.scrollIntoViewIfNeeded();
    await screenshot(page, 'classifier-policy-test');

    // Replay on recorded scores: none were recorded for this message, so it is not scored, and nothing is called.
    await page.getByRole('link', { name: 'Replay', exact: true }).click();
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    const summary = page.locator('.replay-classifiers');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Recomputed from the recorded scores: no provider was called.');
    expect(await summary.textContent()).toMatch(/1 judgement had no recorded scores and were not scored/);
    expect(callsFor()).toBe(afterTest);

    // Calling the providers takes an explicit cap, and the cost is shown before any call.
    await page.getByLabel('Call the providers for messages without recorded scores').check();
    const capInput = page.getByLabel('At most (provider calls)');
    expect(await capInput.inputValue()).toBe('');
    await capInput.fill('1');
    await page.getByRole('button', { name: 'Estimate the cost', exact: true }).click();
    const estimate = page.getByRole('region', { name: 'Before it calls the providers' });
    await estimate.waitFor();
    expect(await estimate.textContent()).toMatch(/makes 1 call · 3 text units · about \$/);
    expect(callsFor()).toBe(afterTest);
    await expectAccessible(page, 'replay cost estimate');
    await estimate.scrollIntoViewIfNeeded();
    await screenshot(page, 'classifier-replay-estimate');

    await estimate.getByRole('button', { name: 'Replay, making at most 1 provider call' }).click();
    await page.locator('.replay-classifiers', { hasText: '1 of at most 1 provider call' }).waitFor();
    expect(callsFor()).toBe(afterTest + 1);
    const sample = page.locator('.samples .sample', { hasText: text });
    expect(await sample.locator('.sample-change').textContent()).toMatch(/^ALLOW\s*no rule\s*→\s*REVIEW\s*classifier:toxicity$/);
    await sample.getByText('Classifiers (1)').click();
    expect(await sample.getByRole('meter', { name: 'toxicity Toxicity' }).getAttribute('aria-valuetext')).toBe('Toxicity 0.72, review at 0.60, reached review');
    expect(await sample.locator('.classifier-facts').textContent()).toContain('called the provider now');
    await expectAccessible(page, 'replay with provider calls');
    await page.locator('.replay-classifiers').scrollIntoViewIfNeeded();
    await screenshot(page, 'classifier-replay');
  });
});
