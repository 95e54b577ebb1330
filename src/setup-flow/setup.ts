/**
 * `npm run setup-flow`: puts channels behind the stage's channel flow in one step, and can be
 * run again at any time. It reads first (the flow by name, the intake's resource policy, each
 * channel's current flow), refuses before writing anything if the intake could not be invoked,
 * and then makes only the calls that change something:
 *
 *   CreateChannelFlow        when no flow of that name exists in the AppInstance
 *   UpdateChannelFlow        when it exists but drifted (processor, Lambda ARN, fallback action)
 *   AssociateChannelFlow     for each channel without a flow
 *   DisassociateChannelFlow  with --remove, for each channel that has this flow
 *   CreateChannelMembership  with --moderation-bot, for each channel the bot is not a member of
 *                            (it sends members their notices there: README "Notices")
 *
 * A second run finds nothing to do and says so. With --dry-run it prints those calls instead.
 */
import {
  AssociateChannelFlowCommand,
  CreateChannelMembershipCommand,
  DescribeChannelMembershipCommand,
  CreateChannelFlowCommand,
  DescribeChannelCommand,
  DescribeChannelFlowCommand,
  DisassociateChannelFlowCommand,
  ListChannelFlowsCommand,
  ListChannelsCommand,
  UpdateChannelFlowCommand,
  type ChimeSDKMessagingClient,
  type Processor,
} from '@aws-sdk/client-chime-sdk-messaging';
import { GetFunctionCommand, GetPolicyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SetupFlowError } from '../errors.js';
import { addPermissionCommand, evaluateChimeInvokeGrant, type ResourcePolicy } from '../infra/invoke-permission.js';
import { flowName, projectFlow, type FallbackAction, type ProcessorSpec } from './flow.js';

export interface SetupFlowOptions {
  /** The service name (serverless.yml `service`). */
  service: string;
  stage: string;
  fallback: FallbackAction;
  /** The intake function; otherwise from the stack's outputs (or, locally, the `intake` function). */
  processorArn?: string;
  channels: string[];
  /** Every channel of this AppInstance (ListChannels, paged); also the flow's AppInstance. */
  appInstanceArn?: string;
  remove: boolean;
  /** The AppInstanceUser/Bot that calls AssociateChannelFlow, DescribeChannel and ListChannels. */
  bearer?: string;
  dryRun: boolean;
  /** Against `npm start` (--endpoint): no CloudFormation; the intake is the local function `intake`. */
  local: boolean;
  skipPolicyCheck?: boolean;
  /** ListChannels/ListChannelFlows page size (1–50). */
  pageSize?: number;
  /**
   * The moderation bot (MODERATION_BOT_ARN; may start with `{appInstanceArn}/`): made a member of
   * every channel, so it may post the members' notices there.
   */
  moderationBot?: string;
}

export interface SetupFlowClients {
  chime: ChimeSDKMessagingClient;
  lambda: LambdaClient;
  /** The stack's outputs, or undefined when the stack does not exist (CloudFormation DescribeStacks). */
  stackOutputs: (stackName: string) => Promise<Record<string, string> | undefined>;
}

export interface SetupFlowReport {
  flowName: string;
  /** The flow's ARN (undefined when a dry run would create it, or --remove found none). */
  flowArn?: string;
  /** Calls that changed something (or, in a dry run, would have). */
  changes: string[];
  /** Channels left as they were because they need a human (another flow, no access). */
  problems: string[];
  warnings: string[];
}

export const INTAKE_OUTPUT = 'IntakeFunctionArn';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9\-_.]+(:(\$LATEST|[a-zA-Z0-9\-_]+))?$/;
const APP_INSTANCE_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/]+$/;
const CHANNEL_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/]+\/channel\/[^/]+$/;
const BEARER_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/]+\/(user|bot)\/[^/]+$/;
const NEW_FLOW = '<the new flow>';

