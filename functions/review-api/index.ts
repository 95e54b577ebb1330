import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { apiTokenSettings, loadConfig, loadLivePolicySettings, loadReviewApiSettings } from '../../src/config.js';
import { LiveCommunityPolicies } from '../../src/policy/live-community.js';
import { loadPackagedPolicySeedDocument } from '../../src/policy/packaged-document.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createCounters, createModerationStore, createPolicyStore, createRuntimeBase } from '../../src/runtime.js';
import { createTokenVerifier } from '../../src/http/token-verifier.js';
import { createReviewApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies are the policy API's (functions/policy-api): this function only reads their
// community settings (LiveCommunityPolicies: no rule is compiled here).
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const chime = createChimeClients(clientSettings(config));
const counters = createCounters(base, documents);
const settings = loadReviewApiSettings();
// The token is verified again in here (the authorizer's claims flatten groups); a missing
// JWT_ISSUER fails the cold start. One verifier per container: the issuer's keys are fetched once.
const verifier = createTokenVerifier(apiTokenSettings(settings));
export const handler = createReviewApiHandler(
  {
    ...base,
    clients: { ...chime, documents },
    counters,
    store: createModerationStore(config, documents, counters),
    queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
    callbacks: new ChimeCallbackSender(oneAttemptChime(chime)),
  },
  settings,
  {
    verifier,
    people: {
      // The community settings of each channel's live policy (reports, escalation, approvals, canned reasons), without the rules.
      communityPolicies: new LiveCommunityPolicies({
        reader: createPolicyStore(base, documents),
        seed: loadPackagedPolicySeedDocument(resolvePolicyPath(config.policyFile)),
        refreshSeconds: loadLivePolicySettings().refreshSeconds,
        clock: base.clock,
        onStoreError: (error, details) => base.logger.warn('Could not check the live policies; using the last good ones', { ...details, error: String(error) }),
      }),
    },
  },
);
