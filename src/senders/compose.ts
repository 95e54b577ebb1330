import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bearerFor } from '../adapters/chime-channel-directory.js';
import { ChimeChannelModeration } from '../adapters/chime-channel-moderation.js';
import { ChimeMemberChannels } from '../adapters/chime-member-channels.js';
import { DynamoDbSenderMessages, DynamoDbSenderStore } from '../adapters/dynamodb-senders.js';
import type { CommunityPolicies, Notices } from '../domain/people.js';
import type { Clock } from '../domain/ports.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../policy/community.js';
import type { SendersRoom } from './deps.js';
import { Restrictions, type SenderBans } from './restrictions.js';
import { Strikes } from './strikes.js';
import { restrictionsSweeperTask } from './sweeper-task.js';

/**
 * The senders room, built once per container from clients built elsewhere (a function's
 * index.ts, the local stack): the strike ledger (the decision paths' aftercare records strikes
 * with it), the restrictions (the worker's gate asks them; the sweeper ends them), the record
 * the moderators read.
 */
export interface SendersOptions {
  documents: DynamoDBDocumentClient;
  controlTableName: string;
  /** The moderation table, for the sender's messages (its bySender index); absent: none listed. */
  moderationTableName?: string;
  /** Chime, as CHIME_BEARER_ARN (may hold `{appInstanceArn}`): bans, their read-backs, the member's channels. Absent: bans are enforced by the worker only, their Chime calls FAILED as not configured. */
  chime?: { reads: ChimeSDKMessagingClient; writes: ChimeSDKMessagingClient; bearerArn?: string };
  policies: CommunityPolicies;
  /** The notices room's port; a function when that room is built after this one (it records strikes with this room's ledger). */
  notices?: Notices | (() => Notices | undefined);
  /** MODERATION_BOT_ARN: the bot sends the notices; it is never struck, restricted or banned. */
  botArn?: string;
  clock: Clock;
  retentionDays: number;
  warn: (message: string, details: Record<string, unknown>) => void;
}

export type Senders = SendersRoom & { sweeperTask: ReturnType<typeof restrictionsSweeperTask> };

export function createSenders(options: SendersOptions): Senders {
  const store = new DynamoDbSenderStore(options.documents, options.controlTableName);
  const bearer = bearerFor(options.chime?.bearerArn);
  const bans: SenderBans | undefined = options.chime
    ? (() => {
        const moderation = new ChimeChannelModeration({ writes: options.chime.writes }, bearer);
        const channels = new ChimeMemberChannels(options.chime.reads, bearer);
        return {
          bearerFor: (channelArn: string) => moderation.bearerFor(channelArn),
          ban: (channelArn: string, memberArn: string, o?: { inDoubt?: boolean }) => moderation.ban(channelArn, memberArn, o),
          unban: (channelArn: string, memberArn: string, o?: { inDoubt?: boolean }) => moderation.unban(channelArn, memberArn, o),
          channelsOf: (memberArn: string, anyChannelArn: string, max: number) => channels.channelsOf(memberArn, anyChannelArn, max),
        };
      })()
    : undefined;
  const restrictions = new Restrictions({
    store,
    ...(bans ? { bans } : {}),
    policies: options.policies,
    ...(options.notices ? { notices: options.notices } : {}),
    ...(options.botArn ? { botArn: options.botArn } : {}),
    clock: options.clock,
    retentionDays: options.retentionDays,
    warn: options.warn,
  });
  const strikes = new Strikes({ store, restrictions, policies: options.policies, clock: options.clock, retentionDays: options.retentionDays, ...(options.botArn ? { botArn: options.botArn } : {}) });
  return {
    store,
    restrictions,
    strikes,
    ...(options.moderationTableName ? { messages: new DynamoDbSenderMessages(options.documents, options.moderationTableName) } : {}),
    policies: options.policies,
    sweeperTask: restrictionsSweeperTask(restrictions),
  };
}

/** One policy for every channel (DEFAULT_COMMUNITY_POLICY unless given): tests, and where no live policies are read. */
export const fixedCommunityPolicies = (policy: CommunityPolicy = DEFAULT_COMMUNITY_POLICY): CommunityPolicies => ({ forChannel: async () => policy });
