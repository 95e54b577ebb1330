import type { z } from 'zod';
import type { ModerationItem } from '../domain/item.js';
import { ClaimConflictError, TransitionConflictError } from '../errors.js';
import { explainLostWrite, obstacleFor } from './conflicts.js';
import type { ReviewDeps } from './deps.js';
import type { Principal } from './principal.js';
import type { ReviewDetail } from './schemas.js';
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

const detail = (deps: ReviewDeps, item: ModerationItem) => toReviewDetail(item, deps.clock.now(), deps.expiryMarginSeconds);

export async function claimReview(deps: ReviewDeps, principal: Principal, callbackId: string, leaseSeconds: number): Promise<z.output<typeof ReviewDetail>> {
  const item = await deps.store.get(callbackId);
  const now = deps.clock.now();
  const obstacle = obstacleFor(callbackId, item, principal.subject, now);
  if (obstacle) throw obstacle;
  const current = item!;
  const extending = isClaimActive(current.claim, now) && current.claim.subject === principal.subject;
  const until = new Date(now + leaseSeconds * 1000).toISOString();
  try {
    const claimed = await deps.store.transition({
      callbackId,
      from: ['PENDING_REVIEW'],
      to: 'PENDING_REVIEW',
      claimableBy: principal.subject,
      set: {
        claim: {
          subject: principal.subject,
          username: principal.username,
          until,
          claimedAt: extending ? current.claim!.claimedAt : new Date(now).toISOString(),
        },
      },
      history: { actor: principal.username, event: extending ? 'claim-extended' : 'claimed', reason: `until ${until}` },
      now,
    });
    return detail(deps, claimed);
  } catch (error) {
    if (error instanceof TransitionConflictError) throw explainLostWrite(callbackId, error.current, principal.subject, deps.clock.now(), current.version);
    throw error;
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
