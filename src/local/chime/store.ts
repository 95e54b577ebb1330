/**
 * What the emulator remembers (channels, their members, moderators and bans, flows, messages and
 * the CallbackIds issued for them) and the access rules both modes apply to it.
 *
 * Convenient mode (the default, `npm start`): a channel that is used before it was created is
 * created then, with the project's flow associated, and anyone in its AppInstance may post and
 * manage it. Strict mode (CHIME_STRICT=1): channels must be created and senders must be
 * members; channel moderators and AppInstanceAdmins manage channels; only admins delete
 * messages. Bans apply in both modes, and so does targeting: a message sent with `Target` is seen
 * (and acted on) only by its sender and its target; administrators may delete it unseen.
 */
import { randomUUID } from 'node:crypto';
import type { FlowDefinition, MessageAttributes, ProcessorDefinition, PushNotification } from './types.js';
import { appInstanceOf, badRequest, forbidden, notFound, validateChannelArn } from './wire.js';

export interface Identity {
  arn: string;
  name: string;
}

/** One version of a message's content: the original send, or an edit. */
export interface Version {
  seq: number;
  content: string;
  metadata?: string;
  messageAttributes?: MessageAttributes;
  pushNotification?: PushNotification;
  contentType?: string;
  lastEditedMs?: number;
}

export interface CallbackRecord {
  callbackId: string;
  channelArn: string;
  messageId: string;
  kind: 'SEND' | 'EDIT';
  issuedAtMs: number;
  version: Version;
  used: boolean;
  /** The flow's processors when the version entered it (a later UpdateChannelFlow does not reroute it). */
  processors: ProcessorDefinition[];
  /** Index into `processors` of the processor this CallbackId was issued to. */
  step: number;
}

export interface MessageRecord {
  channelArn: string;
  messageId: string;
  /** Order within the channel (list order, paging cursor). */
  seq: number;
  sender: Identity;
  persistence: 'PERSISTENT' | 'NON_PERSISTENT';
  type: 'STANDARD' | 'CONTROL';
  createdMs: number;
  lastUpdatedMs: number;
  subChannelId?: string;
  clientRequestToken?: string;
  /**
   * The one member a targeted message is for (`Target: [{MemberArn}]`, a list of exactly one in
   * the model). Only the sender and the target can see it: see {@link canSee}.
   */
  target?: string;
  /** The version everyone sees; undefined until the flow lets the message through. */
  delivered?: Version;
  /** The newest version the sender submitted (what the sender sees while it is pending). */
  latest: Version;
  denied: boolean;
  /** Set when a processor with FallbackAction ABORT could not be invoked (GetChannelMessageStatus's Detail). */
  failure?: string;
  redacted: boolean;
  callbacks: CallbackRecord[];
}

export interface Membership {
  member: Identity;
  type: 'DEFAULT' | 'HIDDEN';
  invitedBy: Identity;
  createdMs: number;
  lastUpdatedMs: number;
  seq: number;
}

export interface Ban {
  member: Identity;
  createdBy: Identity;
  createdMs: number;
  seq: number;
}

export interface ChannelRecord {
  arn: string;
  appInstanceArn: string;
  name: string;
  mode: 'UNRESTRICTED' | 'RESTRICTED';
  privacy: 'PUBLIC' | 'PRIVATE';
  metadata?: string;
  createdBy: Identity;
  createdMs: number;
  lastUpdatedMs: number;
  lastMessageMs?: number;
  flowArn?: string;
  seq: number;
  /** Created on first use (convenient mode), not by CreateChannel. */
  implicit: boolean;
  messages: Map<string, MessageRecord>;
  members: Map<string, Membership>;
  moderators: Set<string>;
  bans: Map<string, Ban>;
}

export interface FlowRecord {
  arn: string;
  appInstanceArn: string;
  name: string;
  processors: ProcessorDefinition[];
  createdMs: number;
  lastUpdatedMs: number;
  seq: number;
}

/** How an operation answers for a channel that does not exist (the model's error list decides). */
export type MissingChannel = 'NotFound' | 'Forbidden';

