/**
 * The `http` provider: a self-hosted model or another vendor's moderation endpoint behind a
 * small JSON contract.
 *
 * THE CONTRACT (version 1)
 *   Request   POST {url}
 *             content-type: application/json
 *             authorization: Bearer {secret}          (when a secret is configured)
 *             {"text": "the message", "context": ["oldest", "…", "newest"]}
 *             `context` is the previous messages of the channel, oldest first; may be [].
 *   Answer    200, content-type application/json
 *             {"scores": {"<label>": 0..1, …}, "model": "name@version", "units"?: n}
 *             Labels are the endpoint's own (thresholds in the policy name them); `model` is
 *             recorded with the verdict; `units` (optional, default 1) is what the call costs
 *             against the provider's budget.
 *   Errors    429                  throttled       → UNAVAILABLE/THROTTLED
 *             5xx, reset, timeout  no judgement    → UNAVAILABLE/FAULT, TIMEOUT
 *             401, 403, 404        misconfigured   → UNAVAILABLE/FAULT
 *             other 4xx            input refused   → REFUSED (e.g. 413 too long, 422 language)
 *             A 200 that breaks the answer's shape is a FAULT.
 *   The endpoint must answer before the message's deadline; the call is aborted then.
 *
 * The secret is handed in as a string by the caller, who reads it once from SSM Parameter Store
 * or Secrets Manager: never from a plain environment variable.
 */
import type { ClassifierProvider, ClassifyAnswer, ClassifyRequest } from '../classifiers/ports.js';
import { answerForHttpStatus, DEADLINE_PASSED, deadlineSignal, unavailable } from './classifier-failures.js';

export interface HttpProviderOptions {
  url: string;
  /** The bearer token, read by the caller from SSM / Secrets Manager. */
  secret?: string;
  now?: () => number;
  /** Injected for tests of unusual transports; default the global fetch. */
  fetch?: typeof fetch;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The answer's shape, checked; a string says what is wrong. */
export function parseHttpAnswer(body: unknown): { scores: Record<string, number>; model: string; units: number } | string {
  if (!isObject(body)) return 'the answer is not a JSON object';
  if (!isObject(body.scores)) return 'scores must be an object of label → 0..1';
  const scores: Record<string, number> = {};
  for (const [label, score] of Object.entries(body.scores)) {
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) return `score ${label} must be a number from 0 to 1`;
    scores[label] = score;
  }
  if (typeof body.model !== 'string' || body.model === '') return 'model must be a non-empty string';
  const units = body.units === undefined ? 1 : body.units;
  if (typeof units !== 'number' || !Number.isFinite(units) || units < 0) return 'units must be a non-negative number';
  return { scores, model: body.model, units };
}

export class HttpClassifierProvider implements ClassifierProvider {
  readonly kind = 'http' as const;

  constructor(private readonly options: HttpProviderOptions) {}

  async classify(request: ClassifyRequest): Promise<ClassifyAnswer> {
    const now = this.options.now ?? Date.now;
    const doFetch = this.options.fetch ?? fetch;
    const started = now();
    const deadline = deadlineSignal(request.answerBy, started);
    if (!deadline) return DEADLINE_PASSED;
    try {
      const response = await doFetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.options.secret ? { authorization: `Bearer ${this.options.secret}` } : {}) },
        body: JSON.stringify({ text: request.text, context: [...request.context] }),
        signal: deadline.signal,
      });
      const text = await response.text();
      if (response.status !== 200) return answerForHttpStatus(response.status, text);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return unavailable('FAULT', `The http provider answered 200 with a body that is not JSON: ${text.slice(0, 120)}`);
      }
      const parsed = parseHttpAnswer(body);
      if (typeof parsed === 'string') return unavailable('FAULT', `The http provider's answer breaks the contract: ${parsed}`);
      return { kind: 'SCORED', scores: parsed.scores, model: parsed.model, latencyMs: Math.max(0, now() - started), units: parsed.units };
    } catch (error) {
      if (deadline.fired()) return unavailable('TIMEOUT', `No answer from the http provider before the message's deadline`);
      const err = error as { name?: string; message?: string; cause?: { code?: string } };
      if (err.name === 'TypeError' || err.cause?.code) return unavailable('FAULT', `The http provider could not be reached: ${err.cause?.code ?? err.message}`);
      return unavailable('FAULT', `${err.name ?? 'Error'}: ${err.message ?? String(error)}`);
    }
  }
}
