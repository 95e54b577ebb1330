/**
 * The review API's schemas moved from the classic zod API to zod/mini (the API functions' bundles
 * and cold starts), and the answers' schemas to modules of their own (src/review/responses.ts,
 * policy-responses.ts; the requests' stay in schemas.ts, policy-schemas.ts). Same rules, same
 * messages, same documentation:
 *   - every request schema answers exactly what the classic version (reference/) answers, over a
 *     corpus of requests with every field removed or wrong: the same data, or the same issues
 *     (code, path, message, and what the API's problem+json `errors[]` is made of);
 *   - every schema, requests and answers, renders to the same JSON Schema (the OpenAPI document's
 *     components and parameters; `npm run generate:api -- --check` compares the whole document).
 */
import { describe, expect, it } from 'vitest';
import * as zc from 'zod';
import * as z from 'zod/mini';
import { PolicyDocumentComponent } from '../../../src/policy-api/document-schema.js';
import * as miniPolicyResponses from '../../../src/policy-api/responses.js';
import * as miniPolicy from '../../../src/policy-api/schemas.js';
import * as miniResponses from '../../../src/review/responses.js';
import * as mini from '../../../src/review/schemas.js';
import { mutations, WRONG_VALUES } from './mutations.js';
import * as classicPolicy from './reference/review-policy-schemas.classic.js';
import * as classic from './reference/review-schemas.classic.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-3333-4444-555555555555';
const CHANNEL = `${APP}/channel/general`;
const USER = `${APP}/user/alice`;
const ID = 'c'.repeat(40);
const FROM = '2026-11-01T00:00:00Z';
const TO = '2026-11-21T10:00:00.000+01:00';

/** Values that sit on a rule's edge: limits, formats, byte counts, numbers as query strings. */
const EDGES: unknown[] = [
  '0', '1', '25', '100', '101', '1e1', ' 5', '5.0', '-1', '999999999', '1000000000', 'true', 'false', 'TRUE',
  'mine', 'none', 'any', 'ALLOW', 'DENY', 'UPDATE', 'AUTO', 'EXPIRY', 'BAN_SENDER', 'DEFAULT', 'VOIP',
  3600, 3601, 300, 0.5, 25, 5000, 5001, 100, 101,
  '2026-11-01', '2026-11-01T00:00:00', '2026-12-31T00:00:00Z', FROM, TO,
  'abc.def', 'abc', 'a.b.c', 'x'.repeat(2049), 'terms.review', 'bad rule!',
  CHANNEL, USER, `${APP}/bot/b`, `${APP}/channel/x/extra`, 'global', 'arn:aws:chime:us-east-1:123456789012:app-instance/a',
  'x'.repeat(4096), 'x'.repeat(4097), '€'.repeat(1366), 'é'.repeat(513), 'x'.repeat(1024), 'x'.repeat(1025), 'x'.repeat(51), 'x'.repeat(151),
  'm-1', 'm 1', 'x'.repeat(128), 'x'.repeat(129), '   ', ' why ',
  { terms: { block: ['scam'] } }, { terms: { block: [''] } }, { mode: 'shadow', remove: { terms: { block: ['x'] } } }, { pii: false }, { colour: 'red' },
  [{ content: 'hi' }], [], Array.from({ length: 101 }, () => ({ content: 'x' })),
  { a: { StringValues: ['b'] } }, { '': { StringValues: ['b'] } }, { a: { StringValues: [] } }, { a: { StringValues: [''] } }, { a: { Other: 1 } },
];
const WRONG = [...WRONG_VALUES, ...EDGES];

const decision = { action: 'UPDATE', content: 'edited', metadata: '{"a":1}', messageAttributes: { a: { StringValues: ['b'] } }, pushNotification: { title: 't', body: 'b', type: 'VOIP' }, reason: ' why ', expectedVersion: 3 };

