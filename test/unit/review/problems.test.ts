import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/item.js';
import {
  AlreadyDecidedError,
  ClaimConflictError,
  DeadlinePassedError,
  ForbiddenError,
  InvalidRequestError,
  ItemNotFoundError,
  ItemTooLargeError,
  NotReviewableError,
  TransitionConflictError,
  VersionConflictError,
} from '../../../src/errors.js';
import { PROBLEM_BASE, problem, toProblem } from '../../../src/http/problems.js';

const id = 'c'.repeat(48);
const decision: Decision = { action: 'DENY', origin: 'MODERATOR', actor: { id: 'sub-1', name: 'alice' }, reason: 'spam', ruleIds: [], decidedAt: '2026-01-01T00:00:00.000Z' };

describe('toProblem', () => {
  it.each([
    [new InvalidRequestError('bad', [{ path: 'body.action', message: 'x' }]), 400, 'invalid-request', { errors: [{ path: 'body.action', message: 'x' }] }],
    [new ForbiddenError('sub-1', ['moderators', 'admins']), 403, 'forbidden', { requiredGroups: ['moderators', 'admins'] }],
    [new ItemNotFoundError(id), 404, 'not-found', { callbackId: id }],
    [new AlreadyDecidedError(id, 'DELIVERED', decision), 409, 'already-decided', { decidedBy: { id: 'sub-1', name: 'alice' }, action: 'DENY', origin: 'MODERATOR', decidedAt: decision.decidedAt, itemStatus: 'DELIVERED' }],
    [new ClaimConflictError(id, { subject: 'sub-2', username: 'bob', until: '2026-01-01T00:05:00.000Z', claimedAt: '2026-01-01T00:00:00.000Z' }), 409, 'claim-conflict', { claimedBy: { subject: 'sub-2', username: 'bob' }, until: '2026-01-01T00:05:00.000Z' }],
    [new VersionConflictError(id, 3, 5), 409, 'version-conflict', { expectedVersion: 3, currentVersion: 5 }],
    [new NotReviewableError(id, 'RECEIVED'), 409, 'not-reviewable', { itemStatus: 'RECEIVED' }],
    [new DeadlinePassedError(id, '2026-01-02T00:00:00.000Z'), 410, 'deadline-passed', { deadline: '2026-01-02T00:00:00.000Z' }],
    [new ItemTooLargeError(id, 'PENDING_REVIEW → DECIDED'), 500, 'item-too-large', { callbackId: id }],
  ] as const)('maps %s to %i %s with its context', (error, status, type, extensions) => {
    const body = toProblem(error);
    expect(body).toMatchObject({ type: `${PROBLEM_BASE}${type}`, status, title: expect.any(String), detail: expect.any(String), ...extensions });
  });

  it('says who decided what in the detail of a 409', () => {
    expect(toProblem(new AlreadyDecidedError(id, 'DELIVERED', decision)).detail).toMatch(/alice already decided DENY \(MODERATOR\) at 2026-01-01/);
  });

  it('explains a write refused for size plainly, never as a bare internal error', () => {
    const body = toProblem(new ItemTooLargeError(id, 'PENDING_REVIEW → DECIDED'));
    expect(body.detail).toMatch(/400 KB limit.*Nothing was changed.*operators have been alerted/);
  });

  it('never lets an extension overwrite a standard member', () => {
    expect(problem('not-found', 'gone', { status: 'FAILED', type: 'x' })).toMatchObject({ status: 404, type: `${PROBLEM_BASE}not-found` });
  });

  it('turns anything unexpected into a 500 that reveals nothing', () => {
    const secret = new Error('ConditionalCheckFailed on table prod-moderation at arn:aws:dynamodb:eu-west-1:123456789012');
    for (const error of [secret, new TransitionConflictError(id, 'x', undefined), 'a string', undefined]) {
      const body = toProblem(error);
      expect(body.status).toBe(500);
      expect(JSON.stringify(body)).not.toMatch(/dynamodb|arn:|table|Conditional/i);
    }
  });
});
