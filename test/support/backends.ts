import { randomBytes } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/adapters/clients.js';
import { DynamoDbCounters } from '../../src/adapters/dynamodb-counters.js';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import type { KeySettings } from '../../src/adapters/table-keys.js';
import { SqsDeadLetters, SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { deprovisionLocal, provisionLocal, resolveLocalNames, type ProvisionedResources } from '../../src/infra/provision.js';
import { startChimeSimulator, type ChannelFlowEvent, type ChimeSimulator, type ChimeSimulatorOptions } from '../../src/local/chime-simulator.js';
import { startStorage } from '../../src/local/storage.js';
import { systemClock } from '../../src/domain/ports.js';
import { CursorCodec } from '../../src/http/cursor.js';
import type { ReviewDeps } from '../../src/review/deps.js';

/**
 * Real servers for integration tests: dynalite and local-aws-sqs in-process, or whatever
 * DYNAMODB_ENDPOINT / SQS_ENDPOINT point at (DynamoDB Local, ElasticMQ, AWS), plus the Chime
 * simulator. Fresh, randomly named resources per call, provisioned from serverless.yml.
 */
export interface Backends {
  clients: AwsClients;
  /** Where the clients point, and with what credentials (for a second set of clients: faults). */
  endpoints: { dynamodb: string; sqs: string; chime: string };
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  resources: ProvisionedResources;
  simulator: ChimeSimulator;
  /** The statistics counters the store records into (flush to write them). */
  counters: DynamoDbCounters;
  store: DynamoDbModerationStore;
  queue: SqsWorkQueue;
  deadLetters: SqsDeadLetters;
  callbacks: ChimeCallbackSender;
  /** Processor invocations the simulator made (it invokes nothing else here). */
  invocations: ChannelFlowEvent[];
  receive(queue: 'work' | 'intakeDlq' | 'workDlq', max?: number): Promise<Array<{ body: unknown; receiptHandle: string; attributes: Record<string, string> }>>;
  purge(queue: 'work' | 'intakeDlq' | 'workDlq'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The key design the integration tests run with: several shards of every index (a different
 * number for each, so a mix-up shows), and the pipeline's default margin and stuck time.
 */
export const TEST_KEYS: KeySettings = { statusShards: 4, auditShards: 3, expiryMarginSeconds: 3600, stuckAfterSeconds: 300 };

export async function startBackends(
  options: { simulator?: Partial<ChimeSimulatorOptions>; retentionDays?: number; maxAttempts?: number; keys?: Partial<KeySettings> } = {},
): Promise<Backends> {
  const storage = await startStorage();
  const invocations: ChannelFlowEvent[] = [];
  const simulator = await startChimeSimulator({
    port: 0,
    invokeProcessor: async (event) => void invocations.push(event),
    log: () => {},
    ...options.simulator,
  });
  const clients = createAwsClients({
    region: process.env.AWS_REGION || 'us-east-1',
    ...(storage.credentials ? { credentials: storage.credentials } : {}),
    endpoints: { ...storage.endpoints, chime: simulator.endpoint },
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  });
  const resources = await provisionLocal({
    dynamodb: clients.dynamodb,
    sqs: clients.sqs,
    names: resolveLocalNames(`it-${randomBytes(4).toString('hex')}`),
  });
  const counters = new DynamoDbCounters(clients.documents, { tableName: resources.controlTableName, shards: 5 });
  const urls = { work: resources.workQueueUrl, intakeDlq: resources.intakeDlqUrl, workDlq: resources.workDlqUrl };

  return {
    clients,
    endpoints: { ...storage.endpoints, chime: simulator.endpoint },
    ...(storage.credentials ? { credentials: storage.credentials } : {}),
    resources,
    simulator,
    invocations,
    counters,
    store: new DynamoDbModerationStore(clients.documents, { tableName: resources.tableName, retentionDays: options.retentionDays ?? 30, keys: { ...TEST_KEYS, ...options.keys }, counters }),
    queue: new SqsWorkQueue(clients.sqs, resources.workQueueUrl),
    deadLetters: new SqsDeadLetters(clients.sqs, resources.intakeDlqUrl),
    callbacks: new ChimeCallbackSender(oneAttemptChime(clients)),
    async receive(queue, max = 10) {
      const reply = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: urls[queue], MaxNumberOfMessages: max, WaitTimeSeconds: 0, AttributeNames: ['All'], VisibilityTimeout: 30 }),
      );
      return (reply.Messages ?? []).map((m) => ({ body: JSON.parse(m.Body ?? 'null'), receiptHandle: m.ReceiptHandle ?? '', attributes: m.Attributes ?? {} }));
    },
    // Receive-and-delete rather than PurgeQueue: SQS allows one purge a minute per queue.
    async purge(queue) {
      for (;;) {
        const reply = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[queue], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
        const messages = reply.Messages ?? [];
        if (messages.length === 0) return;
        await clients.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: urls[queue], Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
        );
      }
    },
    async stop() {
      // Against an external endpoint (DynamoDB Local, AWS) nothing may be left behind.
      await deprovisionLocal({ dynamodb: clients.dynamodb, sqs: clients.sqs, resources }).catch(() => undefined);
      destroyAwsClients(clients);
      await simulator.close();
      await storage.stop();
    },
  };
}

/** What the review operations use, on these backends' real store, queue and Chime (override a part: a clock, a slow sender). */
export function reviewDepsOn(backends: Backends, overrides: Partial<ReviewDeps> = {}): ReviewDeps {
  return {
    store: backends.store,
    callbacks: backends.callbacks,
    clock: systemClock,
    leaseSeconds: 30,
    queue: backends.queue,
    cursors: new CursorCodec('x'.repeat(32)),
    callbackWindowSeconds: 172_800,
    expiryMarginSeconds: 3600,
    expiryAction: 'DENY',
    retentionDays: 30,
    statistics: backends.counters,
    warn: () => {},
    ...overrides,
  };
}
