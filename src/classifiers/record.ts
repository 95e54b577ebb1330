/**
 * What the classifier stage records about each classifier of a message's scope, on the item's
 * verdict (`policy.classifiers`) and so in the audit log: enough to show a moderator why a
 * message was held (scores as bars next to thresholds), to replay a day on recorded scores
 * without calling the provider again, and to count what the classifiers cost.
 *
 *   DECIDED      the provider scored it; `action` is what the thresholds made of the scores
 *   SHADOW       scored by a `shadow: true` classifier: `action` is what it would have done; nothing applied
 *   UNAVAILABLE  no judgement in time (throttled, 5xx, timeout, open circuit, no budget): `path` taken
 *   REFUSED      the provider said no to this input (too large, a language it does not serve): `path` taken
 *   SKIPPED      never sent (the pre-screen's `reason`); `path` when the reason has one (LANGUAGE)
 */
import type { ClassifierProviderKind } from './ports.js';
import type { UnavailablePath } from '../policy/classifiers.js';

export type ClassifierOutcome = 'DECIDED' | 'SHADOW' | 'UNAVAILABLE' | 'REFUSED' | 'SKIPPED';

/** One threshold a score reached (or a Guardrails intervention, `label: INTERVENED`). */
export interface FiredThreshold {
  label: string;
  score: number;
  threshold: number;
  action: 'REVIEW' | 'DENY';
  /** Guardrails: the confidence level the score stands for. */
  level?: string;
}

export interface ClassifierRecord {
  /** The classifier's name in the policy; its rule id is `classifier:<name>`. */
  name: string;
  ruleId: string;
  provider: ClassifierProviderKind;
  /** The model or guardrail version that answered (`comprehend:DetectToxicContent`, `guardrail:<id>:<version>`). */
  model?: string;
  outcome: ClassifierOutcome;
  /** What it concluded (SHADOW: would have); for the other outcomes, the path's action (ALLOW for RULES_ONLY). */
  action: 'ALLOW' | 'REVIEW' | 'DENY';
  /** Set on a `shadow: true` classifier's record, whatever its outcome: nothing of it was applied. */
  shadow?: true;
  /** label → score in 0..1 (Comprehend's `Toxicity` is the overall score). */
  scores?: Record<string, number>;
  /** Guardrails: label → confidence level. */
  levels?: Record<string, string>;
  intervened?: boolean;
  /** The thresholds the scores were compared with (Guardrails' levels as their scores). */
  thresholds?: { review: Record<string, number>; deny: Record<string, number> };
  fired?: FiredThreshold[];
  /** The answer's latency (the provider's own measure), ms. */
  latencyMs?: number;
  /** Provider calls made for this message (retries included); 0 when none went. */
  attempts: number;
  /** Billing units of the answer that counted. */
  units?: number;
  /** Previous messages sent as context. */
  contextMessages?: number;
  /** Why the context could not be read (the message was judged without it). */
  contextUnavailable?: string;
  /** UNAVAILABLE, REFUSED, SKIPPED (LANGUAGE): the path the scope takes. */
  path?: UnavailablePath;
  /** UNAVAILABLE: THROTTLED | FAULT | TIMEOUT | CIRCUIT_OPEN | BUDGET; REFUSED: the error type; SKIPPED: the pre-screen's reason. */
  reason?: string;
  /** One sentence for a moderator. */
  detail?: string;
}
