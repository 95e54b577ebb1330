import { ChimeCallbackSender, oneAttemptChime } from '../../src/adapters/chime-callback.js';
import { createChimeClients, createDynamoDbClients, createSqsClient } from '../../src/adapters/clients.js';
import { SqsWorkQueue } from '../../src/adapters/sqs-queue.js';
import { loadConfig, loadLivePolicySettings } from '../../src/config.js';
import { loadPackagedPolicySeed } from '../../src/policy/packaged.js';
import { resolvePolicyPath } from '../../src/policy/read.js';
import { clientSettings, createCounters, createModerationStore, createPolicyStore, createRuntimeBase } from '../../src/runtime.js';
import { createWorkerPolicies } from '../../src/worker/live-policies.js';
import { createSenders } from '../../src/senders/compose.js';
import { senderGate } from '../../src/worker/sender-gate.js';
import { ControlAllowances } from '../../src/adapters/control-allowances.js';
import { ControlRecords } from '../../src/adapters/control-records.js';
import { createNoticeParts } from '../../src/notices/create.js';
import { createWorkerHandler } from './handler.js';
import { createClassifierClients } from '../../src/adapters/classifier-clients.js';
import { createWorkerClassifiers } from '../../src/worker/classifier-wiring.js';
import { parseBudgets } from '../../src/classifiers/budget.js';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSecretReader } from '../../src/adapters/ssm-secrets.js';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

// Lambda entry point: configuration is validated, clients are built and the bundled policy is
// validated once, at cold start (a bad POLICY_FILE stops the container with a message naming
// it). Stored live policies are read, compiled and cached per container as messages need them.
// POLICY_FILE's YAML was compiled to JSON when this bundle was packaged (src/policy/packaged.ts).
const config = loadConfig();
const base = createRuntimeBase(config);
const { documents } = createDynamoDbClients(clientSettings(config));
const counters = createCounters(base, documents);
const chime = createChimeClients(clientSettings(config));
const runtime = {
  ...base,
  counters,
  store: createModerationStore(config, documents, counters),
  policyStore: createPolicyStore(base, documents),
  queue: new SqsWorkQueue(createSqsClient(clientSettings(config)), config.workQueueUrl),
  callbacks: new ChimeCallbackSender(oneAttemptChime(chime)),
};
const seed = loadPackagedPolicySeed(resolvePolicyPath(config.policyFile));
const policies = createWorkerPolicies(runtime, seed.document, loadLivePolicySettings());
// Notices to senders as MODERATION_BOT_ARN (src/notices): the decisions' aftercare records a DENY
// or UPDATE's notice with the decision, and sends it (and records its strike) once Chime confirmed it.
const notices = createNoticeParts({
  documents,
  controlTableName: config.controlTableName,
  chimeWrites: chime.chimeWrites,
  items: runtime.store,
  policies,
  clock: base.clock,
  ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
  // The ledger is the senders room's (below); it is only called once a decision is delivered.
  strikes: { record: (strike) => senders.strikes.record(strike) },
  retentionDays: config.retentionDays,
  log: (level, message, details) => base.logger[level](message, details),
});
// Strikes and restrictions (src/senders): the gate asks them before the policy, and the strike
// ledger (for the decisions' aftercare) imposes escalation steps in this same container, so a
// new restriction takes effect here at once. Bans as CHIME_BEARER_ARN.
const senders = createSenders({
  notices: notices.notices,
  ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
  documents,
  controlTableName: config.controlTableName,
  chime: { reads: chime.chime, writes: chime.chimeWrites, ...(config.chimeBearerArn ? { bearerArn: config.chimeBearerArn } : {}) },
  policies,
  clock: base.clock,
  retentionDays: config.retentionDays,
  warn: (message, details) => base.logger.warn(message, details),
});
// Machine judgement (src/worker/classify.ts): the providers' clients built once here; the budget
// shared by every container in the control table (CLASSIFIER_BUDGETS); context read from Chime as
// the moderation bot (or CHIME_BEARER_ARN). A policy without `classifiers:` makes no call at all.
const contextBearer = config.moderationBotArn ?? config.chimeBearerArn;
const classifiers = createWorkerClassifiers({
  clients: createClassifierClients({ region: config.region }),
  documents,
  controlTableName: config.controlTableName,
  limits: parseBudgets(process.env.CLASSIFIER_BUDGETS),
  // An `http` classifier's token: read from SSM Parameter Store (SecureString) when first needed, never from the environment.
  secrets: new SsmSecretReader(new SSMClient({ region: config.region, maxAttempts: 3 })),
  ...(contextBearer ? { context: { chime: chime.chime, bearerArn: contextBearer } } : {}),
  policies,
  clock: base.clock,
  onRecord: (record) => {
    base.metrics.addMetric(`Classifier${record.outcome}`, MetricUnit.Count, 1);
    if (record.latencyMs !== undefined) base.metrics.addMetric('ClassifierLatencyMs', MetricUnit.Milliseconds, record.latencyMs);
  },
  onBreakerChange: (key, from, to) => base.logger.warn('Classifier circuit changed state', { key, from, to }),
  onBudgetError: (error, key) => base.logger.warn('Classifier budget unreadable: the call is refused (fails closed)', { key, error: error instanceof Error ? error.message : String(error) }),
});
export const handler = createWorkerHandler(runtime, policies, {
  classifiers,
  gate: senderGate({
    ...(config.moderationBotArn ? { moderationBotArn: config.moderationBotArn } : {}),
    restrictions: senders.restrictions,
    // An overturned appeal's allowance: the same content from the same sender in that channel is let through.
    allowances: new ControlAllowances(new ControlRecords(documents, config.controlTableName), base.clock),
  }),
  aftercare: notices.aftercare,
});
