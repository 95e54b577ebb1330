import { describe, expect, it } from 'vitest';
import { loadConfig, loadPipelineSettings } from '../../src/config.js';
import { ConfigurationError } from '../../src/errors.js';

const resources = { TABLE_NAME: 't', CONTROL_TABLE_NAME: 'c', WORK_QUEUE_URL: 'http://q', INTAKE_DLQ_URL: 'http://dlq' };

describe('configuration', () => {
  it('defaults to Chime\'s 48-hour window, a DENY expiry policy and the bundled policy', () => {
    expect(loadPipelineSettings({})).toEqual({
      callbackWindowSeconds: 172_800,
      expiryMarginSeconds: 3_600,
      expiryAction: 'DENY',
      stuckAfterSeconds: 300,
      retentionDays: 30,
      shards: { status: 32, audit: 16, counters: 32 },
    });
  });

  it('reads every setting from the environment, treating empty strings as unset', () => {
    const config = loadConfig({
      ...resources,
      CALLBACK_WINDOW_SECONDS: '30',
      EXPIRY_MARGIN_SECONDS: '10',
      EXPIRY_ACTION: 'allow',
      POLICY_FILE: '',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SQS_ENDPOINT: '',
    });
    expect(config).toMatchObject({ callbackWindowSeconds: 30, expiryMarginSeconds: 10, expiryAction: 'ALLOW', tableName: 't', endpoints: { dynamodb: 'http://127.0.0.1:8000' } });
    expect(config.policyFile).toBeUndefined();
    expect(config.endpoints.sqs).toBeUndefined();
  });

  it.each([
    [{ CALLBACK_WINDOW_SECONDS: 'soon' }, /CALLBACK_WINDOW_SECONDS/],
    [{ EXPIRY_ACTION: 'MAYBE' }, /EXPIRY_ACTION/],
    [{ EXPIRY_MARGIN_SECONDS: '-1' }, /EXPIRY_MARGIN_SECONDS/],
    [{ CALLBACK_WINDOW_SECONDS: '60', EXPIRY_MARGIN_SECONDS: '60' }, /EXPIRY_MARGIN_SECONDS \(60\) must be smaller than CALLBACK_WINDOW_SECONDS/],
  ])('fails fast and names the variable: %o', (env, message) => {
    expect(() => loadPipelineSettings(env)).toThrow(message);
    expect(() => loadPipelineSettings(env)).toThrow(ConfigurationError);
  });

  it('names each missing resource variable', () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME.*CONTROL_TABLE_NAME.*WORK_QUEUE_URL.*INTAKE_DLQ_URL/);
  });
});
