/**
 * Review API latency: p50/p99 of `GET /reviews?limit=50` with 10,000 pending items, against a
 * single `GET /reviews/{id}` on the same stack in the same run, over real HTTP through the
 * local API Gateway emulation (JWT authorizer included). Listing costs one index query, so the
 * ratio list/get should stay small (goal ≤ 3) however long the queue is.
 *
 * `npx tsx bench/review.ts` prints the figures; `benchReview()` returns them silently.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ModerationItem } from '../src/domain/item.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';
import { isRunDirectly } from './run-directly.js';

export interface ReviewBenchResult {
  /** Milliseconds. */
  listP50: number;
  listP99: number;
  getP50: number;
  getP99: number;
  /** listP50 / getP50. */
  ratio: number;
  items: number;
}

export interface ReviewBenchOptions {
  items?: number;
  /** Timed requests of each kind (after the warm-up). */
  samples?: number;
  warmup?: number;
}

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/bench';

/** What the policy said of a held message, and the message as its sender wrote it. */
export interface HeldMessage {
  content: string;
  metadata?: string;
  policy: NonNullable<ModerationItem['policy']>;
}

/** ~1 KB like a real chat message, held for a review term. */
const refundRequest = (i: number): HeldMessage => ({
  content: `Can I get a refund for order ${i}? `.repeat(12),
  metadata: JSON.stringify({ client: 'bench', seq: i }),
  policy: {
    action: 'REVIEW',
    ruleIds: ['terms.review'],
    reason: 'Content contains term "refund" that requires review',
    findings: [{ ruleId: 'terms.review', action: 'REVIEW', reason: 'Content contains term "refund" that requires review' }],
  },
});

/** A PENDING_REVIEW item the way the worker leaves one; deadlines spread so the queue's order means something. */
export function pendingItem(i: number, nowMs: number, windowSeconds: number, held: HeldMessage = refundRequest(i)): ModerationItem {
  const at = new Date(nowMs).toISOString();
  const deadline = new Date(nowMs + windowSeconds * 1000 - 3_600_000 + i * 997).toISOString();
  return {
    callbackId: randomBytes(24).toString('hex'),
    message: {
      messageId: randomUUID(),
      channelArn: `${APP}/channel/room-${i % 50}`,
      content: held.content,
      ...(held.metadata === undefined ? {} : { metadata: held.metadata }),
      sender: { arn: `${APP}/user/user-${i % 400}`, name: `user-${i % 400}` },
      persistence: 'PERSISTENT',
      type: 'STANDARD',
      createdTimestamp: new Date(Date.parse(deadline) - windowSeconds * 1000).toISOString(),
    },
    receivedAt: at,
    deadline,
    status: 'PENDING_REVIEW',
    version: 2,
    updatedAt: at,
    policy: held.policy,
    history: [
      { at, actor: 'intake', to: 'RECEIVED', event: 'received' },
      { at, actor: 'worker', from: 'RECEIVED', to: 'PENDING_REVIEW', event: 'held-for-review', reason: held.policy.reason },
    ],
  };
}

/** Writes `count` held messages through the store, 32 at a time; their CallbackIds. */
export async function seedPendingReviews(stack: LocalStack, count: number, held?: (i: number) => HeldMessage): Promise<string[]> {
  const now = stack.runtime.clock.now();
  const items = Array.from({ length: count }, (_, i) => pendingItem(i, now, stack.config.callbackWindowSeconds, held?.(i)));
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < items.length; i = next++) await stack.runtime.store.recordReceived(items[i]!);
  };
  await Promise.all(Array.from({ length: 32 }, writer));
  return items.map((i) => i.callbackId);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function timed(url: string, token: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.arrayBuffer();
  const elapsed = performance.now() - start;
  if (response.status !== 200 || body.byteLength === 0) throw new Error(`${url} answered ${response.status}`);
  return elapsed;
}

export async function benchReview(options: ReviewBenchOptions = {}): Promise<ReviewBenchResult> {
  const count = options.items ?? 10_000;
  const samples = options.samples ?? 300;
  const warmup = options.warmup ?? 50;
  const stack = await startLocalStack({ apiPort: 0, chimePort: 0, lambdaPort: 0, sweepIntervalSeconds: 0, issuerKeyFile: null, logLevel: 'SILENT' });
  try {
    const ids = await seedPendingReviews(stack, count);
    const token = await stack.issuer.mint({ user: 'bench', groups: ['moderators'] });
    const listUrl = `${stack.endpoints.api}/reviews?limit=50`;
    const getUrl = (i: number) => `${stack.endpoints.api}/reviews/${ids[(i * 7919) % ids.length]}`;

    // Interleaved, so both kinds see the same process state (JIT, GC, caches).
    for (let i = 0; i < warmup; i += 1) {
      await timed(listUrl, token);
      await timed(getUrl(i), token);
    }
    const list: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      list.push(await timed(listUrl, token));
      get.push(await timed(getUrl(i + warmup), token));
    }
    list.sort((a, b) => a - b);
    get.sort((a, b) => a - b);
    const result = {
      listP50: percentile(list, 50),
      listP99: percentile(list, 99),
      getP50: percentile(get, 50),
      getP99: percentile(get, 99),
      items: count,
    };
    return { ...result, ratio: result.listP50 / result.getP50 };
  } finally {
    await stack.stop();
  }
}


/** Print the figures (what `npx tsx bench/review.ts` does). */
export async function main(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const r = await benchReview();
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  console.log(`review API, ${r.items.toLocaleString('en-US')} pending items, over HTTP with a JWT`);
  console.log(`  GET /reviews?limit=50   p50 ${ms(r.listP50)}   p99 ${ms(r.listP99)}`);
  console.log(`  GET /reviews/{id}       p50 ${ms(r.getP50)}   p99 ${ms(r.getP99)}`);
  console.log(`  ratio list/get (p50):   ${r.ratio.toFixed(2)} (goal <= 3)`);
}

if (isRunDirectly(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
