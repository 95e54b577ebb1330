/**
 * Reading the stored layers of scope chains for one request (GET ?effective=true, test, replay),
 * with an optional candidate document standing in for one scope. The worker has its own,
 * long-lived cache (live.ts); both merge and compile the same way (merge.ts, engine.ts).
 */
import type { ChannelMessage } from '../domain/message.js';
import { compilePolicy, evaluate, type CompiledPolicy } from './engine.js';
import { effectivePolicies, layersKey, type EffectivePolicies, type PolicyLayer, type PolicyLayerRef } from './merge.js';
import type { ScopedPolicyDocument } from './schema.js';
import { GLOBAL_SCOPE } from './scope.js';
import type { PolicyReader } from './store.js';

/** A candidate document in place of a scope's stored one. Its version is reported as `null`. */
export interface CandidateLayer {
  scope: string;
  document: ScopedPolicyDocument;
}

/** The version marker of a candidate layer inside keys (never a stored version). */
export const CANDIDATE_VERSION = -1;

export interface CompiledChain {
  effective: EffectivePolicies;
  applied: CompiledPolicy;
  shadow?: CompiledPolicy;
}

export class PolicyLayerLoader {
  /** scope → its stored layer, or null when it has no policy. */
  private readonly layers = new Map<string, PolicyLayer | null>();
  private readonly compiled = new Map<string, CompiledChain>();

  constructor(
    private readonly reader: PolicyReader,
    private readonly seed: ScopedPolicyDocument,
  ) {}

  /** Reads the heads (one batch per 100 scopes) and documents of scopes not read yet. */
  async prefetch(scopes: Iterable<string>): Promise<void> {
    const missing = [...new Set(scopes)].filter((s) => !this.layers.has(s));
    if (missing.length === 0) return;
    const heads = await this.reader.getHeads(missing);
    await Promise.all(
      missing.map(async (scope) => {
        const head = heads.get(scope);
        if (!head || head.deleted) {
          this.layers.set(scope, scope === GLOBAL_SCOPE ? { scope, version: 0, mode: 'enforce', document: this.seed } : null);
          return;
        }
        this.layers.set(scope, { scope, version: head.version, mode: head.mode, document: await this.reader.loadDocument(head) });
      }),
    );
  }

  /** The layers of a chain (broadest first), with the candidate in place of its scope's stored layer. */
  layersOf(chain: readonly string[], candidate?: CandidateLayer): PolicyLayer[] {
    const out: PolicyLayer[] = [];
    for (const scope of chain) {
      if (candidate && candidate.scope === scope) {
        // A candidate is judged as if enforced: that is what it would do once saved as `enforce`.
        out.push({ scope, version: CANDIDATE_VERSION, mode: 'enforce', document: { ...candidate.document, mode: 'enforce' } });
        continue;
      }
      const layer = this.layers.get(scope);
      if (layer === undefined) throw new Error(`Policy layer ${scope} was not prefetched`);
      if (layer) out.push(layer);
    }
    return out;
  }

  /** Merged and compiled once per distinct chain of versions (per loader). */
  compile(layers: readonly PolicyLayer[]): CompiledChain {
    const key = layersKey(layers);
    let chain = this.compiled.get(key);
    if (!chain) {
      const effective = effectivePolicies(layers);
      chain = {
        effective,
        applied: compilePolicy(effective.applied.document),
        ...(effective.shadow ? { shadow: compilePolicy(effective.shadow.document) } : {}),
      };
      this.compiled.set(key, chain);
    }
    return chain;
  }
}

/** A layer reference as the API shows it: a candidate's version is null. */
export const versionView = (ref: PolicyLayerRef) => ({
  scope: ref.scope,
  version: ref.version === CANDIDATE_VERSION ? null : ref.version,
  mode: ref.mode,
  ...(ref.version === CANDIDATE_VERSION ? { candidate: true } : {}),
});

export function evaluateChain(chain: CompiledChain, message: ChannelMessage) {
  return {
    applied: evaluate(chain.applied, message),
    ...(chain.shadow ? { shadow: evaluate(chain.shadow, message) } : {}),
  };
}
