import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { parkedMessageBody } from '../adapters/parked-payload.js';
import type { ResourcePolicy } from '../infra/invoke-permission.js';

/**
 * A small stand-in for the Lambda service, enough to run the real handlers locally with the
 * semantics that matter to us: one context per invocation, async invocations retried twice and
 * then sent to an on-failure destination, and a way to "crash" an invocation mid-flight.
 */

export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface FunctionOptions {
  timeoutSeconds?: number;
  /** Async invocations: retries after the first failure (Lambda's default and ours: 2). */
  maximumRetryAttempts?: number;
  /** Delay before each async retry. Lambda waits about 1 and 2 minutes; locally we wait less. */
  retryDelaysMs?: number[];
  /**
   * Where an async event goes after its last failed attempt (Lambda's OnFailure destination).
   * Lambda delivers the record to the destination whatever the event holds: one too large for
   * the destination goes without its payload. A destination that still refuses it loses the
   * event, counted as DestinationDeliveryFailures ({@link LocalLambda.destinationDeliveryFailures}).
   */
  onFailure?: (record: AsyncFailureRecord) => Promise<void>;
  /** Who else may invoke it (Lambda GetPolicy answers this; the Chime emulator checks it in strict mode). */
  resourcePolicy?: ResourcePolicy;
}

/**
 * The invocation record Lambda sends to an on-failure destination (Lambda developer guide,
 * "Capturing records of asynchronous invocations"). `requestId` is the async invocation's, the
 * same for every attempt.
 */
export interface AsyncFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

/**
 * Lambda delivering failure records to an SQS queue (an on-failure destination). Lambda sends a
 * record too large for the destination without its payload; so do we, keeping the payload's
 * size, sha256 and a preview in its place (src/adapters/parked-payload.ts). What the event holds
 * can never make the delivery fail; only the queue can.
 */
export function sqsFailureDestination(sqs: SQSClient, queueUrl: string): (record: AsyncFailureRecord) => Promise<void> {
  return async ({ requestPayload, ...record }) => {
    const body = parkedMessageBody(record, requestPayload, { payloadKey: 'requestPayload' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  };
}

export type InvocationResult = { ok: true; payload: unknown } | { ok: false; error: { errorType: string; errorMessage: string; trace: string[] } };

/** Thrown by anything that notices its invocation was crashed by a fault. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor() {
    super('The function instance crashed (simulated fault)');
  }
}

interface InvocationState {
  functionName: string;
  requestId: string;
  crashed: boolean;
}

const current = new AsyncLocalStorage<InvocationState>();

/** The invocation the calling code runs in, if any. */
export const currentInvocation = (): InvocationState | undefined => current.getStore();

/** Marks the calling invocation as crashed: everything it does from now on fails. */
export function crashCurrentInvocation(): never {
  const state = current.getStore();
  if (state) state.crashed = true;
  throw new SimulatedCrash();
}

export const ACCOUNT_ID = '123456789012';

export class LocalLambda {
  private readonly functions = new Map<string, { handler: LambdaHandler; options: FunctionOptions }>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly deliveryFailures = new Map<string, number>();
  private closed = false;

  constructor(private readonly region = 'us-east-1') {}

  register(name: string, handler: LambdaHandler, options: FunctionOptions = {}): void {
    this.functions.set(name, { handler, options });
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  /** The function's resource policy, if it has one. */
  policy(name: string): ResourcePolicy | undefined {
    return this.functions.get(name)?.options.resourcePolicy;
  }

  arn(name: string): string {
    return `arn:aws:lambda:${this.region}:${ACCOUNT_ID}:function:${name}`;
  }

  /** Async events of this function whose failure record its on-failure destination refused (Lambda's DestinationDeliveryFailures). */
  destinationDeliveryFailures(name: string): number {
    return this.deliveryFailures.get(name) ?? 0;
  }

  /** RequestResponse: runs the handler and reports its result or error, as Invoke does. */
  async invoke(name: string, event: unknown, requestId: string = randomUUID()): Promise<InvocationResult> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`Function not found: ${name}`);
    const state: InvocationState = { functionName: name, requestId, crashed: false };
    const timeoutMs = (fn.options.timeoutSeconds ?? 30) * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arn(name),
      memoryLimitInMB: '512',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } as Context;

    const run = current.run(state, () => fn.handler(event, context));
    this.track(run);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${timeoutMs / 1000} seconds`), { name: 'TimeoutError' })), timeoutMs);
    });
    try {
      const payload = await Promise.race([run, timeout]);
      // A crash anywhere in the invocation loses its whole result, even if the handler "returned".
      if (state.crashed) throw new SimulatedCrash();
      return { ok: true, payload };
    } catch (error) {
      const err = state.crashed ? new SimulatedCrash() : (error as Error);
      return { ok: false, error: { errorType: err.name ?? 'Error', errorMessage: err.message ?? String(err), trace: (err.stack ?? '').split('\n') } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Event: returns at once; retries on failure, then the on-failure destination. */
  invokeAsync(name: string, event: unknown): void {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`Function not found: ${name}`);
    const retries = fn.options.maximumRetryAttempts ?? 2;
    const delays = fn.options.retryDelaysMs ?? [1000, 2000];
    // Lambda retries an async event under its original request id.
    const requestId = randomUUID();
    const attempt = async (n: number): Promise<void> => {
      if (this.closed) return;
      const result = await this.invoke(name, event, requestId);
      if (result.ok) return;
      if (n <= retries) {
        // The whole retry chain is one tracked promise, so drain() waits for the retries too.
        await this.delay(delays[Math.min(n - 1, delays.length - 1)] ?? 1000);
        return attempt(n + 1);
      }
      if (!fn.options.onFailure) return;
      try {
        await fn.options.onFailure({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: { requestId, functionArn: `${this.arn(name)}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: n },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: result.error.errorType, errorMessage: result.error.errorMessage },
        });
      } catch {
        this.deliveryFailures.set(name, this.destinationDeliveryFailures(name) + 1);
      }
    };
    this.track(attempt(1));
  }

  /** A delay that close() cuts short. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  /** Waits for every invocation under way (and those they start) to finish. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    await this.drain();
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
