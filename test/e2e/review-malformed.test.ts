import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationItem } from '../../src/domain/item.js';
import type { LocalStack } from '../../src/local/stack.js';
import { api, seedPendingReviews, startReviewStack, tokenFor } from '../support/review.js';

/**
 * Bad input gets a clear 4xx and changes nothing. Every case runs against the same seeded
 * items, and after every case the store must hold exactly what it held before.
 */

interface Case {
  name: string;
  method: string;
  /** `{id}`: a seeded PENDING_REVIEW item; `{received}`: one that is not held for review. */
  path: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Default: a moderator's token. */
  auth?: 'none' | 'viewer';
  status: number;
  type: string;
  /** The field the problem must point at. */
  errorPath?: string;
}

const ID_OK = 'a'.repeat(48);
const decision = (body: unknown, extra: Partial<Case> = {}): Omit<Case, 'name' | 'status' | 'type'> => ({ method: 'POST', path: '/reviews/{id}/decision', json: body, ...extra });
const channel = 'arn:aws:chime:us-east-1:123456789012:app-instance/app/channel/general';

const CASES: Case[] = [
  // ── JSON and media type ──
  { name: 'malformed JSON', ...decision(undefined, { raw: '{"action": "ALLOW"', headers: { 'content-type': 'application/json' } }), status: 400, type: 'malformed-json' },
  { name: 'JSON array instead of object', ...decision([]), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'JSON string instead of object', ...decision('ALLOW'), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'JSON null', ...decision(null), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'empty body on a decision', ...decision(undefined, { raw: '' }), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'text/plain body', ...decision(undefined, { raw: '{"action":"ALLOW"}', headers: { 'content-type': 'text/plain' } }), status: 415, type: 'unsupported-media-type' },
  { name: 'XML body', ...decision(undefined, { raw: '<action>ALLOW</action>', headers: { 'content-type': 'application/xml' } }), status: 415, type: 'unsupported-media-type' },
  { name: 'body over 64 KB', ...decision({ action: 'DENY', reason: 'x'.repeat(70_000) }), status: 413, type: 'payload-too-large' },
  // ── decision fields ──
  { name: 'unknown field', ...decision({ action: 'ALLOW', approve: true }), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'misspelt expectedVersion', ...decision({ action: 'ALLOW', expectedversion: 2 }), status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'action missing', ...decision({ reason: 'x' }), status: 400, type: 'invalid-request', errorPath: 'body.action' },
  { name: 'action of the wrong type', ...decision({ action: 1 }), status: 400, type: 'invalid-request', errorPath: 'body.action' },
  { name: 'unknown action', ...decision({ action: 'MAYBE' }), status: 400, type: 'invalid-request', errorPath: 'body.action' },
  { name: 'lower-case action', ...decision({ action: 'allow' }), status: 400, type: 'invalid-request', errorPath: 'body.action' },
  { name: 'DENY without a reason', ...decision({ action: 'DENY' }), status: 400, type: 'invalid-request', errorPath: 'body.reason' },
  { name: 'blank reason', ...decision({ action: 'DENY', reason: '   ' }), status: 400, type: 'invalid-request', errorPath: 'body.reason' },
  { name: 'reason over 1000 characters', ...decision({ action: 'DENY', reason: 'x'.repeat(1001) }), status: 400, type: 'invalid-request', errorPath: 'body.reason' },
  { name: 'reason of the wrong type', ...decision({ action: 'DENY', reason: ['spam'] }), status: 400, type: 'invalid-request', errorPath: 'body.reason' },
  { name: 'UPDATE without any edit', ...decision({ action: 'UPDATE' }), status: 400, type: 'invalid-request', errorPath: 'body.action' },
  { name: 'ALLOW carrying an edit', ...decision({ action: 'ALLOW', content: 'edited' }), status: 400, type: 'invalid-request', errorPath: 'body.content' },
  { name: 'DENY carrying an edit', ...decision({ action: 'DENY', reason: 'x', metadata: '{}' }), status: 400, type: 'invalid-request', errorPath: 'body.metadata' },
  { name: 'empty content', ...decision({ action: 'UPDATE', content: '' }), status: 400, type: 'invalid-request', errorPath: 'body.content' },
  { name: 'content over 4 KB in UTF-8 (fewer than 4096 characters)', ...decision({ action: 'UPDATE', content: '€'.repeat(1500) }), status: 400, type: 'invalid-request', errorPath: 'body.content' },
  { name: 'metadata over 1 KB', ...decision({ action: 'UPDATE', metadata: 'm'.repeat(1025) }), status: 400, type: 'invalid-request', errorPath: 'body.metadata' },
  { name: 'push title over 50 characters', ...decision({ action: 'UPDATE', pushNotification: { title: 't'.repeat(51) } }), status: 400, type: 'invalid-request', errorPath: 'body.pushNotification.title' },
  { name: 'push body over 150 characters', ...decision({ action: 'UPDATE', pushNotification: { body: 'b'.repeat(151) } }), status: 400, type: 'invalid-request', errorPath: 'body.pushNotification.body' },
  { name: 'unknown push type', ...decision({ action: 'UPDATE', pushNotification: { type: 'LOUD' } }), status: 400, type: 'invalid-request', errorPath: 'body.pushNotification.type' },
  { name: 'unknown push field', ...decision({ action: 'UPDATE', pushNotification: { sound: 'ding' } }), status: 400, type: 'invalid-request', errorPath: 'body.pushNotification' },
  { name: 'message attribute that is not an object', ...decision({ action: 'UPDATE', messageAttributes: { topic: 'billing' } }), status: 400, type: 'invalid-request', errorPath: 'body.messageAttributes.topic' },
  { name: 'message attribute without values', ...decision({ action: 'UPDATE', messageAttributes: { topic: { StringValues: [] } } }), status: 400, type: 'invalid-request', errorPath: 'body.messageAttributes.topic.StringValues' },
  { name: 'message attribute name over 64 characters', ...decision({ action: 'UPDATE', messageAttributes: { ['n'.repeat(65)]: { StringValues: ['v'] } } }), status: 400, type: 'invalid-request', errorPath: `body.messageAttributes.${'n'.repeat(65)}` },
  { name: 'expectedVersion as a string', ...decision({ action: 'ALLOW', expectedVersion: '2' }), status: 400, type: 'invalid-request', errorPath: 'body.expectedVersion' },
  { name: 'fractional expectedVersion', ...decision({ action: 'ALLOW', expectedVersion: 1.5 }), status: 400, type: 'invalid-request', errorPath: 'body.expectedVersion' },
  { name: 'zero expectedVersion', ...decision({ action: 'ALLOW', expectedVersion: 0 }), status: 400, type: 'invalid-request', errorPath: 'body.expectedVersion' },
  // ── ids ──
  { name: 'callbackId too short', method: 'POST', path: '/reviews/abc/decision', json: { action: 'ALLOW' }, status: 400, type: 'invalid-request', errorPath: 'path.callbackId' },
  { name: 'callbackId too long', method: 'GET', path: `/reviews/${'a'.repeat(65)}`, status: 400, type: 'invalid-request', errorPath: 'path.callbackId' },
  { name: 'callbackId with characters Chime never uses', method: 'POST', path: `/reviews/${encodeURIComponent(`${'a'.repeat(40)}'; DROP--`)}/claim`, status: 400, type: 'invalid-request', errorPath: 'path.callbackId' },
  { name: 'decision on an unknown callbackId', method: 'POST', path: `/reviews/${ID_OK}/decision`, json: { action: 'ALLOW' }, status: 404, type: 'not-found' },
  { name: 'decision on an item not held for review', method: 'POST', path: '/reviews/{received}/decision', json: { action: 'ALLOW' }, status: 409, type: 'not-reviewable' },
  // ── claims ──
  { name: 'lease of 0 seconds', method: 'POST', path: '/reviews/{id}/claim', json: { leaseSeconds: 0 }, status: 400, type: 'invalid-request', errorPath: 'body.leaseSeconds' },
  { name: 'lease over an hour', method: 'POST', path: '/reviews/{id}/claim', json: { leaseSeconds: 3601 }, status: 400, type: 'invalid-request', errorPath: 'body.leaseSeconds' },
  { name: 'lease as a string', method: 'POST', path: '/reviews/{id}/claim', json: { leaseSeconds: '300' }, status: 400, type: 'invalid-request', errorPath: 'body.leaseSeconds' },
  { name: 'unknown claim field', method: 'POST', path: '/reviews/{id}/claim', json: { lease: 300 }, status: 400, type: 'invalid-request', errorPath: 'body' },
  { name: 'a body on a release', method: 'DELETE', path: '/reviews/{id}/claim', raw: '{"force":true}', headers: { 'content-type': 'application/json' }, status: 400, type: 'invalid-request', errorPath: 'body' },
  // ── queue query ──
  { name: 'limit 0', method: 'GET', path: '/reviews?limit=0', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'limit 101', method: 'GET', path: '/reviews?limit=101', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'limit not a number', method: 'GET', path: '/reviews?limit=ten', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'limit in exponent notation', method: 'GET', path: '/reviews?limit=1e1', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'empty limit', method: 'GET', path: '/reviews?limit=', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'limit given twice', method: 'GET', path: '/reviews?limit=5&limit=6', status: 400, type: 'invalid-request', errorPath: 'query.limit' },
  { name: 'unknown claimed value', method: 'GET', path: '/reviews?claimed=yours', status: 400, type: 'invalid-request', errorPath: 'query.claimed' },
  { name: 'channelArn that is not an ARN', method: 'GET', path: '/reviews?channelArn=general', status: 400, type: 'invalid-request', errorPath: 'query.channelArn' },
  { name: 'senderArn that is a channel', method: 'GET', path: `/reviews?senderArn=${encodeURIComponent(channel)}`, status: 400, type: 'invalid-request', errorPath: 'query.senderArn' },
  { name: 'rule with spaces', method: 'GET', path: '/reviews?rule=terms%20review', status: 400, type: 'invalid-request', errorPath: 'query.rule' },
  { name: 'unknown query parameter', method: 'GET', path: '/reviews?sort=asc', status: 400, type: 'invalid-request', errorPath: 'query' },
  { name: 'cursor that is not ours', method: 'GET', path: '/reviews?cursor=garbage', status: 400, type: 'invalid-request', errorPath: 'query.cursor' },
  { name: 'cursor with a forged signature', method: 'GET', path: `/reviews?cursor=${Buffer.from('{"status":"PENDING_REVIEW"}').toString('base64url')}.AAAA`, status: 400, type: 'invalid-cursor' },
  // ── audit query ──
  { name: 'unknown origin', method: 'GET', path: '/decisions?origin=HUMAN', status: 400, type: 'invalid-request', errorPath: 'query.origin' },
  { name: 'from that is not a date-time', method: 'GET', path: '/decisions?from=yesterday', status: 400, type: 'invalid-request', errorPath: 'query.from' },
  { name: 'from after to', method: 'GET', path: '/decisions?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', status: 400, type: 'invalid-request', errorPath: 'query.from' },
  { name: 'a range over 400 days', method: 'GET', path: '/decisions?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', status: 400, type: 'invalid-request', errorPath: 'from' },
  { name: 'a parameter on /stats', method: 'GET', path: '/stats?verbose=1', status: 400, type: 'invalid-request', errorPath: 'query.verbose' },
  // ── bulk ──
  { name: 'bulk without decisions', method: 'POST', path: '/reviews/decisions', json: {}, status: 400, type: 'invalid-request', errorPath: 'body.decisions' },
  { name: 'bulk with none', method: 'POST', path: '/reviews/decisions', json: { decisions: [] }, status: 400, type: 'invalid-request', errorPath: 'body.decisions' },
  { name: 'bulk over 25', method: 'POST', path: '/reviews/decisions', json: { decisions: Array.from({ length: 26 }, (_, i) => ({ callbackId: String(i).padStart(40, 'b'), action: 'ALLOW' })) }, status: 400, type: 'invalid-request', errorPath: 'body.decisions' },
  { name: 'bulk naming an item twice', method: 'POST', path: '/reviews/decisions', json: { decisions: [{ callbackId: '{id}', action: 'ALLOW' }, { callbackId: '{id}', action: 'DENY', reason: 'x' }] }, status: 400, type: 'invalid-request', errorPath: 'body.decisions.1.callbackId' },
  { name: 'bulk with one invalid entry decides none', method: 'POST', path: '/reviews/decisions', json: { decisions: [{ callbackId: '{id}', action: 'ALLOW' }, { callbackId: 'short', action: 'ALLOW' }] }, status: 400, type: 'invalid-request', errorPath: 'body.decisions.1.callbackId' },
  // ── routes, methods, roles ──
  { name: 'unknown route', method: 'GET', path: '/moderation/queue', status: 404, type: 'not-found' },
  { name: 'PUT on the queue', method: 'PUT', path: '/reviews', json: {}, status: 405, type: 'method-not-allowed' },
  { name: 'DELETE on an item', method: 'DELETE', path: '/reviews/{id}', status: 405, type: 'method-not-allowed' },
  { name: 'GET on a claim', method: 'GET', path: '/reviews/{id}/claim', status: 405, type: 'method-not-allowed' },
  { name: 'a valid decision without a token', method: 'POST', path: '/reviews/{id}/decision', json: { action: 'ALLOW' }, auth: 'none', status: 401, type: 'unauthorized' },
  { name: 'a valid decision from a non-moderator', method: 'POST', path: '/reviews/{id}/decision', json: { action: 'ALLOW' }, auth: 'viewer', status: 403, type: 'forbidden' },
];

describe('malformed requests: the right 4xx, and nothing changes', () => {
  let stack: LocalStack;
  let moderator: string;
  let viewer: string;
  let pending: ModerationItem;
  let claimed: ModerationItem;
  let received: ModerationItem;

  beforeAll(async () => {
    stack = await startReviewStack();
    moderator = await tokenFor(stack, 'alice');
    viewer = await tokenFor(stack, 'victor', ['viewers']);
    const seeded = await seedPendingReviews(stack, 3);
    [pending] = seeded as [ModerationItem];
    const claim = await api(stack, 'POST', `/reviews/${seeded[1]!.callbackId}/claim`, { token: moderator });
    expect(claim.status).toBe(200);
    claimed = (await stack.runtime.store.get(seeded[1]!.callbackId))!;
    received = (await stack.runtime.store.transition({ callbackId: seeded[2]!.callbackId, deadline: seeded[2]!.deadline, from: ['PENDING_REVIEW'], to: 'RECEIVED', history: { actor: 'test', event: 'reset' }, now: Date.now() }))!;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const snapshot = async () => ({
    items: await Promise.all([pending, claimed, received].map((i) => stack.runtime.store.get(i.callbackId))),
    unknown: await stack.runtime.store.get(ID_OK),
    queue: (await stack.runtime.store.listPendingReviews({ subject: 'x', now: 0, limit: 100 })).items.map((i) => `${i.callbackId}@${i.version}`),
    callbacks: stack.simulator.callbacks().length,
  });

  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('$name → $status $type', async (c) => {
    const before = await snapshot();
    const fill = (value: string) => value.replaceAll('{id}', pending.callbackId).replaceAll('{received}', received.callbackId);
    const json = c.json === undefined ? undefined : JSON.parse(fill(JSON.stringify(c.json)));
    const token = c.auth === 'none' ? undefined : c.auth === 'viewer' ? viewer : moderator;
    const response = await api(stack, c.method, fill(c.path), { token, ...(json !== undefined ? { json } : {}), ...(c.raw !== undefined ? { raw: c.raw } : {}), ...(c.headers ? { headers: c.headers } : {}) });

    expect(response.status, response.text).toBe(c.status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ type: `https://chime-flow-moderation.dev/problems/${c.type}`, title: expect.any(String), status: c.status, detail: expect.any(String) });
    expect(response.body.detail.length).toBeGreaterThan(10);
    if (c.errorPath !== undefined) {
      expect(response.body.errors?.map((e: { path: string }) => e.path)).toContain(c.errorPath);
    }
    expect(await snapshot()).toEqual(before);
  });
});
