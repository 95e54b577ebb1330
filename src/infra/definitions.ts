/**
 * The infrastructure definitions that local provisioning and tests need, read from the SAME
 * serverless.yml that `serverless deploy` uses. There is no second copy: change the table, the
 * queues or the event-source settings in serverless.yml and every local run follows.
 *
 * serverless.yml is CloudFormation-flavoured YAML, so the loader registers the CloudFormation
 * short-form tags (`!Ref X` becomes `{ Ref: 'X' }`, `!GetAtt X.Arn` becomes
 * `{ 'Fn::GetAtt': ['X', 'Arn'] }`, `!Sub ...` becomes `{ 'Fn::Sub': ... }`, and so on).
 * Framework variables are resolved only where a value we extract uses them, and only for the
 * sources that need no AWS call: `${param:NAME}` (from `params.default`) and `${self:service}`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** Logical ids in serverless.yml `resources.Resources` that this module looks up by name. */
export const LOGICAL_IDS = {
  table: 'ModerationTable',
  controlTable: 'ControlTable',
  workQueue: 'WorkQueue',
  workDlq: 'WorkDLQ',
  intakeDlq: 'IntakeDLQ',
} as const;

/** Function keys in serverless.yml `functions`. */
export const FUNCTION_KEYS = { intake: 'intake', worker: 'worker', sweeper: 'sweeper', reviewApi: 'reviewApi', policyApi: 'policyApi' } as const;

export type ScalarAttributeType = 'S' | 'N' | 'B';
export type KeyType = 'HASH' | 'RANGE';
export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
export type BillingMode = 'PAY_PER_REQUEST' | 'PROVISIONED';

/** Shapes match both CloudFormation and the DynamoDB API, so they pass straight to CreateTable. */
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: ScalarAttributeType;
}

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: KeyType;
}

export interface Projection {
  ProjectionType: ProjectionType;
  NonKeyAttributes?: string[];
}

export interface ProvisionedThroughput {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

export interface GlobalSecondaryIndexDefinition {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  /** Only when the table is PROVISIONED. */
  ProvisionedThroughput?: ProvisionedThroughput;
}

export interface TableDefinition {
  logicalId: string;
  billingMode: BillingMode;
  attributeDefinitions: AttributeDefinition[];
  keySchema: KeySchemaElement[];
  /** The table's partition (HASH) key attribute name. */
  partitionKey: string;
  globalSecondaryIndexes: GlobalSecondaryIndexDefinition[];
  /** Only when the table is PROVISIONED. */
  provisionedThroughput?: ProvisionedThroughput;
  /** The TTL attribute (epoch seconds), or null when the table has no TTL. */
  ttlAttributeName: string | null;
}

export interface QueueDefinition {
  logicalId: string;
  /** Seconds; undefined when serverless.yml leaves the SQS default. */
  visibilityTimeout?: number;
  /** Seconds; undefined when serverless.yml leaves the SQS default. */
  messageRetentionPeriod?: number;
  sqsManagedSseEnabled?: boolean;
  /** Where this queue's failures go: the DLQ's logical id and the receive count that sends them. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
  /**
   * CreateQueue attributes as the SQS API wants them (strings), without RedrivePolicy: that one
   * needs the DLQ's ARN, which only exists once the DLQ has been created.
   */
  attributes: Record<string, string>;
}

export interface WorkerEventSource {
  /** Logical id of the queue the worker consumes. */
  queue: string;
  batchSize: number;
  /** Seconds. */
  maximumBatchingWindow: number;
  functionResponseType: 'ReportBatchItemFailures' | undefined;
}

export interface FunctionDefinition {
  handler: string;
  /** Seconds (the Framework default of 6 when serverless.yml does not say). */
  timeout: number;
}

export interface InfraDefinitions {
  /** Absolute path of the serverless.yml these were read from. */
  sourcePath: string;
  service: string;
  /** The moderation table: one item per CallbackId. */
  table: TableDefinition;
  /** Live policies and statistics counters (pk/sk). */
  controlTable: TableDefinition;
  queues: {
    workQueue: QueueDefinition;
    workDlq: QueueDefinition;
    intakeDlq: QueueDefinition;
  };
  intake: FunctionDefinition & {
    maximumRetryAttempts: number;
    /** Seconds, or undefined for Lambda's default (6 h). */
    maximumEventAge?: number;
    /** Logical id of the queue that receives failed async invocations. */
    onFailureQueue: string;
  };
  worker: FunctionDefinition & { eventSource: WorkerEventSource };
  /** `shardGroups`: the schedules' fan-out (one invocation per group of the live index's shards; 1 without input). */
  sweeper: FunctionDefinition & { schedule: string; reservedConcurrency?: number; shardGroups: number };
  /** The moderators' HTTP API (its routes live in src/review/routes.ts). */
  reviewApi: FunctionDefinition;
  /** The same API's live-policy routes (src/policy-api/routes.ts). */
  policyApi: FunctionDefinition;
  /** `params.default` from serverless.yml, all values as strings. */
  params: Readonly<Record<string, string>>;
}

export class InfraDefinitionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraDefinitionError';
  }
}

