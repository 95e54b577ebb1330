import type { ExpiryAction } from '../config.js';
import type { ChannelModeration, Clock, ReviewStore, StatisticsReader, WorkQueue } from '../domain/ports.js';
import type { DecisionPathDeps } from '../pipeline/decide.js';
import type { ChannelNames } from './channel-names.js';
import type { CursorCodec } from './cursor.js';
import type { PolicyDeps } from './policies.js';

/** Everything the review operations use; built once per container by the handler factory. */
export interface ReviewDeps extends DecisionPathDeps {
  store: ReviewStore;
  /** Where a decision whose delivery must be retried is handed to the workers. */
  queue: WorkQueue;
  cursors: CursorCodec;
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  /** What the sweeper does to an undecided item at `deadline - expiryMarginSeconds`. */
  expiryAction: ExpiryAction;
  /** Readable channel names for the views; without it a channel is named by its ARN's last segment. */
  channelNames?: ChannelNames;
  retentionDays: number;
  /**
   * Moderators' follow-up actions in Chime (ban, redact, delete), as the configured bearer;
   * without it (or without a bearer for the channel) those routes answer 503 chime-bearer-not-configured.
   */
  channelModeration?: ChannelModeration;
  /** The statistics counters (GET /stats). */
  statistics: StatisticsReader;
  /** Things worth an operator's attention that do not fail the request. */
  warn: (message: string, details: Record<string, unknown>) => void;
}

/**
 * What the live-policy routes use (src/review/policy-routes.ts), built once per container by the
 * policy API function's handler factory: the policy store, and the moderation table read only
 * (a replay reads recorded verdicts and held items; nothing here writes an item).
 */
export interface PolicyApiDeps {
  policies: PolicyDeps;
  store: Pick<ReviewStore, 'listDecisionsOfDay' | 'listPendingReviews'>;
  cursors: CursorCodec;
  clock: Clock;
}
