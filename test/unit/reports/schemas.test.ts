import { describe, expect, it } from 'vitest';
import { CaseActionRequest, CaseDecisionRequest, CaseIdParams, CasesQuery, ReportRequest } from '../../../src/reports/schemas.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const report = { channelArn: `${APP}/channel/general`, messageId: 'm-1', category: 'spam' };
const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => (result.error?.issues ?? []).map((i) => i.path.join('.'));

describe('the reports room’s requests', () => {
  it('takes a report with a category from the policy’s list, and an optional note', () => {
    expect(ReportRequest.safeParse(report).success).toBe(true);
    expect(ReportRequest.safeParse({ ...report, category: 'self-harm', note: '  they said it twice  ' }).data).toMatchObject({ note: 'they said it twice' });
  });

  it('refuses content sent by the reporter, and any other unknown field', () => {
    const forged = ReportRequest.safeParse({ ...report, content: 'something the sender never wrote' });
    expect(forged.success).toBe(false);
    expect(ReportRequest.safeParse({ ...report, sender: `${APP}/user/bob` }).success).toBe(false);
  });

  it('names every bad field', () => {
    const bad = ReportRequest.safeParse({ channelArn: 'arn:aws:s3:::bucket', messageId: '../x', category: 'rude', note: 'x'.repeat(1001), memberArn: 'someone' });
    expect(issues(bad).sort()).toEqual(['category', 'channelArn', 'memberArn', 'messageId', 'note']);
    expect(issues(ReportRequest.safeParse({ ...report, note: '   ' }))).toEqual(['note']);
    expect(issues(ReportRequest.safeParse({}))).toEqual(expect.arrayContaining(['channelArn', 'messageId', 'category']));
  });

  it('takes a decision DISMISS, REDACT or DELETE with a reason of 1-500 characters', () => {
    expect(CaseDecisionRequest.safeParse({ action: 'REDACT', reason: 'spam', expectedVersion: 3 }).success).toBe(true);
    expect(issues(CaseDecisionRequest.safeParse({ action: 'BAN', reason: '' }))).toEqual(['action', 'reason']);
    expect(issues(CaseDecisionRequest.safeParse({ action: 'DISMISS', reason: 'x'.repeat(501), expectedVersion: 0 }))).toEqual(['reason', 'expectedVersion']);
  });

  it('takes `for` and `scope` only with BAN_SENDER, and a duration the policy language knows', () => {
    expect(CaseActionRequest.safeParse({ type: 'BAN_SENDER', reason: 'again', for: '24h', scope: 'app-instance' }).success).toBe(true);
    expect(issues(CaseActionRequest.safeParse({ type: 'NOTIFY_SENDER', reason: 'please stop', for: '1h' }))).toEqual(['for']);
    expect(issues(CaseActionRequest.safeParse({ type: 'BAN_SENDER', reason: 'x', for: 'forever' }))).toEqual(['for']);
    expect(issues(CaseActionRequest.safeParse({ type: 'BAN_SENDER', reason: 'x', for: '0h' }))).toEqual(['for']);
  });

  it('lists cases OPEN and by deadline unless asked otherwise', () => {
    expect(CasesQuery.parse({})).toEqual({ status: 'OPEN', order: 'deadline', limit: 25 });
    expect(issues(CasesQuery.safeParse({ status: 'open', order: 'newest', limit: '0', category: 'x' })).sort()).toEqual(['category', 'limit', 'order', 'status']);
  });

  it('knows a case id when it sees one', () => {
    expect(CaseIdParams.safeParse({ caseId: 'a'.repeat(32) }).success).toBe(true);
    expect(CaseIdParams.safeParse({ caseId: 'a'.repeat(31) }).success).toBe(false);
    expect(CaseIdParams.safeParse({ caseId: `${'a'.repeat(31)}#` }).success).toBe(false);
  });
});
