import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChimeNoticeSender } from '../adapters/chime-notices.js';
import { ControlNoticeStore } from '../adapters/control-notices.js';
import { ControlRecords } from '../adapters/control-records.js';
import type { CommunityPolicies, StrikeLedger } from '../domain/people.js';
import type { Clock, ModerationStore } from '../domain/ports.js';
import { NoticeAftercare } from './aftercare.js';
import { defaultCommunityPolicies, NoticeService } from './notices.js';
import { noticesSweeperTask } from './sweeper-task.js';

/**
 * The notices room's parts for one function (its composition root calls this once per
 * container, with the clients it built): the Notices port, the decision aftercare, the sweeper
 * task. Every function that decides (worker, review API, sweeper) wires the same parts.
 */
export function createNoticeParts(options: {
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  /** The one-attempt Chime client (AwsClients.chimeWrites). */
  chimeWrites: ChimeSDKMessagingClient;
  items: Pick<ModerationStore, 'get'>;
  /** The channels' community policies; the default policy for every channel until a loader is wired. */
  policies?: CommunityPolicies;
  clock: Clock;
  botArn?: string;
  strikes?: Pick<StrikeLedger, 'record'>;
  retentionDays: number;
  log?: (level: 'warn' | 'error', message: string, details: Record<string, unknown>) => void;
}) {
  const notices = new ControlNoticeStore(new ControlRecords(options.documents, options.controlTableName));
  const policies = options.policies ?? defaultCommunityPolicies;
  const service = new NoticeService({
    notices,
    sender: new ChimeNoticeSender({ writes: options.chimeWrites }),
    items: options.items,
    policies,
    clock: options.clock,
    ...(options.botArn ? { botArn: options.botArn } : {}),
    ...(options.strikes ? { strikes: options.strikes } : {}),
    retentionDays: options.retentionDays,
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    notices: service,
    store: notices,
    aftercare: new NoticeAftercare({ service, notices, policies, clock: options.clock, carryStrikes: options.strikes !== undefined }),
    sweeperTask: noticesSweeperTask({ service, notices, clock: options.clock, ...(options.log ? { log: (message, details) => options.log!('warn', message, details) } : {}) }),
  };
}
