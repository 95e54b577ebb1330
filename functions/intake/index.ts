import { createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsDeadLetters, SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig } from '../../src/config.js';
import { clientSettings, createCounters, createModerationStore, createRuntimeBase } from '../../src/runtime.js';
import { createIntakeHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Only the clients intake uses (DynamoDB, SQS), so its bundle carries no other SDK client.
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const sqs = createSqsClient(clientSettings(config));
const counters = createCounters(base, documents);
export const handler = createIntakeHandler({
  ...base,
  counters,
  store: createModerationStore(config, documents, counters),
  queue: new SqsWorkQueue(sqs, config.workQueueUrl),
  deadLetters: new SqsDeadLetters(sqs, config.intakeDlqUrl),
});
