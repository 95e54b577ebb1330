import { describe, expect, it } from 'vitest';
import { BulkDecisionRequest, CallbackIdSchema, ClaimRequest, DecisionRequest, DecisionsQuery, ReviewsQuery } from '../../../src/review/schemas.js';

const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  result.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('DecisionRequest', () => {
  it('accepts each action with what it may carry', () => {
    expect(DecisionRequest.safeParse({ action: 'ALLOW' }).success).toBe(true);
    expect(DecisionRequest.safeParse({ action: 'DENY', reason: 'spam' }).success).toBe(true);
    expect(DecisionRequest.safeParse({ action: 'UPDATE', content: 'x', metadata: '', messageAttributes: { a: { StringValues: ['b'] } }, pushNotification: { title: 't', body: 'b', type: 'VOIP' }, expectedVersion: 4 }).success).toBe(true);
  });

  it('counts content and metadata in UTF-8 bytes, as Chime does', () => {
    expect(DecisionRequest.safeParse({ action: 'UPDATE', content: 'a'.repeat(4096) }).success).toBe(true);
    expect(issues(DecisionRequest.safeParse({ action: 'UPDATE', content: '€'.repeat(1366) }))).toEqual(['content']); // 4098 bytes
    expect(issues(DecisionRequest.safeParse({ action: 'UPDATE', metadata: 'é'.repeat(513) }))).toEqual(['metadata']); // 1026 bytes
  });

  it('enforces the push notification limits (title 50, body 150)', () => {
    expect(DecisionRequest.safeParse({ action: 'UPDATE', pushNotification: { title: 't'.repeat(50), body: 'b'.repeat(150) } }).success).toBe(true);
    expect(issues(DecisionRequest.safeParse({ action: 'UPDATE', pushNotification: { title: 't'.repeat(51), body: 'b'.repeat(151) } }))).toEqual(['pushNotification.title', 'pushNotification.body']);
  });

  it('requires a reason to deny, an edit to update, and no edits otherwise', () => {
    expect(issues(DecisionRequest.safeParse({ action: 'DENY' }))).toEqual(['reason']);
    expect(issues(DecisionRequest.safeParse({ action: 'UPDATE' }))).toEqual(['action']);
    expect(issues(DecisionRequest.safeParse({ action: 'ALLOW', content: 'x' }))).toEqual(['content']);
  });

  it('rejects unknown fields', () => {
    expect(DecisionRequest.safeParse({ action: 'ALLOW', extra: 1 }).success).toBe(false);
  });
});

describe('BulkDecisionRequest', () => {
  const id = (n: number) => String(n).padStart(32, '0');
  it('takes 1 to 25 distinct decisions', () => {
    expect(BulkDecisionRequest.safeParse({ decisions: [{ callbackId: id(1), action: 'ALLOW' }] }).success).toBe(true);
    expect(BulkDecisionRequest.safeParse({ decisions: Array.from({ length: 25 }, (_, i) => ({ callbackId: id(i), action: 'ALLOW' })) }).success).toBe(true);
    expect(BulkDecisionRequest.safeParse({ decisions: Array.from({ length: 26 }, (_, i) => ({ callbackId: id(i), action: 'ALLOW' })) }).success).toBe(false);
    expect(issues(BulkDecisionRequest.safeParse({ decisions: [{ callbackId: id(1), action: 'ALLOW' }, { callbackId: id(1), action: 'ALLOW' }] }))).toEqual(['decisions.1.callbackId']);
  });
});

describe('parameters', () => {
  it('takes CallbackIds of 32-64 characters of [A-Za-z0-9_-]', () => {
    expect(CallbackIdSchema.safeParse('a'.repeat(32)).success).toBe(true);
    expect(CallbackIdSchema.safeParse('A-_9'.repeat(16)).success).toBe(true);
    for (const bad of ['a'.repeat(31), 'a'.repeat(65), `${'a'.repeat(40)}/..`, `${'a'.repeat(40)} x`]) expect(CallbackIdSchema.safeParse(bad).success).toBe(false);
  });

  it('reads limit strictly: whole numbers from 1 to 100, default 25', () => {
    expect(ReviewsQuery.parse({}).limit).toBe(25);
    expect(ReviewsQuery.parse({ limit: '100' }).limit).toBe(100);
    for (const bad of ['0', '101', '', ' 5', '1e1', '5.0', '-1', 'ten']) expect(ReviewsQuery.safeParse({ limit: bad }).success, bad).toBe(false);
  });

  it('defaults leaseSeconds to 300 and caps it at 3600', () => {
    expect(ClaimRequest.parse({}).leaseSeconds).toBe(300);
    expect(ClaimRequest.safeParse({ leaseSeconds: 3600 }).success).toBe(true);
    expect(ClaimRequest.safeParse({ leaseSeconds: 3601 }).success).toBe(false);
  });

  it('refuses a time range that ends before it starts', () => {
    expect(DecisionsQuery.safeParse({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).success).toBe(false);
    expect(DecisionsQuery.safeParse({ from: '2026-01-01T00:00:00+02:00', to: '2026-01-01T00:00:00Z' }).success).toBe(true);
  });
});
