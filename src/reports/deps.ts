import type { ChannelModeration, Clock, ReviewStore } from '../domain/ports.js';
import type { CommunityPolicies, Notices, SenderRestrictions, StrikeLedger } from '../domain/people.js';
import type { CursorCodec } from '../http/cursor.js';
import type { ReportedMessages } from './ports.js';
import type { CaseStore } from './store.js';

/**
 * Everything the reports room uses; built once per container by the review API's handler
 * (functions/review-api/handler.ts), beside the other rooms' deps in one object.
 *
 * The other rooms' ports are optional: without `strikeLedger`, `notices` or `senderRestrictions`
 * a decision records no strike, tells nobody, and a case's BAN_SENDER falls back to a permanent
 * channel ban (the follow-up action of src/review/follow-ups.ts). Without `communityPolicies`
 * every channel has DEFAULT_COMMUNITY_POLICY.
 */
export interface ReportDeps {
  cases: CaseStore;
  /** Chime reads before a report is taken; without it (or a bearer) POST /reports answers 503. */
  reportedMessages?: ReportedMessages;
  /** Redact, delete, ban as the configured bearer (shared with the held-messages room). */
  channelModeration?: ChannelModeration;
  /** The moderation table's follow-up action records: a case's actions are audited there (GET /decisions). */
  store: Pick<ReviewStore, 'recordFollowUp' | 'completeFollowUp'>;
  communityPolicies?: CommunityPolicies;
  strikeLedger?: StrikeLedger;
  notices?: Notices;
  senderRestrictions?: SenderRestrictions;
  cursors: CursorCodec;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}

/** What finishing a decided case needs (the review API's requests and the sweeper's cases task): no cursors, no Chime reads. */
export type FinishDeps = Omit<ReportDeps, 'cursors' | 'reportedMessages'>;
