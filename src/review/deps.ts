import type { ExpiryAction } from '../config.js';
import type { SenderRestrictions } from '../domain/people.js';
import type { ChannelModeration, ReviewStore, StatisticsReader, WorkQueue } from '../domain/ports.js';
import type { DecisionPathDeps } from '../pipeline/decide.js';
import type { ChannelNames } from './channel-names.js';
import type { CursorCodec } from '../http/cursor.js';

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
  /**
   * The senders room's restrictions (src/senders): with it, BAN_SENDER is a restriction like any
   * other ban (the two-person rule, timed or AppInstance-wide, on the sender's record, lifted by
   * an overturned appeal); without it, a permanent channel ban as an audited follow-up action.
   */
  senderRestrictions?: SenderRestrictions;
  /** The statistics counters (GET /stats). */
  statistics: StatisticsReader;
  /** Things worth an operator's attention that do not fail the request. */
  warn: (message: string, details: Record<string, unknown>) => void;
}
