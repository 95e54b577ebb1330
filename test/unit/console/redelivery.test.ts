import { describe, expect, it } from 'vitest';
import {
  decidedBy,
  outcomeSentence,
  redeliverAll,
  summarise,
  windowText,
  type RedeliverAnswer,
  type RedeliverItemResult,
} from '../../../console/src/lib/redelivery.js';

const clock = { nowMs: Date.parse('2026-01-31T12:00:00Z'), timeZone: 'UTC' };
const r = (callbackId: string, outcome: RedeliverItemResult['outcome'], reason?: string): RedeliverItemResult => ({ callbackId, outcome, ...(reason ? { reason } : {}) });

/** A fake POST /operations/redeliver answering from a script, and counting its calls. */
function scripted(answers: Array<RedeliverAnswer | Error>) {
  let calls = 0;
  const post = async () => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { post, calls: () => calls };
}

describe('Failed view: re-delivering FAILED messages', () => {
  it('"Re-deliver all" calls again while the API says there is more and something moved', async () => {
    const api = scripted([
      { results: [r('a', 'DELIVERED'), r('b', 'DELIVERED')], more: true },
      { results: [r('c', 'DELIVERED')], more: false },
    ]);
    const run = await redeliverAll(api.post);
    expect(api.calls()).toBe(2);
    expect(run.results.map((x) => [x.callbackId, x.outcome])).toEqual([
      ['a', 'DELIVERED'],
      ['b', 'DELIVERED'],
      ['c', 'DELIVERED'],
    ]);
    expect(run.left).toBe(false);
    expect(run.error).toBeUndefined();
  });

  it('stops when a call only repeats items that failed again (they are FAILED, so the API takes them again)', async () => {
    const again = { results: [r('a', 'FAILED', 'Forbidden'), r('b', 'FAILED', 'Forbidden')], more: true };
    const api = scripted([again, again, again]);
    const run = await redeliverAll(api.post);
    expect(api.calls()).toBe(2);
    expect(run.results).toHaveLength(2);
    expect(run.left).toBe(true);
  });

  it('keeps the latest result of an item: NOT_ATTEMPTED, then DELIVERED on the next call', async () => {
    const api = scripted([
      { results: [r('a', 'DELIVERED'), r('b', 'NOT_ATTEMPTED', 'The request ran out of time')], more: true },
      { results: [r('b', 'DELIVERED')], more: false },
    ]);
    const run = await redeliverAll(api.post);
    expect(run.results.map((x) => `${x.callbackId}:${x.outcome}`)).toEqual(['a:DELIVERED', 'b:DELIVERED']);
  });

  it('is bounded, whatever the API answers', async () => {
    let n = 0;
    const run = await redeliverAll(async () => ({ results: [r(`id-${n++}`, 'DELIVERED')], more: true }), 5);
    expect(run.calls).toBe(5);
    expect(run.left).toBe(true);
  });

  it('keeps what was done before a call failed, and hands the error back', async () => {
    const refused = new Error('503');
    const api = scripted([{ results: [r('a', 'DELIVERED')], more: true }, refused]);
    const run = await redeliverAll(api.post);
    expect(run.results.map((x) => x.callbackId)).toEqual(['a']);
    expect(run.error).toBe(refused);
    expect(run.left).toBe(true);
  });

  it('sums the outcomes up, and says what is left to do', () => {
    expect(summarise([r('a', 'DELIVERED'), r('b', 'DELIVERED'), r('c', 'DELIVERED')])).toMatchObject({ title: '3 of 3 delivered', allGood: true, total: 3 });
    const mixed = summarise([r('a', 'DELIVERED'), r('b', 'FAILED', 'Forbidden'), r('c', 'SKIPPED', 'It is DELIVERED, not FAILED'), r('d', 'FAILED', 'Forbidden')]);
    expect(mixed.title).toBe('1 of 4 delivered · 2 failed again · 1 skipped');
    expect(mixed.allGood).toBe(false);
    expect(mixed.counts).toEqual([
      { outcome: 'DELIVERED', count: 1 },
      { outcome: 'FAILED', count: 2 },
      { outcome: 'SKIPPED', count: 1 },
    ]);
    expect(mixed.advice).toMatch(/chime:ChannelFlowCallback/);
    expect(summarise([r('a', 'ALREADY_RESOLVED')]).allGood).toBe(true);
    expect(summarise([r('a', 'DELIVERED')], { left: true }).advice).toMatch(/not reached/);
    expect(summarise([r('a', 'QUEUED')]).advice).toMatch(/workers/);
    expect(summarise([])).toMatchObject({ title: 'Nothing to re-deliver: no FAILED message is in its window.', allGood: false, total: 0 });
  });

  it('says each outcome in words, with the API’s reason', () => {
    const delivered = { ...r('a', 'DELIVERED'), item: { message: { content: 'hi', sender: { arn: 'arn:u/grace' }, channelArn: 'arn:c' }, decision: { action: 'DENY' } } };
    expect(outcomeSentence(delivered)).toBe('Delivered: Chime took the recorded DENY.');
    expect(outcomeSentence(r('b', 'FAILED', 'Forbidden before its deadline: most likely the execution role lacks chime:ChannelFlowCallback'))).toBe(
      'Failed again: Forbidden before its deadline: most likely the execution role lacks chime:ChannelFlowCallback.',
    );
    expect(outcomeSentence(r('c', 'SKIPPED', 'It is DELIVERED, not FAILED'))).toBe('Skipped: It is DELIVERED, not FAILED.');
    expect(outcomeSentence(r('d', 'NOT_ATTEMPTED'))).toMatch(/^Not attempted: .*still FAILED/);
    expect(outcomeSentence(r('e', 'EXPIRED'))).toMatch(/^Expired: its window closed/);
  });

  it('shows the window left, coloured by urgency, and when it has closed', () => {
    const deadline = '2026-01-31T14:05:00Z';
    const left = Date.parse(deadline) - clock.nowMs;
    expect(windowText(left, deadline, clock)).toMatchObject({ urgency: 'ok', headline: 'window closes at 14:05', remaining: 'in 2h 05m' });
    expect(windowText(10 * 60_000, deadline, clock).urgency).toBe('critical');
    expect(windowText(-1000, deadline, clock)).toMatchObject({ urgency: 'overdue', headline: 'window closed at 14:05', remaining: 'too late to re-deliver' });
  });

  it('says who decided', () => {
    expect(decidedBy({ action: 'DENY', origin: 'AUTO', actor: { id: 'policy' } })).toBe('DENY by the automatic policy');
    expect(decidedBy({ action: 'ALLOW', origin: 'MODERATOR', actor: { id: 'sub-1', name: 'alice' } })).toBe('ALLOW by alice');
    expect(decidedBy({ action: 'DENY', origin: 'EXPIRY', actor: { id: 'sweeper' } })).toBe('DENY by the sweeper (expiry policy)');
  });
});
