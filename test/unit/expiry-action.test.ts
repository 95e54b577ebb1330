import { describe, expect, it } from 'vitest';
import { CALLBACK_LIMITS_RULE } from '../../src/domain/callback.js';
import { expiryActionFor } from '../../src/sweeper/sweep.js';

const held = (findings: Array<{ ruleId: string; action: 'ALLOW' | 'UPDATE' | 'DENY' | 'REVIEW' }>) => ({
  policy: { action: 'REVIEW' as const, ruleIds: findings.map((f) => f.ruleId), reason: 'r', findings: findings.map((f) => ({ ...f, reason: 'r' })) },
});

describe('expiryActionFor', () => {
  it('is the configured action for a message a moderator simply did not get to', () => {
    expect(expiryActionFor(held([{ ruleId: 'terms.review', action: 'REVIEW' }]), 'ALLOW')).toBe('ALLOW');
    expect(expiryActionFor({}, 'ALLOW')).toBe('ALLOW');
  });

  it('denies a message held because the policy meant to mask or refuse it and Chime would not take that: never published as it was', () => {
    expect(expiryActionFor(held([{ ruleId: 'pii.email', action: 'UPDATE' }, { ruleId: CALLBACK_LIMITS_RULE, action: 'REVIEW' }]), 'ALLOW')).toBe('DENY');
  });

  it('keeps the configured action for a long message the policy was only going to allow', () => {
    expect(expiryActionFor(held([{ ruleId: CALLBACK_LIMITS_RULE, action: 'REVIEW' }]), 'ALLOW')).toBe('ALLOW');
  });
});
