/**
 * Message operations: SendChannelMessage, UpdateChannelMessage, GetChannelMessage,
 * GetChannelMessageStatus, ListChannelMessages, RedactChannelMessage, DeleteChannelMessage and
 * the processors' ChannelFlowCallback.
 */
import { randomUUID } from 'node:crypto';
import { bearerOf, epochSeconds, requireObjectBody, type Ctx, type Deps, type Result } from './context.js';
import { decodeToken, encodeToken } from './paging.js';
import { deliver, dropEdit } from './processing.js';
import { canSee, missingMessage, type ChannelRecord, type MessageRecord, type Version } from './store.js';
import type { SimulatedMessage, SimulatedMessageStatus, SimulatedPendingCallback } from './types.js';
import {
  appInstanceOf,
  badRequest,
  conflict,
  forbidden,
  isObject,
  LIMITS,
  notFound,
  optionalString,
  parseMaxResults,
  parseMessageAttributes,
  parsePushNotification,
  SimError,
  validateChannelArn,
  validateClientRequestToken,
  validateContent,
  validateContentType,
  validateMemberArn,
  validateMessageId,
  validateMetadata,
  validateSubChannelId,
} from './wire.js';

const iso = (ms: number) => new Date(ms).toISOString();
const clone = <T>(v: T): T => (v === undefined ? v : (structuredClone(v) as T));

const pendingCallbacks = (m: MessageRecord) => m.callbacks.filter((cb) => !cb.used);

/** The status as a given caller sees it (an edit awaiting its callback is PENDING to its sender). */
function statusFor(m: MessageRecord, bearer: string | undefined): SimulatedMessageStatus {
  if (m.denied) return 'DENIED';
  if (m.failure !== undefined) return 'FAILED';
  if (!m.delivered) return 'PENDING';
  const delivered = m.delivered;
  if (bearer === m.sender.arn && pendingCallbacks(m).some((cb) => cb.version.seq > delivered.seq)) return 'PENDING';
  return 'SENT';
}

function wireStatus(m: MessageRecord, bearer: string): Record<string, unknown> {
  const value = statusFor(m, bearer);
  return value === 'FAILED' ? { Value: value, Detail: m.failure } : { Value: value };
}

/** The version a caller may read, or undefined when the message is invisible to them. */
function visibleVersion(m: MessageRecord, bearer: string): Version | undefined {
  if (!canSee(m, bearer)) return undefined; // targeted at someone else
  if (m.denied) return undefined;
  if (m.persistence === 'NON_PERSISTENT') return undefined; // not stored by Chime
  if (bearer === m.sender.arn) return m.latest;
  if (m.failure !== undefined) return undefined;
  return m.delivered;
}

function wireMessage(m: MessageRecord, v: Version, bearer: string, summary: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!summary) out.ChannelArn = m.channelArn;
  out.MessageId = m.messageId;
  // A redacted message keeps its metadata and reads back with no content.
  if (!m.redacted) out.Content = v.content;
  if (v.metadata !== undefined) out.Metadata = v.metadata;
  out.Type = m.type;
  out.CreatedTimestamp = epochSeconds(m.createdMs);
  if (v.lastEditedMs !== undefined) out.LastEditedTimestamp = epochSeconds(v.lastEditedMs);
  out.LastUpdatedTimestamp = epochSeconds(m.lastUpdatedMs);
  out.Sender = { Arn: m.sender.arn, Name: m.sender.name };
  out.Redacted = m.redacted;
  if (!summary) out.Persistence = m.persistence;
  out.Status = wireStatus(m, bearer);
  if (v.messageAttributes !== undefined) out.MessageAttributes = clone(v.messageAttributes);
  if (!summary && m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
  if (v.contentType !== undefined) out.ContentType = v.contentType;
  // Only the sender and the target ever get here for a targeted message, and both see whom it is for.
  if (m.target !== undefined) out.Target = [{ MemberArn: m.target }];
  return out;
}

