/**
 * Where each part of an effective policy comes from: which scope added a term, which scope set
 * `pii.action`, or whether a value is the engine's default. The effective policy itself is the
 * API's (`GET /policies/{scope}?effective=true`, merged by src/policy/merge.ts); this only
 * replays the merge rule over the layers' own documents to label it:
 *
 *   lists are unions (the broadest scope that added an entry keeps it), `remove:` takes inherited
 *   entries out, a scalar comes from the narrowest scope that writes it, `section: false` drops
 *   the section and everything inherited in it.
 *
 * Entries are matched loosely (case, accents and spacing), as the engine reads terms; an entry
 * the labelling cannot place is shown as coming from an unknown scope rather than guessed.
 */

export const SECTIONS = ['senders', 'content', 'metadata', 'terms', 'links', 'pii'] as const;
export type SectionName = (typeof SECTIONS)[number];

export const LISTS: Partial<Record<SectionName, readonly string[]>> = {
  terms: ['block', 'review'],
  links: ['allow', 'deny'],
  senders: ['allow', 'deny'],
};

export interface Layer {
  scope: string;
  /** The scope's document as written (null: nothing of its own). */
  document: Record<string, unknown> | null;
}

/** A scope id, `default` (the engine's default for a setting nobody wrote), or `unknown`. */
export type Source = string;

export interface SectionSources {
  on: boolean;
  /** The scope whose document switched the section on (the narrowest since it was last off). */
  enabledBy?: Source;
  settings: Array<{ field: string; value: unknown; source: Source }>;
  lists: Array<{ field: string; entries: Array<{ entry: string; source: Source }> }>;
}