const appInstanceOf = (arn: string) => arn.split('/').slice(0, 2).join('/');
const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const unqualified = (functionArn: string) => functionArn.split(':').slice(0, 7).join(':');

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs one AWS call, turning a failure into a one-line refusal that names the call. */
async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SetupFlowError) throw error;
    throw new SetupFlowError(`${what} failed: ${errorText(error)}`, { call: what }, { cause: error });
  }
}

const sortProcessors = (ps: readonly ProcessorSpec[] | readonly Processor[]) =>
  [...ps]
    .map((p) => ({
      Name: p.Name,
      ExecutionOrder: p.ExecutionOrder,
      FallbackAction: p.FallbackAction,
      ResourceArn: p.Configuration?.Lambda?.ResourceArn,
      InvocationType: p.Configuration?.Lambda?.InvocationType,
    }))
    .sort((a, b) => (a.ExecutionOrder ?? 0) - (b.ExecutionOrder ?? 0));

/** What differs between the flow as deployed and as wanted, one phrase per field. */
export function flowDrift(actual: readonly Processor[], wanted: readonly ProcessorSpec[]): string[] {
  const a = sortProcessors(actual);
  const w = sortProcessors(wanted);
  if (a.length !== w.length) return [`${a.length} processor(s) → ${w.length}`];
  const drift: string[] = [];
  w.forEach((want, i) => {
    const have = a[i]!;
    for (const key of ['Name', 'ExecutionOrder', 'FallbackAction', 'ResourceArn', 'InvocationType'] as const) {
      if (have[key] !== want[key]) drift.push(`processor ${i + 1} ${key} ${String(have[key])} → ${String(want[key])}`);
    }
  });
  return drift;
}

function validate(o: SetupFlowOptions): { appInstanceArn: string; bearer: string } {
  if (o.channels.length === 0 && !o.appInstanceArn) throw new SetupFlowError('Nothing to set up: pass --channel ARN… or --app-instance ARN');
  for (const arn of o.channels) if (!CHANNEL_ARN.test(arn)) throw new SetupFlowError(`--channel ${arn} is not a channel ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID/channel/ID)`);
  if (o.appInstanceArn !== undefined && !APP_INSTANCE_ARN.test(o.appInstanceArn)) {
    throw new SetupFlowError(`--app-instance ${o.appInstanceArn} is not an AppInstance ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID)`);
  }
  const appInstances = new Set([...(o.appInstanceArn ? [o.appInstanceArn] : []), ...o.channels.map(appInstanceOf)]);
  if (appInstances.size > 1) throw new SetupFlowError(`A flow belongs to one AppInstance, but the channels span ${[...appInstances].join(', ')}: run once per AppInstance`);
  const appInstanceArn = [...appInstances][0]!;
  if (!o.bearer) {
    throw new SetupFlowError('--bearer ARN is required: AssociateChannelFlow, DescribeChannel and ListChannels act as an AppInstanceUser or AppInstanceBot (an AppInstanceAdmin, or a moderator of the channels)');
  }
  if (!BEARER_ARN.test(o.bearer)) throw new SetupFlowError(`--bearer ${o.bearer} is not an AppInstanceUser or AppInstanceBot ARN`);
  if (appInstanceOf(o.bearer) !== appInstanceArn) throw new SetupFlowError(`--bearer ${o.bearer} is not in AppInstance ${appInstanceArn}`);
  if (o.processorArn !== undefined && !LAMBDA_ARN.test(o.processorArn)) throw new SetupFlowError(`--processor-arn ${o.processorArn} is not a Lambda function ARN`);
  if (o.pageSize !== undefined && (!Number.isInteger(o.pageSize) || o.pageSize < 1 || o.pageSize > 50)) throw new SetupFlowError('pageSize must be 1 to 50');
  if (o.moderationBot !== undefined) {
    const bot = o.moderationBot.replaceAll('{appInstanceArn}', appInstanceArn);
    if (!BEARER_ARN.test(bot)) throw new SetupFlowError(`--moderation-bot ${o.moderationBot} is not an AppInstanceBot or AppInstanceUser ARN (or one starting with {appInstanceArn}/)`);
    if (appInstanceOf(bot) !== appInstanceArn) throw new SetupFlowError(`--moderation-bot ${bot} is not in AppInstance ${appInstanceArn}`);
  }
  return { appInstanceArn, bearer: o.bearer };
}

