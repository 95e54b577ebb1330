/**
 * Creates the DynamoDB tables and SQS queues that serverless.yml deploys, on local (or any other
 * configured) endpoints, from the same definitions (see definitions.ts). Idempotent: running it
 * twice converges on the same resources and returns the same names and URLs.
 *
 * Local differences, on purpose:
 * - TTL is enabled wherever the endpoint supports it (DynamoDB Local, AWS). dynalite has no
 *   UpdateTimeToLive (it answers UnknownOperationException): there, and only there, it is skipped.
 * - Names come from the caller (see resolveLocalNames), not from `${self:service}-${sls:stage}`.
 *
 * `deprovisionLocal` removes what `provisionLocal` made, so runs against an external endpoint
 * leave nothing behind; `findLeftovers` lists resources of earlier runs by name prefix.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LOGICAL_IDS, loadInfraDefinitions, type InfraDefinitions, type QueueDefinition, type TableDefinition } from './definitions.js';

export interface LocalNames {
  table: string;
  controlTable: string;
  workQueue: string;
  workDlq: string;
  intakeDlq: string;
}

export interface ProvisionedResources {
  tableName: string;
  controlTableName: string;
  workQueueUrl: string;
  workDlqUrl: string;
  intakeDlqUrl: string;
}

export interface ProvisionLocalOptions {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  names: LocalNames;
  /** Defaults to loadInfraDefinitions() on the repository's serverless.yml. */
  defs?: InfraDefinitions;
  /** How long to wait for the table (and its indexes) to become ACTIVE. Default 30 s. */
  tableActiveTimeoutMs?: number;
  /** Receives one line per notable step (e.g. "TTL skipped"). Default: silent. */
  log?: (message: string) => void;
}

export class ProvisionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProvisionError';
  }
}

/** The same suffixes serverless.yml uses after `${self:service}-${sls:stage}`. */
export function resolveLocalNames(prefix: string): LocalNames {
  // SQS queue names allow [A-Za-z0-9_-] and at most 80 characters; "-intake-dlq" is the longest suffix.
  if (!/^[A-Za-z0-9_-]{1,69}$/.test(prefix)) {
    throw new ProvisionError(
      `resource name prefix ${JSON.stringify(prefix)} must be 1-69 characters of letters, digits, "-" or "_"`,
    );
  }
  return {
    table: `${prefix}-moderation`,
    controlTable: `${prefix}-control`,
    workQueue: `${prefix}-work`,
    workDlq: `${prefix}-work-dlq`,
    intakeDlq: `${prefix}-intake-dlq`,
  };
}

export async function provisionLocal(options: ProvisionLocalOptions): Promise<ProvisionedResources> {
  const defs = options.defs ?? loadInfraDefinitions();
  const log = options.log ?? (() => {});
  const timeoutMs = options.tableActiveTimeoutMs ?? 30_000;
  const [tableName, controlTableName, queueUrls] = await Promise.all([
    ensureTable(options.dynamodb, defs.table, options.names.table, timeoutMs, log),
    ensureTable(options.dynamodb, defs.controlTable, options.names.controlTable, timeoutMs, log),
    ensureQueues(options.sqs, defs, options.names),
  ]);
  return { tableName, controlTableName, ...queueUrls };
}

/** Deletes the tables and queues of one provisioning. Missing ones are fine (idempotent). */
export async function deprovisionLocal(options: { dynamodb: DynamoDBClient; sqs: SQSClient; resources: ProvisionedResources }): Promise<void> {
  const { dynamodb, sqs, resources } = options;
  await Promise.all([
    ...[resources.tableName, resources.controlTableName].map((name) => deleteTable(dynamodb, name)),
    ...[resources.workQueueUrl, resources.workDlqUrl, resources.intakeDlqUrl].map((url) => deleteQueue(sqs, url)),
  ]);
}

/** Tables and queue URLs whose names start with one of the prefixes (leftovers of earlier runs). */
export async function findLeftovers(options: { dynamodb: DynamoDBClient; sqs: SQSClient; prefixes: readonly string[] }): Promise<{ tables: string[]; queueUrls: string[] }> {
  const matches = (name: string) => options.prefixes.some((prefix) => name.startsWith(prefix));
  const tables: string[] = [];
  let start: string | undefined;
  do {
    const page = await options.dynamodb.send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
    tables.push(...(page.TableNames ?? []).filter(matches));
    start = page.LastEvaluatedTableName;
  } while (start);
  const queueUrls: string[] = [];
  for (const prefix of options.prefixes) {
    let next: string | undefined;
    do {
      const page = await options.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, ...(next ? { NextToken: next } : {}) }));
      queueUrls.push(...(page.QueueUrls ?? []));
      next = page.NextToken;
    } while (next);
  }
  return { tables, queueUrls: [...new Set(queueUrls)] };
}

