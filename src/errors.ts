import type { Claim, Decision, ModerationItem, Status } from './domain/item.js';

/**
 * Every error we raise on purpose. Each carries the context a person needs to act on it
 * (which CallbackId, which state, what was expected) and keeps the original `cause`.
 */
export class ModerationError extends Error {
  readonly context: Record<string, unknown>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** Invalid configuration; raised at cold start, names the variable. */
export class ConfigurationError extends ModerationError {}

/** A policy file that cannot be read, parsed or compiled. Raised at cold start. */
export class PolicyError extends ModerationError {}

/** The processor event is not a usable CHANNEL_MESSAGE_EVENT. Kept on the intake DLQ. */
export class InvalidEventError extends ModerationError {
  constructor(
    readonly issues: string[],
    context: Record<string, unknown> = {},
  ) {
    super(`Invalid channel flow event: ${issues.join('; ')}`, context);
  }
}

/** A work-queue message that is not ours or is corrupt. */
export class InvalidWorkMessageError extends ModerationError {}

export class ItemNotFoundError extends ModerationError {
  constructor(readonly callbackId: string) {
    super(`No moderation item for CallbackId ${callbackId}`, { callbackId });
  }
}

/**
 * A conditional write lost: the item was not in a state that allowed the transition.
 * Carries the item as it is now (re-read after the failed condition, because dynalite
 * ignores ReturnValuesOnConditionCheckFailure), so the caller can say who decided what.
 */
export class TransitionConflictError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly expected: string,
    readonly current: ModerationItem | undefined,
  ) {
    super(
      current
        ? `CallbackId ${callbackId} is ${current.status} (version ${current.version}); expected ${expected}`
        : `CallbackId ${callbackId} does not exist; expected ${expected}`,
      { callbackId, expected, currentStatus: current?.status, currentVersion: current?.version },
    );
  }
}

/** The deadline has passed; no callback may be sent any more. */
export class DeadlinePassedError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly deadline: string,
  ) {
    super(`CallbackId ${callbackId} passed its deadline at ${deadline}`, { callbackId, deadline });
  }
}

/** We refused to send a callback that Chime would reject (or the SDK would silently alter). */
export class InvalidCallbackError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly problems: string[],
  ) {
    super(`Callback for ${callbackId} is invalid: ${problems.join('; ')}`, { callbackId, problems });
  }
}

/** The callback failed in a way that is worth retrying later (429, 5xx, network). */
export class RetryableDeliveryError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly errorType: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`Callback for ${callbackId} failed with ${errorType} (attempt ${attempts}); will retry`, { callbackId, errorType, attempts }, options);
  }
}

// ─── The review API's refusals. Each maps to one problem type (src/review/problems.ts). ───

/** The request is malformed: bad JSON, unknown fields, wrong types, values out of range. */
export class InvalidRequestError extends ModerationError {
  constructor(
    detail: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(detail, { errors });
  }
}

/** A paging cursor that was tampered with, or issued for a different query. */
export class InvalidCursorError extends ModerationError {}

/** No valid bearer token reached the application (the authorizer let nothing through). */
export class AuthenticationError extends ModerationError {}

/** A valid token without the moderator or admin role. */
export class ForbiddenError extends ModerationError {
  constructor(
    readonly subject: string,
    readonly requiredGroups: string[],
  ) {
    super(`Subject ${subject} is in none of the groups ${requiredGroups.join(', ')}`, { subject, requiredGroups });
  }
}

/** Another moderator holds an unexpired claim on the item. */
export class ClaimConflictError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly claim: Claim,
  ) {
    super(`CallbackId ${callbackId} is claimed by ${claim.username ?? claim.subject} until ${claim.until}`, { callbackId, claim });
  }
}

/** The item was decided already (by a moderator, the policy or the expiry policy). */
export class AlreadyDecidedError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly status: Status,
    readonly decision: Decision,
  ) {
    super(
      `CallbackId ${callbackId} was already decided: ${decision.action} by ${decision.actor.name ?? decision.actor.id} (${decision.origin}) at ${decision.decidedAt}`,
      { callbackId, status, decision },
    );
  }
}

/** The item is not waiting for a moderator (not held for review yet, or resolved undecided). */
export class NotReviewableError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly status: Status,
  ) {
    super(`CallbackId ${callbackId} is ${status}, not PENDING_REVIEW`, { callbackId, status });
  }
}

/** The caller's `expectedVersion` is stale. */
export class VersionConflictError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(`CallbackId ${callbackId} is at version ${currentVersion}, not ${expectedVersion}`, { callbackId, expectedVersion, currentVersion });
  }
}

export type { Status };
