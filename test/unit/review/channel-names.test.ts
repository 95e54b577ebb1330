import { describe, expect, it, vi } from 'vitest';
import { appInstanceOf, bearerFor } from '../../../src/adapters/chime-channel-directory.js';
import { CachedChannelNames, nameChannels, type ChannelDirectory } from '../../../src/review/channel-names.js';
import { fallbackChannelName } from '../../../src/review/views.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const channel = (id: string) => `${APP}/channel/${id}`;

function directory(names: Record<string, string | Error>) {
  const calls: string[] = [];
  const dir: ChannelDirectory = {
    async channelName(arn) {
      calls.push(arn);
      const name = names[arn];
      if (name instanceof Error) throw name;
      return name;
    },
  };
  return { dir, calls };
}

describe('channel names for moderators', () => {
  it('names a channel by the last segment of its ARN when nothing better is known', () => {
    expect(fallbackChannelName(channel('support'))).toBe('support');
    expect(fallbackChannelName('no-slash')).toBe('no-slash');
  });

  it('asks the directory once per channel while the name is fresh, then again', async () => {
    let now = 0;
    const { dir, calls } = directory({ [channel('a')]: 'Support desk' });
    const names = new CachedChannelNames(dir, { clock: { now: () => now }, ttlSeconds: 60 });
    expect(await names.nameOf(channel('a'))).toBe('Support desk');
    expect(await names.nameOf(channel('a'))).toBe('Support desk');
    expect(calls).toHaveLength(1);
    now += 61_000;
    await names.nameOf(channel('a'));
    expect(calls).toHaveLength(2);
  });

  it('falls back to the ARN on any error, and does not ask again until the failure ages out', async () => {
    let now = 0;
    const errors: string[] = [];
    const { dir, calls } = directory({ [channel('b')]: new Error('ForbiddenException') });
    const names = new CachedChannelNames(dir, { clock: { now: () => now }, failureTtlSeconds: 30, onError: (arn) => errors.push(arn) });
    expect(await names.nameOf(channel('b'))).toBe('b');
    expect(await names.nameOf(channel('b'))).toBe('b');
    expect(calls).toHaveLength(1);
    expect(errors).toEqual([channel('b')]);
    now += 31_000;
    await names.nameOf(channel('b'));
    expect(calls).toHaveLength(2);
  });

  it('answers with the fallback when the directory is slow, and keeps the late answer', async () => {
    vi.useFakeTimers();
    try {
      let release!: (name: string) => void;
      const dir: ChannelDirectory = { channelName: () => new Promise((resolve) => (release = resolve)) };
      const names = new CachedChannelNames(dir, { clock: { now: () => 0 }, lookupTimeoutMs: 100 });
      const first = names.nameOf(channel('slow'));
      await vi.advanceTimersByTimeAsync(100);
      expect(await first).toBe('slow');
      release('Slow but sure');
      await vi.advanceTimersByTimeAsync(0);
      expect(await names.nameOf(channel('slow'))).toBe('Slow but sure');
    } finally {
      vi.useRealTimers();
    }
  });

  it('shares one lookup between concurrent requests, and forgets the oldest past its size', async () => {
    const { dir, calls } = directory({ [channel('c')]: 'C', [channel('d')]: 'D', [channel('e')]: 'E' });
    const names = new CachedChannelNames(dir, { clock: { now: () => 0 }, maxEntries: 2 });
    await Promise.all([names.nameOf(channel('c')), names.nameOf(channel('c')), names.nameOf(channel('c'))]);
    expect(calls).toEqual([channel('c')]);
    await names.nameOf(channel('d'));
    await names.nameOf(channel('e'));
    await names.nameOf(channel('c'));
    expect(calls).toEqual([channel('c'), channel('d'), channel('e'), channel('c')]);
  });

  it('sets channelName on every view that carries the channel', async () => {
    const { dir } = directory({ [channel('f')]: 'Fun' });
    const names = new CachedChannelNames(dir, { clock: { now: () => 0 } });
    const views = [
      { channelArn: channel('f'), channelName: 'f' },
      { channelArn: channel('g'), channelName: 'g' },
    ];
    await nameChannels(names, views);
    expect(views.map((v) => v.channelName)).toEqual(['Fun', 'g']);
    await nameChannels(undefined, views); // no directory: unchanged
    expect(views[0]!.channelName).toBe('Fun');
  });

  it('calls DescribeChannel as the configured bearer, in the channel’s own AppInstance when asked', () => {
    expect(appInstanceOf(channel('x'))).toBe(APP);
    expect(bearerFor(undefined)(channel('x'))).toBeUndefined();
    expect(bearerFor(`${APP}/user/api`)(channel('x'))).toBe(`${APP}/user/api`);
    expect(bearerFor('{appInstanceArn}/user/review-api')(channel('x'))).toBe(`${APP}/user/review-api`);
    expect(bearerFor('{appInstanceArn}/user/review-api')('not-an-arn')).toBeUndefined();
  });
});
