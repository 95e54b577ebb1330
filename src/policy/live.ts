/**
 * Live policies in a worker: the effective policy of each message's channel, from a
 * per-container cache that a cheap version check keeps fresh.
 *
 *   message ─▶ chain (global, app instance, channel) ─▶ every scope known and checked less than
 *     POLICY_REFRESH_SECONDS ago? ─yes─▶ compiled policy of that chain of versions (cached) ─▶ verdict
 *                                 └no──▶ one BatchGetItem of the heads of every scope in use
 *                                        (scopes without a policy included: negative caching),
 *                                        a document loaded once per new version, then as above
 *
 * Concurrent messages share one check (single flight). A chain of versions is compiled once per
 * container and reused until one of its scopes moves. If the store cannot be read, the last good
 * documents stay in use (and `onStoreError` says so, for a log line and a metric); the check is
 * tried again at the next interval. A worker that has never read a scope and cannot read it now
 * has no last good policy: it throws PolicyUnavailableError, and the message is retried later.
 */
import type { ChannelMessage, PolicyVerdict } from '../domain/message.js';
import type { Clock } from '../domain/ports.js';
import { PolicyUnavailableError } from '../errors.js';
import { compilePolicy, evaluate, type CompiledPolicy } from './engine.js';
import { effectivePolicies, layersKey, type PolicyLayer, type PolicyLayerRef } from './merge.js';
import type { ScopedPolicyDocument } from './schema.js';
import { GLOBAL_SCOPE, scopeChainOf } from './scope.js';
import type { PolicyReader, PolicyVersionRecord } from './store.js';

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

interface ScopeState {
  /**
   * The version in use, with its document; undefined when the scope has no policy (negative
   * cache). It stays on the previous version while a newer one's document cannot be loaded.
   */
  layer?: PolicyLayer;
  lastUsedMs: number;
}

const ZERO_LAYER_VERSION = 0;

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

/** Per-channel shortcuts kept at most (each is a pointer to a shared compiled policy). */
const MAX_CHANNELS_REMEMBERED = 10_000;

export class LivePolicies {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly compiled = new Map<string, ResolvedPolicies>();
  /** Per channel: the resolution and the `generation` it was made at. */
  private readonly byChannel = new Map<string, { generation: number; chain: readonly string[]; resolved: ResolvedPolicies }>();
  /** Bumped whenever any scope's version in use changes. */
  private generation = 0;
  private checkedAtMs = Number.NEGATIVE_INFINITY;
  private lastGoodAtMs: number | undefined;
  private inflight: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly seedLayer: PolicyLayer;

  constructor(private readonly options: LivePoliciesOptions) {
    this.refreshMs = options.refreshSeconds * 1000;
    this.seedLayer = { scope: GLOBAL_SCOPE, version: ZERO_LAYER_VERSION, mode: 'enforce', document: options.seed };
  }

  /**
   * Judge one message by its channel's effective policy. Synchronous on the steady-state path
   * (the chain is cached and checked less than POLICY_REFRESH_SECONDS ago); a promise when a
   * version check or a load has to happen first.
   */
  evaluate(message: ChannelMessage): LiveVerdict | Promise<LiveVerdict> {
    const cached = this.fresh(message.channelArn, this.options.clock.now());
    if (cached) return judge(cached, message);
    return this.resolve(message.channelArn).then((resolved) => judge(resolved, message));
  }

  /** The compiled applied (and shadow) policy of a channel, as of at most POLICY_REFRESH_SECONDS ago. */
  async resolve(channelArn: string): Promise<ResolvedPolicies> {
    const now = this.options.clock.now();
    const cached = this.fresh(channelArn, now);
    if (cached) return cached;
    const chain = scopeChainOf(channelArn);
    await this.ensureFresh(chain);
    const resolved = this.compileChain(chain);
    if (this.byChannel.size >= MAX_CHANNELS_REMEMBERED) this.byChannel.clear();
    this.byChannel.set(channelArn, { generation: this.generation, chain, resolved });
    this.touch(chain, now);
    return resolved;
  }

  /** The cached resolution of a channel if nothing has to be checked or loaded first. */
  private fresh(channelArn: string, now: number): ResolvedPolicies | undefined {
    const cached = this.byChannel.get(channelArn);
    if (!cached || cached.generation !== this.generation || now - this.checkedAtMs >= this.refreshMs) return undefined;
    this.touch(cached.chain, now);
    return cached.resolved;
  }

  private touch(chain: readonly string[], now: number) {
    for (const scope of chain) {
      const state = this.scopes.get(scope);
      if (state) state.lastUsedMs = now;
    }
  }

