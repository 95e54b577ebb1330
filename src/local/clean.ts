import { createAwsClients, destroyAwsClients } from '../adapters/clients.js';
import { cleanLeftovers } from '../infra/provision.js';
import { startStorage } from './storage.js';
import { parseCommandLine } from './command-line.js';

/**
 * `npm run clean-local -- --endpoint http://127.0.0.1:8000 [--sqs-endpoint URL] [--dry-run]`
 *
 * Removes the tables and queues that `npm start`, the tests and the benchmarks create on an
 * external endpoint (DynamoDB Local, ElasticMQ, AWS). Only names of exactly the generated shape
 * are touched (`local-1a2b3c4d-moderation`, `it-…-work-dlq`, `cfm-test-…-control`), so a real
 * table that merely starts with "local-" is safe.
 */
const usage =
  'usage: npm run clean-local -- --endpoint <DynamoDB endpoint> [--sqs-endpoint <SQS endpoint>] [--region us-east-1] [--dry-run]\n' +
  '  (DYNAMODB_ENDPOINT / SQS_ENDPOINT are used when the flags are absent; --sqs-endpoint defaults to SQS_ENDPOINT, then --endpoint)';

const { values } = parseCommandLine(
  {
    options: {
      endpoint: { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      region: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  },
  usage,
);
const dynamodbEndpoint = values.endpoint ?? process.env.DYNAMODB_ENDPOINT;
const sqsEndpoint = values['sqs-endpoint'] ?? process.env.SQS_ENDPOINT ?? values.endpoint;
if (!dynamodbEndpoint) {
  console.error(`--endpoint is required (the embedded servers of npm start keep nothing once they stop).\n${usage}`);
  process.exit(2);
}

// startStorage applies the credential rule: dummy credentials on loopback, the default chain elsewhere.
const storage = await startStorage({ dynamodbEndpoint, ...(sqsEndpoint ? { sqsEndpoint } : {}) });
const clients = createAwsClients({
  region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
  ...(storage.credentials ? { credentials: storage.credentials } : {}),
  endpoints: storage.endpoints,
});
try {
  const dryRun = values['dry-run'] === true;
  const found = await cleanLeftovers({ dynamodb: clients.dynamodb, sqs: clients.sqs, dryRun });
  if (found.tables.length + found.queueUrls.length === 0) {
    console.log('Nothing to clean: no generated tables or queues on these endpoints.');
  } else {
    const verb = dryRun ? 'would delete' : 'deleted';
    for (const table of found.tables) console.log(`${verb} table ${table}`);
    for (const url of found.queueUrls) console.log(`${verb} queue ${url}`);
  }
} catch (error) {
  console.error(`clean-local failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  destroyAwsClients(clients);
  await storage.stop();
}
