import type { Clock, ReviewStore } from '../domain/ports.js';
import type { CursorCodec } from '../http/cursor.js';
import type { PolicyDeps } from './policies.js';

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
}
