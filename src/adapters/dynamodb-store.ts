import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retentionExpiry } from '../domain/deadline.js';
import { boundedReason, compactHistory, needsCompaction } from '../domain/history.js';
import type { FollowUpCompletion, FollowUpRecord } from '../domain/follow-up.js';
import { isTerminal, type Decision, type HistoryEntry, type ModerationItem, type Status } from '../domain/item.js';
import type { Counters, DecisionDayQuery, DueQuery, FailedQuery, Page, ReviewQueueQuery, ReviewStore, Transition } from '../domain/ports.js';
import { FollowUpRecordError, ItemTooLargeError, TransitionConflictError } from '../errors.js';
import { mergeShards, type ShardPage } from './shard-merge.js';
import {
  AUDIT_INDEX,
  LIVE_INDEX,
  auditAttributes,
  auditKey,
  callbackIdOf,
  derivedAttributes,
  liveAttributes,
  liveKey,
  sortKey,
  type KeySettings,
} from './table-keys.js';
import { sweepAt, isLiveStatus } from '../domain/deadline.js';

export { AUDIT_INDEX, LIVE_INDEX } from './table-keys.js';

export interface DynamoDbStoreOptions {
  tableName: string;
  retentionDays: number;
  keys: KeySettings;
  /** Statistics: every status move and decision is counted (best effort; see Counters). */
  counters?: Counters;
}

/** Index entries as the projections carry them (keys plus the filters' attributes). */
interface IndexEntry {
  callbackId: string;
  dueKey?: string;
  auditSort?: string;
}

/** Reads one merged listing may make before it answers with what it has (and a position). */
const QUERIES_PER_LISTING_PER_SHARD = 4;

/**
 * A fresh id for one write. Every write sets `lastWriteId` to it and is conditional on it not
 * being there already, so the SDK's own retry of a write that was applied (its answer lost) can
 * never apply it twice; and when such a retry fails its condition, the id on the item (or in its
 * history) tells the write was ours: the outcome is settled by reading back, never guessed.
 */
export const newWriteId = (): string => randomBytes(9).toString('base64url');

/**
 * The moderation table: one item per CallbackId, with its history inside it, so every change is
 * a single-item conditional write (no transactions: dynalite has none, and none are needed).
 * Its indexes are write-sharded (src/adapters/table-keys.ts): every listing merges the shards.
 */
