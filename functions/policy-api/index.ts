import { createDynamoDbClients } from '../../src/adapters/clients.js';
import { DynamoDbModerationStore } from '../../src/adapters/dynamodb-store.js';
import { apiTokenSettings, loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { loadPackagedPolicySeed } from '../../src/policy/packaged.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createPolicyStore, createRuntimeBase, moderationStoreOptions } from '../../src/runtime.js';
import { createTokenVerifier } from '../../src/http/token-verifier.js';
import { createPolicyApiHandler } from './handler.js';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createClassifierClients } from '../../src/adapters/classifier-clients.js';
import { SsmSecretReader } from '../../src/adapters/ssm-secrets.js';
import { parseBudgets } from '../../src/classifiers/budget.js';
import { createPolicyApiClassifierStage } from '../../src/policy-api/classifiers.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies: the bundled POLICY_FILE is `global` (version 0) until one is stored; a bad file
// fails the cold start. Its YAML was compiled to JSON when this bundle was packaged.
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const settings = loadReviewApiSettings();
// As the review API: the token is verified again in here; a missing JWT_ISSUER fails the cold start.
const verifier = createTokenVerifier(apiTokenSettings(settings));
export const handler = createPolicyApiHandler(
  {
    ...base,
    policyStore: createPolicyStore(base, documents),
    // Read only (replays): no statistics counters, since nothing here writes an item.
    store: new DynamoDbModerationStore(documents, moderationStoreOptions(config)),
  },
  settings,
  {
    policySeed: loadPackagedPolicySeed(resolvePolicyPath(config.policyFile)).document,
    verifier,
    // The test box and capped replays call classifiers through the workers' budget (CLASSIFIER_BUDGETS,
    // the control table) and a breaker of this container's own; clients built once, here.
    classifiers: createPolicyApiClassifierStage({
      clients: createClassifierClients({ region: config.region }),
      documents,
      controlTableName: config.controlTableName,
      limits: parseBudgets(process.env.CLASSIFIER_BUDGETS),
      secrets: new SsmSecretReader(new SSMClient({ region: config.region, maxAttempts: 3 })),
      now: () => base.clock.now(),
      onBreakerChange: (key, from, to) => base.logger.warn('Classifier circuit changed state', { key, from, to }),
      onBudgetError: (error, key) => base.logger.warn('Classifier budget unreadable: the call is refused (fails closed)', { key, error: error instanceof Error ? error.message : String(error) }),
    }),
  },
);
