import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ChimeCallbackSender, oneAttemptChime } from '../adapters/chime-callback.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../adapters/clients.js';
import { DynamoDbCounters } from '../adapters/dynamodb-counters.js';
import { DynamoDbModerationStore } from '../adapters/dynamodb-store.js';
import { SqsWorkQueue } from '../adapters/sqs-queue.js';
import { loadLivePolicySettings, loadPipelineSettings, loadReviewApiSettings, type AppConfig, type ReviewApiSettings } from '../config.js';
import { ConfigurationError, PortInUseError } from '../errors.js';
import { systemClock, type Clock } from '../domain/ports.js';
import { loadInfraDefinitions } from '../infra/definitions.js';
import { deprovisionLocal, provisionLocal, resolveLocalNames, type ProvisionedResources } from '../infra/provision.js';
import { loadPolicySeed, resolvePolicyPath } from '../policy/index.js';
import type { LivePolicies } from '../policy/live.js';
import { createWorkerPolicies } from '../worker/live-policies.js';
import { senderGate } from '../worker/sender-gate.js';
import { LiveCommunityPolicies } from '../policy/live-community.js';
import type { CommunityPolicies, Notices } from '../domain/people.js';
import { createSenders } from '../senders/compose.js';
import { createNoticeParts } from '../notices/create.js';
import { createAppealParts } from '../appeals/create.js';
import { createRuntime, moderationStoreOptions, type Runtime } from '../runtime.js';
import { addSweepReports, type SweepReport } from '../sweeper/sweep.js';
import { createIntakeHandler } from '../../functions/intake/handler.js';
import { createSweeperHandler } from '../../functions/sweeper/handler.js';
import { createCasesSweeperTask } from '../reports/create.js';
import { createWorkerHandler } from '../../functions/worker/handler.js';
import { createReviewApiHandler } from '../../functions/review-api/handler.js';
import { createPolicyApiHandler } from '../../functions/policy-api/handler.js';
import { createConsoleHandler } from '../../functions/moderator-console/handler.js';
import type { ConsoleConfigDocument } from '../console-host/config-document.js';
import { localConfigDocument } from '../console-host/settings.js';
import { CONSOLE_DIST, CONSOLE_ROUTES } from './console.js';
import { POLICY_API_ROUTES } from './policy-api.js';
import { REVIEW_API_ROUTES } from '../api/tables.js';
import { startLocalHttpApi, type LocalHttpApi } from './http-api.js';
import { loadLocalIssuer, localIssuerUrl, type LocalIssuer } from './issuer.js';
import { createTokenVerifier } from '../http/token-verifier.js';
import { localLambdaInvoker, startChimeSimulator, type ChimeSimulator, type SimulatorFaults } from './chime-simulator.js';
import { startComprehendEmulator, type ComprehendEmulator } from './comprehend/index.js';
import { startBedrockRuntimeEmulator, type BedrockRuntimeEmulator } from './bedrock/index.js';
import { intakeInvokePolicy } from '../infra/invoke-permission.js';
import { projectFlow } from '../setup-flow/flow.js';
import { CrashFaults } from './faults.js';
import { injectStorageFaults, type StorageFaultCounts, type StorageFaultRates } from './storage-faults.js';
import { startInvokeEndpoint, type InvokeEndpoint } from './invoke-endpoint.js';
import { ACCOUNT_ID, currentInvocation, LocalLambda, sqsFailureDestination } from './lambda-runtime.js';
import { startSqsEventSource, type SqsEventSource } from './sqs-event-source.js';
import { startStorage } from './storage.js';
import { createClassifierClients, destroyClassifierClients } from '../adapters/classifier-clients.js';
import type { BreakerSettings } from '../classifiers/breaker.js';
import { parseBudgets, type BudgetLimits } from '../classifiers/budget.js';
import { createWorkerClassifiers } from '../worker/classifier-wiring.js';
import { createPolicyApiClassifierStage } from '../policy-api/classifiers.js';

/**
 * The whole system in one process: dynalite, local-aws-sqs, the Chime simulator, and the real
 * handlers wired as Lambda would wire them. `npm start` runs it; the end-to-end tests start one
 * per test file on ephemeral ports.
 */
