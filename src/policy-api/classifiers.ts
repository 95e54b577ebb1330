/**
 * The classifiers in the policy API (issue 16): the test box calls them, replay recomputes them
 * from recorded scores (and calls them only under an explicit cap), and the effective view shows
 * them merged, with where each setting came from.
 *
 * Calls go through the same stage, budget and breaker as the worker's (src/classifiers/stage.ts;
 * the parts are built once per container: functions/policy-api/index.ts, src/local/stack.ts), so
 * the policy API's calls count against the account's quota with the workers', and an outage the
 * breaker has seen answers at once. The policy API sends no context: the test box has no
 * conversation, and the previous messages of a replayed one are not what they were when it was
 * sent. A classifier that cannot judge takes its `onUnavailable` path, in the answer, never as a
 * 5xx: the stage never throws.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClassifierClients } from '../adapters/classifier-clients.js';
import { createClassifierProviders, type SecretReader } from '../adapters/classifier-providers.js';
import { InMemoryCircuitBreaker, type BreakerSettings, type BreakerState } from '../classifiers/breaker.js';
import { DynamoDbRateBudget, type BudgetLimits } from '../classifiers/budget.js';
import type { ChannelMessage, PolicyVerdict } from '../domain/message.js';
import type { ClassifierProvider, ClassifyAnswer } from '../classifiers/ports.js';
import { runClassifierStage, type ClassifierProviders, type ClassifierStageDeps } from '../classifiers/stage.js';
import type { ClassifiedVerdict } from '../classifiers/verdict.js';
import { classifierSettingsOf, type ClassifiersSectionInput, type ClassifierSettings, type MergedClassifiers } from '../policy/classifiers.js';
import type { PolicyLayer } from '../policy/merge.js';

export interface PolicyApiClassifierOptions {
  clients: ClassifierClients;
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  /** The same limits as the workers' (CLASSIFIER_BUDGETS): one budget, in the control table, for every caller. */
  limits: Readonly<Record<string, BudgetLimits>>;
  breaker?: Partial<BreakerSettings>;
  secrets?: SecretReader;
  now: () => number;
  onBreakerChange?: (key: string, from: BreakerState, to: BreakerState) => void;
  onBudgetError?: (error: unknown, key: string) => void;
}

/**
 * The stage's parts for the policy API, built once per container (as src/worker/classifier-wiring.ts
 * builds the worker's): the providers on the injected clients, the budget the workers share, and a
 * breaker of this container's own. No context source (see above).
 */
export function createPolicyApiClassifierStage(options: PolicyApiClassifierOptions): ClassifierStageDeps {
  return {
    providers: createClassifierProviders(options.clients, { ...(options.secrets ? { secrets: options.secrets } : {}) }),
    budget: new DynamoDbRateBudget(options.documents, { tableName: options.controlTableName, limits: options.limits, ...(options.onBudgetError ? { onError: options.onBudgetError } : {}) }),
    breaker: new InMemoryCircuitBreaker(options.breaker ?? {}, options.onBreakerChange ? (key, from, to) => options.onBreakerChange!(key, from, to) : undefined),
    now: options.now,
  };
}

/** What a deployment without classifier clients answers: every classifier UNAVAILABLE, taking its path. */
const NOT_CONFIGURED: ClassifierProviders = {
  forClassifier: (settings): ClassifierProvider => ({
    kind: settings.provider.kind,
    classify: async (): Promise<ClassifyAnswer> => ({ kind: 'UNAVAILABLE', reason: 'FAULT', message: 'this policy API has no classifier clients configured' }),
  }),
};

/** The stage's parts, without context (see above); a stand-in that answers UNAVAILABLE when none were built. */
export function policyApiStage(deps: ClassifierStageDeps | undefined, now: () => number): ClassifierStageDeps {
  if (!deps) {
    return { providers: NOT_CONFIGURED, budget: { take: async () => ({ granted: true }) }, breaker: { allow: () => true, succeeded: () => {}, failed: () => {}, state: () => 'CLOSED' }, now, retry: { maxAttempts: 1 } };
  }
  const { context: _context, ...rest } = deps;
  return rest;
}

/** The test box: the scope's classifiers on one message, after the rules. */
export function classifyForTest<V extends PolicyVerdict>(stage: ClassifierStageDeps, message: ChannelMessage, rules: V, classifiers: readonly ClassifierSettings[]): Promise<ClassifiedVerdict<V>> {
  return runClassifierStage(stage, { message, rules, classifiers });
}

