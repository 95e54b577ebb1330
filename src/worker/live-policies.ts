import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LivePolicySettings } from '../config.js';
import { LivePolicies } from '../policy/live.js';
import type { ScopedPolicyDocument } from '../policy/schema.js';
import type { Runtime } from '../runtime.js';

/**
 * The worker's live policies, wired to the runtime's store, clock, logs and metrics. Built once
 * per container: its cache is what makes a policy change cost one compile per container.
 *
 * Metrics: `PolicyStoreUnavailable` (a version check or document load failed; the last good
 * policies stay in use), `PolicyVersionLoaded`, `PolicyCompiled`.
 */
export function createWorkerPolicies(runtime: Pick<Runtime, 'logger' | 'metrics' | 'policyStore' | 'clock'>, seed: ScopedPolicyDocument, settings: LivePolicySettings): LivePolicies {
  const { logger, metrics } = runtime;
  return new LivePolicies({
    reader: runtime.policyStore,
    seed,
    refreshSeconds: settings.refreshSeconds,
    clock: runtime.clock,
    onStoreError: (error, details) => {
      metrics.addMetric('PolicyStoreUnavailable', MetricUnit.Count, 1);
      logger.warn('Policy store unreachable: deciding with the last good policies, checking again at the next interval', {
        ...details,
        refreshSeconds: settings.refreshSeconds,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
    },
    onVersionLoaded: (details) => {
      metrics.addMetric('PolicyVersionLoaded', MetricUnit.Count, 1);
      logger.info('Policy version loaded', details);
    },
    onCompiled: (details) => {
      metrics.addMetric('PolicyCompiled', MetricUnit.Count, 1);
      logger.info('Policy compiled', { versions: details.versions, compileMs: details.compileMs });
    },
  });
}
