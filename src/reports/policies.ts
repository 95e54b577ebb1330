import type { CommunityPolicies } from '../domain/people.js';
import { DEFAULT_COMMUNITY_POLICY, type CommunityPolicy } from '../policy/community.js';
import type { ReportDeps } from './deps.js';

/** Every channel on the default community settings: what the room uses until the live policies' loader is given to it. */
export const defaultCommunityPolicies: CommunityPolicies = { forChannel: async () => DEFAULT_COMMUNITY_POLICY };

/** The channel's community settings (reports' categories, limits, auto-hide, notices). */
export const policyFor = (deps: Pick<ReportDeps, 'communityPolicies'>, channelArn: string): Promise<CommunityPolicy> => (deps.communityPolicies ?? defaultCommunityPolicies).forChannel(channelArn);