export interface LocalStackOptions {
  host?: string;
  /** 0 picks a free port. Defaults: CHIME_PORT 4000, LAMBDA_PORT 3002. */
  chimePort?: number;
  lambdaPort?: number;
  /** The review API (API Gateway emulation). 0 picks a free port. Default API_PORT or 3000. */
  apiPort?: number;
  /**
   * The local JWT issuer's key pair: a file shared with `npm run token` (default
   * .local/jwt-signing-key.json), or null for an in-memory pair (tests).
   */
  issuerKeyFile?: string | null;
  /** Pipeline settings (CALLBACK_WINDOW_SECONDS, EXPIRY_*, POLICY_FILE …); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** External endpoints instead of the embedded servers (default: DYNAMODB_ENDPOINT / SQS_ENDPOINT from env). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /** Where the functions' Chime clients call (default CHIME_ENDPOINT, else the embedded emulator). */
  chimeEndpoint?: string;
  /** Prefix of the table and queue names; random by default so runs never collide. */
  namePrefix?: string;
  /**
   * Delete the tables and queues this stack made when it stops. Tests set it, so a run against
   * an external endpoint (DynamoDB Local, AWS) leaves nothing behind; `npm start` keeps them
   * for inspection (`npm run clean-local` removes leftovers by prefix).
   */
  deprovisionOnStop?: boolean;
  /** 0 disables the timer (tests call `sweepNow`). Default SWEEP_INTERVAL_SECONDS or 10. */
  sweepIntervalSeconds?: number;
  /** Visibility timeout the local event source asks for; default serverless.yml's. */
  workerVisibilityTimeoutSeconds?: number;
  workerConcurrency?: number;
  leaseSeconds?: number;
  /** Delays before intake's two async retries (Lambda waits about 1 and 2 minutes). */
  intakeRetryDelaysMs?: number[];
  faults?: Partial<SimulatorFaults>;
  /**
   * Storage faults on the functions' DynamoDB and SQS clients (src/local/storage-faults.ts):
   * requests dropped, answers lost after the server applied them. Default STORAGE_DROP_RATE and
   * STORAGE_LOSE_ANSWER_RATE, else none. Settable live through `storageFaults` on the stack.
   */
  storageFaults?: Partial<StorageFaultRates>;
  clock?: Clock;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  log?: (line: string) => void;
  /** A one-line trace of every callback Chime receives (npm start prints them). */
  traceCallbacks?: boolean;
  /**
   * The Chime emulator's strict mode: channels and memberships must be created, as in AWS, and
   * no flow is associated by itself (`npm run setup-flow` does it). Default CHIME_STRICT=1.
   */
  chimeStrict?: boolean;
  /** Bearers that act as AppInstanceAdmins in the emulator. Default CHIME_APP_INSTANCE_ADMINS (comma-separated). */
  chimeAppInstanceAdmins?: string[];
  /**
   * The review API's ChimeBearer for bans, redactions and deletions. Default CHIME_BEARER_ARN, else
   * `{appInstanceArn}/bot/review-api` (the channel's own AppInstance: in convenient mode anyone
   * there may manage a channel). null: none, and those routes answer 503.
   */
  chimeBearerArn?: string | null;
  /**
   * Make a bearer given as a whole ARN an AppInstanceAdmin in the emulator, as an operator makes
   * it in AWS (default true). A `{appInstanceArn}` bearer cannot be registered ahead: in strict
   * mode add it per AppInstance with CHIME_APP_INSTANCE_ADMINS.
   */
  chimeBearerIsAdmin?: boolean;
  /**
   * The moderation bot that sends notices (MODERATION_BOT_ARN; may start with `{appInstanceArn}/`).
   * Default MODERATION_BOT_ARN from the environment (`npm start` sets `{appInstanceArn}/bot/moderation`);
   * null: none (notices are recorded NOT_SENT).
   */
  moderationBotArn?: string | null;
  /** The built moderator console served at /console/ (default console/dist). */
  consoleDir?: string;
  /** How the console signs in (default: the local form); tests point it at an OIDC provider. */
  consoleConfig?: ConsoleConfigDocument;
  /**
   * The worker's classifier stage (issue 16): where the stock Comprehend and Bedrock runtime
   * clients call (the emulators in src/local/comprehend, src/local/bedrock), the budgets
   * (default CLASSIFIER_BUDGETS, else the default quotas) and the breaker. Without it the worker
   * has no classifiers: a policy's `classifiers:` section judges nothing.
   */
  classifiers?: { endpoints: { comprehend?: string; bedrockRuntime?: string }; limits?: Record<string, BudgetLimits>; breaker?: Partial<BreakerSettings> };
  /**
   * The classifier emulators' ports (src/local/comprehend, src/local/bedrock). Default
   * COMPREHEND_PORT / BEDROCK_RUNTIME_PORT, else ephemeral (`npm start` sets 4010 / 4020). An
   * endpoint left out of `classifiers.endpoints` is the stack's own emulator.
   */
  comprehendPort?: number;
  bedrockRuntimePort?: number;
  /** Requests per second each classifier emulator admits. Default CLASSIFIER_QUOTA, else 25. */
  classifierQuota?: number;
}

