import { describe, expect, it } from 'vitest';
import { addPermissionCommand, evaluateChimeInvokeGrant, intakeInvokePolicy, type PolicyStatement, type ResourcePolicy } from '../../src/infra/invoke-permission.js';

const FN = 'arn:aws:lambda:eu-west-1:111122223333:function:chime-flow-moderation-prod-intake';
const APP = 'arn:aws:chime:eu-west-1:111122223333:app-instance/abc';
const question = { functionArn: FN, appInstanceArn: APP, account: '111122223333' };

const grant = (condition?: PolicyStatement['Condition'], extra: Partial<PolicyStatement> = {}): ResourcePolicy => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 's1', Effect: 'Allow', Principal: { Service: 'messaging.chime.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN, ...(condition ? { Condition: condition } : {}), ...extra },
  ],
});

describe("serverless.yml's grant", () => {
  it('is read as Lambda would store it, with the stage params resolved', () => {
    expect(intakeInvokePolicy({ functionArn: FN, region: 'eu-west-1', account: '111122223333' })).toEqual({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [
        {
          Sid: 'IntakeChimeInvokePermission',
          Effect: 'Allow',
          Principal: { Service: 'messaging.chime.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: FN,
          Condition: { StringEquals: { 'AWS:SourceAccount': '111122223333' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:chime:eu-west-1:111122223333:app-instance/*' } },
        },
      ],
    });
    const scoped = intakeInvokePolicy({ functionArn: FN, region: 'eu-west-1', account: '111122223333', params: { appInstanceId: 'abc' } });
    expect(scoped.Statement[0]?.Condition?.ArnLike).toEqual({ 'AWS:SourceArn': APP });
  });
});

describe('evaluateChimeInvokeGrant', () => {
  it('allows a grant scoped to the account and the AppInstance, without warnings', () => {
    const verdict = evaluateChimeInvokeGrant(grant({ StringEquals: { 'AWS:SourceAccount': '111122223333' }, ArnLike: { 'AWS:SourceArn': APP } }), question);
    expect(verdict).toMatchObject({ allowed: true, warnings: [] });
    expect(verdict.reason).toBe(`statement s1 lets messaging.chime.amazonaws.com invoke it (SourceAccount 111122223333, SourceArn ${APP})`);
  });

  it('warns about grants wider than seed 000 recommends', () => {
    expect(evaluateChimeInvokeGrant(grant(), question).warnings).toEqual([
      expect.stringContaining('not scoped with AWS:SourceAccount'),
      expect.stringContaining('not scoped with AWS:SourceArn'),
    ]);
    const wildcard = evaluateChimeInvokeGrant(grant({ StringEquals: { 'aws:sourceaccount': '111122223333' }, ArnLike: { 'aws:SourceArn': 'arn:aws:chime:eu-west-1:111122223333:app-instance/*' } }), question);
    expect(wildcard).toMatchObject({ allowed: true, warnings: [expect.stringContaining('every AppInstance')] });
  });

  it('refuses when the grant names another account, another AppInstance, another function or principal', () => {
    expect(evaluateChimeInvokeGrant(grant({ StringEquals: { 'AWS:SourceAccount': '999999999999' } }), question)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('AWS:SourceAccount 111122223333 does not match 999999999999'),
    });
    expect(evaluateChimeInvokeGrant(grant({ ArnLike: { 'AWS:SourceArn': 'arn:aws:chime:eu-west-1:111122223333:app-instance/other' } }), question).allowed).toBe(false);
    expect(evaluateChimeInvokeGrant(grant(undefined, { Resource: `${FN}-other` }), question).allowed).toBe(false);
    expect(evaluateChimeInvokeGrant(grant(undefined, { Principal: { Service: 'sns.amazonaws.com' } }), question).allowed).toBe(false);
    expect(evaluateChimeInvokeGrant(grant(undefined, { Action: 'lambda:GetFunction' }), question).allowed).toBe(false);
  });

  it('refuses with no policy, a deny, or a condition Chime cannot satisfy', () => {
    expect(evaluateChimeInvokeGrant(undefined, question)).toMatchObject({ allowed: false, reason: expect.stringContaining('no resource policy') });
    const denied: ResourcePolicy = { Version: '2012-10-17', Statement: [...grant().Statement, { ...grant().Statement[0]!, Sid: 'no', Effect: 'Deny' }] };
    expect(evaluateChimeInvokeGrant(denied, question)).toMatchObject({ allowed: false, reason: 'statement no denies it' });
    expect(evaluateChimeInvokeGrant(grant({ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }), question)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('is not one Chime sets'),
    });
  });

  it('accepts wildcard actions and resources, but not a grant on a qualified ARN (Chime invokes the unqualified one)', () => {
    expect(evaluateChimeInvokeGrant(grant(undefined, { Resource: `${FN}:live` }), question).allowed).toBe(false);
    expect(evaluateChimeInvokeGrant(grant(undefined, { Action: ['lambda:*'], Resource: [FN] }), question).allowed).toBe(true);
    expect(evaluateChimeInvokeGrant(grant(undefined, { Resource: 'arn:aws:lambda:eu-west-1:111122223333:function:*' }), question).allowed).toBe(true);
  });

  it('says how to add the grant', () => {
    expect(addPermissionCommand(question)).toBe(
      `aws lambda add-permission --function-name ${FN} --statement-id chime-messaging-invoke --action lambda:InvokeFunction --principal messaging.chime.amazonaws.com --source-account 111122223333 --source-arn ${APP}`,
    );
  });
});
