import { ChimeCallbackSender } from '../../src/adapters/chime-callback.js';
import { createChimeClient, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { clientSettings, createCounters, createModerationStore, createRuntimeBase } from '../../src/runtime.js';
import { createReviewApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies are the policy API's (functions/policy-api): this function neither reads nor
// writes them.
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const chime = createChimeClient(clientSettings(config));
const counters = createCounters(base, documents);
export const handler = createReviewApiHandler(
  {
    ...base,
    clients: { chime },
    counters,
    store: createModerationStore(config, documents, counters),
    queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
    callbacks: new ChimeCallbackSender(chime),
  },
  loadReviewApiSettings(),
);
