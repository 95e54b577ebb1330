import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { callbacksFor, chimeClient, itemsFor, sendMessage, startTestStack, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * Every fault at once: throttled and unavailable callbacks, duplicate invocations, and worker
 * crashes between recording and delivering. The invariants must hold for every message.
 */
describe('the pipeline under every fault at once', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalSeconds: 1, env: { STUCK_AFTER_SECONDS: '3' }, faults: { callbackThrottleRate: 0.3, callbackUnavailableRate: 0.1, duplicateInvocations: 1, duplicateDelayMs: 20 } });
    chime = chimeClient(stack);
    // Every DynamoDB operation the system performs, to check the sweeper never scans.
    stack.clients.dynamodb.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        operations.add(context.commandName ?? '?');
        return next(args);
      }) as never,
      { step: 'initialize', name: 'recordOperations' },
    );
  });
  const operations = new Set<string>();
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  it('settles every message with exactly one decision, and at most one accepted callback carrying it', async () => {
    const contents = [
      'plain hello',
      'mail me: ops@example.com',
      'buy followers now',
      'I need a refund',
      'docs at https://github.com/aws/aws-sdk-js-v3',
      'card 4111-1111-1111-1111 please',
    ];
    stack.crashes.crashWorkerAfterNextDecisions(3);
    const sent: Array<SentMessage & { content: string }> = [];
    for (let i = 0; i < 36; i++) {
      const content = `${contents[i % contents.length]} #${i}`;
      sent.push({ ...(await sendMessage(chime, content)), content });
    }

    const settled = await waitFor(
      async () => {
        const items = (await Promise.all(sent.map((s) => itemsFor(stack, s)))).flat();
        const done = items.length === sent.length && items.every((i) => ['DELIVERED', 'ALREADY_RESOLVED', 'PENDING_REVIEW'].includes(i.status));
        return done ? items : undefined;
      },
      { timeoutMs: 90_000, what: 'every message to settle' },
    );
    expect(stack.crashes.pending()).toBe(0);

    const byStatus = (status: string) => settled.filter((i: ModerationItem) => i.status === status);
    expect(byStatus('PENDING_REVIEW')).toHaveLength(6); // the refund messages
    for (const item of settled) {
      const calls = callbacksFor(stack, item.callbackId);
      expect(item.history.filter((h) => h.event.startsWith('decided:') || h.event === 'held-for-review')).toHaveLength(1);
      if (item.status === 'PENDING_REVIEW') {
        expect(calls).toHaveLength(0);
        continue;
      }
      expect(calls.filter((c) => c.outcome.status === 200)).toHaveLength(1);
      expect(new Set(calls.map((c) => JSON.stringify([c.deleteResource, c.channelMessage]))).size).toBe(1);
    }
    // Chime ends in the state the recorded decisions say.
    const denied = settled.filter((i) => i.decision?.action === 'DENY').map((i) => i.message.messageId);
    expect(denied).toHaveLength(6);
    for (const id of denied) expect(stack.simulator.messages().find((m) => m.messageId === id)?.status).toBe('DENIED');
    // The sweeper ran throughout (every second) and read only through the index.
    expect(operations).toContain('QueryCommand');
    expect(operations).not.toContain('ScanCommand');
  }, 120_000);
});
