import { parseTimestamp } from './deadline.js';
import type { CallbackAction, Decision, ModerationItem } from './item.js';

/** Chime's documented limits for ChannelFlowCallback (BRIEF.md, seed 001). */
export const CALLBACK_LIMITS = {
  callbackIdMin: 32,
  callbackIdMax: 64,
  contentMaxBytes: 4096,
  metadataMaxBytes: 1024,
  pushTitleMax: 50,
  pushBodyMax: 150,
} as const;

/** The rule id of a hold for a decision Chime would refuse (README "Every failure has a designed behaviour"). */
export const CALLBACK_LIMITS_RULE = 'callback.limits';

/** The ChannelFlowCallback request, in the SDK's field names. */
export interface CallbackRequest {
  CallbackId: string;
  ChannelArn: string;
  DeleteResource: boolean;
  ChannelMessage: {
    MessageId: string;
    Content?: string;
    Metadata?: string;
    MessageAttributes?: Record<string, { StringValues: string[] }>;
    PushNotification?: { Title?: string; Body?: string; Type?: 'DEFAULT' | 'VOIP' };
  };
}

const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * Builds the callback for a recorded decision. ALLOW echoes the original Content and Metadata
 * (what the published samples do, so "unchanged" never depends on how Chime treats absent
 * fields); UPDATE lays the decision's changes over the original; DENY sends only the id.
 */
export function toCallbackRequest(item: Pick<ModerationItem, 'callbackId' | 'message'>, decision: Decision): CallbackRequest {
  const { message } = item;
  const base = { CallbackId: item.callbackId, ChannelArn: message.channelArn };
  if (decision.action === 'DENY') {
    return { ...base, DeleteResource: true, ChannelMessage: { MessageId: message.messageId } };
  }
  const update = decision.action === 'UPDATE' ? (decision.update ?? {}) : {};
  // An ALLOW echoes the original, unless the original is longer than a callback may carry (intake
  // accepts a tolerance over Chime's documented sizes): then it is left out, and Chime keeps the
  // message as it has it. A message Chime let through can always be allowed.
  const echo = (value: string | undefined, max: number) => (value !== undefined && (decision.action === 'UPDATE' || bytes(value) <= max) ? value : undefined);
  const content = update.content ?? echo(message.content, CALLBACK_LIMITS.contentMaxBytes) ?? '';
  const metadata = update.metadata ?? echo(message.metadata, CALLBACK_LIMITS.metadataMaxBytes);
  const push = update.pushNotification;
  return {
    ...base,
    DeleteResource: false,
    ChannelMessage: {
      MessageId: message.messageId,
      ...(content !== '' ? { Content: content } : {}),
      ...(metadata !== undefined ? { Metadata: metadata } : {}),
      ...(update.messageAttributes ? { MessageAttributes: update.messageAttributes } : {}),
      ...(push
        ? {
            PushNotification: {
              ...(push.title !== undefined ? { Title: push.title } : {}),
              ...(push.body !== undefined ? { Body: push.body } : {}),
              ...(push.type !== undefined ? { Type: push.type } : {}),
            },
          }
        : {}),
    },
  };
}

/**
 * Everything Chime would reject, checked before we call it. The SDK silently invents a
 * CallbackId when none is given, so a missing one must never reach it.
 */
