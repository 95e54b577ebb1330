import {
  AdminRequiredError,
  ChimeActionError,
  ChimeBearerNotConfiguredError,
  ChimeReadError,
  PortNotConfiguredError,
  FollowUpNotRecordedError,
  IdempotencyKeyReusedError,
  PeopleRefusal,
  PolicyNotFoundError,
  PolicyVersionConflictError,
  AlreadyDecidedError,
  AuthenticationError,
  ClaimConflictError,
  DeadlinePassedError,
  ForbiddenError,
  InvalidCallbackError,
  ItemTooLargeError,
  InvalidCursorError,
  InvalidRequestError,
  ItemNotFoundError,
  NotReviewableError,
  VersionConflictError,
} from '../errors.js';

/**
 * RFC 9457 problem details: the one shape of every error the HTTP API answers, in every room. The mapping
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
  'admins-only': { status: 403, title: 'Only admins may do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'already-decided': { status: 409, title: 'Already decided' },
  'claim-conflict': { status: 409, title: 'Claimed by someone else' },
  'version-conflict': { status: 409, title: 'The item changed' },
  'not-reviewable': { status: 409, title: 'Not waiting for review' },
  'policy-version-conflict': { status: 409, title: 'The policy changed' },
  'deadline-passed': { status: 410, title: 'Past its deadline' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be JSON' },
  'item-too-large': { status: 500, title: 'The item is at its storage limit' },
  'internal-error': { status: 500, title: 'Internal error' },
  // Follow-up actions in Chime (ban, redact, delete): src/review/follow-ups.ts.
  'chime-conflict': { status: 409, title: 'Chime refused: conflict' },
  'chime-bad-request': { status: 400, title: 'Chime rejected the request' },
  'chime-bearer-forbidden': { status: 502, title: "Chime refused the API's bearer" },
  'chime-bearer-not-configured': { status: 503, title: 'Chime actions are not configured' },
  'chime-unavailable': { status: 503, title: 'Chime did not answer' },
  'not-configured': { status: 503, title: 'Not configured here' },
  'action-not-recorded': { status: 500, title: 'Done in Chime, not fully recorded' },
  'not-attempted': { status: 503, title: 'Not attempted in time' },
  'idempotency-key-reused': { status: 409, title: 'The Idempotency-Key was used for another request' },
  // The people rooms (src/reports, src/appeals, src/senders): PeopleRefusal's subclasses.
  'no-member-identity': { status: 403, title: 'Not a chat member' },
  'member-identity-not-configured': { status: 503, title: 'Member identity is not configured' },
  'not-your-member': { status: 403, title: 'Acting for another member' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'four-eyes': { status: 403, title: 'Needs a second person' },
  'already-appealed': { status: 409, title: 'Appealed already' },
  'not-appealable': { status: 409, title: 'Nothing to appeal' },
  'appeal-window-closed': { status: 410, title: 'The appeal window has closed' },
  'approval-conflict': { status: 409, title: 'Decided by someone else' },
  'not-restrictable': { status: 409, title: 'This member cannot be restricted' },
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
  if (error instanceof AdminRequiredError) {
    return problem('admins-only', error.detail ?? `Moderators may read and test policies; only members of ${error.requiredGroups.join(' or ')} may change them.`, { requiredGroups: error.requiredGroups });
  }
  if (error instanceof ChimeBearerNotConfiguredError) {
    return problem(
      'chime-bearer-not-configured',
      `The review API has no Chime identity to call ${error.operation} as: the stage param chimeBearerArn (CHIME_BEARER_ARN) is not set. Ask an operator to set it to an AppInstanceAdmin (user or bot) of the channel's AppInstance. Nothing was done or recorded.`,
      { operation: error.operation, channelArn: error.channelArn },
    );
  }
  if (error instanceof PeopleRefusal) return problem(error.problemType, error.message, error.extensions);
  if (error instanceof PortNotConfiguredError) return problem('not-configured', `${error.detail} Nothing was done or recorded.`, { port: error.port });
  if (error instanceof ChimeReadError) {
    const extensions = { operation: error.operation, chimeErrorType: error.errorType, channelArn: error.channelArn };
    return error.refusal === 'FORBIDDEN'
      ? problem(
          'chime-bearer-forbidden',
          `Chime refused ${error.operation} for the API's bearer ${error.bearer} (${error.errorType}: ${error.chimeMessage}). Check the configured bearer's rights (stage param chimeBearerArn): reading a channel's messages and members needs an AppInstanceAdmin or a member of the channel. Nothing was stored.`,
          { ...extensions, bearer: error.bearer },
        )
      : problem('chime-unavailable', `Chime did not answer ${error.operation} (${error.errorType}). Nothing was stored; try again in a moment.`, extensions);
  }
  if (error instanceof ChimeActionError) return chimeProblem(error);
  if (error instanceof FollowUpNotRecordedError) {
    return problem(
      'action-not-recorded',
      `${error.happened}, but the audit log could not be updated: it shows action ${error.actionId} as REQUESTED (outcome unknown) instead of DONE. The action stands in Chime. Operators have been alerted; quote the request id if you report it.`,
      { actionId: error.actionId, action: error.action },
    );
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return problem(
      'idempotency-key-reused',
      `The Idempotency-Key ${error.key} was first sent with another request (${error.firstRequest}). Nothing was done. Use a new key for a new request; send the same request to get its first outcome again.`,
      { idempotencyKey: error.key },
    );
  }
  if (error instanceof PolicyNotFoundError) return problem('not-found', error.message, { scope: error.scope, ...(error.version !== undefined ? { version: error.version } : {}) });
  if (error instanceof PolicyVersionConflictError) {
    const current = error.current;
    return problem(
      'policy-version-conflict',
      `${error.scope} is at version ${current?.version ?? 0}, not ${error.expectedVersion}${current ? ` (${current.kind} by ${current.updatedBy.name ?? current.updatedBy.id} at ${current.updatedAt})` : ''}. Read it again, reapply your change and send the new expectedVersion.`,
      {
        scope: error.scope,
        expectedVersion: error.expectedVersion,
        currentVersion: current?.version ?? 0,
        ...(current ? { updatedBy: current.updatedBy, updatedAt: current.updatedAt, comment: current.comment } : {}),
      },
    );
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
  if (error instanceof ItemTooLargeError) {
    return problem(
      'item-too-large',
      'DynamoDB refused to store this change because the item is at its 400 KB limit, even after its history was compacted. Nothing was changed, and operators have been alerted (metric StoreItemTooLarge). Quote the request id if you report it.',
      { callbackId: error.callbackId },
    );
  }
  return problem('internal-error', 'Internal error. Quote the request id if you report it.');
}

/** What Chime answered to a ban, redaction or deletion, for the moderator and the operator. */
function chimeProblem(error: ChimeActionError): Problem {
  const { operation, target } = error;
  const said = `${error.errorType}: ${error.chimeMessage}`;
  const what = target.messageId !== undefined ? `message ${target.messageId} in channel ${target.channelArn}` : `channel ${target.channelArn}`;
  const refused = 'Nothing was changed; the audit log shows the attempt as FAILED.';
  const extensions = { operation, chimeErrorType: error.errorType, chimeMessage: error.chimeMessage, ...target };
  switch (error.refusal) {
    case 'NOT_FOUND':
      return problem('not-found', `Chime has no ${what} (${said}). ${refused}`, extensions);
    case 'CONFLICT':
      return problem(
        'chime-conflict',
        `Chime refused ${operation} on ${what} (${said}).${operation === 'RedactChannelMessage' ? ' A message still in the channel flow cannot be redacted: decide it in the review queue.' : ''} ${refused}`,
        extensions,
      );
    case 'BAD_REQUEST':
      return problem('chime-bad-request', `Chime rejected ${operation} on ${what} as invalid (${said}). ${refused}`, extensions);
    case 'FORBIDDEN':
      return problem(
        'chime-bearer-forbidden',
        `Chime refused ${operation} for the API's bearer ${error.bearer} (${said}). Check the configured bearer's rights (stage param chimeBearerArn): banning and redacting need a moderator of the channel or an AppInstanceAdmin, deleting needs an AppInstanceAdmin. ${refused}`,
        { ...extensions, bearer: error.bearer },
      );
    case 'BUSY':
      return problem('chime-unavailable', `Chime turned ${operation} away (${said}), after retries. Nothing was changed (the audit log shows the attempt as FAILED); try again in a moment.`, extensions);
    case 'UNCONFIRMED':
      return problem(
        'chime-unavailable',
        `Chime did not confirm ${operation} on ${what} (${said}): it may or may not have happened, and the audit log shows it as REQUESTED. Check in Chime; repeating a ban or a redaction is harmless.`,
        extensions,
      );
  }
}