export interface LocalStack {
  endpoints: { chime: string; lambda: string; dynamodb: string; sqs: string; api: string; console: string; comprehend: string; bedrockRuntime: string };
  resources: ProvisionedResources;
  config: AppConfig;
  runtime: Runtime;
  clients: AwsClients;
  simulator: ChimeSimulator;
  /** The classifier emulators: fixtures, faults, quota and the call log (also over `/_emulator/*`). */
  comprehend: ComprehendEmulator;
  bedrockRuntime: BedrockRuntimeEmulator;
  lambda: LocalLambda;
  crashes: CrashFaults;
  /** The storage faults in force (change them live) and what they did. */
  storageFaults: { rates: StorageFaultRates; counts: { dynamodb: StorageFaultCounts; sqs: StorageFaultCounts } };
  /** The local identity provider the API's authorizer trusts; `mint` makes tokens. */
  issuer: LocalIssuer;
  reviewApi: ReviewApiSettings;
  /** The worker container's live-policy cache (one per stack, as one warm Lambda container). */
  workerPolicies: LivePolicies;
  /** Runs the sweeper now, through the same Lambda invocation path as the timer. */
  sweepNow(): Promise<SweepReport>;
  /** Messages waiting or in flight on a queue. */
  queueDepth(queue: 'work' | 'workDlq' | 'intakeDlq'): Promise<{ visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/** `STORAGE_DROP_RATE`, `STORAGE_LOSE_ANSWER_RATE`: storage faults for `npm start` (0 to 1). */
export function storageFaultsFromEnv(env: NodeJS.ProcessEnv): Partial<StorageFaultRates> {
  const rates: Partial<StorageFaultRates> = {};
  for (const [name, key] of [['STORAGE_DROP_RATE', 'dropRequestRate'], ['STORAGE_LOSE_ANSWER_RATE', 'loseAnswerRate']] as const) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigurationError(`Invalid configuration: ${name} must be a number from 0 to 1 (got "${raw}")`);
    rates[key] = value;
  }
  return rates;
}

/**
 * `CHIME_THROTTLE_RATE`, `CHIME_UNAVAILABLE_RATE`, `CHIME_DUPLICATE_INVOCATIONS`,
 * `CHIME_INVOKE_FAILURE_RATE`, `CHIME_CALLBACK_FORBIDDEN_RATE`, `CHIME_LOSE_ANSWER_RATE`: faults for `npm start`.
 */
export function simulatorFaultsFromEnv(env: NodeJS.ProcessEnv): Partial<SimulatorFaults> {
  const read = (name: string, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > max) throw new ConfigurationError(`Invalid configuration: ${name} must be a number from 0 to ${max} (got "${raw}")`);
    return value;
  };
  const faults: Partial<SimulatorFaults> = {};
  const throttle = read('CHIME_THROTTLE_RATE', 1);
  const unavailable = read('CHIME_UNAVAILABLE_RATE', 1);
  const duplicates = read('CHIME_DUPLICATE_INVOCATIONS', 10);
  const invokeFailures = read('CHIME_INVOKE_FAILURE_RATE', 1);
  const forbidden = read('CHIME_CALLBACK_FORBIDDEN_RATE', 1);
  const loseAnswers = read('CHIME_LOSE_ANSWER_RATE', 1);
  if (forbidden !== undefined) faults.callbackForbiddenRate = forbidden;
  if (loseAnswers !== undefined) faults.loseAnswerRate = loseAnswers;
  if (throttle !== undefined) faults.callbackThrottleRate = throttle;
  if (unavailable !== undefined) faults.callbackUnavailableRate = unavailable;
  if (duplicates !== undefined) faults.duplicateInvocations = Math.floor(duplicates);
  if (invokeFailures !== undefined) faults.invokeFailureRate = invokeFailures;
  return faults;
}

