import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AssociateChannelFlowCommand,
  CreateChannelCommand,
  CreateChannelFlowCommand,
  DescribeChannelCommand,
  DescribeChannelFlowCommand,
  type ChimeSDKMessagingClient,
} from '@aws-sdk/client-chime-sdk-messaging';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupFlowError } from '../../src/errors.js';
import { loadInfraDefinitions } from '../../src/infra/definitions.js';
import type { LocalStack } from '../../src/local/stack.js';
import { parseSetupFlowArgs } from '../../src/setup-flow/args.js';
import { setupFlow, type SetupFlowClients, type SetupFlowOptions } from '../../src/setup-flow/setup.js';
import { chimeClient, sendMessage, startTestStack, waitForItem, waitForStatus } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVICE = loadInfraDefinitions().service;

describe('npm run setup-flow against a strict-mode local stack', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let lambda: LambdaClient;
  let region: string;

  beforeAll(async () => {
    stack = await startTestStack({ chimeStrict: true });
    chime = chimeClient(stack);
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    region = stack.config.region;
  });
  afterAll(async () => {
    chime?.destroy();
    lambda?.destroy();
    await stack?.stop();
  });

  /** A fresh AppInstance per test: flows are per AppInstance, so tests never see each other's. */
  function appInstance() {
    const app = `arn:aws:chime:${region}:123456789012:app-instance/${randomUUID()}`;
    return { app, alice: `${app}/user/alice`, admin: `${app}/bot/ops` };
  }

  const clients = (stackOutputs: SetupFlowClients['stackOutputs'] = async () => undefined): SetupFlowClients => ({ chime, lambda, stackOutputs });

  async function run(options: Partial<SetupFlowOptions>, c = clients()) {
    const lines: string[] = [];
    const report = await setupFlow({ service: SERVICE, stage: 'e2e', fallback: 'ABORT', channels: [], remove: false, dryRun: false, local: true, ...options }, c, (l) => lines.push(l));
    return { report, lines };
  }

  async function createChannel(app: string, bearer: string, input: { Privacy?: 'PUBLIC' | 'PRIVATE' } = {}) {
    return (await chime.send(new CreateChannelCommand({ AppInstanceArn: app, Name: 'Support', ChimeBearer: bearer, ...input }))).ChannelArn!;
  }

  const flowOf = async (channelArn: string, bearer: string) => (await chime.send(new DescribeChannelCommand({ ChannelArn: channelArn, ChimeBearer: bearer }))).Channel?.ChannelFlowArn;

  it('creates and associates the flow on a fresh channel; a message then goes through our pipeline; a second run changes nothing', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    // Strict mode, no flow yet: the message is delivered at once, unmoderated.
    expect((await sendMessage(chime, 'before the flow', { channel, sender: alice })).messageId).toBeTruthy();
    expect(stack.simulator.invocations()).toEqual([]);

    const first = await run({ channels: [channel], bearer: alice });
    expect(first.report.changes).toEqual([`CreateChannelFlow ${SERVICE}-e2e`, `AssociateChannelFlow ${channel}`]);
    expect(first.report.problems).toEqual([]);
    expect(first.lines).toContain(`intake: ${stack.lambda.arn('intake')} (from the local Lambda API (function intake))`);
    expect(first.lines.some((l) => l.startsWith('permission: ok: statement IntakeChimeInvokePermission'))).toBe(true);
    expect(first.report.warnings).toContain('permission: the grant covers every AppInstance of the account (set appInstanceId in production)');
    const flowArn = first.report.flowArn!;
    expect(await flowOf(channel, alice)).toBe(flowArn);
    const flow = (await chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn }))).ChannelFlow!;
    expect(flow).toMatchObject({
      Name: `${SERVICE}-e2e`,
      Processors: [{ Name: 'intake', ExecutionOrder: 1, FallbackAction: 'ABORT', Configuration: { Lambda: { ResourceArn: stack.lambda.arn('intake'), InvocationType: 'ASYNC' } } }],
    });

    // Through Chime, intake, the queue, the worker and the callback.
    const sent = await sendMessage(chime, 'Mail me at jane.doe@example.com', { channel, sender: alice });
    await waitForStatus(chime, sent, 'SENT');
    const item = await waitForItem(stack, sent, (i) => i.status === 'DELIVERED', 'DELIVERED');
    expect(item.decision).toMatchObject({ action: 'UPDATE', ruleIds: ['pii.email'] });

    // The second run, through the real command line.
    const { stdout, stderr } = await promisify(execFile)(
      'node_modules/.bin/tsx',
      ['scripts/setup-flow.ts', '--endpoint', stack.endpoints.chime, '--lambda-endpoint', stack.endpoints.lambda, '--stage', 'e2e', '--channel', channel, '--bearer', alice],
      { cwd: ROOT, env: { ...process.env, AWS_REGION: region } },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain(`flow ${SERVICE}-e2e: ${flowArn}, up to date`);
    expect(stdout).toContain(`channel ${channel}: already associated`);
    expect(stdout).toContain(`Nothing to change: flow ${SERVICE}-e2e and 1 channel association(s) are already as wanted.`);
    expect(stack.simulator.flows().filter((f) => f.appInstanceArn === app)).toHaveLength(1);
  });

  it('prints the calls it would make with --dry-run, and makes none', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    const { report, lines } = await run({ channels: [channel], bearer: alice, dryRun: true });
    expect(report.changes).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('would call '))).toEqual([
      expect.stringMatching(/^would call CreateChannelFlow \{"AppInstanceArn":".*","Name":".*-e2e","Processors":\[/),
      expect.stringContaining(`would call AssociateChannelFlow {"ChannelArn":"${channel}","ChannelFlowArn":"<the new flow>"`),
    ]);
    expect(lines.at(-1)).toBe('Dry run: 2 call(s) would be made; nothing was changed.');
    expect(stack.simulator.flows().filter((f) => f.appInstanceArn === app)).toEqual([]);
    expect(await flowOf(channel, alice)).toBeUndefined();
  });

  it('repairs a flow that drifted, and says what drifted', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    const flowArn = (await run({ channels: [channel], bearer: alice })).report.flowArn!;
    const { report, lines } = await run({ channels: [channel], bearer: alice, fallback: 'CONTINUE' });
    expect(report.changes).toEqual([`UpdateChannelFlow ${flowArn}`]);
    expect(lines).toContain(`flow ${SERVICE}-e2e: drifted (processor 1 FallbackAction ABORT → CONTINUE)`);
    const flow = (await chime.send(new DescribeChannelFlowCommand({ ChannelFlowArn: flowArn }))).ChannelFlow!;
    expect(flow.Processors?.[0]?.FallbackAction).toBe('CONTINUE');
  });

  it('covers every channel of an AppInstance, paged, and takes them all out again with --remove', async () => {
    const { app, alice, admin } = appInstance();
    stack.simulator.addAppInstanceAdmin(admin);
    const channels = [await createChannel(app, alice), await createChannel(app, alice), await createChannel(app, alice, { Privacy: 'PRIVATE' })];
    const { report } = await run({ appInstanceArn: app, bearer: admin, pageSize: 1 });
    expect(report.changes.filter((c) => c.startsWith('AssociateChannelFlow'))).toHaveLength(3);
    for (const c of channels) expect(await flowOf(c, admin)).toBe(report.flowArn);

    // A bearer that is not an admin cannot list private channels: said, not hidden.
    const again = await run({ appInstanceArn: app, bearer: alice });
    expect(again.report.changes).toEqual([]);
    expect(again.report.warnings.some((w) => w.startsWith(`private channels were not listed: ${alice} is not an AppInstanceAdmin`))).toBe(true);

    const removed = await run({ appInstanceArn: app, bearer: admin, remove: true });
    expect(removed.report.changes).toHaveLength(3);
    for (const c of channels) expect(await flowOf(c, admin)).toBeUndefined();
    expect((await run({ appInstanceArn: app, bearer: admin, remove: true })).report.changes).toEqual([]);
  });

  it('leaves a channel that has another flow alone, and reports it', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    const other = (
      await chime.send(
        new CreateChannelFlowCommand({
          AppInstanceArn: app,
          Name: 'someone-elses',
          Processors: [{ Name: 'p', ExecutionOrder: 1, FallbackAction: 'CONTINUE', Configuration: { Lambda: { ResourceArn: stack.lambda.arn('intake'), InvocationType: 'ASYNC' } } }],
        }),
      )
    ).ChannelFlowArn!;
    await chime.send(new AssociateChannelFlowCommand({ ChannelArn: channel, ChannelFlowArn: other, ChimeBearer: alice }));
    const { report, lines } = await run({ channels: [channel], bearer: alice });
    expect(report.problems).toEqual([`${channel}: associated with another flow ${other}`]);
    expect(lines).toContain(`channel ${channel}: not changed: it is associated with another flow, ${other} (disassociate it first)`);
    expect(await flowOf(channel, alice)).toBe(other);
  });

  it('refuses, before changing anything, when Chime could not invoke the processor', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    // The worker has no resource policy: Chime may not invoke it.
    const refused = run({ channels: [channel], bearer: alice, processorArn: stack.lambda.arn('worker') });
    await expect(refused).rejects.toThrow(SetupFlowError);
    await expect(refused).rejects.toThrow(/Chime could not invoke the intake function for .*: the function has no resource policy.*aws lambda add-permission .*--principal messaging\.chime\.amazonaws\.com/);
    await expect(run({ channels: [channel], bearer: alice, processorArn: 'arn:aws:lambda:us-east-1:123456789012:function:nope' })).rejects.toThrow(/does not exist/);
    expect(stack.simulator.flows().filter((f) => f.appInstanceArn === app)).toEqual([]);

    // The emulator agrees: in strict mode a processor without the grant cannot be invoked.
    const skipped = await run({ channels: [channel], bearer: alice, processorArn: stack.lambda.arn('worker'), skipPolicyCheck: true });
    expect(skipped.report.warnings).toContain('the intake resource policy was not checked (--skip-policy-check)');
    const sent = await sendMessage(chime, 'hello', { channel, sender: alice });
    await waitForStatus(chime, sent, 'FAILED');
  });

  it('takes the intake ARN from the stack outputs when no --processor-arn is given', async () => {
    const { app, alice } = appInstance();
    const channel = await createChannel(app, alice);
    const asked: string[] = [];
    const outputs = (o: Record<string, string> | undefined) => clients(async (name) => (asked.push(name), o));
    const aws = { channels: [channel], bearer: alice, local: false };
    await expect(run(aws, outputs(undefined))).rejects.toThrow(`Stack ${SERVICE}-e2e does not exist in this account and region: deploy the stage first, or pass --processor-arn`);
    await expect(run(aws, outputs({ ReviewApiUrl: 'x' }))).rejects.toThrow(`Stack ${SERVICE}-e2e has no output IntakeFunctionArn`);
    const { lines } = await run(aws, outputs({ IntakeFunctionArn: stack.lambda.arn('intake') }));
    expect(lines).toContain(`intake: ${stack.lambda.arn('intake')} (from stack ${SERVICE}-e2e output IntakeFunctionArn)`);
    expect(asked).toEqual([`${SERVICE}-e2e`, `${SERVICE}-e2e`, `${SERVICE}-e2e`]);
  });

  it('refuses bad input with one clear line', async () => {
    const { app, alice } = appInstance();
    const channel = `${app}/channel/c1`;
    const other = appInstance();
    await expect(run({ channels: [channel] })).rejects.toThrow(/^--bearer ARN is required/);
    await expect(run({})).rejects.toThrow('Nothing to set up: pass --channel ARN… or --app-instance ARN');
    await expect(run({ channels: [channel, `${other.app}/channel/c2`], bearer: alice })).rejects.toThrow(/channels span/);
    await expect(run({ channels: [channel], bearer: other.alice })).rejects.toThrow(/is not in AppInstance/);
    await expect(run({ channels: ['arn:aws:chime:us-east-1:123456789012:channel/x'], bearer: alice })).rejects.toThrow(/is not a channel ARN/);
    await expect(run({ channels: [channel], bearer: alice, processorArn: 'intake' })).rejects.toThrow(/is not a Lambda function ARN/);
    // A channel strict mode does not know: reported per channel, nothing else changes.
    const { report } = await run({ channels: [channel], bearer: alice });
    expect(report.problems).toEqual([expect.stringContaining(`${channel}: DescribeChannel failed: ForbiddenException`)]);
    expect(report.changes).toEqual([`CreateChannelFlow ${SERVICE}-e2e`]);
  });
});

