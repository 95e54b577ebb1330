/**
 * An in-process simulator of the Amazon Chime SDK Messaging REST API, limited to what a channel
 * flow needs: SendChannelMessage, UpdateChannelMessage, GetChannelMessage,
 * GetChannelMessageStatus, ListChannelMessages and ChannelFlowCallback.
 *
 * The stock `@aws-sdk/client-chime-sdk-messaging` client works against it unchanged:
 *
 *   new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
 *
 * Every channel runs through a channel flow with one processor: each new message and each edit of
 * a persistent message gets a fresh CallbackId and stays PENDING (visible only to its sender)
 * until ChannelFlowCallback resolves it. The processor is `options.invokeProcessor`, called
 * fire-and-forget like Chime's asynchronous Lambda invoke.
 *
 * Wire shapes follow the SDK's own schemas (restJson1): timestamps in JSON bodies are epoch
 * seconds, errors carry `x-amzn-errortype: <Name>Exception` and `{"Code","Message"}`, the caller
 * identity is the `x-amz-chime-bearer` header, and SendChannelMessage answers 201.
 *
 * Plain JSON endpoints for humans and tests (no signing, no bearer):
 *   GET  /_simulator/callbacks    every ChannelFlowCallback request received, with its outcome
 *   GET  /_simulator/messages     every message with its status and pending CallbackIds
 *   GET  /_simulator/invocations  every processor invocation, duplicates included
 *   GET  /_simulator/faults       the current faults
 *   POST /_simulator/faults       merge a JSON body into the faults, answer the result
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

// ───────────────────────────── public API ─────────────────────────────

/** The event Chime sends to a channel processor (seed 000). */
export interface ChannelFlowEvent {
  EventType: 'CHANNEL_MESSAGE_EVENT';
  CallbackId: string;
  ChannelMessage: {
    MessageId: string;
    ChannelArn: string;
    Content?: string;
    Metadata?: string;
    Sender: { Arn: string; Name: string };
    Persistence: 'PERSISTENT' | 'NON_PERSISTENT';
    Type: 'STANDARD';
    CreatedTimestamp: string;
    LastEditedTimestamp?: string;
  };
}

export interface SimulatorFaults {
  /** 0..1: fraction of ChannelFlowCallback requests answered 429 ThrottledClientException. */
  callbackThrottleRate: number;
  /** 0..1: fraction of ChannelFlowCallback requests answered 503 ServiceUnavailableException. */
  callbackUnavailableRate: number;
  /** Extra copies of each processor invocation. Default 0. */
  duplicateInvocations: number;
  /** Delay of the copies in ms (copy n fires after n × this). Default 139. */
  duplicateDelayMs: number;
}

export interface ChimeSimulatorOptions {
  /** 0 = ephemeral. Default 4000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a CallbackId can be used after it was issued. Default 172800 (48 h). */
  callbackWindowSeconds?: number;
  /**
   * The asynchronous "Lambda invoke". Called without awaiting the reply to the client
   * (fire-and-forget); a rejection is logged, never thrown.
   */
  invokeProcessor: (event: ChannelFlowEvent) => Promise<void>;
  faults?: Partial<SimulatorFaults>;
  /** Epoch-ms clock. Default Date.now. Moves timestamps and the callback window, not timers. */
  now?: () => number;
  /** Default Math.random. Only drawn when a fault rate is above 0. */
  random?: () => number;
  /** Display name of a bearer. Default: the last path segment of the ARN. */
  userName?: (arn: string) => string | undefined;
  /** Where processor failures go. Default console.error. */
  log?: (message: string, error?: unknown) => void;
  /** Told about every callback request once it has been answered (for a live trace). */
  onCallback?: (callback: RecordedCallback) => void;
}

export interface PushNotification {
  Title?: string;
  Body?: string;
  Type?: 'DEFAULT' | 'VOIP';
}

export type MessageAttributes = Record<string, { StringValues?: string[] }>;

export interface RecordedCallback {
  /** ISO-8601 by the simulator's clock. */
  receivedAt: string;
  /** As sent; '' when the body had none (or was not JSON). */
  callbackId: string;
  /** From the path. */
  channelArn: string;
  deleteResource: boolean;
  /** The request body's ChannelMessage, as sent. */
  channelMessage: unknown;
  outcome: { status: number; errorType?: string };
}

export type SimulatedMessageStatus = 'PENDING' | 'SENT' | 'DENIED';

export interface SimulatedPendingCallback {
  callbackId: string;
  /** ISO-8601: when the CallbackId was issued (the callback window counts from here). */
  issuedAt: string;
  kind: 'SEND' | 'EDIT';
  /** The content the processor was asked about. */
  content: string;
  metadata?: string;
}

