import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callbackIdOf, sortKey } from '../../../src/adapters/table-keys.js';
import { loadReviewApiSettings } from '../../../src/config.js';
import type { FollowUpRecord } from '../../../src/domain/follow-up.js';
import { AdminRequiredError, ChimeActionError, ChimeBearerNotConfiguredError, ConfigurationError, FollowUpNotRecordedError } from '../../../src/errors.js';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from '../../../src/infra/definitions.js';
import { PROBLEM_BASE, toProblem } from '../../../src/http/problems.js';
import { AuditEntry } from '../../../src/review/responses.js';
import { MessageActionRequest } from '../../../src/review/schemas.js';
import { toActionAuditEntry } from '../../../src/review/views.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/general`;
const BEARER = `${APP}/bot/review-api`;

describe('action records on the audit index', () => {
  it('reads the table key back from a sort key, even when the key holds a "#" (ACTION#…)', () => {
    expect(callbackIdOf(sortKey('2026-01-01T00:00:00.000Z', 'ACTION#0f9e'))).toBe('ACTION#0f9e');
    expect(callbackIdOf(sortKey('2026-01-01T00:00:00.000Z', 'a'.repeat(48)))).toBe('a'.repeat(48));
  });
});

describe('an action as an audit-log line', () => {
  const base: FollowUpRecord = {
    callbackId: 'ACTION#1',
    kind: 'ACTION',
    action: 'REDACT_MESSAGE',
    origin: 'MODERATOR',
    actor: { id: 'sub-1', name: 'root' },
    reason: 'reported',
    requestedAt: '2026-01-01T00:00:00.000Z',
    channelArn: CHANNEL,
    messageId: 'm-1',
    bearer: BEARER,
    outcome: 'FAILED',
    completedAt: '2026-01-01T00:00:01.000Z',
    error: { type: 'NotFoundException', message: 'gone' },
    expiresAt: 1,
  };

  it('carries every member a decision line has, so readers written for decisions still read it', () => {
    const entry = toActionAuditEntry(base);
    expect(AuditEntry.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({ kind: 'ACTION', action: 'REDACT_MESSAGE', status: 'FAILED', sender: { arn: '' }, original: { content: '' }, policy: null, chimeError: { type: 'NotFoundException' } });
  });

  it('shows a ban with the member, the held message and the review it came from', () => {
    const ban: FollowUpRecord = {
      ...base,
      action: 'BAN_SENDER',
      outcome: 'DONE',
      member: { arn: `${APP}/user/mallory`, name: 'Mallory' },
      reviewCallbackId: 'c'.repeat(48),
      ruleIds: ['terms.review'],
      original: { content: 'refund!' },
      alreadyBanned: true,
    };
    delete ban.error;
    const entry = toActionAuditEntry(ban);
    expect(AuditEntry.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      sender: { arn: `${APP}/user/mallory`, name: 'Mallory' },
      target: { channelArn: CHANNEL, memberArn: `${APP}/user/mallory`, reviewCallbackId: 'c'.repeat(48), messageId: 'm-1' },
      ruleIds: ['terms.review'],
      original: { content: 'refund!' },
      alreadyBanned: true,
      status: 'DONE',
    });
    expect(entry.chimeError).toBeUndefined();
  });
});

describe('MessageActionRequest', () => {
  it.each([
    ['m', true],
    ['A-z_0-9', true],
    ['x'.repeat(128), true],
    ['', false],
    ['x'.repeat(129), false],
    ['a.b', false],
    ['a b', false],
  ])('MessageId %j is %s', (messageId, valid) => {
    expect(MessageActionRequest.safeParse({ channelArn: CHANNEL, messageId, reason: 'r' }).success).toBe(valid);
  });
});

describe('the problems of follow-up actions', () => {
  const target = { channelArn: CHANNEL, messageId: 'm-1' };
  const refused = (refusal: ChimeActionError['refusal'], errorType: string, operation: 'RedactChannelMessage' | 'DeleteChannelMessage' = 'RedactChannelMessage') =>
    new ChimeActionError(operation, refusal, errorType, 'what Chime said', BEARER, target);

  it.each([
    [refused('NOT_FOUND', 'NotFoundException'), 404, 'not-found', /Chime has no message m-1 in channel .*FAILED/],
    [refused('CONFLICT', 'ConflictException'), 409, 'chime-conflict', /still in the channel flow cannot be redacted/],
    [refused('BAD_REQUEST', 'BadRequestException'), 400, 'chime-bad-request', /as invalid \(BadRequestException: what Chime said\)/],
    [refused('FORBIDDEN', 'ForbiddenException', 'DeleteChannelMessage'), 502, 'chime-bearer-forbidden', /bearer .*bot\/review-api .*deleting needs an AppInstanceAdmin/],
    [refused('BUSY', 'ThrottledClientException'), 503, 'chime-unavailable', /turned RedactChannelMessage away .*Nothing was changed/],
    [refused('UNCONFIRMED', 'ServiceFailureException'), 503, 'chime-unavailable', /may or may not have happened/],
    [new ChimeBearerNotConfiguredError('CreateChannelBan', CHANNEL), 503, 'chime-bearer-not-configured', /chimeBearerArn \(CHIME_BEARER_ARN\) is not set.*Nothing was done or recorded/],
    [new FollowUpNotRecordedError('ACTION#1', 'BAN_SENDER', 'Chime banned x from y', {}), 500, 'action-not-recorded', /^Chime banned x from y, but .* as REQUESTED/],
  ] as const)('maps %s to %i %s', (error, status, type, detail) => {
    const body = toProblem(error);
    expect(body).toMatchObject({ status, type: `${PROBLEM_BASE}${type}` });
    expect(body.detail).toMatch(detail);
  });

  it('says what Chime answered, to whom, without the bearer unless it is the bearer that was refused', () => {
    expect(toProblem(refused('NOT_FOUND', 'NotFoundException'))).toMatchObject({ operation: 'RedactChannelMessage', chimeErrorType: 'NotFoundException', chimeMessage: 'what Chime said', ...target });
    expect(toProblem(refused('NOT_FOUND', 'NotFoundException')).bearer).toBeUndefined();
    expect(toProblem(refused('FORBIDDEN', 'ForbiddenException')).bearer).toBe(BEARER);
  });

  it("tells a moderator what the admins-only route is about, and keeps the policies' wording elsewhere", () => {
    expect(toProblem(new AdminRequiredError('s', ['admins'], 'Only admins may redact or delete sent messages.')).detail).toBe('Only admins may redact or delete sent messages.');
    expect(toProblem(new AdminRequiredError('s', ['admins'])).detail).toMatch(/may read and test policies/);
  });
});

