import type { Restrictions } from './restrictions.js';

/**
 * The sweeper's part for restrictions (functions/sweeper/handler.ts SweeperTask): timed ones
 * whose end has come are ended (a HOLD ENDED; a BAN's channels unbanned, then ENDED), and Chime
 * calls left REQUESTED are tried again, each read back first. Published as metrics
 * `SweepRestrictions<Count>` (ended, bansDone, unbansDone, stillRequested, failedCalls …).
 */
export function restrictionsSweeperTask(restrictions: Pick<Restrictions, 'sweep'>): { name: string; run(options: { nowMs: number; stopAt: number }): Promise<Record<string, number>> } {
  return { name: 'Restrictions', run: (options) => restrictions.sweep(options) };
}
