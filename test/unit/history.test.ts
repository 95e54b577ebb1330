import { describe, expect, it } from 'vitest';
import {
  COMPACTED_EVENT,
  KEEP_RECENT,
  MAX_HISTORY_ENTRIES,
  MAX_REASON_LENGTH,
  boundedReason,
  compactHistory,
  isTrail,
  needsCompaction,
} from '../../src/domain/history.js';
import type { HistoryEntry } from '../../src/domain/item.js';

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 12, minute)).toISOString();
const trail: HistoryEntry[] = [
  { at: at(0), actor: 'intake', to: 'RECEIVED', event: 'received' },
  { at: at(0), actor: 'worker', from: 'RECEIVED', to: 'PENDING_REVIEW', event: 'held-for-review', reason: 'refund' },
];
const claimCycle = (minute: number, who = 'alice'): HistoryEntry[] => [
  { at: at(minute), actor: who, from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: 'claimed' },
  { at: at(minute), actor: who, from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: 'released' },
];

describe('the decision trail', () => {
  it('is every status change; same-status entries are bookkeeping', () => {
    expect(trail.every(isTrail)).toBe(true);
    expect(isTrail({ to: 'DELIVERED', event: 'delivered' })).toBe(true); // from several statuses: from is absent
    expect(isTrail({ from: 'DECIDED', to: 'DECIDED', event: 'delivery-failed' })).toBe(false);
    expect(isTrail({ from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: 'claimed' })).toBe(false);
    expect(isTrail({ from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: COMPACTED_EVENT })).toBe(false);
  });
});

describe('compactHistory', () => {
  it('leaves a history alone while it has few bookkeeping entries', () => {
    const history = [...trail, ...claimCycle(1)];
    expect(compactHistory(history)).toEqual(history);
    expect(needsCompaction(history)).toBe(false);
  });

  it('folds all but the newest bookkeeping entries into one counted entry, keeping the whole trail in order', () => {
    const cycles = Array.from({ length: 30 }, (_, i) => claimCycle(i + 1)).flat();
    const decided: HistoryEntry = { at: at(40), actor: 'alice', from: 'PENDING_REVIEW', to: 'DECIDED', event: 'decided:DENY', reason: 'spam' };
    const history = [...trail, ...cycles, decided];
    expect(needsCompaction(history)).toBe(true);

    const compacted = compactHistory(history);
    expect(compacted.filter(isTrail)).toEqual([...trail, decided]);
    const bookkeeping = compacted.filter((e) => !isTrail(e));
    expect(bookkeeping).toHaveLength(KEEP_RECENT + 1);
    const summary = compacted[2]!;
    expect(summary).toMatchObject({ event: COMPACTED_EVENT, count: 40, counts: { claimed: 20, released: 20 }, at: at(1), lastAt: at(20) });
    expect(summary.reason).toMatch(/40 bookkeeping entries folded \(20 claimed, 20 released\)/);
    // The newest bookkeeping entries are kept verbatim, and the decision stays last.
    expect(compacted.slice(3, -1)).toEqual(cycles.slice(-KEEP_RECENT));
    expect(compacted.at(-1)).toEqual(decided);
  });

  it('accumulates counts across repeated compactions, counting renewals merged into one entry', () => {
    let history: HistoryEntry[] = [...trail];
    for (let i = 0; i < 500; i += 1) {
      const renewed: HistoryEntry = { at: at(i % 60), actor: 'alice', from: 'PENDING_REVIEW', to: 'PENDING_REVIEW', event: 'claimed', count: 3, lastAt: at(i % 60) };
      history = [...history, renewed, claimCycle(i % 60)[1]!];
      if (needsCompaction(history)) history = compactHistory(history);
    }
    expect(history.filter((e) => !isTrail(e)).length).toBeLessThanOrEqual(MAX_HISTORY_ENTRIES);
    const summary = history.find((e) => e.event === COMPACTED_EVENT)!;
    const kept = history.filter((e) => !isTrail(e) && e.event !== COMPACTED_EVENT);
    const keptEvents = kept.reduce((n, e) => n + (e.count ?? 1), 0);
    // Every one of the 2,000 events (500 × 3 claims + 500 releases) is accounted for.
    expect(summary.count! + keptEvents).toBe(2000);
    expect(summary.counts!.claimed! + summary.counts!.released!).toBe(summary.count);
  });

  it('can fold everything but the trail (the size-limit fallback)', () => {
    const history = [...trail, ...Array.from({ length: 10 }, (_, i) => claimCycle(i)).flat()];
    const compacted = compactHistory(history, 0);
    expect(compacted).toHaveLength(3);
    expect(compacted[2]).toMatchObject({ event: COMPACTED_EVENT, count: 20 });
  });
});

describe('boundedReason', () => {
  it('keeps short reasons and cuts long ones to the budget', () => {
    expect(boundedReason('spam')).toBe('spam');
    expect(boundedReason(undefined)).toBeUndefined();
    const cut = boundedReason('x'.repeat(MAX_REASON_LENGTH * 3))!;
    expect(cut).toHaveLength(MAX_REASON_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
  });
});
