/**
 * The ports of machine judgement (issue 16): what a classifier provider answers, the shared
 * budget that keeps the stack under the account's quota, and the circuit breaker that keeps an
 * outage from adding a timeout to every message. Providers live in src/adapters/classifier-*.ts,
 * the budget in src/classifiers/budget.ts (a DynamoDB-backed limiter shared by all workers), the
 * stage that uses them in src/classifiers/stage.ts.
 */

export type ClassifierProviderKind = 'comprehend-toxicity' | 'bedrock-guardrail' | 'http';

export interface ClassifyRequest {
  /** The message's text (after the rules' normalisation, before masking). */
  text: string;
  /** The previous messages, oldest first, sent the way the provider reads context. */
  context: readonly string[];
  /** Epoch ms by which an answer is needed (the message's deadline budget); later is UNAVAILABLE/TIMEOUT. */
  answerBy: number;
}

/**
 *   SCORED       the provider judged it: label → score in 0..1 (Comprehend's `Toxicity` is the
 *                overall score; Guardrails confidences map NONE 0, LOW 1/3, MEDIUM 2/3, HIGH 1,
 *                with the level kept in `levels`), `intervened` for Guardrails
 *   REFUSED      a definite no for this input (TextSizeLimitExceeded, UnsupportedLanguage, a
 *                validation error): asking again cannot help
 *   UNAVAILABLE  no judgement now (throttled, 5xx, timeout, open circuit, no budget left): the
 *                stage takes the scope's `onUnavailable` path
 */
export type ClassifyAnswer =
  | {
      kind: 'SCORED';
      scores: Record<string, number>;
      levels?: Record<string, 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH'>;
      intervened?: boolean;
      /** The model or guardrail version that answered (e.g. `comprehend:DetectToxicContent`, `guardrail:<id>:<version>`). */
      model: string;
      latencyMs: number;
      /** Billing units this call consumed (Comprehend: 100-character units, 3 minimum; Guardrails: 1,000-character text units). */
      units: number;
    }
  | { kind: 'REFUSED'; errorType: string; message: string }
  | { kind: 'UNAVAILABLE'; reason: 'THROTTLED' | 'FAULT' | 'TIMEOUT' | 'CIRCUIT_OPEN' | 'BUDGET'; message: string };

export interface ClassifierProvider {
  readonly kind: ClassifierProviderKind;
  /** Never throws: every failure is an answer. */
  classify(request: ClassifyRequest): Promise<ClassifyAnswer>;
}

/** What one call costs against a provider's quota. */
export interface BudgetCost {
  requests: number;
  textUnits: number;
}

/**
 * A rate limit shared by every worker container (requests/s and text units/s per provider key).
 * `take` either grants the cost now or says when to ask again; it never waits itself.
 */
export interface RateBudget {
  take(key: string, cost: BudgetCost, nowMs: number): Promise<{ granted: true } | { granted: false; retryAfterMs: number }>;
}

/** Per provider key: CLOSED (calls go), OPEN (calls are UNAVAILABLE/CIRCUIT_OPEN at once), HALF_OPEN (one probe goes). */
export interface CircuitBreaker {
  /** May a call go now? In HALF_OPEN, true for one probe at a time. */
  allow(key: string, nowMs: number): boolean;
  succeeded(key: string, nowMs: number): void;
  failed(key: string, nowMs: number): void;
  state(key: string, nowMs: number): 'CLOSED' | 'OPEN' | 'HALF_OPEN';
}