export function entryKey(section: string, entry: string): string {
  const text = entry.trim();
  if (section === 'senders') return text;
  if (section === 'links') {
    return text
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .replace(/[/?#].*$/, '')
      .replace(/^\*\./, '')
      .replace(/^\.+|\.+$/g, '');
  }
  // Terms: as the engine reads them, near enough (case, accents, spacing and punctuation).
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  return words ? words.join(' ') : text.toLowerCase();
}

const asObject = (value: unknown): Record<string, unknown> | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function effectiveSources(layers: readonly Layer[], effective: Record<string, unknown>): Record<SectionName, SectionSources> {
  const out = {} as Record<SectionName, SectionSources>;
  for (const section of SECTIONS) {
    const listFields = LISTS[section] ?? [];
    let enabledBy: Source | undefined;
    let settingSource = new Map<string, Source>();
    let listSource = new Map<string, Map<string, Source>>();

    for (const layer of layers) {
      const doc = layer.document;
      if (!doc) continue;
      const removals = asObject(asObject(doc.remove)?.[section]);
      for (const field of listFields) for (const entry of asList(removals?.[field])) listSource.get(field)?.delete(entryKey(section, entry));
      const own = doc[section];
      if (own === false) {
        enabledBy = undefined;
        settingSource = new Map();
        listSource = new Map();
        continue;
      }
      const settings = asObject(own);
      if (!settings) continue;
      enabledBy ??= layer.scope;
      for (const [field, value] of Object.entries(settings)) {
        if (value === undefined) continue;
        if (listFields.includes(field)) {
          const sources = listSource.get(field) ?? new Map<string, Source>();
          for (const entry of asList(value)) {
            const key = entryKey(section, entry);
            if (!sources.has(key)) sources.set(key, layer.scope);
          }
          listSource.set(field, sources);
        } else {
          settingSource.set(field, layer.scope);
        }
      }
    }

    const merged = asObject(effective[section]);
    if (!merged) {
      out[section] = { on: false, settings: [], lists: [] };
      continue;
    }
    const fallback = (field: string, entry: string): Source => layers.find((l) => asList(asObject(l.document?.[section])?.[field]).includes(entry))?.scope ?? 'unknown';
    out[section] = {
      on: true,
      enabledBy: enabledBy ?? 'unknown',
      settings: Object.entries(merged)
        .filter(([field]) => !listFields.includes(field))
        .map(([field, value]) => ({ field, value, source: settingSource.get(field) ?? 'default' })),
      lists: listFields.map((field) => ({
        field,
        entries: asList(merged[field]).map((entry) => ({ entry, source: listSource.get(field)?.get(entryKey(section, entry)) ?? fallback(field, entry) })),
      })),
    };
  }
  return out;
}

// ─── The community sections: rules' public reasons, reports, notices, appeals, escalation … ──
//
// The API gives their effective values (`effective.community`: every default filled in,
// durations in seconds). Where each comes from is replayed here over the layers' own documents,
// as src/policy/merge.ts merges them: a setting from the narrowest scope that writes it, maps
// (rules, categories, notice kinds) key by key, `escalation`, `reports.rateLimits` and
// `reports.autoHide` whole, `false` switching a notice kind or auto-hide off (and dropping what
// was inherited in it), canned reasons as unions.

export const COMMUNITY_SECTIONS = ['rules', 'reports', 'notices', 'appeals', 'strikes', 'escalation', 'approvals', 'cannedReasons'] as const;
export type CommunitySectionName = (typeof COMMUNITY_SECTIONS)[number];

/** One effective setting: its path as written in a document (`reports.categories.spam.sla`), its value, where it comes from. */
export interface CommunitySetting {
  path: string[];
  value: unknown;
  /** The value is a duration in seconds (shown as `15m`, `1d` …). */
  duration: boolean;
  source: Source;
}

export interface CommunitySources {
  settings: CommunitySetting[];
  /** cannedReasons only: each list's entries with the scope that added them. */
  lists: Array<{ field: string; entries: Array<{ entry: string; source: Source }> }>;
}

/** Settings replaced whole by a scope that writes them (never merged key by key). */
const WHOLE = new Set(['escalation', 'reports\u0000rateLimits', 'reports\u0000autoHide']);
const keyOf = (path: readonly string[]) => path.join('\u0000');

/** Seconds → the largest exact unit (`86400` → `1d`), as policies write durations. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Which scope wrote each setting that is in force (replaying the merge over the layers' documents). */
function writtenSources(layers: readonly Layer[]): Map<string, Source> {
  const sources = new Map<string, Source>();
  const forget = (prefix: string) => {
    for (const key of [...sources.keys()]) if (key.startsWith(`${prefix}\u0000`)) sources.delete(key);
  };
  const walk = (value: unknown, path: string[], scope: string) => {
    const key = keyOf(path);
    const object = asObject(value);
    if (object && !WHOLE.has(key)) {
      // An object over an inherited `false` starts afresh: the `false` no longer applies.
      sources.delete(key);
      for (const [field, child] of Object.entries(object)) if (child !== undefined) walk(child, [...path, field], scope);
      return;
    }
    forget(key);
    sources.set(key, scope);
    // A notice kind switched off: its `enabled` is this scope's doing (its text falls back to the default).
    if (value === false && path[0] === 'notices') sources.set(keyOf([...path, 'enabled']), scope);
  };
  for (const layer of layers) {
    const doc = layer.document;
    if (!doc) continue;
    for (const section of COMMUNITY_SECTIONS) {
      if (section === 'cannedReasons' || doc[section] === undefined) continue;
      walk(doc[section], [section], layer.scope);
    }
  }
  return sources;
}

/** The effective settings of one section, flattened to written paths (`slaSeconds` is written `sla`). */
function flatten(value: unknown, path: string[], out: Array<{ path: string[]; value: unknown; duration: boolean }>) {
  const key = keyOf(path);
  const object = asObject(value);
  if (object && !WHOLE.has(key)) {
    for (const [field, child] of Object.entries(object)) {
      const written = field.endsWith('Seconds') ? field.slice(0, -'Seconds'.length) : field;
      if (written !== field && typeof child === 'number') out.push({ path: [...path, written], value: child, duration: true });
      else flatten(child, [...path, written], out);
    }
    return;
  }
  out.push({ path, value, duration: false });
}

export function communitySources(layers: readonly Layer[], community: Record<string, unknown>): Record<CommunitySectionName, CommunitySources> {
  const written = writtenSources(layers);
  const out = {} as Record<CommunitySectionName, CommunitySources>;
  for (const section of COMMUNITY_SECTIONS) {
    if (section === 'cannedReasons') {
      const lists = asObject(community.cannedReasons) ?? {};
      out.cannedReasons = {
        settings: [],
        lists: Object.entries(lists).map(([field, value]) => ({
          field,
          entries: asList(value).map((entry) => ({
            entry,
            // The first scope that wrote it; a list nobody wrote is the built-in one.
            source: layers.find((l) => asList(asObject(asObject(l.document?.cannedReasons))?.[field]).some((e) => e.trim() === entry.trim()))?.scope ?? 'default',
          })),
        })),
      };
      continue;
    }
    const leaves: Array<{ path: string[]; value: unknown; duration: boolean }> = [];
    // Auto-hide is absent when off: show it as off.
    const value = section === 'reports' ? { ...asObject(community.reports), autoHide: asObject(community.reports)?.autoHide ?? false } : community[section];
    flatten(value, [section], leaves);
    out[section] = { settings: leaves.map((leaf) => ({ ...leaf, path: leaf.path.slice(1), source: written.get(keyOf(leaf.path)) ?? 'default' })), lists: [] };
  }
  return out;
}