/** Is `member` in the channel? DescribeChannelMembership: NotFound means no (left, never added, banned). */
async function isMember(clients: SetupFlowClients, channelArn: string, member: string, bearer: string): Promise<boolean> {
  try {
    await clients.chime.send(new DescribeChannelMembershipCommand({ ChannelArn: channelArn, MemberArn: member, ChimeBearer: bearer }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFoundException') return false;
    throw error;
  }
}

async function resolveIntakeArn(o: SetupFlowOptions, clients: SetupFlowClients): Promise<{ arn: string; source: string }> {
  if (o.processorArn) return { arn: o.processorArn, source: '--processor-arn' };
  if (o.local) {
    const fn = await call('Lambda GetFunction intake', () => clients.lambda.send(new GetFunctionCommand({ FunctionName: 'intake' })));
    const arn = fn.Configuration?.FunctionArn;
    if (!arn) throw new SetupFlowError('The local Lambda API has no function named intake: is `npm start` running?');
    return { arn, source: 'the local Lambda API (function intake)' };
  }
  const stackName = `${o.service}-${o.stage}`;
  const outputs = await call(`CloudFormation DescribeStacks ${stackName}`, () => clients.stackOutputs(stackName));
  if (!outputs) throw new SetupFlowError(`Stack ${stackName} does not exist in this account and region: deploy the stage first, or pass --processor-arn`);
  const arn = outputs[INTAKE_OUTPUT];
  if (!arn) throw new SetupFlowError(`Stack ${stackName} has no output ${INTAKE_OUTPUT}: is it this service's stack? Pass --processor-arn to name the intake function`);
  return { arn, source: `stack ${stackName} output ${INTAKE_OUTPUT}` };
}

async function findFlows(o: SetupFlowOptions, clients: SetupFlowClients, appInstanceArn: string, name: string): Promise<string[]> {
  const found: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call('ListChannelFlows', () =>
      clients.chime.send(new ListChannelFlowsCommand({ AppInstanceArn: appInstanceArn, NextToken, ...(o.pageSize ? { MaxResults: o.pageSize } : {}) })),
    );
    for (const f of page.ChannelFlows ?? []) if (f.Name === name && f.ChannelFlowArn) found.push(f.ChannelFlowArn);
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** Every channel of the AppInstance the bearer may list: the public ones, and the private ones for an admin. */
async function listChannels(o: SetupFlowOptions, clients: SetupFlowClients, appInstanceArn: string, bearer: string, warn: (w: string) => void): Promise<string[]> {
  const arns: string[] = [];
  for (const Privacy of ['PUBLIC', 'PRIVATE'] as const) {
    let NextToken: string | undefined;
    try {
      do {
        const page = await clients.chime.send(
          new ListChannelsCommand({ AppInstanceArn: appInstanceArn, ChimeBearer: bearer, Privacy, NextToken, ...(o.pageSize ? { MaxResults: o.pageSize } : {}) }),
        );
        for (const c of page.Channels ?? []) if (c.ChannelArn) arns.push(c.ChannelArn);
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      if (Privacy === 'PRIVATE' && (error as { name?: string }).name === 'ForbiddenException') {
        warn(`private channels were not listed: ${bearer} is not an AppInstanceAdmin (ListChannels PRIVATE: ${errorText(error)})`);
        continue;
      }
      throw new SetupFlowError(`ListChannels ${Privacy} failed: ${errorText(error)}`, {}, { cause: error });
    }
  }
  return arns;
}

async function checkInvokePermission(clients: SetupFlowClients, intakeArn: string, appInstanceArn: string, say: (line: string) => void, warn: (w: string) => void): Promise<void> {
  const question = { functionArn: unqualified(intakeArn), appInstanceArn, account: accountOf(appInstanceArn) };
  let policy: ResourcePolicy | undefined;
  try {
    const out = await clients.lambda.send(new GetPolicyCommand({ FunctionName: intakeArn }));
    policy = out.Policy ? (JSON.parse(out.Policy) as ResourcePolicy) : undefined;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException' && /Function not found/.test((error as Error).message)) {
      throw new SetupFlowError(`The intake function ${intakeArn} does not exist (Lambda GetPolicy: ${errorText(error)})`);
    } else if (name === 'ResourceNotFoundException') {
      policy = undefined; // the function exists and has no resource policy at all
    } else {
      warn(`could not read the intake's resource policy (Lambda GetPolicy: ${errorText(error)}); not checked`);
      return;
    }
  }
  const verdict = evaluateChimeInvokeGrant(policy, question);
  if (!verdict.allowed) {
    throw new SetupFlowError(
      `Chime could not invoke the intake function for ${appInstanceArn}: ${verdict.reason}. Grant it (deploy with --param="appInstanceId=<id>", or: ${addPermissionCommand(question)}), or pass --skip-policy-check`,
    );
  }
  say(`permission: ok: ${verdict.reason}`);
  for (const w of verdict.warnings) warn(`permission: ${w}`);
}

export async function setupFlow(o: SetupFlowOptions, clients: SetupFlowClients, say: (line: string) => void = () => {}): Promise<SetupFlowReport> {
  const { appInstanceArn, bearer } = validate(o);
  const name = flowName(o.service, o.stage);
  const report: SetupFlowReport = { flowName: name, changes: [], problems: [], warnings: [] };
  const warn = (w: string) => {
    report.warnings.push(w);
    say(`warning: ${w}`);
  };
  /** Makes a change, or in a dry run prints the call it would make. */
  const change = async (what: string, input: unknown, run: () => Promise<unknown>) => {
    report.changes.push(what);
    if (o.dryRun) {
      say(`would call ${what.split(' ')[0]} ${JSON.stringify(input)}`);
      return undefined;
    }
    const out = await call(what, run);
    say(`${what}: done`);
    return out;
  };

  // ── reads: nothing below writes until every check has passed ──
  const existing = await findFlows(o, clients, appInstanceArn, name);
  if (existing.length > 1) throw new SetupFlowError(`Several channel flows are named ${name} in ${appInstanceArn} (${existing.join(', ')}): delete the extras first`);
  const flowArn = existing[0];

  if (o.remove && !flowArn) {
    say(`flow ${name}: does not exist in ${appInstanceArn}: nothing to disassociate`);
    say('Nothing to change.');
    return report;
  }

  let wanted: ReturnType<typeof projectFlow> | undefined;
  let drift: string[] = [];
  if (!o.remove) {
    const intake = await resolveIntakeArn(o, clients);
    say(`intake: ${intake.arn} (from ${intake.source})`);
    wanted = projectFlow({ service: o.service, stage: o.stage, intakeArn: intake.arn, fallback: o.fallback });
    if (flowArn) {
      const described = await call('DescribeChannelFlow', () => clients.chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn })));
      drift = flowDrift(described.ChannelFlow?.Processors ?? [], wanted.processors);
    }
    if (o.skipPolicyCheck) warn('the intake resource policy was not checked (--skip-policy-check)');
    else await checkInvokePermission(clients, intake.arn, appInstanceArn, say, warn);
  }

  const channels = o.channels.length > 0 ? [...new Set(o.channels)] : await listChannels(o, clients, appInstanceArn, bearer, warn);
  const current = new Map<string, string | undefined>();
  for (const channelArn of channels) {
    try {
      const out = await clients.chime.send(new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: bearer }));
      current.set(channelArn, out.Channel?.ChannelFlowArn);
    } catch (error) {
      report.problems.push(`${channelArn}: DescribeChannel failed: ${errorText(error)}`);
      say(`channel ${channelArn}: not changed: DescribeChannel failed: ${errorText(error)}`);
    }
  }

  // ── writes ──
  let target = flowArn;
  if (wanted && !flowArn) {
    const input = { AppInstanceArn: appInstanceArn, Name: wanted.name, Processors: wanted.processors };
    const out = (await change(`CreateChannelFlow ${wanted.name}`, input, () => clients.chime.send(new CreateChannelFlowCommand(input)))) as { ChannelFlowArn?: string } | undefined;
    target = out?.ChannelFlowArn;
    if (target) say(`flow ${wanted.name}: created ${target}`);
  } else if (wanted && flowArn && drift.length > 0) {
    say(`flow ${name}: drifted (${drift.join('; ')})`);
    const input = { ChannelFlowArn: flowArn, Name: wanted.name, Processors: wanted.processors };
    await change(`UpdateChannelFlow ${flowArn}`, input, () => clients.chime.send(new UpdateChannelFlowCommand(input)));
  } else if (flowArn) {
    say(`flow ${name}: ${flowArn}${o.remove ? '' : ', up to date'}`);
  }
  report.flowArn = target;
  const shownFlow = target ?? NEW_FLOW;

  for (const [channelArn, associated] of current) {
    if (o.remove) {
      if (associated !== flowArn) {
        say(`channel ${channelArn}: not associated with ${name}: nothing to do`);
        continue;
      }
      const input = { ChannelArn: channelArn, ChannelFlowArn: flowArn, ChimeBearer: bearer };
      await change(`DisassociateChannelFlow ${channelArn}`, input, () => clients.chime.send(new DisassociateChannelFlowCommand(input)));
      continue;
    }
    if (associated !== undefined && associated === target) {
      say(`channel ${channelArn}: already associated`);
    } else if (associated !== undefined) {
      report.problems.push(`${channelArn}: associated with another flow ${associated}`);
      say(`channel ${channelArn}: not changed: it is associated with another flow, ${associated} (disassociate it first)`);
    } else {
      const input = { ChannelArn: channelArn, ChannelFlowArn: shownFlow, ChimeBearer: bearer };
      await change(`AssociateChannelFlow ${channelArn}`, input, () => clients.chime.send(new AssociateChannelFlowCommand({ ...input, ChannelFlowArn: target! })));
    }
  }

  // The moderation bot: a member of every channel it may have to notice in (not with --remove).
  const bot = o.moderationBot?.replaceAll('{appInstanceArn}', appInstanceArn);
  if (bot && !o.remove) {
    for (const channelArn of current.keys()) {
      let member: boolean;
      try {
        member = await isMember(clients, channelArn, bot, bearer);
      } catch (error) {
        report.problems.push(`${channelArn}: DescribeChannelMembership ${bot} failed: ${errorText(error)}`);
        say(`channel ${channelArn}: the moderation bot's membership could not be read: ${errorText(error)}`);
        continue;
      }
      if (member) {
        say(`channel ${channelArn}: the moderation bot is a member`);
        continue;
      }
      const input = { ChannelArn: channelArn, MemberArn: bot, Type: 'DEFAULT' as const, ChimeBearer: bearer };
      try {
        await change(`CreateChannelMembership ${channelArn} ${bot}`, input, () => clients.chime.send(new CreateChannelMembershipCommand(input)));
      } catch (error) {
        // Added meanwhile (a second run at once): a member all the same.
        if ((error as { cause?: { name?: string } }).cause?.name !== 'ConflictException') throw error;
        say(`channel ${channelArn}: the moderation bot is a member`);
      }
    }
  }

  if (report.changes.length === 0) {
    say(report.problems.length === 0 ? `Nothing to change: flow ${name} and ${current.size} channel association(s) are already as wanted.` : 'Nothing was changed.');
  } else {
    say(o.dryRun ? `Dry run: ${report.changes.length} call(s) would be made; nothing was changed.` : `${report.changes.length} change(s) made.`);
  }
  if (report.problems.length > 0) say(`${report.problems.length} channel(s) need attention (see above).`);
  return report;
}
