import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGuard } from '../../src/infra/cfn-guard.js';

/** The real cfn-guard binary and Control Tower rules, on small templates with known answers. */
describe('runGuard (cfn-guard with the AWS Control Tower rules)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-guard-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const validate = (resources: Record<string, unknown>) => {
    const file = join(dir, `t${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }));
    return runGuard(file);
  };
  const key = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };

  it('names the resources that fail, and only those, by rule and control', () => {
    const result = validate({
      Plain: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
      Encrypted: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Key: key,
    });
    const found = result.failures.filter((f) => f.rule.startsWith('cloudwatch_log_group')).map((f) => [f.control, f.rule, f.resource]);
    expect(found).toEqual([
      ['CT.CLOUDWATCH.PR.2', 'cloudwatch_log_group_retention_period_check', 'Plain'],
      ['CT.CLOUDWATCH.PR.3', 'cloudwatch_log_group_encrypted_check', 'Plain'],
    ]);
  });

  it('cannot read an Fn::If: an alarm whose actions are conditional fails, one with a list of an If passes', () => {
    const alarm = (actions: unknown) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: actions } });
    const result = validate({
      Conditional: alarm({ 'Fn::If': ['C', ['arn:aws:sns:us-east-1:123456789012:t'], { Ref: 'AWS::NoValue' }] }),
      Listed: alarm([{ 'Fn::If': ['C', 'arn:aws:sns:us-east-1:123456789012:t', { Ref: 'Topic' }] }]),
    });
    expect(result.failures.filter((f) => f.rule === 'cloudwatch_alarm_action_check').map((f) => f.resource)).toEqual(['Conditional']);
  });

  it('passes a compliant template, with every rule either passing or not applying', () => {
    const table = {
      Type: 'AWS::DynamoDB::Table',
      Properties: { BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { SSEEnabled: true } },
    };
    const result = validate({ Table: table });
    expect(result.failures).toEqual([]);
    expect(result.passed).toEqual(expect.arrayContaining(['dynamodb_table_pitr_enabled_check', 'dynamodb_table_encrypted_kms_check']));
    expect(result.notApplicable.length).toBeGreaterThan(100);
  });
});
