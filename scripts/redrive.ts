/**
 * `npm run redrive -- --dlq intake [--dry-run]`
 *
 * The thin command line over src/operations/redrive.ts: re-invokes intake with each event parked
 * on the intake DLQ, deletes what intake confirmed, keeps and reports the rest.
 *
 *   locally    the stack `npm start` is running (.local/stack.json: its SQS endpoint, its
 *              intake DLQ, its Lambda endpoint), function `intake`
 *   elsewhere  --queue-url <IntakeDLQ URL> --function <intake's name or ARN> [--region R],
 *              the default credential chain (--sqs-endpoint / --lambda-endpoint for other servers)
 *
 * CALLBACK_WINDOW_SECONDS and EXPIRY_MARGIN_SECONDS are read as the functions read them: give the
 * stage's values. Exit code 0 when nothing failed, 1 when an invocation (or a delete) failed or
 * the run could not read the queue, 2 for a usage error.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parsePipelineSettings } from '../src/config.js';
import { parseCommandLine } from '../src/local/command-line.js';
import { readStackFile, STACK_FILE, type RunningStack } from '../src/local/discovery.js';
import { formatResult, formatSummary, lambdaInvoker, redriveIntakeDlq } from '../src/operations/redrive.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = `usage: npm run redrive -- --dlq intake [--dry-run] [--max <n>]
         [--queue-url <IntakeDLQ URL> --function <intake function name or ARN> [--region <region>]]
         [--sqs-endpoint <url>] [--lambda-endpoint <url>]
  Without --queue-url: the intake DLQ, SQS and Lambda of the stack npm start is running (.local/stack.json).
  --dry-run   read and classify only: nothing is invoked or deleted, every message is visible again at the end.
  --max <n>   stop after n messages.
  Settings: CALLBACK_WINDOW_SECONDS (default 172800) and EXPIRY_MARGIN_SECONDS (default 3600), as the stage has them.
  Exit code: 0 nothing failed, 1 an invocation or a delete failed, 2 usage.`;

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** What `npm start` leaves in .local/stack.json, with what this tool needs from it (older stacks lack the last two). */
type StackFile = RunningStack;