export class ChimeStore {
  readonly channels = new Map<string, ChannelRecord>();
  readonly flows = new Map<string, FlowRecord>();
  readonly callbacksById = new Map<string, CallbackRecord>();
  /** SendChannelMessage's ClientRequestToken, per channel and sender. */
  readonly messageTokens = new Map<string, MessageRecord>();
  /** CreateChannel's and CreateChannelFlow's ClientRequestToken: the request it answered, and the ARN. */
  readonly createTokens = new Map<string, { fingerprint: string; arn: string }>();
  /** The project's flow, per AppInstance, once created there. */
  readonly defaultFlowArns = new Map<string, string>();
  readonly admins: Set<string>;
  private seq = 0;

  constructor(
    readonly strict: boolean,
    admins: readonly string[],
    private readonly defaultFlow: FlowDefinition | null,
    readonly now: () => number,
    private readonly userName: (arn: string) => string | undefined,
  ) {
    this.admins = new Set(admins);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  identity(arn: string): Identity {
    return { arn, name: this.userName(arn) ?? arn.split('/').pop()! };
  }

  isAdmin(bearer: string): boolean {
    return this.admins.has(bearer);
  }

  /** Channel moderators and AppInstanceAdmins; in convenient mode, anyone in the AppInstance. */
  canManage(c: ChannelRecord, bearer: string): boolean {
    return !this.strict || this.isAdmin(bearer) || c.moderators.has(bearer);
  }

  requireManager(c: ChannelRecord, bearer: string, action: string): void {
    if (!this.canManage(c, bearer)) throw forbidden(`${bearer} may not ${action}: only channel moderators and AppInstanceAdmins may`);
  }

  requireNotBanned(c: ChannelRecord, bearer: string): void {
    if (c.bans.has(bearer)) throw forbidden(`${bearer} is banned from channel ${c.arn}`);
  }

  /** Reading a channel's messages and members: anyone for a PUBLIC channel, members for a PRIVATE one (strict mode). */
  requireReader(c: ChannelRecord, bearer: string): void {
    this.requireNotBanned(c, bearer);
    if (!this.strict || c.privacy === 'PUBLIC' || c.members.has(bearer) || c.moderators.has(bearer) || this.isAdmin(bearer)) return;
    throw forbidden(`${bearer} is not a member of the private channel ${c.arn}`);
  }

  /**
   * The channel an operation names. In convenient mode a well-formed ARN that was never created
   * is created now, with the project's flow; in strict mode it answers `missing`.
   */
  channel(arn: string, missing: MissingChannel, bearer?: string): ChannelRecord {
    validateChannelArn(arn);
    const existing = this.channels.get(arn);
    if (existing) return existing;
    if (this.strict) {
      const message = `Channel ${arn} does not exist (strict mode: create it with CreateChannel first)`;
      throw missing === 'NotFound' ? notFound(message) : forbidden(message);
    }
    const now = this.now();
    const c: ChannelRecord = {
      arn,
      appInstanceArn: appInstanceOf(arn),
      name: arn.split('/').pop()!,
      mode: 'UNRESTRICTED',
      privacy: 'PUBLIC',
      createdBy: this.identity(bearer ?? `${appInstanceOf(arn)}/user/simulator`),
      createdMs: now,
      lastUpdatedMs: now,
      seq: this.nextSeq(),
      implicit: true,
      messages: new Map(),
      members: new Map(),
      moderators: new Set(),
      bans: new Map(),
    };
    const flowArn = this.defaultFlowFor(c.appInstanceArn);
    if (flowArn) c.flowArn = flowArn;
    this.channels.set(arn, c);
    return c;
  }

  /** The project's flow in this AppInstance, created the first time a channel there needs it. */
  defaultFlowFor(appInstanceArn: string): string | undefined {
    if (!this.defaultFlow) return undefined;
    const known = this.defaultFlowArns.get(appInstanceArn);
    if (known && this.flows.has(known)) return known;
    const flow = this.createFlow(appInstanceArn, this.defaultFlow.name, this.defaultFlow.processors);
    this.defaultFlowArns.set(appInstanceArn, flow.arn);
    return flow.arn;
  }

  createFlow(appInstanceArn: string, name: string, processors: ProcessorDefinition[]): FlowRecord {
    const now = this.now();
    const flow: FlowRecord = {
      arn: `${appInstanceArn}/channel-flow/${randomUUID()}`,
      appInstanceArn,
      name,
      processors: structuredClone(processors),
      createdMs: now,
      lastUpdatedMs: now,
      seq: this.nextSeq(),
    };
    this.flows.set(flow.arn, flow);
    return flow;
  }

  flow(arn: string): FlowRecord {
    const flow = this.flows.get(arn);
    if (!flow) throw notFound(`Channel flow ${arn} does not exist`);
    return flow;
  }

  /** The processors a new message or edit on this channel runs through, in ExecutionOrder. */
  processorsFor(c: ChannelRecord): ProcessorDefinition[] {
    const flow = c.flowArn === undefined ? undefined : this.flows.get(c.flowArn);
    return flow ? [...flow.processors].sort((a, b) => a.ExecutionOrder - b.ExecutionOrder) : [];
  }

  channelsOfFlow(flowArn: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.flowArn === flowArn).sort((a, b) => a.seq - b.seq);
  }

