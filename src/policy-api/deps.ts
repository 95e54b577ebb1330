import type { Clock, ReviewStore } from '../domain/ports.js';
import type { CursorCodec } from '../http/cursor.js';
import type { PolicyDeps } from './policies.js';
import type { ClassifierStageDeps } from '../classifiers/stage.js';

/**
 * What the live-policy routes use (src/policy-api/routes.ts), built once per container by the
 * policy API function's handler factory: the policy store, and the moderation table read only
 * (a replay reads recorded verdicts and held items; nothing here writes an item).
 */
export interface PolicyApiDeps {
  policies: PolicyDeps;
  store: Pick<ReviewStore, 'listDecisionsOfDay' | 'listPendingReviews'>;
  cursors: CursorCodec;
  clock: Clock;
  /**
   * The classifier stage's parts (providers, the shared budget, a breaker), built once per
   * container: the test box and a capped replay call classifiers through them. Absent: every
   * classifier answers UNAVAILABLE and takes its `onUnavailable` path.
   */
  classifiers?: ClassifierStageDeps;
}