export interface SimulatedMessage {
  channelArn: string;
  messageId: string;
  /** What everyone sees once SENT; while PENDING or DENIED, what the sender submitted. */
  content: string;
  metadata?: string;
  messageAttributes?: MessageAttributes;
  pushNotification?: PushNotification;
  sender: { arn: string; name: string };
  persistence: 'PERSISTENT' | 'NON_PERSISTENT';
  type: 'STANDARD' | 'CONTROL';
  /** ISO-8601. */
  createdTimestamp: string;
  lastEditedTimestamp?: string;
  lastUpdatedTimestamp: string;
  /** The global status (an edit awaiting its callback does not make a SENT message PENDING). */
  status: SimulatedMessageStatus;
  subChannelId?: string;
  contentType?: string;
  clientRequestToken?: string;
  /** CallbackIds issued for this message and not used yet (the send, and/or edits). */
  pendingCallbacks: SimulatedPendingCallback[];
  /** Every CallbackId ever issued for this message, in order. */
  callbackIds: string[];
}

export interface ChimeSimulator {
  /** http://HOST:PORT */
  endpoint: string;
  port: number;
  setFaults(f: Partial<SimulatorFaults>): void;
  faults(): SimulatorFaults;
  callbacks(): RecordedCallback[];
  messages(): SimulatedMessage[];
  /** Every processor invocation made, duplicates included, in the order they were made. */
  invocations(): ChannelFlowEvent[];
  /** Resolves once no invocation is scheduled or running (duplicates included). */
  idle(): Promise<void>;
  /** Forgets messages, callbacks and invocations, and cancels scheduled invocations. */
  reset(): void;
  close(): Promise<void>;
}

// ───────────────────────────── internals ─────────────────────────────

const DEFAULT_FAULTS: SimulatorFaults = {
  callbackThrottleRate: 0,
  callbackUnavailableRate: 0,
  duplicateInvocations: 0,
  duplicateDelayMs: 139,
};

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_CONTENT_BYTES = 4096;
const MAX_METADATA_BYTES = 1024;
const CALLBACK_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const CHANNEL_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+\/channel\/[A-Za-z0-9._-]+$/;
const BEARER_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:[0-9]{12}:app-instance\/[A-Za-z0-9._-]+\/(?:user|bot)\/[A-Za-z0-9._@-]+$/;

type ErrorName =
  | 'BadRequest'
  | 'Conflict'
  | 'Forbidden'
  | 'NotFound'
  | 'ServiceFailure'
  | 'ServiceUnavailable'
  | 'ThrottledClient'
  | 'UnauthorizedClient';

/** An error answered in the Chime wire shape. */
class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorName,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (m: string) => new SimError(400, 'BadRequest', m);
const notFound = (m: string) => new SimError(404, 'NotFound', m);
const forbidden = (m: string) => new SimError(403, 'Forbidden', m);

/** One version of a message's content: the original send, or an edit. */
interface Version {
  seq: number;
  content: string;
  metadata?: string;
  messageAttributes?: MessageAttributes;
  pushNotification?: PushNotification;
  contentType?: string;
  lastEditedMs?: number;
}

interface CallbackRecord {
  callbackId: string;
  channelArn: string;
  messageId: string;
  kind: 'SEND' | 'EDIT';
  issuedAtMs: number;
  version: Version;
  used: boolean;
}

interface MessageRecord {
  channelArn: string;
  messageId: string;
  /** Order within the channel (list order, paging cursor). */
  seq: number;
  sender: { arn: string; name: string };
  persistence: 'PERSISTENT' | 'NON_PERSISTENT';
  type: 'STANDARD' | 'CONTROL';
  createdMs: number;
  lastUpdatedMs: number;
  subChannelId?: string;
  clientRequestToken?: string;
  target?: unknown;
  /** The version everyone sees; undefined until the first callback lets the message through. */
  delivered?: Version;
  /** The newest version the sender submitted (what the sender sees while it is pending). */
  latest: Version;
  denied: boolean;
  callbacks: CallbackRecord[];
}

interface Channel {
  arn: string;
  messages: Map<string, MessageRecord>;
}

interface Route {
  op: string;
  channelArn?: string;
  messageId?: string;
}

interface Ctx {
  req: IncomingMessage;
  url: URL;
  body: unknown;
  route: Route;
}

const clone = <T>(v: T): T => (v === undefined ? v : (structuredClone(v) as T));
const iso = (ms: number) => new Date(ms).toISOString();
/** restJson1 serialises body timestamps as epoch seconds. */
const epochSeconds = (ms: number) => ms / 1000;
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

function newCallbackId(): string {
  const bytes = randomBytes(48);
  let out = '';
  for (const b of bytes) out += CALLBACK_ID_ALPHABET[b % CALLBACK_ID_ALPHABET.length];
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
}

function validateContent(content: string, field = 'Content'): void {
  if (content.length < 1) throw badRequest(`${field} must be at least 1 character`);
  if (byteLength(content) > MAX_CONTENT_BYTES) throw badRequest(`${field} must be at most ${MAX_CONTENT_BYTES} bytes`);
}

