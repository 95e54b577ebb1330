import { startLocalStack } from './stack.js';

/**
 * `npm start`: the whole pipeline on 127.0.0.1 with no AWS account. Ctrl-C stops it cleanly.
 * Configuration comes from the environment (see the README's configuration reference).
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'; // EMF lines are for CloudWatch, not a terminal
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // Lambda runs nodejs22.x; local Node 20 is fine

const started = Date.now();
const stack = await startLocalStack({
  log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
  traceCallbacks: true,
});

const { config } = stack;
console.log(`
chime-flow-moderation local stack is up (${Date.now() - started} ms)

  Chime SDK Messaging simulator  ${stack.endpoints.chime}
      callbacks received         ${stack.endpoints.chime}/_simulator/callbacks
      messages                   ${stack.endpoints.chime}/_simulator/messages
  Lambda Invoke API              ${stack.endpoints.lambda}   (functions: ${stack.lambda.names().join(', ')})
  DynamoDB                       ${stack.endpoints.dynamodb}   table ${stack.resources.tableName}
  SQS                            ${stack.endpoints.sqs}
      work queue                 ${stack.resources.workQueueUrl}
  Review API (moderators)        ${stack.endpoints.api}   (README: "For moderators")
      OpenAPI document           ${stack.endpoints.api}/openapi.json
      JWT issuer / key set       ${stack.issuer.issuer}   ${stack.endpoints.api}/.well-known/jwks.json
      a token                    npm run --silent token -- --user alice --groups moderators

  callback window ${config.callbackWindowSeconds}s · expiry margin ${config.expiryMarginSeconds}s · expiry action ${config.expiryAction} · policy ${config.policyFile ?? 'policy/default.yaml'}

Try it:  npm run demo      Stop: Ctrl-C
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
