import { describe, expect, it } from 'vitest';
import type { Strike } from '../../../src/domain/people.js';
import type { EscalationStep } from '../../../src/policy/community.js';
import {
  appliesTo,
  covers,
  escalationKeyOf,
  escalationPlan,
  MAX_RESTRICTION_EVENTS,
  needsApproval,
  placementOf,
  restrictionIdOf,
  standingOf,
  stepFor,
  withEvent,
  type RestrictionEvent,
  type RestrictionRecord,
} from '../../../src/senders/model.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const CHANNEL = `${APP}/channel/general`;
const OTHER = `${APP}/channel/random`;
const MEMBER = `${APP}/user/mallory`;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3600;
const DAY = 86_400;

let n = 0;
function strike(hoursAgo: number, extra: Partial<Strike> = {}): Strike {
  n += 1;
  const at = new Date(NOW - hoursAgo * HOUR * 1000).toISOString();
  return {
    id: `rule:cb${n}`,
    member: { appInstanceArn: APP, memberArn: MEMBER },
    source: { kind: 'rule', callbackId: `cb${n}`, ruleIds: ['terms.block'] },
    channelArn: CHANNEL,
    messageId: `m${n}`,
    actor: { id: 'policy' },
    at,
    decaysAt: new Date(Date.parse(at) + 30 * DAY * 1000).toISOString(),
    ...extra,
  };
}

const step = (strikes: number, withinSeconds: number, action: 'HOLD' | 'BAN', scope: 'channel' | 'app-instance' = 'channel', forSeconds = DAY): EscalationStep => ({
  strikes,
  withinSeconds,
  action,
  forSeconds,
  scope,
  notify: true,
});

const LADDER = [step(3, DAY, 'HOLD'), step(5, 7 * DAY, 'BAN')];

describe('standingOf', () => {
  it('counts a strike until it decays, and never once removed', () => {
    expect(standingOf(strike(1), NOW)).toBe('counts');
    expect(standingOf(strike(1, { decaysAt: new Date(NOW).toISOString() }), NOW)).toBe('decayed');
    expect(standingOf(strike(1, { removed: { at: new Date(NOW).toISOString(), by: { id: 'mod-b' }, appealId: 'a1' } }), NOW)).toBe('removed');
  });
});

describe('stepFor (the ladder)', () => {
  it('applies nothing below the first step', () => {
    expect(stepFor(LADDER, [strike(1), strike(2)], NOW)).toBeUndefined();
  });

  it('applies the step whose count is reached within its window', () => {
    const match = stepFor(LADDER, [strike(1), strike(2), strike(3)], NOW);
    expect(match).toMatchObject({ index: 0, step: { action: 'HOLD' } });
    expect(match!.strikes).toHaveLength(3);
  });

  it('picks the step asking for the most strikes when several are reached, whatever their order', () => {
    const five = [strike(1), strike(2), strike(3), strike(30), strike(50)];
    expect(stepFor(LADDER, five, NOW)).toMatchObject({ index: 1, step: { action: 'BAN' } });
    expect(stepFor([...LADDER].reverse(), five, NOW)).toMatchObject({ index: 0, step: { action: 'BAN' } });
  });

  it('counts within each step’s own window', () => {
    // Five strikes in the week, but only two in the last day: the ban step, not the hold step.
    const spread = [strike(1), strike(2), strike(30), strike(50), strike(70)];
    expect(stepFor(LADDER, spread, NOW)).toMatchObject({ step: { action: 'BAN' } });
    // Three in the week and two in the day: nothing.
    expect(stepFor(LADDER, [strike(1), strike(2), strike(30)], NOW)).toBeUndefined();
  });

  it('leaves decayed and removed strikes out, and lists the counting ones newest first', () => {
    const removed = strike(1, { removed: { at: new Date(NOW).toISOString(), by: { id: 'm' }, appealId: 'a' } });
    const decayed = strike(2, { decaysAt: new Date(NOW - 1000).toISOString() });
    expect(stepFor(LADDER, [removed, decayed, strike(3), strike(4)], NOW)).toBeUndefined();
    const match = stepFor(LADDER, [strike(5), strike(1), strike(3)], NOW)!;
    expect(match.strikes.map((s) => s.at)).toEqual([...match.strikes.map((s) => s.at)].sort().reverse());
  });

  it('ignores strikes recorded after now (a clock ahead) and an empty ladder', () => {
    expect(stepFor(LADDER, [strike(-1), strike(1), strike(2)], NOW)).toBeUndefined();
    expect(stepFor([], [strike(1), strike(2), strike(3)], NOW)).toBeUndefined();
  });
});

