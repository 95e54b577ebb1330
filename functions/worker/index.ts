import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig, loadLivePolicySettings } from '../../src/config.js';
import { loadPackagedPolicySeed } from '../../src/policy/packaged.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createCounters, createModerationStore, createPolicyStore, createRuntimeBase } from '../../src/runtime.js';
import { createWorkerPolicies } from '../../src/worker/live-policies.js';
import { createWorkerHandler } from './handler.js';

// Lambda entry point: configuration is validated, clients are built and the bundled policy is
// validated once, at cold start (a bad POLICY_FILE stops the container with a message naming
// it). Stored live policies are read, compiled and cached per container as messages need them.
// POLICY_FILE's YAML was compiled to JSON when this bundle was packaged (src/policy/packaged.ts).
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const counters = createCounters(base, documents);
const runtime = {
  ...base,
  counters,
  store: createModerationStore(config, documents, counters),
  policyStore: createPolicyStore(base, documents),
  queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
  callbacks: new ChimeCallbackSender(oneAttemptChime(createChimeClients(clientSettings(config)))),
};
const seed = loadPackagedPolicySeed(resolvePolicyPath(config.policyFile));
export const handler = createWorkerHandler(runtime, createWorkerPolicies(runtime, seed.document, loadLivePolicySettings()));
