import { ChimeCallbackSender } from '../../src/adapters/chime-callback.js';
import { createChimeClient, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { loadPackagedPolicySeed } from '../../src/policy/packaged.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createCounters, createModerationStore, createPolicyStore, createRuntimeBase } from '../../src/runtime.js';
import { createReviewApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies: the bundled POLICY_FILE is `global` (version 0) until one is stored; a bad file
// fails the cold start. Its YAML was compiled to JSON when this bundle was packaged.
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
    policyStore: createPolicyStore(base, documents),
    queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
    callbacks: new ChimeCallbackSender(chime),
  },
  loadReviewApiSettings(),
  { policySeed: loadPackagedPolicySeed(resolvePolicyPath(config.policyFile)).document },
);
