import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { actBy, deadlineFor, parseTimestamp, secondsLeft } from '../domain/deadline.js';
import { parseChannelFlowEvent } from '../intake/event.js';

/**
 * Re-driving the intake DLQ (`npm run redrive -- --dlq intake`): every event Lambda parked there
 * after intake failed it three times (Lambda's on-failure destination record) is handed back to
 * intake, synchronously, with its original payload. Intake is idempotent on the CallbackId, so a
 * re-drive of something intake already has costs one conditional put and nothing else.
 *
 *   receive a batch (held invisible for the run) ──▶ classify each message once (ids seen)
 *     destination record, whole, valid, in its window ─▶ invoke intake (RequestResponse)
 *         ACCEPTED / REQUEUED / DUPLICATE ───────────────▶ delete it: intake has it
 *         REJECTED, function error, no answer ───────────▶ keep it, report why (exit 1)
 *     truncated / malformed / past its window / other ─▶ keep it, report why
 *   at the end (also after an error or Ctrl-C): every kept message is made visible again
 *
 * Nothing is deleted that intake did not confirm. A second run finds only what was kept, and
 * (unless the cause of a failure was fixed meanwhile) invokes nothing.
 *
 * The checks before invoking are intake's own: the same event parser, and the same deadline
 * (deadlineFor: the message's CreatedTimestamp or LastEditedTimestamp, or when intake last saw it
 * if earlier). An event intake would refuse is never sent to it, since intake would park a second
 * copy of it on this very queue.
 */

export type SkipReason = 'truncated' | 'malformed' | 'past-window' | 'unrecognised';
export const SKIP_REASONS: readonly SkipReason[] = ['truncated', 'malformed', 'past-window', 'unrecognised'];

const SKIP_LABELS: Record<SkipReason, string> = {
  truncated: 'truncated',
  malformed: 'malformed',
  'past-window': 'past its window',
  unrecognised: 'unrecognised',
};

/** What a parked message is, read from its body alone (and the clock). */
export type Classification =
  | {
      kind: 'redrivable';
      /** What the message is, for the report. */
      label: string;
      callbackId: string;
      deadline: string;
      /** The original event, exactly as Chime sent it. */
      event: unknown;
    }
  | { kind: 'skip'; label: string; reason: SkipReason; detail: string; callbackId?: string };

