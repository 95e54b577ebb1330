import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditAttributes, DERIVED_ATTRIBUTES, derivedAttributes, type KeySettings } from '../adapters/table-keys.js';
import { FOLLOW_UP_PREFIX, type FollowUpRecord } from '../domain/follow-up.js';
import type { ModerationItem } from '../domain/item.js';

/**
 * Brings items up to the current key design, idempotently (README "Upgrading"):
 *
 *   copy      --from-table <old> --table <new>: every item of a table written by the unsharded
 *             design is written to the new table with the derived attributes of this design
 *             (index keys, the copies the projections carry). An item already there at the same
 *             or a newer version is left alone, so a second run writes nothing.
 *   in place  --table <t>: after STATUS_SHARDS / AUDIT_SHARDS / the margin changed, every item
 *             whose derived attributes differ is rewritten, guarded by its version.
 *
 * It reads with a parallel Scan: a migration visits every item once, which is what a Scan is for.
 * Nothing that runs in the pipeline ever scans.
 */

/** Attributes of the unsharded design that nothing reads any more. */
const RETIRED_ATTRIBUTES = ['decisionDay', 'decidedAt'] as const;

export interface BackfillOptions {
  client: DynamoDBDocumentClient;
  table: string;
  /** Copy from this table instead of rewriting `table` in place. */
  fromTable?: string;
  keys: KeySettings;
  /** Parallel Scan segments. */
  segments?: number;
  dryRun?: boolean;
  /** Told about every item that could not be brought up to date (it is left as it was). */
  onError?: (callbackId: string, error: unknown) => void;
}

export interface BackfillReport {
  scanned: number;
  written: number;
  upToDate: number;
  /** Items whose version moved while we worked on them, and were read again. */
  retried: number;
  failed: number;
}

/** What an item of `table` should look like: its own attributes, this design's derived ones, no retired ones. */
export function upgraded(item: ModerationItem & Record<string, unknown>, keys: KeySettings): Record<string, unknown> {
  const derived = isFollowUpRecord(item)
    ? { channelArn: item.channelArn, ...auditAttributes(item.callbackId, { decidedAt: item.requestedAt, origin: item.origin, actor: item.actor }, keys) }
    : derivedAttributes(item, keys);
  const next: Record<string, unknown> = { ...item };
  // Stale derived attributes go (a terminal item's live keys, a key of another shard count);
  // an action record's own fields (its ruleIds, its channel) are data, not derived, and stay.
  const strip = isFollowUpRecord(item) ? ['auditKey', 'auditSort', 'decisionOrigin', 'decidedById', 'decidedByName'] : [...DERIVED_ATTRIBUTES, ...RETIRED_ATTRIBUTES];
  for (const name of strip) delete next[name];
  return { ...next, ...derived };
}

/** JSON with object keys sorted at every level: DynamoDB returns attributes in no particular order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const isFollowUpRecord = (item: Record<string, unknown>): item is FollowUpRecord & Record<string, unknown> =>
  typeof item.callbackId === 'string' && item.callbackId.startsWith(FOLLOW_UP_PREFIX) && item.kind === 'ACTION';

export async function backfill(options: BackfillOptions): Promise<BackfillReport> {
  const report: BackfillReport = { scanned: 0, written: 0, upToDate: 0, retried: 0, failed: 0 };
  const source = options.fromTable ?? options.table;
  const segments = options.segments ?? 4;

  const upgradeOne = async (item: ModerationItem & Record<string, unknown>) => {
    // Items and follow-up action records (ACTION#…, on the audit index); anything else is not ours.
    if (typeof item.callbackId !== 'string' || (!isFollowUpRecord(item) && (!item.message || typeof item.version !== 'number'))) {
      report.upToDate += 1;
      return;
    }
    try {
      const wrote = options.fromTable ? await copy(item) : await rewrite(item);
      if (wrote) report.written += 1;
      else report.upToDate += 1;
    } catch (error) {
      report.failed += 1;
      options.onError?.(item.callbackId, error);
    }
  };

  /** Into the new table unless it already holds this version or a newer one. */
  const copy = async (item: ModerationItem & Record<string, unknown>): Promise<boolean> => {
    const target = upgraded(item, options.keys);
    const existing = (await options.client.send(new GetCommand({ TableName: options.table, Key: { callbackId: item.callbackId }, ConsistentRead: true }))).Item;
    // Action records have no version: one already copied is left alone.
    const version = typeof item.version === 'number' ? item.version : undefined;
    if (existing && (version === undefined || Number(existing.version) > version || (Number(existing.version) === version && same(existing, target)))) return false;
    if (options.dryRun) return true;
    try {
      await options.client.send(
        new PutCommand({
          TableName: options.table,
          Item: target,
          // The new design's code may have written this CallbackId meanwhile (a worker rebuilds a
          // missing item from its work message): a newer version there always wins.
          ...(version === undefined
            ? { ConditionExpression: 'attribute_not_exists(#callbackId)', ExpressionAttributeNames: { '#callbackId': 'callbackId' } }
            : {
                ConditionExpression: 'attribute_not_exists(#callbackId) OR #version <= :version',
                ExpressionAttributeNames: { '#callbackId': 'callbackId', '#version': 'version' },
                ExpressionAttributeValues: { ':version': version },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /** In place, guarded by the version read; re-read and try again when the item moved meanwhile. */
  const rewrite = async (first: ModerationItem & Record<string, unknown>): Promise<boolean> => {
    let item = first;
    for (let attempt = 1; ; attempt += 1) {
      const target = upgraded(item, options.keys);
      const sets = Object.entries(target).filter(([name]) => name !== 'callbackId' && !same(item[name], target[name]));
      const removes = Object.keys(item).filter((name) => !(name in target));
      if (sets.length === 0 && removes.length === 0) return false;
      if (options.dryRun) return true;
      // Guarded by what was read: the version of an item, the outcome of an action record.
      const guard = isFollowUpRecord(item) ? { name: 'outcome', value: item.outcome } : { name: 'version', value: item.version };
      const names: Record<string, string> = { '#guard': guard.name };
      const values: Record<string, unknown> = { ':guard': guard.value };
      const setParts = sets.map(([name, value], i) => {
        names[`#s${i}`] = name;
        values[`:s${i}`] = value;
        return `#s${i} = :s${i}`;
      });
      const removeParts = removes.map((name, i) => {
        names[`#r${i}`] = name;
        return `#r${i}`;
      });
      try {
        await options.client.send(
          new UpdateCommand({
            TableName: options.table,
            Key: { callbackId: item.callbackId },
            UpdateExpression: [setParts.length ? `SET ${setParts.join(', ')}` : '', removeParts.length ? `REMOVE ${removeParts.join(', ')}` : ''].filter(Boolean).join(' '),
            ConditionExpression: '#guard = :guard',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= 5) throw error;
        report.retried += 1;
        const fresh = (await options.client.send(new GetCommand({ TableName: options.table, Key: { callbackId: item.callbackId }, ConsistentRead: true }))).Item;
        if (!fresh) return false; // gone (TTL): nothing to upgrade
        item = fresh as ModerationItem & Record<string, unknown>;
      }
    }
  };

  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await options.client.send(
          new ScanCommand({ TableName: source, Segment: segment, TotalSegments: segments, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        const items = (page.Items ?? []) as Array<ModerationItem & Record<string, unknown>>;
        report.scanned += items.length;
        for (let i = 0; i < items.length; i += 16) await Promise.all(items.slice(i, i + 16).map(upgradeOne));
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return report;
}
