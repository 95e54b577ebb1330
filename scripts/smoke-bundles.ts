/**
 * Runs the packaged Lambda bundles (`.serverless/*.zip`, after `npm run package`) against a local
 * stack: each zip is unpacked, its handler imported with the environment serverless.yml would
 * give it, and invoked once. This checks what we deploy, not just the source the tests import.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { startLocalStack } from '../src/local/stack.js';
import { apiDocument } from '../src/api/document.js';
import { toSqsRecord } from '../src/local/sqs-event-source.js';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = mkdtempSync(join(tmpdir(), 'bundles-'));
const unpack = (name: string) => {
  const dir = join(root, name);
  execFileSync('unzip', ['-q', `.serverless/${name}.zip`, '-d', dir]);
  return dir;
};
const stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, apiPort: 0, issuerKeyFile: null, sweepIntervalSeconds: 0, logLevel: 'SILENT' });
const failures: string[] = [];
const check = (name: string, ok: boolean, detail: unknown) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${JSON.stringify(detail)}`}`);
  if (!ok) failures.push(name);
};

try {
  Object.assign(process.env, {
    TABLE_NAME: stack.resources.tableName,
    CONTROL_TABLE_NAME: stack.resources.controlTableName,
    // A queue the local worker does not poll, so only the bundled worker can decide the item.
    WORK_QUEUE_URL: stack.resources.workDlqUrl,
    INTAKE_DLQ_URL: stack.resources.intakeDlqUrl,
    DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
    SQS_ENDPOINT: stack.endpoints.sqs,
    CHIME_ENDPOINT: stack.endpoints.chime,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    CURSOR_SECRET: 'x'.repeat(32),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const context = { functionName: 'smoke', awsRequestId: 'smoke', getRemainingTimeInMillis: () => 10_000 };
  const load = async (name: string) => {
    const dir = unpack(name);
    process.env.LAMBDA_TASK_ROOT = dir; // where the bundled policy/default.yaml is found
    const folder = ({ reviewApi: 'review-api', policyApi: 'policy-api', moderatorConsole: 'moderator-console' } as Record<string, string>)[name] ?? name;
    return (await import(pathToFileURL(join(dir, 'functions', folder, 'index.mjs')).href)) as { handler: (e: unknown, c: unknown) => Promise<any> };
  };

  const callbackId = 'smoke'.padEnd(40, '0');
  const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/smoke';
  const event = {
    EventType: 'CHANNEL_MESSAGE_EVENT',
    CallbackId: callbackId,
    ChannelMessage: { MessageId: 'm-1', ChannelArn: `${app}/channel/c`, Content: 'hello from a bundle', Sender: { Arn: `${app}/user/u`, Name: 'u' }, Persistence: 'PERSISTENT', Type: 'STANDARD', CreatedTimestamp: new Date().toISOString() },
  };
  const intake = await load('intake');
  const accepted = await intake.handler(event, context);
  const queued = await stack.queueDepth('workDlq');
  check('intake records and enqueues', accepted?.outcome === 'ACCEPTED' && queued.visible === 1, { accepted, queued });

  const worker = await load('worker');
  const item = await stack.runtime.store.get(callbackId);
  const body = JSON.stringify({ callbackId, message: item!.message, deadline: item!.deadline, receivedAt: item!.receivedAt });
  const batch = await worker.handler({ Records: [toSqsRecord({ MessageId: 'smoke-1', ReceiptHandle: 'r', Body: body, MD5OfBody: 'x', Attributes: {} }, 'arn:aws:sqs:us-east-1:123456789012:q', 'us-east-1')] }, context);
  const decided = await stack.runtime.store.get(callbackId);
  // Chime never issued this CallbackId, so it refuses the callback: recorded FAILED, record acknowledged.
  const called = stack.simulator.callbacks().filter((c) => c.callbackId === callbackId);
  check(
    'worker decides, calls Chime and records the outcome',
    batch?.batchItemFailures?.length === 0 && decided?.decision?.action === 'ALLOW' && decided.status === 'FAILED' && called.length === 1,
    { batch, status: decided?.status, called },
  );

  const sweeper = await load('sweeper');
  const report = await sweeper.handler({}, context);
  check('sweeper sweeps', Array.isArray(report?.errors) && report.errors.length === 0, report);

  // The API functions verify the bearer token again themselves (jose, the issuer's JWKS): the local
  // stack's issuer stands in for the JWT authorizer's, and its token travels as API Gateway passes it.
  Object.assign(process.env, { JWT_ISSUER: stack.issuer.issuer, JWT_AUDIENCE: stack.issuer.audience });
  const bearer = await stack.issuer.mint({ user: 'smoke', groups: ['moderators'], nowMs: Date.now() });
  const reviewApi = await load('reviewApi');
  const http = (rawPath: string, claims?: Record<string, string>) => ({
    version: '2.0',
    routeKey: `GET ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { host: 'smoke', ...(claims ? { authorization: `Bearer ${bearer}` } : {}) },
    requestContext: { accountId: '123456789012', apiId: 'smoke', domainName: 'smoke', domainPrefix: 'smoke', http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'smoke' }, requestId: 'smoke', routeKey: `GET ${rawPath}`, stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now(), ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}) },
    isBase64Encoded: false,
  });
  const openapi = await reviewApi.handler(http('/openapi.json'), context);
  // Built while packaging (beside the code): the very document the route tables build here.
  check('review API serves the OpenAPI document of both functions', openapi?.statusCode === 200 && isDeepStrictEqual(JSON.parse(openapi.body), apiDocument()), openapi?.statusCode);
  const moderator = { sub: 'smoke', 'cognito:username': 'smoke', 'cognito:groups': '[moderators]' };
  const stats = await reviewApi.handler(http('/stats', moderator), context);
  check('review API answers an authorized moderator', stats?.statusCode === 200 && JSON.parse(stats.body).counts?.FAILED >= 0, stats?.body);

  const policyApi = await load('policyApi');
  const policies = await policyApi.handler(http('/policies', moderator), context);
  // Nothing stored: global is the bundled POLICY_FILE (version 0).
  check('policy API lists the live policies', policies?.statusCode === 200 && JSON.parse(policies.body).items?.[0]?.source === 'POLICY_FILE', policies?.body);

  // The console: its files travel in its own zip; the hosted UI's endpoints come from serverless.yml.
  const hostedUi = 'https://smoke.auth.us-east-1.amazoncognito.com';
  Object.assign(process.env, {
    CONSOLE_OIDC_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_smoke',
    CONSOLE_OIDC_CLIENT_ID: 'smoke-client',
    CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: `${hostedUi}/oauth2/authorize`,
    CONSOLE_OIDC_TOKEN_ENDPOINT: `${hostedUi}/oauth2/token`,
  });
  const moderatorConsole = await load('moderatorConsole');
  const page = await moderatorConsole.handler(http('/console/'), context);
  const html = page?.isBase64Encoded ? Buffer.from(page.body, 'base64').toString('utf8') : String(page?.body);
  check('console serves its page', page?.statusCode === 200 && /text\/html/.test(page.headers['content-type']) && html.includes('/console/assets/'), page?.statusCode);
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const asset = script ? await moderatorConsole.handler(http(script), context) : undefined;
  check('console serves its bundle, immutable', asset?.statusCode === 200 && /immutable/.test(asset.headers['cache-control']), { script, status: asset?.statusCode });
  const config = await moderatorConsole.handler(http('/console/config.json'), context);
  check('console tells the app to sign in with the hosted UI', config?.statusCode === 200 && JSON.parse(config.body).auth?.authorizationEndpoint === `${hostedUi}/oauth2/authorize`, config?.body);
} finally {
  await stack.stop();
  rmSync(root, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`${failures.length} bundle check(s) failed`);
  process.exit(1);
}
console.log('every packaged bundle works');
