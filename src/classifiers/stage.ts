/**
 * The classifier stage: after the rules, each classifier of the message's scope judges it, and
 * the strictest of the rules and the classifiers wins (src/classifiers/verdict.ts).
 *
 *   per classifier (in parallel; one context read per message, shared):
 *     pre-screen ──no──▶ SKIPPED (reason; LANGUAGE takes onUnsupportedLanguage)
 *        │ go
 *        ▼
 *     ┌▶ budget.take ──not granted──▶ wait retryAfterMs if the message's time allows ─┐
 *     │     │ granted                                   else UNAVAILABLE/BUDGET ─────┤
 *     │  breaker.allow ──no──▶ UNAVAILABLE/CIRCUIT_OPEN (at once: no timeout added) ──┤
 *     │     │ yes                                                                      │
 *     │  context (first time only) ──▶ provider.classify                               │
 *     │     ├── SCORED ───▶ DECIDED (SHADOW for `shadow: true`)                        │
 *     │     ├── REFUSED ──▶ onUnsupportedLanguage (UnsupportedLanguageException),      │
 *     │     │               else onUnavailable: asking again cannot help               │
 *     └─────┴── UNAVAILABLE: back off and try again while the message's time allows ──┴─▶ onUnavailable
 *
 * The message's time: `timeoutMs` of the classifier from the start of the stage, and never past
 * `latestAnswerBy` (the deadline less its margin). A provider is given that instant as `answerBy`
 * and answers UNAVAILABLE/TIMEOUT when it passes.
 *
 * The breaker hears of every call it allowed: FAULT and TIMEOUT are failures; SCORED, REFUSED and
 * THROTTLED are successes (the service answered at once; throttling is the budget's concern, and
 * must not add the circuit's cool-down to a healthy provider).
 *
 * Nothing here decides or records: the caller (src/worker/process.ts) records the combined
 * verdict with the same conditional write as any verdict, so a redelivered message may be
 * classified again (a classifier call is a read: asking twice changes nothing but the bill) and
 * is still decided exactly once. A classifier never softens the rules' DENY (they are not even
 * asked), and nothing it does can make the stage throw: every failure is an answer.
 */
import type { ChannelMessage, PolicyVerdict } from '../domain/message.js';
import type { ClassifierSettings, ProviderSettings, UnavailablePath } from '../policy/classifiers.js';
import { CONTEXT_CHARS, contextText, type ContextSource } from './context.js';
import type { BudgetCost, CircuitBreaker, ClassifierProvider, ClassifyAnswer, RateBudget } from './ports.js';
import { prescreen } from './prescreen.js';
import type { ClassifierRecord } from './record.js';
import { combine, conclusionOf, firedThresholds, pathAction, pathFindings, scoreFindings, type ClassifiedVerdict, type ClassifierResult } from './verdict.js';

/** Builds (once per provider configuration) the provider of a classifier. */
export interface ClassifierProviders {
  forClassifier(settings: ClassifierSettings): ClassifierProvider;
}

export interface RetrySettings {
  /** First backoff, ms; doubled per attempt, with jitter, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** Provider calls per classifier per message, at most. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetrySettings = { baseMs: 50, maxMs: 400, maxAttempts: 3 };

export interface ClassifierStageDeps {
  providers: ClassifierProviders;
  budget: RateBudget;
  breaker: CircuitBreaker;
  /** Where the previous messages come from; without it, classifiers get no context. */
  context?: ContextSource;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the backoff's jitter. */
  random?: () => number;
  retry?: Partial<RetrySettings>;
  /** Each classifier's record, as it is made (metrics, logs). */
  onRecord?: (record: ClassifierRecord) => void;
}

export interface ClassifierStageInput<V extends PolicyVerdict> {
  message: ChannelMessage;
  /** The rules' verdict (after the sender gate's, if any). */
  rules: V;
  classifiers: readonly ClassifierSettings[];
  /** Epoch ms after which no answer can be used (the deadline less its margin). */
  latestAnswerBy?: number;
}

/** The budget's key for a provider: the quota it counts against (Comprehend and Guardrails: per account and region; http: per host). */
export function budgetKeyOf(provider: ProviderSettings): string {
  switch (provider.kind) {
    case 'comprehend-toxicity':
      return 'comprehend-toxicity';
    case 'bedrock-guardrail':
      return 'bedrock-guardrail';
    case 'http':
      return `http:${new URL(provider.url).host}`;
  }
}