  /**
   * The message, or NotFound. Given the bearer, a targeted message they may not see is answered
   * with the very same NotFound as a missing one: to them it does not exist, and a different
   * answer (a 403, another text) would tell them it does.
   */
  findMessage(c: ChannelRecord, messageId: string, bearer?: string): MessageRecord {
    const m = c.messages.get(messageId);
    if (!m || (bearer !== undefined && !canSee(m, bearer))) throw missingMessage(messageId);
    return m;
  }

  /**
   * "However, administrators can delete targeted messages that they can't see": the channel's
   * moderators and AppInstanceAdmins, by their actual roles even in convenient mode (where
   * everyone may manage a channel), or the exception would swallow the rule. In strict mode
   * DeleteChannelMessage is for AppInstanceAdmins alone anyway, so there it narrows to them.
   */
  mayDeleteUnseen(c: ChannelRecord, bearer: string): boolean {
    return this.isAdmin(bearer) || c.moderators.has(bearer);
  }

  /**
   * SendChannelMessage's Target "must be a member of the channel, such as another user, a bot, or
   * the sender" (the model's SendChannelMessageRequest.Target). Strict mode checks the
   * membership; in convenient mode membership is implicit for everyone in the AppInstance (the
   * first post makes the sender a member), so only a banned target is refused there: a ban takes
   * the member out of the channel in both modes.
   *
   * BadRequest, not Forbidden: the bearer may post here (that was checked before), but the
   * request names someone who cannot receive it; the caller fixes it by changing the request.
   * It is the same kind of defect as a Target outside the channel's AppInstance, which is
   * already a BadRequest, and Forbidden is kept for "this bearer may not do this", so a caller
   * (such as our notice sender) can tell a bad target from its own lost permission.
   */
  requireTargetable(c: ChannelRecord, memberArn: string): void {
    if (c.bans.has(memberArn)) throw badRequest(`Target[].MemberArn ${memberArn} is banned from channel ${c.arn}`);
    if (this.strict && !c.members.has(memberArn)) throw badRequest(`Target[].MemberArn ${memberArn} is not a member of channel ${c.arn}`);
  }

  addMember(c: ChannelRecord, memberArn: string, invitedBy: string, type: 'DEFAULT' | 'HIDDEN' = 'DEFAULT'): Membership {
    const now = this.now();
    const membership: Membership = { member: this.identity(memberArn), type, invitedBy: this.identity(invitedBy), createdMs: now, lastUpdatedMs: now, seq: this.nextSeq() };
    c.members.set(memberArn, membership);
    return membership;
  }

  reset(): void {
    this.channels.clear();
    this.flows.clear();
    this.callbacksById.clear();
    this.messageTokens.clear();
    this.createTokens.clear();
    this.defaultFlowArns.clear();
  }
}

/**
 * Targeted messages (the model's `Target`): "Only the target and the sender can view targeted
 * messages. Only users who can see targeted messages can take actions on them." Moderators and
 * AppInstanceAdmins are no exception to seeing them; the one thing they may do with a targeted
 * message they cannot see is delete it (see {@link ChimeStore.mayDeleteUnseen}).
 */
export function canSee(m: MessageRecord, bearer: string): boolean {
  return m.target === undefined || bearer === m.sender.arn || bearer === m.target;
}

/** The NotFound for a message that does not exist (or that the bearer may not see). */
export const missingMessage = (messageId: string) => notFound(`Message ${messageId} not found in channel`);

/** A request field that must be an ARN in the caller's AppInstance. */
export function sameAppInstance(arn: string, appInstanceArn: string, field: string): void {
  if (appInstanceOf(arn) !== appInstanceArn) throw badRequest(`${field} ${arn} is not in AppInstance ${appInstanceArn}`);
}