/** [schema name, valid inputs]: each is mutated field by field. */
const REQUESTS: Array<[string, unknown[]]> = [
  ['CallbackIdParams', [{ callbackId: ID }]],
  ['ReviewsQuery', [{ channelArn: CHANNEL, senderArn: USER, claimed: 'mine', rule: 'terms.review', limit: '50', cursor: 'abc.def' }, {}]],
  ['DecisionsQuery', [{ moderator: 'alice', channelArn: CHANNEL, origin: 'AUTO', from: FROM, to: TO, limit: '10', cursor: 'a.b' }, { from: TO, to: FROM }, {}]],
  ['ClaimRequest', [{ leaseSeconds: 600 }, {}]],
  ['DecisionRequest', [decision, { action: 'DENY', reason: 'spam' }, { action: 'ALLOW' }]],
  ['BulkDecisionRequest', [{ decisions: [{ callbackId: ID, action: 'ALLOW' }, { callbackId: 'd'.repeat(40), ...decision }] }, { decisions: [{ callbackId: ID, action: 'ALLOW' }, { callbackId: ID, action: 'DENY' }] }]],
  ['ReviewActionRequest', [{ type: 'BAN_SENDER', reason: 'spam' }]],
  ['MessageActionRequest', [{ channelArn: CHANNEL, messageId: 'm-1', reason: 'leaked a phone number' }]],
];
const POLICY_REQUESTS: Array<[string, unknown[]]> = [
  ['ScopeParams', [{ scope: 'global' }, { scope: CHANNEL }]],
  ['PolicyListQuery', [{ limit: '10', cursor: 'a.b' }, {}]],
  ['PolicyGetQuery', [{ effective: 'true' }, {}]],
  ['PolicyVersionsQuery', [{ limit: '5', cursor: 'a.b' }]],
  ['PolicyVersionParams', [{ scope: 'global', version: '3' }]],
  ['PolicyDeleteQuery', [{ comment: 'gone', expectedVersion: '2' }]],
  ['PutPolicyRequest', [{ document: { terms: { block: ['scam'] }, mode: 'shadow' }, comment: 'why', expectedVersion: 0 }]],
  ['RollbackRequest', [{ version: 1, comment: 'back', expectedVersion: 2 }]],
  ['PolicyTestRequest', [{ scope: 'global', document: { terms: { block: ['scam'] } }, messages: [{ content: 'hi', metadata: '', senderArn: USER, channelArn: CHANNEL }] }, { messages: [{ content: 'hi' }] }, { scope: 'global', document: { mode: 'shadow', remove: { terms: { block: ['x'] } } }, messages: [{ content: 'x' }] }]],
  ['PolicyReplayRequest', [{ scope: CHANNEL, document: { links: {} }, from: FROM, to: TO, limit: 100, samples: 5 }, { scope: 'global', document: { mode: 'shadow' }, from: '2026-01-01T00:00:00Z', to: TO }]],
];

type Schema = { safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: unknown[] } } };
const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;

function compare(name: string, a: Schema, b: Schema, valid: unknown[]): { accepted: number; rejected: number } {
  let accepted = 0;
  let rejected = 0;
  for (const input of valid.flatMap((v) => mutations(v, WRONG))) {
    const x = a.safeParse(structuredClone(input));
    const y = b.safeParse(structuredClone(input));
    const label = `${name} ${JSON.stringify(input)?.slice(0, 300)}`;
    expect(x.success, label).toBe(y.success);
    if (x.success) {
      accepted++;
      expect(x.data, label).toEqual(y.data);
    } else {
      rejected++;
      expect(plain(x.error!.issues), label).toEqual(plain(y.error!.issues));
    }
  }
  return { accepted, rejected };
}

