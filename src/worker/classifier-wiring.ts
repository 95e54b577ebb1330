import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChimeContextSource } from '../adapters/chime-context.js';
import type { ClassifierClients } from '../adapters/classifier-clients.js';
import { createClassifierProviders, type SecretReader } from '../adapters/classifier-providers.js';
import { InMemoryCircuitBreaker, type BreakerSettings, type BreakerState } from '../classifiers/breaker.js';
import { DynamoDbRateBudget, type BudgetLimits } from '../classifiers/budget.js';
import type { ClassifierRecord } from '../classifiers/record.js';
import type { Clock } from '../domain/ports.js';
import type { ClassifierSettings } from '../policy/classifiers.js';
import type { WorkerClassifiers } from './classify.js';

/**
 * The classifier stage's parts for one worker container, built once at cold start (the SDK
 * clients are built by the caller, once, and injected): the providers, the budget shared by every
 * container (the control table), the circuit breaker (per container: each container learns of an
 * outage from its own calls, within `consecutiveFailures` calls), and the context source.
 */
export interface WorkerClassifierOptions {
  clients: ClassifierClients;
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  /** Budget limits per provider key (src/classifiers/stage.ts budgetKeyOf): src/classifiers/budget.ts parseBudgets(CLASSIFIER_BUDGETS). */
  limits: Readonly<Record<string, BudgetLimits>>;
  /** The previous messages (src/adapters/chime-context.ts): Chime reads as `bearerArn`. Without it, classifiers get no context. */
  context?: { chime: ChimeSDKMessagingClient; bearerArn: string };
  breaker?: Partial<BreakerSettings>;
  /** Where an http classifier's bearer token is read from (SSM Parameter Store). */
  secrets?: SecretReader;
  policies: { classifiers(channelArn: string): readonly ClassifierSettings[] | Promise<readonly ClassifierSettings[]> };
  clock: Clock;
  onRecord?: (record: ClassifierRecord) => void;
  onBreakerChange?: (key: string, from: BreakerState, to: BreakerState) => void;
  onBudgetError?: (error: unknown, key: string) => void;
}

export function createWorkerClassifiers(options: WorkerClassifierOptions): WorkerClassifiers {
  const now = () => options.clock.now();
  return {
    settingsFor: (channelArn) => options.policies.classifiers(channelArn),
    stage: {
      providers: createClassifierProviders(options.clients, { ...(options.secrets ? { secrets: options.secrets } : {}) }),
      budget: new DynamoDbRateBudget(options.documents, {
        tableName: options.controlTableName,
        limits: options.limits,
        ...(options.onBudgetError ? { onError: options.onBudgetError } : {}),
      }),
      breaker: new InMemoryCircuitBreaker(options.breaker ?? {}, options.onBreakerChange ? (key, from, to) => options.onBreakerChange!(key, from, to) : undefined),
      ...(options.context ? { context: new ChimeContextSource(options.context.chime, options.context.bearerArn) } : {}),
      now,
      ...(options.onRecord ? { onRecord: options.onRecord } : {}),
    },
  };
}
