import { parseTimestamp } from './deadline.js';
import type { Decision, ModerationItem } from './item.js';

/** Chime's documented limits for ChannelFlowCallback (BRIEF.md, seed 001). */
export const CALLBACK_LIMITS = {
  callbackIdMin: 32,
  callbackIdMax: 64,
  contentMaxBytes: 4096,
  metadataMaxBytes: 1024,
  pushTitleMax: 50,
  pushBodyMax: 150,
} as const;

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
  const content = update.content ?? message.content;
  const metadata = update.metadata ?? message.metadata;
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
 * How a failed callback is handled (BRIEF.md's error table). A 403 is read against our own
 * ledger (see `readForbidden`): EXPIRED, ALREADY_RESOLVED or FORBIDDEN_BEFORE_DEADLINE.
 */
export type CallbackFailureKind = 'RETRYABLE' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'FORBIDDEN_BEFORE_DEADLINE' | 'FATAL';

export interface ClassifiedCallbackError {
  kind: CallbackFailureKind;
  errorType: string;
  message: string;
}

/** What our own record says about a CallbackId at the moment Chime answered 403. */
export interface CallbackLedger {
  /** The deadline we recorded (ISO): the conservative end of Chime's 48 h window. */
  deadline: string;
  /** Epoch ms at which Chime's answer arrived. */
  answeredAt: number;
  /** An earlier callback of ours for this CallbackId may have been accepted (see `earlierCallbackMayHaveLanded`). */
  earlierCallbackMayHaveLanded: boolean;
}

/**
 * Our deadline is counted from Chime's own timestamp, so Chime's window closes at our deadline at
 * the earliest; a 403 that arrives earlier than this before it cannot be the window closing. The
 * allowance only absorbs clock skew between Lambda and Chime (both NTP-synchronised).
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/** The advice recorded with a 403 that arrives while the window is open, by our own ledger. */
export const FORBIDDEN_BEFORE_DEADLINE_ADVICE =
  'most likely the execution role lacks chime:ChannelFlowCallback on this app instance, or the flow belongs to another app instance or account';

const RETRYABLE_NAMES = new Set(['ThrottledClientException', 'ServiceFailureException', 'ServiceUnavailableException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * Chime answers ForbiddenException both when the window has closed and when the caller may not
 * call back at all (a missing IAM grant, a wrong app instance). Only our ledger tells them apart:
 *
 *   answeredAt ──────────────────────────────────────────────── deadline ────▶
 *   │ a callback of ours may have landed earlier → ALREADY_RESOLVED  │ EXPIRED
 *   │ otherwise → FORBIDDEN_BEFORE_DEADLINE (a fault: page someone)  │ (window closed)
 *
 * The deadline side wins: once the window may have closed, nothing else can be concluded.
 */
export function readForbidden(ledger: CallbackLedger): 'EXPIRED' | 'ALREADY_RESOLVED' | 'FORBIDDEN_BEFORE_DEADLINE' {
  if (ledger.answeredAt + CLOCK_SKEW_ALLOWANCE_MS >= Date.parse(ledger.deadline)) return 'EXPIRED';
  // Chime answers a second callback for a resolved CallbackId with Forbidden too (BRIEF.md).
  if (ledger.earlierCallbackMayHaveLanded) return 'ALREADY_RESOLVED';
  return 'FORBIDDEN_BEFORE_DEADLINE';
}

/**
 * Could Chime already hold a callback of ours for this CallbackId? `before` is the delivery
 * record as the current deliverer found it, before it took the lease. A deliverer that got an
 * answer counted an attempt (a 5xx or a timeout may still have been applied); one that never
 * released its lease may have called and died before writing anything down. Neither is the case
 * for a decision recorded a moment ago by the caller itself.
 */
export function earlierCallbackMayHaveLanded(before: { attempts: number; leaseUntil: number } | undefined): boolean {
  if (!before) return false;
  return before.attempts > 0 || before.leaseUntil > 0;
}

/**
 * Conflict and "non-pending" mean the CallbackId was already resolved (by an earlier delivery of
 * ours whose confirmation we lost, or by someone else); Forbidden is read against the ledger
 * (`readForbidden`). None of those may be retried. Throttling, 5xx and network failures are
 * retried later.
 */
export function classifyCallbackError(error: unknown, ledger: CallbackLedger): ClassifiedCallbackError {
  const err = (error ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const errorType = err.name ?? 'Error';
  const message = err.message ?? String(error);
  const status = err.$metadata?.httpStatusCode;
  if (errorType === 'ConflictException' || status === 409) return { kind: 'ALREADY_RESOLVED', errorType, message };
  if (errorType === 'ForbiddenException' || status === 403) return { kind: readForbidden(ledger), errorType, message };
  if ((errorType === 'BadRequestException' || status === 400) && /pending/i.test(message)) {
    return { kind: 'ALREADY_RESOLVED', errorType, message };
  }
  if (RETRYABLE_NAMES.has(errorType) || status === 429 || (status !== undefined && status >= 500)) {
    return { kind: 'RETRYABLE', errorType, message };
  }
  if (status === undefined && (NETWORK_CODES.has(err.code ?? '') || errorType === 'TimeoutError' || errorType === 'AbortError')) {
    return { kind: 'RETRYABLE', errorType: err.code ?? errorType, message };
  }
  return { kind: 'FATAL', errorType, message };
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
