/**
 * How every classifier adapter turns a failure into an answer (ClassifyAnswer in
 * src/classifiers/ports.ts). One rule for all providers:
 *
 *   our deadline passed (the AbortSignal from `answerBy`) .......... UNAVAILABLE / TIMEOUT
 *   throttled (ThrottlingException, TooManyRequestsException, 429,
 *     ServiceQuotaExceededException) .............................. UNAVAILABLE / THROTTLED
 *   the service failed (5xx, a reset or refused connection, an
 *     answer we cannot read) ....................................... UNAVAILABLE / FAULT
 *   our configuration is wrong, not the input (AccessDenied, an
 *     unknown guardrail, 401/403/404 from an http provider) ......... UNAVAILABLE / FAULT
 *     (every message would get it: the circuit breaker should open and `onUnavailable` apply)
 *   the input is refused (TextSizeLimitExceeded, UnsupportedLanguage,
 *     Validation, InvalidRequest, other 4xx) ....................... REFUSED
 *
 * A classifier call changes nothing on the provider's side, so an answer lost on the way
 * (invariant 6's "unknown") is simply no judgement: UNAVAILABLE, and asking again is safe.
 */
import type { ClassifyAnswer } from '../classifiers/ports.js';

type Unavailable = Extract<ClassifyAnswer, { kind: 'UNAVAILABLE' }>;
type Refused = Extract<ClassifyAnswer, { kind: 'REFUSED' }>;

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceQuotaExceededException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded']);
const CONFIGURATION = new Set(['AccessDeniedException', 'ResourceNotFoundException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'UnknownOperationException']);

export const unavailable = (reason: Unavailable['reason'], message: string): Unavailable => ({ kind: 'UNAVAILABLE', reason, message });
export const refused = (errorType: string, message: string): Refused => ({ kind: 'REFUSED', errorType, message });

/** A failed AWS SDK call, classified. `timedOut` is whether our own signal fired. */
export function answerForSdkError(error: unknown, timedOut: boolean): Unavailable | Refused {
  const err = (error ?? {}) as { name?: string; message?: string; $fault?: 'client' | 'server'; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  const message = err.message ?? String(error);
  const status = err.$metadata?.httpStatusCode;
  // Only our own signal says TIMEOUT: the SDK names a reset connection `TimeoutError` (ECONNRESET).
  if (timedOut) return unavailable('TIMEOUT', `No answer before the message's deadline (${message})`);
  if (THROTTLING.has(name) || status === 429) return unavailable('THROTTLED', `${name}: ${message}`);
  if (CONFIGURATION.has(name)) return unavailable('FAULT', `${name} (a configuration problem, not this message): ${message}`);
  // Only a 4xx answer is a refusal. No status (reset, refused, DNS), a 5xx, or a 2xx we could
  // not read is the service's fault, not this message's.
  if (status !== undefined && status >= 400 && status < 500 && err.$fault !== 'server') return refused(name, message);
  return unavailable('FAULT', `${name}: ${message}`);
}

/** An http provider's answer status, classified the same way. */
export function answerForHttpStatus(status: number, body: string): Unavailable | Refused {
  const detail = body.slice(0, 200);
  if (status === 429) return unavailable('THROTTLED', `HTTP 429: ${detail}`);
  if (status >= 500) return unavailable('FAULT', `HTTP ${status}: ${detail}`);
  if (status === 401 || status === 403 || status === 404) return unavailable('FAULT', `HTTP ${status} (a configuration problem, not this message): ${detail}`);
  return refused(`HTTP${status}`, detail);
}

/**
 * The signal that ends a call at `answerBy`, and whether it was the one that ended it. A
 * deadline already past yields no signal: the caller answers TIMEOUT without calling.
 */
export function deadlineSignal(answerBy: number, nowMs: number): { signal: AbortSignal; fired: () => boolean } | undefined {
  const ms = answerBy - nowMs;
  if (ms <= 0) return undefined;
  const signal = AbortSignal.timeout(ms);
  return { signal, fired: () => signal.aborted };
}

export const DEADLINE_PASSED = unavailable('TIMEOUT', "The message's deadline budget was spent before the call");
