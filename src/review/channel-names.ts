import type { Clock } from '../domain/ports.js';
import { fallbackChannelName } from './views.js';

/**
 * Readable channel names for moderators. Chime's event names the sender but not the channel, so
 * the review API asks Chime (DescribeChannel, through the adapter behind ChannelDirectory) and
 * keeps the answer for a while. A name is a convenience, never a reason to fail or slow a
 * request: any error, or an answer slower than `lookupTimeoutMs`, gives the ARN's last segment.
 */

/** The port: Chime's Name of a channel; undefined when it has none. May throw. */
export interface ChannelDirectory {
  channelName(channelArn: string): Promise<string | undefined>;
}

/** What the review routes use: always answers, never throws. */
export interface ChannelNames {
  nameOf(channelArn: string): Promise<string>;
}

export interface CachedChannelNamesOptions {
  clock: Clock;
  /** How long a name read from Chime is kept (channels are rarely renamed). */
  ttlSeconds?: number;
  /** How long a failed lookup is remembered, so a broken directory is not asked on every request. */
  failureTtlSeconds?: number;
  /** Past this a lookup answers with the fallback; the lookup still completes and fills the cache. */
  lookupTimeoutMs?: number;
  maxEntries?: number;
  onError?: (channelArn: string, error: unknown) => void;
}

interface Entry {
  name: string;
  expiresAt: number;
}

export class CachedChannelNames implements ChannelNames {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly directory: ChannelDirectory,
    private readonly options: CachedChannelNamesOptions,
  ) {
    this.ttlMs = (options.ttlSeconds ?? 600) * 1000;
    this.failureTtlMs = (options.failureTtlSeconds ?? 60) * 1000;
    this.timeoutMs = options.lookupTimeoutMs ?? 1000;
    this.maxEntries = options.maxEntries ?? 5000;
  }

  async nameOf(channelArn: string): Promise<string> {
    const now = this.options.clock.now();
    const cached = this.entries.get(channelArn);
    if (cached && cached.expiresAt > now) return cached.name;
    let lookup = this.inFlight.get(channelArn);
    if (!lookup) {
      lookup = this.lookUp(channelArn).finally(() => this.inFlight.delete(channelArn));
      this.inFlight.set(channelArn, lookup);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(cached?.name ?? fallbackChannelName(channelArn)), this.timeoutMs);
    });
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async lookUp(channelArn: string): Promise<string> {
    let name: string;
    let ttl = this.ttlMs;
    try {
      name = (await this.directory.channelName(channelArn))?.trim() || fallbackChannelName(channelArn);
    } catch (error) {
      this.options.onError?.(channelArn, error);
      name = fallbackChannelName(channelArn);
      ttl = this.failureTtlMs;
    }
    this.remember(channelArn, { name, expiresAt: this.options.clock.now() + ttl });
    return name;
  }

  private remember(channelArn: string, entry: Entry) {
    this.entries.delete(channelArn);
    this.entries.set(channelArn, entry);
    // Maps iterate in insertion order: the first key is the least recently stored.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Sets `channelName` on every target from its `channelArn` (one lookup per distinct channel). */
export async function nameChannels(names: ChannelNames | undefined, targets: Array<{ channelArn: string; channelName: string }>): Promise<void> {
  if (!names || targets.length === 0) return;
  const distinct = [...new Set(targets.map((t) => t.channelArn))];
  const resolved = new Map(await Promise.all(distinct.map(async (arn) => [arn, await names.nameOf(arn)] as const)));
  for (const target of targets) target.channelName = resolved.get(target.channelArn) ?? target.channelName;
}
