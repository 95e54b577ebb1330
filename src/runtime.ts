import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ChimeCallbackSender } from './adapters/chime-callback.js';
import { createAwsClients, type AwsClients } from './adapters/clients.js';
import { DynamoDbModerationStore } from './adapters/dynamodb-store.js';
import { SqsDeadLetters, SqsWorkQueue } from './adapters/sqs-queue.js';
import type { AppConfig } from './config.js';
import { systemClock, type CallbackSender, type Clock, type DeadLetters, type ReviewStore, type WorkQueue } from './domain/ports.js';
import { DEFAULT_LEASE_SECONDS } from './pipeline/decide.js';

/**
 * The composition root: everything a handler needs, built once per container (per cold start
 * in Lambda, per stack locally) and passed in. Nothing below this constructs a client.
 */
export interface Runtime {
  config: AppConfig;
  clients: AwsClients;
  store: ReviewStore;
  queue: WorkQueue;
  deadLetters: DeadLetters;
  callbacks: CallbackSender;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
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
  queue?: WorkQueue;
}

export function createRuntime(config: AppConfig, overrides: RuntimeOverrides = {}): Runtime {
  const clients = overrides.clients ?? createAwsClients({ region: config.region, endpoints: config.endpoints });
  const serviceName = overrides.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'chime-flow-moderation';
  return {
    config,
    clients,
    store: overrides.store ?? new DynamoDbModerationStore(clients.documents, { tableName: config.tableName, retentionDays: config.retentionDays }),
    queue: overrides.queue ?? new SqsWorkQueue(clients.sqs, config.workQueueUrl),
    deadLetters: new SqsDeadLetters(clients.sqs, config.intakeDlqUrl),
    callbacks: overrides.callbacks ?? new ChimeCallbackSender(clients.chime),
    clock: overrides.clock ?? systemClock,
    logger: new Logger({ serviceName, ...(overrides.logLevel ? { logLevel: overrides.logLevel } : {}) }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ChimeFlowModeration' }),
    leaseSeconds: overrides.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
  };
}
