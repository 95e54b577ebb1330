/**
 * The merge rule of live policies: how the documents of a message's scopes (global → app
 * instance → channel, broadest first) become the one policy that judges it. Pure; the worker,
 * `GET /policies/{scope}?effective=true`, `POST /policies/test` and `POST /policies/replay` all
 * call this and nothing else.
 *
 *   Lists (terms.block, terms.review, links.allow, links.deny, senders.allow, senders.deny)
 *     are unions: a narrower scope adds to what it inherits. `remove:` takes inherited entries
 *     out (a term matches as the engine reads it: case, accents and spacing do not matter; a
 *     domain as the engine normalises it; a sender ARN exactly). Removal applies to what was
 *     inherited, before the scope's own entries are added.
 *   Scalars (pii.email, pii.action, links.unknown, content.maxLength, content.action,
 *     metadata.*) are overridden by the narrowest scope that writes them; a setting a scope
 *     does not write is inherited (documents are merged as written, defaults come last).
 *   Sections: a scope switches a rule on by writing its section, and off with `section: false`
 *     (which also drops what was inherited in it; a narrower scope may switch it on again,
 *     starting from its own settings).
 *   Shadow: scopes in `mode: shadow` are left out of the applied policy. When a chain has one,
 *     a second, "shadow" policy merges every scope as if all were enforced; its verdict is
 *     recorded beside the applied one.
 *   Community sections (rules, reports, notices, appeals, strikes, escalation, approvals,
 *     cannedReasons; src/policy/community.ts) merge apart from the rules, the same way: a
 *     setting is overridden by the narrowest scope that writes it, maps (rules by id, report
 *     categories, notice kinds) merge key by key, a list (`escalation`, `reports.rateLimits`) is
 *     replaced whole by a scope that writes it, and `false` (escalation, autoHide, a notice kind)
 *     switches it off, dropping what was inherited in it. `cannedReasons` lists are unions.
 *     Only the applied (enforced) scopes' settings are ever used: a shadow scope's notices or
 *     escalation would act on people, which a shadow must never do.
 */
import { classifierRuleSettings, mergeClassifiers, type ClassifiersSectionInput, type MergedClassifiers } from './classifiers.js';
import { normalizeDomainEntry } from './links.js';
import { termTokens } from './normalize.js';
import {
  COMMUNITY_SECTIONS,
  POLICY_LISTS,
  POLICY_SECTIONS,
  type CommunityDocument,
  type EntryKey,
  type ListSection,
  type PolicyDocumentInput,
  type PolicyMode,
  type ScopedPolicyDocument,
} from './schema.js';

/** One scope's stored document, as it takes part in a merge. */
export interface PolicyLayer {
  scope: string;
  /** The stored version (0: the bundled POLICY_FILE standing in for an unset global). */
  version: number;
  mode: PolicyMode;
  document: ScopedPolicyDocument;
}

/** Which version of which scope took part in a merge: what a verdict records. */
export interface PolicyLayerRef {
  scope: string;
  version: number;
  mode: PolicyMode;
}

/** A `remove:` entry that matched nothing inherited (harmless, but probably a typo or stale). */
export interface UnmatchedRemoval {
  scope: string;
  path: string;
  entry: string;
}

export interface MergedPolicy {
  /** Today's document schema, as written: compile it with compilePolicy. */
  document: PolicyDocumentInput;
  /** The community sections merged, as written (no defaults): communityPolicyOf reads them. */
  community: CommunityDocument;
  /** The classifiers sections merged, as written (src/policy/classifiers.ts classifierSettingsOf applies the defaults). */
  classifiers: MergedClassifiers;
  layers: PolicyLayerRef[];
  unmatchedRemovals: UnmatchedRemoval[];
}

export interface EffectivePolicies {
  /** What is enforced: the enforce-mode scopes merged. */
  applied: MergedPolicy;
  /** Every scope merged as if enforced; present only when a scope of the chain is in shadow mode. */
  shadow?: MergedPolicy;
}

/** How two entries are "the same" in each list: the engine's own reading of them. */
export const ENTRY_KEYS: { [S in ListSection]: EntryKey } = {
  terms: (term) => termTokens(term).join(' ') || term.trim().toLowerCase(),
  links: (domain) => normalizeDomainEntry(domain),
  senders: (arn) => arn.trim(),
};

type Section = Record<string, unknown>;

const modeOf = (document: ScopedPolicyDocument): PolicyMode => document.mode ?? 'enforce';
export const layerRef = (layer: PolicyLayer): PolicyLayerRef => ({ scope: layer.scope, version: layer.version, mode: modeOf(layer.document) });

function union(inherited: readonly string[], own: readonly string[], key: EntryKey): string[] {
  const seen = new Set(inherited.map(key));
  const out = [...inherited];
  for (const entry of own) {
    const k = key(entry);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(entry);
  }
  return out;
}

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `own` over `inherited`: objects key by key (as deep as they go), anything else (a scalar, a
 * list, `false`) replaces what was inherited. An object over `false` starts afresh from its own
 * settings. Keys come from validated documents (strict objects), so none is `__proto__`; the
 * copy is made with defineProperty all the same, so no key can reach a prototype.
 */
