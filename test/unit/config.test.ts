import { describe, expect, it } from 'vitest';
import { CHIME_TIMEOUTS, LONGEST_CALLBACK_MS } from '../../src/adapters/chime-calls.js';
import { deadlineProblems, loadConfig, loadPipelineSettings, LONGEST_CALLBACK_SECONDS } from '../../src/config.js';
import { DEFAULT_LEASE_SECONDS } from '../../src/pipeline/decide.js';
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
      sweepIntervalSeconds: 60,
      workQueueRetentionSeconds: 345_600,
      shards: { status: 32, audit: 16, counters: 32 },
    });
  });

  it('reads every setting from the environment, treating empty strings as unset', () => {
    const config = loadConfig({
      ...resources,
      CALLBACK_WINDOW_SECONDS: '600',
      EXPIRY_MARGIN_SECONDS: '30',
      SWEEP_INTERVAL_SECONDS: '2',
      EXPIRY_ACTION: 'allow',
      POLICY_FILE: '',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SQS_ENDPOINT: '',
    });
    expect(config).toMatchObject({ callbackWindowSeconds: 600, expiryMarginSeconds: 30, sweepIntervalSeconds: 2, expiryAction: 'ALLOW', tableName: 't', endpoints: { dynamodb: 'http://127.0.0.1:8000' } });
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

  describe('refuses settings that break the deadline invariant, in one line that names the variable and the rule', () => {
    it.each([
      ['no margin at all', { EXPIRY_MARGIN_SECONDS: '0' }, /^Invalid configuration: EXPIRY_MARGIN_SECONDS \(0\) must be greater than SWEEP_INTERVAL_SECONDS \(60\) \+ the longest callback \(\d+s\) = \d+s/],
      ['a margin no longer than the sweep interval plus a callback', { EXPIRY_MARGIN_SECONDS: String(60 + LONGEST_CALLBACK_SECONDS) }, /EXPIRY_MARGIN_SECONDS \(\d+\) must be greater than SWEEP_INTERVAL_SECONDS/],
      ['a sweep interval that eats the margin', { SWEEP_INTERVAL_SECONDS: '3600' }, /EXPIRY_MARGIN_SECONDS \(3600\) must be greater than SWEEP_INTERVAL_SECONDS \(3600\)/],
      ['stuck after 0 seconds', { STUCK_AFTER_SECONDS: '0' }, /STUCK_AFTER_SECONDS \(0\) must be greater than 0/],
      ['a retention shorter than the window plus the queue retention', { RETENTION_DAYS: '5' }, /RETENTION_DAYS \(5\) must be at least CALLBACK_WINDOW_SECONDS \(172800\) \+ WORK_QUEUE_RETENTION_SECONDS \(345600\) = 6 days/],
    ])('%s', (_name, env, message) => {
      expect(() => loadPipelineSettings(env)).toThrow(message);
      expect(() => loadPipelineSettings(env)).toThrow(ConfigurationError);
      expect(() => loadConfig({ ...resources, ...env })).toThrow(message);
      // One line: a person reads it in a terminal or a log.
      try {
        loadPipelineSettings(env);
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    });

    it('accepts the smallest margin that keeps the rule, and the shortest retention', () => {
      expect(loadPipelineSettings({ EXPIRY_MARGIN_SECONDS: String(60 + LONGEST_CALLBACK_SECONDS + 1), RETENTION_DAYS: '6' })).toMatchObject({ retentionDays: 6 });
      expect(deadlineProblems({ callbackWindowSeconds: 172_800, expiryMarginSeconds: 3_600, stuckAfterSeconds: 300, retentionDays: 30, sweepIntervalSeconds: 60, workQueueRetentionSeconds: 345_600 })).toEqual([]);
    });

    it('measures the longest callback from the Chime client\'s own timeouts, and the delivery lease covers it', () => {
      expect(LONGEST_CALLBACK_SECONDS).toBe(Math.ceil(LONGEST_CALLBACK_MS / 1000));
      expect(LONGEST_CALLBACK_MS).toBeGreaterThan(CHIME_TIMEOUTS.requestMs);
      expect(DEFAULT_LEASE_SECONDS * 1000).toBeGreaterThan(LONGEST_CALLBACK_MS);
    });
  });

  it('names each missing resource variable', () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME.*CONTROL_TABLE_NAME.*WORK_QUEUE_URL.*INTAKE_DLQ_URL/);
  });
});
