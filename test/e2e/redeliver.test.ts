/**
 * Recovery after a misconfiguration (README "Recovering FAILED messages"): the execution role
 * lacks chime:ChannelFlowCallback (the emulator's `callbackForbiddenRate`), every message is
 * refused and recorded FAILED while it waits PENDING in Chime; the grant is fixed; one call (or
 * `npm run redeliver`) delivers each recorded decision within its window. A second call does nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn, userArn } from '../support/factories.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, itemsFor, messageStatus, sendMessage, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);

describe('re-delivering FAILED messages after a missing grant is fixed', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let alice: string;
  let root: string;

  beforeAll(async () => {
    stack = await startReviewStack();
    chime = chimeClient(stack, { maxAttempts: 1 });
    alice = await tokenFor(stack, 'alice');
    root = await tokenFor(stack, 'root', ['admins']);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const failedMessages = async (contents: string[]) => {
    stack.simulator.setFaults({ callbackForbiddenRate: 1 });
    const sent: SentMessage[] = [];
    for (const content of contents) sent.push(await sendMessage(chime, content, { channel: channelArn(), sender: userArn('grace') }));
    const items = await waitFor(
      async () => {
        const all = (await Promise.all(sent.map((s) => itemsFor(stack, s)))).flat();
        return all.length === sent.length && all.every((i) => i.status === 'FAILED') ? all : undefined;
      },
      { what: 'every message to be FAILED' },
    );
    stack.simulator.setFaults({ callbackForbiddenRate: 0 });
    return { sent, items };
  };

  it('lists them, delivers each recorded decision once the fault is cleared, and a second call does nothing', async () => {
    const { sent, items } = await failedMessages(['all fine here', 'buy followers now', 'mail me: ops@example.com']);
    for (const item of items) expect(item.outcome?.reason).toMatch(/Forbidden before its deadline .*chime:ChannelFlowCallback/);
    for (const s of sent) expect(await messageStatus(chime, s)).toBe('PENDING');

    const listed = await api(stack, 'GET', '/operations/failed?limit=100', { token: alice });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((i: ModerationItem) => i.callbackId)).toEqual(expect.arrayContaining(items.map((i) => i.callbackId)));

    // Moderators may look; only admins may act.
    const refused = await api(stack, 'POST', '/operations/redeliver', { token: alice, json: { status: 'FAILED' } });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toMatch(/admins-only$/);

    const response = await api(stack, 'POST', '/operations/redeliver', { token: root, json: { status: 'FAILED', callbackIds: items.map((i) => i.callbackId) } });
    expect(response.status, response.text).toBe(200);
    expect(response.body.more).toBe(false);
    expect(response.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    // The recorded decisions, not new ones.
    for (const [i, item] of items.entries()) {
      const now = (await stack.runtime.store.get(item.callbackId))!;
      expect(now).toMatchObject({ status: 'DELIVERED', decision: item.decision });
      expect(now.history.map((h) => h.event)).toContain('redelivery-requested');
      expect(await messageStatus(chime, sent[i]!)).toBe(item.decision!.action === 'DENY' ? 'DENIED' : 'SENT');
    }
    const again = await api(stack, 'POST', '/operations/redeliver', { token: root, json: { status: 'FAILED', callbackIds: items.map((i) => i.callbackId) } });
    expect(again.body.results.map((r: { outcome: string; reason: string }) => [r.outcome, r.reason])).toEqual(items.map(() => ['SKIPPED', 'It is DELIVERED, not FAILED']));
    const calls = stack.simulator.callbacks().filter((c) => items.some((i) => i.callbackId === c.callbackId));
    expect(calls.filter((c) => c.outcome.status === 200)).toHaveLength(3);
  });

  it('reports FAILED again while the grant is still missing, and leaves the item FAILED', async () => {
    const { items } = await failedMessages(['still broken']);
    stack.simulator.setFaults({ callbackForbiddenRate: 1 });
    try {
      const response = await api(stack, 'POST', '/operations/redeliver', { token: root, json: { status: 'FAILED', callbackIds: [items[0]!.callbackId] } });
      expect(response.body.results).toMatchObject([{ callbackId: items[0]!.callbackId, outcome: 'FAILED', reason: expect.stringMatching(/Forbidden/) }]);
    } finally {
      stack.simulator.setFaults({ callbackForbiddenRate: 0 });
    }
    expect(await stack.runtime.store.get(items[0]!.callbackId)).toMatchObject({ status: 'FAILED' });
  });

  it('takes every FAILED item in its window with `npm run redeliver`, and refuses a bad request with 400', async () => {
    const { sent } = await failedMessages(['one more', 'and another']);
    const { stdout } = await run('npx', ['tsx', 'scripts/redeliver.ts', '--status', 'FAILED', '--url', stack.endpoints.api, '--token', root], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    expect(stdout).toMatch(/DELIVERED \d+/);
    for (const s of sent) expect(await messageStatus(chime, s)).toBe('SENT');
    const second = await run('npx', ['tsx', 'scripts/redeliver.ts', '--status', 'FAILED', '--url', stack.endpoints.api, '--token', root]);
    expect(second.stdout).toMatch(/nothing to re-deliver/);

    const bad = await api(stack, 'POST', '/operations/redeliver', { token: root, json: { status: 'DELIVERED' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
