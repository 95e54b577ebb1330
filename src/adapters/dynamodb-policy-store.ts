import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/ports.js';
import { PolicyStoreError, PolicyVersionConflictError } from '../errors.js';
import type { ScopedPolicyDocument } from '../policy/schema.js';
import type { PolicyCommit, PolicyHead, PolicyStore, PolicyVersionRecord } from '../policy/store.js';

/**
 * Live policies in the ControlTable (pk `pk` S, sk `sk` S). Everything lives under `POLICY#`
 * (the statistics counters own `COUNTER#`):
 *
 *   pk POLICY#<scope>   sk HEAD                  the current version: small, what workers poll
 *                       sk VERSION#0000000007    one per version: who, when, why, which document
 *                       sk DOC#<documentId>#0000 the document: gzipped JSON, split in ≤ 300 KB chunks
 *   pk POLICY#SCOPES    sk <scope>               every scope ever written (GET /policies; no scans)
 *
 * Documents are immutable and never deleted: every version stays readable, and a rollback
 * points the head at an old document instead of copying it. A 100,000-term list is ~1.5 MB of
 * JSON and ~0.5 MB gzipped: two chunk items.
 *
 * A write is single-item conditional writes only (dynalite has no transactions):
 *
 *   read HEAD (version v) ─ stale? 409 before writing anything
 *     │ repair VERSION#v if a crashed writer skipped it (put-if-absent: idempotent; if this
 *     │ fails, the commit fails: the chain of version records holds by induction)
 *     │ put POLICY#SCOPES/<scope> (put-if-absent)
 *     │ put DOC#<new id>#0..n          ← keyed by a fresh id: a losing writer's chunks never
 *     │                                   mix with the winner's; it deletes them (best effort)
 *     ▼
 *   put HEAD  if version = v  (or, at v = 0, if there is no head)      ◀── THE COMMIT POINT
 *     │ lost the condition? read what version v+1 is: the HEAD if it is still v+1, else its
 *     │ VERSION#v+1 record (every later writer repairs it from the HEAD before committing):
 *     │   our writeId there → we won (the SDK retried a put whose answer was lost, and maybe
 *     │                        another admin committed on top since)
 *     │   another writeId   → PolicyVersionConflictError carrying the winner's head, and our
 *     │                        chunks (which nothing points at) are deleted
 *     ▼
 *   put VERSION#v+1 (put-if-absent; if this is skipped, the next writer or reader repairs it)
 *
 * Every version record carries its commit's writeId, so who wrote version v+1 can be read back
 * whatever happened since: a committed version's document is never deleted.
 */

export const POLICY_PK_PREFIX = 'POLICY#';
export const POLICY_SCOPES_PK = 'POLICY#SCOPES';
const HEAD_SK = 'HEAD';
const VERSION_SK_PREFIX = 'VERSION#';
const DOC_SK_PREFIX = 'DOC#';
/** Binary chunk size: well under the 400 KB item limit, keys and attribute names included. */
export const CHUNK_BYTES = 300 * 1024;
const BATCH_GET_MAX = 100;

export interface DynamoDbPolicyStoreOptions {
  tableName: string;
  /** Things that do not fail the call but that an operator may want to see (a skipped history write). */
  warn?: (message: string, details: Record<string, unknown>) => void;
}

const pkOf = (scope: string) => `${POLICY_PK_PREFIX}${scope}`;
const versionSk = (version: number) => `${VERSION_SK_PREFIX}${String(version).padStart(10, '0')}`;
const docPrefix = (documentId: string) => `${DOC_SK_PREFIX}${documentId}#`;
const docSk = (documentId: string, index: number) => `${docPrefix(documentId)}${String(index).padStart(4, '0')}`;
const signal = (timeoutMs?: number) => (timeoutMs ? { abortSignal: AbortSignal.timeout(timeoutMs) } : {});

type HeadItem = PolicyVersionRecord & { pk: string; sk: string; writeId: string };

/** A version as stored: the record, and the writeId of the commit that made it (absent on records from before it was kept). */
type StoredVersion = PolicyVersionRecord & { writeId?: string };

function toRecord(item: Record<string, unknown>): PolicyVersionRecord {
  const { pk: _pk, sk: _sk, writeId: _writeId, ...record } = item;
  return record as unknown as PolicyVersionRecord;
}

function toStored(item: Record<string, unknown>): StoredVersion {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as StoredVersion;
}

