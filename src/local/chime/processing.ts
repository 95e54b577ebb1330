/**
 * Running a message (or an edit) through its channel's flow.
 *
 * Processors run one after another in ExecutionOrder. Each gets its own CallbackId and the
 * message as the previous processor's callback left it; a deny stops the chain, and the last
 * processor's "allow" sends the message. Chime invokes each processor asynchronously: when
 * Lambda refuses the invocation (no such function, no permission, or the `invokeFailureRate`
 * fault), the processor's FallbackAction applies: ABORT fails the message (its status says why
 * in `Detail`), CONTINUE moves on as if the processor had allowed it unchanged. A processor that
 * accepted the event and then never calls back leaves the message PENDING: that is not
 * Chime's to detect.
 */
import { randomBytes } from 'node:crypto';
import type { ChimeStore, CallbackRecord, MessageRecord, Version } from './store.js';
import type { ChannelFlowEvent, InvokeLambda, ProcessorDefinition, SimulatorFaults } from './types.js';
import { LIMITS } from './wire.js';

const CALLBACK_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newCallbackId(): string {
  const bytes = randomBytes(48);
  let out = '';
  for (const b of bytes) out += CALLBACK_ID_ALPHABET[b % CALLBACK_ID_ALPHABET.length];
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface FlowRunnerOptions {
  store: ChimeStore;
  invoke: InvokeLambda;
  faults: () => SimulatorFaults;
  random: () => number;
  log: (message: string, error?: unknown) => void;
}

export class FlowRunner {
  /** Every invocation Lambda accepted, duplicates included. */
  invoked: ChannelFlowEvent[] = [];
  // Scheduled and running invocations, so close() can cancel and idle() can wait.
  private readonly immediates = new Set<NodeJS.Immediate>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly o: FlowRunnerOptions) {}

  /** Runs a new version through the processors, or delivers it at once when there are none. */
  start(m: MessageRecord, kind: 'SEND' | 'EDIT', version: Version, processors: ProcessorDefinition[]): void {
    if (processors.length === 0) {
      deliver(m, version);
      return;
    }
    this.runStep(m, kind, version, processors, 0);
  }

  /** A callback let its version through: the next processor gets it, or everyone does. */
  allowed(m: MessageRecord, cb: CallbackRecord): void {
    const next = cb.step + 1;
    if (next < cb.processors.length) this.runStep(m, cb.kind, cb.version, cb.processors, next);
    else deliver(m, cb.version);
  }

  private runStep(m: MessageRecord, kind: 'SEND' | 'EDIT', version: Version, processors: ProcessorDefinition[], step: number): void {
    const cb: CallbackRecord = {
      callbackId: newCallbackId(),
      channelArn: m.channelArn,
      messageId: m.messageId,
      kind,
      issuedAtMs: this.o.store.now(),
      version,
      used: false,
      processors,
      step,
    };
    m.callbacks.push(cb);
    this.o.store.callbacksById.set(cb.callbackId, cb);
    // The event is taken now: the processor sees the message as it is when Chime invokes it.
    const event = eventFor(m, cb);
    const processor = processors[step]!;
    const im = setImmediate(() => {
      this.immediates.delete(im);
      void this.invoke(m, cb, processor, event);
    });
    this.immediates.add(im);
  }

  private async invoke(m: MessageRecord, cb: CallbackRecord, processor: ProcessorDefinition, event: ChannelFlowEvent): Promise<void> {
    if (this.closed) return;
    const functionArn = processor.Configuration.Lambda.ResourceArn;
    this.running++;
    const record = structuredClone(event);
    try {
      const faults = this.o.faults();
      if (faults.invokeFailureRate > 0 && this.o.random() < faults.invokeFailureRate) {
        throw Object.assign(new Error('Rate exceeded (simulated fault invokeFailureRate)'), { errorType: 'TooManyRequestsException' });
      }
      this.invoked.push(record);
      await this.o.invoke(functionArn, structuredClone(event));
    } catch (error) {
      // Only an invocation Lambda accepted counts as one.
      const i = this.invoked.indexOf(record);
      if (i >= 0) this.invoked.splice(i, 1);
      this.fallBack(m, cb, processor, error);
      return;
    } finally {
      this.running--;
      this.checkIdle();
    }
    this.scheduleDuplicates(processor, event);
  }

  /** The duplicate-delivery fault: Lambda may deliver an accepted async event more than once. */
  private scheduleDuplicates(processor: ProcessorDefinition, event: ChannelFlowEvent): void {
    const faults = this.o.faults();
    for (let i = 1; i <= faults.duplicateInvocations; i++) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (this.closed) return;
        this.invoked.push(structuredClone(event));
        this.running++;
        Promise.resolve()
          .then(() => this.o.invoke(processor.Configuration.Lambda.ResourceArn, structuredClone(event)))
          .catch((error: unknown) => this.o.log(`duplicate invocation failed for CallbackId ${event.CallbackId}`, error))
          .finally(() => {
            this.running--;
            this.checkIdle();
          });
      }, faults.duplicateDelayMs * i);
      this.timers.add(t);
    }
  }

  private fallBack(m: MessageRecord, cb: CallbackRecord, processor: ProcessorDefinition, error: unknown): void {
    if (cb.used) return;
    cb.used = true;
    const reason = describeInvokeError(error);
    const arn = processor.Configuration.Lambda.ResourceArn;
    this.o.log(`processor "${processor.Name}" (${arn}) could not be invoked for CallbackId ${cb.callbackId}: ${reason}; FallbackAction ${processor.FallbackAction}`);
    m.lastUpdatedMs = this.o.store.now();
    if (processor.FallbackAction === 'CONTINUE') {
      this.allowed(m, cb);
      return;
    }
    const detail = `Processor ${processor.Name} could not be invoked (${reason}); FallbackAction ABORT`;
    if (cb.kind === 'SEND') {
      m.failure = detail.length > LIMITS.statusDetail.max ? `${detail.slice(0, LIMITS.statusDetail.max - 1)}…` : detail;
    } else {
      dropEdit(m, cb);
    }
  }

  checkIdle(): void {
    if (this.running === 0 && this.immediates.size === 0 && this.timers.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  cancelScheduled(): void {
    for (const im of this.immediates) clearImmediate(im);
    for (const t of this.timers) clearTimeout(t);
    this.immediates.clear();
    this.timers.clear();
    this.checkIdle();
  }

  close(): void {
    this.closed = true;
    this.cancelScheduled();
  }
}

/** A version becomes what everyone sees, unless a newer one already is. */
export function deliver(m: MessageRecord, v: Version): void {
  if (!m.delivered || v.seq > m.delivered.seq) m.delivered = v;
}

/**
 * A denied or failed edit is dropped: the last delivered version stays, unless a newer edit is
 * still on its way through the flow.
 */
export function dropEdit(m: MessageRecord, cb: CallbackRecord): void {
  if (m.latest !== cb.version) return;
  const delivered = m.delivered!;
  const newer = m.callbacks
    .filter((c) => !c.used && c.version.seq > delivered.seq)
    .map((c) => c.version)
    .sort((a, b) => b.seq - a.seq);
  m.latest = newer[0] ?? delivered;
}

function describeInvokeError(error: unknown): string {
  if (error instanceof Error) {
    const type = (error as { errorType?: unknown }).errorType;
    return `${typeof type === 'string' ? type : error.name}: ${error.message}`;
  }
  return String(error);
}

/**
 * The processor's event, field for field as seed 000 lists it. A targeted message's Target is not
 * among them (nor can ChannelMessageCallback change it), so the processor sees a targeted message
 * like any other and cannot tell, or change, whom it is for.
 */
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
