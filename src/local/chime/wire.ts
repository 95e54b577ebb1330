/**
 * Chime's wire conventions (restJson1) and the model's input constraints.
 *
 * Errors: `x-amzn-errortype: <Name>Exception` and a `{"Code","Message"}` body, or the stock SDK
 * will not raise the typed exception. Every limit below is copied from botocore's
 * `chime-sdk-messaging/2021-05-15/service-2.json` (the shape named in each comment); the
 * content and metadata sizes are bytes, as the service documentation states them.
 */
import type { MessageAttributes, PushNotification } from './types.js';

export type ErrorName =
  | 'BadRequest'
  | 'Conflict'
  | 'Forbidden'
  | 'NotFound'
  | 'ResourceLimitExceeded'
  | 'ServiceFailure'
  | 'ServiceUnavailable'
  | 'ThrottledClient'
  | 'UnauthorizedClient';

/** An error answered in the Chime wire shape. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorName,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (m: string) => new SimError(400, 'BadRequest', m);
export const notFound = (m: string) => new SimError(404, 'NotFound', m);
export const forbidden = (m: string) => new SimError(403, 'Forbidden', m);
export const conflict = (m: string) => new SimError(409, 'Conflict', m);

// ───────────────────────────── model limits ─────────────────────────────

export const LIMITS = {
  /** ChimeArn */
  arn: { min: 5, max: 1600 },
  /** ClientRequestToken */
  clientRequestToken: { min: 2, max: 64, pattern: /^[-_a-zA-Z0-9]*$/ },
  /** MessageId */
  messageId: { min: 1, max: 128, pattern: /^[-_a-zA-Z0-9]*$/ },
  /** SubChannelId */
  subChannelId: { min: 1, max: 128, pattern: /^[-_a-zA-Z0-9]*$/ },
  /** ContentType */
  contentType: { max: 45 },
  /** NonEmptyContent (min 1); 4 KB for a STANDARD message, 30 bytes for CONTROL (SendChannelMessage docs). */
  content: { min: 1, maxBytes: 4096, controlMaxBytes: 30 },
  /** Metadata: 1 KB. */
  metadata: { maxBytes: 1024 },
  /** MessageAttributeName, MessageAttributeStringValue */
  messageAttributeName: { min: 1, max: 64 },
  messageAttributeValue: { min: 1, max: 512 },
  /** PushNotificationTitle, PushNotificationBody */
  pushTitle: { min: 1, max: 50 },
  pushBody: { min: 1, max: 150 },
  /** CallbackIdType */
  callbackId: { min: 32, max: 64 },
  /** NonEmptyResourceName: channel, flow and processor names. */
  resourceName: { min: 1, max: 256 },
  /** ChannelId */
  channelId: { min: 1, max: 64, pattern: /^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/ },
  /** ChannelMemberArns, ChannelModeratorArns */
  channelArnList: { min: 1, max: 10 },
  /** MaxResults, NextToken */
  maxResults: { min: 1, max: 50 },
  nextToken: { max: 2048 },
  /** ProcessorList, ChannelFlowExecutionOrder */
  processors: { min: 1, max: 3 },
  executionOrder: { min: 1, max: 3 },
  /** LambdaFunctionArn */
  lambdaArn: {
    min: 15,
    max: 2048,
    pattern: /^arn:aws:lambda:[a-z]{2}-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9\-_.]+(:(\$LATEST|[a-zA-Z0-9\-_]+))?$/,
  },
  /** TagList, TagKey, TagValue */
  tags: { min: 1, max: 50 },
  tagKey: { min: 1, max: 128 },
  tagValue: { min: 1, max: 256 },
  /** TargetList */
  targets: { min: 1, max: 1 },
  /** StatusDetail */
  statusDetail: { max: 256 },
} as const;

/** NonEmptyResourceName's character class: XML-safe characters, no other control characters. */
const RESOURCE_NAME_CHARS = /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

export const CHANNEL_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+\/channel\/[A-Za-z0-9:._@-]+$/;
export const FLOW_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+\/channel-flow\/[A-Za-z0-9._-]+$/;
export const APP_INSTANCE_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+$/;
export const BEARER_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+\/(?:user|bot)\/[A-Za-z0-9._@-]+$/;

/** Length in characters (Unicode scalar values), as the model's length traits count. */
export const charLength = (s: string) => [...s].length;
export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const v = optionalString(body, field);
  if (v === undefined) throw badRequest(`${field} is required`);
  return v;
}

export function checkLength(value: string, field: string, limit: { min?: number; max?: number }): void {
  const n = charLength(value);
  if (limit.min !== undefined && n < limit.min) {
    throw badRequest(`${field} must be at least ${limit.min} character${limit.min === 1 ? '' : 's'} (got ${n})`);
  }
  if (limit.max !== undefined && n > limit.max) throw badRequest(`${field} must be at most ${limit.max} characters (got ${n})`);
}

function checkPatterned(value: string, field: string, limit: { min: number; max: number; pattern: RegExp }, describe: string): void {
  checkLength(value, field, limit);
  if (!limit.pattern.test(value)) throw badRequest(`${field} must match ${describe} (got ${JSON.stringify(value.slice(0, 80))})`);
}

export function validateArnLength(value: string, field: string): void {
  checkLength(value, field, LIMITS.arn);
}

export function validateChannelArn(value: string, field = 'ChannelArn'): void {
  validateArnLength(value, field);
  if (!CHANNEL_ARN.test(value)) {
    throw badRequest(`Invalid ${field} ${JSON.stringify(value.slice(0, 200))}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID/channel/ID`);
  }
}