export function snapshot(m: MessageRecord): SimulatedMessage {
  const shown = m.delivered ?? m.latest;
  const out: SimulatedMessage = {
    channelArn: m.channelArn,
    messageId: m.messageId,
    content: m.redacted ? '' : shown.content,
    sender: { ...m.sender },
    persistence: m.persistence,
    type: m.type,
    createdTimestamp: iso(m.createdMs),
    lastUpdatedTimestamp: iso(m.lastUpdatedMs),
    status: statusFor(m, undefined),
    pendingCallbacks: pendingCallbacks(m).map((cb) => {
      const p: SimulatedPendingCallback = { callbackId: cb.callbackId, issuedAt: iso(cb.issuedAtMs), kind: cb.kind, content: cb.version.content };
      if (cb.version.metadata !== undefined) p.metadata = cb.version.metadata;
      return p;
    }),
    callbackIds: m.callbacks.map((cb) => cb.callbackId),
  };
  if (m.failure !== undefined) out.statusDetail = m.failure;
  if (m.redacted) out.redacted = true;
  if (shown.metadata !== undefined) out.metadata = shown.metadata;
  if (shown.messageAttributes !== undefined) out.messageAttributes = clone(shown.messageAttributes);
  if (shown.pushNotification !== undefined) out.pushNotification = clone(shown.pushNotification);
  if (shown.lastEditedMs !== undefined) out.lastEditedTimestamp = iso(shown.lastEditedMs);
  if (m.subChannelId !== undefined) out.subChannelId = m.subChannelId;
  if (shown.contentType !== undefined) out.contentType = shown.contentType;
  if (m.clientRequestToken !== undefined) out.clientRequestToken = m.clientRequestToken;
  if (m.target !== undefined) out.target = m.target;
  return out;
}

function sendReply(m: MessageRecord, bearer: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ChannelArn: m.channelArn, MessageId: m.messageId, Status: wireStatus(m, bearer) };
  if (m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
  return out;
}

/** Validates the path's channel ARN and the bearer before anything is looked up or created. */
function caller(ctx: Ctx): { channelArn: string; bearer: string } {
  const channelArn = ctx.route.channelArn!;
  validateChannelArn(channelArn);
  return { channelArn, bearer: bearerOf(ctx, appInstanceOf(channelArn)) };
}

function messageIdOf(ctx: Ctx): string {
  const messageId = ctx.route.messageId!;
  validateMessageId(messageId);
  return messageId;
}

function optionalSubChannelId(value: string | undefined | null, field = 'SubChannelId'): string | undefined {
  if (value === undefined || value === null) return undefined;
  validateSubChannelId(value, field);
  return value;
}

/** The target member's ARN (TargetList holds exactly one Target), or undefined when the message is for everyone. */
function parseTarget(v: unknown, appInstanceArn: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length < LIMITS.targets.min || v.length > LIMITS.targets.max) throw badRequest('Target must be a list of exactly one {MemberArn}');
  const [t] = v as unknown[];
  if (!isObject(t) || typeof t.MemberArn !== 'string') throw badRequest('Target[].MemberArn is required');
  validateMemberArn(t.MemberArn, 'Target[].MemberArn');
  if (appInstanceOf(t.MemberArn) !== appInstanceArn) throw badRequest("Target[].MemberArn is not in the channel's AppInstance");
  return t.MemberArn;
}

