import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn } from '../support/factories.js';
import { manyTerms } from '../support/policies.js';
import { api, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForItem, waitForStatus } from '../support/stack.js';

const REFRESH_SECONDS = 1;
const at = (scope: string, suffix = '') => `/policies/${encodeURIComponent(scope)}${suffix}`;
/** The promise under test: a change applies to every message decided POLICY_REFRESH_SECONDS after it. */
const refreshInterval = () => new Promise((resolve) => setTimeout(resolve, REFRESH_SECONDS * 1000 + 50));

describe('live policies reach the running worker without a restart', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let admin: string;
  let moderator: string;

  beforeAll(async () => {
    stack = await startReviewStack({ env: { POLICY_REFRESH_SECONDS: String(REFRESH_SECONDS) } });
    chime = chimeClient(stack);
    admin = await tokenFor(stack, 'ada', ['admins']);
    moderator = await tokenFor(stack, 'mo', ['moderators']);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  const put = async (scope: string, document: unknown, comment = 'test') => {
    const response = await api(stack, 'PUT', at(scope), { token: admin, json: { document, comment } });
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    return response.body as { version: number };
  };

  it('denies a newly blocked term in one channel within POLICY_REFRESH_SECONDS, not in another, and allows it again after a rollback', async () => {
    const kids = channelArn();
    const other = channelArn();
    const worker = stack.workerPolicies;
    // Both channels are known to the worker first, as channels without a policy (negative cache).
    await waitForStatus(chime, await sendMessage(chime, 'good morning', { channel: kids }), 'SENT');
    await waitForStatus(chime, await sendMessage(chime, 'good morning', { channel: other }), 'SENT');

    const v1 = await put(kids, { terms: { review: ['homework answers'] } }, 'kids channel rules');
    const v2 = await put(kids, { terms: { review: ['homework answers'], block: ['zorblax'] } }, 'new scam phrase');
    await refreshInterval();

    const denied = await sendMessage(chime, 'get your Zorblax here', { channel: kids });
    await waitForStatus(chime, denied, 'DENIED');
    const deniedItem = await waitForItem(stack, denied, (i) => i.decision !== undefined, 'decided');
    expect(deniedItem.policy).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
    expect(deniedItem.policy?.versions).toEqual([
      { scope: 'global', version: 0, mode: 'enforce' },
      { scope: kids, version: v2.version, mode: 'enforce' },
    ]);
    await waitForStatus(chime, await sendMessage(chime, 'get your Zorblax here', { channel: other }), 'SENT');

    const rolled = await api(stack, 'POST', at(kids, '/rollback'), { token: admin, json: { version: v1.version, comment: 'false alarm' } });
    expect(rolled.status, rolled.text).toBe(200);
    await refreshInterval();
    const allowed = await sendMessage(chime, 'get your Zorblax here', { channel: kids });
    await waitForStatus(chime, allowed, 'SENT');
    const allowedItem = await waitForItem(stack, allowed, (i) => i.decision !== undefined, 'decided');
    expect(allowedItem.policy?.versions?.at(-1)).toEqual({ scope: kids, version: rolled.body.version, mode: 'enforce' });

    // The same worker container throughout: nothing was restarted or redeployed.
    expect(stack.workerPolicies).toBe(worker);
    // The audit log says which version decided each message.
    const audit = await api(stack, 'GET', `/decisions?channelArn=${encodeURIComponent(kids)}&limit=10`, { token: moderator });
    expect(audit.status, audit.text).toBe(200);
    const byId = new Map(audit.body.items.map((e: { callbackId: string }) => [e.callbackId, e]));
    expect((byId.get(deniedItem.callbackId) as { policy: { versions: unknown[] } }).policy.versions).toContainEqual({ scope: kids, version: v2.version, mode: 'enforce' });
    expect((byId.get(allowedItem.callbackId) as { policy: { versions: unknown[] } }).policy.versions).toContainEqual({ scope: kids, version: rolled.body.version, mode: 'enforce' });
  });

  it('decides with a 100,000-term policy stored through the API', async () => {
    const channel = channelArn();
    const terms = manyTerms(100_000, 23);
    await put(channel, { terms: { block: terms } }, 'the big list');
    await refreshInterval();
    const denied = await sendMessage(chime, `is ${terms[77_777]} legit?`, { channel });
    await waitForStatus(chime, denied, 'DENIED', 30_000);
    const item = await waitForItem(stack, denied, (i) => i.decision !== undefined, 'decided');
    expect(item.policy?.reason).toContain(terms[77_777]);
    await waitForStatus(chime, await sendMessage(chime, 'see you at the standup', { channel }), 'SENT');
  });

  it('runs a shadow-mode scope beside the applied policy and records both', async () => {
    const app = `arn:aws:chime:us-east-1:123456789012:app-instance/${randomUUID()}`;
    const channel = `${app}/channel/general`;
    const sender = `${app}/user/alice`;
    const shadow = await put(app, { mode: 'shadow', terms: { block: ['moonshot'] } }, 'try before enforcing');
    await refreshInterval();

    const sent = await sendMessage(chime, 'moonshot coin, 100x', { channel, sender });
    await waitForStatus(chime, sent, 'SENT');
    const item = await waitForItem(stack, sent, (i) => i.decision !== undefined, 'decided');
    expect(item.policy).toMatchObject({ action: 'ALLOW', versions: [{ scope: 'global', version: 0, mode: 'enforce' }] });
    expect(item.shadowPolicy).toMatchObject({ action: 'DENY', ruleIds: ['terms.block'] });
    expect(item.shadowPolicy?.versions).toEqual([
      { scope: 'global', version: 0, mode: 'enforce' },
      { scope: app, version: shadow.version, mode: 'shadow' },
    ]);

    const audit = await api(stack, 'GET', `/decisions?channelArn=${encodeURIComponent(channel)}`, { token: moderator });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.items[0]).toMatchObject({ callbackId: item.callbackId, action: 'ALLOW', policy: { action: 'ALLOW' }, shadowPolicy: { action: 'DENY', differs: true } });

    // A held message shows the versions in the review queue too.
    const held = await sendMessage(chime, 'can I get a refund?', { channel, sender });
    await waitForItem(stack, held, (i) => i.status === 'PENDING_REVIEW', 'held');
    const queue = await api(stack, 'GET', `/reviews?channelArn=${encodeURIComponent(channel)}`, { token: moderator });
    expect(queue.body.items[0].policy).toMatchObject({ action: 'REVIEW', versions: [{ scope: 'global', version: 0, mode: 'enforce' }] });
    expect(queue.body.items[0].shadowPolicy).toMatchObject({ action: 'REVIEW', differs: false });
  });
});
