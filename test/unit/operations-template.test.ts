import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVERLESS_YML, loadInfraDefinitions, parseCloudFormationYaml } from '../../src/infra/definitions.js';

/**
 * The operations side of serverless.yml, read as CloudFormation YAML (no packaging needed): who
 * gets paged, what is logged and encrypted, and what the dashboard shows. `npm run
 * check:template` checks the packaged template against AWS's own rules; this test keeps the
 * intent readable and fails early, in `npm test`.
 */
type Obj = Record<string, any>;
const doc = parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as Obj;
const resources = doc.resources.Resources as Record<string, Obj>;
const extensions = doc.resources.extensions as Record<string, Obj>;
const params = doc.params.default as Obj;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const alarms = ofType('AWS::CloudWatch::Alarm');
const alarmOn = (namespace: string, metric: string) => alarms.find(([, a]) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);

/** The one action list every alarm carries: the stack's topic, or the one alarmTopicArn names. */
const NOTIFY = [{ 'Fn::If': ['ExternalAlarmTopic', '${param:alarmTopicArn}', { Ref: 'AlarmTopic' }] }];
const OPERATIONS_KEY = '${self:custom.operationsKmsKeyArn}';

/** The Framework's logical id of a function's log group (`reviewApi` → `ReviewApiLogGroup`). */
const logGroupOf = (fn: string) => `${fn[0]!.toUpperCase()}${fn.slice(1)}LogGroup`;

describe('serverless.yml: alarms notify someone by default', () => {
  it('has alarms', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(10);
  });

  it.each(alarms)('%s notifies the alarm topic when it fires and when it clears', (_id, alarm) => {
    expect(alarm.Properties.AlarmActions).toEqual(NOTIFY);
    expect(alarm.Properties.OKActions).toEqual(NOTIFY);
    expect(alarm.Properties.AlarmDescription).toEqual(expect.any(String));
  });

  it('creates the topic unless alarmTopicArn names one, and alarmTopicArn is empty by default', () => {
    expect(params.alarmTopicArn).toBe('');
    expect(doc.resources.Conditions.CreateAlarmTopic).toEqual({ 'Fn::Equals': ['${param:alarmTopicArn}', ''] });
    expect(doc.resources.Conditions.ExternalAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['${param:alarmTopicArn}', ''] }] });
    expect(resources.AlarmTopic).toMatchObject({ Type: 'AWS::SNS::Topic', Condition: 'CreateAlarmTopic', Properties: { KmsMasterKeyId: OPERATIONS_KEY } });
    expect(resources.AlarmTopicPolicy).toMatchObject({ Condition: 'CreateAlarmTopic', Properties: { Topics: [{ Ref: 'AlarmTopic' }] } });
  });

  it('subscribes alarmEmail, when given, to whichever topic the alarms use', () => {
    expect(params.alarmEmail).toBe('');
    expect(doc.resources.Conditions.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['${param:alarmEmail}', ''] }] });
    expect(resources.AlarmEmailSubscription).toMatchObject({
      Type: 'AWS::SNS::Subscription',
      Condition: 'HasAlarmEmail',
      Properties: { Protocol: 'email', Endpoint: '${param:alarmEmail}', TopicArn: NOTIFY[0] },
    });
  });

  it('pages on a Forbidden callback before the deadline, a failed intake destination, and a stalled intake', () => {
    expect(alarmOn('ChimeFlowModeration', 'CallbackForbiddenBeforeDeadline')?.[1].Properties).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    for (const metric of ['DestinationDeliveryFailures', 'AsyncEventAge']) {
      expect(alarmOn('AWS/Lambda', metric)?.[1].Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: 'IntakeLambdaFunction' } }]);
    }
    // Both DLQs too: anything parked there may still be PENDING in Chime.
    for (const queue of ['WorkDLQ', 'IntakeDLQ']) {
      expect(alarms.some(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] === queue)).toBe(true);
    }
  });
});

describe('serverless.yml: intake and the worker', () => {
  const intake = doc.functions.intake as Obj;

  it('gives up on an intake event only after Lambda\'s longest wait, and parks it on the intake DLQ', () => {
    expect(intake.maximumEventAge).toBeGreaterThanOrEqual(60);
    expect(intake.maximumEventAge).toBeLessThanOrEqual(21_600);
    expect(intake.destinations.onFailure).toEqual({ type: 'sqs', arn: { 'Fn::GetAtt': ['IntakeDLQ', 'Arn'] } });
  });

  it('hands a lone chat message to the worker without a batching window, ten at most', () => {
    expect(loadInfraDefinitions().worker.eventSource).toMatchObject({ batchSize: 10, maximumBatchingWindow: 0 });
  });
});

