/**
 * The package-time guard (scripts/serverless-config-guard.cjs): the stage params are held to the
 * deadline rules of src/config.ts before `serverless package` or `deploy` goes on, and the
 * sweeper's schedules must fan out over every shard group once.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const Guard = require('../../../scripts/serverless-config-guard.cjs') as {
  new (serverless: unknown): { check(): Promise<void> };
  rateSeconds(expression: string): number | undefined;
  fanOutProblems(sweeper: unknown, schedules: Array<{ rate: string; input: Record<string, number> }>): string[];
};

const schedules = (groups: number, rate = 'rate(1 minute)') => Array.from({ length: groups }, (_, g) => ({ schedule: { rate: [rate], input: { shardGroup: g, shardGroups: groups } } }));

/** A minimal stand-in for the framework's `serverless` object, as a plugin sees it once variables are resolved. */
function service(environment: Record<string, string>, sweeper: Record<string, unknown> = { reservedConcurrency: 8, events: schedules(8) }) {
  return {
    service: { provider: { environment: { ...environment } }, functions: { sweeper } },
    classes: { Error: class extends Error {} },
  };
}

const STAGE = { CALLBACK_WINDOW_SECONDS: '172800', EXPIRY_MARGIN_SECONDS: '3600', STUCK_AFTER_SECONDS: '300', RETENTION_DAYS: '30', WORK_QUEUE_RETENTION_SECONDS: '345600', SWEEP_INTERVAL_SECONDS: '60' };

describe('the package-time guard on the stage params', () => {
  it('reads EventBridge rate expressions', () => {
    expect(Guard.rateSeconds('rate(1 minute)')).toBe(60);
    expect(Guard.rateSeconds('rate(5 minutes)')).toBe(300);
    expect(Guard.rateSeconds('rate(1 hour)')).toBe(3600);
    expect(Guard.rateSeconds('cron(0 * * * ? *)')).toBeUndefined();
  });

  it('passes the default stage, and sets SWEEP_INTERVAL_SECONDS from the schedule', async () => {
    const serverless = service({ ...STAGE, SWEEP_INTERVAL_SECONDS: '1' }, { reservedConcurrency: 8, events: schedules(8, 'rate(2 minutes)') });
    await new Guard(serverless).check();
    expect(serverless.service.provider.environment.SWEEP_INTERVAL_SECONDS).toBe('120');
  });

  it.each([
    ['no margin', { EXPIRY_MARGIN_SECONDS: '0' }, /expiryMarginSeconds \(EXPIRY_MARGIN_SECONDS = 0\) must be greater than sweepSchedule \(SWEEP_INTERVAL_SECONDS = 60\)/],
    ['stuck after 0 seconds', { STUCK_AFTER_SECONDS: '0' }, /stuckAfterSeconds \(STUCK_AFTER_SECONDS = 0\) must be greater than 0/],
    ['a retention shorter than the window and the queue', { RETENTION_DAYS: '3' }, /retentionDays \(RETENTION_DAYS = 3\) must be at least/],
  ])('refuses %s, naming the param', async (_name, change, message) => {
    await expect(new Guard(service({ ...STAGE, ...change })).check()).rejects.toThrow(message);
  });

  it('refuses a sweep interval that eats the margin', async () => {
    await expect(new Guard(service(STAGE, { reservedConcurrency: 8, events: schedules(8, 'rate(1 hour)') })).check()).rejects.toThrow(/sweepSchedule \(SWEEP_INTERVAL_SECONDS = 3600\)/);
  });

  it('refuses a fan-out that misses a shard group, or too little reserved concurrency', () => {
    const events = schedules(8).map((e) => ({ rate: e.schedule.rate[0]!, input: e.schedule.input }));
    expect(Guard.fanOutProblems({ reservedConcurrency: 8 }, events)).toEqual([]);
    expect(Guard.fanOutProblems({ reservedConcurrency: 8 }, events.slice(1)).join(' ')).toMatch(/one schedule per shard group 0..7/);
    expect(Guard.fanOutProblems({ reservedConcurrency: 1 }, events).join(' ')).toMatch(/reservedConcurrency \(1\) must be at least its 8 shard groups/);
  });
});
