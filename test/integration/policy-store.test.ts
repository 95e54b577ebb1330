import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../src/adapters/clients.js';
import { DynamoDbPolicyStore, POLICY_SCOPES_PK } from '../../src/adapters/dynamodb-policy-store.js';
import { loseNextAnswer } from '../../src/local/storage-faults.js';
import { PolicyStoreError, PolicyVersionConflictError } from '../../src/errors.js';
import type { ScopedPolicyDocument } from '../../src/policy/schema.js';
import type { PolicyCommit } from '../../src/policy/store.js';
import { APP_INSTANCE, channelArn } from '../support/factories.js';
import { manyTerms, startPolicyBackends, type PolicyBackends } from '../support/policies.js';

const alice = { id: 'sub-alice', name: 'alice' };

describe('the DynamoDB policy store (ControlTable, against a real DynamoDB endpoint)', () => {
  let backends: PolicyBackends;
  let store: DynamoDbPolicyStore;
  const warnings: string[] = [];
  beforeAll(async () => {
    backends = await startPolicyBackends();
    store = new DynamoDbPolicyStore(backends.clients.documents, { tableName: backends.resources.controlTableName, warn: (message) => warnings.push(message) });
  });
  afterAll(() => backends?.stop());

  const put = (scope: string, expectedVersion: number, document: ScopedPolicyDocument, comment = 'test'): Promise<ReturnType<DynamoDbPolicyStore['commit']> extends Promise<infer R> ? R : never> =>
    store.commit({ scope, expectedVersion, kind: 'put', mode: document.mode ?? 'enforce', actor: alice, comment, now: Date.now(), document } satisfies PolicyCommit);

  const rawItems = async (scope: string, prefix: string) =>
    (
      await backends.clients.documents.send(
        new QueryCommand({
          TableName: backends.resources.controlTableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `POLICY#${scope}`, ':p': prefix },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it('stores a first version: head, history and document, read back exactly as written', async () => {
    const scope = channelArn();
    const document: ScopedPolicyDocument = { description: 'kids', terms: { block: ['dare', 'Homework Answers'] }, pii: { action: 'DENY' }, remove: { terms: { review: ['refund'] } } };
    const record = await put(scope, 0, document, 'first');
    expect(record).toMatchObject({ scope, version: 1, kind: 'put', mode: 'enforce', deleted: false, updatedBy: alice, comment: 'first', chunkCount: 1 });
    const head = await store.getHead(scope);
    expect(head).toEqual(record);
    expect(await store.loadDocument(head!)).toEqual(document);
    expect((await store.listVersions(scope, { limit: 10 })).items).toEqual([record]);
    expect((await store.getHeads([scope, channelArn()])).size).toBe(1);
  });

  it('refuses a stale expectedVersion with the current head, before writing anything', async () => {
    const scope = channelArn();
    await put(scope, 0, { terms: { block: ['one'] } });
    await put(scope, 1, { terms: { block: ['two'] } });
    const documentsBefore = (await rawItems(scope, 'DOC#')).length;
    const error = await put(scope, 1, { terms: { block: ['stale'] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyVersionConflictError);
    expect((error as PolicyVersionConflictError).current).toMatchObject({ version: 2, updatedBy: alice });
    expect((await rawItems(scope, 'DOC#')).length).toBe(documentsBefore);
    expect(await store.loadDocument((await store.getHead(scope))!)).toEqual({ terms: { block: ['two'] } });
  });

  it('lets exactly one of many concurrent writers from the same version win; the losers leave no chunks', async () => {
    const scope = channelArn();
    await put(scope, 0, { terms: { block: ['base'] } });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => put(scope, 1, { terms: { block: [`writer${i}`] } })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PolicyVersionConflictError);
    const head = (await store.getHead(scope))!;
    expect(head.version).toBe(2);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof put>>>).value;
    expect(head.documentId).toBe(winner.documentId);
    // Chunks: the first version's and the winner's, nobody else's.
    expect(new Set((await rawItems(scope, 'DOC#')).map((i) => (i.sk as string).split('#')[1]))).toEqual(new Set([(await store.getVersion(scope, 1))!.documentId, winner.documentId]));
  });

  describe('a commit whose answer is lost (the SDK retries the head put, which then fails its condition)', () => {
    /** A second store whose client loses the answer of its next HEAD put: applied, then reset. */
    const storeLosingHeadAnswer = (between?: () => Promise<void>) => {
      const clients = createAwsClients({ region: 'us-east-1', ...(backends.credentials ? { credentials: backends.credentials } : {}), endpoints: { dynamodb: backends.dynamodbEndpoint } });
      const faults = loseNextAnswer(clients.dynamodb, (_command, input) => (input as { Item?: { sk?: { S?: string } } }).Item?.sk?.S === 'HEAD', between);
      return { store: new DynamoDbPolicyStore(clients.documents, { tableName: backends.resources.controlTableName }), faults, destroy: () => destroyAwsClients(clients) };
    };

    it('wins: the retry reads back its own writeId on the head', async () => {
      const scope = channelArn();
      const lossy = storeLosingHeadAnswer();
      try {
        const record = await lossy.store.commit({ scope, expectedVersion: 0, kind: 'put', mode: 'enforce', actor: alice, comment: 'mine', now: Date.now(), document: { terms: { block: ['one'] } } });
        expect(lossy.faults.counts.answersLost).toBe(1);
        expect(record).toMatchObject({ version: 1, comment: 'mine' });
        expect(await store.loadDocument((await store.getHead(scope))!)).toEqual({ terms: { block: ['one'] } });
      } finally {
        lossy.destroy();
      }
    });

    it('wins even when another admin commits on top before the retry, and never deletes its committed document', async () => {
      const scope = channelArn();
      await put(scope, 0, { terms: { block: ['zero'] } });
      // Admin 1's head write (version 2) lands; before its retry, admin 2 commits version 3 on top.
      const lossy = storeLosingHeadAnswer(async () => {
        await put(scope, 2, { terms: { block: ['three'] } }, 'admin 2');
      });
      try {
        const record = await lossy.store.commit({ scope, expectedVersion: 1, kind: 'put', mode: 'enforce', actor: { id: 'sub-bob', name: 'bob' }, comment: 'admin 1', now: Date.now(), document: { terms: { block: ['two'] } } });
        expect(lossy.faults.counts.answersLost).toBe(1);
        // Admin 1 is told the truth: its version 2 was committed.
        expect(record).toMatchObject({ version: 2, comment: 'admin 1' });
      } finally {
        lossy.destroy();
      }
      // Version 2 is in the history, and its document is whole: GET, rollback and the audit work.
      const versions = (await store.listVersions(scope, { limit: 10 })).items;
      expect(versions.map((v) => [v.version, v.comment])).toEqual([
        [3, 'admin 2'],
        [2, 'admin 1'],
        [1, 'test'],
      ]);
      expect(await store.loadDocument((await store.getVersion(scope, 2))!)).toEqual({ terms: { block: ['two'] } });
      expect(await store.loadDocument((await store.getHead(scope))!)).toEqual({ terms: { block: ['three'] } });
      expect(warnings).toEqual([]);
    });

    it('loses, and deletes only its own unreferenced chunks, when the other commit is the one at its version', async () => {
      const scope = channelArn();
      await put(scope, 0, { terms: { block: ['zero'] } });
      await put(scope, 1, { terms: { block: ['winner'] } }, 'winner');
      const documentsBefore = (await rawItems(scope, 'DOC#')).length;
      const error = await put(scope, 1, { terms: { block: ['late'] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyVersionConflictError);
      expect((await rawItems(scope, 'DOC#')).length).toBe(documentsBefore);
    });
  });

  it('stores a 100,000-term list compressed across chunk items under the 400 KB limit', async () => {
    const scope = 'global-100k-test-' + Date.now();
    const terms = manyTerms(100_000);
    const document: ScopedPolicyDocument = { terms: { block: terms } };
    const record = await put(scope, 0, document);
    expect(record.bytes).toBeGreaterThan(1_000_000);
    expect(record.chunkCount).toBeGreaterThanOrEqual(2); // ~440 KB gzipped: over one item's 400 KB
    const chunks = await rawItems(scope, 'DOC#');
    expect(chunks).toHaveLength(record.chunkCount!);
    for (const chunk of chunks) expect((chunk.data as Uint8Array).length).toBeLessThanOrEqual(300 * 1024);
    const loaded = await store.loadDocument(record);
    expect((loaded.terms as { block: string[] }).block).toEqual(terms);
  });

  it('rolls back by pointing the head at an old version’s document (no copy), and keeps every version', async () => {
    const scope = channelArn();
    const v1 = await put(scope, 0, { terms: { block: ['first'] } });
    await put(scope, 1, { terms: { block: ['second'] } });
    const v3 = await store.commit({ scope, expectedVersion: 2, kind: 'rollback', mode: v1.mode, actor: alice, comment: 'back to 1', now: Date.now(), restore: v1 });
    expect(v3).toMatchObject({ version: 3, kind: 'rollback', restoredVersion: 1, documentId: v1.documentId });
    expect(await store.loadDocument(v3)).toEqual({ terms: { block: ['first'] } });
    expect((await store.listVersions(scope, { limit: 10 })).items.map((v) => [v.version, v.kind])).toEqual([
      [3, 'rollback'],
      [2, 'put'],
      [1, 'put'],
    ]);
  });

  it('deletes a scope as a new version: the head says deleted, the history stays, a later put continues the numbering', async () => {
    const scope = `${APP_INSTANCE.replace('1111', '9999')}`;
    await put(scope, 0, { links: { deny: ['bit.ly'] } });
    const deleted = await store.commit({ scope, expectedVersion: 1, kind: 'delete', mode: 'enforce', actor: alice, comment: 'not needed', now: Date.now() });
    expect(deleted).toMatchObject({ version: 2, deleted: true, kind: 'delete' });
    expect(deleted.documentId).toBeUndefined();
    expect((await store.getHeads([scope])).get(scope)).toMatchObject({ version: 2, deleted: true });
    expect((await put(scope, 2, { links: { deny: ['tinyurl.com'] } })).version).toBe(3);
  });

  it('repairs a history entry a crashed writer skipped, on the next read and the next write', async () => {
    const scope = channelArn();
    await put(scope, 0, { terms: { block: ['a1'] } });
    await put(scope, 1, { terms: { block: ['a2'] } });
    // The crash: the commit landed, the VERSION item was never written.
    await backends.clients.documents.send(new DeleteCommand({ TableName: backends.resources.controlTableName, Key: { pk: `POLICY#${scope}`, sk: 'VERSION#0000000002' } }));
    expect((await rawItems(scope, 'VERSION#')).length).toBe(1);
    expect((await store.listVersions(scope, { limit: 10 })).items.map((v) => v.version)).toEqual([2, 1]);
    await backends.clients.documents.send(new DeleteCommand({ TableName: backends.resources.controlTableName, Key: { pk: `POLICY#${scope}`, sk: 'VERSION#0000000002' } }));
    await put(scope, 2, { terms: { block: ['a3'] } });
    expect((await rawItems(scope, 'VERSION#')).map((i) => i.version)).toEqual([1, 2, 3]);
  });

  it('refuses to hand out a document whose chunks are missing or altered', async () => {
    const scope = channelArn();
    const record = await put(scope, 0, { terms: { block: ['intact'] } });
    await backends.clients.documents.send(
      new PutCommand({ TableName: backends.resources.controlTableName, Item: { pk: `POLICY#${scope}`, sk: `DOC#${record.documentId}#0000`, data: new Uint8Array([1, 2, 3]) } }),
    );
    await expect(store.loadDocument(record)).rejects.toBeInstanceOf(PolicyStoreError);
    await expect(store.loadDocument({ ...record, chunkCount: 2 })).rejects.toThrow(/found 1 of 2/);
  });

  it('lists every scope ever written, from its own partition (no scan)', async () => {
    const scopes = [channelArn(), channelArn()];
    for (const scope of scopes) await put(scope, 0, {});
    const seen: string[] = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await store.listScopes({ limit: 3, ...(next ? { next } : {}) });
      seen.push(...page.items);
      next = page.next;
    } while (next);
    expect(seen).toEqual(expect.arrayContaining(scopes));
    const registry = await backends.clients.documents.send(
      new QueryCommand({ TableName: backends.resources.controlTableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': POLICY_SCOPES_PK } }),
    );
    expect(registry.Items?.length).toBe(seen.length);
    expect(warnings).toEqual([]);
  });
});
