/**
 * `npm run redrive -- --dlq intake` against a real local stack. Events are parked on the intake
 * DLQ the way production parks them: intake fails a real Chime event three times (DynamoDB or the
 * work queue unreachable for it) and Lambda hands the event to its on-failure destination; intake
 * parks a malformed event itself; someone leaves a stray message. Then the redrive, through the
 * real command line and through the module, and a second run that does nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStackFile, type RunningStack } from '../../src/local/discovery.js';
import { currentInvocation } from '../../src/local/lambda-runtime.js';
import type { LocalStack } from '../../src/local/stack.js';
import { lambdaInvoker, redriveIntakeDlq, type RedriveReport } from '../../src/operations/redrive.js';
import { chimeClient, itemsFor, sendMessage, startTestStack, type SentMessage } from '../support/stack.js';
import { AdjustableClock, waitFor } from '../support/wait.js';

const DAY_MS = 86_400_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real command line, as an operator runs it (`npm run redrive` is `tsx scripts/redrive.ts`). */
function redriveCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
  for (const name of ['SQS_ENDPOINT', 'LAMBDA_PORT', 'INTAKE_DLQ_URL', 'CALLBACK_WINDOW_SECONDS', 'EXPIRY_MARGIN_SECONDS']) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/redrive.ts', ...args], { env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('re-driving the intake DLQ', () => {
  let stack: LocalStack;
  let chime: ReturnType<typeof chimeClient>;
  let lambdaClient: LambdaClient;
  let dir: string;
  const clock = new AdjustableClock();
  /** Faults of the test: DynamoDB unreachable for intake; the work queue refusing messages. */
  const outage = { dynamodbForIntake: false, workQueue: false };
  let intakeInvocations = 0;

  const parked: { old?: SentMessage; lostBeforeRecord?: SentMessage; lostBeforeEnqueue?: SentMessage; malformedCallbackId: string; strayBody: string } = {
    malformedCallbackId: 'too-short-to-be-chimes',
    strayBody: 'hello from an operator testing the queue',
  };
  /** The DLQ's message ids after parking, by what they hold. */
  const ids: Record<'old' | 'lostBeforeRecord' | 'lostBeforeEnqueue' | 'malformed' | 'stray', string> = { old: '', lostBeforeRecord: '', lostBeforeEnqueue: '', malformed: '', stray: '' };

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    chime = chimeClient(stack);
    lambdaClient = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    dir = mkdtempSync(join(tmpdir(), 'cfm-redrive-'));

    // Every intake invocation, however it comes (Chime's async invoke, its retries, the Invoke API).
    const invoke = stack.lambda.invoke.bind(stack.lambda);
    stack.lambda.invoke = (name, ...rest) => {
      if (name === 'intake') intakeInvocations += 1;
      return invoke(name, ...rest);
    };
    // The outages, on the stack's own clients: only intake's calls fail, as when its role or network breaks.
    const failing = (what: string) => Object.assign(new Error(`Simulated outage: ${what}`), { name: 'ServiceUnavailable', $fault: 'server' });
    stack.clients.dynamodb.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        if (outage.dynamodbForIntake && currentInvocation()?.functionName === 'intake') throw failing('DynamoDB unreachable');
        return next(args);
      }) as never,
      { step: 'initialize', name: 'testDynamoDbOutageForIntake' },
    );
    stack.clients.sqs.middlewareStack.add(
      ((next: (args: { input?: { QueueUrl?: string } }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: { QueueUrl?: string } }) => {
        if (outage.workQueue && context.commandName === 'SendMessageCommand' && args.input?.QueueUrl === stack.resources.workQueueUrl) throw failing('the work queue refuses messages');
        return next(args);
      }) as never,
      { step: 'initialize', name: 'testWorkQueueOutage' },
    );
  }, 60_000);

  afterAll(async () => {
    chime?.destroy();
    lambdaClient?.destroy();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const dlqDepth = async () => (await stack.queueDepth('intakeDlq')).visible;
  const waitForDlqDepth = (n: number) => waitFor(async () => ((await dlqDepth()) === n ? n : undefined), { timeoutMs: 15_000, what: `${n} messages on the intake DLQ` });
  const chimeStatus = (sent: SentMessage) => stack.simulator.messages().find((m) => m.messageId === sent.messageId)?.status;
  const callbackIdOf = (sent: SentMessage) => stack.simulator.messages().find((m) => m.messageId === sent.messageId)!.callbackIds[0]!;

  /** The DLQ's messages, read without hiding them. */
  async function peekDlq(): Promise<Array<{ id: string; body: string }>> {
    const found = new Map<string, string>();
    for (let i = 0; i < 3; i++) {
      const reply = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
      for (const m of reply.Messages ?? []) found.set(m.MessageId!, m.Body ?? '');
    }
    return [...found].map(([id, body]) => ({ id, body }));
  }

  const moduleRun = (options: { dryRun?: boolean } = {}): Promise<RedriveReport> =>
    redriveIntakeDlq({
      sqs: stack.clients.sqs,
      queueUrl: stack.resources.intakeDlqUrl,
      invoke: lambdaInvoker(lambdaClient, 'intake'),
      functionName: 'intake',
      callbackWindowSeconds: stack.config.callbackWindowSeconds,
      expiryMarginSeconds: stack.config.expiryMarginSeconds,
      ...options,
    });

  it('parks nothing when only DynamoDB fails intake: the event goes to the work queue, whose worker records it and decides', async () => {
    outage.dynamodbForIntake = true;
    try {
      const sent = await sendMessage(chime, 'good morning, everyone');
      await waitFor(async () => (chimeStatus(sent) === 'SENT' ? true : undefined), { timeoutMs: 15_000, what: 'the handed-over message to be SENT' });
      // Chime shows it SENT a moment before the worker's record of the delivery lands.
      const item = await waitFor(async () => (await itemsFor(stack, sent)).find((i) => i.status === 'DELIVERED'), { timeoutMs: 15_000, what: 'the record of its delivery' });
      expect(item.history.map((h) => h.event)).toEqual(['received', 'decided:ALLOW', 'delivered']);
    } finally {
      outage.dynamodbForIntake = false;
    }
    expect(await dlqDepth()).toBe(0);
  }, 60_000);

  it('parks events on the intake DLQ the way production does', async () => {
    // Three days ago (the Chime emulator's and the stack's clock), intake could reach neither DynamoDB nor the work queue.
    outage.dynamodbForIntake = true;
    outage.workQueue = true;
    clock.advance(-3 * DAY_MS);
    parked.old = await sendMessage(chime, 'a message from three days ago');
    await waitForDlqDepth(1);
    clock.advance(3 * DAY_MS);
    // Today: again both (nothing recorded anywhere).
    parked.lostBeforeRecord = await sendMessage(chime, 'see you at the standup');
    await waitForDlqDepth(2);
    // Then only the work queue (recorded RECEIVED, never queued).
    outage.dynamodbForIntake = false;
    parked.lostBeforeEnqueue = await sendMessage(chime, 'the build is green again');
    await waitForDlqDepth(3);
    outage.workQueue = false;
    expect((await itemsFor(stack, parked.lostBeforeEnqueue))[0]?.status).toBe('RECEIVED');
    expect(await itemsFor(stack, parked.lostBeforeRecord)).toEqual([]);

    // A malformed event, which intake parks itself, and a stray message.
    const malformed = { EventType: 'CHANNEL_MESSAGE_EVENT', CallbackId: parked.malformedCallbackId, ChannelMessage: { MessageId: 'm1' } };
    const reply = await lambdaClient.send(new InvokeCommand({ FunctionName: 'intake', Payload: Buffer.from(JSON.stringify(malformed)) }));
    expect(JSON.parse(Buffer.from(reply.Payload!).toString())).toMatchObject({ outcome: 'REJECTED' });
    await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.intakeDlqUrl, MessageBody: parked.strayBody }));
    await waitForDlqDepth(5);

    for (const { id, body } of await peekDlq()) {
      const record = (() => {
        try {
          return JSON.parse(body) as { requestPayload?: { CallbackId?: string }; reason?: string };
        } catch {
          return undefined;
        }
      })();
      if (!record) ids.stray = id;
      else if (record.reason === 'INVALID_EVENT') ids.malformed = id;
      else if (record.requestPayload?.CallbackId === callbackIdOf(parked.old)) ids.old = id;
      else if (record.requestPayload?.CallbackId === callbackIdOf(parked.lostBeforeRecord)) ids.lostBeforeRecord = id;
      else if (record.requestPayload?.CallbackId === callbackIdOf(parked.lostBeforeEnqueue)) ids.lostBeforeEnqueue = id;
    }
    expect(Object.values(ids).every(Boolean)).toBe(true);
    for (const sent of [parked.old, parked.lostBeforeRecord, parked.lostBeforeEnqueue]) expect(chimeStatus(sent)).toBe('PENDING');
  }, 60_000);

  it('keeps everything and exits 1 while intake still fails, deleting nothing', async () => {
    outage.dynamodbForIntake = true;
    outage.workQueue = true;
    try {
      const run = await redriveCli(['--dlq', 'intake', '--queue-url', stack.resources.intakeDlqUrl, '--function', 'intake', '--sqs-endpoint', stack.endpoints.sqs, '--lambda-endpoint', stack.endpoints.lambda]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`${ids.lostBeforeRecord}  destination record \\(RetriesExhausted, 3 attempts\\).*intake failed: function error \\(Unhandled\\) AggregateError: Neither DynamoDB nor SQS took CallbackId .*Simulated outage: DynamoDB unreachable.*; kept`));
      expect(run.stdout).toMatch(new RegExp(`${ids.lostBeforeEnqueue}  .*intake failed: .*; kept`));
      expect(run.stdout).toContain('5 messages read · re-driven 0 · already known 0 · skipped 3 (malformed 1, past its window 1, unrecognised 1) · failed 2 · intake invoked 2 times, 0 deleted');
    } finally {
      outage.dynamodbForIntake = false;
      outage.workQueue = false;
    }
    // Every message is visible again for the next run, not hidden for the rest of a visibility timeout.
    expect(await dlqDepth()).toBe(5);
    expect(chimeStatus(parked.lostBeforeRecord!)).toBe('PENDING');
  }, 60_000);

  it('stops at an invocation no message could escape (no such function), keeping everything', async () => {
    const before = intakeInvocations;
    const report = await redriveIntakeDlq({
      sqs: stack.clients.sqs,
      queueUrl: stack.resources.intakeDlqUrl,
      invoke: lambdaInvoker(lambdaClient, 'intake-typo'),
      callbackWindowSeconds: stack.config.callbackWindowSeconds,
      expiryMarginSeconds: stack.config.expiryMarginSeconds,
    });
    expect(report).toMatchObject({ failed: 1, invoked: 1, deleted: 0 });
    expect(report.stoppedEarly).toMatch(/^stopped: intake failed: Invoke failed: ResourceNotFoundException: /);
    expect(intakeInvocations).toBe(before);
    expect(await dlqDepth()).toBe(5);
  }, 60_000);

  it('re-drives the parked events with npm run redrive: they reach Chime, and only they leave the DLQ', async () => {
    const before = intakeInvocations;
    const run = await redriveCli(['--dlq', 'intake', '--queue-url', stack.resources.intakeDlqUrl, '--function', stack.lambda.arn('intake'), '--sqs-endpoint', stack.endpoints.sqs, '--lambda-endpoint', stack.endpoints.lambda]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const lines = run.stdout.split('\n');
    const line = (id: string) => lines.find((l) => l.startsWith(`${id}  `)) ?? '';
    expect(line(ids.lostBeforeRecord)).toMatch(/re-driven: intake ACCEPTED \(recorded and queued\); deleted$/);
    expect(line(ids.lostBeforeEnqueue)).toMatch(/re-driven: intake REQUEUED \(recorded before, queued again\); deleted$/);
    expect(line(ids.old)).toMatch(/skipped, past its window: deadline \S+, passed \d+ s ago; kept$/);
    expect(line(ids.malformed)).toMatch(/parked by intake \(INVALID_EVENT at \S+\) CallbackId too-short-to…  skipped, malformed: CallbackId must be 32-64 characters; .*; kept$/);
    expect(line(ids.stray)).toMatch(/not JSON  skipped, unrecognised: the body is not JSON; kept$/);
    expect(run.stdout).toContain('5 messages read · re-driven 2 · already known 0 · skipped 3 (malformed 1, past its window 1, unrecognised 1) · failed 0 · intake invoked 2 times, 2 deleted');
    expect(intakeInvocations - before).toBe(2);

    // Chime got their callbacks: no longer PENDING, and our record says DELIVERED.
    for (const sent of [parked.lostBeforeRecord!, parked.lostBeforeEnqueue!]) {
      await waitFor(async () => chimeStatus(sent) === 'SENT', { what: `message ${sent.messageId} to be SENT` });
      const [item] = await waitFor(async () => {
        const items = await itemsFor(stack, sent);
        return items[0]?.status === 'DELIVERED' ? items : undefined;
      }, { what: `${sent.messageId} DELIVERED in the table` });
      expect(item!.history.map((h) => h.event)).toContain('received');
    }
    // Past saving: nothing was sent for it, and it stays PENDING in Chime (the operator sees why).
    expect(chimeStatus(parked.old!)).toBe('PENDING');
    expect(stack.simulator.callbacks().filter((c) => c.callbackId === callbackIdOf(parked.old!))).toEqual([]);

    const left = await peekDlq();
    expect(left.map((m) => m.id).sort()).toEqual([ids.old, ids.malformed, ids.stray].sort());
  }, 60_000);

  it('does nothing on a second run: intake is not invoked again, the skipped ones stay with their reasons', async () => {
    const before = intakeInvocations;
    const callbacksBefore = stack.simulator.callbacks().length;
    const report = await moduleRun();
    expect(report).toMatchObject({ received: 3, redriven: 0, alreadyKnown: 0, failed: 0, deleted: 0, invoked: 0, released: 3, skipped: { malformed: 1, 'past-window': 1, unrecognised: 1, truncated: 0 } });
    const reasons = Object.fromEntries(report.results.map((r) => [r.messageId, r.classification.kind === 'skip' ? r.classification.reason : r.classification.kind]));
    expect(reasons).toEqual({ [ids.old]: 'past-window', [ids.malformed]: 'malformed', [ids.stray]: 'unrecognised' });
    expect(intakeInvocations).toBe(before);
    expect(stack.simulator.callbacks()).toHaveLength(callbacksBefore);
    expect(await dlqDepth()).toBe(3);
  }, 60_000);

  it('finds the running stack through its stack file; --dry-run invokes, deletes and hides nothing', async () => {
    const stackFile = join(dir, 'stack.json');
    // What `npm start` leaves (src/local/main.ts), with its SQS endpoint and intake DLQ.
    const running: RunningStack & { endpoints: { sqs: string }; resources: { intakeDlqUrl: string } } = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      endpoints: { chime: stack.endpoints.chime, api: stack.endpoints.api, lambda: stack.endpoints.lambda, sqs: stack.endpoints.sqs },
      issuer: stack.issuer.issuer,
      resources: { intakeDlqUrl: stack.resources.intakeDlqUrl },
    };
    writeStackFile(running, stackFile);
    const before = intakeInvocations;
    const run = await redriveCli(['--dlq', 'intake', '--dry-run'], { LOCAL_STACK_FILE: stackFile });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`Dry run (nothing is invoked or deleted): re-driving the local stack (pid ${process.pid}): ${stack.resources.intakeDlqUrl} → intake`);
    expect(run.stdout).toContain('3 messages read · would re-drive 0 · already known 0 · skipped 3 (malformed 1, past its window 1, unrecognised 1) · failed 0 · intake invoked 0 times, 0 deleted');
    expect(intakeInvocations).toBe(before);
    expect(await dlqDepth()).toBe(3);

    // A stack file without the intake DLQ (a stack started before this tool): a usage error that says what to do.
    const { resources: _resources, ...older } = running;
    writeStackFile({ ...older, endpoints: { chime: stack.endpoints.chime, api: stack.endpoints.api, lambda: stack.endpoints.lambda } }, stackFile);
    const withoutDlq = await redriveCli(['--dlq', 'intake'], { LOCAL_STACK_FILE: stackFile });
    expect(withoutDlq.code).toBe(2);
    expect(withoutDlq.stderr).toContain('does not say where its intake DLQ is');
  }, 60_000);

  it('in a dry run, names what it would re-drive and leaves it; the real run re-drives a twice-delivered event once', async () => {
    // Intake fails one more real event, which Lambda delivered twice (as it sometimes does): two records, one CallbackId.
    outage.dynamodbForIntake = true;
    outage.workQueue = true;
    stack.simulator.setFaults({ duplicateInvocations: 1, duplicateDelayMs: 20 });
    const sent = await sendMessage(chime, 'one more for the dry run');
    await waitForDlqDepth(5);
    stack.simulator.setFaults({ duplicateInvocations: 0 });
    outage.dynamodbForIntake = false;
    outage.workQueue = false;
    const before = intakeInvocations;
    const dry = await moduleRun({ dryRun: true });
    expect(dry).toMatchObject({ received: 5, wouldRedrive: 2, invoked: 0, deleted: 0, released: 5 });
    expect(dry.results.find((r) => r.outcome === 'would-redrive')?.detail).toMatch(/^would re-invoke intake \(deadline \S+\); kept \(dry run\)$/);
    expect(intakeInvocations).toBe(before);
    expect(await dlqDepth()).toBe(5);
    expect(chimeStatus(sent)).toBe('PENDING');

    // The real run re-drives it once, deletes both records, and the message reaches Chime.
    const real = await moduleRun();
    expect(real).toMatchObject({ received: 5, redriven: 1, alreadyKnown: 1, invoked: 1, deleted: 2, released: 3, failed: 0 });
    expect(real.results.find((r) => r.outcome === 'already-known')?.detail).toBe('already known: re-driven earlier in this run; deleted');
    expect(intakeInvocations - before).toBe(1);
    await waitFor(async () => chimeStatus(sent) === 'SENT', { what: 'the last message to be SENT' });
    expect(await dlqDepth()).toBe(3);
  }, 60_000);
});
