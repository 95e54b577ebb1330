import { describe, expect, it } from 'vitest';
import { explainProblem } from '../../../console/src/lib/problems.js';

const clock = { nowMs: Date.parse('2026-01-31T12:00:00Z'), timeZone: 'UTC' };
const base = 'https://chime-flow-moderation.dev/problems/';

describe('refusals in plain words', () => {
  it('a 409 already-decided says who decided what, when and why', () => {
    const e = explainProblem(
      { type: `${base}already-decided`, status: 409, decidedBy: { id: 's', name: 'bob' }, action: 'DENY', origin: 'MODERATOR', decidedAt: '2026-01-31T11:58:03Z', reason: 'spam', itemStatus: 'DELIVERED' },
      clock,
    );
    expect(e).toEqual({
      kind: 'already-decided',
      title: 'Someone decided first',
      message: 'bob already decided DENY at 11:58:03 (2026-01-31 11:58:03). Reason: “spam”. The message is now DELIVERED. Your decision was not applied; nothing changed.',
    });
    expect(explainProblem({ type: `${base}already-decided`, decidedBy: { id: 'sweeper', name: 'sweeper' }, action: 'DENY', origin: 'EXPIRY', decidedAt: '2026-01-31T11:00:00Z' }, clock).message).toMatch(/^The sweeper \(expiry policy\) already decided DENY/);
  });

  it('a claim conflict names the holder and until when', () => {
    expect(explainProblem({ type: `${base}claim-conflict`, claimedBy: { subject: 's', username: 'alice' }, until: '2026-01-31T12:05:00Z' }, clock).message).toMatch(/^alice is working on this message until 12:05:00/);
  });

  it('a 410 says the deadline passed', () => {
    expect(explainProblem({ type: `${base}deadline-passed`, status: 410, deadline: '2026-01-30T12:00:00Z' }, clock)).toMatchObject({ kind: 'deadline-passed', title: 'The deadline passed' });
  });

  it('a 403 says the account is in neither group', () => {
    expect(explainProblem({ type: `${base}forbidden`, status: 403, requiredGroups: ['moderators', 'admins'] }, clock).message).toMatch(/neither the moderators nor the admins group/);
  });

  it('anything else keeps the API’s words and the request id', () => {
    expect(explainProblem({ status: 500, title: 'Internal error', detail: 'Quote the request id.', requestId: 'r-1' }, clock)).toEqual({ kind: 'other', title: 'Internal error', message: 'Quote the request id. (request id r-1)' });
  });
});
