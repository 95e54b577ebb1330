/**
 * `npm run setup-flow -- …`: the thin command line over src/setup-flow/setup.ts (see --help).
 * Exit code 0 when everything is as wanted, 1 after a refusal or when a channel needs a human.
 */
import { loadInfraDefinitions } from '../src/infra/definitions.js';
import { SetupFlowError } from '../src/errors.js';
import { parseSetupFlowArgs, USAGE } from '../src/setup-flow/args.js';
import { createSetupFlowClients } from '../src/setup-flow/clients.js';
import { setupFlow } from '../src/setup-flow/setup.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<number> {
  const args = parseSetupFlowArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const clients = createSetupFlowClients(args);
  try {
    const report = await setupFlow(
      {
        service: loadInfraDefinitions().service,
        stage: args.stage,
        fallback: args.fallback,
        ...(args.processorArn ? { processorArn: args.processorArn } : {}),
        channels: args.channels,
        ...(args.appInstanceArn ? { appInstanceArn: args.appInstanceArn } : {}),
        ...(args.bearer ? { bearer: args.bearer } : {}),
        ...(args.moderationBot ? { moderationBot: args.moderationBot } : {}),
        remove: args.remove,
        dryRun: args.dryRun,
        local: args.endpoint !== undefined,
        skipPolicyCheck: args.skipPolicyCheck,
      },
      clients,
      (line) => console.log(line),
    );
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    clients.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof SetupFlowError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`setup-flow: ${message.split('\n')[0]}`);
    process.exitCode = 1;
  },
);
