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