/** What our tools generate: `local-`/`it-`/`cfm-test-`/`bench-` + 8 hex + a serverless.yml suffix. */
export const GENERATED_PREFIXES = ['local-', 'it-', 'cfm-test-', 'cfm-gone-', 'bench-'] as const;
const GENERATED_NAME = /^(?:local|it|cfm-test|cfm-gone|bench)-[0-9a-f]{8}-(?:moderation|control|work|work-dlq|intake-dlq)$/;

/** True only for names of exactly the generated shape, so a real table called "local-orders" is safe. */
export const isGeneratedName = (name: string): boolean => GENERATED_NAME.test(name);

/**
 * Deletes every generated table and queue on these endpoints (or only lists them, `dryRun`).
 * Returns what it found.
 */
export async function cleanLeftovers(options: { dynamodb: DynamoDBClient; sqs: SQSClient; dryRun?: boolean }): Promise<{ tables: string[]; queueUrls: string[] }> {
  const found = await findLeftovers({ ...options, prefixes: GENERATED_PREFIXES });
  const tables = found.tables.filter(isGeneratedName);
  const queueUrls = found.queueUrls.filter((url) => isGeneratedName(url.slice(url.lastIndexOf('/') + 1)));
  if (!options.dryRun) {
    await Promise.all([...tables.map((t) => deleteTable(options.dynamodb, t)), ...queueUrls.map((q) => deleteQueue(options.sqs, q))]);
  }
  return { tables, queueUrls };
}

export async function deleteTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw new ProvisionError(`DeleteTable ${tableName} failed: ${(error as Error).message}`, { cause: error });
  }
}