export function callbackProblems(request: CallbackRequest): string[] {
  const problems: string[] = [];
  const id = request.CallbackId ?? '';
  if (id.length < CALLBACK_LIMITS.callbackIdMin || id.length > CALLBACK_LIMITS.callbackIdMax) {
    problems.push(`CallbackId must be ${CALLBACK_LIMITS.callbackIdMin}-${CALLBACK_LIMITS.callbackIdMax} characters (got ${id.length})`);
  }
  if (!request.ChannelArn) problems.push('ChannelArn is required');
  const m = request.ChannelMessage;
  if (!m?.MessageId) problems.push('ChannelMessage.MessageId is required');
  if (m?.Content !== undefined) {
    if (m.Content.length < 1) problems.push('Content must be at least 1 character');
    if (bytes(m.Content) > CALLBACK_LIMITS.contentMaxBytes) problems.push(`Content must be at most ${CALLBACK_LIMITS.contentMaxBytes} bytes`);
  }
  if (m?.Metadata !== undefined && bytes(m.Metadata) > CALLBACK_LIMITS.metadataMaxBytes) {
    problems.push(`Metadata must be at most ${CALLBACK_LIMITS.metadataMaxBytes} bytes`);
  }
  const push = m?.PushNotification;
  if (push?.Title !== undefined && push.Title.length > CALLBACK_LIMITS.pushTitleMax) {
    problems.push(`PushNotification.Title must be at most ${CALLBACK_LIMITS.pushTitleMax} characters`);
  }
  if (push?.Body !== undefined && push.Body.length > CALLBACK_LIMITS.pushBodyMax) {
    problems.push(`PushNotification.Body must be at most ${CALLBACK_LIMITS.pushBodyMax} characters`);
  }
  return problems;
}

/**
 * Every callback's outcome is one of three (BRIEF.md invariant 6):
 *
 *   confirmed  Chime answered 200, or a read-back shows the message resolved as we asked
 *   refused    Chime said no, and nothing of ours could have landed before
 *   unknown    no answer (a 500, a reset connection, a timeout), or a "resolved already" / 403
 *              answer after an attempt of ours that may have landed
 *
 * Only the first two are recorded as facts. An unknown is settled by reading the message back as
 * its sender sees it (GetChannelMessageStatus), or the delivery is retried later: never guessed.
 * The Chime client that sends callbacks makes ONE attempt per call (no hidden SDK retry); only
 * answers that say Chime turned the request away without acting on it (429, 503) are retried in
 * place (src/adapters/chime-callback.ts).
 */

/** What one callback attempt got back from Chime. */
export type CallbackAnswer =
  | { kind: 'ACCEPTED' }
  | {
      /**
       * TURNED_AWAY  429 ThrottledClient, 503 ServiceUnavailable: not applied, retry later
       * NO_ANSWER    500 ServiceFailure, a network error or a timeout: it may have been applied
       * NOT_PENDING  409 Conflict, 400 "non-pending": the CallbackId is resolved (by whom?)
       * FORBIDDEN    403: the window closed, the caller lacks the grant, or it is resolved
       * REJECTED     any other 4xx: this request can never be accepted as it is
       */
      kind: 'TURNED_AWAY' | 'NO_ANSWER' | 'NOT_PENDING' | 'FORBIDDEN' | 'REJECTED';
      errorType: string;
      message: string;
    };

/**
 * What Chime shows of the message now, as its sender sees it (GetChannelMessageStatus, which
 * Chime answers only for the sender). GONE: Chime has no such message (deleted, or a denied one
 * it no longer keeps). UNREADABLE: the read itself failed, so nothing was learned.
 */
export type ObservedMessage =
  /**
   * `newerEdit` (PENDING): the version pending is a newer edit than the one this CallbackId is
   * for, so the message being PENDING says nothing about our callback.
   */
  | { status: 'PENDING'; newerEdit?: boolean }
  | { status: 'SENT' | 'DENIED' | 'FAILED'; detail?: string }
  | { status: 'GONE' }
  | { status: 'UNREADABLE'; errorType: string; message: string };

/** How a callback attempt is recorded. */
export type CallbackSettlement =
  | { outcome: 'DELIVERED'; confirmedBy: 'answer' | 'read-back'; note?: string }
  /** Stays DECIDED, the lease released; `inDoubt`: a callback of ours may have landed, the next answer is read back. */
  | { outcome: 'RETRY'; inDoubt: boolean; reason: string }
  /** `unsettled` (ALREADY_RESOLVED): Chime resolved it, and a callback of ours may or may not be what did. */
  | { outcome: 'ALREADY_RESOLVED' | 'EXPIRED'; reason: string; unsettled?: true }
  /** `forbiddenBeforeDeadline`: a 403 while the message is still pending in its window, a missing grant (an alarm). */
  | { outcome: 'FAILED'; reason: string; forbiddenBeforeDeadline?: true };