export function sendChannelMessage(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const body = requireObjectBody(ctx.body);
  const content = optionalString(body, 'Content');
  if (content === undefined) throw badRequest('Content is required');
  const type = body.Type;
  if (type !== 'STANDARD' && type !== 'CONTROL') throw badRequest('Type must be STANDARD or CONTROL');
  const persistence = body.Persistence;
  if (persistence !== 'PERSISTENT' && persistence !== 'NON_PERSISTENT') throw badRequest('Persistence must be PERSISTENT or NON_PERSISTENT');
  const metadata = optionalString(body, 'Metadata');
  if (type === 'CONTROL') {
    validateContent(content, 'Content', LIMITS.content.controlMaxBytes);
    if (metadata !== undefined) throw badRequest('CONTROL messages cannot have Metadata');
  } else {
    validateContent(content);
    validateMetadata(metadata);
  }
  const clientRequestToken = optionalString(body, 'ClientRequestToken');
  if (clientRequestToken !== undefined) validateClientRequestToken(clientRequestToken);
  const subChannelId = optionalSubChannelId(optionalString(body, 'SubChannelId'));
  const contentType = optionalString(body, 'ContentType');
  if (contentType !== undefined) validateContentType(contentType);
  const pushNotification = parsePushNotification(body.PushNotification);
  const messageAttributes = parseMessageAttributes(body.MessageAttributes);
  const target = parseTarget(body.Target, appInstanceOf(channelArn));

  const { store, runner } = d;
  const c = store.channel(channelArn, 'Forbidden', bearer);
  store.requireNotBanned(c, bearer);
  if (!c.members.has(bearer)) {
    if (store.strict) throw forbidden(`${bearer} is not a member of channel ${c.arn}`);
    store.addMember(c, bearer, bearer); // convenient mode: posting makes you a member
  }

  // ClientRequestToken makes the send idempotent (the SDK reuses it across its own retries).
  const tokenKey = clientRequestToken === undefined ? undefined : `${c.arn}\u0000${bearer}\u0000${clientRequestToken}`;
  const remembered = tokenKey === undefined ? undefined : store.messageTokens.get(tokenKey);
  const tokenWindowMs = d.sendTokenWindowMs();
  const existing = remembered && (tokenWindowMs === 0 || store.now() - remembered.createdMs < tokenWindowMs) ? remembered : undefined;
  if (existing) return [201, sendReply(existing, bearer)];
  // After the replay: a retry of a send that landed answers as it did, even if the target left since.
  if (target !== undefined) store.requireTargetable(c, target);

  const createdMs = store.now();
  const version: Version = { seq: store.nextSeq(), content };
  if (metadata !== undefined) version.metadata = metadata;
  if (messageAttributes !== undefined) version.messageAttributes = messageAttributes;
  if (pushNotification !== undefined) version.pushNotification = pushNotification;
  if (contentType !== undefined) version.contentType = contentType;
  const m: MessageRecord = {
    channelArn: c.arn,
    messageId: randomUUID().replace(/-/g, ''),
    seq: version.seq,
    sender: store.identity(bearer),
    persistence,
    type,
    createdMs,
    lastUpdatedMs: createdMs,
    latest: version,
    denied: false,
    redacted: false,
    callbacks: [],
  };
  if (subChannelId !== undefined) m.subChannelId = subChannelId;
  if (clientRequestToken !== undefined) m.clientRequestToken = clientRequestToken;
  if (target !== undefined) m.target = target;
  c.messages.set(m.messageId, m);
  c.lastMessageMs = createdMs;
  if (tokenKey !== undefined) store.messageTokens.set(tokenKey, m);

  // Channel flows process STANDARD messages only; a channel without a flow delivers at once.
  // A targeted message goes through the flow like any other (the processor's event has no
  // Target field, see processing.ts); until it is let through, only its sender sees it.
  if (type === 'CONTROL') deliver(m, version);
  else runner.start(m, 'SEND', version, store.processorsFor(c));
  return [201, sendReply(m, bearer)];
}

