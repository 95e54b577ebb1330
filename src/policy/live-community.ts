/**
 * The community settings of each channel's effective policy (src/policy/community.ts), for the
 * functions that send notices, take reports and appeals or apply strikes without judging
 * messages: the review API and the sweeper. The CommunityPolicies port (src/domain/people.ts).
 *
 * The same cache as the worker's (src/policy/live-cache.ts): a version check at most every
 * POLICY_REFRESH_SECONDS, the bundled POLICY_FILE standing in for an unset global, the last good
 * settings while the store cannot be read. Nothing is compiled, nor are the rules merged: only a
 * chain's community sections are, which costs next to nothing at a cold start however long the
 * blocklist is. (The worker's LivePolicies answers the same question from its compiled chains.)
 */
import type { CommunityPolicies } from '../domain/people.js';
import type { Clock } from '../domain/ports.js';
import { communityPolicyOf, type CommunityPolicy } from './community.js';
import { LiveLayers } from './live-cache.js';
import { appliedLayers, mergeCommunity } from './merge.js';
import type { ScopedPolicyDocument } from './schema.js';
import type { PolicyReader } from './store.js';

export interface LiveCommunityPoliciesOptions {
  reader: PolicyReader;
  /** The bundled POLICY_FILE document (src/policy/load.ts loadPolicySeedDocument): global's policy while none is stored. */
  seed: ScopedPolicyDocument;
  refreshSeconds: number;
  clock: Clock;
  /** Bound on one version check (per DynamoDB call). */
  checkTimeoutMs?: number;
  /** Scopes unused for this long are dropped from the checks. */
  idleScopeSeconds?: number;
  onStoreError?: (error: unknown, details: { scopes: string[]; lastGoodAgeSeconds: number | undefined }) => void;
  onVersionLoaded?: (details: { scope: string; version: number }) => void;
}

export class LiveCommunityPolicies implements CommunityPolicies {
  private readonly layers: LiveLayers<CommunityPolicy>;

  constructor(options: LiveCommunityPoliciesOptions) {
    // Only the enforced scopes' settings: a shadow scope's notices or escalation must never act
    // on anyone. The rule sections are not merged at all (their lists can be long).
    this.layers = new LiveLayers<CommunityPolicy>({ ...options, build: (layers) => communityPolicyOf(mergeCommunity(appliedLayers(layers).map((layer) => layer.document))) });
  }

  /**
   * A channel's community settings, as of at most POLICY_REFRESH_SECONDS ago. Throws
   * PolicyUnavailableError when the store cannot be read and this container has never read the
   * channel's scopes (retry later; never a guess).
   */
  forChannel(channelArn: string): Promise<CommunityPolicy> {
    const cached = this.layers.cached(channelArn);
    return cached ? Promise.resolve(cached) : this.layers.resolve(channelArn);
  }
}
