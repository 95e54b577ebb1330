import { GetChannelMessageCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { callbacksFor, chimeClient, editMessage, itemsFor, messageStatus, sendMessage, startTestStack, waitForItem, waitForStatus } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('the pipeline end to end, through the stock Chime client', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;

  beforeAll(async () => {
    // The sweeper runs as in production (here every second, with a 3 s stuck threshold): it is
    // the backstop for a delivery that exhausted its SQS receives under heavy throttling.
    stack = await startTestStack({ sweepIntervalSeconds: 1, env: { STUCK_AFTER_SECONDS: '3' } });
    chime = chimeClient(stack);
  });
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  // Chime shows the outcome a moment before our own DELIVERED write lands; wait for both.
  const delivered = (sent: { messageId: string }) => waitForItem(stack, sent as never, (i) => i.status === 'DELIVERED', 'DELIVERED');

  const readAsSender = async (sent: { channelArn: string; messageId: string; sender: string }) =>
    (await chime.send(new GetChannelMessageCommand({ ChannelArn: sent.channelArn, MessageId: sent.messageId, ChimeBearer: sent.sender }))).ChannelMessage;

  it('delivers a clean message unchanged', async () => {
    const sent = await sendMessage(chime, 'Lunch at noon? The usual place.');
    await waitForStatus(chime, sent, 'SENT');
    expect((await readAsSender(sent))?.Content).toBe('Lunch at noon? The usual place.');
    const item = await delivered(sent);
    expect(item).toMatchObject({ status: 'DELIVERED', decision: { action: 'ALLOW', origin: 'AUTO' } });
    expect(callbacksFor(stack, item!.callbackId)).toHaveLength(1);
  });

  it('delivers a message with PII redacted', async () => {
    const sent = await sendMessage(chime, 'Mail me at jane.doe@example.com or call +1 (555) 123-4567');
    await waitForStatus(chime, sent, 'SENT');
    const content = (await readAsSender(sent))?.Content ?? '';
    expect(content).not.toContain('jane.doe@example.com');
    expect(content).not.toContain('123-4567');
    expect(content).toContain('[email redacted]');
    const item = await delivered(sent);
    expect(item?.decision).toMatchObject({ action: 'UPDATE', ruleIds: expect.arrayContaining(['pii.email', 'pii.phone']) });
    // The audit record keeps the original: Chime only has the redacted copy.
    expect(item?.message.content).toContain('jane.doe@example.com');
  });

  it('denies a blocklisted message, and keeps our record of why', async () => {
    const sent = await sendMessage(chime, 'Get rich with S.C.A.M.C.O.I.N today');
    await waitForStatus(chime, sent, 'DENIED');
    const item = await delivered(sent);
    expect(item).toMatchObject({ status: 'DELIVERED', decision: { action: 'DENY', ruleIds: ['terms.block'] } });
    expect(item?.history.map((h) => h.event)).toEqual(['received', 'decided:DENY', 'delivered']);
  });

  it('holds a message that needs review: no callback, still PENDING', async () => {
    const sent = await sendMessage(chime, 'Can I get a refund for my order?');
    const item = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW', 'PENDING_REVIEW');
    expect(item.policy?.ruleIds).toContain('terms.review');
    expect(await messageStatus(chime, sent)).toBe('PENDING');
    expect(callbacksFor(stack, item.callbackId)).toHaveLength(0);
  });

  it('runs an edit through the flow under its own CallbackId', async () => {
    const sent = await sendMessage(chime, 'first draft');
    await waitForStatus(chime, sent, 'SENT');
    await editMessage(chime, sent, 'second draft, reach me at bob@example.org');
    const edited = await waitFor(async () => {
      const items = await itemsFor(stack, sent);
      return items.length === 2 && items.every((i) => i.status === 'DELIVERED') ? items : undefined;
    }, { what: 'both versions delivered' });
    expect(new Set(edited.map((i) => i.callbackId)).size).toBe(2);
    expect((await readAsSender(sent))?.Content).toBe('second draft, reach me at [email redacted]');
  });

  it('sends exactly one callback when Chime invokes intake twice for the same CallbackId', async () => {
    stack.simulator.setFaults({ duplicateInvocations: 2, duplicateDelayMs: 30 });
    try {
      const sent = await sendMessage(chime, 'duplicates are normal');
      await waitForStatus(chime, sent, 'SENT');
      await stack.simulator.idle();
      await stack.lambda.drain();
      const [item] = await itemsFor(stack, sent);
      expect(stack.simulator.invocations().filter((e) => e.CallbackId === item!.callbackId)).toHaveLength(3);
      // Let any redelivered duplicate run its course before counting.
      await waitFor(async () => {
        const depth = await stack.queueDepth('work');
        return depth.visible + depth.inFlight === 0;
      }, { what: 'the work queue to drain' });
      expect(callbacksFor(stack, item!.callbackId)).toHaveLength(1);
    } finally {
      stack.simulator.setFaults({ duplicateInvocations: 0 });
    }
  });

  it('retries throttled and unavailable callbacks until they land, once each', async () => {
    stack.simulator.setFaults({ callbackThrottleRate: 0.5, callbackUnavailableRate: 0.2 });
    try {
      const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => sendMessage(chime, `busy afternoon ${i}`)));
      await Promise.all(sent.map((s) => waitForStatus(chime, s, 'SENT', 60_000)));
      for (const s of sent) {
        const [item] = await itemsFor(stack, s);
        const calls = callbacksFor(stack, item!.callbackId);
        expect(calls.filter((c) => c.outcome.status === 200)).toHaveLength(1);
        expect(item?.status).toBe('DELIVERED');
      }
      const rejected = stack.simulator.callbacks().filter((c) => c.outcome.status === 429 || c.outcome.status === 503);
      expect(rejected.length).toBeGreaterThan(0);
    } finally {
      stack.simulator.setFaults({ callbackThrottleRate: 0, callbackUnavailableRate: 0 });
    }
  });

  it('recovers from a worker that crashes between recording and delivering: the batch comes back, one decision and one accepted callback each', async () => {
    stack.crashes.crashWorkerAfterNextDecisions(1);
    const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => sendMessage(chime, `crash course ${i}`)));
    await Promise.all(sent.map((s) => waitForStatus(chime, s, 'SENT', 30_000)));
    expect(stack.crashes.pending()).toBe(0); // the crash did happen
    const items = await waitFor(async () => {
      const all = (await Promise.all(sent.map((s) => itemsFor(stack, s)))).flat();
      return all.length === 5 && all.every((i) => i.status !== 'DECIDED') ? all : undefined;
    }, { what: 'every item to be settled' });
    for (const item of items) {
      // A batch-mate may have called back just before the crash and lost its confirmation; the
      // redelivery then meets a Conflict and settles ALREADY_RESOLVED. Either way: one decision.
      expect(['DELIVERED', 'ALREADY_RESOLVED']).toContain(item.status);
      expect(item.history.filter((h) => h.event.startsWith('decided:'))).toHaveLength(1);
      const calls = callbacksFor(stack, item.callbackId);
      expect(calls.filter((c) => c.outcome.status === 200)).toHaveLength(1);
      // Every attempt carried the same recorded decision.
      expect(new Set(calls.map((c) => JSON.stringify([c.deleteResource, c.channelMessage]))).size).toBe(1);
    }
  });
});
