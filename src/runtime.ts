import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChimeCallbackSender, oneAttemptChime } from './adapters/chime-callback.js';
import { createAwsClients, type AwsClients, type ClientSettings } from './adapters/clients.js';
import { DynamoDbCounters } from './adapters/dynamodb-counters.js';
import { DynamoDbModerationStore, type DynamoDbStoreOptions } from './adapters/dynamodb-store.js';
import { DynamoDbPolicyStore } from './adapters/dynamodb-policy-store.js';
import type { PolicyStore } from './policy/store.js';
import { metricsObserver } from './adapters/metrics-observer.js';
import { SqsDeadLetters, SqsWorkQueue } from './adapters/sqs-queue.js';
import type { AppConfig } from './config.js';
import { systemClock, type CallbackSender, type Clock, type Counters, type DeadLetters, type ReviewStore, type StatisticsReader, type WorkQueue } from './domain/ports.js';
import { DEFAULT_LEASE_SECONDS, type DecisionObserver } from './pipeline/decide.js';

/**
 * The composition root: everything a handler needs, built once per container (per cold start
 * in Lambda, per stack locally) and passed in. Nothing below this constructs a client.
 */
export interface Runtime {
  config: AppConfig;
  clients: AwsClients;
  store: ReviewStore;
  /** Statistics counters (ControlTable, COUNTER#…): recorded by the store, flushed when an invocation ends. */
  counters: Counters & StatisticsReader;
  /** Live policies (ControlTable, POLICY#…). */
  policyStore: PolicyStore;
  queue: WorkQueue;
  deadLetters: DeadLetters;
  callbacks: CallbackSender;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Decisions and callback failures as metrics and error logs; pass it in every DecisionPathDeps. */
  observer: DecisionObserver;
  leaseSeconds: number;
}

export interface RuntimeOverrides {
  clients?: AwsClients;
  clock?: Clock;
  callbacks?: CallbackSender;
  leaseSeconds?: number;
  serviceName?: string;
  /** Powertools log level; defaults to POWERTOOLS_LOG_LEVEL, then INFO. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  store?: ReviewStore;
  counters?: Counters & StatisticsReader;
  policyStore?: PolicyStore;
  queue?: WorkQueue;
}

/** The moderation table's options from the configuration: every function derives the same keys. */
export function moderationStoreOptions(config: AppConfig, counters?: Counters): DynamoDbStoreOptions {
  return {
    tableName: config.tableName,
    retentionDays: config.retentionDays,
    keys: {
      statusShards: config.shards.status,
      auditShards: config.shards.audit,
      expiryMarginSeconds: config.expiryMarginSeconds,
      stuckAfterSeconds: config.stuckAfterSeconds,
    },
    ...(counters ? { counters } : {}),
  };
}

/** What every function has: its configuration, clock, logs, metrics and decision observer. */
export type RuntimeBase = Pick<Runtime, 'config' | 'clock' | 'logger' | 'metrics' | 'observer' | 'leaseSeconds'>;

/*
 * The parts of a runtime, one factory each, so that a function's index.ts (its composition root
 * in Lambda) builds exactly the clients and adapters it uses, and its bundle holds nothing else.
 * createRuntime below builds all of them, for the local stack and the tests.
 */

export function createRuntimeBase(config: AppConfig, overrides: Pick<RuntimeOverrides, 'clock' | 'leaseSeconds' | 'serviceName' | 'logLevel'> = {}): RuntimeBase {
  const serviceName = overrides.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'chime-flow-moderation';
  const logger = new Logger({ serviceName, ...(overrides.logLevel ? { logLevel: overrides.logLevel } : {}) });
  const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ChimeFlowModeration' });
  return {
    config,
    clock: overrides.clock ?? systemClock,
    logger,
    metrics,
    observer: metricsObserver(metrics, logger),
    leaseSeconds: overrides.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
  };
}

/** The clients' settings from the configuration: the region, and local endpoints when set. */
export function clientSettings(config: AppConfig): ClientSettings {
  return { region: config.region, endpoints: config.endpoints };
}

/** Statistics counters (ControlTable, COUNTER#…); a failed flush is a warning, never a failed invocation. */
export function createCounters(base: Pick<RuntimeBase, 'config' | 'logger'>, documents: DynamoDBDocumentClient): Counters & StatisticsReader {
  return new DynamoDbCounters(documents, {
    tableName: base.config.controlTableName,
    shards: base.config.shards.counters,
    onFlushError: (error, deltas) => base.logger.warn('Could not write statistics counters; the figures drift until the window passes', { deltas, error: String(error) }),
  });
}

/** The moderation table, recording statistics into `counters`. */
export function createModerationStore(config: AppConfig, documents: DynamoDBDocumentClient, counters: Counters): ReviewStore {
  return new DynamoDbModerationStore(documents, moderationStoreOptions(config, counters));
}

/** Live policies (ControlTable, POLICY#…). */
export function createPolicyStore(base: Pick<RuntimeBase, 'config' | 'logger'>, documents: DynamoDBDocumentClient): PolicyStore {
  return new DynamoDbPolicyStore(documents, { tableName: base.config.controlTableName, warn: (message, details) => base.logger.warn(message, details) });
}

/** Every part, every client: the local stack and the tests (each Lambda builds only its own parts). */
export function createRuntime(config: AppConfig, overrides: RuntimeOverrides = {}): Runtime {
  const clients = overrides.clients ?? createAwsClients(clientSettings(config));
  const base = createRuntimeBase(config, overrides);
  const counters = overrides.counters ?? createCounters(base, clients.documents);
  return {
    ...base,
    clients,
    counters,
    store: overrides.store ?? createModerationStore(config, clients.documents, counters),
    policyStore: overrides.policyStore ?? createPolicyStore(base, clients.documents),
    queue: overrides.queue ?? new SqsWorkQueue(clients.sqs, config.workQueueUrl),
    deadLetters: new SqsDeadLetters(clients.sqs, config.intakeDlqUrl),
    callbacks: overrides.callbacks ?? new ChimeCallbackSender(oneAttemptChime(clients)),
  };
}
