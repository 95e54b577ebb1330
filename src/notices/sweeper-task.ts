import type { NoticeService } from './notices.js';
import type { NoticeRecord, NoticeStore } from './records.js';

/**
 * The sweeper's notices task (functions/sweeper/handler.ts SweeperTask): every notice record
 * whose next attempt is due, worked as the aftercare would have: a send that failed is tried
 * again (the same ClientRequestToken), a decision's notice whose deliverer crashed is finished
 * once the decision reads DELIVERED (or cancelled when it ended otherwise), a strike that could
 * not be recorded is recorded. What it did is counted (metrics `SweepNotices<Key>`).
 */
export function noticesSweeperTask(deps: { service: NoticeService; notices: NoticeStore; clock: { now(): number }; log?: (message: string, details: Record<string, unknown>) => void }, options: { batch?: number; concurrency?: number } = {}) {
  const batch = options.batch ?? 50;
  const concurrency = options.concurrency ?? 4;
  return {
    name: 'Notices',
    async run({ nowMs, stopAt }: { nowMs: number; stopAt: number }): Promise<Record<string, number>> {
      const counts = { sent: 0, failed: 0, cancelled: 0, notSent: 0, waiting: 0, retrying: 0, strikes: 0, errors: 0 };
      const seen = new Set<string>();
      const dueBy = new Date(nowMs).toISOString();
      // A few rounds at most: a record rescheduled by this run is no longer due, and one whose
      // write lost a race is left to its winner (seen once per run).
      for (let round = 0; round < 10 && deps.clock.now() < stopAt; round += 1) {
        const due = (await deps.notices.due(dueBy, batch)).filter((record) => !seen.has(record.id));
        if (due.length === 0) break;
        let next = 0;
        const worker = async () => {
          for (let i = next++; i < due.length && deps.clock.now() < stopAt; i = next++) {
            const record = due[i]!;
            seen.add(record.id);
            try {
              tally(counts, record, await deps.service.work(record));
            } catch (error) {
              counts.errors += 1;
              deps.log?.('A notice could not be worked; it stays due', { noticeId: record.id, error: String(error) });
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
      }
      return counts;
    },
  };
}

function tally(counts: Record<string, number>, before: NoticeRecord, after: NoticeRecord): void {
  if (before.strike?.status === 'PENDING' && after.strike?.status === 'RECORDED') counts.strikes! += 1;
  if (before.status !== 'PENDING') return;
  switch (after.status) {
    case 'SENT':
      counts.sent! += 1;
      return;
    case 'FAILED':
      counts.failed! += 1;
      return;
    case 'CANCELLED':
      counts.cancelled! += 1;
      return;
    case 'NOT_SENT':
      counts.notSent! += 1;
      return;
    case 'PENDING':
      if (after.attempts > before.attempts) counts.retrying! += 1;
      else counts.waiting! += 1;
  }
}