/**
 * What one call costs against the quota, before it is made: Comprehend bills 100-character units
 * with 3 at least per request, context segments included; Guardrails 1,000-character text units
 * of the assessed content only (the adapter marks the message `guard_content`: the previous
 * messages ride along unassessed); `http` is counted in 1,000-character units per block. Context
 * not read yet is counted at its most (count × CONTEXT_CHARS): the budget is taken before the
 * context is read, so that no read is made for a call the budget would not allow; an estimate
 * over the truth only leaves quota unused, never exceeds it.
 */
export function costOf(provider: ProviderSettings, text: string, context: readonly string[] | { count: number }): BudgetCost {
  const blocks = Array.isArray(context) ? (context as readonly string[]).map((c) => c.length) : Array.from({ length: (context as { count: number }).count }, () => CONTEXT_CHARS);
  if (provider.kind === 'comprehend-toxicity') {
    const chars = text.length + blocks.reduce((a, b) => a + b, 0);
    return { requests: 1, textUnits: Math.max(3, Math.ceil(chars / 100)) };
  }
  const assessed = provider.kind === 'bedrock-guardrail' ? [text.length] : [text.length, ...blocks];
  return { requests: 1, textUnits: assessed.reduce((sum, chars) => sum + Math.max(1, Math.ceil(chars / 1000)), 0) };
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run the scope's classifiers on a message and join their conclusions to the rules' verdict. */
export async function runClassifierStage<V extends PolicyVerdict>(deps: ClassifierStageDeps, input: ClassifierStageInput<V>): Promise<ClassifiedVerdict<V>> {
  if (input.classifiers.length === 0) return input.rules;
  const startedAt = deps.now();
  const contexts = new Map<'channel' | 'sender', Promise<{ texts: string[] } | { unavailable: string }>>();
  const readContext = (of: 'channel' | 'sender', answerBy: number) => {
    let read = contexts.get(of);
    if (!read) {
      // One read per message and kind, for the most any classifier of that kind asks for.
      const count = Math.max(...input.classifiers.filter((c) => c.contextOf === of).map((c) => c.context));
      read = deps.context
        ? deps.context
            .previous({ message: input.message, count, of, answerBy })
            .then((answer) => (answer.kind === 'READ' ? { texts: answer.texts.map(contextText) } : { unavailable: answer.message }))
            .catch((error: unknown) => ({ unavailable: error instanceof Error ? error.message : String(error) }))
        : Promise.resolve({ unavailable: 'no context source is configured' });
      contexts.set(of, read);
    }
    return read;
  };
  const results = await Promise.all(input.classifiers.map((settings) => judgeOne(deps, settings, input, startedAt, readContext)));
  for (const result of results) deps.onRecord?.(result.record);
  return combine(input.rules, results);
}

type ReadContext = (of: 'channel' | 'sender', answerBy: number) => Promise<{ texts: string[] } | { unavailable: string }>;
type Unavailable = Extract<ClassifyAnswer, { kind: 'UNAVAILABLE' }>;

function baseRecord(settings: ClassifierSettings): Pick<ClassifierRecord, 'name' | 'ruleId' | 'provider' | 'shadow'> {
  return { name: settings.name, ruleId: settings.ruleId, provider: settings.provider.kind, ...(settings.shadow ? { shadow: true as const } : {}) };
}

async function judgeOne<V extends PolicyVerdict>(deps: ClassifierStageDeps, settings: ClassifierSettings, input: ClassifierStageInput<V>, startedAt: number, readContext: ReadContext): Promise<ClassifierResult> {
  const screen = prescreen(settings, input.message, input.rules);
  if (!screen.go) {
    const record: ClassifierRecord = {
      ...baseRecord(settings),
      outcome: 'SKIPPED',
      action: screen.path ? pathAction(screen.path) : 'ALLOW',
      attempts: 0,
      reason: screen.reason,
      detail: screen.detail,
      ...(screen.path ? { path: screen.path } : {}),
    };
    return { record, findings: screen.path ? pathFindings(settings, screen.path, 'its language is not served') : [] };
  }

  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? sleeper;
  const random = deps.random ?? Math.random;
  const answerBy = Math.min(startedAt + settings.timeoutMs, input.latestAnswerBy ?? Number.POSITIVE_INFINITY);
  const key = budgetKeyOf(settings.provider);
  const provider = deps.providers.forClassifier(settings);
  let context: string[] | undefined;
  let contextUnavailable: string | undefined;
  let attempts = 0;
  let last: Unavailable = { kind: 'UNAVAILABLE', reason: 'TIMEOUT', message: 'no time left to ask' };

  /** Wait `ms` if the message's time allows one more call after it. */
  const waitFor = async (ms: number): Promise<boolean> => {
    if (deps.now() + ms >= answerBy) return false;
    await sleep(ms);
    return true;
  };
  const backoff = (attempt: number) => Math.round(Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2));

  for (let round = 1; ; round++) {
    const now = deps.now();
    if (now >= answerBy) break;
    // A budget that cannot be asked (its table unreachable) grants nothing: the quota is never risked.
    const grant = await deps.budget
      .take(key, costOf(settings.provider, screen.text, context ?? { count: settings.context }), now)
      .catch((error: unknown) => ({ granted: false as const, retryAfterMs: Number.POSITIVE_INFINITY, error }));
    if (!grant.granted) {
      last =
        'error' in grant
          ? { kind: 'UNAVAILABLE', reason: 'BUDGET', message: `the ${key} budget could not be read: ${grant.error instanceof Error ? grant.error.message : String(grant.error)}` }
          : { kind: 'UNAVAILABLE', reason: 'BUDGET', message: `the ${key} budget is spent for now (next grant in ${grant.retryAfterMs} ms)` };
      if (await waitFor(Math.max(1, grant.retryAfterMs))) continue;
      break;
    }
    if (!deps.breaker.allow(key, deps.now())) {
      last = { kind: 'UNAVAILABLE', reason: 'CIRCUIT_OPEN', message: `the ${key} circuit is open after repeated failures` };
      break;
    }
    if (settings.context > 0 && context === undefined) {
      const read = await readContext(settings.contextOf, answerBy);
      if ('texts' in read) context = read.texts.slice(-settings.context);
      else {
        context = [];
        contextUnavailable = read.unavailable;
      }
    }
    attempts += 1;
    const answer = await provider.classify({ text: screen.text, context: context ?? [], answerBy }).catch(
      (error: unknown): ClassifyAnswer => ({ kind: 'UNAVAILABLE', reason: 'FAULT', message: error instanceof Error ? error.message : String(error) }),
    );
    const contextPart = {
      ...(settings.context > 0 ? { contextMessages: context?.length ?? 0 } : {}),
      ...(contextUnavailable !== undefined ? { contextUnavailable } : {}),
    };
    if (answer.kind === 'SCORED') {
      deps.breaker.succeeded(key, deps.now());
      const fired = firedThresholds(settings, answer);
      const record: ClassifierRecord = {
        ...baseRecord(settings),
        model: answer.model,
        outcome: settings.shadow ? 'SHADOW' : 'DECIDED',
        action: conclusionOf(fired),
        scores: answer.scores,
        ...(answer.levels ? { levels: answer.levels } : {}),
        ...(answer.intervened !== undefined ? { intervened: answer.intervened } : {}),
        thresholds: { review: { ...settings.review }, deny: { ...settings.deny } },
        ...(fired.length > 0 ? { fired } : {}),
        latencyMs: answer.latencyMs,
        attempts,
        units: answer.units,
        ...contextPart,
      };
      return { record, findings: scoreFindings(settings, fired) };
    }
    if (answer.kind === 'REFUSED') {
      deps.breaker.succeeded(key, deps.now());
      const path: UnavailablePath = answer.errorType === 'UnsupportedLanguageException' ? settings.onUnsupportedLanguage : settings.onUnavailable;
      const record: ClassifierRecord = {
        ...baseRecord(settings),
        outcome: 'REFUSED',
        action: pathAction(path),
        attempts,
        path,
        reason: answer.errorType,
        detail: answer.message,
        ...contextPart,
      };
      return { record, findings: pathFindings(settings, path, `${answer.errorType}`) };
    }
    if (answer.reason === 'FAULT' || answer.reason === 'TIMEOUT') deps.breaker.failed(key, deps.now());
    else deps.breaker.succeeded(key, deps.now());
    last = answer;
    if (attempts >= retry.maxAttempts || !(await waitFor(backoff(round)))) break;
  }

  const path = settings.onUnavailable;
  const record: ClassifierRecord = {
    ...baseRecord(settings),
    outcome: 'UNAVAILABLE',
    action: pathAction(path),
    attempts,
    path,
    reason: last.reason,
    detail: last.message,
    ...(settings.context > 0 && context !== undefined ? { contextMessages: context.length } : {}),
    ...(contextUnavailable !== undefined ? { contextUnavailable } : {}),
  };
  return { record, findings: pathFindings(settings, path, last.reason) };
}
