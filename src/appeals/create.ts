import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ControlAllowances } from '../adapters/control-allowances.js';
import { ControlAppealStore } from '../adapters/control-appeals.js';
import { ControlRecords } from '../adapters/control-records.js';
import type { CommunityPolicies, Notices, SenderRestrictions, StrikeLedger } from '../domain/people.js';
import type { Clock, ReviewStore } from '../domain/ports.js';
import { appealsSweeperTask } from './decisions.js';

/**
 * The appeals room's parts for one function, from the clients its composition root built: the
 * appeals' store and the allowances (the review API's deps; the worker's sender gate reads the
 * allowances), and the sweeper's task that finishes outcomes whose effects are owed.
 */
export function createAppealParts(options: {
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  store: Pick<ReviewStore, 'get' | 'recordFollowUp' | 'completeFollowUp'>;
  communityPolicies?: CommunityPolicies;
  strikeLedger?: StrikeLedger;
  senderRestrictions?: SenderRestrictions;
  notices?: Notices;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}) {
  const records = new ControlRecords(options.documents, options.controlTableName);
  const appeals = new ControlAppealStore(records);
  const allowances = new ControlAllowances(records, options.clock);
  return {
    appeals,
    allowances,
    sweeperTask: appealsSweeperTask({ ...options, appeals, allowances }),
  };
}
