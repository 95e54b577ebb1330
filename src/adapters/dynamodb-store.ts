import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { retentionExpiry } from '../domain/deadline.js';
import { isTerminal, type DecisionOrigin, type HistoryEntry, type ModerationItem, type Status } from '../domain/item.js';
import type { Count, DecisionCountQuery, DecisionDayQuery, Page, ReviewStore, ReviewQueueQuery, StatusQuery, Transition } from '../domain/ports.js';
import { TransitionConflictError } from '../errors.js';

export const STATUS_DEADLINE_INDEX = 'byStatusDeadline';
/** The audit log: hash decisionDay (YYYY-MM-DD of decidedAt), range decidedAt. Sparse: only decided items. */
export const DECISION_DAY_INDEX = 'byDecisionDay';

/** Index pages one filtered listing may read before it answers with what it has (and a cursor). */
const MAX_PAGES_PER_LISTING = 10;
// Counting reads every item (RCUs are charged on items read, COUNT or not): bound it; past the
// budget a count is reported as a lower bound.
const DEFAULT_MAX_COUNT_PAGES = 10;

export interface DynamoDbStoreOptions {
  tableName: string;
  retentionDays: number;
}

/**
 * The moderation table: one item per CallbackId, with its history inside it, so every change is
 * a single-item conditional write (no transactions: dynalite has none, and none are needed).
 */
