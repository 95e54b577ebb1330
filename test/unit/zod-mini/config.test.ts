/**
 * The configuration's schemas moved from the classic zod API to zod/mini (smaller Lambda
 * bundles). Same rules, same messages: every loader must answer exactly what the classic version
 * (a frozen copy in reference/) answers, value or error, over a corpus of good and bad values.
 */
import { describe, expect, it } from 'vitest';
import * as mini from '../../../src/config.js';
import * as classic from './reference/config.classic.js';

type Outcome = { value: unknown } | { error: string; name: string };

function outcome(load: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): Outcome {
  try {
    return { value: load(env) };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

/** One variable at a time over `base`, then every variable bad at once. */
function corpus(base: Record<string, string>, values: Record<string, string[]>): NodeJS.ProcessEnv[] {
  const envs: NodeJS.ProcessEnv[] = [{}, base];
  for (const [name, candidates] of Object.entries(values)) {
    for (const value of candidates) envs.push({ ...base, [name]: value });
    const { [name]: _dropped, ...without } = base;
    envs.push(without);
  }
  envs.push(Object.fromEntries(Object.entries(values).map(([name, candidates]) => [name, candidates.at(-1)!])));
  return envs;
}

const NUMBERS = ['0', '1', '30', '-1', '1.5', ' 12 ', '1e3', 'abc', 'Infinity', '0x10', '300000', '', '   '];
const URLS = ['http://127.0.0.1:8000', ' http://localhost:4566 ', 'https://dynamodb.eu-west-1.amazonaws.com', 'not a url', 'localhost:8000', '', '   ', 'ftp://x'];
const NAMES = ['x', ' moderators ', '', '   ', 'cognito:groups'];

const resources = { TABLE_NAME: 't', CONTROL_TABLE_NAME: 'c', WORK_QUEUE_URL: 'http://q', INTAKE_DLQ_URL: 'http://dlq' };

const pipelineValues: Record<string, string[]> = {
  CALLBACK_WINDOW_SECONDS: [...NUMBERS, '3600', '60'],
  EXPIRY_MARGIN_SECONDS: [...NUMBERS, '3600', '172800', '60'],
  EXPIRY_ACTION: ['DENY', 'allow', ' deny', 'Allow', 'MAYBE', '', '1'],
  STUCK_AFTER_SECONDS: NUMBERS,
  RETENTION_DAYS: [...NUMBERS, '0.5', '-0.1'],
  SWEEP_INTERVAL_SECONDS: [...NUMBERS, '60'],
  WORK_QUEUE_RETENTION_SECONDS: [...NUMBERS, '345600'],
  POLICY_FILE: ['policy/strict.yaml', '  policy/x.json  ', '', '   '],
  STATUS_SHARDS: [...NUMBERS, '256', '257', '64'],
  AUDIT_SHARDS: [...NUMBERS, '256', '257'],
  COUNTER_SHARDS: [...NUMBERS, '256', '257'],
};

describe('configuration schemas on zod/mini answer as the classic ones did', () => {
  // The deadline rules (src/config.ts deadlineProblems) are checked after the schemas, and tested
  // in test/unit/config.test.ts: here the schemas alone are held to the classic ones.
  it('parsePipelineSettings', () => {
    const envs = corpus({}, pipelineValues);
    for (const env of envs) expect(outcome(mini.parsePipelineSettings, env), JSON.stringify(env)).toEqual(outcome(classic.loadPipelineSettings, env));
  });

  it('parseConfig', () => {
    const envs = corpus(resources, {
      ...pipelineValues,
      TABLE_NAME: ['t', ' t ', '', '   '],
      CONTROL_TABLE_NAME: ['c', ''],
      WORK_QUEUE_URL: ['http://q', 'q', ''],
      INTAKE_DLQ_URL: ['http://dlq', ''],
      DYNAMODB_ENDPOINT: URLS,
      SQS_ENDPOINT: URLS,
      CHIME_ENDPOINT: URLS,
      AWS_REGION: ['eu-west-1', ' us-east-1 ', '', '   '],
    });
    for (const env of envs) expect(outcome(mini.parseConfig, env), JSON.stringify(env)).toEqual(outcome(classic.loadConfig, env));
  });

  it('loadReviewApiSettings', () => {
    const secret = 's'.repeat(32);
    const envs = corpus(
      { CURSOR_SECRET: secret },
      {
        JWT_ISSUER: ['https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x', 'http://127.0.0.1:3000', 'issuer', ' https://x ', ''],
        JWT_AUDIENCE: NAMES,
        JWT_GROUPS_CLAIM: NAMES,
        MODERATOR_GROUP: NAMES,
        ADMIN_GROUP: NAMES,
        CURSOR_SECRET: [secret, 's'.repeat(31), ` ${'s'.repeat(31)}`, '', '   '],
        CHANNEL_NAME_BEARER: ['{appInstanceArn}/user/review-api', ' x ', '', '   '],
        CHIME_BEARER_ARN: [
          'arn:aws:chime:us-east-1:123456789012:app-instance/abc/bot/moderation',
          '{appInstanceArn}/bot/moderation',
          ' {appInstanceArn}/user/review-api ',
          'arn:aws:chime:us-east-1:123456789012:app-instance/abc/channel/c',
          'arn:aws:chime:us-east-1:12345:app-instance/abc/user/u',
          'moderation',
          '',
        ],
      },
    );
    // `members` (MEMBER_IDENTITY, SERVICE_GROUP) came after the move to zod/mini: it has no classic copy, and its own test below.
    const withoutMembers = (env: NodeJS.ProcessEnv) => {
      const { members: _members, ...rest } = mini.loadReviewApiSettings(env);
      return rest;
    };
    for (const env of envs) expect(outcome(withoutMembers, env), JSON.stringify(env)).toEqual(outcome(classic.loadReviewApiSettings, env));
  });

  it('reads MEMBER_IDENTITY and SERVICE_GROUP, and refuses a rule it cannot use, naming the variable', () => {
    const secret = 's'.repeat(32);
    expect(mini.loadReviewApiSettings({ CURSOR_SECRET: secret }).members).toEqual({ rule: { kind: 'claim', claim: 'custom:chimeMemberArn' }, serviceGroup: 'moderation-service' });
    const app = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
    expect(mini.loadReviewApiSettings({ CURSOR_SECRET: secret, MEMBER_IDENTITY: ` app-instance-user:${app} `, SERVICE_GROUP: 'chat-backend' }).members).toEqual({
      rule: { kind: 'app-instance-user', appInstanceArn: app },
      serviceGroup: 'chat-backend',
    });
    expect(mini.loadReviewApiSettings({ CURSOR_SECRET: secret, MEMBER_IDENTITY: 'claim:chime_arn' }).members.rule).toEqual({ kind: 'claim', claim: 'chime_arn' });
    for (const bad of ['claim:', 'sub', 'app-instance-user:arn:aws:chime:us-east-1:123456789012:app-instance/a/channel/c', 'app-instance-user:']) {
      expect(() => mini.loadReviewApiSettings({ CURSOR_SECRET: secret, MEMBER_IDENTITY: bad }), bad).toThrow(/MEMBER_IDENTITY/);
    }
  });

  it('loadLivePolicySettings', () => {
    const envs = corpus({}, { POLICY_REFRESH_SECONDS: [...NUMBERS, '0.1', '0.05', '0.5', '3600', '3600.5', '10'] });
    for (const env of envs) expect(outcome(mini.loadLivePolicySettings, env), JSON.stringify(env)).toEqual(outcome(classic.loadLivePolicySettings, env));
  });

  it('the corpus reaches the errors it is meant to compare', () => {
    // A comparison of two loaders that both always succeed would prove nothing.
    const failures = corpus(resources, { ...pipelineValues, DYNAMODB_ENDPOINT: URLS }).map((env) => outcome(mini.loadConfig, env)).filter((o) => 'error' in o);
    expect(failures.length).toBeGreaterThan(40);
    expect(failures.map((o) => ('error' in o ? o.error : '')).join('\n')).toMatch(/Invalid input: expected number, received NaN/);
  });
});