export async function deleteQueue(sqs: SQSClient, queueUrl: string): Promise<void> {
  try {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  } catch (error) {
    const name = errorName(error);
    if (name !== 'QueueDoesNotExist' && name !== 'AWS.SimpleQueueService.NonExistentQueue') {
      throw new ProvisionError(`DeleteQueue ${queueUrl} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// DynamoDB
// ---------------------------------------------------------------------------------------------

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

async function ensureTable(
  dynamodb: DynamoDBClient,
  table: TableDefinition,
  tableName: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<string> {
  const input: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: table.billingMode,
    AttributeDefinitions: table.attributeDefinitions,
    KeySchema: table.keySchema,
    ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes } : {}),
    ...(table.provisionedThroughput ? { ProvisionedThroughput: table.provisionedThroughput } : {}),
  };
  try {
    await dynamodb.send(new CreateTableCommand(input));
    log(`created table ${tableName}`);
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') {
      throw new ProvisionError(`CreateTable ${tableName} failed: ${(error as Error).message}`, { cause: error });
    }
    log(`table ${tableName} already exists`);
  }

  const description = await waitForActive(dynamodb, tableName, timeoutMs);
  assertMatches(description, table, tableName);

  if (table.ttlAttributeName) await ensureTimeToLive(dynamodb, tableName, table.ttlAttributeName, log);
  return tableName;
}

/**
 * Turns TTL on, as CloudFormation does for the deployed table. Already enabled: nothing to do
 * (UpdateTimeToLive refuses to enable it twice). dynalite alone has no such operation.
 */
async function ensureTimeToLive(dynamodb: DynamoDBClient, tableName: string, attributeName: string, log: (message: string) => void): Promise<void> {
  try {
    const current = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
    if ((current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING') && current.AttributeName === attributeName) return;
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true } }));
    log(`TTL on ${tableName}.${attributeName} enabled`);
  } catch (error) {
    if (errorName(error) === 'UnknownOperationException') {
      log(`TTL on ${tableName}.${attributeName} skipped: this endpoint (dynalite) has no UpdateTimeToLive`);
      return;
    }
    throw new ProvisionError(`UpdateTimeToLive ${tableName} failed: ${(error as Error).message}`, { cause: error });
  }
}

async function waitForActive(dynamodb: DynamoDBClient, tableName: string, timeoutMs: number): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 20;
  for (;;) {
    let table: TableDescription | undefined;
    try {
      table = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (error) {
      // A table created a moment ago may not be visible yet on an eventually consistent endpoint.
      if (errorName(error) !== 'ResourceNotFoundException') {
        throw new ProvisionError(`DescribeTable ${tableName} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === undefined || g.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return table;
    if (Date.now() >= deadline) {
      throw new ProvisionError(
        `table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus ?? 'not found'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 500);
  }
}

/** An existing table left over from an older definition would make every test lie: refuse it. */
function assertMatches(description: TableDescription, table: TableDefinition, tableName: string): void {
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined): string =>
    (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');

  const problems: string[] = [];
  if (keys(description.KeySchema) !== keys(table.keySchema)) {
    problems.push(`key schema is ${keys(description.KeySchema)}, serverless.yml says ${keys(table.keySchema)}`);
  }
  for (const gsi of table.globalSecondaryIndexes) {
    const existing = description.GlobalSecondaryIndexes?.find((g) => g.IndexName === gsi.IndexName);
    if (!existing) {
      problems.push(`index ${gsi.IndexName} is missing`);
    } else if (keys(existing.KeySchema) !== keys(gsi.KeySchema)) {
      problems.push(`index ${gsi.IndexName} keys are ${keys(existing.KeySchema)}, serverless.yml says ${keys(gsi.KeySchema)}`);
    }
  }
  if (problems.length > 0) {
    throw new ProvisionError(
      `table ${tableName} exists but does not match serverless.yml (${problems.join('; ')}); delete it or use another name prefix`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// SQS
// ---------------------------------------------------------------------------------------------

type QueueKey = keyof InfraDefinitions['queues'];

const QUEUE_KEY_BY_LOGICAL_ID: Record<string, QueueKey> = {
  [LOGICAL_IDS.workQueue]: 'workQueue',
  [LOGICAL_IDS.workDlq]: 'workDlq',
  [LOGICAL_IDS.intakeDlq]: 'intakeDlq',
};

async function ensureQueues(
  sqs: SQSClient,
  defs: InfraDefinitions,
  names: LocalNames,
): Promise<Omit<ProvisionedResources, 'tableName' | 'controlTableName'>> {
  const urls: Partial<Record<QueueKey, string>> = {};
  const arns: Partial<Record<QueueKey, string>> = {};

  // Dead-letter queues first: a RedrivePolicy needs the DLQ's ARN, and SQS (local-aws-sqs too)
  // rejects a redrive target that does not exist yet.
  const keys = Object.keys(defs.queues) as QueueKey[];
  const ordered = [
    ...keys.filter((k) => defs.queues[k].redrive === undefined),
    ...keys.filter((k) => defs.queues[k].redrive !== undefined),
  ];

  for (const key of ordered) {
    const queue = defs.queues[key];
    const attributes: Record<string, string> = { ...queue.attributes };
    if (queue.redrive) {
      const dlqKey = QUEUE_KEY_BY_LOGICAL_ID[queue.redrive.deadLetterQueue];
      const dlqArn = dlqKey && arns[dlqKey];
      if (!dlqKey || !dlqArn) {
        throw new ProvisionError(
          `${queue.logicalId}'s RedrivePolicy targets ${queue.redrive.deadLetterQueue}, which is not a dead-letter queue provisioned here`,
        );
      }
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.redrive.maxReceiveCount });
    }
    const url = await ensureQueue(sqs, names[key], queue, attributes);
    urls[key] = url;
    arns[key] = await queueArn(sqs, url);
  }

  return { workQueueUrl: urls.workQueue!, workDlqUrl: urls.workDlq!, intakeDlqUrl: urls.intakeDlq! };
}

async function ensureQueue(
  sqs: SQSClient,
  queueName: string,
  queue: QueueDefinition,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    // CreateQueue with the attributes of an existing queue returns that queue's URL.
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
    if (!QueueUrl) throw new ProvisionError(`CreateQueue ${queueName} returned no QueueUrl`);
    return QueueUrl;
  } catch (error) {
    // The queue exists with other attributes (an older definition): bring it up to date.
    const name = errorName(error);
    if (name !== 'QueueNameExists' && name !== 'QueueAlreadyExists') {
      if (error instanceof ProvisionError) throw error;
      throw new ProvisionError(`CreateQueue ${queueName} (${queue.logicalId}) failed: ${(error as Error).message}`, { cause: error });
    }
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (!QueueUrl) throw new ProvisionError(`GetQueueUrl ${queueName} returned no QueueUrl`);
    const { FifoQueue: _immutable, ...mutable } = attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: mutable }));
    return QueueUrl;
  }
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  // 'All' rather than ['QueueArn']: local-aws-sqs answers the former reliably.
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new ProvisionError(`GetQueueAttributes ${queueUrl} returned no QueueArn`);
  return arn;
}
