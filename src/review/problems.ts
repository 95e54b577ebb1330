import {
  AlreadyDecidedError,
  AuthenticationError,
  ClaimConflictError,
  DeadlinePassedError,
  ForbiddenError,
  InvalidCallbackError,
  InvalidCursorError,
  InvalidRequestError,
  ItemNotFoundError,
  NotReviewableError,
  VersionConflictError,
} from '../errors.js';

/**
 * RFC 9457 problem details: the one shape of every error the review API answers. The mapping
 * from our typed errors lives here and nowhere else, so the same refusal always reads the same.
 */
export const PROBLEM_BASE = 'https://chime-flow-moderation.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'invalid-cursor': { status: 400, title: 'The cursor is not valid for this query' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not a moderator' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'already-decided': { status: 409, title: 'Already decided' },
  'claim-conflict': { status: 409, title: 'Claimed by someone else' },
  'version-conflict': { status: 409, title: 'The item changed' },
  'not-reviewable': { status: 409, title: 'Not waiting for review' },
  'deadline-passed': { status: 410, title: 'Past its deadline' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be JSON' },
  'internal-error': { status: 500, title: 'Internal error' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export function problem(type: ProblemType, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  // An extension can never clobber a standard member.
  const { type: _type, title: _title, status: _status, detail: _detail, ...safe } = extensions;
  return { type: `${PROBLEM_BASE}${type}`, title, status, detail, ...safe };
}

const who = (actor: { id: string; name?: string | undefined }) => actor.name ?? actor.id;

/**
 * Our typed errors → a problem. Anything unknown becomes a 500 that says nothing about the
 * internals (the caller logs the error with the request id the 500 carries).
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof InvalidRequestError) {
    return problem('invalid-request', error.message, error.errors.length ? { errors: error.errors } : {});
  }
  if (error instanceof InvalidCursorError) return problem('invalid-cursor', error.message);
  if (error instanceof AuthenticationError) return problem('unauthorized', error.message);
  if (error instanceof ForbiddenError) {
    return problem('forbidden', `Your token is valid but is in none of the groups ${error.requiredGroups.join(' or ')}. Ask an admin to add you to one.`, {
      requiredGroups: error.requiredGroups,
    });
  }
  if (error instanceof ItemNotFoundError) return problem('not-found', `No moderation item has CallbackId ${error.callbackId}.`, { callbackId: error.callbackId });
  if (error instanceof AlreadyDecidedError) {
    const { decision } = error;
    return problem(
      'already-decided',
      `${who(decision.actor)} already decided ${decision.action} (${decision.origin}) at ${decision.decidedAt}; the item is ${error.status}. Nothing was changed.`,
      { callbackId: error.callbackId, itemStatus: error.status, decidedBy: decision.actor, action: decision.action, origin: decision.origin, decidedAt: decision.decidedAt, reason: decision.reason },
    );
  }
  if (error instanceof ClaimConflictError) {
    const { claim } = error;
    return problem('claim-conflict', `${claim.username ?? claim.subject} holds the claim until ${claim.until}. Pick another item, or wait for the lease to run out.`, {
      callbackId: error.callbackId,
      claimedBy: { subject: claim.subject, ...(claim.username ? { username: claim.username } : {}) },
      until: claim.until,
    });
  }
  if (error instanceof VersionConflictError) {
    return problem('version-conflict', `The item is at version ${error.currentVersion}, not ${error.expectedVersion}. Re-read it (GET /reviews/${error.callbackId}) and decide again.`, {
      callbackId: error.callbackId,
      expectedVersion: error.expectedVersion,
      currentVersion: error.currentVersion,
    });
  }
  if (error instanceof NotReviewableError) {
    return problem('not-reviewable', `The item is ${error.status}: only PENDING_REVIEW items can be claimed or decided.`, { callbackId: error.callbackId, itemStatus: error.status });
  }
  if (error instanceof DeadlinePassedError) {
    return problem('deadline-passed', `The deadline was ${error.deadline}; Chime no longer accepts a decision for it.`, { callbackId: error.callbackId, deadline: error.deadline });
  }
  if (error instanceof InvalidCallbackError) {
    return problem('invalid-request', `Chime would reject this decision: ${error.problems.join('; ')}`, { errors: error.problems.map((message) => ({ path: '', message })) });
  }
  return problem('internal-error', 'Internal error. Quote the request id if you report it.');
}
