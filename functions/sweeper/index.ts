import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig } from '../../src/config.js';
import { clientSettings, createCounters, createModerationStore, createRuntimeBase } from '../../src/runtime.js';
import { createSweeperHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// The sweeper's own: DynamoDB (table, counters), SQS (requeue), Chime (expiry decisions, re-drives).
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const counters = createCounters(base, documents);
export const handler = createSweeperHandler({
  ...base,
  counters,
  store: createModerationStore(config, documents, counters),
  queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
  callbacks: new ChimeCallbackSender(oneAttemptChime(createChimeClients(clientSettings(config)))),
});
