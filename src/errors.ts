import type { ModerationItem, Status } from './domain/item.js';

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

export type { Status };