/** serverless.yml at the repository root (this file lives in src/infra/). */
export const DEFAULT_SERVERLESS_YML = fileURLToPath(new URL('../../serverless.yml', import.meta.url));

// ---------------------------------------------------------------------------------------------
// CloudFormation short-form tags
// ---------------------------------------------------------------------------------------------

type Collection = YAMLMap.Parsed | YAMLSeq.Parsed;

const FN_TAGS = [
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAZs', 'If', 'ImportValue', 'Join',
  'Length', 'Not', 'Or', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform',
] as const;

function intrinsicTags(tag: string, toValue: (value: unknown) => unknown): (ScalarTag | CollectionTag)[] {
  return [
    { tag, resolve: (value: string) => toValue(value) },
    { tag, collection: 'seq', resolve: (value: Collection) => toValue(value.toJSON()) },
    { tag, collection: 'map', resolve: (value: Collection) => toValue(value.toJSON()) },
  ];
}

export const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = [
  ...intrinsicTags('!Ref', (value) => ({ Ref: value })),
  ...intrinsicTags('!Condition', (value) => ({ Condition: value })),
  // `!GetAtt Resource.Attribute` (the attribute itself may contain dots) or the list form.
  ...intrinsicTags('!GetAtt', (value) => {
    if (typeof value !== 'string') return { 'Fn::GetAtt': value };
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }),
  ...FN_TAGS.flatMap((name) => intrinsicTags(`!${name}`, (value) => ({ [`Fn::${name}`]: value }))),
];

/** Parses CloudFormation-flavoured YAML (serverless.yml, templates) into plain objects. */
export function parseCloudFormationYaml(source: string): unknown {
  return parse(source, { customTags: CLOUDFORMATION_TAGS, maxAliasCount: -1 });
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(
    private readonly file: string,
    private readonly params: Readonly<Record<string, string>>,
    private readonly service: string,
  ) {}

  fail(where: string, problem: string): never {
    throw new InfraDefinitionError(`${this.file}: ${where} ${problem}`);
  }

  obj(value: unknown, where: string): Obj {
    if (!isObj(value)) this.fail(where, 'is missing or is not a mapping');
    return value;
  }

  arr(value: unknown, where: string): unknown[] {
    if (!Array.isArray(value)) this.fail(where, 'is missing or is not a list');
    return value;
  }

  /** Substitutes `${param:NAME}` and `${self:service}`; anything else is left alone. */
  vars(value: string, where: string): string {
    return value.replace(/\$\{(param|self):([^}\s,]+)\}/g, (whole, source: string, name: string) => {
      if (source === 'self') {
        if (name === 'service') return this.service;
        return whole;
      }
      const param = this.params[name];
      if (param === undefined) this.fail(where, `uses \${param:${name}}, which params.default does not define`);
      return param;
    });
  }

  str(value: unknown, where: string): string {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string' || value === '') this.fail(where, 'is missing or is not a string');
    return this.vars(value, where);
  }

  optStr(value: unknown, where: string): string | undefined {
    return value === undefined || value === null ? undefined : this.str(value, where);
  }

  int(value: unknown, where: string): number {
    const text = typeof value === 'number' ? String(value) : this.str(value, where);
    if (!/^\d+$/.test(text)) this.fail(where, `must be a non-negative integer (found ${JSON.stringify(value)})`);
    return Number(text);
  }

  optInt(value: unknown, where: string): number | undefined {
    return value === undefined || value === null ? undefined : this.int(value, where);
  }

  bool(value: unknown, where: string): boolean {
    if (typeof value === 'boolean') return value;
    const text = this.str(value, where);
    if (text === 'true') return true;
    if (text === 'false') return false;
    return this.fail(where, `must be true or false (found ${JSON.stringify(value)})`);
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
    const text = this.str(value, where);
    if (!(allowed as readonly string[]).includes(text)) {
      this.fail(where, `must be one of ${allowed.join(', ')} (found ${JSON.stringify(text)})`);
    }
    return text as T;
  }

  /** The logical id behind `!GetAtt X.Arn` or `!Ref X`. */
  logicalIdOf(value: unknown, where: string): string {
    if (isObj(value)) {
      const getAtt = value['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
      if (typeof value.Ref === 'string') return value.Ref;
    }
    return this.fail(where, `must reference a resource with !GetAtt <LogicalId>.Arn (found ${JSON.stringify(value)})`);
  }
}