export function updateChannelMessage(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const messageId = messageIdOf(ctx);
  const body = requireObjectBody(ctx.body);
  const content = optionalString(body, 'Content');
  if (content === undefined) throw badRequest('Content is required');
  validateContent(content);
  const metadata = optionalString(body, 'Metadata');
  validateMetadata(metadata);
  const contentType = optionalString(body, 'ContentType');
  if (contentType !== undefined) validateContentType(contentType);
  optionalSubChannelId(optionalString(body, 'SubChannelId'));

  const { store, runner } = d;
  const c = store.channel(channelArn, 'Forbidden', bearer);
  store.requireNotBanned(c, bearer);
  // A targeted message someone else may not see is missing to them, before "only the sender" could say it exists.
  const m = store.findMessage(c, messageId, bearer);
  if (m.denied) throw missingMessage(m.messageId);
  if (m.sender.arn !== bearer) throw forbidden('Only the sender can update a message');
  if (store.strict && !c.members.has(bearer)) throw forbidden(`${bearer} is not a member of channel ${c.arn}`);
  if (m.persistence !== 'PERSISTENT') throw badRequest('Only PERSISTENT messages can be updated');
  if (m.type !== 'STANDARD') throw badRequest('Only STANDARD messages can be updated');
  if (m.failure !== undefined) throw badRequest('Cannot update a message that FAILED');
  if (m.redacted) throw badRequest('Cannot update a redacted message');
  if (!m.delivered) throw badRequest('Cannot update a message that is still PENDING');

  const editedMs = store.now();
  const base = m.latest;
  const version: Version = { seq: store.nextSeq(), content, lastEditedMs: editedMs };
  const md = metadata ?? base.metadata;
  if (md !== undefined) version.metadata = md;
  if (base.messageAttributes !== undefined) version.messageAttributes = clone(base.messageAttributes);
  if (base.pushNotification !== undefined) version.pushNotification = clone(base.pushNotification);
  const ct = contentType ?? base.contentType;
  if (ct !== undefined) version.contentType = ct;
  m.latest = version;
  m.lastUpdatedMs = editedMs;
  runner.start(m, 'EDIT', version, store.processorsFor(c));

  const out: Record<string, unknown> = { ChannelArn: m.channelArn, MessageId: m.messageId, Status: wireStatus(m, bearer) };
  if (m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
  return [200, out];
}

export function getChannelMessage(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const messageId = messageIdOf(ctx);
  optionalSubChannelId(ctx.url.searchParams.get('sub-channel-id'), 'sub-channel-id');
  const c = d.store.channel(channelArn, 'NotFound', bearer);
  // Who may read the channel at all (strict mode): anyone for a PUBLIC channel, only members,
  // moderators and AppInstanceAdmins for a PRIVATE one, never a banned member: the same rule as
  // ListChannelMessages ("Public Channels: You do not need to be a member to list messages",
  // CreateChannelMembership's documentation). A refusal is Forbidden, before the message is looked up.
  d.store.requireReader(c, bearer);
  // A targeted message for someone else is answered exactly as a missing one.
  const m = d.store.findMessage(c, messageId, bearer);
  const v = visibleVersion(m, bearer);
  if (!v) {
    const why = m.persistence === 'NON_PERSISTENT' && !m.denied ? ' (NON_PERSISTENT messages are not stored; the sender can use GetChannelMessageStatus)' : '';
    throw notFound(`Message ${m.messageId} not found in channel${why}`);
  }
  return [200, { ChannelArn: c.arn, ChannelMessage: wireMessage(m, v, bearer, false) }];
}

export function getChannelMessageStatus(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const messageId = messageIdOf(ctx);
  optionalSubChannelId(ctx.url.searchParams.get('sub-channel-id'), 'sub-channel-id');
  const c = d.store.channel(channelArn, 'Forbidden', bearer);
  // Sender-only, but a third party must not learn that a targeted message exists from a 403:
  // to them it is missing. Its target sees it, so gets the 403 any non-sender gets.
  const m = d.store.findMessage(c, messageId, bearer);
  if (m.sender.arn !== bearer) throw forbidden('Only the sender of a message can get its status');
  return [200, { Status: wireStatus(m, bearer) }];
}

function parseQueryTime(v: string | null, name: string): number | undefined {
  if (v === null) return undefined;
  const n = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(n)) throw badRequest(`${name} is not a valid timestamp`);
  return n;
}