function usageError(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/** The region of an ARN (`arn:aws:lambda:eu-west-1:…`) or of an SQS URL (`https://sqs.eu-west-1.amazonaws.com/…`). */
function regionOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const arn = /^arn:[a-z-]+:lambda:([a-z0-9-]+):/.exec(value);
  if (arn) return arn[1];
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(value)?.[1];
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(
    {
      options: {
        dlq: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'queue-url': { type: 'string' },
        function: { type: 'string' },
        region: { type: 'string' },
        'sqs-endpoint': { type: 'string' },
        'lambda-endpoint': { type: 'string' },
        max: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    usage,
  );
  if (values.dlq === undefined) usageError('--dlq is required (--dlq intake)');
  if (values.dlq !== 'intake') {
    usageError(`--dlq ${values.dlq}: only the intake DLQ is re-driven by this tool (the work DLQ: aws sqs start-message-move-task --source-arn <WorkDLQ ARN>)`);
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) usageError('--max must be a positive whole number');

  let settings: { callbackWindowSeconds: number; expiryMarginSeconds: number };
  try {
    settings = parsePipelineSettings();
  } catch (error) {
    return usageError((error as Error).message);
  }

  // Where: explicit flags (AWS, or any endpoint), else the running npm start.
  let queueUrl = values['queue-url'];
  let functionName = values.function;
  let sqsEndpoint = values['sqs-endpoint'] ?? (process.env.SQS_ENDPOINT || undefined);
  let lambdaEndpoint = values['lambda-endpoint'] ?? (process.env.LAMBDA_PORT ? `http://127.0.0.1:${process.env.LAMBDA_PORT}` : undefined);
  let where: string;
  if (queueUrl) {
    if (!functionName) usageError('--function is required with --queue-url (intake\'s name or ARN)');
    // A queue on this machine is reached at its own origin.
    if (!sqsEndpoint && LOOPBACK.test(queueUrl)) sqsEndpoint = new URL(queueUrl).origin;
    where = `${queueUrl} → ${functionName}`;
  } else {
    if (values.region || functionName) usageError('--queue-url is required with --region or --function (the intake DLQ of the stage)');
    const stack = readStackFile() as StackFile | undefined;
    if (!stack) usageError(`No running npm start found (${STACK_FILE}). Start it, or name the queue and function: --queue-url <IntakeDLQ URL> --function <name or ARN>`);
    queueUrl = stack.resources?.intakeDlqUrl;
    sqsEndpoint ??= stack.endpoints.sqs;
    lambdaEndpoint ??= stack.endpoints.lambda;
    if (!queueUrl || !sqsEndpoint) {
      usageError(`The running npm start (${STACK_FILE}) does not say where its intake DLQ is (a stack started before this tool existed?). Restart it, or give --queue-url and --function intake (and --lambda-endpoint ${stack.endpoints.lambda})`);
    }
    functionName = 'intake';
    where = `the local stack (pid ${stack.pid}): ${queueUrl} → ${functionName} at ${lambdaEndpoint}`;
  }

  const endpoints = [sqsEndpoint, lambdaEndpoint].filter((e): e is string => e !== undefined);
  const local = endpoints.length === 2 && endpoints.every((e) => LOOPBACK.test(e));
  const region = values.region ?? (process.env.AWS_REGION || undefined) ?? regionOf(functionName) ?? regionOf(queueUrl) ?? 'us-east-1';
  // Servers on this machine take any signature; anywhere else, the default credential chain.
  const credentials =
    local && !(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const sqs = new SQSClient({ region, ...credentials, ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) });
  const lambda = new LambdaClient({ region, ...credentials, ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}) });

  // Ctrl-C: finish the message in hand, make every kept message visible again, report. Twice: leave now.
  const abort = new AbortController();
  const interrupt = () => {
    if (abort.signal.aborted) process.exit(130);
    console.error('Interrupted: finishing the message in hand, then releasing the rest (Ctrl-C again to leave at once).');
    abort.abort();
  };
  process.on('SIGINT', interrupt);

  const dryRun = values['dry-run'] === true;
  console.log(`${dryRun ? 'Dry run (nothing is invoked or deleted): ' : ''}re-driving ${where}`);
  console.log(`window ${settings.callbackWindowSeconds} s, expiry margin ${settings.expiryMarginSeconds} s (CALLBACK_WINDOW_SECONDS, EXPIRY_MARGIN_SECONDS)`);
  try {
    const report = await redriveIntakeDlq({
      sqs,
      queueUrl: queueUrl!,
      invoke: lambdaInvoker(lambda, functionName!),
      functionName: functionName!,
      callbackWindowSeconds: settings.callbackWindowSeconds,
      expiryMarginSeconds: settings.expiryMarginSeconds,
      dryRun,
      ...(max !== undefined ? { maxMessages: max } : {}),
      signal: abort.signal,
      onResult: (result) => console.log(formatResult(result)),
    });
    if (report.stoppedEarly) console.log(report.stoppedEarly);
    for (const error of report.releaseErrors) console.error(`could not make a kept message visible again (it reappears after its hold): ${error}`);
    console.log(formatSummary(report));
    if (report.received === 0) console.log('Nothing to do: the intake DLQ is empty.');
    else if (!dryRun && report.invoked === 0 && report.failed === 0) console.log('Nothing to re-drive: everything left on the DLQ was skipped (see the reasons above).');
    return report.failed > 0 || report.stoppedEarly?.startsWith('stopped:') ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    sqs.destroy();
    lambda.destroy();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`redrive failed: ${(error as Error).name}: ${(error as Error).message}`);
  return 1;
});
