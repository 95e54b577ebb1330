/**
 * Provisioning against real local servers: dynalite and local-aws-sqs in-process, or the
 * endpoints in DYNAMODB_ENDPOINT / SQS_ENDPOINT when set (DynamoDB Local, ElasticMQ, AWS). Every
 * run uses a fresh random name prefix, so runs never see each other's resources.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVERLESS_YML,
  InfraDefinitionError,
  loadInfraDefinitions,
  parseCloudFormationYaml,
  type InfraDefinitions,
} from '../../src/infra/definitions.js';
import { provisionLocal, resolveLocalNames, type LocalNames, type ProvisionedResources } from '../../src/infra/provision.js';
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
          IndexName: 'byStatusDeadline',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'deadline', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byDecisionDay',
          KeySchema: [
            { AttributeName: 'decisionDay', KeyType: 'HASH' },
            { AttributeName: 'decidedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
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
        maximumBatchingWindow: 1,
        functionResponseType: 'ReportBatchItemFailures',
      });
      expect(defs.intake).toMatchObject({ maximumRetryAttempts: 2, maximumEventAge: 21600, onFailureQueue: 'IntakeDLQ' });
      expect(defs.sweeper).toMatchObject({ schedule: 'rate(1 minute)', reservedConcurrency: 1 });
      expect(defs.reviewApi).toEqual({ handler: 'functions/review-api/index.handler', timeout: 10 });
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
    it('has the key schema and the status+deadline index from serverless.yml', async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'callbackId', KeyType: 'HASH' }]);
      const gsi = Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'byStatusDeadline');
      expect(gsi?.KeySchema).toEqual([
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'deadline', KeyType: 'RANGE' },
      ]);
      expect(gsi?.Projection?.ProjectionType).toBe('ALL');
    });

    it('has every index serverless.yml declares, the audit index included', async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: provisioned.tableName }));
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema }));
      expect(indexes).toEqual(
        expect.arrayContaining(defs.table.globalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema }))),
      );
      expect(indexes.map((g) => g.IndexName).sort()).toEqual(['byDecisionDay', 'byStatusDeadline']);
    });

    it('answers a Query on the index by status and deadline, oldest first', async () => {
      const put = (callbackId: string, status: string, deadline: string) =>
        dynamodb.send(
          new PutItemCommand({
            TableName: provisioned.tableName,
            Item: { callbackId: { S: callbackId }, status: { S: status }, deadline: { S: deadline } },
          }),
        );
      await put('cb-late', 'RECEIVED', '2030-01-03T00:00:00.000Z');
      await put('cb-early', 'RECEIVED', '2030-01-01T00:00:00.000Z');
      await put('cb-other', 'DELIVERED', '2030-01-01T00:00:00.000Z');

      const { Items } = await dynamodb.send(
        new QueryCommand({
          TableName: provisioned.tableName,
          IndexName: 'byStatusDeadline',
          KeyConditionExpression: '#status = :status AND #deadline <= :before',
          ExpressionAttributeNames: { '#status': 'status', '#deadline': 'deadline' },
          ExpressionAttributeValues: { ':status': { S: 'RECEIVED' }, ':before': { S: '2030-01-02T00:00:00.000Z' } },
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