export class DynamoDbModerationStore implements ReviewStore {
  private readonly liveShards: number[];

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbStoreOptions,
  ) {
    this.liveShards = Array.from({ length: options.keys.statusShards }, (_, shard) => shard);
  }

  async recordReceived(item: ModerationItem) {
    const writeId = newWriteId();
    // The id also goes into the `received` entry, which is never folded: our put is recognised
    // even after later writes moved `lastWriteId` on.
    const created = { ...item, lastWriteId: writeId, history: item.history.map((entry, i) => (i === 0 ? { ...entry, writeId } : entry)) };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...created, ...derivedAttributes(item, this.options.keys) },
          // A duplicate invocation finds the item already there and must not reset its state.
          ConditionExpression: 'attribute_not_exists(#callbackId)',
          ExpressionAttributeNames: { '#callbackId': 'callbackId' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(item.callbackId);
      if (!existing) throw error; // Vanished between the two calls: let the caller retry.
      // Our own put, applied on an attempt whose answer was lost: it is ours, created now.
      if (!wroteIt(existing, writeId)) return { created: false as const, item: existing };
    }
    this.options.counters?.record({
      receivedAt: item.receivedAt,
      statuses: { [item.status]: 1 },
      ...(item.decision ? { decision: { decidedAt: item.decision.decidedAt, origin: item.decision.origin } } : {}),
    });
    return { created: true as const, item: created };
  }

  async get(callbackId: string): Promise<ModerationItem | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: { callbackId }, ConsistentRead: true }),
    );
    return result.Item as ModerationItem | undefined;
  }

  async transition(change: Transition): Promise<ModerationItem> {
    let written: Written;
    try {
      written = await this.update(change);
    } catch (error) {
      if (!isItemTooLarge(error)) throw error;
      // An item at the size limit (one written before histories were bounded, or one that grew
      // some other way) must never block a decision: fold its history hard, then write again.
      await this.compact(change.callbackId, { keepRecent: 0 });
      try {
        written = await this.update(change);
      } catch (retryError) {
        if (isItemTooLarge(retryError)) throw new ItemTooLargeError(change.callbackId, `${change.from.join('|')} → ${change.to}`, { cause: retryError });
        throw retryError;
      }
    }
    this.count(written, change);
    return needsCompaction(written.history) ? ((await this.compact(change.callbackId, { item: written })) ?? written) : written;
  }

  /** A status move and a new decision, for the statistics. */
  private count(written: Written, change: Transition): void {
    const counters = this.options.counters;
    if (!counters) return;
    const move = written.move ?? (written.previousStatus !== undefined ? { from: written.previousStatus, to: written.status } : undefined);
    const moved = move !== undefined && move.from !== move.to;
    const decision = change.set?.decision as Decision | undefined;
    if (!moved && !decision) return;
    counters.record({
      receivedAt: written.receivedAt,
      ...(moved ? { statuses: { [move.from]: -1, [move.to]: 1 } } : {}),
      ...(decision ? { decision: { decidedAt: decision.decidedAt, origin: decision.origin } } : {}),
    });
  }

  /** The conditional UpdateItem of one transition (see Transition in src/domain/ports.ts). */
  private async update(change: Transition): Promise<Written> {
    const at = new Date(change.now).toISOString();
    const writeId = newWriteId();
    const names: Record<string, string> = {
      '#callbackId': 'callbackId',
      '#status': 'status',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
      '#previousStatus': 'previousStatus',
      '#lastWriteId': 'lastWriteId',
    };
    const values: Record<string, unknown> = { ':to': change.to, ':one': 1, ':at': at, ':writeId': writeId };
    // `previousStatus = status` reads the value before this write: the statistics need the move.
    const sets = ['#previousStatus = #status', '#status = :to', '#version = #version + :one', '#updatedAt = :at', '#lastWriteId = :writeId'];
    const removes: string[] = [];
    // Applied at most once: the SDK's retry of an applied write fails here (see newWriteId).
    const conditions = ['attribute_exists(#callbackId)', '(attribute_not_exists(#lastWriteId) OR #lastWriteId <> :writeId)'];
    const setAttribute = (name: string, value: unknown) => {
      const i = sets.length;
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
    };
    const removeAttribute = (name: string) => {
      const i = removes.length;
      names[`#r${i}`] = name;
      removes.push(`#r${i}`);
    };

    if (change.coalesce) {
      // Replace one entry in place, guarded: the list must be exactly as the caller read it.
      names['#history'] = 'history';
      names['#entryAt'] = 'at';
      values[':coalesced'] = { ...change.coalesce.entry, reason: boundedReason(change.coalesce.entry.reason), writeId };
      values[':historyLength'] = change.coalesce.length;
      values[':coalescedAt'] = change.coalesce.at;
      sets.push(`#history[${change.coalesce.index}] = :coalesced`);
      conditions.push('size(#history) = :historyLength', `#history[${change.coalesce.index}].#entryAt = :coalescedAt`);
    } else if (!change.quiet) {
      const reason = boundedReason(change.history.reason);
      const entry: HistoryEntry = {
        at,
        ...(change.from.length === 1 ? { from: change.from[0] } : {}),
        to: change.to,
        ...change.history,
        ...(reason !== undefined ? { reason } : {}),
        writeId,
      };
      names['#history'] = 'history';
      values[':entry'] = [entry];
      sets.push('#history = list_append(#history, :entry)');
    }

    for (const [attribute, value] of Object.entries(change.set ?? {})) setAttribute(attribute, value);
    for (const attribute of change.remove ?? []) removeAttribute(attribute);

    // The live index follows the status: a live item's sort key is its next sweep moment; a
    // FAILED item's is its deadline (redeliverable while its window is open); any other terminal
    // item leaves the index. A same-status write (a claim, a failed attempt, a lease) moves
    // nothing unless asked to: an index entry is a delete and a put, paid for only when what is
    // due changes (the sweeper reschedules an item it finds due but not stuck).
    const staysPut = !change.reschedule && change.from.length === 1 && change.from[0] === change.to;
    if (!staysPut) {
      const redriveCount = change.set?.redriveCount;
      const live = liveAttributes(change.callbackId, change.to, { deadline: change.deadline, updatedAt: at, ...(redriveCount !== undefined ? { redriveCount } : {}) }, this.options.keys);
      if (live) {
        setAttribute('liveKey', live.liveKey);
        setAttribute('dueKey', live.dueKey);
      } else {
        removeAttribute('liveKey');
        removeAttribute('dueKey');
      }
    }
    const decision = change.set?.decision as Decision | undefined;
    if (decision) for (const [name, value] of Object.entries(auditAttributes(change.callbackId, decision, this.options.keys))) setAttribute(name, value);
    const policy = change.set?.policy as ModerationItem['policy'];
    if (policy) setAttribute('ruleIds', policy.ruleIds);
    if (isTerminal(change.to)) setAttribute('expiresAt', retentionExpiry(change.now, this.options.retentionDays));

    // The whole point of the table: a transition happens only from an expected state, so two
    // deciders (worker and duplicate, moderator and sweeper) can never both win.
    const fromValues = change.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    conditions.push(`#status IN (${fromValues.join(', ')})`);
    if (change.expectedVersion !== undefined) {
      values[':expectedVersion'] = change.expectedVersion;
      conditions.push('#version = :expectedVersion');
    }
    if (change.claimableBy !== undefined) {
      // Evaluated by DynamoDB in the same write, so a claim taken a millisecond earlier wins:
      //   unclaimed ── or ── claim.until <= now (lapsed) ── or ── held by this subject
      names['#claim'] = 'claim';
      names['#claimUntil'] = 'until';
      names['#claimSubject'] = 'subject';
      values[':claimNow'] = at;
      values[':claimant'] = change.claimableBy;
      conditions.push('(attribute_not_exists(#claim) OR #claim.#claimUntil <= :claimNow OR #claim.#claimSubject = :claimant)');
    }

    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { callbackId: change.callbackId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as Written;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite ignores ReturnValuesOnConditionCheckFailure, so re-read to say who won.
      const current = await this.get(change.callbackId);
      // Our own write, applied on an attempt whose answer was lost: it won. If something was
      // written after it, `previousStatus` is that write's: the move is counted from our own
      // history entry instead (a move it does not name, from several statuses, goes uncounted).
      if (current?.lastWriteId === writeId) return current;
      if (current && wroteIt(current, writeId)) {
        const from = current.history.find((entry) => entry.writeId === writeId)?.from;
        return { ...current, previousStatus: undefined, ...(from !== undefined ? { move: { from, to: change.to } } : {}) };
      }
      const expected = `status ${change.from.join('|')}${change.expectedVersion !== undefined ? ` at version ${change.expectedVersion}` : ''}${change.claimableBy !== undefined ? ` not claimed by anyone but ${change.claimableBy}` : ''}${change.coalesce ? ' with an unchanged history' : ''}`;
      throw new TransitionConflictError(change.callbackId, expected, current);
    }
  }

  /**
   * Rewrites the history folded (src/domain/history.ts). It is a change of representation, not
   * of state, so the version stays: a moderator's `expectedVersion` is not invalidated by it.
   * Guarded by the version and the history length read: if anything else was written
   * meanwhile the fold is skipped (undefined), and the next write past the cap folds again.
   */
  private async compact(callbackId: string, options: { item?: ModerationItem; keepRecent?: number }): Promise<ModerationItem | undefined> {
    const item = options.item ?? (await this.get(callbackId));
    if (!item) return undefined;
    const history = compactHistory(item.history, options.keepRecent);
    if (history.length === item.history.length) return item;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { callbackId },
          UpdateExpression: 'SET #history = :history',
          ConditionExpression: '#version = :version AND size(#history) = :length',
          ExpressionAttributeNames: { '#history': 'history', '#version': 'version' },
          ExpressionAttributeValues: { ':history': history, ':version': item.version, ':length': item.history.length },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as ModerationItem;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async appendHistory(callbackId: string, entry: Omit<HistoryEntry, 'at'>, now: number): Promise<ModerationItem | undefined> {
    const writeId = newWriteId();
    const reason = boundedReason(entry.reason);
    const full: HistoryEntry = { at: new Date(now).toISOString(), ...entry, ...(reason !== undefined ? { reason } : {}), writeId };
    let written: ModerationItem | undefined;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { callbackId },
          // Only the history: version, updatedAt and the index keys stay as they are.
          UpdateExpression: 'SET #history = list_append(#history, :entry), #lastWriteId = :writeId',
          ConditionExpression: 'attribute_exists(#callbackId) AND (attribute_not_exists(#lastWriteId) OR #lastWriteId <> :writeId)',
          ExpressionAttributeNames: { '#callbackId': 'callbackId', '#history': 'history', '#lastWriteId': 'lastWriteId' },
          ExpressionAttributeValues: { ':entry': [full], ':writeId': writeId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      written = result.Attributes as ModerationItem;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(callbackId);
      if (!current || !wroteIt(current, writeId)) return undefined; // the item is gone
      written = current;
    }
    return needsCompaction(written.history) ? ((await this.compact(callbackId, { item: written })) ?? written) : written;
  }

  async reschedule(item: ModerationItem): Promise<boolean> {
    const live = isLiveStatus(item.status) ? sortKey(sweepAt(item.status, item, this.options.keys), item.callbackId) : undefined;
    if (!live) return false;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { callbackId: item.callbackId },
          UpdateExpression: 'SET #dueKey = :dueKey',
          // Bookkeeping on the item as it was read: if it changed meanwhile, that write placed it.
          ConditionExpression: '#version = :version AND #status = :status',
          ExpressionAttributeNames: { '#dueKey': 'dueKey', '#version': 'version', '#status': 'status' },
          ExpressionAttributeValues: { ':dueKey': live, ':version': item.version, ':status': item.status },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  // ─── Reading the indexes ─────────────────────────────────────────────────────────────────

  async listDue(query: DueQuery): Promise<Page<ModerationItem>> {
    return this.listing({
      index: 'live',
      status: query.status,
      shards: (query.shards ?? this.liveShards).map((shard) => liveKey(query.status, shard)),
      // Everything with a sweep moment at or before `at`, whatever CallbackId follows it.
      sortCondition: { expression: '#sort <= :until', values: { ':until': `${query.at}#\uffff` } },
      filter: new FilterBuilder(),
      limit: query.limit,
      peek: false,
      ...(query.next ? { next: query.next } : {}),
    });
  }

  async nearestPendingReview(): Promise<ModerationItem | undefined> {
    const page = await this.listPendingReviews({ subject: '', now: 0, claimed: 'any', limit: 1 });
    return page.items[0];
  }

  async listPendingReviews(query: ReviewQueueQuery): Promise<Page<ModerationItem>> {
    const filter = new FilterBuilder();
    if (query.channelArn !== undefined) filter.add('#channelArn = :channelArn', { '#channelArn': 'channelArn' }, { ':channelArn': query.channelArn });
    if (query.senderArn !== undefined) filter.add('#senderArn = :senderArn', { '#senderArn': 'senderArn' }, { ':senderArn': query.senderArn });
    if (query.ruleId !== undefined) filter.add('contains(#ruleIds, :ruleId)', { '#ruleIds': 'ruleIds' }, { ':ruleId': query.ruleId });
    // DynamoDB rejects unused placeholders, so each branch names exactly what it uses.
    const now = new Date(query.now).toISOString();
    if (query.claimed === 'mine') {
      filter.add('#claim.#claimSubject = :me AND #claim.#claimUntil > :now', { '#claim': 'claim', '#claimUntil': 'until', '#claimSubject': 'subject' }, { ':me': query.subject, ':now': now });
    } else if (query.claimed === 'none') {
      filter.add('attribute_not_exists(#claim) OR #claim.#claimUntil <= :now', { '#claim': 'claim', '#claimUntil': 'until' }, { ':now': now });
    }
    return this.listing({
      index: 'live',
      status: 'PENDING_REVIEW',
      shards: this.liveShards.map((shard) => liveKey('PENDING_REVIEW', shard)),
      filter,
      limit: query.limit,
      peek: true,
      ...(query.next ? { next: query.next } : {}),
    });
  }

  async listFailed(query: FailedQuery): Promise<Page<ModerationItem>> {
    return this.listing({
      index: 'live',
      status: 'FAILED',
      shards: this.liveShards.map((shard) => liveKey('FAILED', shard)),
      // A FAILED item's sort key is its deadline: those after `openAfter` can still be called back.
      sortCondition: { expression: '#sort > :openAfter', values: { ':openAfter': `${query.openAfter}#\uffff` } },
      filter: new FilterBuilder(),
      limit: query.limit,
      peek: true,
      ...(query.next ? { next: query.next } : {}),
    });
  }

  // ─── Follow-up action records (src/domain/follow-up.ts) ──────────────────────────────────

  /**
   * A new action record, REQUESTED, on the audit index like a decision: its day and shard come
   * from its request time and its own key, its filters from its origin, actor and channel.
   */
  async recordFollowUp(record: FollowUpRecord): Promise<void> {
    const writeId = newWriteId();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...record, lastWriteId: writeId, ...auditAttributes(record.callbackId, { decidedAt: record.requestedAt, origin: record.origin, actor: record.actor }, this.options.keys) },
          ConditionExpression: 'attribute_not_exists(#callbackId)',
          ExpressionAttributeNames: { '#callbackId': 'callbackId' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = (await this.get(record.callbackId)) as (FollowUpRecord & { lastWriteId?: string }) | undefined;
      // Our own put, applied on an attempt whose answer was lost: recorded.
      if (existing?.lastWriteId === writeId) return;
      throw new FollowUpRecordError(record.callbackId, 'it exists already', { cause: error, ...(existing ? { existing } : {}) });
    }
  }

  /** REQUESTED → DONE | FAILED, once. None of the indexed attributes changes. */
  async completeFollowUp(id: string, completion: FollowUpCompletion): Promise<FollowUpRecord> {
    const values: Record<string, unknown> = { ':requested': 'REQUESTED', ':outcome': completion.outcome, ':completedAt': completion.completedAt };
    const sets = ['#outcome = :outcome', '#completedAt = :completedAt'];
    const names: Record<string, string> = { '#callbackId': 'callbackId', '#outcome': 'outcome', '#completedAt': 'completedAt' };
    const set = (name: string, value: unknown) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    };
    if (completion.outcome === 'DONE' && completion.alreadyBanned !== undefined) set('alreadyBanned', completion.alreadyBanned);
    if (completion.confirmedBy !== undefined) set('confirmedBy', completion.confirmedBy);
    if (completion.outcome === 'FAILED') set('error', completion.error);
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { callbackId: id },
          UpdateExpression: `SET ${sets.join(', ')}`,
          // An outcome is written once: never over another one, never onto a missing record.
          ConditionExpression: 'attribute_exists(#callbackId) AND #outcome = :requested',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as FollowUpRecord;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The same outcome at the same moment is our own write, applied with its answer lost.
      const current = (await this.get(id)) as FollowUpRecord | undefined;
      if (current && current.outcome === completion.outcome && current.completedAt === completion.completedAt) return current;
      throw new FollowUpRecordError(id, 'it is missing or no longer REQUESTED', { cause: error, ...(current ? { existing: current } : {}) });
    }
  }

  async listDecisionsOfDay(query: DecisionDayQuery): Promise<Page<ModerationItem | FollowUpRecord>> {
    const filter = new FilterBuilder();
    if (query.actor !== undefined) {
      filter.add('#decidedById = :actor OR #decidedByName = :actor', { '#decidedById': 'decidedById', '#decidedByName': 'decidedByName' }, { ':actor': query.actor });
    }
    if (query.channelArn !== undefined) filter.add('#channelArn = :channelArn', { '#channelArn': 'channelArn' }, { ':channelArn': query.channelArn });
    if (query.origin !== undefined) filter.add('#decisionOrigin = :origin', { '#decisionOrigin': 'decisionOrigin' }, { ':origin': query.origin });
    return this.listing({
      index: 'audit',
      shards: Array.from({ length: this.options.keys.auditShards }, (_, shard) => auditKey(query.day, shard)),
      // decidedAt in [from, to]: every CallbackId at `to` too, so the upper bound is `to#\uffff`.
      sortCondition: { expression: '#sort BETWEEN :from AND :to', values: { ':from': `${query.from}#`, ':to': `${query.to}#\uffff` } },
      filter,
      limit: query.limit,
      peek: true,
      ...(query.next ? { next: query.next } : {}),
    });
  }

  /**
   * One page of a sharded index, merged in key order (src/adapters/shard-merge.ts) and read
   * whole. The live index lists soonest first, the audit index newest first. With `peek`, one
   * entry more than the page is read, so `next` is given only when another page really exists.
   */
  private async listing<T extends ModerationItem | FollowUpRecord>(spec: {
    index: 'live' | 'audit';
    /**
     * The live index is read eventually consistently, the items strongly: an item that moved on
     * between the two reads is dropped from the page (a page may come out short; `next` holds).
     */
    status?: Status;
    shards: string[];
    sortCondition?: { expression: string; values: Record<string, unknown> };
    filter: FilterBuilder;
    limit: number;
    peek: boolean;
    next?: Record<string, unknown>;
  }): Promise<Page<T>> {
    const live = spec.index === 'live';
    const [indexName, partition, sort] = live ? ([LIVE_INDEX, 'liveKey', 'dueKey'] as const) : ([AUDIT_INDEX, 'auditKey', 'auditSort'] as const);
    const want = spec.peek ? spec.limit + 1 : spec.limit;
    // Spread evenly, each shard holds about want/N of a page; what a shard reads beyond the page
    // is read again by the next one, so read a little more than the share; a filtered read more.
    const share = Math.ceil(want / spec.shards.length) + 1;
    const merged = await mergeShards<IndexEntry>({
      shards: spec.shards,
      order: live ? 'asc' : 'desc',
      ...(spec.next?.after !== undefined ? { after: String(spec.next.after) } : {}),
      want,
      keyOf: (entry) => entry[sort]!,
      pageSize: spec.filter.empty ? share : Math.max(25, share),
      maxQueries: spec.shards.length * QUERIES_PER_LISTING_PER_SHARD,
      read: (shard, after, limit) =>
        this.readShard(
          {
            IndexName: indexName,
            KeyConditionExpression: `#partition = :shard${spec.sortCondition ? ` AND ${spec.sortCondition.expression}` : ''}`,
            ScanIndexForward: live,
            ...spec.filter.build({ '#partition': partition, ...(spec.sortCondition ? { '#sort': sort } : {}) }, { ':shard': shard, ...spec.sortCondition?.values }),
          },
          { [partition]: shard },
          sort,
          after,
          limit,
        ),
    });
    const keep = spec.status === undefined ? undefined : (item: T) => (item as ModerationItem).status === spec.status;
    if (spec.peek && merged.entries.length === want) {
      const shown = merged.entries.slice(0, spec.limit);
      return this.page(shown, shown[shown.length - 1]![sort], keep);
    }
    return this.page(merged.entries, merged.next, keep);
  }

  /**
   * One page of one shard, strictly after `after`: a position in a merged listing is a sort key,
   * so it is given to DynamoDB as the exclusive start key of the item it names.
   */
  private async readShard(
    params: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    partition: Record<string, string>,
    sortAttribute: 'dueKey' | 'auditSort',
    after: string | undefined,
    limit: number,
  ): Promise<ShardPage<IndexEntry>> {
    const result = await this.client.send(
      new QueryCommand({
        ...params,
        TableName: this.options.tableName,
        Limit: limit,
        ...(after !== undefined ? { ExclusiveStartKey: { ...partition, [sortAttribute]: after, callbackId: callbackIdOf(after) } } : {}),
      }),
    );
    const lastKey = result.LastEvaluatedKey?.[sortAttribute];
    return { entries: (result.Items ?? []) as IndexEntry[], ...(typeof lastKey === 'string' ? { lastKey } : {}) };
  }

  /** The items of a page, read whole (BatchGetItem, consistent), in the page's order. */
  private async page<T extends { callbackId: string } = ModerationItem>(entries: IndexEntry[], next: string | undefined, keep?: (item: T) => boolean): Promise<Page<T>> {
    const items = await this.getMany<T>(entries.map((e) => e.callbackId));
    return { items: keep ? items.filter(keep) : items, ...(next !== undefined ? { next: { after: next } } : {}) };
  }

  private async getMany<T extends { callbackId: string }>(callbackIds: string[]): Promise<T[]> {
    const found = new Map<string, T>();
    for (let i = 0; i < callbackIds.length; i += 100) {
      let keys: Array<Record<string, unknown>> = callbackIds.slice(i, i + 100).map((callbackId) => ({ callbackId }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of (result.Responses?.[this.options.tableName] ?? []) as T[]) found.set(item.callbackId, item);
        keys = (result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      }
    }
    return callbackIds.map((id) => found.get(id)).filter((item): item is T => item !== undefined);
  }
}

