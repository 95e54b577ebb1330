import { describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../../src/domain/item.js';
import { AlreadyDecidedError, ClaimConflictError, DeadlinePassedError, ItemNotFoundError, NotReviewableError, VersionConflictError } from '../../../src/errors.js';
import { explainLostWrite, obstacleFor } from '../../../src/review/conflicts.js';
import { aMessage, callbackId } from '../../support/factories.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const id = callbackId();

function item(overrides: Partial<ModerationItem> = {}): ModerationItem {
  return {
    callbackId: id,
    message: aMessage(),
    receivedAt: '2026-01-01T00:00:00.000Z',
    deadline: '2026-01-03T00:00:00.000Z',
    status: 'PENDING_REVIEW',
    version: 3,
    updatedAt: '2026-01-01T00:00:00.000Z',
    history: [],
    ...overrides,
  };
}
const claimBy = (subject: string, until: string) => ({ claim: { subject, username: subject, until, claimedAt: '2026-01-01T11:00:00.000Z' } });

describe('obstacleFor', () => {
  it('finds nothing in the way of an unclaimed pending item, or one the caller holds', () => {
    expect(obstacleFor(id, item(), 'alice', NOW)).toBeUndefined();
    expect(obstacleFor(id, item(claimBy('alice', '2026-01-01T12:05:00.000Z')), 'alice', NOW, 3)).toBeUndefined();
  });

  it('treats a lapsed claim as no claim', () => {
    expect(obstacleFor(id, item(claimBy('bob', '2026-01-01T12:00:00.000Z')), 'alice', NOW)).toBeUndefined();
  });

  it('names the reason, in order: missing, decided, past deadline, not reviewable, claimed, stale', () => {
    const decision = { action: 'ALLOW' as const, origin: 'AUTO' as const, actor: { id: 'policy' }, reason: 'ok', ruleIds: [], decidedAt: '2026-01-01T00:00:01.000Z' };
    expect(obstacleFor(id, undefined, 'alice', NOW)).toBeInstanceOf(ItemNotFoundError);
    expect(obstacleFor(id, item({ status: 'EXPIRED', decision }), 'alice', NOW)).toBeInstanceOf(AlreadyDecidedError);
    expect(obstacleFor(id, item({ deadline: '2026-01-01T11:59:59.999Z', ...claimBy('bob', '2026-01-02T00:00:00.000Z') }), 'alice', NOW)).toBeInstanceOf(DeadlinePassedError);
    expect(obstacleFor(id, item({ status: 'EXPIRED' }), 'alice', NOW)).toBeInstanceOf(DeadlinePassedError);
    expect(obstacleFor(id, item({ status: 'RECEIVED' }), 'alice', NOW)).toBeInstanceOf(NotReviewableError);
    expect(obstacleFor(id, item(claimBy('bob', '2026-01-01T12:00:00.001Z')), 'alice', NOW, 2)).toBeInstanceOf(ClaimConflictError);
    expect(obstacleFor(id, item(), 'alice', NOW, 2)).toBeInstanceOf(VersionConflictError);
  });

  it('explains a lost write that no rule explains as the item having moved on', () => {
    const error = explainLostWrite(id, item({ version: 4 }), 'alice', NOW, 3);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({ expectedVersion: 3, currentVersion: 4 });
  });
});
