/**
 * Live policies in a worker: the effective policy of each message's channel, compiled, from the
 * per-container cache that a cheap version check keeps fresh (src/policy/live-cache.ts: the
 * chain of scopes, the version check, negative caching, single flight, the last good policy
 * when the store cannot be read).
 *
 * A chain of versions is compiled once per container and reused until one of its scopes moves;
 * its community settings (src/policy/community.ts) are worked out with it, from the same
 * layers, so `community(channelArn)` costs no read of its own.
 */
import type { CommunityPolicies } from '../domain/people.js';
import type { ChannelMessage, PolicyVerdict } from '../domain/message.js';
import type { Clock } from '../domain/ports.js';
import { classifierSettingsOf, type ClassifierSettings } from './classifiers.js';
import { communityPolicyOf, type CommunityPolicy } from './community.js';
import { compilePolicy, evaluate, type CompiledPolicy } from './engine.js';
import { LiveLayers } from './live-cache.js';
import { effectivePolicies, type PolicyLayer, type PolicyLayerRef } from './merge.js';
import type { ScopedPolicyDocument } from './schema.js';
import type { PolicyReader } from './store.js';

/** A verdict of the applied policy, with the scope versions that produced it. */
export interface LiveVerdict extends PolicyVerdict {
  versions: PolicyLayerRef[];
  /** When a scope of the chain is in shadow mode: what the policy would have done with it enforced. */
  shadow?: ShadowVerdict;
}

/** A shadow verdict as recorded on the item (never applied; masked content is not kept). */
export interface ShadowVerdict extends Omit<PolicyVerdict, 'content'> {
  versions: PolicyLayerRef[];
}

export interface ResolvedPolicies {
  applied: { policy: CompiledPolicy; versions: PolicyLayerRef[] };
  shadow?: { policy: CompiledPolicy; versions: PolicyLayerRef[] };
  /** The community settings of the applied (enforced) scopes, every default applied. */
  community: CommunityPolicy;
  /** The classifiers of the applied scopes that judge messages (enabled and complete), every default applied. */
  classifiers: ClassifierSettings[];
}

export interface LivePoliciesOptions {
  reader: PolicyReader;
  /** The bundled POLICY_FILE document: global's policy (version 0) while none is stored. */
  seed: ScopedPolicyDocument;
  refreshSeconds: number;
  clock: Clock;
  /** Bound on one version check (per DynamoDB call). */
  checkTimeoutMs?: number;
  /** Scopes unused for this long are dropped from the checks. */
  idleScopeSeconds?: number;
  /** How many compiled chains to keep. */
  maxCompiledChains?: number;
  onStoreError?: (error: unknown, details: { scopes: string[]; lastGoodAgeSeconds: number | undefined }) => void;
  onVersionLoaded?: (details: { scope: string; version: number }) => void;
  /** A chain of versions compiled (once per container per chain). */
  onCompiled?: (details: { versions: PolicyLayerRef[]; compileMs: number }) => void;
}

/** The verdict, with the versions that produced it (added in place: the engine's verdict is fresh). */
function judge(resolved: ResolvedPolicies, message: ChannelMessage): LiveVerdict {
  const verdict = evaluate(resolved.applied.policy, message) as LiveVerdict;
  verdict.versions = resolved.applied.versions;
  if (resolved.shadow) {
    const { content: _masked, ...shadow } = evaluate(resolved.shadow.policy, message);
    verdict.shadow = { ...shadow, versions: resolved.shadow.versions };
  }
  return verdict;
}

export class LivePolicies implements CommunityPolicies {
  private readonly layers: LiveLayers<ResolvedPolicies>;

  constructor(options: LivePoliciesOptions) {
    const { maxCompiledChains, onCompiled, ...rest } = options;
    this.layers = new LiveLayers<ResolvedPolicies>({
      ...rest,
      ...(maxCompiledChains !== undefined ? { maxChains: maxCompiledChains } : {}),
      build: (layers: readonly PolicyLayer[]) => {
        const started = Date.now();
        const effective = effectivePolicies(layers);
        const resolved: ResolvedPolicies = {
          applied: { policy: compilePolicy(effective.applied.document), versions: effective.applied.layers },
          ...(effective.shadow ? { shadow: { policy: compilePolicy(effective.shadow.document), versions: effective.shadow.layers } } : {}),
          community: communityPolicyOf(effective.applied.community),
          classifiers: classifierSettingsOf(effective.applied.classifiers).active,
        };
        onCompiled?.({ versions: effective.shadow?.layers ?? effective.applied.layers, compileMs: Date.now() - started });
        return resolved;
      },
    });
  }

  /**
   * Judge one message by its channel's effective policy. Synchronous on the steady-state path
   * (the chain is cached and checked less than POLICY_REFRESH_SECONDS ago); a promise when a
   * version check or a load has to happen first.
   */
  evaluate(message: ChannelMessage): LiveVerdict | Promise<LiveVerdict> {
    const cached = this.layers.cached(message.channelArn);
    if (cached) return judge(cached, message);
    return this.resolve(message.channelArn).then((resolved) => judge(resolved, message));
  }

  /** The compiled applied (and shadow) policy of a channel, as of at most POLICY_REFRESH_SECONDS ago. */
  resolve(channelArn: string): Promise<ResolvedPolicies> {
    return this.layers.resolve(channelArn);
  }

  /** The community settings of a channel's applied policy: the same chain, the same cache. */
  async community(channelArn: string): Promise<CommunityPolicy> {
    return (this.layers.cached(channelArn) ?? (await this.layers.resolve(channelArn))).community;
  }

  /** The classifiers of a channel's applied policy (src/worker/classify.ts): the same chain, the same cache. */
  classifiers(channelArn: string): ClassifierSettings[] | Promise<ClassifierSettings[]> {
    const cached = this.layers.cached(channelArn);
    return cached ? cached.classifiers : this.layers.resolve(channelArn).then((resolved) => resolved.classifiers);
  }

  /** The CommunityPolicies port (src/domain/people.ts). */
  forChannel(channelArn: string): Promise<CommunityPolicy> {
    return this.community(channelArn);
  }
}