function readKeySchema(r: Reader, value: unknown, where: string): KeySchemaElement[] {
  const keys = r.arr(value, where).map((item, i) => {
    const key = r.obj(item, `${where}[${i}]`);
    return {
      AttributeName: r.str(key.AttributeName, `${where}[${i}].AttributeName`),
      KeyType: r.oneOf(key.KeyType, ['HASH', 'RANGE'] as const, `${where}[${i}].KeyType`),
    };
  });
  if (keys[0]?.KeyType !== 'HASH') r.fail(where, 'must start with a HASH key');
  return keys;
}

function readThroughput(r: Reader, value: unknown, where: string): ProvisionedThroughput {
  const t = r.obj(value, where);
  return {
    ReadCapacityUnits: r.int(t.ReadCapacityUnits, `${where}.ReadCapacityUnits`),
    WriteCapacityUnits: r.int(t.WriteCapacityUnits, `${where}.WriteCapacityUnits`),
  };
}

function readTable(r: Reader, resources: Obj, logicalId: string): TableDefinition {
  const where = `resources.Resources.${logicalId}`;
  const resource = r.obj(resources[logicalId], where);
  if (resource.Type !== 'AWS::DynamoDB::Table') r.fail(`${where}.Type`, 'must be AWS::DynamoDB::Table');
  const p = r.obj(resource.Properties, `${where}.Properties`);

  // CloudFormation's default billing mode is PROVISIONED.
  const billingMode =
    p.BillingMode === undefined
      ? 'PROVISIONED'
      : r.oneOf(p.BillingMode, ['PAY_PER_REQUEST', 'PROVISIONED'] as const, `${where}.Properties.BillingMode`);
  const provisioned = billingMode === 'PROVISIONED';

  const attributeDefinitions = r.arr(p.AttributeDefinitions, `${where}.Properties.AttributeDefinitions`).map((item, i) => {
    const at = `${where}.Properties.AttributeDefinitions[${i}]`;
    const a = r.obj(item, at);
    return {
      AttributeName: r.str(a.AttributeName, `${at}.AttributeName`),
      AttributeType: r.oneOf(a.AttributeType, ['S', 'N', 'B'] as const, `${at}.AttributeType`),
    };
  });
  const defined = new Set(attributeDefinitions.map((a) => a.AttributeName));

  const keySchema = readKeySchema(r, p.KeySchema, `${where}.Properties.KeySchema`);
  const gsiList = p.GlobalSecondaryIndexes === undefined ? [] : r.arr(p.GlobalSecondaryIndexes, `${where}.Properties.GlobalSecondaryIndexes`);
  const globalSecondaryIndexes = gsiList.map((item, i): GlobalSecondaryIndexDefinition => {
    const at = `${where}.Properties.GlobalSecondaryIndexes[${i}]`;
    const g = r.obj(item, at);
    const projection = r.obj(g.Projection, `${at}.Projection`);
    const nonKey = projection.NonKeyAttributes;
    return {
      IndexName: r.str(g.IndexName, `${at}.IndexName`),
      KeySchema: readKeySchema(r, g.KeySchema, `${at}.KeySchema`),
      Projection: {
        ProjectionType: r.oneOf(projection.ProjectionType, ['ALL', 'KEYS_ONLY', 'INCLUDE'] as const, `${at}.Projection.ProjectionType`),
        ...(nonKey === undefined
          ? {}
          : { NonKeyAttributes: r.arr(nonKey, `${at}.Projection.NonKeyAttributes`).map((n, j) => r.str(n, `${at}.Projection.NonKeyAttributes[${j}]`)) }),
      },
      ...(provisioned ? { ProvisionedThroughput: readThroughput(r, g.ProvisionedThroughput, `${at}.ProvisionedThroughput`) } : {}),
    };
  });

  for (const key of [...keySchema, ...globalSecondaryIndexes.flatMap((g) => g.KeySchema)]) {
    if (!defined.has(key.AttributeName)) {
      r.fail(`${where}.Properties.AttributeDefinitions`, `does not define key attribute "${key.AttributeName}"`);
    }
  }

  let ttlAttributeName: string | null = null;
  if (p.TimeToLiveSpecification !== undefined) {
    const ttl = r.obj(p.TimeToLiveSpecification, `${where}.Properties.TimeToLiveSpecification`);
    if (r.bool(ttl.Enabled, `${where}.Properties.TimeToLiveSpecification.Enabled`)) {
      ttlAttributeName = r.str(ttl.AttributeName, `${where}.Properties.TimeToLiveSpecification.AttributeName`);
    }
  }

  return {
    logicalId,
    billingMode,
    attributeDefinitions,
    keySchema,
    partitionKey: keySchema[0]!.AttributeName,
    globalSecondaryIndexes,
    ...(provisioned ? { provisionedThroughput: readThroughput(r, p.ProvisionedThroughput, `${where}.Properties.ProvisionedThroughput`) } : {}),
    ttlAttributeName,
  };
}