/** The functions' clients share one process locally: room for the connections many containers would open. */
const LOCAL_MAX_SOCKETS = 256;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  let started = false;

  try {
    // The deadline rules are checked against the sweep interval this stack runs (its timer).
    const sweepSeconds = options.sweepIntervalSeconds ?? Number(env.SWEEP_INTERVAL_SECONDS || 10);
    const pipeline = loadPipelineSettings({ ...env, SWEEP_INTERVAL_SECONDS: String(sweepSeconds) });
    const defs = loadInfraDefinitions();

    // Storage and queues: embedded unless an external endpoint is configured.
    const storage = await startStorage({
      env,
      host,
      ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
      ...(options.sqsEndpoint ? { sqsEndpoint: options.sqsEndpoint } : {}),
    });
    cleanups.push(() => storage.stop());
    const { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint } = storage.endpoints;
    const { credentials } = storage;
    const region = env.AWS_REGION || 'us-east-1';
    const setupClients = createAwsClients({ region, ...(credentials ? { credentials } : {}), endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint } });
    cleanups.push(async () => destroyAwsClients(setupClients));
    const prefix = options.namePrefix ?? `local-${randomBytes(4).toString('hex')}`;
    const resources = await provisionLocal({ dynamodb: setupClients.dynamodb, sqs: setupClients.sqs, names: resolveLocalNames(prefix), defs, log });
    // Runs before the clients are destroyed and after everything that uses the resources has
    // stopped. A stack that failed to start leaves nothing behind either: nothing can use them.
    cleanups.push(async () => {
      if (options.deprovisionOnStop || !started) await deprovisionLocal({ dynamodb: setupClients.dynamodb, sqs: setupClients.sqs, resources });
    });

    // Lambda, then the simulator that invokes it, then the clients that call the simulator back.
    const lambda = new LocalLambda(region);
    const chimeStrict = options.chimeStrict ?? env.CHIME_STRICT === '1';
    // Moderators' follow-up actions call Chime as this bearer; a whole ARN is made an admin.
    const chimeBearerArn = options.chimeBearerArn === undefined ? env.CHIME_BEARER_ARN || '{appInstanceArn}/bot/review-api' : options.chimeBearerArn;
    const appInstanceAdmins = [...(options.chimeAppInstanceAdmins ?? (env.CHIME_APP_INSTANCE_ADMINS ?? '').split(',').map((a) => a.trim()).filter(Boolean))];
    if (chimeBearerArn && !chimeBearerArn.includes('{appInstanceArn}') && (options.chimeBearerIsAdmin ?? true)) appInstanceAdmins.push(chimeBearerArn);
    cleanups.push(() => lambda.close());
    const clock = options.clock ?? systemClock;
    const simulator = await startChimeSimulator({
      port: options.chimePort ?? Number(env.CHIME_PORT || 4000),
      host,
      callbackWindowSeconds: pipeline.callbackWindowSeconds,
      // Convenient mode: a channel used before it was created gets the project's flow, whose
      // one processor is the local intake function. Strict mode: setup-flow associates it.
      invokeLambda: localLambdaInvoker(lambda, { checkResourcePolicy: chimeStrict }),
      defaultFlow: chimeStrict ? null : projectFlow({ service: defs.service, stage: 'local', intakeArn: lambda.arn('intake'), fallback: 'ABORT' }),
      strict: chimeStrict,
      appInstanceAdmins,
      now: () => clock.now(),
      faults: options.faults ?? simulatorFaultsFromEnv(env),
      log: (message, error) => log(`chime-simulator: ${message}${error ? ` (${String(error)})` : ''}`),
      ...(options.traceCallbacks
        ? {
            onCallback: (c) => {
              const action = c.deleteResource ? 'deny' : 'allow';
              const content = (c.channelMessage as { Content?: string } | undefined)?.Content;
              const outcome = c.outcome.errorType ? `${c.outcome.status} ${c.outcome.errorType}` : String(c.outcome.status);
              log(`callback ${c.callbackId.slice(0, 12)}… ${action.padEnd(5)} → ${outcome}${content !== undefined && !c.deleteResource ? `  "${content.length > 60 ? `${content.slice(0, 59)}…` : content}"` : ''}`);
            },
          }
        : {}),
    });
    cleanups.push(() => simulator.close());

    // The classifier emulators. Their scores come from fixtures and a development lexicon, not a
    // model (README "The local classifier emulators"); `local` is a guardrail to try things with.
    const classifierQuota = options.classifierQuota ?? (env.CLASSIFIER_QUOTA ? Number(env.CLASSIFIER_QUOTA) : undefined);
    if (classifierQuota !== undefined && !(Number.isInteger(classifierQuota) && classifierQuota >= 1)) {
      throw new ConfigurationError(`Invalid configuration: CLASSIFIER_QUOTA must be a positive integer (got "${env.CLASSIFIER_QUOTA ?? classifierQuota}")`);
    }
    const emulatorLog = (name: string) => (message: string, error?: unknown) => log(`${name}: ${message}${error ? ` (${String(error)})` : ''}`);
    const comprehendEmulator = await startComprehendEmulator({
      port: options.comprehendPort ?? Number(env.COMPREHEND_PORT || 0),
      host,
      ...(classifierQuota !== undefined ? { quota: classifierQuota } : {}),
      log: emulatorLog('comprehend-emulator'),
    });
    cleanups.push(() => comprehendEmulator.close());
    const bedrockRuntimeEmulator = await startBedrockRuntimeEmulator({
      port: options.bedrockRuntimePort ?? Number(env.BEDROCK_RUNTIME_PORT || 0),
      host,
      guardrails: [{ id: 'local', versions: ['DRAFT', '1'] }],
      ...(classifierQuota !== undefined ? { quota: classifierQuota } : {}),
      log: emulatorLog('bedrock-runtime-emulator'),
    });
    cleanups.push(() => bedrockRuntimeEmulator.close());

    // The functions' Chime clients: the emulator, or CHIME_ENDPOINT (a harness between them and
    // the emulator: a proxy that drops answers, a recorder).
    const chimeEndpoint = options.chimeEndpoint ?? (env.CHIME_ENDPOINT || simulator.endpoint);
    const clients = createAwsClients({ region, ...(credentials ? { credentials } : {}), endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint, chime: chimeEndpoint }, maxSockets: LOCAL_MAX_SOCKETS });
    cleanups.push(async () => destroyAwsClients(clients));
    // The moderation bot: in the emulator's convenient mode its first notice makes it a member of
    // the channel (strict mode: `npm run setup-flow -- --moderation-bot …` adds it).
    const { moderationBotArn: envBot, ...pipelineRest } = pipeline;
    const moderationBotArn = options.moderationBotArn === undefined ? envBot : (options.moderationBotArn ?? undefined);
    const config: AppConfig = {
      ...pipelineRest,
      ...(moderationBotArn ? { moderationBotArn } : {}),
      tableName: resources.tableName,
      controlTableName: resources.controlTableName,
      workQueueUrl: resources.workQueueUrl,
      intakeDlqUrl: resources.intakeDlqUrl,
      region,
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint, chime: chimeEndpoint },
    };
    const crashes = new CrashFaults();
    // Storage faults on the functions' own clients (not on the set-up clients above).
    const storageRates: StorageFaultRates = { dropRequestRate: 0, loseAnswerRate: 0, ...storageFaultsFromEnv(env), ...options.storageFaults };
    const storageFaults = {
      rates: storageRates,
      counts: { dynamodb: injectStorageFaults(clients.dynamodb, () => storageRates).counts, sqs: injectStorageFaults(clients.sqs, () => storageRates).counts },
    };
    const counters = new DynamoDbCounters(clients.documents, {
      tableName: config.controlTableName,
      shards: config.shards.counters,
      onFlushError: (error) => log(`statistics counters: ${String(error)}`),
      // One buffer per invocation, as one per Lambda container in AWS.
      scope: currentInvocation,
    });
    const runtime = createRuntime(config, {
      clients,
      clock,
      counters,
      store: crashes.store(new DynamoDbModerationStore(clients.documents, moderationStoreOptions(config, counters))),
      queue: crashes.queue(new SqsWorkQueue(clients.sqs, config.workQueueUrl)),
      callbacks: crashes.callbacks(new ChimeCallbackSender(oneAttemptChime(clients))),
      ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
      logLevel: options.logLevel ?? ((env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) || 'WARN'),
    });

    lambda.register('intake', createIntakeHandler(runtime), {
      timeoutSeconds: defs.intake.timeout,
      maximumRetryAttempts: defs.intake.maximumRetryAttempts,
      retryDelaysMs: options.intakeRetryDelaysMs ?? [1000, 2000],
      // Lambda's OnFailure destination: the same intake DLQ serverless.yml wires.
      onFailure: sqsFailureDestination(clients.sqs, resources.intakeDlqUrl),
      // What serverless.yml's IntakeChimeInvokePermission grants (local GetPolicy answers it).
      resourcePolicy: intakeInvokePolicy({ functionArn: lambda.arn('intake'), region, account: ACCOUNT_ID }),
    });
    // Live policies: POLICY_FILE stands in for `global` until one is stored; POLICY_REFRESH_SECONDS
    // bounds how long a stored change takes to reach the worker.
    const policySeed = loadPolicySeed(resolvePolicyPath(config.policyFile)).document;
    const workerPolicies = createWorkerPolicies(runtime, policySeed, loadLivePolicySettings(env));
    // The community settings of each channel's live policy, as the sweeper and the review API read them.
    const communityPolicies = () =>
      new LiveCommunityPolicies({ reader: runtime.policyStore, seed: policySeed, refreshSeconds: loadLivePolicySettings(env).refreshSeconds, clock, onStoreError: (error) => log(`community policies: ${String(error)}`) });
    // Strikes and restrictions (src/senders), one set per function as one per container in AWS:
    // bans as the same bearer as the review API's actions.
    const sendersFor = (policies: CommunityPolicies, notices?: Notices) =>
      createSenders({
        ...(notices ? { notices } : {}),
        ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
        documents: clients.documents,
        controlTableName: config.controlTableName,
        moderationTableName: config.tableName,
        chime: { reads: clients.chime, writes: clients.chimeWrites, ...(chimeBearerArn ? { bearerArn: chimeBearerArn } : {}) },
        policies,
        clock,
        retentionDays: config.retentionDays,
        warn: (message, details) => log(`senders: ${message} ${JSON.stringify(details)}`),
      });
    // Notices (src/notices), one set per function: the decisions' aftercare, the sweeper's retries.
    const noticesFor = (policies: CommunityPolicies, strikes: () => ReturnType<typeof sendersFor>['strikes']) =>
      createNoticeParts({
        documents: clients.documents,
        controlTableName: config.controlTableName,
        chimeWrites: clients.chimeWrites,
        items: runtime.store,
        policies,
        clock,
        ...(config.moderationBotArn ? { botArn: config.moderationBotArn } : {}),
        strikes: { record: (strike) => strikes().record(strike) },
        retentionDays: config.retentionDays,
        log: (level, message, details) => log(`notices: ${level}: ${message} ${JSON.stringify(details)}`),
      });
    // Each pair needs the other: the notices record the strikes a decision carries, the senders
    // send restriction notices (the strikes are only called once a decision is delivered).
    const sweeperPolicies = communityPolicies();
    const workerNotices = noticesFor(workerPolicies, () => workerSenders.strikes);
    const sweeperNotices = noticesFor(sweeperPolicies, () => sweeperSenders.strikes);
    const workerSenders = sendersFor(workerPolicies, workerNotices.notices);
    const sweeperSenders = sendersFor(sweeperPolicies, sweeperNotices.notices);
    const appealsFor = (policies: CommunityPolicies, senders: ReturnType<typeof sendersFor>, notices: ReturnType<typeof noticesFor>) =>
      createAppealParts({
        documents: clients.documents,
        controlTableName: config.controlTableName,
        store: runtime.store,
        communityPolicies: policies,
        strikeLedger: senders.strikes,
        senderRestrictions: senders.restrictions,
        notices: notices.notices,
        clock,
        retentionDays: config.retentionDays,
        warn: (message, details) => log(`appeals: ${message} ${JSON.stringify(details)}`),
      });
    // The classifier stage's clients, once per stack (one worker container): the emulators' endpoints.
    const classifierClients = options.classifiers
      ? createClassifierClients({ region, credentials: credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' }, endpoints: { comprehend: options.classifiers.endpoints.comprehend ?? comprehendEmulator.endpoint, bedrockRuntime: options.classifiers.endpoints.bedrockRuntime ?? bedrockRuntimeEmulator.endpoint } })
      : undefined;
    if (classifierClients) cleanups.push(async () => destroyClassifierClients(classifierClients));
    const contextBearer = config.moderationBotArn ?? chimeBearerArn ?? undefined;
    const workerClassifiers =
      options.classifiers && classifierClients
        ? createWorkerClassifiers({
            clients: classifierClients,
            documents: clients.documents,
            controlTableName: config.controlTableName,
            limits: options.classifiers.limits ?? parseBudgets(env.CLASSIFIER_BUDGETS),
            ...(options.classifiers.breaker ? { breaker: options.classifiers.breaker } : {}),
            ...(contextBearer ? { context: { chime: clients.chime, bearerArn: contextBearer } } : {}),
            policies: workerPolicies,
            clock,
            onBreakerChange: (key, from, to) => log(`classifiers: circuit ${key} ${from} → ${to}`),
          })
        : undefined;
    lambda.register(
      'worker',
      createWorkerHandler(runtime, workerPolicies, {
        ...(workerClassifiers ? { classifiers: workerClassifiers } : {}),
        gate: senderGate({
          ...(config.moderationBotArn ? { moderationBotArn: config.moderationBotArn } : {}),
          restrictions: workerSenders.restrictions,
          // An overturned appeal's allowance: the same content from the same sender in that channel is let through.
          allowances: appealsFor(workerPolicies, workerSenders, workerNotices).allowances,
        }),
        aftercare: workerNotices.aftercare,
      }),
      { timeoutSeconds: defs.worker.timeout },
    );
    lambda.register(
      'sweeper',
      createSweeperHandler(runtime, {
        aftercare: sweeperNotices.aftercare,
        tasks: [
          sweeperSenders.sweeperTask,
          sweeperNotices.sweeperTask,
          appealsFor(sweeperPolicies, sweeperSenders, sweeperNotices).sweeperTask,
          createCasesSweeperTask({
            documents: clients.documents,
            controlTableName: config.controlTableName,
            chimeWrites: clients.chimeWrites,
            ...(chimeBearerArn ? { chimeBearerArn } : {}),
            store: runtime.store,
            communityPolicies: sweeperPolicies,
            strikeLedger: sweeperSenders.strikes,
            notices: sweeperNotices.notices,
            clock,
            retentionDays: config.retentionDays,
            warn: (message, details) => log(`cases: ${message} ${JSON.stringify(details)}`),
          }),
        ],
      }),
      { timeoutSeconds: defs.sweeper.timeout },
    );

    // The review API: the same Lambda handler, behind a local HTTP API + JWT authorizer.
    // Without CURSOR_SECRET a per-process secret is fine: cursors only outlive a page or two.
    // Channel names: DescribeChannel as a user of the channel's own AppInstance, unless configured.
    const reviewApi = loadReviewApiSettings({
      ...env,
      CURSOR_SECRET: env.CURSOR_SECRET || randomBytes(32).toString('hex'),
      CHANNEL_NAME_BEARER: env.CHANNEL_NAME_BEARER || '{appInstanceArn}/user/review-api',
      CHIME_BEARER_ARN: chimeBearerArn ?? '',
    });
    // The moderator console: the same handler as in AWS, with the local sign-in instead of OIDC.
    const consoleConfig = options.consoleConfig ?? localConfigDocument({ moderator: reviewApi.moderatorGroup, admin: reviewApi.adminGroup });
    lambda.register('moderatorConsole', createConsoleHandler({ root: options.consoleDir ?? CONSOLE_DIST, config: async () => consoleConfig }), { timeoutSeconds: 10 });
    let issuer: LocalIssuer | undefined;
    const api: LocalHttpApi = await startLocalHttpApi({
      lambda,
      functionName: 'reviewApi',
      routes: REVIEW_API_ROUTES,
      issuer: () => issuer!,
      port: options.apiPort ?? Number(env.API_PORT || 3000),
      host,
      now: () => clock.now(),
      functionRoutes: [
        ...CONSOLE_ROUTES.map((route) => ({ ...route, functionName: 'moderatorConsole' })),
        ...POLICY_API_ROUTES.map((route) => ({ ...route, functionName: 'policyApi', authorizer: true })),
      ],
      localTokenEndpoint: true,
    });
    cleanups.push(() => api.close());
    issuer = await loadLocalIssuer({
      issuer: reviewApi.jwtIssuer ?? localIssuerUrl(host, api.port),
      audience: reviewApi.jwtAudience,
      groupsClaim: reviewApi.groupsClaim,
      ...(options.issuerKeyFile !== undefined ? { keyFile: options.issuerKeyFile } : {}),
    });
    // The API functions verify every token again (the authorizer's claims flatten groups), as in
    // AWS: for the local issuer (JWT_ISSUER, else this API's origin, known only now that it
    // listens) with the key set this API serves, which is what the local authorizer trusts. One
    // verifier per function, as one per Lambda container; on the stack's clock, as the authorizer.
    const tokens = { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: `${api.endpoint}/.well-known/jwks.json`, now: () => clock.now() };
    lambda.register('reviewApi', createReviewApiHandler(runtime, reviewApi, { verifier: createTokenVerifier(tokens), people: { communityPolicies: communityPolicies() } }), {
      timeoutSeconds: defs.reviewApi.timeout,
    });
    // Live policies: their own function behind the same API (POLICY_FILE is `global` until one is stored).
    lambda.register(
      'policyApi',
      createPolicyApiHandler(runtime, reviewApi, {
        policySeed: loadPolicySeed(resolvePolicyPath(config.policyFile)).document,
        verifier: createTokenVerifier(tokens),
        // The test box and capped replays: the same clients and shared budget as the worker, a breaker of its own (another container).
        ...(options.classifiers && classifierClients
          ? {
              classifiers: createPolicyApiClassifierStage({
                clients: classifierClients,
                documents: clients.documents,
                controlTableName: config.controlTableName,
                limits: options.classifiers.limits ?? parseBudgets(env.CLASSIFIER_BUDGETS),
                ...(options.classifiers.breaker ? { breaker: options.classifiers.breaker } : {}),
                now: () => clock.now(),
                onBreakerChange: (key, from, to) => log(`classifiers (policy API): circuit ${key} ${from} → ${to}`),
              }),
            }
          : {}),
      }),
      { timeoutSeconds: defs.policyApi.timeout },
    );

    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.workQueueUrl, AttributeNames: ['All'] })))
      .Attributes?.QueueArn;
    const eventSource: SqsEventSource = startSqsEventSource({
      sqs: clients.sqs,
      queueUrl: resources.workQueueUrl,
      queueArn: queueArn ?? `arn:aws:sqs:${region}:000000000000:${prefix}-work`,
      batchSize: defs.worker.eventSource.batchSize,
      concurrency: options.workerConcurrency ?? 2,
      ...(options.workerVisibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: options.workerVisibilityTimeoutSeconds } : {}),
      invoke: (event) => lambda.invoke('worker', event),
      onError: (error) => log(`worker event source: ${String(error)}`),
    });
    cleanups.push(() => eventSource.stop());
    // Lambda's pollers notice new messages within milliseconds; ours back off while the queue is
    // idle (to spare the CPU), so a send to the work queue wakes them at once.
    clients.sqs.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const result = await next(args);
        if (context.commandName === 'SendMessageCommand' || context.commandName === 'SendMessageBatchCommand') eventSource.wake();
        return result;
      }) as never,
      { step: 'initialize', name: 'wakeWorkerPollers' },
    );

    // As EventBridge does in AWS: one invocation per shard group of the fan-out, all at once,
    // with the schedule's input (serverless.yml); their reports are added up.
    const sweepNow = async (): Promise<SweepReport> => {
      const groups = defs.sweeper.shardGroups;
      const reports = await Promise.all(
        Array.from({ length: groups }, async (_, shardGroup) => {
          const result = await lambda.invoke('sweeper', { shardGroup, shardGroups: groups });
          if (!result.ok) throw new Error(`Sweeper failed: ${result.error.errorType}: ${result.error.errorMessage}`);
          return result.payload as SweepReport;
        }),
      );
      return addSweepReports(reports);
    };
    if (sweepSeconds > 0) {
      let sweeping = false;
      const timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        sweepNow()
          .then((report) => {
            const acted = report.expiryDecisions + report.expired + report.requeued + report.redelivered;
            if (acted > 0 || report.errors.length > 0) log(`sweeper: ${JSON.stringify(report)}`);
          })
          .catch((error) => log(String(error)))
          .finally(() => (sweeping = false));
      }, sweepSeconds * 1000);
      cleanups.push(async () => clearInterval(timer));
    }

    const invoke: InvokeEndpoint = await startInvokeEndpoint(lambda, { port: options.lambdaPort ?? Number(env.LAMBDA_PORT || 3002), host });
    cleanups.push(() => invoke.close());

    const queueUrls = { work: resources.workQueueUrl, workDlq: resources.workDlqUrl, intakeDlq: resources.intakeDlqUrl };
    started = true;
    return {
      endpoints: {
        chime: simulator.endpoint,
        lambda: invoke.endpoint,
        dynamodb: dynamodbEndpoint,
        sqs: sqsEndpoint,
        api: api.endpoint,
        console: `${api.endpoint}/console/`,
        comprehend: comprehendEmulator.endpoint,
        bedrockRuntime: bedrockRuntimeEmulator.endpoint,
      },
      resources,
      config,
      runtime,
      clients,
      simulator,
      comprehend: comprehendEmulator,
      bedrockRuntime: bedrockRuntimeEmulator,
      lambda,
      crashes,
      storageFaults,
      issuer,
      reviewApi,
      workerPolicies,
      sweepNow,
      async queueDepth(queue) {
        const attributes = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls[queue], AttributeNames: ['All'] }))).Attributes ?? {};
        return { visible: Number(attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw portInUse(error, [
      ['CHIME_PORT', options.chimePort ?? Number(env.CHIME_PORT || 4000)],
      ['API_PORT', options.apiPort ?? Number(env.API_PORT || 3000)],
      ['LAMBDA_PORT', options.lambdaPort ?? Number(env.LAMBDA_PORT || 3002)],
      ['COMPREHEND_PORT', options.comprehendPort ?? Number(env.COMPREHEND_PORT || 0)],
      ['BEDROCK_RUNTIME_PORT', options.bedrockRuntimePort ?? Number(env.BEDROCK_RUNTIME_PORT || 0)],
    ]);
  }
}

/** EADDRINUSE on one of our ports, as a one-line error naming the variable that moves it. */
function portInUse(error: unknown, ports: ReadonlyArray<readonly [string, number]>): unknown {
  const err = error as NodeJS.ErrnoException & { port?: number };
  if (err?.code !== 'EADDRINUSE') return error;
  const variable = ports.find(([, port]) => port === err.port)?.[0];
  return variable ? new PortInUseError(variable, err.port!, { cause: error }) : error;
}