export function validateFlowArn(value: string, field = 'ChannelFlowArn'): void {
  validateArnLength(value, field);
  if (!FLOW_ARN.test(value)) {
    throw badRequest(`Invalid ${field} ${JSON.stringify(value.slice(0, 200))}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID/channel-flow/ID`);
  }
}

export function validateAppInstanceArn(value: string, field = 'AppInstanceArn'): void {
  validateArnLength(value, field);
  if (!APP_INSTANCE_ARN.test(value)) {
    throw badRequest(`Invalid ${field} ${JSON.stringify(value.slice(0, 200))}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID`);
  }
}

export function validateMemberArn(value: string, field: string): void {
  validateArnLength(value, field);
  if (!BEARER_ARN.test(value)) {
    throw badRequest(`Invalid ${field} ${JSON.stringify(value.slice(0, 200))}: expected an AppInstanceUser or AppInstanceBot ARN`);
  }
}

export const validateMessageId = (v: string, field = 'MessageId') => checkPatterned(v, field, LIMITS.messageId, '[-_a-zA-Z0-9]*');
export const validateSubChannelId = (v: string, field = 'SubChannelId') => checkPatterned(v, field, LIMITS.subChannelId, '[-_a-zA-Z0-9]*');
export const validateClientRequestToken = (v: string, field = 'ClientRequestToken') =>
  checkPatterned(v, field, LIMITS.clientRequestToken, '[-_a-zA-Z0-9]*');

export function validateChannelId(v: string): void {
  checkLength(v, 'ChannelId', LIMITS.channelId);
  if (!LIMITS.channelId.pattern.test(v)) throw badRequest(`ChannelId ${JSON.stringify(v)} must match [A-Za-z0-9]([A-Za-z0-9:-_.@]{0,62}[A-Za-z0-9])?`);
}

export function validateResourceName(v: string, field: string): void {
  checkLength(v, field, LIMITS.resourceName);
  if (!RESOURCE_NAME_CHARS.test(v)) throw badRequest(`${field} contains characters a resource name may not contain`);
}

export function validateContentType(v: string, field = 'ContentType'): void {
  checkLength(v, field, LIMITS.contentType);
}

export function validateContent(content: string, field = 'Content', maxBytes: number = LIMITS.content.maxBytes): void {
  if (content.length < LIMITS.content.min) throw badRequest(`${field} must be at least 1 character`);
  if (byteLength(content) > maxBytes) throw badRequest(`${field} must be at most ${maxBytes} bytes`);
}

export function validateMetadata(metadata: string | undefined, field = 'Metadata'): void {
  if (metadata !== undefined && byteLength(metadata) > LIMITS.metadata.maxBytes) {
    throw badRequest(`${field} must be at most ${LIMITS.metadata.maxBytes} bytes`);
  }
}

export function parsePushNotification(v: unknown, field = 'PushNotification'): PushNotification | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest(`${field} must be an object`);
  const out: PushNotification = {};
  if (v.Title !== undefined) {
    if (typeof v.Title !== 'string') throw badRequest(`${field}.Title must be a string`);
    checkLength(v.Title, `${field}.Title`, LIMITS.pushTitle);
    out.Title = v.Title;
  }
  if (v.Body !== undefined) {
    if (typeof v.Body !== 'string') throw badRequest(`${field}.Body must be a string`);
    checkLength(v.Body, `${field}.Body`, LIMITS.pushBody);
    out.Body = v.Body;
  }
  if (v.Type !== undefined) {
    if (v.Type !== 'DEFAULT' && v.Type !== 'VOIP') throw badRequest(`${field}.Type must be DEFAULT or VOIP`);
    out.Type = v.Type;
  }
  return out;
}

export function parseMessageAttributes(v: unknown, field = 'MessageAttributes'): MessageAttributes | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest(`${field} must be a map`);
  const out: MessageAttributes = {};
  for (const [name, value] of Object.entries(v)) {
    checkLength(name, `${field} names`, LIMITS.messageAttributeName);
    if (!isObject(value)) throw badRequest(`${field}.${name} must be an object`);
    const sv = value.StringValues;
    if (sv !== undefined && (!Array.isArray(sv) || !sv.every((s) => typeof s === 'string'))) {
      throw badRequest(`${field}.${name}.StringValues must be a list of strings`);
    }
    for (const s of (sv as string[] | undefined) ?? []) checkLength(s, `${field}.${name}.StringValues[]`, LIMITS.messageAttributeValue);
    out[name] = sv === undefined ? {} : { StringValues: [...(sv as string[])] };
  }
  return out;
}

/** MaxResults from the `max-results` query parameter (default 50, the model's maximum). */
export function parseMaxResults(raw: string | null): number {
  if (raw === null) return LIMITS.maxResults.max;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < LIMITS.maxResults.min || n > LIMITS.maxResults.max) {
    throw badRequest(`max-results must be an integer from ${LIMITS.maxResults.min} to ${LIMITS.maxResults.max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

/** The AppInstance part of a channel, flow or member ARN. */
export function appInstanceOf(arn: string): string {
  const i = arn.indexOf(':app-instance/');
  const rest = arn.slice(i + ':app-instance/'.length);
  return arn.slice(0, i) + ':app-instance/' + rest.split('/')[0];
}

/** The AWS account of a Chime ARN. */
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';
