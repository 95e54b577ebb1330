/**
 * The reports room's backstop end to end (the local stack: review API and sweeper Lambda handlers,
 * the Chime emulator, dynalite): a case decided with more reporters than one request settles is
 * finished by the sweeper's cases task, invoked through the Lambda Invoke API as the schedule does.
 */
import { randomUUID } from 'node:crypto';
import { CreateChannelMembershipCommand, type ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack.js';
import { SETTLE_REPORTS_PER_REQUEST } from '../../src/reports/finish.js';
import { caseIdOf } from '../../src/reports/model.js';
import { channelArn, userArn } from '../support/factories.js';
import { api, memberTokenFor, startReviewStack, tokenFor } from '../support/review.js';
import { chimeClient, sendMessage, waitForStatus } from '../support/stack.js';
import { AdjustableClock } from '../support/wait.js';

describe('a decided case’s backstop (local stack, sweeper through Lambda Invoke)', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let lambda: LambdaClient;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    stack = await startReviewStack({ clock });
    chime = chimeClient(stack, { maxAttempts: 1 });
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    chime?.destroy();
    lambda?.destroy();
    await stack?.stop();
  });

  it('settles the reporters one request left, and records the strike at once', async () => {
    const reporters = Array.from({ length: SETTLE_REPORTS_PER_REQUEST + 5 }, (_, i) => userArn(`crowd${i}-${randomUUID().slice(0, 8)}`));
    const sent = await sendMessage(chime, 'meet me after class, you know what happens then', { channel: channelArn(), sender: userArn(`mallory-${randomUUID().slice(0, 8)}`) });
    await waitForStatus(chime, sent, 'SENT');
    for (const m of reporters) await chime.send(new CreateChannelMembershipCommand({ ChannelArn: sent.channelArn, MemberArn: m, Type: 'DEFAULT', ChimeBearer: m }));
    const replies = await Promise.all(reporters.map(async (m) => api(stack, 'POST', '/reports', { token: await memberTokenFor(stack, m), json: { channelArn: sent.channelArn, messageId: sent.messageId, category: 'scam' } })));
    expect(replies.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
    const caseId = caseIdOf(sent.channelArn, sent.messageId);
    const anna = await tokenFor(stack, 'anna');

    const decided = await api(stack, 'POST', `/cases/${caseId}/decision`, { token: anna, json: { action: 'REDACT', reason: 'scam' } });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body).toMatchObject({ reporterCount: reporters.length, settled: false, decision: { chime: { outcome: 'DONE' } } });
    const record = await api(stack, 'GET', `/senders/${encodeURIComponent(sent.sender)}`, { token: anna });
    // The strike is recorded by the deciding request, before the reporters.
    expect(record.status, record.text).toBe(200);
    expect(record.body.strikes).toEqual([expect.objectContaining({ source: { kind: 'report', caseId }, standing: 'counts' })]);

    clock.advance(120_000);
    const reply = await lambda.send(new InvokeCommand({ FunctionName: 'sweeper', Payload: Buffer.from('{}') }));
    expect(reply.FunctionError).toBeUndefined();
    const sweep = JSON.parse(Buffer.from(reply.Payload!).toString('utf8'));
    expect(sweep.tasks.Cases).toMatchObject({ settled: 1, errors: 0 });

    const after = await api(stack, 'GET', `/cases/${caseId}`, { token: anna });
    expect(after.body.settled).toBe(true);
    for (const r of after.body.reports) expect(r.reporter).toMatchObject({ upheld: 1, dismissed: 0 });
  });
});
