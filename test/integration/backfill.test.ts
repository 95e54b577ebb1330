/**
 * The migration path: items written by the unsharded design (no index keys of this design, the
 * old decisionDay/decidedAt attributes) are copied into a table of this design and become
 * visible to the sweeper, the queue and the audit log; a change of shard count is applied in
 * place. Both are idempotent. Against dynalite, or DYNAMODB_ENDPOINT.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import type { KeySettings } from '../../src/adapters/table-keys.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../../src/domain/follow-up.js';
import type { ModerationItem, Status } from '../../src/domain/item.js';
import { deleteTable } from '../../src/infra/provision.js';
import { backfill } from '../../src/infra/backfill.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { aMessage, callbackId } from '../support/factories.js';

const NOW = Date.parse('2033-03-03T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** An item exactly as the previous version wrote it. */
function legacyItem(status: Status, overrides: Partial<ModerationItem> & Record<string, unknown> = {}): ModerationItem & Record<string, unknown> {
  const decidedAt = iso(NOW - 60_000);
  const decided = status !== 'RECEIVED' && status !== 'PENDING_REVIEW';
  return {
    callbackId: callbackId(),
    message: aMessage(),
    receivedAt: iso(NOW - 120_000),
    deadline: iso(NOW + 47 * 3_600_000),
    status,
    version: 3,
    updatedAt: iso(NOW - 60_000),
    policy: { action: 'REVIEW', ruleIds: ['terms.review'], reason: 'r', findings: [] },
    history: [{ at: iso(NOW - 120_000), actor: 'intake', to: 'RECEIVED', event: 'received' }],
    ...(decided
      ? {
          decision: { action: 'DENY', origin: 'MODERATOR', actor: { id: 'sub-alice', name: 'alice' }, reason: 'spam', ruleIds: ['terms.review'], decidedAt },
          decisionDay: decidedAt.slice(0, 10),
          decidedAt,
        }
      : {}),
    ...overrides,
  } as ModerationItem & Record<string, unknown>;
}

