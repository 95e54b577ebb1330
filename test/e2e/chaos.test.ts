/**
 * Every fault at once, over thousands of messages (issue "The record is the truth"):
 *   - storage: DynamoDB and SQS requests dropped, and answers lost after the server applied them
 *     (the SDK retries them by itself: src/local/storage-faults.ts);
 *   - Chime: callbacks answered 429 and 503, and callbacks (and moderators' actions) applied with
 *     their answer lost (the emulator's `loseAnswerRate`);
 *   - Lambda: every processor invocation delivered twice, and worker crashes between recording a
 *     decision and delivering it.
 * Moderators work the held messages through the API meanwhile, retrying with an Idempotency-Key
 * whenever they get no clear answer. No fixed sleeps: everything waits on a condition. The
 * generator is seeded: a failure names the seed and reproduces.
 *
 * After it, for every message: exactly one callback Chime accepted, carrying the decision its
 * policy calls for (or its moderator's); the record says DELIVERED and Chime shows the message
 * resolved that way. Never FAILED, EXPIRED or ALREADY_RESOLVED for a callback of ours that landed.
 */
import { randomUUID } from 'node:crypto';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import { evaluate, loadPolicyFile, resolvePolicyPath } from '../../src/policy/index.js';
import type { LocalStack } from '../../src/local/stack.js';
import { channelArn, userArn } from '../support/factories.js';
import { prng } from '../support/prng.js';
import { api, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, startTestStack, type SentMessage } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const SEED = 20261207;
/**
 * `npm test` sends 1,000 (about a minute on two cores); CI's `npm run test:long` sends 4,000
 * (vitest.long.config.ts). Waits scale with the count; nothing sleeps for a fixed time.
 */
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 1000);
const SETTLE_MS = Math.max(240_000, MESSAGES * 200);
const CONTENTS = [
  'plain hello',
  'see you at the standup',
  'mail me: ops@example.com',
  'buy followers now',
  'I need a refund',
  'docs at https://github.com/aws/aws-sdk-js-v3',
  'card 4111-1111-1111-1111 please',
  'call me at +1 (415) 555-0100',
  'lunch?',
  'ship it',
];
const policy = loadPolicyFile(resolvePolicyPath());

