/**
 * The emulator's public types: what `startChimeSimulator` takes and what it hands back. Wire
 * shapes (the JSON Chime speaks) live next to the operations that produce them.
 */

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
  /**
   * 0..1: fraction of processor invocations that Lambda refuses (as if Invoke had failed), so
   * the processor's FallbackAction applies: ABORT fails the message, CONTINUE moves on.
   */
  invokeFailureRate: number;
  /**
   * 0..1: fraction of ChannelFlowCallback requests answered 403 ForbiddenException before they are
   * applied, as a missing chime:ChannelFlowCallback grant answers while the window is open.
   */
  callbackForbiddenRate: number;
  /**
   * 0..1: fraction of the calls our system makes that change something (ChannelFlowCallback,
   * CreateChannelBan, DeleteChannelBan, RedactChannelMessage, DeleteChannelMessage) that are
   * APPLIED, and then the connection is dropped before the answer: the caller sees a reset socket
   * and cannot know it happened.
   */
  loseAnswerRate: number;
  /**
   * 0..1: fraction of SendChannelMessage requests that are APPLIED and then lose their answer the
   * same way (the moderation bot's notices). Apart from loseAnswerRate, which chat users' sends
   * would otherwise share: a test of lost notices must not lose the chat's own messages.
   */
  loseSendAnswerRate: number;
  /**
   * How long SendChannelMessage remembers a ClientRequestToken, in ms; 0 (the default) for ever.
   * Chime documents the token only as an "idempotency token", not for how long it holds: a test
   * sets a short window to show that an answer lost is settled by reading back, not by the token.
   */
  sendTokenWindowMs: number;
  /**
   * Ms by which SendChannelMessage's answer is held back once the send is APPLIED (a slow Chime):
   * a caller with a shorter time budget gives up and must settle the send by reading back.
   */
  sendAnswerDelayMs: number;
}

export type FallbackAction = 'CONTINUE' | 'ABORT';

/** A processor exactly as CreateChannelFlow takes it. */
export interface ProcessorDefinition {
  Name: string;
  ExecutionOrder: number;
  FallbackAction: FallbackAction;
  Configuration: { Lambda: { ResourceArn: string; InvocationType: 'ASYNC' } };
}

/** A flow the emulator creates by itself (the project's flow in convenient mode). */
export interface FlowDefinition {
  name: string;
  processors: ProcessorDefinition[];
}

/**
 * Lambda refused to start the function (it does not exist, Chime may not invoke it, Lambda
 * throttled): the processor's FallbackAction decides what happens to the message.
 */
export class ProcessorInvokeError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessorInvokeError';
  }
}

/**
 * Lambda's asynchronous Invoke for a processor's `Configuration.Lambda.ResourceArn`. Resolves
 * once Lambda has accepted the event; throws or rejects when the function cannot be invoked.
 * What the function does afterwards is not Chime's business: if it accepts an event and then
 * loses it, the message stays PENDING (only our sweeper can help then).
 */
export type InvokeLambda = (functionArn: string, event: ChannelFlowEvent) => Promise<void> | void;

export interface ChimeSimulatorOptions {
  /** 0 = ephemeral. Default 4000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a CallbackId can be used after it was issued. Default 172800 (48 h). */
  callbackWindowSeconds?: number;
  /**
   * A single processor function, for callers that have no Lambda runtime (integration tests):
   * the processor of the default flow, reached as {@link DEFAULT_PROCESSOR_ARN}. A rejection is
   * the function failing after Lambda accepted the event: logged, never thrown, and the message
   * stays PENDING.
   */
  invokeProcessor?: (event: ChannelFlowEvent) => Promise<void>;
  /** Lambda's asynchronous Invoke, for every processor of every flow (see {@link InvokeLambda}). */
  invokeLambda?: InvokeLambda;
  /**
   * The project's flow. In convenient mode every channel that is used before it was created is
   * created then, with this flow associated; the flow itself is created in the channel's
   * AppInstance the first time one is needed there. Default: a one-processor flow calling
   * `invokeProcessor` when that is given, otherwise none (such channels deliver at once).
   */
  defaultFlow?: FlowDefinition | null;
  /**
   * Strict mode (CHIME_STRICT=1): channels and memberships must be created, as in AWS. Channel
   * moderators and AppInstanceAdmins alone may manage channels; only admins delete messages.
   */
  strict?: boolean;
  /** AppInstanceUser/Bot ARNs that act as AppInstanceAdmins (the identity API is not emulated). */
  appInstanceAdmins?: string[];
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

/** The ResourceArn of the default flow's processor when `invokeProcessor` is the processor. */
export const DEFAULT_PROCESSOR_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:simulator-default-processor';

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
  /** `answerLost`: applied, and the connection dropped before the answer (the loseAnswerRate fault). */
  outcome: { status: number; errorType?: string; answerLost?: true };
}

export type SimulatedMessageStatus = 'PENDING' | 'SENT' | 'DENIED' | 'FAILED';

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
  /** What everyone sees once SENT; while PENDING, DENIED or FAILED, what the sender submitted. '' once redacted. */
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
  /** Why a message FAILED (GetChannelMessageStatus's `Detail`). */
  statusDetail?: string;
  redacted?: boolean;
  subChannelId?: string;
  contentType?: string;
  clientRequestToken?: string;
  /** A targeted message's one target (`Target[0].MemberArn`): only it and the sender can see the message. */
  target?: string;
  /** CallbackIds issued for this message and not used yet (the send, and/or edits). */
  pendingCallbacks: SimulatedPendingCallback[];
  /** Every CallbackId ever issued for this message, in order. */
  callbackIds: string[];
}

/** A channel as `/_simulator/channels` shows it. */
export interface SimulatedChannel {
  channelArn: string;
  name: string;
  mode: 'UNRESTRICTED' | 'RESTRICTED';
  privacy: 'PUBLIC' | 'PRIVATE';
  /** Created on first use (convenient mode) rather than by CreateChannel. */
  implicit: boolean;
  channelFlowArn?: string;
  members: string[];
  moderators: string[];
  bans: string[];
}

/** A flow as `/_simulator/flows` shows it. */
export interface SimulatedFlow {
  channelFlowArn: string;
  appInstanceArn: string;
  name: string;
  processors: ProcessorDefinition[];
  channels: string[];
}

export interface ChimeSimulator {
  /** http://HOST:PORT */
  endpoint: string;
  port: number;
  strict: boolean;
  setFaults(f: Partial<SimulatorFaults>): void;
  faults(): SimulatorFaults;
  callbacks(): RecordedCallback[];
  messages(): SimulatedMessage[];
  channels(): SimulatedChannel[];
  flows(): SimulatedFlow[];
  /** Every processor invocation Lambda accepted, duplicates included, in the order they were made. */
  invocations(): ChannelFlowEvent[];
  /** Makes an AppInstanceUser/Bot an AppInstanceAdmin (strict mode checks it). */
  addAppInstanceAdmin(arn: string): void;
  /** Resolves once no invocation is scheduled or running (duplicates included). */
  idle(): Promise<void>;
  /** Forgets messages, callbacks and invocations, and cancels scheduled invocations. */
  reset(): void;
  close(): Promise<void>;
}