describe('the default (convenient) mode of npm start', () => {
  let stack: LocalStack;
  let chime: ChimeSDKMessagingClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    stack = await startTestStack();
    chime = chimeClient(stack);
    lambda = new LambdaClient({ endpoint: stack.endpoints.lambda, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    chime?.destroy();
    lambda?.destroy();
    await stack?.stop();
  });

  it("creates a channel on first use with the project's flow, which setup-flow then finds in place", async () => {
    const app = `arn:aws:chime:${stack.config.region}:123456789012:app-instance/${randomUUID()}`;
    const alice = `${app}/user/alice`;
    const sent = await sendMessage(chime, 'Lunch at noon?', { channel: `${app}/channel/general`, sender: alice });
    await waitForStatus(chime, sent, 'SENT');
    const [flow] = stack.simulator.flows().filter((f) => f.appInstanceArn === app);
    expect(flow).toMatchObject({
      name: `${SERVICE}-local`,
      processors: [{ Name: 'intake', ExecutionOrder: 1, FallbackAction: 'ABORT', Configuration: { Lambda: { ResourceArn: stack.lambda.arn('intake'), InvocationType: 'ASYNC' } } }],
      channels: [sent.channelArn],
    });

    const lines: string[] = [];
    const report = await setupFlow(
      { service: SERVICE, stage: 'local', fallback: 'ABORT', channels: [sent.channelArn], bearer: alice, remove: false, dryRun: false, local: true },
      { chime, lambda, stackOutputs: async () => undefined },
      (l) => lines.push(l),
    );
    expect(report.changes).toEqual([]);
    expect(report.flowArn).toBe(flow!.channelFlowArn);
    expect(lines.at(-1)).toBe(`Nothing to change: flow ${SERVICE}-local and 1 channel association(s) are already as wanted.`);
  });
});

