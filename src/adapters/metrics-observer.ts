import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DecisionObserver } from '../pipeline/decide.js';

/**
 * The decision path's observer in Lambda: EMF metrics for the dashboard and the alarms, and an
 * error log line an operator can search for when a callback is refused as Forbidden before its
 * deadline (a fault, not an expiry).
 *
 * - `Decided<ORIGIN>` (AUTO, MODERATOR, EXPIRY): stored and published with the invocation's
 *   other metrics, so a batch of ten decisions costs one log line, not ten.
 * - `CallbackErrors` with an `errorType` dimension: emitted at once (its own line), because its
 *   dimension differs from the invocation's; errors are the exception, so the extra lines are few.
 * - `CallbackForbiddenBeforeDeadline`: the callback-grant alarm's metric, also emitted at once so
 *   that a page never depends on the invocation getting as far as publishing.
 * - `CallbackInDoubt`: an answer was lost and the read-back could not settle it (the item stays
 *   DECIDED and is retried); `CallbackSettledByReadBack`: an answer was lost, and the read-back
 *   showed our callback landed (recorded DELIVERED).
 *
 * - `AftercareErrors`: a notice or a strike that follows a decision failed (retried from its own
 *   records by the sweeper; the decision is unaffected).
 *
 * Every handler that decides or delivers publishes stored metrics before it returns.
 */
export function metricsObserver(metrics: Metrics, logger: Pick<Logger, 'error' | 'warn'>): DecisionObserver {
  return {
    decided(decision) {
      metrics.addMetric(`Decided${decision.origin}`, MetricUnit.Count, 1);
    },
    callbackFailed(failure) {
      const byType = metrics.singleMetric();
      byType.addDimension('errorType', failure.errorType);
      byType.addMetric('CallbackErrors', MetricUnit.Count, 1);
      if (failure.kind === 'IN_DOUBT') metrics.singleMetric().addMetric('CallbackInDoubt', MetricUnit.Count, 1);
      if (failure.kind === 'LANDED') metrics.singleMetric().addMetric('CallbackSettledByReadBack', MetricUnit.Count, 1);
      if (failure.kind === 'FORBIDDEN_BEFORE_DEADLINE') {
        metrics.singleMetric().addMetric('CallbackForbiddenBeforeDeadline', MetricUnit.Count, 1);
        logger.error('Chime refused a callback as Forbidden before its deadline; recorded FAILED', { ...failure });
      }
    },
    aftercareFailed(failure) {
      // The notice or strike records retry it (the sweeper); the decision stands either way.
      metrics.singleMetric().addMetric('AftercareErrors', MetricUnit.Count, 1);
      logger.warn('A decision’s aftercare (notice, strike) failed; it will be retried from its records', { ...failure });
    },
  };
}