const restriction = (fields: Partial<RestrictionRecord>): RestrictionRecord => ({
  pk: `MEMBER#${MEMBER}`,
  sk: 'RESTRICTION#x',
  version: 1,
  kind: 'RESTRICTION',
  id: 'abcdefghijklmnopqrstuv',
  key: 'k',
  member: { appInstanceArn: APP, memberArn: MEMBER },
  channelArn: CHANNEL,
  action: 'HOLD',
  scope: 'channel',
  status: 'ACTIVE',
  reason: 'r',
  requestedBy: { id: 'escalation' },
  requestedAt: new Date(NOW - 1000).toISOString(),
  cause: { kind: 'moderator' },
  notify: false,
  history: [],
  ...fields,
});

describe('covers (no pile-up)', () => {
  const until = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
  const hold = { action: 'HOLD' as const, scope: 'channel' as const, channelArn: CHANNEL, forSeconds: DAY };

  it('a hold as long or longer in the same channel covers a hold; a shorter one does not', () => {
    expect(covers(restriction({ endsAt: until(DAY) }), hold, NOW)).toBe(true);
    expect(covers(restriction({ endsAt: until(HOUR) }), hold, NOW)).toBe(false);
    expect(covers(restriction({}), hold, NOW)).toBe(true); // no end
  });

  it('a ban covers a hold; a hold never covers a ban; another channel covers nothing', () => {
    expect(covers(restriction({ action: 'BAN', endsAt: until(HOUR) }), hold, NOW)).toBe(true);
    expect(covers(restriction({ endsAt: until(30 * DAY) }), { ...hold, action: 'BAN' }, NOW)).toBe(false);
    expect(covers(restriction({ channelArn: OTHER, endsAt: until(DAY) }), hold, NOW)).toBe(false);
  });

  it('an app-instance ban covers a channel ban anywhere; a channel ban never covers an app-instance one', () => {
    expect(covers(restriction({ action: 'BAN', scope: 'app-instance', channelArn: OTHER, endsAt: until(HOUR) }), { ...hold, action: 'BAN' }, NOW)).toBe(true);
    expect(covers(restriction({ action: 'BAN', endsAt: until(30 * DAY) }), { ...hold, action: 'BAN', scope: 'app-instance' }, NOW)).toBe(false);
  });

  it('counts a pending ban as lasting its `for` from now, and ignores ended, lifted and expired ones', () => {
    expect(covers(restriction({ action: 'BAN', status: 'PENDING_APPROVAL', forSeconds: 7 * DAY }), { ...hold, action: 'BAN' }, NOW)).toBe(true);
    for (const status of ['ENDED', 'LIFTED', 'REJECTED'] as const) expect(covers(restriction({ status, endsAt: until(DAY) }), hold, NOW)).toBe(false);
    expect(covers(restriction({ endsAt: until(0) }), hold, NOW)).toBe(false);
  });
});