/** CloudFormation properties that are also CreateQueue attributes of the same name. */
const PLAIN_QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;

function readQueue(r: Reader, resources: Obj, logicalId: string): QueueDefinition {
  const where = `resources.Resources.${logicalId}`;
  const resource = r.obj(resources[logicalId], where);
  if (resource.Type !== 'AWS::SQS::Queue') r.fail(`${where}.Type`, 'must be AWS::SQS::Queue');
  const p = resource.Properties === undefined ? {} : r.obj(resource.Properties, `${where}.Properties`);

  const attributes: Record<string, string> = {};
  for (const name of PLAIN_QUEUE_ATTRIBUTES) {
    if (p[name] !== undefined) attributes[name] = r.str(p[name], `${where}.Properties.${name}`);
  }

  let redrive: QueueDefinition['redrive'];
  if (p.RedrivePolicy !== undefined) {
    const at = `${where}.Properties.RedrivePolicy`;
    const policy = r.obj(p.RedrivePolicy, at);
    redrive = {
      deadLetterQueue: r.logicalIdOf(policy.deadLetterTargetArn, `${at}.deadLetterTargetArn`),
      maxReceiveCount: r.int(policy.maxReceiveCount, `${at}.maxReceiveCount`),
    };
  }

  const visibilityTimeout = r.optInt(p.VisibilityTimeout, `${where}.Properties.VisibilityTimeout`);
  const messageRetentionPeriod = r.optInt(p.MessageRetentionPeriod, `${where}.Properties.MessageRetentionPeriod`);
  return {
    logicalId,
    ...(visibilityTimeout === undefined ? {} : { visibilityTimeout }),
    ...(messageRetentionPeriod === undefined ? {} : { messageRetentionPeriod }),
    ...(p.SqsManagedSseEnabled === undefined
      ? {}
      : { sqsManagedSseEnabled: r.bool(p.SqsManagedSseEnabled, `${where}.Properties.SqsManagedSseEnabled`) }),
    ...(redrive ? { redrive } : {}),
    attributes,
  };
}

function readFunction(r: Reader, functions: Obj, key: string): { fn: Obj; def: FunctionDefinition } {
  const where = `functions.${key}`;
  const fn = r.obj(functions[key], where);
  return {
    fn,
    def: {
      handler: r.str(fn.handler, `${where}.handler`),
      timeout: r.optInt(fn.timeout, `${where}.timeout`) ?? 6,
    },
  };
}

function findEvent(r: Reader, fn: Obj, type: string, where: string): unknown {
  const events = fn.events === undefined ? [] : r.arr(fn.events, `${where}.events`);
  const found = events.find((e) => isObj(e) && e[type] !== undefined);
  if (!isObj(found)) return r.fail(`${where}.events`, `has no ${type} event`);
  return found[type];
}

/**
 * Reads serverless.yml (the repository's, unless `path` says otherwise) and returns the parts of
 * it that local provisioning and tests need. Throws InfraDefinitionError naming the missing or
 * malformed key.
 */
