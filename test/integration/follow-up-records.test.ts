/**
 * Moderators' follow-up action records in the moderation table (src/domain/follow-up.ts), against
 * a real DynamoDB endpoint: on the audit index beside the decisions, in one time order, filtered
 * and paged like them; an outcome written once. And the action path's answers when Chime cannot
 * be reached or turns the call away, through the stock Chime client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor } from '../../src/adapters/chime-channel-directory.js';
import { ChimeChannelModeration } from '../../src/adapters/chime-channel-moderation.js';
import { shardOf } from '../../src/adapters/table-keys.js';
import { isFollowUpRecord, type FollowUpRecord } from '../../src/domain/follow-up.js';
import type { ModerationItem } from '../../src/domain/item.js';
import { ChimeActionError, FollowUpRecordError } from '../../src/errors.js';
import { recordDecision } from '../../src/pipeline/decide.js';
import type { ReviewDeps } from '../../src/review/deps.js';
import { actOnMessage } from '../../src/review/follow-ups.js';
import { toProblem } from '../../src/http/problems.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { APP_INSTANCE, aMessage, callbackId, channelArn } from '../support/factories.js';

const iso = (ms: number) => new Date(ms).toISOString();
let sequence = 0;

function anAction(at: number, overrides: Partial<FollowUpRecord> = {}): FollowUpRecord {
  return {
    callbackId: `ACTION#test-${(sequence += 1)}-${callbackId().slice(0, 8)}`,
    kind: 'ACTION',
    action: 'REDACT_MESSAGE',
    origin: 'MODERATOR',
    actor: { id: 'sub-root', name: 'root' },
    reason: 'reported',
    requestedAt: iso(at),
    channelArn: channelArn(),
    messageId: 'm-1',
    bearer: `${APP_INSTANCE}/bot/review-api`,
    outcome: 'REQUESTED',
    expiresAt: Math.floor(at / 1000) + 30 * 86_400,
    ...overrides,
  };
}

describe('follow-up action records', () => {
  let backends: Backends;

  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(async () => {
    await backends?.stop();
  });

  const decided = async (at: number, channel: string, actor: { id: string; name?: string }, origin: 'AUTO' | 'MODERATOR' = 'MODERATOR'): Promise<ModerationItem> => {
    const item: ModerationItem = {
      callbackId: callbackId(),
      message: aMessage({ channelArn: channel }),
      receivedAt: iso(at),
      deadline: iso(at + 3_600_000),
      status: 'PENDING_REVIEW',
      version: 2,
      updatedAt: iso(at),
      history: [],
    };
    await backends.store.recordReceived(item);
    const deps = { store: backends.store, callbacks: backends.callbacks, clock: { now: () => at }, leaseSeconds: 30 };
    return recordDecision(deps, item, { action: 'ALLOW', origin, actor, reason: 'r', ruleIds: [], decidedAt: iso(at) }, { from: ['PENDING_REVIEW'] });
  };

  it('sit on the audit index with the decisions: one time order, the same filters, exact paging across shards', async () => {
    const channel = channelArn();
    const base = Date.parse('2026-06-06T08:00:00.000Z');
    const expected: string[] = [];
    for (let i = 0; i < 14; i += 1) {
      const at = base + i * 60_000;
      if (i % 2 === 0) {
        const record = anAction(at, { channelArn: channel, actor: i % 4 === 0 ? { id: 'sub-root', name: 'root' } : { id: 'sub-alice', name: 'alice' } });
        await backends.store.recordFollowUp(record);
        expected.unshift(record.callbackId);
      } else {
        expected.unshift((await decided(at, channel, i % 3 === 0 ? { id: 'policy' } : { id: 'sub-alice', name: 'alice' }, i % 3 === 0 ? 'AUTO' : 'MODERATOR')).callbackId);
      }
    }
    await backends.store.recordFollowUp(anAction(base + 30_000)); // another channel: filtered out

    const query = { day: '2026-06-06', from: '2026-06-06T00:00:00.000Z', to: '2026-06-06T23:59:59.999Z', channelArn: channel };
    const seen: Array<ModerationItem | FollowUpRecord> = [];
    let next: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      // Pages of 3 end on action records too: their key (ACTION#…) holds a '#'.
      const page = await backends.store.listDecisionsOfDay({ ...query, limit: 3, ...(next ? { next } : {}) });
      seen.push(...page.items);
      next = page.next;
      pages += 1;
    } while (next && pages < 20);
    expect(seen.map((r) => r.callbackId)).toEqual(expected);
    expect(seen.filter(isFollowUpRecord)).toHaveLength(7);

    const ids = async (filters: Record<string, string>) => (await backends.store.listDecisionsOfDay({ ...query, ...filters, limit: 50 })).items.map((r) => r.callbackId);
    const records = seen.filter(isFollowUpRecord);
    expect(await ids({ actor: 'root' })).toEqual(records.filter((r) => r.actor.name === 'root').map((r) => r.callbackId));
    expect(await ids({ actor: 'sub-root' })).toEqual(records.filter((r) => r.actor.name === 'root').map((r) => r.callbackId));
    expect((await ids({ origin: 'AUTO' })).some((id) => id.startsWith('ACTION#'))).toBe(false);
    expect(await ids({ origin: 'MODERATOR' })).toEqual(expect.arrayContaining(records.map((r) => r.callbackId)));
  });

  it('are keyed to their own audit shard and day, and expire like terminal items', async () => {
    const at = Date.parse('2026-06-07T23:59:59.000Z');
    const record = anAction(at);
    await backends.store.recordFollowUp(record);
    const stored = (await backends.store.get(record.callbackId)) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({
      auditKey: `2026-06-07#${shardOf(record.callbackId, TEST_KEYS.auditShards)}`,
      auditSort: `${record.requestedAt}#${record.callbackId}`,
      decisionOrigin: 'MODERATOR',
      decidedById: 'sub-root',
      decidedByName: 'root',
      channelArn: record.channelArn,
      expiresAt: record.expiresAt,
      outcome: 'REQUESTED',
    });
    expect(stored.liveKey).toBeUndefined();
  });

  it('take an outcome once, and never a second record under one key', async () => {
    const record = anAction(Date.parse('2026-06-08T10:00:00.000Z'), { action: 'BAN_SENDER', member: { arn: `${APP_INSTANCE}/user/mallory` } });
    await backends.store.recordFollowUp(record);
    await expect(backends.store.recordFollowUp({ ...record, reason: 'again' })).rejects.toBeInstanceOf(FollowUpRecordError);

    const done = await backends.store.completeFollowUp(record.callbackId, { outcome: 'DONE', completedAt: '2026-06-08T10:00:01.000Z', alreadyBanned: true });
    expect(done).toMatchObject({ outcome: 'DONE', completedAt: '2026-06-08T10:00:01.000Z', alreadyBanned: true, reason: 'reported' });
    const second = backends.store.completeFollowUp(record.callbackId, { outcome: 'FAILED', completedAt: '2026-06-08T10:00:02.000Z', error: { type: 'X', message: 'y' } });
    await expect(second).rejects.toBeInstanceOf(FollowUpRecordError);
    expect(await backends.store.get(record.callbackId)).toMatchObject({ outcome: 'DONE' });
    await expect(backends.store.completeFollowUp('ACTION#missing', { outcome: 'DONE', completedAt: iso(0) })).rejects.toBeInstanceOf(FollowUpRecordError);
  });

  describe('when Chime does not act', () => {
    let refusing: Server;
    let refusingEndpoint: string;

    beforeAll(async () => {
      // Answers every call as Chime does when it throttles (the SDK's wire shape of the error).
      refusing = createServer((_req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottledClientException' });
        res.end(JSON.stringify({ Code: 'Throttled', Message: 'Rate exceeded' }));
      });
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      refusingEndpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => refusing?.close(resolve));
    });

    const depsWith = (endpoint: string, warnings: string[]) => {
      const client = new ChimeSDKMessagingClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
      const deps = {
        store: backends.store,
        clock: { now: () => Date.now() },
        retentionDays: 30,
        expiryMarginSeconds: 3600,
        expiryAction: 'DENY',
        channelModeration: new ChimeChannelModeration({ writes: client }, bearerFor('{appInstanceArn}/bot/review-api')),
        warn: (message: string) => void warnings.push(message),
      } as Partial<ReviewDeps> as ReviewDeps;
      return { deps, client };
    };
    const principal = { subject: 'sub-root', username: 'root', groups: ['admins'], isAdmin: true, isModerator: true };

    const attemptsIn = async (channel: string) =>
      (await backends.store.listDecisionsOfDay({ day: iso(Date.now()).slice(0, 10), from: iso(Date.now() - 60_000), to: iso(Date.now() + 60_000), channelArn: channel, limit: 10 })).items.filter(isFollowUpRecord);

    it('records a throttled call FAILED with what Chime answered, and answers 503 chime-unavailable', async () => {
      const warnings: string[] = [];
      const { deps, client } = depsWith(refusingEndpoint, warnings);
      const channel = channelArn();
      try {
        const error = await actOnMessage(deps, principal, 'DELETE_MESSAGE', { channelArn: channel, messageId: 'm-9', reason: 'x' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ChimeActionError);
        expect(error).toMatchObject({ refusal: 'BUSY', errorType: 'ThrottledClientException' });
        expect(toProblem(error)).toMatchObject({ status: 503, type: expect.stringMatching(/\/chime-unavailable$/) });
        expect(toProblem(error).detail).toMatch(/Nothing was changed/);
      } finally {
        client.destroy();
      }
      const [attempt, ...more] = await attemptsIn(channel);
      expect(more).toEqual([]);
      expect(attempt).toMatchObject({ action: 'DELETE_MESSAGE', outcome: 'FAILED', error: { type: 'ThrottledClientException' } });
      expect(warnings).toEqual([]);
    });

    it('leaves the record REQUESTED (outcome unknown) when Chime gives no answer, and says so', async () => {
      // Nothing listens on port 1: the connection is refused, as when Chime cannot be reached.
      const warnings: string[] = [];
      const { deps, client } = depsWith('http://127.0.0.1:1', warnings);
      const channel = channelArn();
      try {
        const error = await actOnMessage(deps, principal, 'REDACT_MESSAGE', { channelArn: channel, messageId: 'm-10', reason: 'x' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ refusal: 'UNCONFIRMED' });
        expect(toProblem(error)).toMatchObject({ status: 503, type: expect.stringMatching(/\/chime-unavailable$/) });
        expect(toProblem(error).detail).toMatch(/may or may not have happened, and the audit log shows it as REQUESTED/);
      } finally {
        client.destroy();
      }
      const [attempt, ...more] = await attemptsIn(channel);
      expect(more).toEqual([]);
      expect(attempt).toMatchObject({ action: 'REDACT_MESSAGE', outcome: 'REQUESTED' });
      expect(attempt!.completedAt).toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/did not confirm/)]);
    });
  });
});
