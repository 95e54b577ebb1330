import { ConfigurationError } from '../errors.js';
import { removeStackFile, writeStackFile } from './discovery.js';
import { startLocalStack, type LocalStack } from './stack.js';

/**
 * `npm start`: the whole pipeline on 127.0.0.1 with no AWS account. Ctrl-C stops it cleanly.
 * Configuration comes from the environment (see the README's configuration reference).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'; // EMF lines are for CloudWatch, not a terminal
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // Lambda runs nodejs22.x; local Node 20 is fine
// Notices to senders come from this bot (README "Notices"); MODERATION_BOT_ARN= (empty) turns them off.
process.env.MODERATION_BOT_ARN ??= '{appInstanceArn}/bot/moderation';
// The classifier emulators: fixed ports in the default layout; a stack moved to other ports
// (API_PORT, CHIME_PORT, LAMBDA_PORT) puts them on free ones unless they are set. The banner and
// .local/stack.json say where.
if (!process.env.API_PORT && !process.env.CHIME_PORT && !process.env.LAMBDA_PORT) {
  process.env.COMPREHEND_PORT ??= '4010';
  process.env.BEDROCK_RUNTIME_PORT ??= '4020';
}

const started = Date.now();
let stack: LocalStack;
try {
  stack = await startLocalStack({
    log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
    traceCallbacks: true,
    // The worker's classifier stage calls the stack's own emulators (README "The local classifier emulators").
    classifiers: { endpoints: {} },
  });
} catch (error) {
  // A busy port or a bad setting is one line that names the variable, not a stack trace.
  if (error instanceof ConfigurationError) {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
// `npm run token`, `npm run demo` and the other local tools find this stack, whatever its ports.
const classifierEndpoints = { comprehend: stack.endpoints.comprehend, bedrockRuntime: stack.endpoints.bedrockRuntime };
writeStackFile({
  pid: process.pid,
  startedAt: new Date(started).toISOString(),
  endpoints: {
    chime: stack.endpoints.chime,
    api: stack.endpoints.api,
    lambda: stack.endpoints.lambda,
    sqs: stack.endpoints.sqs,
    dynamodb: stack.endpoints.dynamodb,
    ...('console' in stack.endpoints ? { console: String(stack.endpoints.console) } : {}),
    ...classifierEndpoints,
  },
  resources: { intakeDlqUrl: stack.resources.intakeDlqUrl, workQueueUrl: stack.resources.workQueueUrl },
  issuer: stack.issuer.issuer,
});

const { config } = stack;
console.log(`
chime-flow-moderation local stack is up (${Date.now() - started} ms)

  Moderator console              ${stack.endpoints.console}   (sign in with any username; Groups: moderators)

  Chime SDK Messaging emulator   ${stack.endpoints.chime}   (${stack.simulator.strict ? 'strict: create channels, then npm run setup-flow -- --endpoint …' : 'convenient: channels are created on first use, with the flow'})
      callbacks received         ${stack.endpoints.chime}/_simulator/callbacks
      messages                   ${stack.endpoints.chime}/_simulator/messages
  Lambda Invoke API              ${stack.endpoints.lambda}   (functions: ${stack.lambda.names().join(', ')})
  DynamoDB                       ${stack.endpoints.dynamodb}   table ${stack.resources.tableName}
  SQS                            ${stack.endpoints.sqs}
      work queue                 ${stack.resources.workQueueUrl}
      intake DLQ                 ${stack.resources.intakeDlqUrl}   (npm run redrive -- --dlq intake)
  Comprehend emulator            ${stack.endpoints.comprehend}   (DetectToxicContent; scores from fixtures and a development lexicon, not a model)
  Bedrock runtime emulator       ${stack.endpoints.bedrockRuntime}   (ApplyGuardrail; guardrail "local" at DRAFT and 1; same scoring)
      fixtures, faults, quota    …/_emulator/fixtures, /_emulator/faults, /_emulator/quota   (README: "The local classifier emulators")
      calls received             ${stack.endpoints.comprehend}/_emulator/calls   ${stack.endpoints.bedrockRuntime}/_emulator/calls
  Review API (moderators)        ${stack.endpoints.api}   (README: "For moderators")
      OpenAPI document           ${stack.endpoints.api}/openapi.json
      JWT issuer / key set       ${stack.issuer.issuer}   ${stack.endpoints.api}/.well-known/jwks.json
      a token                    npm run --silent token -- --user alice --groups moderators
      live policies              npm run --silent policy -- list   (README: "Live policies"; changes apply within POLICY_REFRESH_SECONDS=${process.env.POLICY_REFRESH_SECONDS || 10}s)
      FAILED messages            npm run redeliver -- --status FAILED   (README: "Recovering FAILED messages")

  callback window ${config.callbackWindowSeconds}s · expiry margin ${config.expiryMarginSeconds}s · expiry action ${config.expiryAction} · policy ${config.policyFile ?? 'policy/default.yaml'}

  The sweeper runs every ${process.env.SWEEP_INTERVAL_SECONDS || 10}s; whatever it does (expiry decisions, re-drives) is logged below, as is every callback Chime receives.

Try it:  npm run demo, then work the held messages in the console      Stop: Ctrl-C
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  removeStackFile();
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