export function listChannelMessages(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const q = ctx.url.searchParams;
  const sortOrder = q.get('sort-order') ?? 'DESCENDING';
  if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') throw badRequest('sort-order must be ASCENDING or DESCENDING');
  const max = parseMaxResults(q.get('max-results'));
  const notBefore = parseQueryTime(q.get('not-before'), 'not-before');
  const notAfter = parseQueryTime(q.get('not-after'), 'not-after');
  const subChannelId = optionalSubChannelId(q.get('sub-channel-id'), 'sub-channel-id');
  const token = q.get('next-token');
  if (token !== null && token.length > LIMITS.nextToken.max) throw badRequest(`next-token must be at most ${LIMITS.nextToken.max} characters`);
  const c = d.store.channel(channelArn, 'Forbidden', bearer);
  d.store.requireReader(c, bearer);
  const after = token === null ? undefined : decodeToken(token, `messages\u0000${c.arn}\u0000${sortOrder}`);

  const visible = [...c.messages.values()]
    .filter((m) => visibleVersion(m, bearer) !== undefined)
    .filter((m) => (notBefore === undefined || m.createdMs >= notBefore) && (notAfter === undefined || m.createdMs <= notAfter))
    .filter((m) => subChannelId === undefined || m.subChannelId === subChannelId)
    .sort((a, b) => (sortOrder === 'ASCENDING' ? a.seq - b.seq : b.seq - a.seq))
    .filter((m) => after === undefined || (sortOrder === 'ASCENDING' ? m.seq > after : m.seq < after));
  const page = visible.slice(0, max);
  const out: Record<string, unknown> = {
    ChannelArn: c.arn,
    ChannelMessages: page.map((m) => wireMessage(m, visibleVersion(m, bearer)!, bearer, true)),
  };
  if (visible.length > max) out.NextToken = encodeToken(`messages\u0000${c.arn}\u0000${sortOrder}`, page[page.length - 1]!.seq);
  if (subChannelId !== undefined) out.SubChannelId = subChannelId;
  return [200, out];
}

/** A message the bearer may redact: stored, not denied or failed, and (if targeted) visible to them. */
function storedMessage(c: ChannelRecord, messageId: string, d: Deps, bearer: string): MessageRecord {
  const m = d.store.findMessage(c, messageId, bearer);
  if (m.denied || m.failure !== undefined || m.persistence === 'NON_PERSISTENT') {
    throw notFound(`Message ${messageId} not found in channel (${m.denied ? 'it was denied' : m.failure !== undefined ? 'it FAILED' : 'NON_PERSISTENT messages are not stored'})`);
  }
  return m;
}

export function redactChannelMessage(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const messageId = messageIdOf(ctx);
  const body = requireObjectBody(ctx.body);
  const subChannelId = optionalSubChannelId(optionalString(body, 'SubChannelId'));
  const c = d.store.channel(channelArn, 'Forbidden', bearer);
  d.store.requireNotBanned(c, bearer);
  const m = storedMessage(c, messageId, d, bearer);
  // Moderators redact messages in their channel; a sender may redact their own.
  if (m.sender.arn !== bearer) d.store.requireManager(c, bearer, 'redact messages in this channel');
  if (!m.delivered) throw conflict(`Message ${messageId} is still being processed by the channel flow`);
  if (!m.redacted) {
    m.redacted = true;
    m.lastUpdatedMs = d.store.now();
    // Edits still in the flow can no longer bring content back.
    m.latest = m.delivered;
  }
  const out: Record<string, unknown> = { ChannelArn: c.arn, MessageId: m.messageId };
  if (subChannelId ?? m.subChannelId) out.SubChannelId = subChannelId ?? m.subChannelId;
  return [200, out];
}

export function deleteChannelMessage(d: Deps, ctx: Ctx): Result {
  const { channelArn, bearer } = caller(ctx);
  const messageId = messageIdOf(ctx);
  optionalSubChannelId(ctx.url.searchParams.get('sub-channel-id'), 'sub-channel-id');
  const c = d.store.channel(channelArn, 'Forbidden', bearer);
  if (d.store.strict && !d.store.isAdmin(bearer)) throw forbidden(`${bearer} may not delete messages: only AppInstanceAdmins may`);
  const m = d.store.findMessage(c, messageId);
  // Targeted at someone else: missing to this bearer, unless an administrator deletes it unseen.
  if (!canSee(m, bearer) && !d.store.mayDeleteUnseen(c, bearer)) throw missingMessage(messageId);
  c.messages.delete(m.messageId);
  if (m.clientRequestToken !== undefined) d.store.messageTokens.delete(`${c.arn}\u0000${m.sender.arn}\u0000${m.clientRequestToken}`);
  return [204, undefined];
}