describe('serverless.yml: logs', () => {
  it('writes JSON access logs for the review API stage, one line per request', () => {
    const format = doc.provider.logs.httpApi.format as string;
    expect(format).not.toMatch(/\n/);
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', subject: '$context.authorizer.claims.sub' });
  });

  it('keeps every log group at least a year (the Framework applies logRetentionInDays to all of them)', () => {
    expect(doc.provider.logRetentionInDays).toBe('${param:logRetentionInDays}');
    expect(Number(params.logRetentionInDays)).toBeGreaterThanOrEqual(365);
  });

  it.each([...Object.keys(doc.functions).map(logGroupOf), 'HttpApiLogGroup'])('encrypts %s with the operations key', (logGroup) => {
    expect(extensions[logGroup]?.Properties?.KmsKeyId).toBe(OPERATIONS_KEY);
  });

  it('uses kmsKeyArn when given, else a key the stack creates (with rotation, kept when the stack goes)', () => {
    // The fallback only applies to an unset param: an empty default would defeat it.
    expect(params).not.toHaveProperty('kmsKeyArn');
    expect(doc.custom.operationsKmsKeyArn).toBe('${param:kmsKeyArn, self:custom.stackOperationsKeyArn}');
    expect(doc.custom.stackOperationsKeyArn).toEqual({ 'Fn::GetAtt': ['OperationsKey', 'Arn'] });
    expect(doc.resources.Conditions.CreateOperationsKey).toEqual({ 'Fn::Equals': ["${param:kmsKeyArn, ''}", ''] });
    expect(resources.OperationsKey).toMatchObject({ Condition: 'CreateOperationsKey', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    const services = (resources.OperationsKey!.Properties.KeyPolicy.Statement as Obj[]).map((s) => s.Principal?.Service);
    expect(services).toEqual(expect.arrayContaining([{ 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' }, 'cloudwatch.amazonaws.com']));
  });
});

describe('serverless.yml: the dashboard', () => {
  const body = resources.OperationsDashboard!.Properties.DashboardBody['Fn::Sub'] as string;
  const placeholders = [...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
  // What CloudFormation and the Framework would put in, so the JSON can be read here.
  const rendered = body.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name.startsWith('param:') ? String(params[name.slice(6)]) : 'x'));
  const dashboard = JSON.parse(rendered) as { widgets: Array<{ type: string; properties: Obj }> };
  const metricNames = dashboard.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[][]).map((m) => (typeof m[0] === 'string' ? m[1] : (m[0] as Obj).expression));

  it('is valid JSON once substituted, and refers only to resources of this stack', () => {
    // What the Framework generates: one <Name>LambdaFunction per function, and the HTTP API.
    const generated = new Set([...Object.keys(doc.functions).map((fn) => logGroupOf(fn).replace(/LogGroup$/, 'LambdaFunction')), 'HttpApi']);
    for (const name of placeholders) {
      if (name.startsWith('AWS::') || name.startsWith('param:') || name === 'self:service' || name === 'sls:stage') continue;
      const logicalId = name.split('.')[0]!;
      expect(logicalId in resources || generated.has(logicalId), `the dashboard refers to ${name}`).toBe(true);
    }
  });

  it.each([
    ['messages in', 'IntakeAccepted'],
    ['decided by the policy', 'DecidedAUTO'],
    ['decided by moderators', 'DecidedMODERATOR'],
    ['decided by the expiry policy', 'DecidedEXPIRY'],
    ['review queue depth', 'PendingReviews'],
    ['the oldest pending review', 'OldestPendingReviewAgeSeconds'],
    ['the nearest deadline', 'NearestDeadlineSeconds'],
    ['what a chat user waits for', 'AutoDecisionHeldMs'],
    ['Forbidden before the deadline', 'CallbackForbiddenBeforeDeadline'],
    ['sweeper actions', 'SweepExpiryDecisions'],
    ['sweeper errors', 'SweepErrors'],
  ])('shows %s (%s)', (_what, metric) => {
    expect(metricNames).toContain(metric);
  });

  it('shows callback errors by type, and both DLQ depths', () => {
    expect(metricNames.some((m) => /SEARCH\('\{ChimeFlowModeration,errorType,service\} MetricName="CallbackErrors"/.test(m))).toBe(true);
    for (const queue of ['WorkDLQ', 'IntakeDLQ']) expect(placeholders).toContain(`${queue}.QueueName`);
  });

  it('lists every alarm of the stack in its alarm widget', () => {
    const listed = placeholders.filter((p) => p.endsWith('.Arn')).map((p) => p.slice(0, -'.Arn'.length));
    expect(new Set(listed)).toEqual(new Set(alarms.map(([id]) => id)));
  });
});
