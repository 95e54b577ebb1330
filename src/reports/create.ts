import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { oneAttemptChime } from '../adapters/chime-callback.js';
import { bearerFor } from '../adapters/chime-channel-directory.js';
import { ChimeChannelModeration } from '../adapters/chime-channel-moderation.js';
import { DynamoDbCaseStore } from '../adapters/dynamodb-reports.js';
import type { CommunityPolicies, Notices, StrikeLedger } from '../domain/people.js';
import type { Clock, ReviewStore } from '../domain/ports.js';
import { casesSweeperTask } from './sweeper-task.js';

/**
 * The reports room's part in the sweeper, from the clients its composition root built: the cases'
 * store, Chime as CHIME_BEARER_ARN for a decision's REDACT / DELETE left unknown, and the task
 * that finishes decided cases and counts reports their busy case could not take.
 */
export function createCasesSweeperTask(options: {
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  chimeWrites: ChimeSDKMessagingClient;
  chimeBearerArn?: string;
  store: Pick<ReviewStore, 'recordFollowUp' | 'completeFollowUp'>;
  communityPolicies?: CommunityPolicies;
  strikeLedger?: StrikeLedger;
  notices?: Notices;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}) {
  const { documents, controlTableName, chimeWrites, chimeBearerArn, ...rest } = options;
  return casesSweeperTask({
    ...rest,
    cases: new DynamoDbCaseStore(documents, controlTableName, () => options.clock.now()),
    channelModeration: new ChimeChannelModeration(oneAttemptChime({ chimeWrites }), bearerFor(chimeBearerArn)),
  });
}
