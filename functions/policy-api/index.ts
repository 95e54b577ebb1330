import { createDynamoDbClients } from '../../src/adapters/clients.js';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import { loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { loadPackagedPolicySeed } from '../../src/policy/packaged.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createPolicyStore, createRuntimeBase, moderationStoreOptions } from '../../src/runtime.js';
import { createPolicyApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies: the bundled POLICY_FILE is `global` (version 0) until one is stored; a bad file
// fails the cold start. Its YAML was compiled to JSON when this bundle was packaged.
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
export const handler = createPolicyApiHandler(
  {
    ...base,
    policyStore: createPolicyStore(base, documents),
    // Read only (replays): no statistics counters, since nothing here writes an item.
    store: new DynamoDbModerationStore(documents, moderationStoreOptions(config)),
  },
  loadReviewApiSettings(),
  { policySeed: loadPackagedPolicySeed(resolvePolicyPath(config.policyFile)).document },
);