function validateMetadata(metadata: string | undefined): void {
  if (metadata !== undefined && byteLength(metadata) > MAX_METADATA_BYTES) {
    throw badRequest(`Metadata must be at most ${MAX_METADATA_BYTES} bytes`);
  }
}

function parsePushNotification(v: unknown): PushNotification | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest('PushNotification must be an object');
  const out: PushNotification = {};
  if (v.Title !== undefined) {
    if (typeof v.Title !== 'string' || v.Title.length > 50) throw badRequest('PushNotification.Title must be a string of at most 50 characters');
    out.Title = v.Title;
  }
  if (v.Body !== undefined) {
    if (typeof v.Body !== 'string' || v.Body.length > 150) throw badRequest('PushNotification.Body must be a string of at most 150 characters');
    out.Body = v.Body;
  }
  if (v.Type !== undefined) {
    if (v.Type !== 'DEFAULT' && v.Type !== 'VOIP') throw badRequest('PushNotification.Type must be DEFAULT or VOIP');
    out.Type = v.Type;
  }
  return out;
}

function parseMessageAttributes(v: unknown): MessageAttributes | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badRequest('MessageAttributes must be a map');
  const out: MessageAttributes = {};
  for (const [name, value] of Object.entries(v)) {
    if (name.length < 1 || name.length > 64) throw badRequest('MessageAttributes names must be 1-64 characters');
    if (!isObject(value)) throw badRequest(`MessageAttributes.${name} must be an object`);
    const sv = value.StringValues;
    if (sv !== undefined && (!Array.isArray(sv) || !sv.every((s) => typeof s === 'string'))) {
      throw badRequest(`MessageAttributes.${name}.StringValues must be a list of strings`);
    }
    out[name] = sv === undefined ? {} : { StringValues: [...(sv as string[])] };
  }
  return out;
}

/** The app-instance part of a channel or user ARN. */
function appInstanceOf(arn: string): string {
  const i = arn.indexOf(':app-instance/');
  const rest = arn.slice(i + ':app-instance/'.length);
  return arn.slice(0, i) + ':app-instance/' + rest.split('/')[0];
}

function parseRoute(method: string, url: URL): Route {
  const raw = url.pathname;
  if (raw.startsWith('/_simulator/')) return { op: `${method} ${raw}` };

  let segs = raw.split('/').slice(1);
  let decoded: string[];
  try {
    decoded = segs.map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest('Malformed percent-encoding in the path');
  }
  // A human may send the ARN unencoded: /channels/arn:aws:chime:…/app-instance/A/channel/B/messages
  if (decoded[0] === 'channels' && decoded.length > 2 && decoded[1]?.startsWith('arn:') && decoded[2] !== 'messages') {
    const whole = decoded.join('/');
    const m = /^channels\/(arn:[^/]*\/[^/]*\/channel\/[^/]*)(\/.*)?$/.exec(whole);
    if (m) {
      segs = [];
      decoded = ['channels', m[1]!, ...(m[2] ? m[2].split('/').slice(1) : [])];
    }
  }
  const scope = url.searchParams.get('scope');
  const operation = url.searchParams.get('operation');
  if (decoded[0] === 'channels' && decoded.length >= 2 && decoded[1]) {
    const channelArn = decoded[1];
    if (decoded.length === 2 && method === 'POST' && operation === 'channel-flow-callback') {
      return { op: 'ChannelFlowCallback', channelArn };
    }
    if (decoded.length === 3 && decoded[2] === 'messages' && !operation) {
      if (method === 'POST') return { op: 'SendChannelMessage', channelArn };
      if (method === 'GET') return { op: 'ListChannelMessages', channelArn };
    }
    if (decoded.length === 4 && decoded[2] === 'messages' && decoded[3] && !operation) {
      const messageId = decoded[3];
      if (method === 'GET' && scope === 'message-status') return { op: 'GetChannelMessageStatus', channelArn, messageId };
      if (method === 'GET' && !scope) return { op: 'GetChannelMessage', channelArn, messageId };
      if (method === 'PUT') return { op: 'UpdateChannelMessage', channelArn, messageId };
    }
  }
  return { op: 'Unknown' };
}

// ───────────────────────────── the simulator ─────────────────────────────

