import { parseArgs } from 'node:util';
import { SetupFlowError } from '../errors.js';
import type { FallbackAction } from './flow.js';

export const USAGE = `Usage: npm run setup-flow -- [options]

Creates (or repairs) the stage's channel flow, named <service>-<stage>, with the deployed intake
function as its processor, and associates it with channels. Safe to run again: a second run
changes nothing.

  --channel ARN…          channels to put behind the flow (repeatable, or several ARNs after one --channel)
  --app-instance ARN      every channel of this AppInstance (ListChannels, paged)
  --bearer ARN            AppInstanceUser/Bot that makes the channel calls (an admin or the channels' moderator)
  --stage NAME            the stage (default dev); the intake comes from stack <service>-<stage>
  --region REGION         AWS region (default: AWS_REGION / your profile)
  --processor-arn ARN     use this intake function instead of the stack's IntakeFunctionArn output
  --fallback ABORT|CONTINUE  when Chime cannot invoke intake: fail the message (default ABORT) or let it through
  --moderation-bot ARN    make the moderation bot (MODERATION_BOT_ARN; {appInstanceArn}/bot/moderation names the
                          channels' own AppInstance) a member of every channel, so it can send members their notices
  --remove                disassociate the flow from the channels instead
  --dry-run               print the calls it would make; change nothing
  --skip-policy-check     do not refuse when the intake's resource policy does not let Chime invoke it
  --endpoint URL          a Chime SDK Messaging endpoint (npm start: http://127.0.0.1:4000)
  --lambda-endpoint URL   the Lambda API for GetFunction/GetPolicy (default with --endpoint: port LAMBDA_PORT or 3002)
  --help                  this text`;

export interface SetupFlowArgs {
  help: boolean;
  stage: string;
  region?: string;
  processorArn?: string;
  fallback: FallbackAction;
  channels: string[];
  appInstanceArn?: string;
  bearer?: string;
  moderationBot?: string;
  remove: boolean;
  dryRun: boolean;
  skipPolicyCheck: boolean;
  endpoint?: string;
  lambdaEndpoint?: string;
}

function url(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new SetupFlowError(`${flag} ${value} is not an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/** Parses the command line; a mistake is a one-line SetupFlowError. */
export function parseSetupFlowArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SetupFlowArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        channel: { type: 'string', multiple: true },
        'app-instance': { type: 'string' },
        bearer: { type: 'string' },
        'moderation-bot': { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        'processor-arn': { type: 'string' },
        fallback: { type: 'string' },
        remove: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'skip-policy-check': { type: 'boolean' },
        endpoint: { type: 'string' },
        'lambda-endpoint': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new SetupFlowError(`${(error as Error).message} (see --help)`);
  }
  const v = parsed.values;
  // `--channel A B C`: the ARNs after the first are positionals.
  const extra = parsed.positionals;
  const stray = extra.find((p) => !p.startsWith('arn:'));
  if (stray !== undefined) throw new SetupFlowError(`Unexpected argument ${stray} (see --help)`);
  if (extra.length > 0 && !v.channel) throw new SetupFlowError(`ARNs must follow --channel (got ${extra[0]})`);
  const fallback = (v.fallback ?? 'ABORT').toUpperCase();
  if (fallback !== 'ABORT' && fallback !== 'CONTINUE') throw new SetupFlowError(`--fallback must be ABORT or CONTINUE (got ${v.fallback})`);
  if (v.stage !== undefined && !/^[a-zA-Z0-9-]+$/.test(v.stage)) throw new SetupFlowError(`--stage ${v.stage} must be letters, digits and hyphens`);
  const endpoint = url(v.endpoint, '--endpoint');
  let lambdaEndpoint = url(v['lambda-endpoint'], '--lambda-endpoint');
  if (endpoint && !lambdaEndpoint) {
    const chime = new URL(endpoint);
    lambdaEndpoint = `${chime.protocol}//${chime.hostname}:${env.LAMBDA_PORT || 3002}`;
  }
  return {
    help: v.help ?? false,
    stage: v.stage ?? 'dev',
    ...(v.region ? { region: v.region } : {}),
    ...(v['processor-arn'] ? { processorArn: v['processor-arn'] } : {}),
    fallback,
    channels: [...(v.channel ?? []), ...extra],
    ...(v['app-instance'] ? { appInstanceArn: v['app-instance'] } : {}),
    ...(v.bearer ? { bearer: v.bearer } : {}),
    ...(v['moderation-bot'] ? { moderationBot: v['moderation-bot'] } : {}),
    remove: v.remove ?? false,
    dryRun: v['dry-run'] ?? false,
    skipPolicyCheck: v['skip-policy-check'] ?? false,
    ...(endpoint ? { endpoint } : {}),
    ...(lambdaEndpoint ? { lambdaEndpoint } : {}),
  };
}