describe(`the pipeline under every fault at once (${MESSAGES} messages, seed ${SEED})`, () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  const operations = new Set<string>();

  beforeAll(async () => {
    stack = await startTestStack({
      sweepIntervalSeconds: 1,
      workerConcurrency: 4,
      env: { STUCK_AFTER_SECONDS: '3' },
      faults: { callbackThrottleRate: 0.1, callbackUnavailableRate: 0.05, loseAnswerRate: 0.1, duplicateInvocations: 1, duplicateDelayMs: 20 },
      storageFaults: { dropRequestRate: 0.02, loseAnswerRate: 0.02 },
    });
    chime = chimeClient(stack);
    // Every DynamoDB operation the system performs, to check the sweeper never scans.
    stack.clients.dynamodb.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        operations.add(context.commandName ?? '?');
        return next(args);
      }) as never,
      { step: 'initialize', name: 'recordOperations' },
    );
  }, 60_000);
  afterAll(async () => {
    chime?.destroy();
    await stack?.stop();
  });

  /** A moderator deciding held messages through the API: no clear answer means the same request again, same key. */
  async function decideHeld(token: string, item: ModerationItem, action: 'ALLOW' | 'DENY'): Promise<void> {
    const key = randomUUID();
    const body = action === 'DENY' ? { action, reason: 'not here' } : { action };
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      const response = await api(stack, 'POST', `/reviews/${item.callbackId}/decision`, { token, json: body, headers: { 'idempotency-key': key } }).catch(() => undefined);
      if (response?.status === 200) return;
      // A 409 here can only be someone else (the sweeper's expiry) deciding first: not ours to retry.
      if (response && response.status >= 400 && response.status < 500) throw new Error(`decision refused: ${response.status} ${response.text}`);
    }
    throw new Error(`no answer for ${item.callbackId} after 20 attempts`);
  }

  it('settles every message with one accepted callback carrying its decision, and a record that says what Chime did', async () => {
    const random = prng(SEED);
    stack.crashes.crashWorkerAfterNextDecisions(5);
    const moderator = await tokenFor(stack, 'mod-chaos');

    // Send them in waves, as chat users would: a few dozen at a time.
    const sent: Array<SentMessage & { content: string }> = [];
    for (let start = 0; start < MESSAGES; start += 50) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(50, MESSAGES - start) }, async (_, i) => {
          const content = `${CONTENTS[Math.floor(random() * CONTENTS.length)]} #${start + i}`;
          const message = await sendMessage(chime, content, { channel: channelArn(), sender: userArn(`u${Math.floor(random() * 200)}`) });
          return { ...message, content };
        }),
      );
      sent.push(...wave);
    }

    // Moderators decide what the policy held, as it comes in (read from the review queue, as the
    // console does), until Chime holds none of the messages any more.
    const decidedByModerator = new Map<string, 'ALLOW' | 'DENY'>();
    const byMessage = new Map(sent.map((s) => [s.messageId, s]));
    const diagnose = async () => {
      const stuck = stack.simulator.messages().filter((m) => byMessage.has(m.messageId) && m.status === 'PENDING').slice(0, 10);
      const items = await Promise.all(stuck.flatMap((m) => m.callbackIds).map((id) => stack.runtime.store.get(id)));
      const parked = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, MaxNumberOfMessages: 5, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
      return JSON.stringify({
        parked: (parked.Messages ?? []).map((m) => (JSON.parse(m.Body ?? '{}') as { responsePayload?: unknown; reason?: string }).responsePayload ?? (JSON.parse(m.Body ?? '{}') as { reason?: string }).reason),
        pending: stack.simulator.messages().filter((m) => byMessage.has(m.messageId) && m.status === 'PENDING').length,
        intakeDlq: await stack.queueDepth('intakeDlq'),
        workDlq: await stack.queueDepth('workDlq'),
        work: await stack.queueDepth('work'),
        samples: stuck.map((m, i) => ({ messageId: m.messageId, callbackIds: m.callbackIds, item: items[i] ? { status: items[i]!.status, delivery: items[i]!.delivery, history: items[i]!.history.map((h) => `${h.event}:${h.reason ?? ''}`) } : 'none' })),
      });
    };
    await waitFor(
      async () => {
        const queue = await stack.runtime.store.listPendingReviews({ subject: 'mod-chaos', now: Date.now(), claimed: 'any', limit: 100 });
        const held = queue.items.filter((i) => byMessage.has(i.message.messageId) && !decidedByModerator.has(i.callbackId));
        for (const item of held) decidedByModerator.set(item.callbackId, random() < 0.5 ? 'ALLOW' : 'DENY');
        await Promise.all(held.map((item) => decideHeld(moderator, item, decidedByModerator.get(item.callbackId)!)));
        return stack.simulator.messages().every((m) => !byMessage.has(m.messageId) || m.status !== 'PENDING');
      },
      { timeoutMs: SETTLE_MS, intervalMs: 500, what: `Chime to hold none of ${sent.length} messages (seed ${SEED})` },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnose()}`);
    });
    // Then our record: every item terminal (a write may still be landing: poll, a hundred at a time).
    const ids = stack.simulator.messages().flatMap((m) => (byMessage.has(m.messageId) ? m.callbackIds : []));
    const settled = await waitFor(
      async () => {
        const items: ModerationItem[] = [];
        for (let i = 0; i < ids.length; i += 100) items.push(...(await Promise.all(ids.slice(i, i + 100).map((id) => stack.runtime.store.get(id)))).filter((item): item is ModerationItem => item !== undefined));
        return items.length === sent.length && items.every((i) => !['RECEIVED', 'DECIDED', 'PENDING_REVIEW'].includes(i.status)) ? items : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: `the record of every one of ${sent.length} messages to settle (seed ${SEED})` },
    );

    // The faults really happened.
    expect(stack.crashes.pending()).toBe(0);
    expect(stack.storageFaults.counts.dynamodb.answersLost).toBeGreaterThan(0);
    expect(stack.storageFaults.counts.dynamodb.dropped).toBeGreaterThan(0);
    expect(stack.storageFaults.counts.sqs.answersLost + stack.storageFaults.counts.sqs.dropped).toBeGreaterThan(0);
    const allCallbacks = stack.simulator.callbacks();
    expect(allCallbacks.filter((c) => c.outcome.answerLost).length).toBeGreaterThan(0);
    expect(allCallbacks.filter((c) => c.outcome.status === 429).length).toBeGreaterThan(0);
    expect(allCallbacks.filter((c) => c.outcome.status === 503).length).toBeGreaterThan(0);
    expect(stack.simulator.invocations().length).toBeGreaterThanOrEqual(2 * sent.length);

    const callbacksById = new Map<string, typeof allCallbacks>();
    for (const c of allCallbacks) callbacksById.set(c.callbackId, [...(callbacksById.get(c.callbackId) ?? []), c]);
    const chimeStatus = new Map(stack.simulator.messages().map((m) => [m.messageId, m.status]));
    const wrong: string[] = [];
    for (const item of settled) {
      const message = byMessage.get(item.message.messageId)!;
      const verdict = evaluate(policy, item.message);
      const expected = verdict.action === 'REVIEW' ? decidedByModerator.get(item.callbackId) : verdict.action;
      const calls = callbacksById.get(item.callbackId) ?? [];
      const accepted = calls.filter((c) => c.outcome.status === 200);
      const problems = [
        item.status !== 'DELIVERED' && `status ${item.status} (${item.outcome?.reason ?? ''})`,
        item.decision?.action !== expected && `decided ${item.decision?.action}, policy/moderator said ${expected}`,
        accepted.length !== 1 && `${accepted.length} accepted callbacks`,
        new Set(calls.map((c) => JSON.stringify([c.deleteResource, c.channelMessage]))).size !== 1 && 'callbacks carried different decisions',
        chimeStatus.get(message.messageId) !== (expected === 'DENY' ? 'DENIED' : 'SENT') && `Chime shows ${chimeStatus.get(message.messageId)}`,
        item.history.filter((h) => h.event.startsWith('decided:')).length !== 1 && 'decided more than once',
      ].filter(Boolean);
      if (problems.length > 0) wrong.push(`${item.callbackId} "${message.content}": ${problems.join('; ')}`);
    }
    expect(wrong, `seed ${SEED}`).toEqual([]);
    expect(decidedByModerator.size).toBeGreaterThan(0);
    // The sweeper ran throughout (every second) and read only through the index.
    expect(operations).toContain('QueryCommand');
    expect(operations).not.toContain('ScanCommand');
  }, SETTLE_MS + 120_000);
});
