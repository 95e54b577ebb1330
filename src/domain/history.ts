import type { HistoryEntry } from './item.js';

/**
 * An item's history is bounded by design, so no sequence of API calls can grow an item past
 * DynamoDB's 400 KB limit and make it undecidable (a claim renewed every minute for a day would
 * otherwise add 1,440 entries).
 *
 *   the decision trail ── every status change (received, held, decided, delivered, expired,
 *                         failed …): always kept, whole and in order
 *   bookkeeping ───────── same-status entries (claimed, released, requeued, delivery-failed …):
 *                         the newest KEEP_RECENT are kept; older ones are folded into one
 *                         `history-compacted` entry that counts them by event
 *
 * A holder renewing their claim does not add entries at all: the `claimed` entry is updated in
 * place (count and last time; see src/review/claims.ts).
 *
 * Budget: at most MAX_HISTORY_ENTRIES bookkeeping entries plus the trail (a handful), each with a
 * reason of at most MAX_REASON_LENGTH characters: under 40 KB of history, which keeps a whole item
 * (a 4 KB message and 1 KB metadata, the verdict, a moderator's edit) inside a 64 KB budget.
 */
export const MAX_HISTORY_ENTRIES = 40;
/** Bookkeeping entries kept verbatim when a history is compacted. */
export const KEEP_RECENT = 20;
/** Longer reasons (a moderator may write 1,000 characters) are cut in the history, not in the decision. */
export const MAX_REASON_LENGTH = 500;
/** The documented budget for a whole item, checked by the 10,000-claim-cycle test. */
export const ITEM_SIZE_BUDGET_BYTES = 64 * 1024;

export const COMPACTED_EVENT = 'history-compacted';

/** A status change is part of the decision trail; a same-status entry is bookkeeping. */
export const isTrail = (entry: Pick<HistoryEntry, 'from' | 'to' | 'event'>): boolean =>
  entry.event !== COMPACTED_EVENT && entry.from !== entry.to;

export function boundedReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason.length <= MAX_REASON_LENGTH) return reason;
  return `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** Whether a history of this length needs compacting. */
export const needsCompaction = (history: readonly HistoryEntry[], max = MAX_HISTORY_ENTRIES): boolean =>
  history.filter((entry) => !isTrail(entry)).length > max;

/** "12 claimed, 11 released, 3 delivery-failed": what a compacted entry stands for. */
function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([event, n]) => `${n} ${event}`).join(', ');
}

/**
 * Folds all but the newest `keepRecent` bookkeeping entries into one `history-compacted`
 * entry, placed where the oldest folded entry was. Trail entries are never folded. An earlier
 * compacted entry is folded into the new one, so counts accumulate. Pure; returns the input
 * when nothing needs folding.
 */
export function compactHistory(history: readonly HistoryEntry[], keepRecent = KEEP_RECENT): HistoryEntry[] {
  const bookkeeping = history.map((entry, index) => ({ entry, index })).filter(({ entry }) => !isTrail(entry));
  const fold = bookkeeping.slice(0, Math.max(0, bookkeeping.length - keepRecent));
  if (fold.length < 2) return [...history];

  const counts = new Map<string, number>();
  let folded = 0;
  for (const { entry } of fold) {
    if (entry.event === COMPACTED_EVENT) {
      // An earlier summary: its counts travel in `counts`.
      for (const [event, n] of Object.entries(entry.counts ?? {})) counts.set(event, (counts.get(event) ?? 0) + n);
      folded += entry.count ?? 0;
    } else {
      const n = entry.count ?? 1;
      counts.set(entry.event, (counts.get(entry.event) ?? 0) + n);
      folded += n;
    }
  }
  const first = fold[0]!.entry;
  const last = fold[fold.length - 1]!.entry;
  const summary: HistoryEntry = {
    at: first.at,
    lastAt: last.lastAt ?? last.at,
    actor: 'system',
    to: first.to,
    ...(first.from !== undefined ? { from: first.from } : {}),
    event: COMPACTED_EVENT,
    count: folded,
    counts: Object.fromEntries(counts),
    reason: `${folded} bookkeeping entries folded (${describeCounts(counts)}); the decision trail is kept whole`,
  };
  const folding = new Set(fold.map(({ index }) => index));
  const out: HistoryEntry[] = [];
  history.forEach((entry, index) => {
    if (index === fold[0]!.index) out.push(summary);
    else if (!folding.has(index)) out.push(entry);
  });
  return out;
}

/** UTF-8 size of an item as DynamoDB counts it, closely enough for a budget check (JSON is a slight over-estimate). */
export const approximateItemBytes = (item: unknown): number => Buffer.byteLength(JSON.stringify(item), 'utf8');