export async function startChimeSimulator(options: ChimeSimulatorOptions): Promise<ChimeSimulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const windowMs = (options.callbackWindowSeconds ?? 172_800) * 1000;
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[chime-simulator] ${message}`, error ?? ''));
  const userName = options.userName ?? (() => undefined);
  let faults: SimulatorFaults = { ...DEFAULT_FAULTS };

  const channels = new Map<string, Channel>();
  const callbacksById = new Map<string, CallbackRecord>();
  const idempotency = new Map<string, MessageRecord>();
  let recorded: RecordedCallback[] = [];
  let invoked: ChannelFlowEvent[] = [];
  let seq = 0;

  // Scheduled and running invocations, so close() can cancel and idle() can wait.
  const immediates = new Set<NodeJS.Immediate>();
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  function setFaults(f: Partial<SimulatorFaults>): void {
    const next = { ...faults };
    for (const key of Object.keys(DEFAULT_FAULTS) as Array<keyof SimulatorFaults>) {
      const v = f[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`fault ${key} must be a non-negative number`);
      if ((key === 'callbackThrottleRate' || key === 'callbackUnavailableRate') && v > 1) throw badRequest(`fault ${key} must be between 0 and 1`);
      next[key] = key === 'duplicateInvocations' ? Math.floor(v) : v;
    }
    faults = next;
  }
  setFaults(options.faults ?? {});

  function checkIdle(): void {
    if (running === 0 && immediates.size === 0 && timers.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function runInvocation(event: ChannelFlowEvent): void {
    if (closed) return;
    const copy = clone(event);
    invoked.push(clone(event));
    running++;
    Promise.resolve()
      .then(() => options.invokeProcessor(copy))
      .catch((err: unknown) => log(`processor failed for CallbackId ${event.CallbackId}`, err))
      .finally(() => {
        running--;
        checkIdle();
      });
  }

  /** Chime's asynchronous invoke, plus the duplicate-delivery fault. */
  function scheduleInvocation(event: ChannelFlowEvent): void {
    const im = setImmediate(() => {
      immediates.delete(im);
      runInvocation(event);
      checkIdle();
    });
    immediates.add(im);
    for (let i = 1; i <= faults.duplicateInvocations; i++) {
      const t = setTimeout(() => {
        timers.delete(t);
        runInvocation(event);
        checkIdle();
      }, faults.duplicateDelayMs * i);
      timers.add(t);
    }
  }

  function channel(arn: string): Channel {
    if (!CHANNEL_ARN.test(arn)) {
      throw badRequest(`Invalid ChannelArn ${JSON.stringify(arn)}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID/channel/ID`);
    }
    let c = channels.get(arn);
    if (!c) {
      c = { arn, messages: new Map() };
      channels.set(arn, c);
    }
    return c;
  }

  function bearerOf(ctx: Ctx, channelArn: string): string {
    const h = ctx.req.headers['x-amz-chime-bearer'];
    const bearer = Array.isArray(h) ? h[0] : h;
    if (!bearer) throw badRequest('ChimeBearer (header x-amz-chime-bearer) is required');
    if (!BEARER_ARN.test(bearer)) {
      throw badRequest(`Invalid ChimeBearer ${JSON.stringify(bearer)}: expected arn:aws:chime:REGION:ACCOUNT:app-instance/ID/user/ID`);
    }
    if (appInstanceOf(bearer) !== appInstanceOf(channelArn)) {
      throw forbidden('The ChimeBearer does not belong to the channel\'s AppInstance');
    }
    return bearer;
  }

  function findMessage(c: Channel, messageId: string): MessageRecord {
    const m = c.messages.get(messageId);
    if (!m) throw notFound(`Message ${messageId} not found in channel`);
    return m;
  }

  const pendingCallbacks = (m: MessageRecord) => m.callbacks.filter((cb) => !cb.used);

  /** The status as a given caller sees it (an edit awaiting its callback is PENDING to its sender). */
  function statusFor(m: MessageRecord, bearer: string | undefined): SimulatedMessageStatus {
    if (m.denied) return 'DENIED';
    if (!m.delivered) return 'PENDING';
    const delivered = m.delivered;
    if (bearer === m.sender.arn && pendingCallbacks(m).some((cb) => cb.version.seq > delivered.seq)) return 'PENDING';
    return 'SENT';
  }

  /** The version a caller may read, or undefined when the message is invisible to them. */
  function visibleVersion(m: MessageRecord, bearer: string): Version | undefined {
    if (m.denied) return undefined;
    if (m.persistence === 'NON_PERSISTENT') return undefined; // not stored by Chime
    if (bearer === m.sender.arn) return m.latest;
    return m.delivered;
  }

  function issueCallback(m: MessageRecord, kind: 'SEND' | 'EDIT', version: Version): CallbackRecord {
    const cb: CallbackRecord = {
      callbackId: newCallbackId(),
      channelArn: m.channelArn,
      messageId: m.messageId,
      kind,
      issuedAtMs: now(),
      version,
      used: false,
    };
    m.callbacks.push(cb);
    callbacksById.set(cb.callbackId, cb);
    return cb;
  }

  function eventFor(m: MessageRecord, cb: CallbackRecord): ChannelFlowEvent {
    const v = cb.version;
    const msg: ChannelFlowEvent['ChannelMessage'] = {
      MessageId: m.messageId,
      ChannelArn: m.channelArn,
      Content: v.content,
      Sender: { Arn: m.sender.arn, Name: m.sender.name },
      Persistence: m.persistence,
      Type: 'STANDARD',
      CreatedTimestamp: iso(m.createdMs),
    };
    if (v.metadata !== undefined) msg.Metadata = v.metadata;
    if (v.lastEditedMs !== undefined) msg.LastEditedTimestamp = iso(v.lastEditedMs);
    return { EventType: 'CHANNEL_MESSAGE_EVENT', CallbackId: cb.callbackId, ChannelMessage: msg };
  }

  function wireMessage(m: MessageRecord, v: Version, bearer: string, summary: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!summary) out.ChannelArn = m.channelArn;
    out.MessageId = m.messageId;
    out.Content = v.content;
    if (v.metadata !== undefined) out.Metadata = v.metadata;
    out.Type = m.type;
    out.CreatedTimestamp = epochSeconds(m.createdMs);
    if (v.lastEditedMs !== undefined) out.LastEditedTimestamp = epochSeconds(v.lastEditedMs);
    out.LastUpdatedTimestamp = epochSeconds(m.lastUpdatedMs);
    out.Sender = { Arn: m.sender.arn, Name: m.sender.name };
    out.Redacted = false;
    if (!summary) out.Persistence = m.persistence;
    out.Status = { Value: statusFor(m, bearer) };
    if (v.messageAttributes !== undefined) out.MessageAttributes = clone(v.messageAttributes);
    if (!summary && m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
    if (v.contentType !== undefined) out.ContentType = v.contentType;
    if (m.target !== undefined) out.Target = clone(m.target);
    return out;
  }

  function snapshot(m: MessageRecord): SimulatedMessage {
    const shown = m.delivered ?? m.latest;
    const out: SimulatedMessage = {
      channelArn: m.channelArn,
      messageId: m.messageId,
      content: shown.content,
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
    if (shown.metadata !== undefined) out.metadata = shown.metadata;
    if (shown.messageAttributes !== undefined) out.messageAttributes = clone(shown.messageAttributes);
    if (shown.pushNotification !== undefined) out.pushNotification = clone(shown.pushNotification);
    if (shown.lastEditedMs !== undefined) out.lastEditedTimestamp = iso(shown.lastEditedMs);
    if (m.subChannelId !== undefined) out.subChannelId = m.subChannelId;
    if (shown.contentType !== undefined) out.contentType = shown.contentType;
    if (m.clientRequestToken !== undefined) out.clientRequestToken = m.clientRequestToken;
    return out;
  }

  // ── operations ──

  function sendChannelMessage(ctx: Ctx): [number, unknown] {
    const c = channel(ctx.route.channelArn!);
    const bearer = bearerOf(ctx, c.arn);
    const body = requireObjectBody(ctx.body);
    const content = optionalString(body, 'Content');
    if (content === undefined) throw badRequest('Content is required');
    validateContent(content);
    const type = body.Type;
    if (type !== 'STANDARD' && type !== 'CONTROL') throw badRequest('Type must be STANDARD or CONTROL');
    const persistence = body.Persistence;
    if (persistence !== 'PERSISTENT' && persistence !== 'NON_PERSISTENT') throw badRequest('Persistence must be PERSISTENT or NON_PERSISTENT');
    if (type === 'CONTROL' && persistence !== 'NON_PERSISTENT') throw badRequest('CONTROL messages must be NON_PERSISTENT');
    const metadata = optionalString(body, 'Metadata');
    validateMetadata(metadata);
    const clientRequestToken = optionalString(body, 'ClientRequestToken');
    const subChannelId = optionalString(body, 'SubChannelId');
    const contentType = optionalString(body, 'ContentType');
    const pushNotification = parsePushNotification(body.PushNotification);
    const messageAttributes = parseMessageAttributes(body.MessageAttributes);

    // ClientRequestToken makes the send idempotent (the SDK reuses it across its own retries).
    const idemKey = clientRequestToken === undefined ? undefined : `${c.arn}\u0000${bearer}\u0000${clientRequestToken}`;
    const existing = idemKey === undefined ? undefined : idempotency.get(idemKey);
    if (existing) return [201, sendReply(existing, bearer)];

    const createdMs = now();
    const version: Version = { seq: ++seq, content };
    if (metadata !== undefined) version.metadata = metadata;
    if (messageAttributes !== undefined) version.messageAttributes = messageAttributes;
    if (pushNotification !== undefined) version.pushNotification = pushNotification;
    if (contentType !== undefined) version.contentType = contentType;
    const m: MessageRecord = {
      channelArn: c.arn,
      messageId: randomUUID().replace(/-/g, ''),
      seq: version.seq,
      sender: { arn: bearer, name: userName(bearer) ?? bearer.split('/').pop()! },
      persistence,
      type,
      createdMs,
      lastUpdatedMs: createdMs,
      latest: version,
      denied: false,
      callbacks: [],
    };
    if (subChannelId !== undefined) m.subChannelId = subChannelId;
    if (clientRequestToken !== undefined) m.clientRequestToken = clientRequestToken;
    if (body.Target !== undefined) m.target = clone(body.Target);
    c.messages.set(m.messageId, m);
    if (idemKey !== undefined) idempotency.set(idemKey, m);

    if (type === 'CONTROL') {
      m.delivered = version; // channel flows only process STANDARD messages
    } else {
      scheduleInvocation(eventFor(m, issueCallback(m, 'SEND', version)));
    }
    return [201, sendReply(m, bearer)];
  }

  function sendReply(m: MessageRecord, bearer: string): Record<string, unknown> {
    const out: Record<string, unknown> = { ChannelArn: m.channelArn, MessageId: m.messageId, Status: { Value: statusFor(m, bearer) } };
    if (m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
    return out;
  }

  function updateChannelMessage(ctx: Ctx): [number, unknown] {
    const c = channel(ctx.route.channelArn!);
    const bearer = bearerOf(ctx, c.arn);
    const body = requireObjectBody(ctx.body);
    const m = findMessage(c, ctx.route.messageId!);
    if (m.denied) throw notFound(`Message ${m.messageId} not found in channel`);
    if (m.sender.arn !== bearer) throw forbidden('Only the sender can update a message');
    if (m.persistence !== 'PERSISTENT') throw badRequest('Only PERSISTENT messages can be updated');
    if (m.type !== 'STANDARD') throw badRequest('Only STANDARD messages can be updated');
    if (!m.delivered) throw badRequest('Cannot update a message that is still PENDING');
    const content = optionalString(body, 'Content');
    if (content === undefined) throw badRequest('Content is required');
    validateContent(content);
    const metadata = optionalString(body, 'Metadata');
    validateMetadata(metadata);
    const contentType = optionalString(body, 'ContentType');

    const editedMs = now();
    const base = m.latest;
    const version: Version = { seq: ++seq, content, lastEditedMs: editedMs };
    const md = metadata ?? base.metadata;
    if (md !== undefined) version.metadata = md;
    if (base.messageAttributes !== undefined) version.messageAttributes = clone(base.messageAttributes);
    if (base.pushNotification !== undefined) version.pushNotification = clone(base.pushNotification);
    const ct = contentType ?? base.contentType;
    if (ct !== undefined) version.contentType = ct;
    m.latest = version;
    m.lastUpdatedMs = editedMs;
    scheduleInvocation(eventFor(m, issueCallback(m, 'EDIT', version)));

    const out: Record<string, unknown> = { ChannelArn: m.channelArn, MessageId: m.messageId, Status: { Value: 'PENDING' } };
    if (m.subChannelId !== undefined) out.SubChannelId = m.subChannelId;
    return [200, out];
  }

  function getChannelMessage(ctx: Ctx): [number, unknown] {
    const c = channel(ctx.route.channelArn!);
    const bearer = bearerOf(ctx, c.arn);
    const m = findMessage(c, ctx.route.messageId!);
    const v = visibleVersion(m, bearer);
    if (!v) {
      const why = m.persistence === 'NON_PERSISTENT' && !m.denied ? ' (NON_PERSISTENT messages are not stored; the sender can use GetChannelMessageStatus)' : '';
      throw notFound(`Message ${m.messageId} not found in channel${why}`);
    }
    return [200, { ChannelArn: c.arn, ChannelMessage: wireMessage(m, v, bearer, false) }];
  }

  function getChannelMessageStatus(ctx: Ctx): [number, unknown] {
    const c = channel(ctx.route.channelArn!);
    const bearer = bearerOf(ctx, c.arn);
    const m = findMessage(c, ctx.route.messageId!);
    if (m.sender.arn !== bearer) throw forbidden('Only the sender of a message can get its status');
    return [200, { Status: { Value: statusFor(m, bearer) } }];
  }

  function listChannelMessages(ctx: Ctx): [number, unknown] {
    const c = channel(ctx.route.channelArn!);
    const bearer = bearerOf(ctx, c.arn);
    const q = ctx.url.searchParams;
    const sortOrder = q.get('sort-order') ?? 'DESCENDING';
    if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') throw badRequest('sort-order must be ASCENDING or DESCENDING');
    const maxRaw = q.get('max-results');
    const max = maxRaw === null ? 50 : Number(maxRaw);
    if (!Number.isInteger(max) || max < 1 || max > 50) throw badRequest('max-results must be an integer between 1 and 50');
    const notBefore = parseQueryTime(q.get('not-before'), 'not-before');
    const notAfter = parseQueryTime(q.get('not-after'), 'not-after');
    const subChannelId = q.get('sub-channel-id') ?? undefined;
    let after: number | undefined;
    const token = q.get('next-token');
    if (token !== null) after = decodeToken(token, c.arn, sortOrder);

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
    if (visible.length > max) out.NextToken = encodeToken(c.arn, sortOrder, page[page.length - 1]!.seq);
    if (subChannelId !== undefined) out.SubChannelId = subChannelId;
    return [200, out];
  }

  function channelFlowCallback(ctx: Ctx): [number, unknown] {
    const channelArn = ctx.route.channelArn!;
    if (!CHANNEL_ARN.test(channelArn)) throw badRequest(`Invalid ChannelArn ${JSON.stringify(channelArn)}`);
    const body = requireObjectBody(ctx.body);
    const callbackId = body.CallbackId;
    if (typeof callbackId !== 'string') throw badRequest('CallbackId is required');
    if (callbackId.length < 32 || callbackId.length > 64) throw badRequest('CallbackId must be 32-64 characters');
    if (body.DeleteResource !== undefined && typeof body.DeleteResource !== 'boolean') throw badRequest('DeleteResource must be a boolean');
    const cm = body.ChannelMessage;
    if (!isObject(cm)) throw badRequest('ChannelMessage is required');
    const messageId = cm.MessageId;
    if (typeof messageId !== 'string' || messageId.length < 1) throw badRequest('ChannelMessage.MessageId is required');
    const content = optionalString(cm, 'Content');
    if (content !== undefined) validateContent(content, 'ChannelMessage.Content');
    const metadata = optionalString(cm, 'Metadata');
    validateMetadata(metadata);
    const pushNotification = parsePushNotification(cm.PushNotification);
    const messageAttributes = parseMessageAttributes(cm.MessageAttributes);
    const contentType = optionalString(cm, 'ContentType');

    const cb = callbacksById.get(callbackId);
    if (!cb) throw badRequest(`Unknown CallbackId ${callbackId}`);
    if (cb.channelArn !== channelArn) throw badRequest('The CallbackId does not belong to this channel');
    if (cb.messageId !== messageId) throw badRequest('ChannelMessage.MessageId does not match the CallbackId\'s message');
    if (cb.used) throw new SimError(409, 'Conflict', `CallbackId ${callbackId} has already been used`);
    if (now() - cb.issuedAtMs > windowMs) throw forbidden(`CallbackId ${callbackId} has expired: callbacks are accepted for ${windowMs / 1000} seconds`);
    const m = channels.get(channelArn)?.messages.get(messageId);
    if (!m) throw badRequest('Cannot process a callback for a non-pending message');
    if (m.denied) throw badRequest('Cannot process a callback for a non-pending message (it was denied)');

    cb.used = true;
    m.lastUpdatedMs = now();
    if (body.DeleteResource === true) {
      if (cb.kind === 'SEND') {
        m.denied = true;
      } else if (m.latest === cb.version) {
        // A denied edit is dropped: the last delivered version stays (newest pending edit wins otherwise).
        const newer = pendingCallbacks(m)
          .map((p) => p.version)
          .filter((v) => v.seq > m.delivered!.seq)
          .sort((a, b) => b.seq - a.seq);
        m.latest = newer[0] ?? m.delivered!;
      }
    } else {
      const v = cb.version;
      if (content !== undefined) v.content = content;
      if (metadata !== undefined) v.metadata = metadata;
      if (messageAttributes !== undefined) v.messageAttributes = messageAttributes;
      if (pushNotification !== undefined) v.pushNotification = pushNotification;
      if (contentType !== undefined) v.contentType = contentType;
      // A stale edit (older than what is already delivered) is accepted but changes nothing.
      if (!m.delivered || v.seq > m.delivered.seq) m.delivered = v;
    }
    return [200, { ChannelArn: channelArn, CallbackId: callbackId }];
  }

  function requireObjectBody(body: unknown): Record<string, unknown> {
    if (body === undefined) return {};
    if (!isObject(body)) throw badRequest('The request body must be a JSON object');
    return body;
  }

  function parseQueryTime(v: string | null, name: string): number | undefined {
    if (v === null) return undefined;
    const n = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(n)) throw badRequest(`${name} is not a valid timestamp`);
    return n;
  }

  function encodeToken(channelArn: string, sort: string, lastSeq: number): string {
    return Buffer.from(JSON.stringify({ c: channelArn, s: sort, q: lastSeq }), 'utf8').toString('base64url');
  }

  function decodeToken(token: string, channelArn: string, sort: string): number {
    try {
      const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; s?: unknown; q?: unknown };
      if (t.c === channelArn && t.s === sort && typeof t.q === 'number') return t.q;
    } catch {
      // fall through
    }
    throw badRequest('Invalid NextToken');
  }

  // ── HTTP plumbing ──

  function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': randomUUID(),
      ...extra,
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, e: SimError): void {
    send(res, e.status, { Code: e.code, Message: e.message }, { 'x-amzn-errortype': `${e.code}Exception` });
  }

  function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true; // keep draining so the client can read the answer
          chunks.length = 0;
        } else if (!tooLarge) {
          chunks.push(chunk);
        }
      });
      req.on('end', () => resolve({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge }));
      req.on('error', reject);
    });
  }

  function simulatorRoute(ctx: Ctx): [number, unknown] {
    switch (ctx.route.op) {
      case 'GET /_simulator/callbacks':
        return [200, clone(recorded)];
      case 'GET /_simulator/messages':
        return [200, allMessages()];
      case 'GET /_simulator/invocations':
        return [200, clone(invoked)];
      case 'GET /_simulator/faults':
        return [200, { ...faults }];
      case 'POST /_simulator/faults':
        if (!isObject(ctx.body)) throw badRequest('The faults must be a JSON object');
        setFaults(ctx.body as Partial<SimulatorFaults>);
        return [200, { ...faults }];
      default:
        throw notFound(`No simulator route ${ctx.route.op}`);
    }
  }

  function allMessages(): SimulatedMessage[] {
    const all: MessageRecord[] = [];
    for (const c of channels.values()) all.push(...c.messages.values());
    return all.sort((a, b) => a.seq - b.seq).map(snapshot);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    let route: Route = { op: 'Unknown' };
    let record: RecordedCallback | undefined;
    try {
      route = parseRoute(method, url);
      if (route.op === 'ChannelFlowCallback') {
        record = {
          receivedAt: iso(now()),
          callbackId: '',
          channelArn: route.channelArn!,
          deleteResource: false,
          channelMessage: undefined,
          outcome: { status: 0 },
        };
        recorded.push(record);
      }
      const { text, tooLarge } = await readBody(req);
      if (tooLarge) throw new SimError(413, 'BadRequest', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      let body: unknown;
      let malformed = false;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      if (record) {
        if (isObject(body)) {
          if (typeof body.CallbackId === 'string') record.callbackId = body.CallbackId;
          record.deleteResource = body.DeleteResource === true;
          record.channelMessage = clone(body.ChannelMessage);
        }
        // Faults come before anything else and do not consume the CallbackId.
        if (faults.callbackThrottleRate > 0 && random() < faults.callbackThrottleRate) {
          throw new SimError(429, 'ThrottledClient', 'Rate exceeded (simulated fault)');
        }
        if (faults.callbackUnavailableRate > 0 && random() < faults.callbackUnavailableRate) {
          throw new SimError(503, 'ServiceUnavailable', 'Service unavailable (simulated fault)');
        }
      }
      if (malformed) throw badRequest('Malformed JSON in the request body');
      const ctx: Ctx = { req, url, body, route };
      let result: [number, unknown];
      switch (route.op) {
        case 'SendChannelMessage':
          result = sendChannelMessage(ctx);
          break;
        case 'UpdateChannelMessage':
          result = updateChannelMessage(ctx);
          break;
        case 'GetChannelMessage':
          result = getChannelMessage(ctx);
          break;
        case 'GetChannelMessageStatus':
          result = getChannelMessageStatus(ctx);
          break;
        case 'ListChannelMessages':
          result = listChannelMessages(ctx);
          break;
        case 'ChannelFlowCallback':
          result = channelFlowCallback(ctx);
          break;
        case 'Unknown':
          throw notFound(`The simulator does not implement ${method} ${url.pathname}${url.search}`);
        default:
          result = simulatorRoute(ctx);
      }
      if (record) record.outcome = { status: result[0] };
      send(res, result[0], result[1]);
    } catch (err) {
      const e = err instanceof SimError ? err : new SimError(500, 'ServiceFailure', err instanceof Error ? err.message : String(err));
      if (!(err instanceof SimError)) log(`internal error on ${method} ${url.pathname}`, err);
      if (record) record.outcome = { status: e.status, errorType: `${e.code}Exception` };
      if (!res.headersSent) sendError(res, e);
    } finally {
      if (record) options.onCallback?.(record);
    }
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  function cancelScheduled(): void {
    for (const im of immediates) clearImmediate(im);
    for (const t of timers) clearTimeout(t);
    immediates.clear();
    timers.clear();
    checkIdle();
  }

  return {
    endpoint,
    port,
    setFaults(f) {
      try {
        setFaults(f);
      } catch (e) {
        throw new Error(e instanceof Error ? e.message : String(e));
      }
    },
    faults: () => ({ ...faults }),
    callbacks: () => clone(recorded),
    messages: allMessages,
    invocations: () => clone(invoked),
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    reset() {
      cancelScheduled();
      channels.clear();
      callbacksById.clear();
      idempotency.clear();
      recorded = [];
      invoked = [];
    },
    async close() {
      if (closed) return;
      closed = true;
      cancelScheduled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
    },
  };
}
