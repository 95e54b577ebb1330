import type { z } from 'zod';
import type { ModerationItem } from '../domain/item.js';
import { ClaimConflictError, TransitionConflictError, VersionConflictError } from '../errors.js';
import { explainLostWrite, obstacleFor } from './conflicts.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from '../http/principal.js';
import type { ReviewDetail } from './responses.js';
import { isClaimActive, toReviewDetail } from './views.js';

/**
 * Claims are leases on PENDING_REVIEW items:
 *
 *   unclaimed ──claim──▶ held by A until T ──A re-claims──▶ held by A until T' (extended)
 *                           │  └─ T passes ─▶ lapsed: anyone may claim it
 *                           └─ A (or an admin) releases ─▶ unclaimed
 *
 * Every write carries the claim guard, evaluated by DynamoDB inside the same conditional
 * write, so two moderators claiming at once cannot both win. The sweeper ignores claims: a
 * claim never keeps the expiry policy from running.
 */

const detail = (deps: ReviewDeps, item: ModerationItem) => toReviewDetail(item, deps.clock.now(), deps.expiryMarginSeconds, deps.expiryAction);

export async function claimReview(deps: ReviewDeps, principal: Principal, callbackId: string, leaseSeconds: number): Promise<z.output<typeof ReviewDetail>> {
  // A renewal that loses only to a concurrent write of the same holder (another tab, a
  // compaction) is simply tried once more on a fresh read.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await claimOnce(deps, principal, callbackId, leaseSeconds);
    } catch (error) {
      if (!(error instanceof RenewalRaced) || attempt >= 3) throw error instanceof RenewalRaced ? error.conflict : error;
    }
  }
}

/** Lost the write, but nobody else holds the item: worth one more read. */
class RenewalRaced extends Error {
  constructor(readonly conflict: Error) {
    super(conflict.message);
  }
}

async function claimOnce(deps: ReviewDeps, principal: Principal, callbackId: string, leaseSeconds: number): Promise<z.output<typeof ReviewDetail>> {
  const item = await deps.store.get(callbackId);
  const now = deps.clock.now();
  const obstacle = obstacleFor(callbackId, item, principal.subject, now);
  if (obstacle) throw obstacle;
  const current = item!;
  const extending = isClaimActive(current.claim, now) && current.claim.subject === principal.subject;
  const at = new Date(now).toISOString();
  const until = new Date(now + leaseSeconds * 1000).toISOString();
  const claim = { subject: principal.subject, username: principal.username, until, claimedAt: extending ? current.claim!.claimedAt : at };
  // A holder renewing while the item is open (the console does it every minute) bumps the
  // count of their `claimed` entry instead of adding one: renewals never grow the history.
  const last = current.history[current.history.length - 1];
  const renewsOwnEntry = extending && last?.event === 'claimed' && last.actor === principal.username;
  try {
    const claimed = await deps.store.transition({
      callbackId,
      deadline: current.deadline,
      from: ['PENDING_REVIEW'],
      to: 'PENDING_REVIEW',
      claimableBy: principal.subject,
      set: { claim },
      history: { actor: principal.username, event: 'claimed', reason: `until ${until}` },
      ...(renewsOwnEntry
        ? {
            // The coalesced entry is replaced, not appended: two renewals at once would both
            // pass the history guard and one count would be lost, so the version guards it too.
            expectedVersion: current.version,
            coalesce: {
              index: current.history.length - 1,
              length: current.history.length,
              at: last.at,
              entry: { ...last, count: (last.count ?? 1) + 1, lastAt: at, reason: `until ${until}` },
            },
          }
        : {}),
      now,
    });
    return detail(deps, claimed);
  } catch (error) {
    if (!(error instanceof TransitionConflictError)) throw error;
    const explained = explainLostWrite(callbackId, error.current, principal.subject, deps.clock.now(), current.version);
    // Still ours to claim: the history or the version moved under us. Read again and retry.
    if (explained instanceof VersionConflictError) throw new RenewalRaced(explained);
    throw explained;
  }
}

/**
 * Gives a claim up. Releasing an item nobody holds (or whose lease lapsed) changes nothing and
 * succeeds: the caller's goal, "not held by me", is met. Only admins may release someone
 * else's running claim, and then only the claim they saw (version-guarded).
 */
export async function releaseClaim(deps: ReviewDeps, principal: Principal, callbackId: string): Promise<z.output<typeof ReviewDetail>> {
  const item = await deps.store.get(callbackId);
  const now = deps.clock.now();
  // Another's claim is no obstacle to an admin; anything else (decided, expired, gone) is.
  const obstacle = obstacleFor(callbackId, item, principal.isAdmin ? (item?.claim?.subject ?? principal.subject) : principal.subject, now);
  if (obstacle) throw obstacle;
  const current = item!;
  if (!isClaimActive(current.claim, now)) return detail(deps, current);
  const releasingOther = current.claim.subject !== principal.subject;
  if (releasingOther && !principal.isAdmin) throw new ClaimConflictError(callbackId, current.claim);
  try {
    const released = await deps.store.transition({
      callbackId,
      deadline: current.deadline,
      from: ['PENDING_REVIEW'],
      to: 'PENDING_REVIEW',
      ...(releasingOther ? { expectedVersion: current.version } : { claimableBy: principal.subject }),
      remove: ['claim'],
      history: {
        actor: principal.username,
        event: 'released',
        ...(releasingOther ? { reason: `admin released the claim of ${current.claim.username ?? current.claim.subject}` } : {}),
      },
      now,
    });
    return detail(deps, released);
  } catch (error) {
    if (error instanceof TransitionConflictError) throw explainLostWrite(callbackId, error.current, principal.subject, deps.clock.now(), current.version);
    throw error;
  }
}