export function loadInfraDefinitions(path: string = DEFAULT_SERVERLESS_YML): InfraDefinitions {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InfraDefinitionError(`cannot read ${path}`, { cause });
  }
  let doc: unknown;
  try {
    doc = parseCloudFormationYaml(source);
  } catch (cause) {
    throw new InfraDefinitionError(`${path}: not valid YAML: ${(cause as Error).message}`, { cause });
  }

  const bootstrap = new Reader(path, {}, '');
  const root = bootstrap.obj(doc, '(document)');
  const service = typeof root.service === 'string' && root.service !== '' ? root.service : bootstrap.fail('service', 'is missing');

  const params: Record<string, string> = {};
  if (root.params !== undefined) {
    const defaults = bootstrap.obj(root.params, 'params').default;
    if (defaults !== undefined) {
      for (const [name, value] of Object.entries(bootstrap.obj(defaults, 'params.default'))) {
        if (value !== null && value !== undefined) params[name] = String(value);
      }
    }
  }

  const r = new Reader(path, params, service);
  const resources = r.obj(r.obj(root.resources, 'resources').Resources, 'resources.Resources');
  const functions = r.obj(root.functions, 'functions');

  const table = readTable(r, resources, LOGICAL_IDS.table);
  const controlTable = readTable(r, resources, LOGICAL_IDS.controlTable);
  const queues = {
    workQueue: readQueue(r, resources, LOGICAL_IDS.workQueue),
    workDlq: readQueue(r, resources, LOGICAL_IDS.workDlq),
    intakeDlq: readQueue(r, resources, LOGICAL_IDS.intakeDlq),
  };
  if (queues.workQueue.redrive === undefined) {
    r.fail(`resources.Resources.${LOGICAL_IDS.workQueue}.Properties.RedrivePolicy`, 'is missing');
  }

  // intake: Lambda's async invoke settings and its on-failure destination.
  const intakeFn = readFunction(r, functions, FUNCTION_KEYS.intake);
  const intakeWhere = `functions.${FUNCTION_KEYS.intake}`;
  const destinations = r.obj(intakeFn.fn.destinations, `${intakeWhere}.destinations`);
  const onFailure = destinations.onFailure;
  const onFailureQueue = r.logicalIdOf(isObj(onFailure) && 'arn' in onFailure ? onFailure.arn : onFailure, `${intakeWhere}.destinations.onFailure`);
  const maximumEventAge = r.optInt(intakeFn.fn.maximumEventAge, `${intakeWhere}.maximumEventAge`);
  const intake = {
    ...intakeFn.def,
    maximumRetryAttempts: r.int(intakeFn.fn.maximumRetryAttempts, `${intakeWhere}.maximumRetryAttempts`),
    ...(maximumEventAge === undefined ? {} : { maximumEventAge }),
    onFailureQueue,
  };

  // worker: the SQS event source mapping.
  const workerFn = readFunction(r, functions, FUNCTION_KEYS.worker);
  const workerWhere = `functions.${FUNCTION_KEYS.worker}`;
  const sqsEvent = findEvent(r, workerFn.fn, 'sqs', workerWhere);
  const sqsWhere = `${workerWhere}.events[].sqs`;
  const sqs = r.obj(sqsEvent, sqsWhere);
  const eventSource: WorkerEventSource = {
    queue: r.logicalIdOf(sqs.arn, `${sqsWhere}.arn`),
    batchSize: r.optInt(sqs.batchSize, `${sqsWhere}.batchSize`) ?? 10,
    maximumBatchingWindow: r.optInt(sqs.maximumBatchingWindow, `${sqsWhere}.maximumBatchingWindow`) ?? 0,
    functionResponseType:
      sqs.functionResponseType === undefined
        ? undefined
        : r.oneOf(sqs.functionResponseType, ['ReportBatchItemFailures'] as const, `${sqsWhere}.functionResponseType`),
  };

  // sweeper: its schedule.
  const sweeperFn = readFunction(r, functions, FUNCTION_KEYS.sweeper);
  const sweeperWhere = `functions.${FUNCTION_KEYS.sweeper}`;
  const scheduleEvent = findEvent(r, sweeperFn.fn, 'schedule', sweeperWhere);
  const rate = isObj(scheduleEvent) ? scheduleEvent.rate : scheduleEvent;
  const firstRate = Array.isArray(rate) ? rate[0] : rate;
  const reservedConcurrency = r.optInt(sweeperFn.fn.reservedConcurrency, `${sweeperWhere}.reservedConcurrency`);
  const input = isObj(scheduleEvent) && isObj(scheduleEvent.input) ? scheduleEvent.input : {};
  const sweeper = {
    ...sweeperFn.def,
    schedule: r.str(firstRate, `${sweeperWhere}.events[].schedule.rate`),
    shardGroups: r.optInt(input.shardGroups, `${sweeperWhere}.events[].schedule.input.shardGroups`) ?? 1,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
  };

  return {
    sourcePath: path,
    service,
    table,
    controlTable,
    queues,
    intake,
    worker: { ...workerFn.def, eventSource },
    sweeper,
    reviewApi: readFunction(r, functions, FUNCTION_KEYS.reviewApi).def,
    policyApi: readFunction(r, functions, FUNCTION_KEYS.policyApi).def,
    params,
  };
}
