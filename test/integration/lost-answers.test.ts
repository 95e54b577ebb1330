/**
 * Our own writes whose answer is lost (BRIEF.md invariant 6): DynamoDB applies the write, the
 * answer never comes back, and the SDK retries it by itself. The retry meets the write already
 * applied; the record must say what happened, never count it twice or call it a conflict.
 * Against the embedded DynamoDB (or DYNAMODB_ENDPOINT), with the faults on the stock SDK client
 * (src/local/storage-faults.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { DynamoDbCounters } from '../../src/adapters/dynamodb-counters.js';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../../src/domain/follow-up.js';
import { newItem } from '../../src/intake/accept.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { recordDecision } from '../../src/pipeline/decide.js';
import { aMessage, callbackId } from '../support/factories.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';

/** The request's attribute values, as the low-level client sends them. */
const valuesOf = (input: unknown) => (input as { ExpressionAttributeValues?: Record<string, { S?: string; N?: string }> }).ExpressionAttributeValues ?? {};
const keyOf = (input: unknown) => (input as { Key?: Record<string, { S?: string }> }).Key ?? {};
const itemOf = (input: unknown) => (input as { Item?: Record<string, { S?: string }> }).Item ?? {};

describe('writes whose answer is lost, retried by the SDK', () => {
  let backends: Backends;
  /** A second set of clients on the same endpoint, where the faults go. */
  let lossy: AwsClients;
  let counters: DynamoDbCounters;
  let store: DynamoDbModerationStore;

  beforeAll(async () => {
    backends = await startBackends();
    lossy = createAwsClients({ region: 'us-east-1', ...(backends.credentials ? { credentials: backends.credentials } : {}), endpoints: { dynamodb: backends.endpoints.dynamodb } });
  });
  afterAll(async () => {
    if (lossy) destroyAwsClients(lossy);
    await backends?.stop();
  });
  beforeEach(() => {
    counters = new DynamoDbCounters(lossy.documents, { tableName: backends.resources.controlTableName, shards: 3 });
    store = new DynamoDbModerationStore(lossy.documents, { tableName: backends.resources.tableName, retentionDays: 30, keys: TEST_KEYS, counters });
  });

  const received = async () => {
    const item = newItem(callbackId(), aMessage(), Date.now(), 172_800);
    await backends.store.recordReceived(item);
    return item;
  };
  const hourTotals = async (iso: string) => (await counters.hourly(iso, iso)).hours[0]!;

  it('counts a statistics ADD once, though the SDK sent it twice', async () => {
    const hour = new Date(Date.UTC(2026, 0, 5, 7)).toISOString();
    const faults = loseNextAnswer(lossy.dynamodb, (command) => command === 'UpdateItemCommand');
    try {
      counters.record({ receivedAt: hour, statuses: { RECEIVED: 1 } });
      await counters.flush();
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    expect((await hourTotals(hour)).statuses.RECEIVED).toBe(1);
    // The next flush of the same writer still counts.
    counters.record({ receivedAt: hour, statuses: { RECEIVED: 2 } });
    await counters.flush();
    expect((await hourTotals(hour)).statuses.RECEIVED).toBe(3);
  });

  it('reads a received item whose put was applied as created by us (counted once, queued once)', async () => {
    const item = newItem(callbackId(), aMessage(), Date.now(), 172_800);
    const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'PutItemCommand' && itemOf(input).callbackId?.S === item.callbackId);
    try {
      expect(await store.recordReceived(item)).toMatchObject({ created: true });
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    expect(await store.recordReceived(item)).toMatchObject({ created: false });
  });

  it('reads a decision whose write was applied as its own: no conflict, one history entry, version moved once', async () => {
    const item = await received();
    const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'UpdateItemCommand' && valuesOf(input)[':to']?.S === 'DECIDED');
    const decision = { action: 'ALLOW' as const, origin: 'MODERATOR' as const, actor: { id: 'sub-ada', name: 'ada' }, reason: 'fine', ruleIds: [], decidedAt: new Date().toISOString() };
    let decided;
    try {
      decided = await recordDecision({ store, callbacks: backends.callbacks, clock: { now: () => Date.now() }, leaseSeconds: 30 }, item, decision, { from: ['RECEIVED'], expectedVersion: item.version });
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    expect(decided).toMatchObject({ status: 'DECIDED', version: item.version + 1, decision: { actor: { name: 'ada' } } });
    expect(decided.history.filter((h) => h.event === 'decided:ALLOW')).toHaveLength(1);
    await counters.flush();
    const totals = await hourTotals(item.receivedAt);
    expect(totals.decisions.MODERATOR).toBe(1);
  });

  it('applies a same-status write at most once: a renewed claim whose answer was lost counts one renewal', async () => {
    const item = await received();
    await backends.store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['RECEIVED'], to: 'PENDING_REVIEW', history: { actor: 'worker', event: 'held-for-review' }, now: Date.now() });
    const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'UpdateItemCommand' && keyOf(input).callbackId?.S === item.callbackId);
    try {
      await store.transition({ callbackId: item.callbackId, deadline: item.deadline, from: ['PENDING_REVIEW'], to: 'PENDING_REVIEW', history: { actor: 'ada', event: 'claimed' }, now: Date.now() });
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    const current = (await backends.store.get(item.callbackId))!;
    expect(current.history.filter((h) => h.event === 'claimed')).toHaveLength(1);
    expect(current.version).toBe(3);
  });

  it('adds a history note once', async () => {
    const item = await received();
    const faults = loseNextAnswer(lossy.dynamodb, (command, input) => command === 'UpdateItemCommand' && keyOf(input).callbackId?.S === item.callbackId);
    try {
      await store.appendHistory(item.callbackId, { actor: 'ada', from: 'RECEIVED', to: 'RECEIVED', event: 'sender-banned' }, Date.now());
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    const current = (await backends.store.get(item.callbackId))!;
    expect(current.history.filter((h) => h.event === 'sender-banned')).toHaveLength(1);
    expect(current.version).toBe(item.version);
    expect(current.updatedAt).toBe(item.updatedAt);
  });

  it('takes a follow-up record whose put was applied as written, and its outcome too', async () => {
    const record: FollowUpRecord = {
      callbackId: `${FOLLOW_UP_PREFIX}${callbackId()}`,
      kind: 'ACTION',
      action: 'DELETE_MESSAGE',
      origin: 'MODERATOR',
      actor: { id: 'sub-root', name: 'root' },
      reason: 'spam',
      requestedAt: new Date().toISOString(),
      channelArn: aMessage().channelArn,
      messageId: 'm-1',
      bearer: 'arn:aws:chime:us-east-1:123456789012:app-instance/a/bot/b',
      outcome: 'REQUESTED',
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    };
    let faults = loseNextAnswer(lossy.dynamodb, (command) => command === 'PutItemCommand');
    try {
      await store.recordFollowUp(record);
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
    faults = loseNextAnswer(lossy.dynamodb, (command) => command === 'UpdateItemCommand');
    try {
      expect(await store.completeFollowUp(record.callbackId, { outcome: 'DONE', completedAt: new Date().toISOString(), confirmedBy: 'answer' })).toMatchObject({ outcome: 'DONE' });
    } finally {
      faults.remove();
    }
    expect(faults.counts.answersLost).toBe(1);
  });
});