describe('the review API schemas on zod/mini answer as the classic ones did', () => {
  it.each(REQUESTS)('%s: the same data, or the same issues', (name, valid) => {
    const counts = compare(name, (mini as unknown as Record<string, Schema>)[name]!, (classic as unknown as Record<string, Schema>)[name]!, valid);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(20);
  });

  it.each(POLICY_REQUESTS)('%s: the same data, or the same issues', (name, valid) => {
    const counts = compare(name, (miniPolicy as unknown as Record<string, Schema>)[name]!, (classicPolicy as unknown as Record<string, Schema>)[name]!, valid);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(20);
  });

  it('every schema renders to the same JSON Schema (what the OpenAPI document is made of)', () => {
    const options = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
    const isSchema = (value: unknown) => typeof value === 'object' && value !== null && '_zod' in value;
    const pairs = [
      ...Object.entries({ ...mini, ...miniResponses }).map(([name, schema]) => [name, schema, (classic as Record<string, unknown>)[name]] as const),
      ...Object.entries({ ...miniPolicy, ...miniPolicyResponses }).map(([name, schema]) => [name, schema, (classicPolicy as Record<string, unknown>)[name]] as const),
      // Answers that had no name of their own: the document's, and DELETE /policies/{scope}'s.
      ['OpenApiDocument', miniResponses.REVIEW_RESPONSES.OpenApiDocument, zc.looseObject({ openapi: zc.string() })] as const,
      ['PolicyDeletion', miniPolicyResponses.POLICY_RESPONSES.PolicyDeletion, classicPolicy.PolicyVersionView.extend({ scope: zc.string() })] as const,
      ['PolicyDocumentComponent', PolicyDocumentComponent, classicPolicy.PolicyDocumentComponent] as const,
    ].filter(([, schema]) => isSchema(schema));
    // Exported now for responses.ts; the classic module kept them to itself (its answers used them).
    // And the operations routes' schemas, written on zod/mini from the start (no classic copy).
    // (The operations room has its own modules now: src/operations/schemas.ts, responses.ts.)
    // CommunityPolicyView: the effective community settings (src/policy-api/responses.ts), new on zod/mini;
    // PolicyClassifierRecordView: what a classifier did in the test box and replay (issue 16), likewise.
    const newlyExported = ['CallbackActionSchema', 'DecisionOriginSchema', 'CommunityPolicyView', 'PolicyClassifierRecordView'];
    expect(pairs.filter(([, , b]) => b === undefined).map(([name]) => name)).toEqual(newlyExported);
    expect(pairs.length).toBeGreaterThan(45);
    // Grown since: the effective view also shows the community settings (`community`, compared on its
    // own above as CommunityPolicyView), wherever it appears (PolicyDetail holds one too).
    // And a verdict shows what its classifiers did (issue 16: `classifiers`, src/classifiers/record.ts).
    // And the policy API's classifier tools (issue 16): the test box's `classify`, replay's call cap and estimate.
    const grown: Record<string, string[]> = {
      EffectivePolicy: ['community', 'classifiers'],
      PolicyVerdict: ['classifiers'],
      ShadowVerdict: ['classifiers'],
      PolicyTestRequest: ['classify'],
      PolicyReplayRequest: ['classifierCalls', 'estimate'],
      PolicyTestResult: ['classifiers', 'combined'],
      PolicyReplayResult: ['classifiers'],
    };
    /** Deletes the properties named, at any depth of a definition (a grown field may sit in an array's items). */
    const removeAt = (node: unknown, key: string): void => {
      if (Array.isArray(node)) return node.forEach((entry) => removeAt(entry, key));
      if (typeof node !== 'object' || node === null) return;
      const object = node as Record<string, any>;
      if (object.properties && key in object.properties) {
        delete object.properties[key];
        if (object.required) object.required = (object.required as string[]).filter((name) => name !== key);
      }
      for (const value of Object.values(object)) removeAt(value, key);
    };
    const without = (schema: Record<string, any>) => {
      const copy = structuredClone(schema);
      for (const [name, fields] of Object.entries(grown)) {
        const target = copy.$defs?.[name];
        if (!target) continue;
        for (const path of fields) removeAt(target, path);
      }
      // The definitions only the grown fields used.
      const used = JSON.stringify({ ...copy, $defs: undefined });
      let defs = Object.keys(copy.$defs ?? {});
      for (let changed = true; changed; ) {
        const text = used + defs.map((name) => JSON.stringify(copy.$defs[name])).join('');
        const kept = defs.filter((name) => text.includes(`"#/$defs/${name}"`));
        changed = kept.length !== defs.length;
        defs = kept;
      }
      if (copy.$defs) copy.$defs = Object.fromEntries(defs.map((name) => [name, copy.$defs[name]]));
      return copy;
    };
    for (const [name, a, b] of pairs.filter(([name]) => !newlyExported.includes(name))) {
      expect(isSchema(b), name).toBe(true);
      expect(without(z.toJSONSchema(a as z.ZodMiniType, options) as Record<string, any>), name).toEqual(zc.toJSONSchema(b as zc.ZodType, options));
    }
  });

  it('integerParam: the same schema for any bounds', () => {
    for (const [min, max, fallback] of [[1, 100, 25], [0, 5, 0], [10, 20, 15]] as const) {
      const a = mini.integerParam(min, max, fallback, 'd');
      const b = classic.integerParam(min, max, fallback, 'd');
      for (const value of [undefined, '', '0', String(min), String(max), String(max + 1), '5', 'x', 5]) {
        const x = a.safeParse(value);
        const y = b.safeParse(value);
        expect(x.success).toBe(y.success);
        expect(plain(x.success ? x.data : x.error!.issues)).toEqual(plain(y.success ? y.data : y.error!.issues));
      }
    }
  });
});
