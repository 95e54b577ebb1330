/**
 * `npm run backfill -- --table <name> [--from-table <old name>] [--endpoint URL] [--region R] [--segments 4] [--dry-run]`
 *
 * The thin command line over src/infra/backfill.ts. The key settings come from the same
 * variables the functions read (STATUS_SHARDS, AUDIT_SHARDS, EXPIRY_MARGIN_SECONDS,
 * STUCK_AFTER_SECONDS): give it the values of the stage you upgrade. Exit code 1 if any item
 * could not be brought up to date (they are listed; run it again).
 */
import { createAwsClients, destroyAwsClients } from '../src/adapters/clients.js';
import { loadPipelineSettings } from '../src/config.js';
import { backfill } from '../src/infra/backfill.js';
import { parseCommandLine } from '../src/local/command-line.js';
import { startStorage } from '../src/local/storage.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = 'usage: npm run backfill -- --table <table> [--from-table <table of the earlier design>] [--endpoint <DynamoDB endpoint>] [--region <region>] [--segments <n>] [--dry-run]';

async function main(): Promise<number> {
  const { values } = parseCommandLine(
    {
      options: {
        table: { type: 'string' },
        'from-table': { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        segments: { type: 'string', default: '4' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    usage,
  );
  const table = values.table;
  const segments = Number(values.segments);
  if (!table) {
    console.error(`--table is required\n${usage}`);
    return 2;
  }
  if (!Number.isInteger(segments) || segments < 1 || segments > 64) {
    console.error(`--segments must be a whole number from 1 to 64\n${usage}`);
    return 2;
  }
  const settings = loadPipelineSettings();
  const endpoint = values.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  // Dummy credentials on loopback, the default provider chain anywhere else (startStorage's rule).
  const storage = endpoint ? await startStorage({ dynamodbEndpoint: endpoint, sqsEndpoint: endpoint }) : undefined;
  const clients = createAwsClients({
    region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(storage?.credentials ? { credentials: storage.credentials } : {}),
    ...(endpoint ? { endpoints: { dynamodb: endpoint } } : {}),
  });
  try {
    const from = values['from-table'];
    console.log(
      `${values['dry-run'] ? 'Dry run: ' : ''}${from ? `copying ${from} → ${table}` : `upgrading ${table} in place`} with ${settings.shards.status} status shards, ${settings.shards.audit} audit shards, margin ${settings.expiryMarginSeconds}s, stuck after ${settings.stuckAfterSeconds}s`,
    );
    const report = await backfill({
      client: clients.documents,
      table,
      ...(from ? { fromTable: from } : {}),
      keys: { statusShards: settings.shards.status, auditShards: settings.shards.audit, expiryMarginSeconds: settings.expiryMarginSeconds, stuckAfterSeconds: settings.stuckAfterSeconds },
      segments,
      dryRun: values['dry-run'] === true,
      onError: (callbackId, error) => console.error(`  ${callbackId}: ${(error as Error).message}`),
    });
    const verb = values['dry-run'] ? 'would write' : 'written';
    console.log(`scanned ${report.scanned} · ${verb} ${report.written} · already up to date ${report.upToDate} · re-read after a concurrent write ${report.retried} · failed ${report.failed}`);
    if (report.written === 0 && report.failed === 0) console.log('Nothing to do: every item is up to date.');
    return report.failed > 0 ? 1 : 0;
  } finally {
    destroyAwsClients(clients);
    await storage?.stop();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`backfill failed: ${(error as Error).message}`);
  return 1;
});