describe('backfill', () => {
  let backends: Backends;
  let oldTable: string;
  const legacy = [legacyItem('PENDING_REVIEW'), legacyItem('PENDING_REVIEW'), legacyItem('RECEIVED'), legacyItem('DELIVERED'), legacyItem('EXPIRED')];

  beforeAll(async () => {
    backends = await startBackends();
    // The previous design's table, as its serverless.yml defined it.
    oldTable = `it-${randomBytes(4).toString('hex')}-moderation`;
    await backends.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: oldTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'callbackId', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
          { AttributeName: 'deadline', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'callbackId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          { IndexName: 'byStatusDeadline', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'deadline', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        ],
      }),
    );
    const active = async () => (await backends.clients.dynamodb.send(new DescribeTableCommand({ TableName: oldTable }))).Table?.TableStatus === 'ACTIVE';
    for (let i = 0; i < 100 && !(await active()); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const item of legacy) await backends.clients.documents.send(new PutCommand({ TableName: oldTable, Item: item }));
  });
  afterAll(async () => {
    if (oldTable) await deleteTable(backends.clients.dynamodb, oldTable).catch(() => undefined);
    await backends?.stop();
  });

  it('copies the earlier design’s items into this design, where the queue, the sweeper and the audit log find them; a second run writes nothing', async () => {
    const report = await backfill({ client: backends.clients.documents, fromTable: oldTable, table: backends.resources.tableName, keys: TEST_KEYS, segments: 2 });
    expect(report).toEqual({ scanned: 5, written: 5, upToDate: 0, retried: 0, failed: 0 });

    const store = backends.store;
    const queue = await store.listPendingReviews({ subject: 's', now: NOW, limit: 100 });
    expect(queue.items.map((i) => i.callbackId).sort()).toEqual(expect.arrayContaining([legacy[0]!.callbackId, legacy[1]!.callbackId]));
    const received = await store.listDue({ status: 'RECEIVED', at: iso(NOW + 3_600_000), limit: 100 });
    expect(received.items.map((i) => i.callbackId)).toContain(legacy[2]!.callbackId);
    const audit = await store.listDecisionsOfDay({ day: '2033-03-03', from: iso(NOW - 86_400_000), to: iso(NOW), limit: 10 });
    expect(audit.items.map((i) => i.callbackId).sort()).toEqual([legacy[3]!.callbackId, legacy[4]!.callbackId].sort());

    const copied = (await store.get(legacy[3]!.callbackId)) as unknown as Record<string, unknown>;
    expect(copied.decisionDay).toBeUndefined(); // the retired attributes are gone
    expect(copied.liveKey).toBeUndefined(); // terminal: not in the live index
    expect(copied.auditKey).toMatch(/^2033-03-03#\d+$/);

    const again = await backfill({ client: backends.clients.documents, fromTable: oldTable, table: backends.resources.tableName, keys: TEST_KEYS, segments: 2 });
    expect(again).toEqual({ scanned: 5, written: 0, upToDate: 5, retried: 0, failed: 0 });
  });

  it('never overwrites a newer version written meanwhile by this design', async () => {
    const item = legacy[0]!;
    const newer = { ...item, version: 9, status: 'DELIVERED' as const };
    await backends.clients.documents.send(new PutCommand({ TableName: backends.resources.tableName, Item: newer }));
    const report = await backfill({ client: backends.clients.documents, fromTable: oldTable, table: backends.resources.tableName, keys: TEST_KEYS });
    expect(report.written).toBe(0);
    expect((await backends.store.get(item.callbackId))?.version).toBe(9);
  });

  it('rewrites the keys in place after the shard counts change, and only once, action records included', async () => {
    // A follow-up action on the audit index, recorded under the current shard counts.
    const action: FollowUpRecord = {
      callbackId: `${FOLLOW_UP_PREFIX}${randomBytes(8).toString('hex')}`,
      kind: 'ACTION',
      action: 'BAN_SENDER',
      origin: 'MODERATOR',
      actor: { id: 'sub-alice', name: 'alice' },
      reason: 'spam wave',
      requestedAt: iso(NOW - 30_000),
      channelArn: legacy[3]!.message.channelArn,
      ruleIds: ['terms.review'],
      bearer: 'arn:aws:chime:us-east-1:123456789012:app-instance/x/bot/review-api',
      outcome: 'DONE',
      expiresAt: Math.floor(NOW / 1000) + 86_400,
    };
    await backends.store.recordFollowUp(action);
    const wider: KeySettings = { ...TEST_KEYS, statusShards: 7, auditShards: 5 };
    const dry = await backfill({ client: backends.clients.documents, table: backends.resources.tableName, keys: wider, dryRun: true });
    expect(dry.written).toBeGreaterThan(0);
    const first = await backfill({ client: backends.clients.documents, table: backends.resources.tableName, keys: wider });
    expect(first.written).toBe(dry.written);
    expect(first.failed).toBe(0);
    const second = await backfill({ client: backends.clients.documents, table: backends.resources.tableName, keys: wider });
    expect(second.written).toBe(0);

    // A store configured with the new counts sees every live item.
    const widened = new DynamoDbModerationStore(backends.clients.documents, { tableName: backends.resources.tableName, retentionDays: 30, keys: wider });
    const received = await widened.listDue({ status: 'RECEIVED', at: iso(NOW + 3_600_000), limit: 100 });
    expect(received.items.map((i) => i.callbackId)).toContain(legacy[2]!.callbackId);
    // …and the audit log under the new audit shard count still holds the decisions and the action.
    const audit = await widened.listDecisionsOfDay({ day: '2033-03-03', from: iso(NOW - 86_400_000), to: iso(NOW), limit: 10 });
    expect(audit.items.map((i) => i.callbackId)).toEqual(expect.arrayContaining([legacy[3]!.callbackId, legacy[4]!.callbackId, action.callbackId]));
    const stored = (await backends.store.get(action.callbackId)) as unknown as FollowUpRecord;
    expect(stored.ruleIds).toEqual(['terms.review']); // its own data is kept
  });
});
