import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../src/local/stack.js';

/**
 * What the fuzz suite watches around every input: the state a hostile input must not change,
 * the event loop it must not stall, and Object.prototype, which it must not pollute.
 */

/** Every item of both tables (the moderation items, audit and idempotency records; live policies, counters). */
async function scan(stack: LocalStack, tableName: string): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(sortKeys(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Set) return [...value].map(sortKeys).sort();
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
}

export interface Fingerprint {
  digest: string;
  /** What differs is named from these parts. */
  parts: Record<string, string>;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The state a hostile request must leave as it found it: both tables (a Scan: the test may,
 * the system never does), the Chime emulator's callbacks, messages, channels (members, bans) and
 * flows, and the queues.
 */
export async function fingerprint(stack: LocalStack, options: { queues?: boolean } = {}): Promise<Fingerprint> {
  const [table, control] = await Promise.all([scan(stack, stack.resources.tableName), scan(stack, stack.resources.controlTableName)]);
  const parts: Record<string, string> = {
    moderationTable: sha(table.join('\n')),
    controlTable: sha(control.join('\n')),
    chimeCallbacks: sha(JSON.stringify(stack.simulator.callbacks())),
    chimeMessages: sha(JSON.stringify(stack.simulator.messages())),
    chimeChannels: sha(JSON.stringify(stack.simulator.channels())),
    chimeFlows: sha(JSON.stringify(stack.simulator.flows())),
  };
  if (options.queues !== false) {
    const [work, workDlq, intakeDlq] = await Promise.all([stack.queueDepth('work'), stack.queueDepth('workDlq'), stack.queueDepth('intakeDlq')]);
    parts.queues = JSON.stringify({ work, workDlq, intakeDlq });
  }
  return { digest: sha(JSON.stringify(parts)), parts };
}

export function changedParts(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before.parts, ...after.parts }).filter((k) => before.parts[k] !== after.parts[k]);
}

/**
 * The longest time the event loop was blocked. A 5 ms interval timer notes the gap between its
 * runs; a gap longer than the interval is time the loop spent on something synchronous (the
 * stack runs in this process: the HTTP API, the Lambda handlers, dynalite, SQS). perf_hooks'
 * monitorEventLoopDelay would do, but its first sample after a reset() is dropped, so a block
 * right at the start of an input would go unseen; this has no such gap.
 */
export class StallMeter {
  static readonly INTERVAL_MS = 5;
  private last = performance.now();
  private worst = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.worst = Math.max(this.worst, now - this.last - StallMeter.INTERVAL_MS);
      this.last = now;
    }, StallMeter.INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Starts a new window; the gap under way counts from now. */
  reset(): void {
    this.worst = 0;
    this.last = performance.now();
  }

  /** The longest block in the window, in ms; waits for the timer's next run so a block at the very end is counted. */
  async longestBlockMs(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, StallMeter.INTERVAL_MS + 1));
    return Math.max(this.worst, performance.now() - this.last - StallMeter.INTERVAL_MS - 1, 0);
  }
}

/** Object.prototype as it should be: no key added by a `__proto__` or `constructor.prototype` in an input. */
const PRISTINE = new Set(Object.getOwnPropertyNames(Object.prototype));
export function prototypePollution(): string[] {
  const added = Object.getOwnPropertyNames(Object.prototype).filter((k) => !PRISTINE.has(k));
  const probe = {} as Record<string, unknown>;
  for (const key of ['isAdmin', 'polluted', 'admin']) if (probe[key] !== undefined) added.push(key);
  return added;
}