export interface ClassifyContext {
  nowMs: number;
  /** CALLBACK_WINDOW_SECONDS and EXPIRY_MARGIN_SECONDS of the stage, as intake and the sweeper use them. */
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  /** When SQS took the message (its SentTimestamp, epoch ms): intake had failed the event by then. */
  sentAtMs?: number;
  /** The function re-driven into (a name or an ARN): another function's records are not its events. */
  functionName?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The function's name in a name, a partial ARN (`123456789012:function:intake`) or an ARN, without qualifier. */
export function functionNameOf(nameOrArn: string): string {
  const afterFunction = nameOrArn.includes(':function:') ? nameOrArn.split(':function:')[1]! : nameOrArn;
  return afterFunction.split(':')[0]!;
}

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 12)}…` : id);

/** A list of issues for one line: at most 3, the rest counted. */
function describeIssues(issues: unknown): string {
  if (!Array.isArray(issues)) return 'issues not kept whole';
  const shown = issues.slice(0, 3).map(String).join('; ');
  return issues.length > 3 ? `${shown}; and ${issues.length - 3} more` : shown || 'no issues listed';
}

/**
 * Classifies one message body of the intake DLQ:
 *
 *   `requestContext.condition` + `requestPayload`  Lambda's destination record: the event is
 *                                                  `requestPayload` (re-drivable if whole, valid
 *                                                  and in its window)
 *   `requestContext.condition`, no payload         the record came without its payload (ours marks
 *                                                  it `payloadTruncated`): cannot be re-driven
 *   `reason: 'INVALID_EVENT'`, `issues`            intake parked a malformed event itself:
 *                                                  re-invoking cannot fix it
 *   anything else                                  unrecognised
 */
export function classifyParked(body: string | undefined, context: ClassifyContext): Classification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { kind: 'skip', label: 'not JSON', reason: 'unrecognised', detail: 'the body is not JSON' };
  }
  if (!isObject(parsed)) return { kind: 'skip', label: 'not a record', reason: 'unrecognised', detail: 'the body is not a JSON object' };

  if (parsed.reason === 'INVALID_EVENT' && 'issues' in parsed) {
    const payload = parsed.payload;
    const callbackId = isObject(payload) && typeof payload.CallbackId === 'string' ? payload.CallbackId : undefined;
    return {
      kind: 'skip',
      label: `parked by intake (INVALID_EVENT${typeof parsed.keptAt === 'string' ? ` at ${parsed.keptAt}` : ''})`,
      reason: 'malformed',
      detail: describeIssues(parsed.issues),
      ...(callbackId ? { callbackId } : {}),
    };
  }

  const requestContext = parsed.requestContext;
  if (!isObject(requestContext) || typeof requestContext.condition !== 'string') {
    const what = typeof parsed.reason === 'string' ? `parked with reason ${JSON.stringify(parsed.reason.slice(0, 64))}` : 'neither a Lambda destination record nor an event intake parked';
    return { kind: 'skip', label: 'unknown message', reason: 'unrecognised', detail: what };
  }

  const attempts = typeof requestContext.approximateInvokeCount === 'number' ? `, ${requestContext.approximateInvokeCount} attempts` : '';
  const label = `destination record (${requestContext.condition}${attempts})`;
  const recordFunction = typeof requestContext.functionArn === 'string' ? requestContext.functionArn : undefined;
  if (recordFunction && context.functionName && functionNameOf(recordFunction) !== functionNameOf(context.functionName)) {
    return { kind: 'skip', label, reason: 'unrecognised', detail: `a record of ${recordFunction}, not of ${context.functionName}` };
  }
  if (parsed.payloadTruncated === true || !('requestPayload' in parsed)) {
    const size = typeof parsed.payloadBytes === 'number' ? ` (${parsed.payloadBytes} bytes` + (typeof parsed.payloadDigest === 'string' ? `, sha256 ${parsed.payloadDigest.slice(0, 16)}…)` : ')') : '';
    return { kind: 'skip', label, reason: 'truncated', detail: `cannot be re-driven: the record does not hold the whole event${size}` };
  }

  const event = parsed.requestPayload;
  const valid = parseChannelFlowEvent(event, context.nowMs);
  if (!valid.ok) {
    const callbackId = isObject(event) && typeof event.CallbackId === 'string' ? event.CallbackId : undefined;
    return { kind: 'skip', label, reason: 'malformed', detail: describeIssues(valid.issues), ...(callbackId ? { callbackId } : {}) };
  }

  // The deadline as intake computes it, counted from the earliest moment we know intake had the
  // event: the record's timestamp (its last failure) or when SQS took the record, if earlier.
  const known = [parseTimestamp(typeof parsed.timestamp === 'string' ? parsed.timestamp : undefined), context.sentAtMs, context.nowMs].filter(
    (ms): ms is number => ms !== undefined && Number.isFinite(ms),
  );
  const deadline = deadlineFor(valid.message, Math.min(...known), context.callbackWindowSeconds);
  const labelled = `${label} CallbackId ${short(valid.callbackId)}`;
  if (context.nowMs >= actBy(deadline, context.expiryMarginSeconds).getTime()) {
    const left = secondsLeft(deadline, context.nowMs);
    const detail =
      left <= 0
        ? `deadline ${deadline.toISOString()}, passed ${-left} s ago`
        : `deadline ${deadline.toISOString()}, ${left} s left, less than the expiry margin of ${context.expiryMarginSeconds} s`;
    return { kind: 'skip', label: labelled, reason: 'past-window', detail, callbackId: valid.callbackId };
  }
  return { kind: 'redrivable', label: labelled, callbackId: valid.callbackId, deadline: deadline.toISOString(), event };
}

/** What invoking intake synchronously gave. `fatal`: every other invocation would fail the same way (no such function, no rights). */
export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: string; fatal?: boolean };
export type InvokeIntake = (event: unknown) => Promise<InvokeResult>;

/** Errors of Invoke that no other message would escape: the run stops at the first. */
const FATAL_INVOKE_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

/** Invokes the function with the stock Lambda client, RequestResponse, as an operator would. */
export function lambdaInvoker(client: LambdaClient, functionName: string): InvokeIntake {
  return async (event) => {
    try {
      const reply = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }));
      const text = Buffer.from(reply.Payload ?? new Uint8Array()).toString('utf8');
      let payload: unknown = text;
      try {
        payload = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON: kept as text for the report.
      }
      if (reply.FunctionError) {
        const error = isObject(payload) ? `${String(payload.errorType ?? 'Error')}: ${String(payload.errorMessage ?? '')}` : String(payload);
        return { ok: false, error: `function error (${reply.FunctionError}) ${error}` };
      }
      return { ok: true, payload };
    } catch (error) {
      const err = error as Error;
      return { ok: false, error: `Invoke failed: ${err.name}: ${err.message}`, fatal: FATAL_INVOKE_ERRORS.has(err.name) };
    }
  };
}

export type MessageOutcome =
  /** Intake took it (ACCEPTED, REQUEUED): deleted. */
  | 'redriven'
  /** Intake had it already past the worker (DUPLICATE), or this run re-drove its CallbackId already: deleted. */
  | 'already-known'
  /** Dry run: would be re-driven. */
  | 'would-redrive'
  | 'skipped'
  /** Intake refused it, failed, or could not be reached; or the delete failed. Kept (unless deleted). */
  | 'failed';

export interface MessageResult {
  /** The SQS message id. */
  messageId: string;
  classification: Classification;
  outcome: MessageOutcome;
  /** What happened, in words. */
  detail: string;
  /** Intake's answer, when it answered. */
  intake?: { outcome: string; [key: string]: unknown };
  deleted: boolean;
}

export interface RedriveReport {
  dryRun: boolean;
  /** Distinct messages read. */
  received: number;
  redriven: number;
  alreadyKnown: number;
  wouldRedrive: number;
  skipped: Record<SkipReason, number>;
  failed: number;
  deleted: number;
  /** Invocations of intake made. */
  invoked: number;
  /** Messages made visible again at the end. */
  released: number;
  /** Why the pass ended before the queue was read through (--max, Ctrl-C, a fatal invoke error). */
  stoppedEarly?: string;
  /** Kept messages that could not be made visible again (they reappear after the hold). */
  releaseErrors: string[];
  results: MessageResult[];
}

export interface RedriveOptions {
  sqs: SQSClient;
  queueUrl: string;
  invoke: InvokeIntake;
  /** The function invoked (name or ARN): records of another function are not re-driven. */
  functionName?: string;
  callbackWindowSeconds: number;
  expiryMarginSeconds: number;
  dryRun?: boolean;
  now?: () => number;
  /** ReceiveMessage's MaxNumberOfMessages (1-10). Default 10. */
  batchSize?: number;
  /** ReceiveMessage's WaitTimeSeconds: short, since local SQS waits all of it unless a whole batch is there. Default 1. */
  waitSeconds?: number;
  /** How long each message is held invisible while the run lasts (made visible again at its end). Default 120. */
  holdSeconds?: number;
  /** Stop after this many distinct messages. */
  maxMessages?: number;
  signal?: AbortSignal;
  /** Called once per message as soon as it is settled (the command line prints it). */
  onResult?: (result: MessageResult) => void;
}

const INTAKE_HAS_IT = new Set(['ACCEPTED', 'REQUEUED', 'DUPLICATE']);

/** Reads the intake DLQ through once and re-drives what can be; see the top of this file. */
export async function redriveIntakeDlq(options: RedriveOptions): Promise<RedriveReport> {
  const now = options.now ?? Date.now;
  const dryRun = options.dryRun === true;
  const batchSize = Math.max(1, Math.min(10, options.batchSize ?? 10));
  const holdSeconds = Math.max(1, Math.min(43_200, Math.round(options.holdSeconds ?? 120)));
  const report: RedriveReport = {
    dryRun,
    received: 0,
    redriven: 0,
    alreadyKnown: 0,
    wouldRedrive: 0,
    skipped: { truncated: 0, malformed: 0, 'past-window': 0, unrecognised: 0 },
    failed: 0,
    deleted: 0,
    invoked: 0,
    released: 0,
    releaseErrors: [],
    results: [],
  };
  /** Every message read in this run, by id, with its latest receipt handle; `kept` ones are released at the end. */
  const seen = new Map<string, { receiptHandle: string; kept: boolean }>();
  /** CallbackIds intake confirmed in this run (a DLQ may hold one event twice: Lambda delivers some twice). */
  const confirmed = new Set<string>();

  const settle = (result: MessageResult) => {
    report.results.push(result);
    if (result.outcome === 'redriven') report.redriven += 1;
    else if (result.outcome === 'already-known') report.alreadyKnown += 1;
    else if (result.outcome === 'would-redrive') report.wouldRedrive += 1;
    else if (result.outcome === 'failed') report.failed += 1;
    else if (result.classification.kind === 'skip') report.skipped[result.classification.reason] += 1;
    if (result.deleted) report.deleted += 1;
    const entry = seen.get(result.messageId);
    if (entry) entry.kept = !result.deleted;
    options.onResult?.(result);
  };

  const remove = async (receiptHandle: string): Promise<string | undefined> => {
    try {
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: receiptHandle }));
      return undefined;
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };

  const handle = async (message: Message, receiptHandle: string): Promise<'go-on' | 'stop'> => {
    const messageId = message.MessageId!;
    const sentAt = Number(message.Attributes?.SentTimestamp);
    const classification = classifyParked(message.Body, {
      nowMs: now(),
      callbackWindowSeconds: options.callbackWindowSeconds,
      expiryMarginSeconds: options.expiryMarginSeconds,
      ...(Number.isFinite(sentAt) && sentAt > 0 ? { sentAtMs: sentAt } : {}),
      ...(options.functionName ? { functionName: options.functionName } : {}),
    });
    const base = { messageId, classification };
    if (classification.kind === 'skip') {
      settle({ ...base, outcome: 'skipped', detail: `skipped, ${SKIP_LABELS[classification.reason]}: ${classification.detail}; kept`, deleted: false });
      return 'go-on';
    }
    if (dryRun) {
      settle({ ...base, outcome: 'would-redrive', detail: `would re-invoke intake (deadline ${classification.deadline}); kept (dry run)`, deleted: false });
      return 'go-on';
    }
    if (confirmed.has(classification.callbackId)) {
      const failure = await remove(receiptHandle);
      settle(
        failure
          ? { ...base, outcome: 'failed', detail: `already known (re-driven earlier in this run), but the delete failed: ${failure}; kept`, deleted: false }
          : { ...base, outcome: 'already-known', detail: 'already known: re-driven earlier in this run; deleted', deleted: true },
      );
      return 'go-on';
    }

    report.invoked += 1;
    const answer = await options.invoke(classification.event);
    if (!answer.ok) {
      settle({ ...base, outcome: 'failed', detail: `intake failed: ${answer.error}; kept`, deleted: false });
      return answer.fatal ? 'stop' : 'go-on';
    }
    const intake = isObject(answer.payload) && typeof answer.payload.outcome === 'string' ? (answer.payload as { outcome: string; [key: string]: unknown }) : undefined;
    if (!intake) {
      settle({ ...base, outcome: 'failed', detail: `intake answered something other than an outcome (${JSON.stringify(answer.payload)?.slice(0, 200)}); kept`, deleted: false });
      return 'go-on';
    }
    if (!INTAKE_HAS_IT.has(intake.outcome)) {
      const why = intake.outcome === 'REJECTED' ? `: ${describeIssues(intake.issues)}` : '';
      settle({ ...base, outcome: 'failed', intake, detail: `intake ${intake.outcome}${why}; kept`, deleted: false });
      return 'go-on';
    }
    confirmed.add(classification.callbackId);
    const failure = await remove(receiptHandle);
    const said =
      intake.outcome === 'ACCEPTED'
        ? 'intake ACCEPTED (recorded and queued)'
        : intake.outcome === 'REQUEUED'
          ? 'intake REQUEUED (recorded before, queued again)'
          : `intake DUPLICATE (already ${String(intake.status ?? 'handled')})`;
    const outcome: MessageOutcome = intake.outcome === 'DUPLICATE' ? 'already-known' : 'redriven';
    settle(
      failure
        ? { ...base, outcome: 'failed', intake, detail: `${said}, but the delete failed: ${failure}; kept (the next run finds intake has it)`, deleted: false }
        : { ...base, outcome, intake, detail: `${outcome === 'redriven' ? 're-driven' : 'already known'}: ${said}; deleted`, deleted: true },
    );
    return 'go-on';
  };

  try {
    let quiet = 0;
    pass: while (true) {
      if (options.signal?.aborted) {
        report.stoppedEarly = 'interrupted';
        break;
      }
      if (options.maxMessages !== undefined && seen.size >= options.maxMessages) {
        report.stoppedEarly = `stopped after ${options.maxMessages} messages (--max)`;
        break;
      }
      const reply = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.maxMessages !== undefined ? Math.min(batchSize, options.maxMessages - seen.size) : batchSize,
          WaitTimeSeconds: options.waitSeconds ?? 1,
          VisibilityTimeout: holdSeconds,
          AttributeNames: ['All'],
        }),
      );
      const messages = (reply.Messages ?? []).filter((m) => m.MessageId && m.ReceiptHandle);
      const fresh: Message[] = [];
      for (const message of messages) {
        const known = seen.get(message.MessageId!);
        // Seen before in this run (its hold ran out): only its newest receipt handle is worth keeping.
        if (known) known.receiptHandle = message.ReceiptHandle!;
        else {
          seen.set(message.MessageId!, { receiptHandle: message.ReceiptHandle!, kept: true });
          fresh.push(message);
        }
      }
      if (fresh.length === 0) {
        // Empty: read through. Only messages seen already, twice running: nothing new is coming.
        quiet += 1;
        if (messages.length === 0 || quiet >= 2) break;
        continue;
      }
      quiet = 0;
      for (const message of fresh) {
        report.received += 1;
        if ((await handle(message, message.ReceiptHandle!)) === 'stop') {
          report.stoppedEarly = `stopped: ${report.results.at(-1)?.detail ?? 'a fatal error'}`;
          break pass;
        }
      }
    }
  } finally {
    await release();
  }
  return report;

  /** Every kept message visible again now (10 per call), so it stays for an operator. */
  async function release(): Promise<void> {
    const kept = [...seen.values()].filter((entry) => entry.kept);
    for (let i = 0; i < kept.length; i += 10) {
      const chunk = kept.slice(i, i + 10);
      try {
        const reply = await options.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((entry, n) => ({ Id: String(n), ReceiptHandle: entry.receiptHandle, VisibilityTimeout: 0 })),
          }),
        );
        report.released += reply.Successful?.length ?? 0;
        for (const failed of reply.Failed ?? []) report.releaseErrors.push(`${failed.Code}: ${failed.Message ?? ''}`);
      } catch (error) {
        report.releaseErrors.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  }
}

/** One line per message: its id, what it is, what happened. */
export function formatResult(result: MessageResult): string {
  const c = result.classification;
  const what = c.kind === 'skip' && c.callbackId && !c.label.includes('CallbackId') ? `${c.label} CallbackId ${short(c.callbackId)}` : c.label;
  return `${result.messageId}  ${what}  ${result.detail}`;
}

/** The summary line. */
export function formatSummary(report: RedriveReport): string {
  const skipped = SKIP_REASONS.reduce((sum, reason) => sum + report.skipped[reason], 0);
  const reasons = SKIP_REASONS.filter((reason) => report.skipped[reason] > 0).map((reason) => `${SKIP_LABELS[reason]} ${report.skipped[reason]}`);
  const parts = [
    report.dryRun ? `would re-drive ${report.wouldRedrive}` : `re-driven ${report.redriven}`,
    `already known ${report.alreadyKnown}`,
    `skipped ${skipped}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`,
    `failed ${report.failed}`,
  ];
  return `${report.received} message${report.received === 1 ? '' : 's'} read · ${parts.join(' · ')} · intake invoked ${report.invoked} time${report.invoked === 1 ? '' : 's'}, ${report.deleted} deleted`;
}