/**
 * A replay's provider calls, counted: at most `max` in all, whatever the retries (each call the
 * stage makes passes here; past the cap a call is answered UNAVAILABLE without leaving). The
 * replay's stage makes one attempt per classifier and message, so a retry never eats the cap.
 */
export class CappedCalls {
  made = 0;
  constructor(readonly max: number) {}

  get left(): number {
    return Math.max(0, this.max - this.made);
  }

  stage(base: ClassifierStageDeps): ClassifierStageDeps {
    return {
      ...base,
      retry: { ...base.retry, maxAttempts: 1 },
      providers: {
        forClassifier: (settings) => {
          const provider = base.providers.forClassifier(settings);
          return {
            kind: provider.kind,
            classify: async (request) => {
              if (this.made >= this.max) return { kind: 'UNAVAILABLE', reason: 'BUDGET', message: `the replay's cap of ${this.max} classifier calls is spent` };
              this.made += 1;
              return provider.classify(request);
            },
          };
        },
      },
    };
  }
}

// ─── The effective view ──────────────────────────────────────────────────────────────────────

/** The settings a view shows, and the written field each comes from. */
const FIELD_SOURCES: Readonly<Record<string, readonly string[]>> = {
  provider: ['provider', 'guardrailId', 'guardrailVersion', 'url', 'secret', 'labels'],
  review: ['review'],
  deny: ['deny'],
  onIntervention: ['onIntervention'],
  strike: ['strike'],
  publicReason: ['publicReason'],
  onUnavailable: ['onUnavailable'],
  context: ['context'],
  contextOf: ['contextOf'],
  judge: ['judge'],
  minLength: ['minLength'],
  languages: ['languages'],
  onUnsupportedLanguage: ['onUnsupportedLanguage'],
  skipSenders: ['skipSenders'],
  shadow: ['shadow'],
  timeoutMs: ['timeoutMs'],
  enabled: ['enabled'],
};

/**
 * Which scope wrote each field of each merged classifier, following src/policy/classifiers.ts
 * mergeClassifiers: `false` forgets everything inherited; an entry with a provider starts afresh;
 * an override takes the fields it writes (`skipSenders` is a union: the scope that last added).
 */
export function classifierProvenance(layers: ReadonlyArray<Pick<PolicyLayer, 'scope'> & { document: { classifiers?: ClassifiersSectionInput } }>): Record<string, Record<string, string>> {
  let written = new Map<string, Record<string, string>>();
  for (const layer of layers) {
    const section = layer.document.classifiers;
    if (section === undefined) continue;
    if (section === false) {
      written = new Map();
      continue;
    }
    for (const [name, own] of Object.entries(section)) {
      const fresh = own.provider !== undefined || !written.has(name);
      const fields: Record<string, string> = fresh ? {} : { ...written.get(name) };
      for (const [field, value] of Object.entries(own)) if (value !== undefined) fields[field] = layer.scope;
      written.set(name, fields);
    }
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [name, fields] of written) {
    const from: Record<string, string> = {};
    for (const [shown, sources] of Object.entries(FIELD_SOURCES)) {
      const scopes = sources.map((s) => fields[s]).filter((s): s is string => s !== undefined);
      // The narrowest scope that wrote any part of it; `default` when none did.
      from[shown] = scopes.length > 0 ? scopes.reduce((a, b) => (layers.findIndex((l) => l.scope === b) > layers.findIndex((l) => l.scope === a) ? b : a)) : 'default';
    }
    out[name] = from;
  }
  return out;
}

/** The merged classifiers of an applied chain, every default applied, each setting with the scope it came from. */
export function effectiveClassifiersView(merged: MergedClassifiers, layers: ReadonlyArray<Pick<PolicyLayer, 'scope'> & { document: { classifiers?: ClassifiersSectionInput } }>) {
  const settings = classifierSettingsOf(merged);
  const from = classifierProvenance(layers);
  return {
    active: settings.active.map(({ scripts: _scripts, ...s }) => ({ ...s, judge: [...s.judge], languages: [...s.languages], skipSenders: [...s.skipSenders], from: from[s.name] ?? {} })),
    disabled: settings.disabled.map((name) => ({ name, from: from[name] ?? {} })),
    incomplete: settings.incomplete.map((name) => ({ name, from: from[name] ?? {} })),
  };
}
