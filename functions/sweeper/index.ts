import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig, loadLivePolicySettings } from '../../src/config.js';
import { LiveCommunityPolicies } from '../../src/policy/live-community.js';
import { loadPackagedPolicySeedDocument } from '../../src/policy/packaged-document.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { createSenders } from '../../src/senders/compose.js';
import { clientSettings, createCounters, createModerationStore, createPolicyStore, createRuntimeBase } from '../../src/runtime.js';
import { createAppealParts } from '../../src/appeals/create.js';
import { createNoticeParts } from '../../src/notices/create.js';
import { createCasesSweeperTask } from '../../src/reports/create.js';
import { createSweeperHandler } from './handler.js';

// Lambda entry point: configuration is validated and clients are built once, at cold start.
// The sweeper's own: DynamoDB (table, counters), SQS (requeue), Chime (expiry decisions, re-drives).
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const counters = createCounters(base, documents);
const chime = createChimeClients(clientSettings(config));
// The community settings of each channel's live policy (escalation, approvals…), without the rules.
const communityPolicies = new LiveCommunityPolicies({
  reader: createPolicyStore(base, documents),
  seed: loadPackagedPolicySeedDocument(resolvePolicyPath(config.policyFile)),
  refreshSeconds: loadLivePolicySettings().refreshSeconds,
  clock: base.clock,
  onStoreError: (error, details) => base.logger.warn('Could not check the live policies; using the last good ones', { ...details, error: String(error) }),
});
const store = createModerationStore(config, documents, counters);
// Notices (src/notices): the expiry decisions' aftercare, and the task that retries notices and
// finishes an aftercare a crash interrupted. Their strikes go to the senders room's ledger.
const notices = createNoticeParts({
  documents,
  controlTableName: config.controlTableName,
  chimeWrites: chime.chimeWrites,
  items: store,
  policies: communityPolicies,
  clock: base.clock,
  ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
  strikes: { record: (strike) => senders.strikes.record(strike) },
  retentionDays: config.retentionDays,
  log: (level, message, details) => base.logger[level](message, details),
});
// Strikes and restrictions (src/senders): the sweeper ends timed ones and settles their Chime calls.
const senders = createSenders({
  notices: notices.notices,
  ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
  documents,
  controlTableName: config.controlTableName,
  chime: { reads: chime.chime, writes: chime.chimeWrites, ...(config.chimeBearerArn ? { bearerArn: config.chimeBearerArn } : {}) },
  policies: communityPolicies,
  clock: base.clock,
  retentionDays: config.retentionDays,
  warn: (message, details) => base.logger.warn(message, details),
});
export const handler = createSweeperHandler(
  {
    ...base,
    counters,
    store,
    queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
    callbacks: new ChimeCallbackSender(oneAttemptChime(chime)),
  },
  {
    aftercare: notices.aftercare,
    tasks: [
      senders.sweeperTask,
      notices.sweeperTask,
      // Appeals whose outcome's effects are owed (src/appeals).
      createAppealParts({
        documents,
        controlTableName: config.controlTableName,
        store,
        communityPolicies,
        strikeLedger: senders.strikes,
        senderRestrictions: senders.restrictions,
        notices: notices.notices,
        clock: base.clock,
        retentionDays: config.retentionDays,
        warn: (message, details) => base.logger.warn(message, details),
      }).sweeperTask,
      // Decided cases whose consequences are owed, reports their case could not count yet (src/reports).
      createCasesSweeperTask({
        documents,
        controlTableName: config.controlTableName,
        chimeWrites: chime.chimeWrites,
        ...(config.chimeBearerArn ? { chimeBearerArn: config.chimeBearerArn } : {}),
        store,
        communityPolicies,
        strikeLedger: senders.strikes,
        notices: notices.notices,
        clock: base.clock,
        retentionDays: config.retentionDays,
        warn: (message, details) => base.logger.warn(message, details),
      }),
    ],
  },
);