export class DynamoDbPolicyStore implements PolicyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbPolicyStoreOptions,
  ) {}

  async getHead(scope: string): Promise<PolicyVersionRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: pkOf(scope), sk: HEAD_SK }, ConsistentRead: true }));
    return result.Item ? toRecord(result.Item) : undefined;
  }

  async getHeads(scopes: readonly string[], options: { timeoutMs?: number } = {}): Promise<Map<string, PolicyVersionRecord>> {
    const unique = [...new Set(scopes)];
    const heads = new Map<string, PolicyVersionRecord>();
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let keys: Array<Record<string, unknown>> = unique.slice(i, i + BATCH_GET_MAX).map((scope) => ({ pk: pkOf(scope), sk: HEAD_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(500, 25 * 2 ** attempt)));
        if (attempt > 5) throw new PolicyStoreError('DynamoDB kept returning unprocessed keys for the policy heads', { keys: keys.length });
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: keys, ConsistentRead: true } } }),
          signal(options.timeoutMs),
        );
        for (const item of result.Responses?.[this.options.tableName] ?? []) {
          const record = toRecord(item);
          heads.set(record.scope, record);
        }
        keys = (result.UnprocessedKeys?.[this.options.tableName]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
      }
    }
    return heads;
  }

  async loadDocument(head: PolicyHead, options: { timeoutMs?: number } = {}): Promise<ScopedPolicyDocument> {
    const { scope, version, documentId, chunkCount } = head;
    if (!documentId || !chunkCount) throw new PolicyStoreError(`Policy ${scope} version ${version} has no document`, { scope, version });
    const chunks: Uint8Array[] = [];
    let next: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pkOf(scope), ':prefix': docPrefix(documentId) },
          ConsistentRead: true,
          ...(next ? { ExclusiveStartKey: next } : {}),
        }),
        signal(options.timeoutMs),
      );
      for (const item of page.Items ?? []) chunks.push(item.data as Uint8Array);
      next = page.LastEvaluatedKey;
    } while (next);
    if (chunks.length !== chunkCount) {
      throw new PolicyStoreError(`Policy ${scope} version ${version}: found ${chunks.length} of ${chunkCount} document chunks`, { scope, version, documentId });
    }
    let json: string;
    try {
      json = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    } catch (error) {
      throw new PolicyStoreError(`Policy ${scope} version ${version}: the document does not decompress`, { scope, version, documentId }, { cause: error });
    }
    if (head.digest && createHash('sha256').update(json).digest('hex') !== head.digest) {
      throw new PolicyStoreError(`Policy ${scope} version ${version}: the document does not match its digest`, { scope, version, documentId });
    }
    return JSON.parse(json) as ScopedPolicyDocument;
  }

  async commit(change: PolicyCommit): Promise<PolicyVersionRecord> {
    const { scope, expectedVersion } = change;
    const head = await this.getStoredHead(scope);
    if ((head?.version ?? 0) !== expectedVersion) throw new PolicyVersionConflictError(scope, expectedVersion, head && toRecord(head as unknown as Record<string, unknown>));
    // Not best effort here: once this commit moves the head on, the record of version v (and its
    // writeId, how a lost answer of v's commit is read back) could be written by no one else.
    if (head) await this.putIfAbsent({ pk: pkOf(scope), sk: versionSk(head.version), ...head });
    await this.putIfAbsent({ pk: POLICY_SCOPES_PK, sk: scope, scope, firstWrittenAt: new Date(change.now).toISOString() });

    const writeId = randomUUID();
    const record: PolicyVersionRecord = {
      scope,
      version: expectedVersion + 1,
      kind: change.kind,
      mode: change.mode,
      deleted: change.kind === 'delete',
      updatedBy: change.actor,
      updatedAt: new Date(change.now).toISOString(),
      comment: change.comment,
    };
    let written: string | undefined;
    if (change.kind === 'rollback' && change.restore) {
      const from = change.restore;
      if (!from.documentId || !from.chunkCount) throw new PolicyStoreError('A rollback needs a version with a document', { scope, version: from.version });
      Object.assign(record, { documentId: from.documentId, chunkCount: from.chunkCount, bytes: from.bytes, digest: from.digest, restoredVersion: from.version });
    } else if (change.kind !== 'delete') {
      // A put, or a rollback to a document that was never stored (global's version 0: POLICY_FILE).
      if (!change.document) throw new PolicyStoreError(`A ${change.kind} needs a document`, { scope });
      const stored = await this.writeDocument(scope, change.document);
      written = stored.documentId;
      Object.assign(record, stored, change.restoredVersion !== undefined ? { restoredVersion: change.restoredVersion } : {});
    }

    const item: HeadItem = { pk: pkOf(scope), sk: HEAD_SK, writeId, ...record };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          // The commit point: only the writer that read the current version moves it on.
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite ignores ReturnValuesOnConditionCheckFailure: read back who committed version v+1.
      const winner = await this.committed(scope, expectedVersion + 1);
      if (winner?.writeId !== writeId) {
        // Certain we lost (version v+1 is another commit's): our chunks are nobody's. If it cannot
        // be told (no record of v+1 yet), they stay: an orphaned chunk is inert, a deleted
        // committed document is not.
        if (written && winner?.writeId !== undefined) await this.deleteDocument(scope, written, record.chunkCount ?? 0);
        const current = await this.getHead(scope);
        throw new PolicyVersionConflictError(scope, expectedVersion, current);
      }
      // Our own put landed on an attempt whose answer was lost: we won (and maybe someone has
      // committed on top since: their commit wrote our VERSION record from our head).
    }
    await this.putVersionRecord({ ...record, writeId });
    return record;
  }

  /** The head item with its writeId (the repair of a version record keeps it). */
  private async getStoredHead(scope: string): Promise<StoredVersion | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: pkOf(scope), sk: HEAD_SK }, ConsistentRead: true }));
    return result.Item ? toStored(result.Item) : undefined;
  }

  /** Version `version` of a scope as committed, with its writeId: the head while it is the newest, else its VERSION record. */
  private async committed(scope: string, version: number): Promise<StoredVersion | undefined> {
    const head = await this.getStoredHead(scope);
    if (!head || head.version < version) return undefined;
    if (head.version === version) return head;
    const result = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: pkOf(scope), sk: versionSk(version) }, ConsistentRead: true }));
    return result.Item ? toStored(result.Item) : undefined;
  }

  async getVersion(scope: string, version: number): Promise<PolicyVersionRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: pkOf(scope), sk: versionSk(version) }, ConsistentRead: true }));
    if (result.Item) return toRecord(result.Item);
    const head = await this.getHead(scope);
    return head?.version === version ? head : undefined;
  }

  async listVersions(scope: string, options: { limit: number; next?: Record<string, unknown> }): Promise<Page<PolicyVersionRecord>> {
    if (!options.next) {
      // The newest version's record may be missing if its writer stopped right after the
      // commit: write it from the head (idempotent) so the history never has a hole.
      const head = await this.getStoredHead(scope);
      if (head) await this.putVersionRecord(head);
    }
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pkOf(scope), ':prefix': VERSION_SK_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: options.limit,
        ...(options.next ? { ExclusiveStartKey: options.next } : {}),
      }),
    );
    return { items: (page.Items ?? []).map(toRecord), ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}) };
  }

  async listScopes(options: { limit: number; next?: Record<string, unknown> }): Promise<Page<string>> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': POLICY_SCOPES_PK },
        Limit: options.limit,
        ...(options.next ? { ExclusiveStartKey: options.next } : {}),
      }),
    );
    return { items: (page.Items ?? []).map((item) => item.sk as string), ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}) };
  }

  private async writeDocument(scope: string, document: ScopedPolicyDocument) {
    const json = JSON.stringify(document);
    const compressed = gzipSync(json);
    const documentId = randomUUID();
    const chunkCount = Math.max(1, Math.ceil(compressed.length / CHUNK_BYTES));
    const puts = Array.from({ length: chunkCount }, (_, index) => () =>
      this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { pk: pkOf(scope), sk: docSk(documentId, index), data: compressed.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) },
        }),
      ),
    );
    // A few at a time: each is up to 300 KB (300 WCU).
    for (let i = 0; i < puts.length; i += 4) await Promise.all(puts.slice(i, i + 4).map((put) => put()));
    return { documentId, chunkCount, bytes: Buffer.byteLength(json), digest: createHash('sha256').update(json).digest('hex') };
  }

  /** A losing writer's chunks: nothing points at them. Best effort; leftovers are inert. */
  private async deleteDocument(scope: string, documentId: string, chunkCount: number) {
    await Promise.all(
      Array.from({ length: chunkCount }, (_, index) =>
        this.client.send(new DeleteCommand({ TableName: this.options.tableName, Key: { pk: pkOf(scope), sk: docSk(documentId, index) } })).catch((error: unknown) =>
          this.options.warn?.('Could not delete a losing writer’s policy chunk', { scope, documentId, index, error: String(error) }),
        ),
      ),
    );
  }

  private async putVersionRecord(record: StoredVersion) {
    try {
      await this.putIfAbsent({ pk: pkOf(record.scope), sk: versionSk(record.version), ...record });
    } catch (error) {
      // The version is committed (the head says so); its history entry is repaired by the next writer or reader.
      this.options.warn?.('Could not write a policy version record; it will be repaired', { scope: record.scope, version: record.version, error: String(error) });
    }
  }

  private async putIfAbsent(item: Record<string, unknown>) {
    try {
      await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