export class DynamoDbModerationStore implements ReviewStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbStoreOptions,
  ) {}

  async recordReceived(item: ModerationItem) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          // A duplicate invocation finds the item already there and must not reset its state.
          ConditionExpression: 'attribute_not_exists(#callbackId)',
          ExpressionAttributeNames: { '#callbackId': 'callbackId' },
        }),
      );
      return { created: true as const, item };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(item.callbackId);
      if (!existing) throw error; // Vanished between the two calls: let the caller retry.
      return { created: false as const, item: existing };
    }
  }

  async get(callbackId: string): Promise<ModerationItem | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: { callbackId }, ConsistentRead: true }),
    );
    return result.Item as ModerationItem | undefined;
  }

  async transition(change: Transition): Promise<ModerationItem> {
    const at = new Date(change.now).toISOString();
    const names: Record<string, string> = {
      '#callbackId': 'callbackId',
      '#status': 'status',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = { ':to': change.to, ':one': 1, ':at': at };
    const sets = ['#status = :to', '#version = #version + :one', '#updatedAt = :at'];

    if (!change.quiet) {
      const entry: HistoryEntry = {
        at,
        ...(change.from.length === 1 ? { from: change.from[0] } : {}),
        to: change.to,
        ...change.history,
      };
      names['#history'] = 'history';
      values[':entry'] = [entry];
      sets.push('#history = list_append(#history, :entry)');
    }

    Object.entries(change.set ?? {}).forEach(([attribute, value], i) => {
      names[`#s${i}`] = attribute;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    if (isTerminal(change.to)) {
      names['#expiresAt'] = 'expiresAt';
      values[':expiresAt'] = retentionExpiry(change.now, this.options.retentionDays);
      sets.push('#expiresAt = :expiresAt');
    }
    const removes = (change.remove ?? []).map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });

    // The whole point of the table: a transition happens only from an expected state, so two
    // deciders (worker and duplicate, moderator and sweeper) can never both win.
    const fromValues = change.from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    const conditions = ['attribute_exists(#callbackId)', `#status IN (${fromValues.join(', ')})`];
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
      return result.Attributes as ModerationItem;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite ignores ReturnValuesOnConditionCheckFailure, so re-read to say who won.
      const current = await this.get(change.callbackId);
      const expected = `status ${change.from.join('|')}${change.expectedVersion !== undefined ? ` at version ${change.expectedVersion}` : ''}${change.claimableBy !== undefined ? ` not claimed by anyone but ${change.claimableBy}` : ''}`;
      throw new TransitionConflictError(change.callbackId, expected, current);
    }
  }

  async queryByStatus(query: StatusQuery): Promise<Page<ModerationItem>> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': query.status };
    let keyCondition = '#status = :status';
    if (query.deadlineAtOrBefore !== undefined) {
      names['#deadline'] = 'deadline';
      values[':deadline'] = query.deadlineAtOrBefore;
      keyCondition += ' AND #deadline <= :deadline';
    }
    let filter: string | undefined;
    if (query.updatedBefore !== undefined) {
      names['#updatedAt'] = 'updatedAt';
      values[':updatedBefore'] = query.updatedBefore;
      filter = '#updatedAt < :updatedBefore';
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: STATUS_DEADLINE_INDEX,
        KeyConditionExpression: keyCondition,
        ...(filter ? { FilterExpression: filter } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: true,
        ...(query.limit ? { Limit: query.limit } : {}),
        ...(query.next ? { ExclusiveStartKey: query.next } : {}),
      }),
    );
    return {
      items: (result.Items ?? []) as ModerationItem[],
      ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}),
    };
  }

  async listPendingReviews(query: ReviewQueueQuery): Promise<Page<ModerationItem>> {
    const expression = new FilterBuilder({ '#status': 'status' }, { ':status': 'PENDING_REVIEW' as Status });
    if (query.channelArn !== undefined) expression.add('#message.#channelArn = :channelArn', { '#message': 'message', '#channelArn': 'channelArn' }, { ':channelArn': query.channelArn });
    if (query.senderArn !== undefined) {
      expression.add('#message.#sender.#senderArn = :senderArn', { '#message': 'message', '#sender': 'sender', '#senderArn': 'arn' }, { ':senderArn': query.senderArn });
    }
    if (query.ruleId !== undefined) expression.add('contains(#policy.#ruleIds, :ruleId)', { '#policy': 'policy', '#ruleIds': 'ruleIds' }, { ':ruleId': query.ruleId });
    // DynamoDB rejects unused placeholders, so each branch names exactly what it uses.
    const now = new Date(query.now).toISOString();
    if (query.claimed === 'mine') {
      expression.add('#claim.#claimSubject = :me AND #claim.#claimUntil > :now', { '#claim': 'claim', '#claimUntil': 'until', '#claimSubject': 'subject' }, { ':me': query.subject, ':now': now });
    } else if (query.claimed === 'none') {
      expression.add('attribute_not_exists(#claim) OR #claim.#claimUntil <= :now', { '#claim': 'claim', '#claimUntil': 'until' }, { ':now': now });
    }
    return this.collect(
      {
        IndexName: STATUS_DEADLINE_INDEX,
        KeyConditionExpression: '#status = :status',
        ScanIndexForward: true,
        ...expression.build(),
      },
      expression.hasFilter,
      query.limit,
      query.next,
      (item) => ({ callbackId: item.callbackId, status: item.status, deadline: item.deadline }),
    );
  }

  async listDecisionsOfDay(query: DecisionDayQuery): Promise<Page<ModerationItem>> {
    const expression = new FilterBuilder(
      { '#decisionDay': 'decisionDay', '#decidedAt': 'decidedAt' },
      { ':day': query.day, ':from': query.from, ':to': query.to },
    );
    if (query.actor !== undefined) {
      expression.add('#decision.#actor.#actorId = :actor OR #decision.#actor.#actorName = :actor', { '#decision': 'decision', '#actor': 'actor', '#actorId': 'id', '#actorName': 'name' }, { ':actor': query.actor });
    }
    if (query.channelArn !== undefined) expression.add('#message.#channelArn = :channelArn', { '#message': 'message', '#channelArn': 'channelArn' }, { ':channelArn': query.channelArn });
    if (query.origin !== undefined) expression.add('#decision.#origin = :origin', { '#decision': 'decision', '#origin': 'origin' }, { ':origin': query.origin });
    return this.collect(
      {
        IndexName: DECISION_DAY_INDEX,
        KeyConditionExpression: '#decisionDay = :day AND #decidedAt BETWEEN :from AND :to',
        ScanIndexForward: false,
        ...expression.build(),
      },
      expression.hasFilter,
      query.limit,
      query.next,
      (item) => ({ callbackId: item.callbackId, decisionDay: item.decisionDay, decidedAt: item.decidedAt }),
    );
  }

  async countByStatus(status: Status, options: { maxPages?: number } = {}): Promise<Count> {
    let count = 0;
    const complete = await this.readPages(
      {
        IndexName: STATUS_DEADLINE_INDEX,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        Select: 'COUNT',
      },
      options.maxPages,
      (result) => (count += result.Count ?? 0),
    );
    return { count, complete };
  }

  async countDecisionsOfDay(query: DecisionCountQuery) {
    const byOrigin: Record<DecisionOrigin, number> = { AUTO: 0, MODERATOR: 0, EXPIRY: 0 };
    const complete = await this.readPages(
      {
        IndexName: DECISION_DAY_INDEX,
        KeyConditionExpression: '#decisionDay = :day AND #decidedAt BETWEEN :from AND :to',
        // Only the origin travels: the tally needs nothing else.
        ProjectionExpression: '#decision.#origin',
        ExpressionAttributeNames: { '#decisionDay': 'decisionDay', '#decidedAt': 'decidedAt', '#decision': 'decision', '#origin': 'origin' },
        ExpressionAttributeValues: { ':day': query.day, ':from': query.from, ':to': query.to },
      },
      query.maxPages,
      (result) => {
        for (const item of result.Items ?? []) {
          const origin = (item as { decision?: { origin?: DecisionOrigin } }).decision?.origin;
          if (origin && origin in byOrigin) byOrigin[origin] += 1;
        }
      },
    );
    return { byOrigin, complete };
  }

  /**
   * Feeds every page of a query to `onPage`, reading at most `maxPages` pages (counting reads
   * every item, COUNT or not, so it is bounded). Returns whether the query was read to its end.
   */
  private async readPages(
    params: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
    maxPages: number = DEFAULT_MAX_COUNT_PAGES,
    onPage: (result: QueryCommandOutput) => void,
  ): Promise<boolean> {
    let next: Record<string, unknown> | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      const result = await this.client.send(new QueryCommand({ ...params, TableName: this.options.tableName, ...(next ? { ExclusiveStartKey: next } : {}) }));
      onPage(result);
      next = result.LastEvaluatedKey;
      if (!next) return true;
    }
    return false;
  }

  /**
   * Reads index pages until `limit` matching items are found, plus one to know whether another
   * page exists. DynamoDB applies Limit before the filter, so a filtered page can hold fewer
   * matches than asked for; the loop hides that. The position handed back is the index key of
   * the last item returned, or, when the read budget ran out first, DynamoDB's own
   * LastEvaluatedKey (everything before it was read and did not match).
   */
  private async collect(
    params: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    filtered: boolean,
    limit: number,
    start: Record<string, unknown> | undefined,
    keyOf: (item: ModerationItem) => Record<string, unknown>,
  ): Promise<Page<ModerationItem>> {
    const wanted = limit + 1;
    const matched: ModerationItem[] = [];
    let next = start;
    for (let page = 0; page < MAX_PAGES_PER_LISTING; page += 1) {
      const missing = wanted - matched.length;
      const result = await this.client.send(
        new QueryCommand({
          ...params,
          TableName: this.options.tableName,
          // Unfiltered pages return exactly what they read; filtered ones read more per call.
          Limit: filtered ? Math.max(missing, 100) : missing,
          ...(next ? { ExclusiveStartKey: next } : {}),
        }),
      );
      matched.push(...((result.Items ?? []) as ModerationItem[]));
      next = result.LastEvaluatedKey;
      if (matched.length >= wanted) {
        const items = matched.slice(0, limit);
        return { items, next: keyOf(items[items.length - 1]!) };
      }
      if (!next) return { items: matched };
    }
    return { items: matched, next: next! };
  }
}

/** Collects named condition pieces with their `#name`/`:value` placeholders. */
class FilterBuilder {
  private readonly filters: string[] = [];

  constructor(
    private readonly names: Record<string, string>,
    private readonly values: Record<string, unknown>,
  ) {}

  get hasFilter(): boolean {
    return this.filters.length > 0;
  }

  add(condition: string, names: Record<string, string>, values: Record<string, unknown>): void {
    this.filters.push(condition);
    Object.assign(this.names, names);
    Object.assign(this.values, values);
  }

  build() {
    return {
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
      // DynamoDB refuses redundant parentheses, so a lone filter goes in bare.
      ...(this.filters.length === 1 ? { FilterExpression: this.filters[0] } : {}),
      ...(this.filters.length > 1 ? { FilterExpression: this.filters.map((f) => `(${f})`).join(' AND ') } : {}),
    };
  }
}
