import type { FollowUpRecord } from './domain/follow-up.js';
import type { Claim, Decision, ModerationItem, Status } from './domain/item.js';
import type { PolicyVersionRecord } from './policy/store.js';

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

/** Locally: a port the stack needs is taken. Names the variable that moves it. */
export class PortInUseError extends ConfigurationError {
  constructor(
    readonly variable: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`Port ${port} is already in use (${variable}). Stop what is using it, or pick another port: ${variable}=${port + 10} npm start`, { variable, port }, options);
  }
}

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

/**
 * DynamoDB refused a write for the item's size (400 KB) even after its history was compacted.
 * Should never happen with bounded items; it would mean an item written by an older version, or
 * an attribute that is not bounded. Carries what was being written so an operator can act.
 */
export class ItemTooLargeError extends ModerationError {
  constructor(
    readonly callbackId: string,
    readonly attempted: string,
    options?: { cause?: unknown },
  ) {
    super(`CallbackId ${callbackId}: DynamoDB refused the ${attempted} write because the item is too large, even after compacting its history`, { callbackId, attempted }, options);
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

// ─── The review API's refusals. Each maps to one problem type (src/http/problems.ts). ───

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

/**
 * No valid bearer token: none was sent, or it did not verify against the issuer's keys, issuer,
 * audience and expiry (src/http/token-verifier.ts). The message says which, plainly; it never
 * echoes the token.
 */
export class AuthenticationError extends ModerationError {}

/**
 * The issuer's keys could not be had (discovery document or JWKS unreachable, not JSON, or for
 * another issuer), so no token can be checked. Not the caller's fault, so not a 401: it is an
 * unexpected error (500, logged with the URL). The next request tries again.
 */
export class TokenKeysUnavailableError extends ModerationError {
  constructor(
    readonly issuer: string,
    readonly url: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`The signing keys of issuer ${issuer} could not be read from ${url}: ${why}`, { issuer, url }, options);
  }
}

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

// ─── Live policies (src/policy/store.ts, src/policy-api/policies.ts) ─────────────────────────────

/**
 * An admins-only route called by a moderator: changing policies (moderators may read and test
 * them), or redacting and deleting sent messages. `detail` is the route's own explanation.
 */
export class AdminRequiredError extends ModerationError {
  constructor(
    readonly subject: string,
    readonly requiredGroups: string[],
    readonly detail?: string,
  ) {
    super(`Subject ${subject} is not in ${requiredGroups.join(' or ')}: ${detail ?? 'only admins may change policies'}`, { subject, requiredGroups });
  }
}

/** A policy write whose `expectedVersion` is no longer current; carries the head that won. */
export class PolicyVersionConflictError extends ModerationError {
  constructor(
    readonly scope: string,
    readonly expectedVersion: number,
    readonly current: PolicyVersionRecord | undefined,
  ) {
    super(`Policy ${scope} is at version ${current?.version ?? 0}, not ${expectedVersion}`, { scope, expectedVersion, currentVersion: current?.version ?? 0 });
  }
}

/** No policy (or no such version) is stored for a scope. */
export class PolicyNotFoundError extends ModerationError {
  constructor(
    readonly scope: string,
    detail: string,
    readonly version?: number,
  ) {
    super(detail, { scope, version });
  }
}

/** The policy store answered something it should never hold (a missing or corrupt chunk). */
export class PolicyStoreError extends ModerationError {}

/** A worker has no policy at all for a message's scopes (cold, and the store unreachable): retry later. */
export class PolicyUnavailableError extends ModerationError {}

/** `npm run setup-flow` refuses to go on; the message is the one line the operator sees. */
export class SetupFlowError extends ModerationError {}

// ─── Moderators' follow-up actions in Chime (src/review/follow-ups.ts) ────────────────────────

export type ChimeModerationOperation = 'CreateChannelBan' | 'DeleteChannelBan' | 'RedactChannelMessage' | 'DeleteChannelMessage';

/** The review API has no ChimeBearer to act as in this channel (CHIME_BEARER_ARN is unset). */
export class ChimeBearerNotConfiguredError extends ModerationError {
  constructor(
    readonly operation: ChimeModerationOperation | ChimeReadOperation,
    readonly channelArn: string,
  ) {
    super(`No ChimeBearer is configured for ${operation} in channel ${channelArn} (CHIME_BEARER_ARN)`, { operation, channelArn });
  }
}

/**
 * Chime refused a moderation action, or could not be reached. `refusal` classifies the answer:
 *   NOT_FOUND    NotFoundException: no such channel or message
 *   FORBIDDEN    ForbiddenException / UnauthorizedClientException: our bearer may not do it
 *   CONFLICT     ConflictException (a ban of someone banned already never gets here: it is a success)
 *   BAD_REQUEST  BadRequestException: Chime found the request invalid
 *   BUSY         throttled or unavailable (after the SDK's own retries): Chime did not act
 *   UNCONFIRMED  a service failure, a timeout, no answer: Chime may or may not have acted
 */
export class ChimeActionError extends ModerationError {
  constructor(
    readonly operation: ChimeModerationOperation,
    readonly refusal: 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'BAD_REQUEST' | 'BUSY' | 'UNCONFIRMED',
    readonly errorType: string,
    readonly chimeMessage: string,
    readonly bearer: string,
    readonly target: { channelArn: string; messageId?: string; memberArn?: string },
    options?: { cause?: unknown },
  ) {
    super(`Chime answered ${operation} (as ${bearer}) with ${errorType}: ${chimeMessage}`, { operation, refusal, errorType, chimeMessage, bearer, ...target }, options);
  }
}

/** The reads the reports room makes before it takes a report (src/adapters/chime-reported-messages.ts). */
export type ChimeReadOperation = 'DescribeChannelMembership' | 'GetChannelMessage';

/**
 * A read of Chime that did not tell (the reports room: is the reporter a member, what does the
 * message hold). Nothing was stored. `refusal`:
 *   FORBIDDEN    Chime refused the API's bearer (a configuration fault: 502)
 *   UNAVAILABLE  throttled, unavailable, a service failure or no answer, after the SDK's retries (503)
 */
export class ChimeReadError extends ModerationError {
  constructor(
    readonly operation: ChimeReadOperation,
    readonly refusal: 'FORBIDDEN' | 'UNAVAILABLE',
    readonly errorType: string,
    readonly chimeMessage: string,
    readonly bearer: string,
    readonly channelArn: string,
    options?: { cause?: unknown },
  ) {
    super(`Chime answered ${operation} (as ${bearer}) with ${errorType}: ${chimeMessage}`, { operation, refusal, errorType, chimeMessage, bearer, channelArn }, options);
  }
}

/**
 * A route whose work belongs to another room's port that this function was not given (a case's
 * NOTIFY_SENDER without the notices room, say): 503, nothing done or recorded.
 */
export class PortNotConfiguredError extends ModerationError {
  constructor(
    readonly port: string,
    readonly detail: string,
  ) {
    super(`${port} is not configured in this function: ${detail}`, { port });
  }
}

/** An Idempotency-Key sent again with a different request (src/http/idempotency.ts). */
export class IdempotencyKeyReusedError extends ModerationError {
  constructor(
    readonly key: string,
    readonly firstRequest: string,
  ) {
    super(`Idempotency-Key ${key} was first used for another request (${firstRequest})`, { key, firstRequest });
  }
}

/** A follow-up action record that cannot take the write asked for (exists already; no longer REQUESTED). */
export class FollowUpRecordError extends ModerationError {
  /** The record as it is now, when there is one (an idempotent replay reads its outcome). */
  readonly existing?: FollowUpRecord;
  constructor(
    readonly actionId: string,
    why: string,
    options?: { cause?: unknown; existing?: FollowUpRecord },
  ) {
    super(`Follow-up action record ${actionId} was not written: ${why}`, { actionId }, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.existing) this.existing = options.existing;
  }
}

/**
 * Chime did the action, but its outcome could not be written: the audit log shows the action as
 * REQUESTED (asked for, outcome unknown), never as something that did not happen. Carries all
 * of it, so the error log is the rest of the record.
 */
export class FollowUpNotRecordedError extends ModerationError {
  constructor(
    readonly actionId: string,
    readonly action: string,
    readonly happened: string,
    context: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(`${happened}, but the outcome of ${action} ${actionId} could not be recorded`, { actionId, action, ...context }, options);
  }
}

// ─── The people in the chat: members, reports, cases, appeals, senders (src/reports, src/appeals, src/senders) ───

/**
 * A refusal of the people rooms, answered as the problem type it names (src/http/problems.ts
 * maps every subclass through `problemType` and `extensions`): one class per reason, each with
 * what the caller needs to act.
 */
export abstract class PeopleRefusal extends ModerationError {
  abstract readonly problemType:
    | 'no-member-identity'
    | 'not-your-member'
    | 'not-found'
    | 'rate-limited'
    | 'four-eyes'
    | 'already-decided'
    | 'claim-conflict'
    | 'version-conflict'
    | 'already-appealed'
    | 'not-appealable'
    | 'appeal-window-closed'
    | 'approval-conflict'
    | 'not-restrictable';
  /** Problem members besides type, title, status and detail. */
  get extensions(): Record<string, unknown> {
    return this.context;
  }
}

/** A valid token that names no Chime member by the configured rule (MEMBER_IDENTITY). */
export class NoMemberIdentityError extends PeopleRefusal {
  readonly problemType = 'no-member-identity' as const;
  constructor(
    readonly subject: string,
    why: string,
  ) {
    super(`Your token names no Chime member: ${why}. Sign in through the chat app, whose tokens carry your member identity.`, { subject });
  }
}

/** A member's token naming someone else in `memberArn`: only the service group acts for others. */
export class ActingForAnotherMemberError extends PeopleRefusal {
  readonly problemType = 'not-your-member' as const;
  constructor(
    readonly subject: string,
    readonly ownMemberArn: string,
    readonly askedMemberArn: string,
    readonly serviceGroup: string,
  ) {
    super(`Your token is member ${ownMemberArn}; only a token in the ${serviceGroup} group may act for another member (${askedMemberArn}). Leave memberArn out to act as yourself.`, { memberArn: ownMemberArn, serviceGroup });
  }
}

/**
 * Something the caller may not see, or that does not exist; the detail never says which (a
 * reporter who is not in a channel learns nothing about its messages).
 */
export class PeopleNotFoundError extends PeopleRefusal {
  readonly problemType = 'not-found' as const;
  constructor(
    readonly kind: 'message' | 'case' | 'appeal' | 'decision' | 'sender' | 'restriction' | 'approval' | 'report',
    readonly id: string,
    detail?: string,
  ) {
    super(detail ?? `No ${kind} ${id} that you can see.`, { kind, id });
  }
}

/** A per-caller limit from policy (reports per hour, say): 429 with Retry-After. */
export class RateLimitedError extends PeopleRefusal {
  readonly problemType = 'rate-limited' as const;
  constructor(
    readonly what: string,
    readonly limit: { max: number; withinSeconds: number },
    readonly retryAfterSeconds: number,
  ) {
    super(`At most ${limit.max} ${what} per ${limit.withinSeconds} s; try again in ${retryAfterSeconds} s.`, { limit, retryAfterSeconds });
  }
}

/** Whoever made a decision may not decide its appeal, nor approve their own ban (the two-person rule). */
export class FourEyesError extends PeopleRefusal {
  readonly problemType = 'four-eyes' as const;
  constructor(
    readonly kind: 'appeal' | 'approval',
    readonly id: string,
    readonly subject: string,
    detail: string,
  ) {
    super(detail, { kind, id, subject });
  }
}

/**
 * A conditional write on a case, an appeal or an approval that lost: decided already, claimed by
 * someone else, or a stale `expectedVersion`. Carries what won, so the caller sees who did what.
 */
export class PeopleConflictError extends PeopleRefusal {
  constructor(
    readonly problemType: 'already-decided' | 'claim-conflict' | 'version-conflict' | 'already-appealed' | 'not-appealable' | 'approval-conflict' | 'not-restrictable',
    detail: string,
    context: Record<string, unknown>,
  ) {
    super(detail, context);
  }
}

/** An appeal after its window (policy `appeals.window`, 14 days by default). */
export class AppealWindowClosedError extends PeopleRefusal {
  readonly problemType = 'appeal-window-closed' as const;
  constructor(
    readonly decidedAt: string,
    readonly closedAt: string,
  ) {
    super(`The decision of ${decidedAt} could be appealed until ${closedAt}.`, { decidedAt, closedAt });
  }
}