  private compileChain(chain: readonly string[]): ResolvedPolicies {
    const layers: PolicyLayer[] = [];
    for (const scope of chain) {
      const state = this.scopes.get(scope);
      if (state?.layer) layers.push(state.layer);
      else if (scope === GLOBAL_SCOPE) layers.push(this.seedLayer);
    }
    const key = layersKey(layers);
    const hit = this.compiled.get(key);
    if (hit) {
      // Refresh its place in the LRU order.
      this.compiled.delete(key);
      this.compiled.set(key, hit);
      return hit;
    }
    const started = Date.now();
    const effective = effectivePolicies(layers);
    const resolved: ResolvedPolicies = {
      applied: { policy: compilePolicy(effective.applied.document), versions: effective.applied.layers },
      ...(effective.shadow ? { shadow: { policy: compilePolicy(effective.shadow.document), versions: effective.shadow.layers } } : {}),
    };
    this.options.onCompiled?.({ versions: effective.shadow?.layers ?? effective.applied.layers, compileMs: Date.now() - started });
    this.compiled.set(key, resolved);
    const max = this.options.maxCompiledChains ?? 256;
    while (this.compiled.size > max) this.compiled.delete(this.compiled.keys().next().value!);
    return resolved;
  }

  private async ensureFresh(chain: readonly string[]): Promise<void> {
    for (;;) {
      const unknown = chain.filter((scope) => !this.scopes.has(scope));
      const due = this.options.clock.now() - this.checkedAtMs >= this.refreshMs;
      if (unknown.length === 0 && !due) return;
      if (this.inflight) {
        await this.inflight;
        continue;
      }
      this.inflight = this.check(unknown, due).finally(() => (this.inflight = undefined));
      await this.inflight;
      // A failed check leaves unknown scopes unknown: say so rather than guess.
      const missing = chain.filter((scope) => !this.scopes.has(scope));
      if (missing.length > 0) {
        throw new PolicyUnavailableError(`No policy could be read for ${missing.join(', ')} and none is cached; the message will be retried`, { scopes: missing });
      }
      return;
    }
  }

  private async check(unknown: readonly string[], due: boolean): Promise<void> {
    const now = this.options.clock.now();
    const idleMs = (this.options.idleScopeSeconds ?? 600) * 1000;
    let changed = false;
    if (due) {
      for (const [scope, state] of this.scopes) {
        if (scope !== GLOBAL_SCOPE && now - state.lastUsedMs > idleMs) {
          this.scopes.delete(scope);
          changed = true;
        }
      }
    }
    const scopes = [...new Set([GLOBAL_SCOPE, ...unknown, ...(due ? this.scopes.keys() : [])])];
    const timeout = { timeoutMs: this.options.checkTimeoutMs ?? 2000 };
    let heads: Map<string, PolicyVersionRecord>;
    try {
      heads = await this.options.reader.getHeads(scopes, timeout);
    } catch (error) {
      // Keep deciding with what we have; look again at the next interval.
      if (due) this.checkedAtMs = now;
      if (changed) this.generation++;
      this.options.onStoreError?.(error, { scopes, lastGoodAgeSeconds: this.lastGoodAtMs === undefined ? undefined : Math.round((now - this.lastGoodAtMs) / 1000) });
      return;
    }
    let failure: unknown;
    await Promise.all(
      scopes.map(async (scope) => {
        const head = heads.get(scope);
        const state = this.scopes.get(scope);
        const live = head && !head.deleted ? head : undefined;
        if (!live) {
          if (!state || state.layer) changed = true;
          this.scopes.set(scope, { lastUsedMs: state?.lastUsedMs ?? now });
          return;
        }
        if (state?.layer?.version === live.version) return;
        try {
          const document = await this.options.reader.loadDocument(live, timeout);
          const layer: PolicyLayer = { scope, version: live.version, mode: live.mode, document };
          this.scopes.set(scope, { layer, lastUsedMs: state?.lastUsedMs ?? now });
          changed = true;
          this.options.onVersionLoaded?.({ scope, version: live.version });
        } catch (error) {
          // The previous version (if any) stays in use; the load is tried again at the next check.
          failure = error;
        }
      }),
    );
    // Only a check of every scope in use restarts the interval: a lookup of a new channel's
    // scopes must not postpone the next check of the others.
    if (due) this.checkedAtMs = now;
    if (failure === undefined) this.lastGoodAtMs = now;
    else this.options.onStoreError?.(failure, { scopes, lastGoodAgeSeconds: this.lastGoodAtMs === undefined ? undefined : Math.round((now - this.lastGoodAtMs) / 1000) });
    if (changed) this.generation++;
  }
}
