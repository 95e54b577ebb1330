import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { callbacksFor, chimeClient, messageStatus, sendMessage, startTestStack, waitForItem, waitForStatus } from '../support/stack.js';
import { AdjustableClock } from '../support/wait.js';

const WINDOW = 172_800;
const MARGIN = 3_600;

describe('deadlines through the local stack (sweeper invoked through the Lambda Invoke API)', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let lambda: LambdaClient;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    stack = await startTestStack({ clock, env: { CALLBACK_WINDOW_SECONDS: String(WINDOW), EXPIRY_MARGIN_SECONDS: String(MARGIN), EXPIRY_ACTION: 'DENY' } });
    chime = chimeClient(stack);
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    chime?.destroy();
    lambda?.destroy();
    await stack?.stop();
  });

  const invokeSweeper = async () => {
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'sweeper', Payload: Buffer.from('{}') }));
    expect(reply.FunctionError).toBeUndefined();
    return JSON.parse(Buffer.from(reply.Payload!).toString('utf8'));
  };

  it('applies the expiry action to a review item near its deadline, exactly once', async () => {
    const sent = await sendMessage(chime, 'I need a refund, wire transfer please');
    const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW');
    clock.advance((WINDOW - MARGIN + 5) * 1000);
    const first = await invokeSweeper();
    const second = await invokeSweeper();
    expect(first.expiryDecisions).toBeGreaterThanOrEqual(1);
    expect(second.expiryDecisions).toBe(0);
    await waitForStatus(chime, sent, 'DENIED');
    expect(callbacksFor(stack, held.callbackId)).toMatchObject([{ deleteResource: true, outcome: { status: 200 } }]);
    expect(await stack.runtime.store.get(held.callbackId)).toMatchObject({ status: 'DELIVERED', decision: { origin: 'EXPIRY', action: 'DENY' } });
  });

  it('sends no callback for an item already past its deadline, and records it EXPIRED', async () => {
    const sent = await sendMessage(chime, 'gift card deal, refund guaranteed');
    const held = await waitForItem(stack, sent, (i) => i.status === 'PENDING_REVIEW');
    clock.advance(WINDOW * 1000);
    const report = await invokeSweeper();
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(await stack.runtime.store.get(held.callbackId)).toMatchObject({ status: 'EXPIRED' });
    expect(callbacksFor(stack, held.callbackId)).toHaveLength(0);
    expect(await messageStatus(chime, sent)).toBe('PENDING');
  });
});
