import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from '../../../src/infra/definitions.js';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** serverless.yml's IAM for live policies: the worker, the sweeper and the review API read, the policy API reads and writes, all only under POLICY#. */
describe('least privilege on the ControlTable', () => {
  const doc = parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as { resources: { Resources: Record<string, any> } };
  const statements = (role: string): Statement[] => doc.resources.Resources[role].Properties.Policies.flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
  const onControlTable = (role: string) => statements(role).filter((s) => JSON.stringify(s.Resource).includes('ControlTable'));
  const policyStatements = (role: string) => onControlTable(role).filter((s) => JSON.stringify(s.Condition ?? {}).includes('POLICY#'));
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

  it('lets the worker only read policy heads (BatchGetItem) and documents (Query)', () => {
    const [statement, ...more] = policyStatements('WorkerRole');
    expect(more).toEqual([]);
    expect(actions(statement!).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    expect(statement!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POLICY#*'] } });
  });

  it('lets the policy API read and write policies, with conditional puts, but never scan or update in place', () => {
    const [statement, ...more] = policyStatements('PolicyApiRole');
    expect(more).toEqual([]);
    expect(actions(statement!).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(statement!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POLICY#*'] } });
    // Nothing else on the ControlTable (no statistics counters) but the classifiers' shared budget:
    // a conditional ADD under BUDGET# keys (the test box's and capped replays' provider calls).
    const budget = statements('PolicyApiRole').find((s) => s.Sid === 'ClassifierBudget');
    expect(actions(budget!)).toEqual(['dynamodb:UpdateItem']);
    expect(budget!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BUDGET#*'] } });
    expect(onControlTable('PolicyApiRole')).toEqual([statement, budget]);
  });

  it('lets the review API and the sweeper only read policies (their community settings): the policy API is the only writer', () => {
    for (const role of ['ReviewApiRole', 'SweeperRole']) {
      const [statement, ...more] = policyStatements(role);
      expect(more).toEqual([]);
      expect(actions(statement!).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
      expect(statement!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['POLICY#*'] } });
    }
    // Every other statement on the ControlTable is held to key prefixes (never the whole table).
    for (const statement of onControlTable('ReviewApiRole')) expect(JSON.stringify(statement.Condition)).toContain('dynamodb:LeadingKeys');
  });

  it('lets the policy API only read the moderation table (replays): index queries and batch reads, no write, no scan', () => {
    const onModerationTable = statements('PolicyApiRole').filter((s) => JSON.stringify(s.Resource).includes('ModerationTable'));
    expect(onModerationTable.flatMap(actions).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    const queried = onModerationTable.filter((s) => actions(s).includes('dynamodb:Query')).flatMap((s) => s.Resource as unknown[]);
    expect(JSON.stringify(queried)).toMatch(/index\/byLiveDue/);
    expect(JSON.stringify(queried)).toMatch(/index\/byAuditShard/);
    for (const resource of queried) expect(JSON.stringify(resource)).toMatch(/\/index\//);
  });

  it('gives no role a Scan on the ControlTable', () => {
    for (const role of Object.keys(doc.resources.Resources).filter((r) => doc.resources.Resources[r].Type === 'AWS::IAM::Role')) {
      for (const statement of onControlTable(role)) expect(actions(statement)).not.toContain('dynamodb:Scan');
    }
  });
});