const TURNED_AWAY_NAMES = new Set(['ThrottledClientException', 'ServiceUnavailableException']);

/** Chime's answer (a stock SDK error, or a network error) to one callback attempt. */
export function readCallbackAnswer(error: unknown): CallbackAnswer {
  const err = (error ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const errorType = (err.name && err.name !== 'Error' ? err.name : undefined) ?? err.code ?? (status ? `HTTP ${status}` : 'Error');
  const message = err.message ?? String(error);
  const answer = (kind: Exclude<CallbackAnswer['kind'], 'ACCEPTED'>): CallbackAnswer => ({ kind, errorType, message });
  if (TURNED_AWAY_NAMES.has(errorType) || status === 429 || status === 503) return answer('TURNED_AWAY');
  if (errorType === 'ConflictException' || status === 409) return answer('NOT_PENDING');
  if (errorType === 'ForbiddenException' || status === 403) return answer('FORBIDDEN');
  if ((errorType === 'BadRequestException' || status === 400) && /pending/i.test(message)) return answer('NOT_PENDING');
  if (status !== undefined && status >= 400 && status < 500) return answer('REJECTED');
  // A 5xx, or no HTTP answer at all (a reset, a refused connection, a timeout, an unknown
  // error): Chime may have applied the callback.
  return answer('NO_ANSWER');
}

/**
 * True for the answers only a read-back can settle: no answer, "resolved already" and 403, and
 * any refusal at all after an attempt of ours that may have landed (it may be Chime's answer to a
 * second callback, in words we do not know).
 */
export const needsReadBack = (answer: CallbackAnswer, earlierMayHaveLanded = false): boolean =>
  answer.kind === 'NO_ANSWER' || answer.kind === 'NOT_PENDING' || answer.kind === 'FORBIDDEN' || (answer.kind === 'REJECTED' && earlierMayHaveLanded);

/**
 * Our deadline is counted from Chime's own timestamp, so Chime's window closes at our deadline at
 * the earliest; a 403 that arrives earlier than this before it cannot be the window closing. The
 * allowance only absorbs clock skew between Lambda and Chime (both NTP-synchronised).
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** The advice recorded with a 403 that arrives while the message is pending and its window open. */
export const FORBIDDEN_BEFORE_DEADLINE_ADVICE =
  'most likely the execution role lacks chime:ChannelFlowCallback on this app instance, or the flow belongs to another app instance or account';

/** Has Chime's window closed by the time it answered (allowing for clock skew)? */
export const windowClosed = (deadline: string, answeredAt: number): boolean => answeredAt + CLOCK_SKEW_ALLOWANCE_MS >= Date.parse(deadline);

/**
 * Could a callback of ours for this CallbackId have landed before this attempt? `before` is the
 * delivery record as the current deliverer found it before it took the lease. An attempt whose
 * outcome was never settled (`inDoubt`) may have; so may one whose deliverer took the lease and
 * never released it (it may have called and died before writing anything down). A record from
 * before `inDoubt` existed counts any attempt. Never the case for a decision just recorded.
 */
export function earlierCallbackMayHaveLanded(before: { attempts: number; leaseUntil: number; inDoubt?: boolean } | undefined): boolean {
  if (!before) return false;
  if (before.inDoubt !== undefined) return before.inDoubt || before.leaseUntil > 0;
  return before.attempts > 0 || before.leaseUntil > 0;
}

/** Does what Chime shows match what the recorded decision asked for? */
function resolvedAsDecided(action: CallbackAction, observed: 'SENT' | 'DENIED' | 'FAILED' | 'GONE', isEdit: boolean): boolean {
  // A denied edit is dropped and the message keeps its last version: SENT either way.
  if (isEdit) return observed === 'SENT';
  return action === 'DENY' ? observed === 'DENIED' || observed === 'GONE' : observed === 'SENT';
}

export interface CallbackFacts {
  answer: CallbackAnswer;
  /** The read-back, made when `needsReadBack(answer)`. */
  observed?: ObservedMessage;
  action: CallbackAction;
  /** The CallbackId is for an edit of a sent message (LastEditedTimestamp). */
  isEdit: boolean;
  /** See earlierCallbackMayHaveLanded. */
  earlierMayHaveLanded: boolean;
  deadline: string;
  /** Epoch ms at which Chime answered. */
  answeredAt: number;
}

/**
 * The one rule that turns Chime's answer (and, where it is not enough, the read-back) into what
 * we record. Pure: test/unit/callback.test.ts walks every row.
 *
 *   ACCEPTED ─────────────────────────────────────────────────────────▶ DELIVERED (answer)
 *   TURNED_AWAY ──────────────────────────────────────────────────────▶ RETRY
 *   REJECTED, nothing of ours in doubt ───────────────────────────────▶ FAILED
 *   NO_ANSWER / NOT_PENDING / FORBIDDEN, or REJECTED after a doubt ─ read back as the sender ─┐
 *     unreadable: a callback of ours may have landed ─────────────▶ RETRY, in doubt (never guessed)
 *                 nothing of ours may have ─▶ the answer is a refusal: ALREADY_RESOLVED / EXPIRED / FAILED
 *     PENDING:    no answer ──────────────────────────────────────▶ RETRY, in doubt
 *                 "resolved already", ours may have landed ───────▶ DELIVERED (a later processor or edit holds it)
 *                 403 / refused, our version pending ─────────────▶ EXPIRED (window closed) or FAILED (a missing grant)
 *                 403, a newer edit pending, ours may have landed ▶ RETRY, in doubt, until the edit settles
 *     resolved as decided: ours may have landed ─▶ DELIVERED (read-back); otherwise ALREADY_RESOLVED
 *     resolved otherwise: nothing of ours ─▶ ALREADY_RESOLVED; ours may have landed ─▶ ALREADY_RESOLVED, unsettled
 */
export function settleCallback(facts: CallbackFacts): CallbackSettlement {
  const { answer } = facts;
  if (answer.kind === 'ACCEPTED') return { outcome: 'DELIVERED', confirmedBy: 'answer' };
  const said = `${answer.errorType}: ${answer.message}`;
  if (answer.kind === 'TURNED_AWAY') return { outcome: 'RETRY', inDoubt: facts.earlierMayHaveLanded, reason: `Chime turned the callback away (${said})` };
  const rejected = (): CallbackSettlement => ({ outcome: 'FAILED', reason: `Chime rejected the callback (${said})` });
  if (answer.kind === 'REJECTED' && !facts.earlierMayHaveLanded) return rejected();

  const oursMayHaveLanded = answer.kind === 'NO_ANSWER' || facts.earlierMayHaveLanded;
  const refusal = (): CallbackSettlement => {
    if (answer.kind === 'REJECTED') return rejected();
    if (answer.kind === 'NOT_PENDING') {
      return { outcome: 'ALREADY_RESOLVED', reason: `Chime reports the CallbackId resolved (${said}), and no callback of ours can have landed: it was resolved by something else` };
    }
    return windowClosed(facts.deadline, facts.answeredAt)
      ? { outcome: 'EXPIRED', reason: `Chime refused the callback: its window closed (${said})` }
      : {
          outcome: 'FAILED',
          forbiddenBeforeDeadline: true,
          reason: `Chime refused the callback as Forbidden before its deadline (${facts.deadline}) with no callback of ours landed: ${FORBIDDEN_BEFORE_DEADLINE_ADVICE}. Chime said: ${said}`,
        };
  };
  const inDoubt = (why: string): CallbackSettlement => ({ outcome: 'RETRY', inDoubt: true, reason: `Outcome unknown (${said}); ${why}; retrying, and the next answer is read back again` });

  const observed = facts.observed;
  if (!observed || observed.status === 'UNREADABLE') {
    if (!oursMayHaveLanded) return refusal();
    return inDoubt(observed?.status === 'UNREADABLE' ? `reading the message back failed (${observed.errorType}: ${observed.message})` : 'the message was not read back');
  }
  if (observed.status === 'PENDING') {
    if (answer.kind === 'NO_ANSWER') return { outcome: 'RETRY', inDoubt: true, reason: `No answer from Chime (${said}); the message is still PENDING, so the callback did not land (yet)` };
    // Chime's "resolved already" (409, "non-pending") names our CallbackId: it was used, and only
    // our recorded decision is ever sent for it. The message still PENDING for its sender means a
    // later processor of the flow, or a newer edit, holds it now.
    if (answer.kind === 'NOT_PENDING' && oursMayHaveLanded) {
      return { outcome: 'DELIVERED', confirmedBy: 'read-back', note: `Chime reports the CallbackId used (${said}) while the message is still PENDING: our earlier callback landed, and a later processor or a newer edit holds the message` };
    }
    // A 403 or another refusal with our own version still pending: our callback did not land, and
    // this is a refusal. With a newer edit pending instead, the message being PENDING tells
    // nothing about ours: read again until the edit settles, never guessed. (One processor per
    // flow, as npm run setup-flow creates it: a later processor holding the message reads as ours
    // pending; README "How an unknown outcome is settled".)
    if (!oursMayHaveLanded || !observed.newerEdit) return refusal();
    return inDoubt('a newer edit of the message is pending, so whether our earlier callback landed cannot be read yet');
  }
  if (resolvedAsDecided(facts.action, observed.status, facts.isEdit)) {
    return oursMayHaveLanded
      ? { outcome: 'DELIVERED', confirmedBy: 'read-back', note: `Chime answered ${said}; read back, the message is ${observed.status}, as decided: our callback landed` }
      : { outcome: 'ALREADY_RESOLVED', reason: `Chime reports the CallbackId resolved (${said}) and shows the message ${observed.status}, but no callback of ours can have landed` };
  }
  const shown = `Chime shows the message ${observed.status}${'detail' in observed && observed.detail ? ` (${observed.detail})` : ''}, not what the recorded ${facts.action} asked for (${said})`;
  // Resolved another way. If a callback of ours may have landed first (an ALLOW, then the sender
  // deleted the message; a later processor denied it), which one resolved it cannot be told.
  return oursMayHaveLanded
    ? { outcome: 'ALREADY_RESOLVED', unsettled: true, reason: `${shown}; a callback of ours may have landed before, and which resolved it cannot be told` }
    : { outcome: 'ALREADY_RESOLVED', reason: `${shown}: it was resolved some other way` };
}

/**
 * How long Chime held a delivered message in front of its sender: from when Chime issued the
 * CallbackId (the message's CreatedTimestamp, or an edit's LastEditedTimestamp, on Chime's clock)
 * to when our callback was accepted (our clock). Undefined until delivered, or without a usable
 * timestamp. The two clocks are both NTP-synchronised; a negative skew is reported as 0.
 */
export function heldMilliseconds(item: Pick<ModerationItem, 'message' | 'delivery'>): number | undefined {
  const issuedAt = parseTimestamp(item.message.lastEditedTimestamp) ?? parseTimestamp(item.message.createdTimestamp);
  const deliveredAt = item.delivery?.deliveredAt ? Date.parse(item.delivery.deliveredAt) : Number.NaN;
  if (issuedAt === undefined || Number.isNaN(deliveredAt)) return undefined;
  return Math.max(0, deliveredAt - issuedAt);
}