/**
 * An item as a transition left it: `previousStatus` (what the write itself read), or, for a write
 * recognised after later ones, the `move` its own history entry names, for the statistics.
 */
type Written = ModerationItem & { previousStatus?: Status; move?: { from: Status; to: Status } };

/** Does the item carry this write (the last one, or one still in its history)? */
function wroteIt(item: ModerationItem, writeId: string): boolean {
  return item.lastWriteId === writeId || (item.history ?? []).some((entry) => entry.writeId === writeId);
}

/** DynamoDB's answer to a write that would take an item past 400 KB. */
function isItemTooLarge(error: unknown): boolean {
  const err = error as { name?: string; message?: string } | undefined;
  return err?.name === 'ValidationException' && /item size/i.test(err.message ?? '');
}

/** Collects named filter conditions with their `#name`/`:value` placeholders. */
class FilterBuilder {
  private readonly filters: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};

  get empty(): boolean {
    return this.filters.length === 0;
  }

  add(condition: string, names: Record<string, string>, values: Record<string, unknown>): void {
    this.filters.push(condition);
    Object.assign(this.names, names);
    Object.assign(this.values, values);
  }

  /** The expression parts, with the key condition's own placeholders merged in. */
  build(keyNames: Record<string, string>, keyValues: Record<string, unknown>) {
    return {
      ExpressionAttributeNames: { ...keyNames, ...this.names },
      ExpressionAttributeValues: { ...keyValues, ...this.values },
      // DynamoDB refuses redundant parentheses, so a lone filter goes in bare.
      ...(this.filters.length === 1 ? { FilterExpression: this.filters[0] } : {}),
      ...(this.filters.length > 1 ? { FilterExpression: this.filters.map((f) => `(${f})`).join(' AND ') } : {}),
    };
  }
}