describe('CHIME_BEARER_ARN', () => {
  const env = { CURSOR_SECRET: 'x'.repeat(32) };
  it.each([`${APP}/user/review-api`, `${APP}/bot/moderation`, '{appInstanceArn}/bot/moderation', 'arn:aws-us-gov:chime:us-gov-west-1:123456789012:app-instance/a/user/b'])('accepts %s', (value) => {
    expect(loadReviewApiSettings({ ...env, CHIME_BEARER_ARN: value }).chimeBearerArn).toBe(value);
  });

  it('is optional (empty means unset)', () => {
    expect(loadReviewApiSettings({ ...env, CHIME_BEARER_ARN: '' }).chimeBearerArn).toBeUndefined();
  });

  it.each([CHANNEL, `${APP}`, 'review-api', `${APP}/user/`, '{appInstanceArn}/channel/x', `${APP}/user/a/b`])('refuses %s, naming the variable', (value) => {
    expect(() => loadReviewApiSettings({ ...env, CHIME_BEARER_ARN: value })).toThrow(ConfigurationError);
    expect(() => loadReviewApiSettings({ ...env, CHIME_BEARER_ARN: value })).toThrow(/CHIME_BEARER_ARN must be an AppInstanceUser or AppInstanceBot ARN/);
  });
});

describe('serverless.yml: the follow-up actions', () => {
  type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const doc = parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as any;
  const statements = (role: string): Statement[] => doc.resources.Resources[role].Properties.Policies.flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const FOLLOW_UPS = ['chime:CreateChannelBan', 'chime:DeleteChannelMessage', 'chime:RedactChannelMessage'];

  it("grants the review API's role exactly ban, redact and delete, and the reads that settle them, on the app instance's channels and nothing wider", () => {
    // SenderBans (src/senders: escalation bans and their end) is checked below with the other roles that ban.
    const granting = statements('ReviewApiRole').filter((s) => s.Sid !== 'SenderBans' && actions(s).some((a) => FOLLOW_UPS.includes(a) || a === 'chime:*'));
    expect(granting).toHaveLength(1);
    // Each action whose answer is lost is settled by reading Chime's state back (BRIEF.md invariant 6).
    expect(actions(granting[0]!).sort()).toEqual([...FOLLOW_UPS, 'chime:DescribeChannelBan', 'chime:GetChannelMessage'].sort());
    expect(granting[0]!.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:chime:${AWS::Region}:${AWS::AccountId}:app-instance/${param:appInstanceId}/channel/*' });
    expect(granting[0]!.Condition).toBeUndefined();
  });

  it('gives no other role those actions, but bans (and their end, and its read-back) to the roles that apply escalation steps, and the sweeper a case decision\'s redaction or deletion to settle', () => {
    for (const role of Object.keys(doc.resources.Resources).filter((r) => r !== 'ReviewApiRole' && doc.resources.Resources[r].Type === 'AWS::IAM::Role')) {
      for (const statement of statements(role)) {
        if (statement.Sid === 'SenderBans') continue;
        // The sweeper's Cases task settles a decided case's REDACT / DELETE whose answer was lost (a read-back first).
        if (role === 'SweeperRole' && statement.Sid === 'CaseChimeActions') {
          expect(actions(statement).sort()).toEqual(['chime:DeleteChannelMessage', 'chime:GetChannelMessage', 'chime:RedactChannelMessage']);
          expect(statement.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:chime:${AWS::Region}:${AWS::AccountId}:app-instance/${param:appInstanceId}/channel/*' });
          continue;
        }
        for (const action of actions(statement)) expect(FOLLOW_UPS, `${role} ${action}`).not.toContain(action);
      }
    }
    for (const role of ['WorkerRole', 'SweeperRole', 'ReviewApiRole']) {
      const [bans, ...more] = statements(role).filter((s) => s.Sid === 'SenderBans');
      expect(more).toEqual([]);
      expect(actions(bans!).sort()).toEqual(['chime:CreateChannelBan', 'chime:DeleteChannelBan', 'chime:DescribeChannelBan']);
      expect(bans!.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:chime:${AWS::Region}:${AWS::AccountId}:app-instance/${param:appInstanceId}/channel/*' });
    }
  });

  it('lets the review API put items only under ACTION# (its action records)', () => {
    const puts = statements('ReviewApiRole').filter((s) => actions(s).includes('dynamodb:PutItem') && JSON.stringify(s.Resource).includes('ModerationTable'));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ACTION#*'] } });
  });

  it('sets CHIME_BEARER_ARN from the chimeBearerArn stage param, unset by default', () => {
    expect(doc.params.default.chimeBearerArn).toBe('');
    expect(doc.functions.reviewApi.environment.CHIME_BEARER_ARN).toBe('${param:chimeBearerArn}');
  });
});