describe('setup-flow command line', () => {
  const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/a';

  it('parses channels, defaults and the local endpoints', () => {
    const args = parseSetupFlowArgs(['--channel', `${APP}/channel/1`, `${APP}/channel/2`, '--channel', `${APP}/channel/3`, '--bearer', `${APP}/user/u`, '--endpoint', 'http://127.0.0.1:4000/'], {
      LAMBDA_PORT: '3999',
    });
    expect(args).toMatchObject({
      stage: 'dev',
      fallback: 'ABORT',
      channels: [`${APP}/channel/1`, `${APP}/channel/3`, `${APP}/channel/2`],
      endpoint: 'http://127.0.0.1:4000',
      lambdaEndpoint: 'http://127.0.0.1:3999',
      remove: false,
      dryRun: false,
    });
    expect(parseSetupFlowArgs(['--fallback', 'continue', '--remove', '--dry-run', '--stage', 'prod'])).toMatchObject({ fallback: 'CONTINUE', remove: true, dryRun: true, stage: 'prod' });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseSetupFlowArgs(['--fallback', 'RETRY'])).toThrow('--fallback must be ABORT or CONTINUE (got RETRY)');
    expect(() => parseSetupFlowArgs(['--frobnicate'])).toThrow(/Unknown option '--frobnicate'/);
    expect(() => parseSetupFlowArgs(['oops'])).toThrow('Unexpected argument oops (see --help)');
    expect(() => parseSetupFlowArgs([`${APP}/channel/1`])).toThrow(/ARNs must follow --channel/);
    expect(() => parseSetupFlowArgs(['--endpoint', 'localhost:4000'])).toThrow('--endpoint localhost:4000 is not an http(s) URL');
    expect(() => parseSetupFlowArgs(['--stage', 'a b'])).toThrow(/--stage a b must be/);
  });
});
