import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { apiTokenSettings, loadConfig, loadReviewApiSettings } from '../../src/config.js';
import { clientSettings, createCounters, createModerationStore, createRuntimeBase } from '../../src/runtime.js';
import { createTokenVerifier } from '../../src/http/token-verifier.js';
import { createReviewApiHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// Live policies are the policy API's (functions/policy-api): this function neither reads nor
// writes them.
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
    clients: chime,
    counters,
    store: createModerationStore(config, documents, counters),
    queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
    callbacks: new ChimeCallbackSender(oneAttemptChime(chime)),
  },
  settings,
  { verifier },
);
