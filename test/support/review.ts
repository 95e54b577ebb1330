import { memberClaims } from '../../src/http/member.js';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack, LocalStackOptions } from '../../src/local/stack.js';
import { aMessage, callbackId as newCallbackId, channelArn, userArn } from './factories.js';
import { startTestStack } from './stack.js';

/** Helpers for the review API's end-to-end tests: real HTTP against a local stack. */

export function startReviewStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startTestStack({ apiPort: 0, issuerKeyFile: null, ...options });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | undefined;
  /** Serialized as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** fetch, with the token and JSON handled; the body is parsed when it is JSON. */
export async function api<T = any>(stack: LocalStack, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${stack.endpoints.api}${path}`, { method, headers, ...(body !== undefined ? { body: body as BodyInit } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  if (/json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** A valid token from the stack's issuer, minted on the stack's clock. */
export function tokenFor(stack: LocalStack, user: string, groups: string[] = ['moderators'], options: { ttlSeconds?: number; subject?: string } = {}) {
  return stack.issuer.mint({ user, groups, nowMs: stack.runtime.clock.now(), ...options });
}

/** A chat member's token (no group): it names `memberArn` the way the stack's MEMBER_IDENTITY reads it. */
export function memberTokenFor(stack: LocalStack, memberArn: string, options: { groups?: string[]; ttlSeconds?: number } = {}) {
  const named = memberClaims(memberArn, stack.reviewApi.members.rule);
  if (typeof named === 'string') throw new Error(`memberTokenFor: ${memberArn} ${named}`);
  const user = memberArn.slice(memberArn.lastIndexOf('/') + 1);
  return stack.issuer.mint({ user, groups: options.groups ?? [], nowMs: stack.runtime.clock.now(), ...(named.subject ? { subject: named.subject } : {}), ...(named.claims ? { claims: named.claims } : {}), ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}) });
}

export interface SeedOptions {
  channel?: string;
  sender?: string;
  ruleIds?: string[];
  /** Deadline of the first item; each next one is `stepMs` later. Default: now + window. */
  firstDeadlineMs?: number;
  stepMs?: number;
  content?: string;
}

/** A PENDING_REVIEW item as the worker leaves it: received, policy verdict REVIEW, version 2. */
export function aPendingReview(stack: LocalStack, deadlineMs: number, options: SeedOptions = {}): ModerationItem {
  const now = stack.runtime.clock.now();
  const at = new Date(now).toISOString();
  const ruleIds = options.ruleIds ?? ['terms.review'];
  const message = aMessage({
    channelArn: options.channel ?? channelArn(),
    sender: { arn: options.sender ?? userArn('carol'), name: (options.sender ?? userArn('carol')).split('/').pop()! },
    content: options.content ?? 'Can I get a refund for my order?',
    createdTimestamp: new Date(deadlineMs - stack.config.callbackWindowSeconds * 1000).toISOString(),
  });
  return {
    callbackId: newCallbackId(),
    message,
    receivedAt: at,
    deadline: new Date(deadlineMs).toISOString(),
    status: 'PENDING_REVIEW',
    version: 2,
    updatedAt: at,
    policy: {
      action: 'REVIEW',
      ruleIds,
      reason: ruleIds.map((r) => `${r} fired`).join('; '),
      findings: ruleIds.map((ruleId) => ({ ruleId, action: 'REVIEW' as const, reason: `${ruleId} fired` })),
    },
    history: [
      { at, actor: 'intake', to: 'RECEIVED', event: 'received' },
      { at, actor: 'worker', from: 'RECEIVED', to: 'PENDING_REVIEW', event: 'held-for-review', reason: 'needs a human' },
    ],
  };
}

/**
 * Writes `count` PENDING_REVIEW items straight into the store (the test is about the API, not
 * about how items got there), with distinct, increasing deadlines.
 */
export async function seedPendingReviews(stack: LocalStack, count: number, options: SeedOptions = {}): Promise<ModerationItem[]> {
  const first = options.firstDeadlineMs ?? stack.runtime.clock.now() + stack.config.callbackWindowSeconds * 1000 - 60_000;
  const step = options.stepMs ?? 1000;
  const items = Array.from({ length: count }, (_, i) => aPendingReview(stack, first + i * step, options));
  const concurrency = 16;
  for (let i = 0; i < items.length; i += concurrency) {
    await Promise.all(items.slice(i, i + concurrency).map((item) => stack.runtime.store.recordReceived(item)));
  }
  return items;
}
