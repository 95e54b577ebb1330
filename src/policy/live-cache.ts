/**
 * The per-container cache of live policies that every function shares: each channel's chain of
 * scopes (global, app instance, channel), kept fresh by a cheap version check, and what a chain
 * of versions resolves to, built once per container and reused until one of its scopes moves.
 *
 *   channel ─▶ chain (global, app instance, channel) ─▶ every scope known and checked less than
 *     POLICY_REFRESH_SECONDS ago? ─yes─▶ what that chain of versions was built into (cached)
 *                                 └no──▶ one BatchGetItem of the heads of every scope in use
 *                                        (scopes without a policy included: negative caching),
 *                                        a document loaded once per new version, then as above
 *
 * Concurrent lookups share one check (single flight). If the store cannot be read, the last good
 * documents stay in use (and `onStoreError` says so, for a log line and a metric); the check is
 * tried again at the next interval. A container that has never read a scope and cannot read it
 * now has no last good policy: it throws PolicyUnavailableError rather than guess.
 *
 * What a chain is built into is the caller's: the worker compiles the rules (src/policy/live.ts),
 * the review API and the sweeper only read the community settings (src/policy/live-community.ts).
 */
import type { Clock } from '../domain/ports.js';
import { PolicyUnavailableError } from '../errors.js';
import { layersKey, type PolicyLayer } from './merge.js';
import type { ScopedPolicyDocument } from './schema.js';
import { GLOBAL_SCOPE, scopeChainOf } from './scope.js';
import type { PolicyReader, PolicyVersionRecord } from './store.js';

export interface LiveLayersOptions<T> {
  reader: PolicyReader;
  /** The bundled POLICY_FILE document: global's policy (version 0) while none is stored. */
  seed: ScopedPolicyDocument;
  refreshSeconds: number;
  clock: Clock;
  /** Builds what a chain of layers (broadest first) resolves to: once per chain of versions. */
  build: (layers: readonly PolicyLayer[]) => T;
  /** Bound on one version check (per DynamoDB call). */
  checkTimeoutMs?: number;
  /** Scopes unused for this long are dropped from the checks. */
  idleScopeSeconds?: number;
  /** How many built chains to keep. */
  maxChains?: number;
  onStoreError?: (error: unknown, details: { scopes: string[]; lastGoodAgeSeconds: number | undefined }) => void;
  onVersionLoaded?: (details: { scope: string; version: number }) => void;
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

/** Per-channel shortcuts kept at most (each is a pointer to a shared built chain). */
const MAX_CHANNELS_REMEMBERED = 10_000;

export class LiveLayers<T> {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly built = new Map<string, T>();
  /** Per channel: the resolution and the `generation` it was made at. */
  private readonly byChannel = new Map<string, { generation: number; chain: readonly string[]; resolved: T }>();
  /** Bumped whenever any scope's version in use changes. */
  private generation = 0;
  private checkedAtMs = Number.NEGATIVE_INFINITY;
  private lastGoodAtMs: number | undefined;
  private inflight: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly seedLayer: PolicyLayer;

  constructor(private readonly options: LiveLayersOptions<T>) {
    this.refreshMs = options.refreshSeconds * 1000;
    this.seedLayer = { scope: GLOBAL_SCOPE, version: ZERO_LAYER_VERSION, mode: 'enforce', document: options.seed };
  }

  /** A channel's resolution if nothing has to be checked or loaded first (the synchronous steady state). */
  cached(channelArn: string): T | undefined {
    const now = this.options.clock.now();
    const cached = this.byChannel.get(channelArn);
    if (!cached || cached.generation !== this.generation || now - this.checkedAtMs >= this.refreshMs) return undefined;
    this.touch(cached.chain, now);
    return cached.resolved;
  }

  /** A channel's resolution, as of at most POLICY_REFRESH_SECONDS ago. */
  async resolve(channelArn: string): Promise<T> {
    const cached = this.cached(channelArn);
    if (cached !== undefined) return cached;
    const chain = scopeChainOf(channelArn);
    await this.ensureFresh(chain);
    const resolved = this.buildChain(chain);
    if (this.byChannel.size >= MAX_CHANNELS_REMEMBERED) this.byChannel.clear();
    this.byChannel.set(channelArn, { generation: this.generation, chain, resolved });
    this.touch(chain, this.options.clock.now());
    return resolved;
  }

  private touch(chain: readonly string[], now: number) {
    for (const scope of chain) {
      const state = this.scopes.get(scope);
      if (state) state.lastUsedMs = now;
    }
  }

  private buildChain(chain: readonly string[]): T {
    const layers: PolicyLayer[] = [];
    for (const scope of chain) {
      const state = this.scopes.get(scope);
      if (state?.layer) layers.push(state.layer);
      else if (scope === GLOBAL_SCOPE) layers.push(this.seedLayer);
    }
    const key = layersKey(layers);
    if (this.built.has(key)) {
      const hit = this.built.get(key)!;
      // Refresh its place in the LRU order.
      this.built.delete(key);
      this.built.set(key, hit);
      return hit;
    }
    const resolved = this.options.build(layers);
    this.built.set(key, resolved);
    const max = this.options.maxChains ?? 256;
    while (this.built.size > max) this.built.delete(this.built.keys().next().value!);
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
      // Keep going with what we have; look again at the next interval.
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