export function channelFlowCallback(d: Deps, ctx: Ctx): Result {
  const channelArn = ctx.route.channelArn!;
  validateChannelArn(channelArn);
  const body = requireObjectBody(ctx.body);
  const callbackId = body.CallbackId;
  if (typeof callbackId !== 'string') throw badRequest('CallbackId is required');
  if (callbackId.length < LIMITS.callbackId.min || callbackId.length > LIMITS.callbackId.max) {
    throw badRequest(`CallbackId must be ${LIMITS.callbackId.min}-${LIMITS.callbackId.max} characters`);
  }
  if (body.DeleteResource !== undefined && typeof body.DeleteResource !== 'boolean') throw badRequest('DeleteResource must be a boolean');
  const cm = body.ChannelMessage;
  if (!isObject(cm)) throw badRequest('ChannelMessage is required');
  const messageId = cm.MessageId;
  if (typeof messageId !== 'string') throw badRequest('ChannelMessage.MessageId is required');
  validateMessageId(messageId, 'ChannelMessage.MessageId');
  const content = optionalString(cm, 'Content');
  if (content !== undefined) validateContent(content, 'ChannelMessage.Content');
  const metadata = optionalString(cm, 'Metadata');
  validateMetadata(metadata, 'ChannelMessage.Metadata');
  const pushNotification = parsePushNotification(cm.PushNotification, 'ChannelMessage.PushNotification');
  const messageAttributes = parseMessageAttributes(cm.MessageAttributes, 'ChannelMessage.MessageAttributes');
  const contentType = optionalString(cm, 'ContentType');
  if (contentType !== undefined) validateContentType(contentType, 'ChannelMessage.ContentType');
  optionalSubChannelId(optionalString(cm, 'SubChannelId'), 'ChannelMessage.SubChannelId');

  const cb = d.store.callbacksById.get(callbackId);
  if (!cb) throw badRequest(`Unknown CallbackId ${callbackId}`);
  if (cb.channelArn !== channelArn) throw badRequest("The CallbackId does not belong to this channel");
  if (cb.messageId !== messageId) throw badRequest("ChannelMessage.MessageId does not match the CallbackId's message");
  if (cb.used) throw new SimError(409, 'Conflict', `CallbackId ${callbackId} has already been used`);
  if (d.store.now() - cb.issuedAtMs > d.windowMs) {
    throw forbidden(`CallbackId ${callbackId} has expired: callbacks are accepted for ${d.windowMs / 1000} seconds`);
  }
  const m = d.store.channels.get(channelArn)?.messages.get(messageId);
  if (!m) throw badRequest('Cannot process a callback for a non-pending message (it was deleted)');
  if (m.denied) throw badRequest('Cannot process a callback for a non-pending message (it was denied)');
  if (m.failure !== undefined) throw badRequest('Cannot process a callback for a non-pending message (it FAILED)');
  if (m.redacted) throw badRequest('Cannot process a callback for a non-pending message (it was redacted)');

  cb.used = true;
  m.lastUpdatedMs = d.store.now();
  if (body.DeleteResource === true) {
    if (cb.kind === 'SEND') m.denied = true;
    else dropEdit(m, cb);
  } else {
    const v = cb.version;
    if (content !== undefined) v.content = content;
    if (metadata !== undefined) v.metadata = metadata;
    if (messageAttributes !== undefined) v.messageAttributes = messageAttributes;
    if (pushNotification !== undefined) v.pushNotification = pushNotification;
    if (contentType !== undefined) v.contentType = contentType;
    // The next processor sees the message as this one left it; after the last, everyone does.
    // A stale edit (older than what is already delivered) is accepted but changes nothing.
    d.runner.allowed(m, cb);
  }
  return [200, { ChannelArn: channelArn, CallbackId: callbackId }];
}
