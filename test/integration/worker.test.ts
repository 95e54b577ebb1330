import { ChannelFlowCallbackCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChimeCallbackSender } from '../../src/adapters/chime-callback.js';
import { toCallbackRequest } from '../../src/domain/callback.js';
import { createAwsClients } from '../../src/adapters/clients.js';
import type { ChannelMessage, PolicyVerdict } from '../../src/domain/message.js';
import type { CallbackSender } from '../../src/domain/ports.js';
import { recordDecision, type CallbackFailureReport, type DecisionObserver } from '../../src/pipeline/decide.js';
import { evaluate, loadPolicyFile, resolvePolicyPath } from '../../src/policy/index.js';
import { decisionFromVerdict, processWorkMessage, type WorkerDeps } from '../../src/worker/process.js';
import { startBackends, type Backends } from '../support/backends.js';
import { pendingMessage } from '../support/pending.js';
import { AdjustableClock } from '../support/wait.js';

const policy = loadPolicyFile(resolvePolicyPath());

describe('the worker (against real DynamoDB and the Chime simulator)', () => {
  let backends: Backends;
  let chimeClock: AdjustableClock;
  let clock: AdjustableClock;
  let deps: WorkerDeps;

  beforeAll(async () => {
    chimeClock = new AdjustableClock();
    backends = await startBackends({ simulator: { now: () => chimeClock.now() } });
  });
  beforeEach(() => {
    clock = new AdjustableClock();
    deps = {
      store: backends.store,
      // One attempt per call, so each test sees exactly what Chime answered.
      callbacks: new ChimeCallbackSender({ writes: createAwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoints: { chime: backends.simulator.endpoint } }).chimeWrites }),
      clock,
      leaseSeconds: 30,
      evaluate: (message) => evaluate(policy, message),
      callbackWindowSeconds: 172_800,
    };
    backends.simulator.setFaults({ callbackThrottleRate: 0, callbackUnavailableRate: 0 });
  });
  afterAll(() => backends?.stop());

  const callbacksFor = (id: string) => backends.simulator.callbacks().filter((c) => c.callbackId === id);
  const chimeStatus = (messageId: string) => backends.simulator.messages().find((m) => m.messageId === messageId)?.status;

  it('records the decision, then delivers it', async () => {
    const { work, messageId } = await pendingMessage(backends, 'all good here');
    const outcome = await processWorkMessage(deps, work);
    expect(outcome.status).toBe('DELIVERED');
    expect(outcome.item).toMatchObject({ status: 'DELIVERED', decision: { action: 'ALLOW', origin: 'AUTO', actor: { id: 'policy' } }, delivery: { attempts: 1 } });
    expect(outcome.item!.history.map((h) => h.to)).toEqual(['RECEIVED', 'DECIDED', 'DELIVERED']);
    expect(chimeStatus(messageId)).toBe('SENT');
  });

  it('is idempotent under redelivery: the second copy changes nothing and calls nobody', async () => {
    const { work } = await pendingMessage(backends, 'say it twice');
    await processWorkMessage(deps, work);
    const again = await processWorkMessage(deps, work);
    expect(again.status).toBe('ALREADY_HANDLED');
    expect(callbacksFor(work.callbackId)).toHaveLength(1);
  });

  it('holds a message for review without calling back', async () => {
    const { work, messageId } = await pendingMessage(backends, 'I want a refund');
    const outcome = await processWorkMessage(deps, work);
    expect(outcome).toMatchObject({ status: 'PENDING_REVIEW', item: { status: 'PENDING_REVIEW', policy: { action: 'REVIEW', ruleIds: ['terms.review'] } } });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
    expect(chimeStatus(messageId)).toBe('PENDING');
  });

  it('delivers the recorded decision after a crash between the two writes, not a new one', async () => {
    const { work } = await pendingMessage(backends, 'crash me');
    // The first worker recorded ALLOW and died before calling back.
    await recordDecision(deps, work, decisionFromVerdict(evaluate(policy, work.message), clock.now()), { from: ['RECEIVED'] });
    // The redelivered message meets a policy that would now deny, and a lapsed lease.
    const denyEverything = (_: ChannelMessage): PolicyVerdict => ({ action: 'DENY', ruleIds: ['x'], reason: 'x', findings: [] });
    clock.advance(31_000);
    const outcome = await processWorkMessage({ ...deps, evaluate: denyEverything }, work);
    expect(outcome).toMatchObject({ status: 'DELIVERED', item: { decision: { action: 'ALLOW' } } });
    expect(callbacksFor(work.callbackId)).toMatchObject([{ deleteResource: false, outcome: { status: 200 } }]);
  });

  it('leaves a decision whose delivery lease is held to its holder, and says when to look again', async () => {
    const { work } = await pendingMessage(backends, 'someone else is on it');
    await recordDecision(deps, work, decisionFromVerdict(evaluate(policy, work.message), clock.now()), { from: ['RECEIVED'] });
    const outcome = await processWorkMessage(deps, work);
    expect(outcome).toMatchObject({ status: 'BUSY', retryAfterSeconds: 30 });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });

  it('keeps a throttled decision for a retry, releases the lease, and delivers it on the retry', async () => {
    const { work } = await pendingMessage(backends, 'busy day');
    backends.simulator.setFaults({ callbackThrottleRate: 1 });
    const first = await processWorkMessage(deps, work);
    expect(first).toMatchObject({ status: 'RETRY', errorType: 'ThrottledClientException', item: { status: 'DECIDED', delivery: { attempts: 1, leaseUntil: 0 } } });
    expect(first.item!.delivery?.lastError).toMatch(/ThrottledClientException/);
    backends.simulator.setFaults({ callbackThrottleRate: 0 });
    const second = await processWorkMessage(deps, work);
    expect(second).toMatchObject({ status: 'DELIVERED', item: { delivery: { attempts: 2 } } });
    // Turned away three times in place (429: not applied, safe to repeat), then left for a retry.
    expect(callbacksFor(work.callbackId).map((c) => c.outcome.status)).toEqual([429, 429, 429, 200]);
  });

  it('records a Conflict as ALREADY_RESOLVED and never retries it', async () => {
    const { work } = await pendingMessage(backends, 'someone beat us');
    await backends.clients.chime.send(
      new ChannelFlowCallbackCommand({ CallbackId: work.callbackId, ChannelArn: work.message.channelArn, ChannelMessage: { MessageId: work.message.messageId, Content: 'x' } }),
    );
    const outcome = await processWorkMessage(deps, work);
    expect(outcome).toMatchObject({ status: 'ALREADY_RESOLVED', item: { status: 'ALREADY_RESOLVED', outcome: { errorType: 'ConflictException' } } });
    // Read back before anything was concluded: resolved, and nothing of ours can have landed.
    expect(outcome.item!.history.at(-1)?.reason).toMatch(/resolved .*no callback of ours can have landed/);
    expect(outcome.item!.expiresAt).toBeDefined();
  });

  // Chime answers 403 both when the window has closed and when we may not call back at all (a
  // missing chime:ChannelFlowCallback grant, a wrong app instance). Only our ledger tells them apart.
  describe('a Forbidden, read against our own ledger', () => {
    const WINDOW_MS = 172_800_000;

    it('is EXPIRED when the deadline passed while the callback was in flight', async () => {
      const { work } = await pendingMessage(backends, 'too late for Chime');
      const slowCall: CallbackSender = {
        send: async (request) => {
          // The call takes so long that both clocks pass the deadline before Chime answers.
          clock.advance(WINDOW_MS + 1_000);
          chimeClock.advance(WINDOW_MS + 1_000);
          return deps.callbacks.send(request);
        },
        readStatus: (message) => deps.callbacks.readStatus(message),
      };
      try {
        const outcome = await processWorkMessage({ ...deps, callbacks: slowCall }, work);
        expect(outcome).toMatchObject({ status: 'EXPIRED', item: { status: 'EXPIRED', outcome: { errorType: 'ForbiddenException' } } });
        expect(outcome.item!.outcome?.reason).toMatch(/window closed/);
        expect(callbacksFor(work.callbackId).map((c) => c.outcome.status)).toEqual([403]);
      } finally {
        chimeClock.advance(-(WINDOW_MS + 1_000));
      }
    });

    it('is a fault, recorded FAILED with the likely cause and reported, when it comes before our deadline and nothing of ours was sent before', async () => {
      const { work, messageId } = await pendingMessage(backends, 'refused early');
      // Chime refuses this callback while our ledger says the window has 47 hours to go: to us
      // that is exactly what a missing IAM grant looks like (ForbiddenException, 403).
      chimeClock.advance(WINDOW_MS + 1_000);
      const seen: CallbackFailureReport[] = [];
      const observer: DecisionObserver = { decided: () => {}, callbackFailed: (failure) => seen.push(failure) };
      try {
        const outcome = await processWorkMessage({ ...deps, observer }, work);
        expect(outcome).toMatchObject({ status: 'FAILED', item: { status: 'FAILED', outcome: { errorType: 'ForbiddenException' }, delivery: { attempts: 1 } } });
        expect(outcome.item!.outcome?.reason).toMatch(/Forbidden before its deadline .*chime:ChannelFlowCallback/);
        expect(outcome.item!.history.at(-1)).toMatchObject({ to: 'FAILED', actor: 'worker' });
        expect(seen).toEqual([expect.objectContaining({ callbackId: work.callbackId, kind: 'FORBIDDEN_BEFORE_DEADLINE', errorType: 'ForbiddenException', actor: 'worker' })]);
        // Never retried: one call, and the message is still held in Chime for an operator to act on.
        expect(callbacksFor(work.callbackId)).toHaveLength(1);
        expect(chimeStatus(messageId)).toBe('PENDING');
        expect(await processWorkMessage(deps, work)).toMatchObject({ status: 'ALREADY_HANDLED' });
        expect(callbacksFor(work.callbackId)).toHaveLength(1);
      } finally {
        chimeClock.advance(-(WINDOW_MS + 1_000));
      }
    });

    it('reads back before concluding anything from a 403 after an earlier deliverer died: nothing landed, so FAILED', async () => {
      const { work, messageId } = await pendingMessage(backends, 'did the first worker call?');
      // The first worker recorded its decision (and took the lease), then vanished before calling.
      await recordDecision(deps, work, decisionFromVerdict(evaluate(policy, work.message), clock.now()), { from: ['RECEIVED'] });
      clock.advance(31_000);
      chimeClock.advance(WINDOW_MS + 1_000);
      try {
        const outcome = await processWorkMessage(deps, work);
        // The message is still PENDING for its sender: the 403 was a refusal, not Chime's answer to a second callback.
        expect(outcome).toMatchObject({ status: 'FAILED', item: { status: 'FAILED', outcome: { errorType: 'ForbiddenException' } } });
        expect(chimeStatus(messageId)).toBe('PENDING');
      } finally {
        chimeClock.advance(-(WINDOW_MS + 1_000));
      }
    });

    it('records DELIVERED when the earlier deliverer\'s callback had landed and a 403 answers ours (Chime\'s word for a second callback)', async () => {
      const { work, messageId } = await pendingMessage(backends, 'the first worker did call');
      const decided = await recordDecision(deps, work, decisionFromVerdict(evaluate(policy, work.message), clock.now()), { from: ['RECEIVED'] });
      // …its callback landed, and it died before recording it.
      await deps.callbacks.send(toCallbackRequest(decided, decided.decision!));
      clock.advance(31_000);
      backends.simulator.setFaults({ callbackForbiddenRate: 1 });
      try {
        const outcome = await processWorkMessage(deps, work);
        expect(outcome).toMatchObject({ status: 'DELIVERED', item: { status: 'DELIVERED', delivery: { confirmedBy: 'read-back' } } });
        expect(chimeStatus(messageId)).toBe('SENT');
      } finally {
        backends.simulator.setFaults({ callbackForbiddenRate: 0 });
      }
    });
  });

  it('records any other rejection as FAILED, with Chime\'s reason', async () => {
    const { work } = await pendingMessage(backends, 'wrong id', {
      alterEvent: (event) => ({ ...event, ChannelMessage: { ...event.ChannelMessage, MessageId: 'not-the-message' } }),
    });
    const outcome = await processWorkMessage(deps, work);
    expect(outcome).toMatchObject({ status: 'FAILED', item: { status: 'FAILED', outcome: { errorType: 'BadRequestException' } } });
    expect(outcome.item!.outcome?.reason).toMatch(/Chime rejected the callback/);
  });

  it('never strands a message: a policy UPDATE Chime would refuse is held for a moderator with the reason, not sent', async () => {
    const { work, messageId } = await pendingMessage(backends, 'short');
    const oversized = (): PolicyVerdict => ({ action: 'UPDATE', ruleIds: ['x'], reason: 'x', findings: [], content: 'x'.repeat(5000) });
    const outcome = await processWorkMessage({ ...deps, evaluate: oversized }, work);
    expect(outcome).toMatchObject({ status: 'PENDING_REVIEW', item: { status: 'PENDING_REVIEW', policy: { action: 'REVIEW', ruleIds: ['x', 'callback.limits'] } } });
    expect(outcome.item!.policy?.findings.at(-1)).toMatchObject({ ruleId: 'callback.limits', action: 'REVIEW', reason: expect.stringMatching(/Content must be at most 4096 bytes/) });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
    expect(chimeStatus(messageId)).toBe('PENDING');
  });

  it('holds a message of 2,000 characters of e-mail addresses that masking would take past 4 KB (the PII overflow)', async () => {
    const content = 'a@b.co '.repeat(285).trim().slice(0, 2000);
    const { work, messageId } = await pendingMessage(backends, content);
    const outcome = await processWorkMessage(deps, work);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(outcome).toMatchObject({ status: 'PENDING_REVIEW', item: { policy: { action: 'REVIEW', ruleIds: expect.arrayContaining(['pii.email', 'callback.limits']) } } });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
    expect(chimeStatus(messageId)).toBe('PENDING');
  });

  it('expires a message whose deadline passed before it was picked up, without calling back', async () => {
    const { work } = await pendingMessage(backends, 'late');
    clock.advance(172_800_000);
    const outcome = await processWorkMessage(deps, work);
    expect(outcome).toMatchObject({ status: 'EXPIRED', item: { status: 'EXPIRED' } });
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });

  it('rebuilds an item the table lost from the work message, rather than drop it', async () => {
    const { work } = await pendingMessage(backends, 'where did it go');
    await backends.clients.documents.send(new DeleteCommand({ TableName: backends.resources.tableName, Key: { callbackId: work.callbackId } }));
    const outcome = await processWorkMessage(deps, work);
    expect(outcome.status).toBe('DELIVERED');
  });

  it('drops a late copy past its deadline whose item is gone (removed after it was settled), writing nothing', async () => {
    const { work } = await pendingMessage(backends, 'settled long ago');
    await backends.clients.documents.send(new DeleteCommand({ TableName: backends.resources.tableName, Key: { callbackId: work.callbackId } }));
    clock.advance(172_800_000 + 1_000);
    expect(await processWorkMessage(deps, work)).toEqual({ status: 'STALE' });
    expect(await backends.store.get(work.callbackId)).toBeUndefined();
    expect(callbacksFor(work.callbackId)).toHaveLength(0);
  });
});
