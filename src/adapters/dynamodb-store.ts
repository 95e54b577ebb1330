import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retentionExpiry } from '../domain/deadline.js';
import { isTerminal, type HistoryEntry, type ModerationItem } from '../domain/item.js';
import type { ModerationStore, Page, StatusQuery, Transition } from '../domain/ports.js';
import { TransitionConflictError } from '../errors.js';

export const STATUS_DEADLINE_INDEX = 'byStatusDeadline';

export interface DynamoDbStoreOptions {
  tableName: string;
  retentionDays: number;
}

/**
 * The moderation table: one item per CallbackId, with its history inside it, so every change is
 * a single-item conditional write (no transactions: dynalite has none, and none are needed).
 */
export class DynamoDbModerationStore implements ModerationStore {
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
      const expected = `status ${change.from.join('|')}${change.expectedVersion !== undefined ? ` at version ${change.expectedVersion}` : ''}`;
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
}
