import type { ControlAppealStore } from '../adapters/control-appeals.js';
import type { Allowances, CommunityPolicies, Notices, SenderRestrictions, StrikeLedger } from '../domain/people.js';
import type { Clock, ReviewStore } from '../domain/ports.js';
import type { CursorCodec } from '../http/cursor.js';

/**
 * Everything the appeals room uses; built once per container by the review API's handler
 * (functions/review-api/handler.ts), beside the other rooms' deps in one object (the shared ports
 * carry the same names as the reports room's).
 *
 * The other rooms' ports are optional: without `allowances` an overturned DENY allows nothing
 * (recorded FAILED, so it shows), without `strikeLedger` or `senderRestrictions` there is no
 * strike to remove and no restriction to lift (recorded NONE), without `notices` nobody is told.
 * Without `communityPolicies` every channel has DEFAULT_COMMUNITY_POLICY.
 */
export interface AppealDeps {
  appeals: ControlAppealStore;
  /** The moderation items (the decision appealed) and the audit log's follow-up records (the outcome's line in GET /decisions). */
  store: Pick<ReviewStore, 'get' | 'recordFollowUp' | 'completeFollowUp'>;
  communityPolicies?: CommunityPolicies;
  allowances?: Allowances;
  strikeLedger?: StrikeLedger;
  senderRestrictions?: SenderRestrictions;
  notices?: Notices;
  cursors: CursorCodec;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}