function overlay(inherited: unknown, own: unknown): unknown {
  if (!isPlain(own)) return own;
  const out: Plain = {};
  if (isPlain(inherited)) for (const [key, value] of Object.entries(inherited)) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(own)) {
    if (value === undefined) continue;
    Object.defineProperty(out, key, { value: overlay(out[key], value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Canned reasons: each list a union, in order, without repeats (the same text, spaces aside). */
function unionReasons(inherited: unknown, own: unknown): unknown {
  if (!isPlain(own)) return own;
  const out: Plain = isPlain(inherited) ? { ...inherited } : {};
  for (const [kind, reasons] of Object.entries(own)) {
    if (!Array.isArray(reasons)) continue;
    out[kind] = union(Array.isArray(out[kind]) ? (out[kind] as string[]) : [], reasons as string[], (reason) => reason.trim());
  }
  return out;
}

/** The community sections of `layers` (broadest first) merged. */
export function mergeCommunity(documents: ReadonlyArray<CommunityDocument & { classifiers?: ClassifiersSectionInput }>): CommunityDocument {
  const merged: Plain = {};
  for (const doc of documents) {
    for (const section of COMMUNITY_SECTIONS) {
      const own = doc[section];
      if (own === undefined) continue;
      merged[section] = section === 'cannedReasons' ? unionReasons(merged[section], own) : overlay(merged[section], own);
    }
  }
  // Each classifier is a rule of its own (`classifier:<name>`): its publicReason and strike are
  // read by rule id like any rule's (notices, strikes), so they join `rules` here.
  const classifierRules = classifierRuleSettings(mergeClassifiers(documents.map((doc) => doc.classifiers)));
  if (Object.keys(classifierRules).length > 0) merged.rules = { ...classifierRules, ...(merged.rules as Plain | undefined) };
  return merged as CommunityDocument;
}

/** Merge `layers` (broadest first) into one document. Every layer takes part, whatever its mode. */
export function mergeLayers(layers: readonly PolicyLayer[]): MergedPolicy {
  const sections = new Map<string, Section>();
  const unmatchedRemovals: UnmatchedRemoval[] = [];
  let description: string | undefined;

  for (const layer of layers) {
    const doc = layer.document;
    if (doc.description !== undefined) description = doc.description;

    // 1. Removals apply to what this layer inherits.
    for (const section of Object.keys(POLICY_LISTS) as ListSection[]) {
      const removals = doc.remove?.[section] as Record<string, string[] | undefined> | undefined;
      if (!removals) continue;
      const key = ENTRY_KEYS[section];
      for (const list of POLICY_LISTS[section]) {
        const entries = removals[list];
        if (!entries?.length) continue;
        const inherited = sections.get(section);
        const current = (inherited?.[list] as string[] | undefined) ?? [];
        const gone = new Set(entries.map(key));
        const present = new Set(current.map(key));
        for (const entry of entries) if (!present.has(key(entry))) unmatchedRemovals.push({ scope: layer.scope, path: `remove.${section}.${list}`, entry });
        if (inherited?.[list] !== undefined) sections.set(section, { ...inherited, [list]: current.filter((e) => !gone.has(key(e))) });
      }
    }

    // 2. Sections: off, or this layer's settings over the inherited ones, lists as unions.
    for (const section of POLICY_SECTIONS) {
      const own = doc[section];
      if (own === undefined) continue;
      if (own === false) {
        sections.delete(section);
        continue;
      }
      const lists: readonly string[] = (POLICY_LISTS as Record<string, readonly string[]>)[section] ?? [];
      const merged: Section = { ...sections.get(section) };
      for (const [field, value] of Object.entries(own as Section)) {
        if (value === undefined) continue;
        merged[field] = lists.includes(field) ? union((merged[field] as string[] | undefined) ?? [], value as string[], ENTRY_KEYS[section as ListSection]) : value;
      }
      sections.set(section, merged);
    }
  }

  const document: Record<string, unknown> = { version: 1, ...(description !== undefined ? { description } : {}) };
  for (const section of POLICY_SECTIONS) {
    const value = sections.get(section);
    if (value) document[section] = value;
  }
  return {
    document: document as PolicyDocumentInput,
    community: mergeCommunity(layers.map((l) => l.document)),
    classifiers: mergeClassifiers(layers.map((l) => l.document.classifiers)),
    layers: layers.map(layerRef),
    unmatchedRemovals,
  };
}

/** The layers that are applied: the enforce-mode ones. */
export const appliedLayers = (layers: readonly PolicyLayer[]): PolicyLayer[] => layers.filter((l) => modeOf(l.document) === 'enforce');

/** The applied policy of a chain, and its shadow policy when one of its scopes is in shadow mode. */
export function effectivePolicies(layers: readonly PolicyLayer[]): EffectivePolicies {
  const enforced = appliedLayers(layers);
  const applied = mergeLayers(enforced);
  return enforced.length === layers.length ? { applied } : { applied, shadow: mergeLayers(layers) };
}

/** `global@3 > arn…@2`: a stable key for a chain of versions (the compiled-policy cache's key). */
export const layersKey = (layers: readonly PolicyLayerRef[]): string => layers.map((l) => `${l.scope}@${l.version}${l.mode === 'shadow' ? 's' : ''}`).join('>');