describe('needsApproval (the two-person rule)', () => {
  const approvals = { banLongerThanSeconds: DAY, appInstanceBans: true };
  it('holds never wait; bans wait when longer than the threshold, without an end, or across the AppInstance', () => {
    expect(needsApproval({ action: 'HOLD', scope: 'app-instance' }, approvals)).toBe(false);
    expect(needsApproval({ action: 'BAN', scope: 'channel', forSeconds: DAY }, approvals)).toBe(false);
    expect(needsApproval({ action: 'BAN', scope: 'channel', forSeconds: DAY + 1 }, approvals)).toBe(true);
    expect(needsApproval({ action: 'BAN', scope: 'channel' }, approvals)).toBe(true);
    expect(needsApproval({ action: 'BAN', scope: 'app-instance', forSeconds: HOUR }, approvals)).toBe(true);
    expect(needsApproval({ action: 'BAN', scope: 'app-instance', forSeconds: HOUR }, { ...approvals, appInstanceBans: false })).toBe(false);
  });
});

describe('keys and ids', () => {
  it('derives one restriction id per key, url-safe, and a distinct key per step and strike', () => {
    const key = escalationKeyOf(0, LADDER[0]!, 'rule:cb1');
    expect(restrictionIdOf(key)).toBe(restrictionIdOf(key));
    expect(restrictionIdOf(key)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(escalationKeyOf(0, LADDER[0]!, 'rule:cb2')).not.toBe(key);
    expect(escalationKeyOf(1, LADDER[1]!, 'rule:cb1')).not.toBe(key);
    expect(restrictionIdOf(escalationKeyOf(0, LADDER[0]!, 'rule:cb2'))).not.toBe(restrictionIdOf(key));
  });
});

describe('placementOf (the queues)', () => {
  it('puts a pending ban in the approvals queue by request time', () => {
    const r = restriction({ status: 'PENDING_APPROVAL', action: 'BAN' });
    expect(placementOf(r)).toEqual({ queueKey: expect.stringMatching(/^APPROVALS#PENDING#[0-3]$/), queueSort: `${r.requestedAt}#${r.id}` });
  });

  it('puts an active timed one in the active queue by its end, or earlier when a Chime call must be retried', () => {
    const endsAt = new Date(NOW + DAY * 1000).toISOString();
    const retryAt = new Date(NOW + 60_000).toISOString();
    expect(placementOf(restriction({ endsAt }))?.queueSort).toBe(`${endsAt}#abcdefghijklmnopqrstuv`);
    const ban = restriction({ action: 'BAN', endsAt, retryAt, bans: [{ channelArn: CHANNEL, outcome: 'REQUESTED', tries: 1, at: retryAt }] });
    expect(placementOf(ban)).toEqual({ queueKey: expect.stringMatching(/^RESTRICTIONS#ACTIVE#/), queueSort: `${retryAt}#${ban.id}` });
  });

  it('leaves the queues once nothing is owed: no end and all calls settled, or ended with its unbans settled', () => {
    expect(placementOf(restriction({ action: 'BAN', bans: [{ channelArn: CHANNEL, outcome: 'DONE', tries: 1, at: '' }] }))).toBeUndefined();
    expect(placementOf(restriction({ status: 'ENDED', action: 'BAN', unbans: [{ channelArn: CHANNEL, outcome: 'FAILED', tries: 1, at: '' }] }))).toBeUndefined();
    expect(placementOf(restriction({ status: 'ENDED', action: 'BAN', retryAt: 'z', unbans: [{ channelArn: CHANNEL, outcome: 'REQUESTED', tries: 1, at: '' }] }))?.queueSort).toBe('z#abcdefghijklmnopqrstuv');
    expect(placementOf(restriction({ action: 'BAN', scope: 'app-instance', channelsListed: false, retryAt: 'y' }))?.queueSort).toBe('y#abcdefghijklmnopqrstuv');
  });
});

describe('appliesTo', () => {
  it('applies an active one in its channel (or everywhere for app-instance) until its end', () => {
    const endsAt = new Date(NOW + 1000).toISOString();
    expect(appliesTo(restriction({ endsAt }), CHANNEL, NOW)).toBe(true);
    expect(appliesTo(restriction({ endsAt }), OTHER, NOW)).toBe(false);
    expect(appliesTo(restriction({ endsAt, scope: 'app-instance' }), OTHER, NOW)).toBe(true);
    expect(appliesTo(restriction({ endsAt }), CHANNEL, NOW + 1000)).toBe(false);
    expect(appliesTo(restriction({ status: 'PENDING_APPROVAL' }), CHANNEL, NOW)).toBe(false);
  });
});

describe('withEvent', () => {
  it('bounds the history, keeping what imposed it and the newest events', () => {
    let history: RestrictionEvent[] = [{ at: 't0', actor: 'escalation', event: 'imposed' }];
    for (let i = 1; i <= 200; i += 1) history = withEvent(history, { at: `t${i}`, actor: 'sweeper', event: 'chime-bans', detail: 'x'.repeat(900) });
    expect(history.length).toBeLessThanOrEqual(MAX_RESTRICTION_EVENTS);
    expect(history[0]).toMatchObject({ event: 'imposed' });
    expect(history[1]).toMatchObject({ event: 'history-compacted' });
    expect(history.at(-1)).toMatchObject({ at: 't200' });
    expect(history.at(-1)!.detail).toHaveLength(500);
  });
});

describe('escalationPlan (what one escalation imposes)', () => {
  const APPROVALS = { banLongerThanSeconds: DAY, appInstanceBans: true };
  const ladder = [step(3, DAY, 'HOLD', 'channel', HOUR), step(4, DAY, 'BAN', 'channel', 120), step(5, DAY, 'BAN', 'channel', 7 * DAY)];
  const strikes = (count: number) => Array.from({ length: count }, (_, i) => strike(i + 1));
  const plan = (count: number, existing: Parameters<typeof escalationPlan>[0]['existing'] = []) => {
    const all = strikes(count);
    return escalationPlan({ ladder, match: stepFor(ladder, all, NOW)!, strikes: all, channelArn: CHANNEL, nowMs: NOW, approvals: APPROVALS, existing });
  };

  it('imposes the step reached when nothing as strong is in force', () => {
    expect(plan(3)).toMatchObject([{ index: 0, interim: false, action: 'HOLD', forSeconds: HOUR }]);
    expect(plan(3, [{ action: 'HOLD', scope: 'channel', channelArn: CHANNEL, status: 'ACTIVE', endsAt: new Date(NOW + 2 * HOUR * 1000).toISOString() }])).toEqual([]);
  });

  it('while a step waits for approval, imposes the strongest step reached that needs none, so the member is never unrestricted', () => {
    expect(plan(5)).toMatchObject([
      { index: 2, interim: false, action: 'BAN', forSeconds: 7 * DAY },
      { index: 2, interim: true, action: 'BAN', forSeconds: 120 },
    ]);
    // The step's request already waits: no second request; the interim still applies.
    const waiting = { action: 'BAN' as const, scope: 'channel' as const, channelArn: CHANNEL, status: 'PENDING_APPROVAL' as const, forSeconds: 7 * DAY };
    expect(plan(5, [waiting])).toMatchObject([{ interim: true, action: 'BAN', forSeconds: 120 }]);
  });

  it('falls back to a HOLD for the step’s time and scope when no step short of it is reached', () => {
    const only = [step(1, DAY, 'BAN', 'app-instance', HOUR)];
    const all = strikes(1);
    expect(escalationPlan({ ladder: only, match: stepFor(only, all, NOW)!, strikes: all, channelArn: CHANNEL, nowMs: NOW, approvals: APPROVALS, existing: [] })).toMatchObject([
      { interim: false, action: 'BAN', scope: 'app-instance' },
      { interim: true, action: 'HOLD', scope: 'app-instance', forSeconds: HOUR },
    ]);
  });
});
