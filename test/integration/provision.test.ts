/**
 * Provisioning against real local servers: dynalite and local-aws-sqs in-process, or the
 * endpoints in DYNAMODB_ENDPOINT / SQS_ENDPOINT when set (DynamoDB Local, ElasticMQ, AWS). Every
 * run uses a fresh random name prefix, so runs never see each other's resources.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVERLESS_YML,
  InfraDefinitionError,
  loadInfraDefinitions,
  parseCloudFormationYaml,
  type InfraDefinitions,
} from '../../src/infra/definitions.js';
import { cleanLeftovers, deprovisionLocal, findLeftovers, isGeneratedName, provisionLocal, resolveLocalNames, type LocalNames, type ProvisionedResources } from '../../src/infra/provision.js';
import { startStorage, type LocalStorage } from '../../src/local/storage.js';

describe('local provisioning from serverless.yml', () => {
  let storage: LocalStorage;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let defs: InfraDefinitions;
  let names: LocalNames;
  let provisioned: ProvisionedResources;

  beforeAll(async () => {
    storage = await startStorage();
    const common = { region: 'us-east-1', ...(storage.credentials ? { credentials: storage.credentials } : {}) };
    dynamodb = new DynamoDBClient({ ...common, endpoint: storage.endpoints.dynamodb });
    sqs = new SQSClient({ ...common, endpoint: storage.endpoints.sqs });
    defs = loadInfraDefinitions();
    names = resolveLocalNames(`cfm-test-${randomBytes(4).toString('hex')}`);
    provisioned = await provisionLocal({ dynamodb, sqs, names, defs });
  });

  afterAll(async () => {
    if (provisioned) await deprovisionLocal({ dynamodb, sqs, resources: provisioned });
    dynamodb?.destroy();
    sqs?.destroy();
    await storage?.stop();
  });

  describe('the parsed definitions', () => {
    it('equal what serverless.yml says', () => {
      expect(defs.service).toBe('chime-flow-moderation');
      expect(defs.table.billingMode).toBe('PAY_PER_REQUEST');
      expect(defs.table.keySchema).toEqual([{ AttributeName: 'callbackId', KeyType: 'HASH' }]);
      expect(defs.table.partitionKey).toBe('callbackId');
      expect(defs.table.globalSecondaryIndexes).toEqual([
        {
          IndexName: 'byLiveDue',
          KeySchema: [
            { AttributeName: 'liveKey', KeyType: 'HASH' },
            { AttributeName: 'dueKey', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['channelArn', 'senderArn', 'ruleIds', 'claim'] },
        },
        {
          IndexName: 'byAuditShard',
          KeySchema: [
            { AttributeName: 'auditKey', KeyType: 'HASH' },
            { AttributeName: 'auditSort', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['channelArn', 'decisionOrigin', 'decidedById', 'decidedByName'] },
        },
        {
          IndexName: 'bySender',
          KeySchema: [
            { AttributeName: 'senderArn', KeyType: 'HASH' },
            { AttributeName: 'senderSort', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
      expect(defs.table.ttlAttributeName).toBe('expiresAt');

      expect(defs.queues.workQueue.redrive).toEqual({ deadLetterQueue: 'WorkDLQ', maxReceiveCount: 8 });
      expect(defs.queues.workQueue.visibilityTimeout).toBe(120);
      expect(defs.queues.workQueue.messageRetentionPeriod).toBe(4 * 24 * 3600);
      expect(defs.queues.workDlq.messageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(defs.queues.intakeDlq.messageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(defs.queues.workDlq.redrive).toBeUndefined();

      expect(defs.worker.eventSource).toEqual({
        queue: 'WorkQueue',
        batchSize: 10,
        maximumBatchingWindow: 0,
        functionResponseType: 'ReportBatchItemFailures',
      });
      expect(defs.intake).toMatchObject({ maximumRetryAttempts: 2, maximumEventAge: 21600, onFailureQueue: 'IntakeDLQ' });
      expect(defs.sweeper).toMatchObject({ schedule: 'rate(1 minute)', reservedConcurrency: 8, shardGroups: 8 });
      expect(defs.reviewApi).toEqual({ handler: 'functions/review-api/index.handler', timeout: 28 });
      expect(defs.policyApi).toEqual({ handler: 'functions/policy-api/index.handler', timeout: 10 });
    });

    it('read the very numbers written in serverless.yml (change detection)', () => {
      // Independent of the loader: find the literal line in the file.
      const text = readFileSync(DEFAULT_SERVERLESS_YML, 'utf8');
      const maxReceiveCount = Number(/^\s*maxReceiveCount:\s*(\d+)\s*$/m.exec(text)?.[1]);
      const visibilityTimeout = Number(/^\s*VisibilityTimeout:\s*(\d+)\s*$/m.exec(text)?.[1]);
      expect(maxReceiveCount).toBe(8);
      expect(defs.queues.workQueue.redrive?.maxReceiveCount).toBe(maxReceiveCount);
      expect(defs.queues.workQueue.visibilityTimeout).toBe(visibilityTimeout);
    });

    it('keep the work queue visibility timeout at least six times the worker timeout', () => {
      expect(defs.queues.workQueue.visibilityTimeout).toBeGreaterThanOrEqual(6 * defs.worker.timeout);
    });

    it('point the worker at the queue whose DLQ is WorkDLQ, and intake failures at IntakeDLQ', () => {
      expect(defs.queues.workQueue.logicalId).toBe(defs.worker.eventSource.queue);
      expect(defs.intake.onFailureQueue).toBe(defs.queues.intakeDlq.logicalId);
    });
  });

  describe('the CloudFormation YAML parser', () => {
    it('turns short-form intrinsics into their long forms', () => {
      const parsed = parseCloudFormationYaml(
        [
          'a: !Ref Table',
          'b: !GetAtt Queue.Arn',
          "c: !Sub 'arn:${AWS::Partition}:x'",
          'd: !If [Cond, [!Ref X], !Ref AWS::NoValue]',
          "e: !Not [!Equals ['', '']]",
          "f: !Select [0, !Split [',', 'a,b']]",
          'g: !Join [":", [a, b]]',
          'h: !GetAtt [Queue, QueueName]',
        ].join('\n'),
      );
      expect(parsed).toEqual({
        a: { Ref: 'Table' },
        b: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        c: { 'Fn::Sub': 'arn:${AWS::Partition}:x' },
        d: { 'Fn::If': ['Cond', [{ Ref: 'X' }], { Ref: 'AWS::NoValue' }] },
        e: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
        f: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
        g: { 'Fn::Join': [':', ['a', 'b']] },
        h: { 'Fn::GetAtt': ['Queue', 'QueueName'] },
      });
    });

    it('names the missing piece when serverless.yml lacks a resource', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cfm-defs-'));
      try {
        const broken = join(dir, 'serverless.yml');
        writeFileSync(broken, readFileSync(DEFAULT_SERVERLESS_YML, 'utf8').replace(/^ {4}WorkDLQ:$/m, '    RenamedDLQ:'));
        expect(() => loadInfraDefinitions(broken)).toThrow(InfraDefinitionError);
        expect(() => loadInfraDefinitions(broken)).toThrow(/resources\.Resources\.WorkDLQ is missing/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the provisioned table', () => {
    it('has the key schema and the live index from serverless.yml, with its projection', async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'callbackId', KeyType: 'HASH' }]);
      const gsi = Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'byLiveDue');
      expect(gsi?.KeySchema).toEqual([
        { AttributeName: 'liveKey', KeyType: 'HASH' },
        { AttributeName: 'dueKey', KeyType: 'RANGE' },
      ]);
      expect(gsi?.Projection?.ProjectionType).toBe('INCLUDE');
      expect([...(gsi?.Projection?.NonKeyAttributes ?? [])].sort()).toEqual(['channelArn', 'claim', 'ruleIds', 'senderArn']);
    });

    it('has every index serverless.yml declares, the audit index included', async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.tableName }));
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema }));
      expect(indexes).toEqual(
        expect.arrayContaining(defs.table.globalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema }))),
      );
      expect(indexes.map((g) => g.IndexName).sort()).toEqual(['byAuditShard', 'byLiveDue', 'bySender']);
    });

    it('answers a Query on the live index by shard and due moment, soonest first; terminal items are not in it', async () => {
      const put = (callbackId: string, liveKey: string | undefined, dueKey: string) =>
        dynamodb.send(
          new PutItemCommand({
            TableName: provisioned.tableName,
            Item: { callbackId: { S: callbackId }, ...(liveKey ? { liveKey: { S: liveKey } } : {}), dueKey: { S: dueKey } },
          }),
        );
      await put('cb-late', 'RECEIVED#0', '2030-01-03T00:00:00.000Z#cb-late');
      await put('cb-early', 'RECEIVED#0', '2030-01-01T00:00:00.000Z#cb-early');
      await put('cb-done', undefined, '2030-01-01T00:00:00.000Z#cb-done'); // sparse: no liveKey, not indexed

      const { Items } = await dynamodb.send(
        new QueryCommand({
          TableName: provisioned.tableName,
          IndexName: 'byLiveDue',
          KeyConditionExpression: '#liveKey = :shard AND #dueKey <= :before',
          ExpressionAttributeNames: { '#liveKey': 'liveKey', '#dueKey': 'dueKey' },
          ExpressionAttributeValues: { ':shard': { S: 'RECEIVED#0' }, ':before': { S: '2030-01-02T00:00:00.000Z' } },
        }),
      );
      expect(Items?.map((item) => item.callbackId?.S)).toEqual(['cb-early']);
    });
  });

  describe('the provisioned queues', () => {
    it('redrive the work queue to its DLQ after maxReceiveCount receives, as serverless.yml says', async () => {
      const attributes = async (url: string) =>
        (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
      const work = await attributes(provisioned.workQueueUrl);
      const dlq = await attributes(provisioned.workDlqUrl);
      const redrive = JSON.parse(work.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: unknown };
      expect(redrive.deadLetterTargetArn).toBe(dlq.QueueArn);
      expect(Number(redrive.maxReceiveCount)).toBe(defs.queues.workQueue.redrive?.maxReceiveCount);
      expect(Number(work.VisibilityTimeout)).toBe(defs.queues.workQueue.visibilityTimeout);
      expect(Number(work.MessageRetentionPeriod)).toBe(defs.queues.workQueue.messageRetentionPeriod);
      expect(Number(dlq.MessageRetentionPeriod)).toBe(defs.queues.workDlq.messageRetentionPeriod);

      const intakeDlq = await attributes(provisioned.intakeDlqUrl);
      expect(Number(intakeDlq.MessageRetentionPeriod)).toBe(defs.queues.intakeDlq.messageRetentionPeriod);
      expect(intakeDlq.RedrivePolicy).toBeUndefined();
    });

    it('are named after the prefix', () => {
      expect(provisioned.workQueueUrl.endsWith(`/${names.workQueue}`)).toBe(true);
      expect(provisioned.workDlqUrl.endsWith(`/${names.workDlq}`)).toBe(true);
      expect(provisioned.intakeDlqUrl.endsWith(`/${names.intakeDlq}`)).toBe(true);
      expect(provisioned.tableName).toBe(names.table);
      expect(provisioned.controlTableName).toBe(names.controlTable);
    });
  });

  describe('the control table', () => {
    it('has the pk/sk keys serverless.yml declares', async () => {
      const table = (await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.controlTableName }))).Table;
      expect(table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(defs.controlTable.ttlAttributeName).toBe('expiresAt');
    });
  });

  describe('time to live', () => {
    it('is enabled on both tables wherever the endpoint supports UpdateTimeToLive (skipped on dynalite only)', async () => {
      const embeddedDynalite = !process.env.DYNAMODB_ENDPOINT;
      for (const [tableName, attribute] of [
        [provisioned.tableName, defs.table.ttlAttributeName],
        [provisioned.controlTableName, defs.controlTable.ttlAttributeName],
      ] as const) {
        const ttl = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
        if (embeddedDynalite) {
          expect(ttl?.TimeToLiveStatus).toBe('DISABLED');
        } else {
          expect(ttl?.TimeToLiveStatus).toMatch(/^ENABL/);
          expect(ttl?.AttributeName).toBe(attribute);
        }
      }
    });
  });

  describe('cleaning up', () => {
    it('finds leftovers by prefix and deprovisioning removes every table and queue', async () => {
      const prefix = `cfm-gone-${randomBytes(4).toString('hex')}`;
      const made = await provisionLocal({ dynamodb, sqs, names: resolveLocalNames(prefix), defs });
      const found = await findLeftovers({ dynamodb, sqs, prefixes: [prefix] });
      expect(found.tables.sort()).toEqual([made.controlTableName, made.tableName].sort());
      expect(found.queueUrls.sort()).toEqual([made.intakeDlqUrl, made.workDlqUrl, made.workQueueUrl].sort());

      await deprovisionLocal({ dynamodb, sqs, resources: made });
      await deprovisionLocal({ dynamodb, sqs, resources: made }); // idempotent
      const after = await findLeftovers({ dynamodb, sqs, prefixes: [prefix] });
      expect(after).toEqual({ tables: [], queueUrls: [] });
      // Other runs' resources are untouched.
      expect((await findLeftovers({ dynamodb, sqs, prefixes: [names.table.replace(/-moderation$/, '')] })).tables).toContain(provisioned.tableName);
    });

    it('touches only names of exactly the generated shape', async () => {
      expect(isGeneratedName('local-1a2b3c4d-moderation')).toBe(true);
      expect(isGeneratedName('it-0000ffff-intake-dlq')).toBe(true);
      expect(isGeneratedName('cfm-test-deadbeef-control')).toBe(true);
      expect(isGeneratedName('local-orders')).toBe(false);
      expect(isGeneratedName('local-1a2b3c4d-moderation-backup')).toBe(false);
      expect(isGeneratedName('chime-flow-moderation-prod-moderation')).toBe(false);
      // A dry run lists this run's resources among the leftovers and deletes nothing (other test
      // files may share an external endpoint, so the test never deletes for real).
      const listed = await cleanLeftovers({ dynamodb, sqs, dryRun: true });
      expect(listed.tables).toContain(provisioned.tableName);
      expect(listed.queueUrls).toContain(provisioned.workQueueUrl);
      expect((await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.tableName }))).Table?.TableStatus).toBe('ACTIVE');
    });
  });

  describe('provisioning again', () => {
    it('is idempotent: same names and URLs, no error', async () => {
      const again = await provisionLocal({ dynamodb, sqs, names, defs });
      expect(again).toEqual(provisioned);
    });
  });

  describe('resolveLocalNames', () => {
    it('derives every name from the prefix with the serverless.yml suffixes', () => {
      expect(resolveLocalNames('local')).toEqual({
        table: 'local-moderation',
        controlTable: 'local-control',
        workQueue: 'local-work',
        workDlq: 'local-work-dlq',
        intakeDlq: 'local-intake-dlq',
      });
    });

    it('rejects a prefix SQS would refuse', () => {
      expect(() => resolveLocalNames('bad prefix')).toThrow(/prefix/);
      expect(() => resolveLocalNames('x'.repeat(70))).toThrow(/prefix/);
    });
  });
});
