import { MAX_BODY_BYTES } from '../../src/http/app.js';
import { apiDocument } from '../../src/api/document.js';
import { POLICY_ROUTES } from '../../src/policy-api/routes.js';
import { pathPattern } from '../../src/http/route-paths.js';
import { REVIEW_API_ROUTES } from '../../src/api/tables.js';
import { accessOf, type Route } from '../../src/http/route.js';
import type { Expectation, HttpCase, RunContext } from './cases.js';
import { APP_INSTANCE, CHANNEL, ISO_DAY_AGO, ISO_NOW, PENDING_IDS, POLICY_DOCUMENT, SAMPLE_STRINGS, SENDER } from './fixtures.js';
import { deepJson, encodeComponent, headerSafe, HOSTILE_KEYS, HOSTILE_STRINGS, objectWith, preview, RawJson, toJsonText, type Labelled } from './hostile.js';
import type { RawRequest } from './http.js';
import type { Rng } from './random.js';
import { pathsOf, replaceAt, SchemaSet, schemaAt, type JsonSchema } from './schema.js';

/**
 * Target 1: every route of both API functions (ROUTES and POLICY_ROUTES), through the local
 * HTTP API, as a moderator or an admin (whichever the route needs), with one hostile part per
 * request: a path parameter, a query parameter, the body (a field, its shape, its bytes, its
 * media type), the Idempotency-Key, the method, other headers, the path's shape. The routes, their
 * parameters and their schemas are read from the route tables and the OpenAPI document built from
 * them, so a route added tomorrow is fuzzed too; what a route is sent when nothing is wrong (its
 * baseline) is written here for the routes that exist today and made up from the schema for the rest.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRoute = Route<any>;
type Role = 'moderator' | 'admin' | 'member';

interface Baseline {
  params: Record<string, string>;
  query: Array<[string, string]>;
  body?: unknown;
  /** Sent as is, it changes nothing and gets one of these statuses (checked by the suite before fuzzing). */
  harmless?: number[];
}

export interface RouteInfo {
  route: AnyRoute;
  key: string;
  /** Which function serves it: its table answers 405 for the path. */
  table: readonly AnyRoute[];
  role: Role;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  queryParams: Array<{ name: string; schema: JsonSchema; required: boolean }>;
  bodySchema?: JsonSchema;
  bodyLimit: number;
  baseline: Baseline;
}

/** A case id nobody has (the reports room's routes): 32 characters of [A-Za-z0-9_-]. */
const FUZZ_CASE_ID = 'FuzzCaseNobodyHas000000000000001';
/** An appeal id nobody has (32 characters of [A-Za-z0-9_-]). */
const FUZZ_APPEAL_ID = 'FuzzAppealNobodyHas0000000000001';

/** What each route of today is sent when nothing is wrong; `harmless` ones change nothing (a stale expectedVersion, a read). */
const BASELINES: Record<string, Partial<Baseline>> = {
  getOpenApiDocument: { harmless: [200] },
  listReviews: { query: [['channelArn', CHANNEL], ['senderArn', SENDER], ['claimed', 'any'], ['rule', 'terms.review'], ['limit', '10']], harmless: [200] },
  getReview: { params: { callbackId: PENDING_IDS[0] }, harmless: [200] },
  claimReview: { params: { callbackId: PENDING_IDS[0] }, body: { leaseSeconds: 300 } },
  releaseClaim: { params: { callbackId: PENDING_IDS[0] } },
  decideReview: {
    params: { callbackId: PENDING_IDS[1] },
    body: {
      action: 'UPDATE',
      content: 'edited by fuzz',
      metadata: '{"k":1}',
      messageAttributes: { topic: { StringValues: ['billing'] } },
      pushNotification: { title: 'title', body: 'body', type: 'DEFAULT' },
      reason: 'fuzz',
      expectedVersion: 999,
    },
    harmless: [409],
  },
  decideMany: {
    body: {
      decisions: [
        { callbackId: PENDING_IDS[0], action: 'ALLOW', expectedVersion: 999 },
        { callbackId: PENDING_IDS[1], action: 'DENY', reason: 'fuzz', expectedVersion: 999 },
      ],
    },
  },
  actOnReview: { params: { callbackId: PENDING_IDS[2] }, body: { type: 'BAN_SENDER', reason: 'fuzz' } },
  redactMessage: { body: { channelArn: CHANNEL, messageId: 'fuzz-message-1', reason: 'fuzz' } },
  deleteMessage: { body: { channelArn: CHANNEL, messageId: 'fuzz-message-1', reason: 'fuzz' } },
  listDecisions: { query: [['moderator', 'alice'], ['channelArn', CHANNEL], ['origin', 'MODERATOR'], ['from', ISO_DAY_AGO], ['to', ISO_NOW], ['limit', '10']], harmless: [200] },
  getStats: { harmless: [200] },
  getMe: { harmless: [200] },
  listPolicies: { query: [['limit', '10']], harmless: [200] },
  testPolicy: {
    body: { scope: CHANNEL, document: POLICY_DOCUMENT, messages: [{ content: 'hello fuzz', metadata: '{}', senderArn: SENDER, channelArn: CHANNEL }] },
    harmless: [200],
  },
  replayPolicy: { body: { scope: CHANNEL, document: POLICY_DOCUMENT, from: ISO_DAY_AGO, to: ISO_NOW, limit: 10, samples: 5 }, harmless: [200] },
  getPolicy: { params: { scope: CHANNEL }, query: [['effective', 'true']], harmless: [200] },
  putPolicy: { params: { scope: CHANNEL }, body: { document: POLICY_DOCUMENT, comment: 'fuzz', expectedVersion: 999 }, harmless: [409] },
  deletePolicy: { params: { scope: CHANNEL }, query: [['comment', 'fuzz'], ['expectedVersion', '999']], harmless: [409] },
  listPolicyVersions: { params: { scope: CHANNEL }, query: [['limit', '5']], harmless: [200] },
  getPolicyVersion: { params: { scope: 'global', version: '0' }, harmless: [200] },
  rollbackPolicy: { params: { scope: 'global' }, body: { version: 0, comment: 'fuzz', expectedVersion: 999 }, harmless: [409] },
  // The senders room (src/senders/routes.ts): a restriction id nobody has, so its baselines change nothing.
  getSender: { params: { memberArn: SENDER }, query: [['messages', 'all'], ['limit', '10']], harmless: [200] },
  addSenderNote: { params: { memberArn: SENDER }, body: { text: 'fuzz note' } },
  restrictSender: { params: { memberArn: SENDER }, body: { action: 'HOLD', channelArn: CHANNEL, for: '1h', scope: 'channel', reason: 'fuzz' } },
  liftSenderRestriction: { params: { memberArn: SENDER, restrictionId: 'FuzzRestriction0000000' }, query: [['reason', 'fuzz']], harmless: [404] },
  listApprovals: { query: [['limit', '10']], harmless: [200] },
  decideApproval: { params: { approvalId: 'FuzzRestriction0000000' }, body: { approve: true, reason: 'fuzz' }, harmless: [404] },
  getCannedReasons: { query: [['channelArn', CHANNEL]], harmless: [200] },
  // The reports room (src/reports/routes.ts): a message in a channel nobody used (404, nothing
  // stored, nothing made in Chime), and a case id nobody has, so its baselines change nothing.
  reportMessage: { body: { channelArn: CHANNEL, messageId: 'fuzz-message-1', category: 'spam', note: 'fuzz' }, harmless: [404] },
  listMyReports: { query: [['limit', '10']], harmless: [200] },
  listCases: { query: [['status', 'OPEN'], ['category', 'spam'], ['channelArn', CHANNEL], ['senderArn', SENDER], ['order', 'priority'], ['limit', '10']], harmless: [200] },
  getCase: { params: { caseId: FUZZ_CASE_ID }, harmless: [404] },
  claimCase: { params: { caseId: FUZZ_CASE_ID }, body: { leaseSeconds: 300 }, harmless: [404] },
  releaseCaseClaim: { params: { caseId: FUZZ_CASE_ID }, harmless: [404] },
  decideCase: { params: { caseId: FUZZ_CASE_ID }, body: { action: 'DISMISS', reason: 'fuzz', publicReason: 'fuzz', expectedVersion: 999 }, harmless: [404] },
  actOnCase: { params: { caseId: FUZZ_CASE_ID }, body: { type: 'BAN_SENDER', reason: 'fuzz', for: '1h', scope: 'channel' }, harmless: [404] },
  // The appeals room (src/appeals/routes.ts): a held item the fuzzing member did not send (404,
  // nothing stored), and an appeal id nobody has, so its baselines change nothing.
  appealDecision: { body: { callbackId: PENDING_IDS[0], text: 'fuzz appeal' }, harmless: [404] },
  listAppeals: { query: [['status', 'PENDING'], ['limit', '10']], harmless: [200] },
  getAppeal: { params: { appealId: FUZZ_APPEAL_ID }, harmless: [404] },
  decideAppeal: { params: { appealId: FUZZ_APPEAL_ID }, body: { outcome: 'UPHOLD', reason: 'fuzz', expectedVersion: 999 }, harmless: [404] },
};

/** A value for a schema made up from its constraints (a route nobody wrote a baseline for). */
function synthesize(set: SchemaSet, schema: JsonSchema, name = ''): unknown {
  const s = set.resolve(schema);
  if (s.anyOf) return synthesize(set, s.anyOf[0], name);
  if ('const' in s) return s.const;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'string': {
      const fits = (v: string) => set.valid(s, v);
      if (/callbackid/i.test(name) && fits(PENDING_IDS[0])) return PENDING_IDS[0];
      return SAMPLE_STRINGS.find(fits) ?? 'fuzz';
    }
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return (s.minItems ?? 0) > 0 ? [synthesize(set, s.items, name)] : [];
    case 'object':
      return objectWith((s.required ?? []).map((key: string) => [key, synthesize(set, s.properties?.[key] ?? {}, key)] as const));
    default:
      return {};
  }
}

/** The routes, with what the document says about each and its baseline. */
export function routeInfos(set: SchemaSet, document: Record<string, any>): RouteInfo[] {
  const tables: Array<readonly AnyRoute[]> = [REVIEW_API_ROUTES, POLICY_ROUTES];
  return tables.flatMap((table) =>
    table.map((route) => {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      const parameters = (operation.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema: JsonSchema }>;
      const given = BASELINES[route.operationId] ?? {};
      const pathParams = parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema }));
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const params = given.params ?? Object.fromEntries(pathParams.map((p) => [p.name, p.name === 'scope' ? CHANNEL : String(synthesize(set, p.schema, p.name))]));
      const query = given.query ?? parameters.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, String(synthesize(set, p.schema, p.name))] as [string, string]);
      const body = given.body ?? (bodySchema ? synthesize(set, bodySchema) : undefined);
      const harmless = given.harmless ?? (BASELINES[route.operationId] === undefined && route.method === 'GET' ? [200] : undefined);
      return {
        route,
        key: `${route.method} ${route.path}`,
        table,
        // A member route (access `member`) is called as a chat member (a token naming one), as members call it.
        role: accessOf(route) === 'admin' ? 'admin' : accessOf(route) === 'member' ? 'member' : 'moderator',
        pathParams,
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        ...(bodySchema ? { bodySchema } : {}),
        bodyLimit: route.maxBodyBytes ?? MAX_BODY_BYTES,
        baseline: { params, query, ...(body !== undefined ? { body } : {}), ...(harmless ? { harmless } : {}) },
      } satisfies RouteInfo;
    }),
  );
}

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

export interface Draft {
  method?: string;
  /** Path segments already encoded, by parameter name. */
  segments?: Record<string, string>;
  /** Replaces the whole path (path-shape inputs). */
  path?: string;
  query?: Array<[string, string]>;
  /** Raw query string, instead of `query`. */
  rawQuery?: string;
  /** JSON value (serialised with RawJson tokens), text or bytes; `null` for none. */
  body?: { value: unknown } | { text: string | (() => string) } | { bytes: Buffer } | null;
  contentType?: string | null;
  headers?: Array<[string, string]>;
  role?: Role | null;
  chunked?: boolean;
}

const encodeQuery = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&');

export function concretePath(info: RouteInfo, segments: Record<string, string> = {}): string {
  return info.route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => segments[name] ?? encodeComponent(info.baseline.params[name] ?? ''));
}

export function draftRequest(info: RouteInfo, draft: Draft): (ctx: RunContext) => RawRequest {
  return (ctx) => {
    const path = draft.path ?? concretePath(info, draft.segments);
    const query = draft.rawQuery ?? encodeQuery(draft.query ?? info.baseline.query);
    const headers: Array<[string, string]> = [];
    const role = draft.role === undefined ? info.role : draft.role;
    if (role) headers.push(['authorization', `Bearer ${ctx.token(role)}`]);
    let body: Buffer | undefined;
    const spec = draft.body === undefined ? (info.baseline.body !== undefined ? { value: info.baseline.body } : null) : draft.body;
    if (spec) {
      if ('value' in spec) body = Buffer.from(toJsonText(spec.value), 'utf8');
      else if ('text' in spec) body = Buffer.from(typeof spec.text === 'function' ? spec.text() : spec.text, 'utf8');
      else body = spec.bytes;
      const contentType = draft.contentType === undefined ? 'application/json' : draft.contentType;
      if (contentType !== null) headers.push(['content-type', contentType]);
    }
    headers.push(...(draft.headers ?? []));
    return { method: draft.method ?? info.route.method, path: `${path}${query ? `?${query}` : ''}`, headers, ...(body !== undefined ? { body } : {}), ...(draft.chunked ? { chunked: true } : {}) };
  };
}

// ─── Hostile values per slot ────────────────────────────────────────────────────────────────

/** A scope is `global` or an app instance or channel ARN; these are neither, by any reading. */
const SCOPE_RULE = /^(?:global|arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[^/\s]+(?:\/channel\/[^/\s]+)?)$/;
const isScopeShaped = (s: string) => s.length <= 1600 && SCOPE_RULE.test(s);
const SCOPE_VIOLATIONS: Array<Labelled<string>> = [
  ...HOSTILE_STRINGS.map((h) => ({ label: `scope: ${h.label}`, value: h.value })),
  { label: 'GLOBAL', value: 'GLOBAL' },
  { label: 'global + space', value: 'global ' },
  { label: 'global + zero-width', value: 'global\u200b' },
  { label: 'global/x', value: 'global/x' },
  { label: 'app instance + slash', value: `${APP_INSTANCE}/` },
  { label: 'channel without id', value: `${APP_INSTANCE}/channel/` },
  { label: 'channel + extra segment', value: `${CHANNEL}/extra` },
  { label: 'channel id with a space', value: `${APP_INSTANCE}/channel/fuzz general` },
  { label: 'channel id with a tab', value: `${APP_INSTANCE}/channel/fuzz\tgeneral` },
  { label: '11-digit account', value: 'arn:aws:chime:us-east-1:12345678901:app-instance/x' },
  { label: 'upper-case region', value: 'arn:aws:chime:US-EAST-1:123456789012:app-instance/x' },
  { label: 'an S3 ARN', value: 'arn:aws:s3:::bucket' },
  { label: 'ARN over 1600 characters', value: `${APP_INSTANCE}/channel/${'c'.repeat(1600)}` },
  { label: 'traversal after the ARN', value: `${CHANNEL}/../../global` },
].filter((v) => !isScopeShaped(v.value));

/** ARN-shaped scopes no channel can ever have (odd characters in the ids): accepted as scopes today. */
export const ODD_SCOPES: Array<Labelled<string>> = [
  { label: 'NUL and markup in the app instance id', value: 'arn:aws:chime:us-east-1:123456789012:app-instance/\u0000<script>' },
  { label: 'zero-width space in the channel id', value: `${APP_INSTANCE}/channel/fuzz\u200bgeneral` },
  { label: 'é in the channel id', value: `${APP_INSTANCE}/channel/caf\u00e9` },
  { label: 'RTL override in the app instance id', value: 'arn:aws:chime:us-east-1:123456789012:app-instance/\u202eevil/channel/x' },
  { label: 'dot-dot channel id', value: `${APP_INSTANCE}/channel/..` },
];

const VERSION_VIOLATIONS: Array<Labelled<string>> = ['-1', '1.5', '1e3', '0x1', '+1', '1_0', '\u0661', '\uff11', 'NaN', 'Infinity', '-0', '1 ', ' 1', '1%00', 'one', '9'.repeat(40), '<script>', '__proto__'].map((v) => ({ label: `version ${JSON.stringify(v)}`, value: v }));

/**
 * Node's HTTP server refuses a request line and headers over 16 KB with a bare 431 before any
 * of our code runs (API Gateway has its own limits); keep each hostile part of a URL well under.
 */
const MAX_URL_PART = 6000;

/** The string a query value is when the server has read it (a lone surrogate becomes U+FFFD). */
const asServerReadsQuery = (value: string) => new URLSearchParams(`v=${encodeComponent(value)}`).get('v') ?? '';

/** Query values that break the parameter's documented schema (query integers are decimal digits). */
function queryViolations(set: SchemaSet, rng: Rng, schema: JsonSchema, example: string | undefined): Array<Labelled<string>> {
  const s = set.resolve(schema);
  const valid = (v: string) =>
    s.type === 'integer' ? /^(?:0|[1-9]\d*)$/.test(v) && set.valid(s, Number(v)) : set.valid(s, v);
  const candidates: Array<Labelled<string>> = [
    ...HOSTILE_STRINGS.map((h) => ({ label: h.label, value: h.value })),
    ...set.violations(rng, s, example).map((v) => ({ label: v.label, value: typeof v.value === 'string' ? v.value : v.value instanceof RawJson ? v.value.text : toJsonText(v.value) })),
    ...(s.type === 'integer' ? ['0', '-1', '101', '1000000000', '1e1', '1.0', '+5', '\uff15', '5 ', '0x5'].map((v) => ({ label: `integer ${JSON.stringify(v)}`, value: v })) : []),
  ];
  return candidates.filter((c) => encodeComponent(c.value).length <= MAX_URL_PART && !valid(asServerReadsQuery(c.value)));
}

/** What a header value is when the server has read it: spaces and tabs around it dropped. */
const asServerReadsHeader = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const IDEMPOTENCY_VIOLATIONS: Array<Labelled<string[]>> = [
  ...['', ' ', '\t', 'a'.repeat(129), 'key with space', 'k/1', 'k%20x', 'k;1', 'k,1', '"quoted"', '<script>', '../../x', '\u00e9t\u00e9', 'ключ', '\u200bkey', 'key\u202e', '{"a":1}', '__proto__=1&x', '*'].map((v) => ({
    label: `Idempotency-Key ${preview(v, 24)}`,
    value: [v],
  })),
  { label: 'two Idempotency-Key headers', value: ['key-one', 'key-two'] },
];

const ODD_METHODS = ['PATCH', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'POST', 'GET', 'HEAD', 'PROPFIND', 'PURGE', 'LINK', 'SEARCH', 'REPORT', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'];

const NOT_JSON_TYPES: Array<string | null> = [
  null,
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'text/json',
  'application/jsonx',
  'application/json-seq',
  'application/javascript',
  '*/*',
  'application/octet-stream',
  'json',
  'APPLICATION/XML',
  'application/vnd.fuzz+jsonx',
  'image/png',
];

/** Bodies JSON.parse refuses, made from the route's valid body text. */
function malformed(rng: Rng, text: string): Array<{ label: string; body: NonNullable<Draft['body']> }> {
  const rest = text.slice(1);
  const cut = 1 + rng.int(Math.max(1, text.length - 1));
  return [
    { label: `truncated at ${cut}`, body: { text: text.slice(0, cut) } },
    { label: 'garbage after', body: { text: `${text}x` } },
    { label: 'two documents', body: { text: `${text}${text}` } },
    { label: 'trailing comma', body: { text: `${text.slice(0, -1)},}` } },
    { label: 'single quotes', body: { text: text.replace(/"/g, "'") } },
    { label: 'a comment', body: { text: `/* fuzz */${text}` } },
    { label: 'NaN literal', body: { text: `{"x":NaN,${rest}` } },
    { label: 'unquoted keys', body: { text: text.replace(/"(\w+)":/g, '$1:') } },
    { label: 'raw control character in a string', body: { text: `{"x":"a\u0001b",${rest}` } },
    { label: 'invalid escape', body: { text: `{"x":"\\q",${rest}` } },
    { label: 'short \\u escape', body: { text: `{"x":"\\u12",${rest}` } },
    { label: 'invalid UTF-8 byte outside a string', body: { bytes: Buffer.concat([Buffer.from('{'), Buffer.from([0xff, 0xfe]), Buffer.from(rest)]) } },
    { label: 'UTF-16LE with BOM', body: { bytes: Buffer.from(`\ufeff${text}`, 'utf16le') } },
    { label: 'whitespace only', body: { text: '  \n\t ' } },
    { label: 'a NUL byte', body: { bytes: Buffer.from([0]) } },
    { label: 'hex number', body: { text: `{"x":0x10,${rest}` } },
    { label: 'leading zero', body: { text: `{"x":01,${rest}` } },
    { label: 'plus sign', body: { text: `{"x":+1,${rest}` } },
    { label: 'undefined literal', body: { text: `{"x":undefined,${rest}` } },
    { label: 'unclosed string', body: { text: `{"x":"${rest}` } },
    { label: 'deep and unclosed', body: { text: deepJson('array', 10_000).slice(0, -1) } },
  ];
}

// ─── Inputs, by class ───────────────────────────────────────────────────────────────────────

interface Made {
  name: string;
  expect: Expectation;
  draft: Draft;
}
type Maker = (rng: Rng, info: RouteInfo, set: SchemaSet) => Made | undefined;

const invalid = (errorPath: string, extra: Partial<Expectation> = {}): Expectation => ({ statuses: [400], types: ['invalid-request'], errorPath, ...extra });

/** A parameter given once must not be refused as "given more than once". */
const givenOnce = (name: string): Expectation['also'] => (response) =>
  /more than once/.test(response.text) ? [`says the parameter ${JSON.stringify(name)} is given more than once; it was given once`] : [];

/** The methods the function serving `path` answers there (what a 405's Allow must list). */
export function methodsAt(info: RouteInfo, path: string): string[] {
  return [...new Set(info.table.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method))];
}

const MAKERS: Record<string, { applies: (info: RouteInfo) => boolean; make: Maker }> = {
  'path-param': {
    applies: (info) => info.pathParams.length > 0,
    make(rng, info, set) {
      const param = rng.pick(info.pathParams);
      const example = info.baseline.params[param.name] ?? '';
      const candidates =
        param.name === 'scope'
          ? SCOPE_VIOLATIONS
          : param.name === 'version'
            ? VERSION_VIOLATIONS
            : set
                .violations(rng, param.schema, example)
                .map((v) => ({ label: v.label, value: typeof v.value === 'string' ? v.value : v.value instanceof RawJson ? v.value.text : toJsonText(v.value) }))
                .filter((v) => !set.valid(param.schema, v.value));
      const hostile = rng.pick(candidates.filter((c) => encodeComponent(c.value).length <= MAX_URL_PART));
      // Mostly percent-encoded (one path segment, as a client builds it); sometimes as it is.
      const asIs = rng.bool(0.2) && /^[\x21-\x7e]*$/.test(hostile.value) && !/[?#]/.test(hostile.value);
      const segment = asIs ? hostile.value : encodeComponent(hostile.value);
      // `..`, `.`, `%2e%2e`, an empty or a raw `/` or `\`: the URL resolves to another path, and another route may answer.
      const movesPath = asIs || /^(?:\.|%2e){0,2}$/i.test(segment);
      return {
        name: `${param.name} ${asIs ? 'as is' : 'encoded'}: ${hostile.label} ${preview(hostile.value, 40)}`,
        expect: movesPath ? { statuses: [400, 404, 405] } : invalid(`path.${param.name}`),
        draft: { segments: { [param.name]: segment } },
      };
    },
  },
  'odd-scope': {
    applies: (info) => info.pathParams.some((p) => p.name === 'scope'),
    make(rng, info) {
      const odd = rng.pick(ODD_SCOPES);
      // A scope no channel can have: reads find nothing, writes meet the baseline's stale expectedVersion.
      const statuses = info.route.method === 'GET' ? [200, 400, 404] : [400, 404, 409];
      return { name: `scope ${odd.label}`, expect: { statuses }, draft: { segments: { scope: encodeComponent(odd.value) } } };
    },
  },
  'query-value': {
    applies: (info) => info.queryParams.some((p) => p.name !== 'cursor'),
    make(rng, info, set) {
      const param = rng.pick(info.queryParams.filter((p) => p.name !== 'cursor'));
      const example = info.baseline.query.find(([k]) => k === param.name)?.[1];
      if (param.required && rng.bool(0.15)) {
        return { name: `without required ${param.name}`, expect: invalid(`query.${param.name}`), draft: { query: info.baseline.query.filter(([k]) => k !== param.name) } };
      }
      const hostile = rng.pick(queryViolations(set, rng, param.schema, example));
      const query = [...info.baseline.query.filter(([k]) => k !== param.name), [param.name, hostile.value] as [string, string]];
      return { name: `${param.name}=${preview(hostile.value, 40)} (${hostile.label})`, expect: invalid(`query.${param.name}`), draft: { query } };
    },
  },
  'query-extra': {
    applies: () => true,
    make(rng, info) {
      const names = [...HOSTILE_KEYS, 'LIMIT', 'limit ', 'cursor[]', 'a[b]', 'x.y', 'callbackId', 'isAdmin'].filter((k) => !info.queryParams.some((p) => p.name === k));
      const name = rng.pick(names);
      const value = rng.pick(HOSTILE_STRINGS.filter((h) => encodeComponent(h.value).length <= MAX_URL_PART)).value;
      return {
        name: `unknown parameter ${preview(name, 30)}=${preview(value, 20)}`,
        expect: invalid('query', { also: givenOnce(name) }),
        draft: { query: [...info.baseline.query, [name, value]] },
      };
    },
  },
  'query-duplicate': {
    applies: () => true,
    make(rng, info) {
      const own = info.baseline.query;
      const [name, value] = own.length > 0 ? rng.pick(own) : ['fuzz', 'x'];
      const second = rng.bool() ? value : rng.pick(HOSTILE_STRINGS.filter((h) => encodeComponent(h.value).length <= MAX_URL_PART)).value;
      return { name: `${name} given twice (${preview(second, 20)})`, expect: invalid(own.length > 0 ? `query.${name}` : 'query'), draft: { query: [...own, [name, second]] } };
    },
  },
  cursor: {
    applies: (info) => info.queryParams.some((p) => p.name === 'cursor'),
    make(rng, info) {
      const tamper = rng.pick(CURSOR_TAMPERS);
      const own = cursorKindOf(info);
      return {
        name: `cursor: ${tamper.label}`,
        expect: { statuses: [400], types: ['invalid-cursor', 'invalid-request'] },
        draft: { rawQuery: '' }, // replaced at build time (the cursors exist only then)
        ...{ cursor: { tamper, own } },
      } as Made;
    },
  },
  'body-field': {
    applies: (info) => info.bodySchema !== undefined && typeof info.baseline.body === 'object',
    make(rng, info, set) {
      const body = info.baseline.body as Record<string, unknown>;
      const spots: Array<{ path: Array<string | number>; value: unknown; schema: JsonSchema }> = [];
      for (const { path, value } of pathsOf(body)) {
        if (path.length === 0) continue;
        const schema = schemaAt(set, info.bodySchema!, path, body);
        if (schema) spots.push({ path, value, schema });
        // Optional fields the baseline leaves out are slots too.
        const resolved = schema && set.resolve(schema);
        if (resolved?.type === 'object' && resolved.properties && typeof value === 'object' && value !== null) {
          for (const [key, sub] of Object.entries(resolved.properties as Record<string, JsonSchema>)) {
            if (!Object.hasOwn(value, key)) spots.push({ path: [...path, key], value: undefined, schema: sub });
          }
        }
      }
      for (const [key, sub] of Object.entries((set.resolve(info.bodySchema!).properties ?? {}) as Record<string, JsonSchema>)) {
        if (!Object.hasOwn(body, key)) spots.push({ path: [key], value: undefined, schema: sub });
      }
      if (spots.length === 0) return undefined;
      const spot = rng.pick(spots);
      const resolved = set.resolve(spot.schema);
      const isScope = spot.path[spot.path.length - 1] === 'scope' && resolved.type === 'string' && !resolved.pattern;
      const candidates = [
        ...set.violations(rng, spot.schema, spot.value),
        ...(isScope ? SCOPE_VIOLATIONS.map((v) => ({ label: v.label, value: v.value as unknown })) : []),
      ];
      if (candidates.length === 0) return undefined;
      const hostile = rng.pick(candidates);
      const mutated = replaceAt(body, spot.path, hostile.value);
      const size = Buffer.byteLength(toJsonText(mutated));
      return {
        name: `body.${spot.path.join('.')} = ${hostile.label} ${preview(hostile.value, 40)}`,
        expect: size > info.bodyLimit ? { statuses: [413], types: ['payload-too-large'] } : invalid('body'),
        draft: { body: { value: mutated } },
      };
    },
  },
  'body-whole': {
    applies: (info) => info.bodySchema !== undefined,
    make(rng, info, set) {
      const deep: Array<Labelled<unknown>> = [
        { label: 'arrays nested 10,000 deep', value: new RawJson(deepJson('array', 10_000)) },
        { label: 'objects nested 10,000 deep', value: new RawJson(deepJson('object', 10_000)) },
      ];
      const baseline = info.baseline.body;
      const fieldDeep: Array<Labelled<unknown>> = [];
      if (typeof baseline === 'object' && baseline !== null) {
        const spots = pathsOf(baseline).filter((p) => p.path.length > 0 && schemaAt(set, info.bodySchema!, p.path, baseline));
        if (spots.length > 0) {
          const spot = rng.pick(spots);
          const kind = rng.bool() ? 'array' : 'object';
          const nested = replaceAt(baseline, spot.path, new RawJson(deepJson(kind, 10_000)));
          // The document must say it is wrong there (it does unless the field takes anything).
          const schema = schemaAt(set, info.bodySchema!, spot.path, baseline)!;
          if (!set.valid(schema, kind === 'array' ? [1] : { a: 1 })) fieldDeep.push({ label: `body.${spot.path.join('.')}: ${kind}s nested 10,000 deep`, value: nested });
        }
      }
      const hostile = rng.pick([...set.violations(rng, info.bodySchema!, baseline), ...deep, ...fieldDeep]);
      return { name: `body ${hostile.label}`, expect: invalid('body'), draft: { body: { value: hostile.value } } };
    },
  },
  'body-raw': {
    applies: (info) => info.bodySchema !== undefined,
    make(rng, info, set) {
      const text = toJsonText(info.baseline.body ?? {});
      const body = info.baseline.body;
      // A key given twice, the last time wrong: JSON.parse keeps the last.
      const duplicates: Array<{ label: string; body: NonNullable<Draft['body']>; type: string }> = [];
      if (typeof body === 'object' && body !== null && text.endsWith('}')) {
        const key = rng.pick(Object.keys(body));
        const schema = schemaAt(set, info.bodySchema!, [key], body);
        const wrong = schema ? set.violations(rng, schema, (body as Record<string, unknown>)[key]) : [];
        if (wrong.length > 0) {
          const w = rng.pick(wrong);
          duplicates.push({ label: `${key} given twice, the last ${w.label}`, body: { text: `${text.slice(0, -1)},${JSON.stringify(key)}:${toJsonText(w.value)}}` }, type: 'invalid-request' });
        }
      }
      // A byte order mark: RFC 8259 lets a parser ignore it (the Fetch body reader does), so it is
      // sent before a body that is wrong in another way, and must not make that body pass.
      const boms: Array<{ label: string; body: NonNullable<Draft['body']>; type: string }> = [];
      if (info.bodySchema) {
        const wrong = set.violations(rng, info.bodySchema, body);
        if (wrong.length > 0) {
          const w = rng.pick(wrong);
          boms.push({ label: `a BOM, then a body with ${w.label}`, body: { text: `\ufeff${toJsonText(w.value)}` }, type: 'either' });
        }
      }
      const choice = rng.pick([...malformed(rng, text).map((m) => ({ ...m, type: 'malformed-json' })), ...duplicates, ...boms]);
      return {
        name: `body ${choice.label}`,
        expect:
          choice.type === 'malformed-json'
            ? { statuses: [400], types: ['malformed-json'] }
            : choice.type === 'either'
              ? { statuses: [400], types: ['malformed-json', 'invalid-request'] }
              : invalid('body'),
        draft: { body: choice.body },
      };
    },
  },
  'body-size': {
    applies: (info) => info.bodySchema !== undefined,
    make(rng, info, set) {
      const limit = info.bodyLimit;
      const body = (info.baseline.body ?? {}) as Record<string, unknown>;
      const text = toJsonText(body);
      // A string field with a maximum, filled to just under the body limit.
      const long = pathsOf(body).filter((p) => {
        const schema = p.path.length > 0 ? schemaAt(set, info.bodySchema!, p.path, body) : undefined;
        const resolved = schema && set.resolve(schema);
        return typeof p.value === 'string' && resolved?.maxLength !== undefined && resolved.maxLength < limit / 2;
      });
      if (long.length > 0 && rng.bool()) {
        const spot = rng.pick(long);
        const filler = Math.min(limit - text.length - 64, 60_000);
        return {
          name: `body.${spot.path.join('.')} of ${filler} characters (just under the body limit)`,
          expect: invalid('body'),
          draft: { body: { text: () => toJsonText(replaceAt(body, spot.path, 'x'.repeat(filler))) } },
        };
      }
      const over = limit + 1 + rng.int(32 * 1024);
      return {
        name: `a ${over}-byte body (limit ${limit})`,
        expect: { statuses: [413], types: ['payload-too-large'] },
        draft: { body: { text: () => `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"pad":"${'p'.repeat(over - text.length - 9)}"}` } },
      };
    },
  },
  'content-type': {
    applies: (info) => info.bodySchema !== undefined,
    make(rng, info) {
      const type = rng.pick(NOT_JSON_TYPES);
      const duplicate = type !== null && rng.bool(0.15);
      return {
        name: duplicate ? `Content-Type ${type} then application/json` : `Content-Type ${type ?? 'absent'}`,
        expect: { statuses: [415], types: ['unsupported-media-type'] },
        draft: duplicate ? { contentType: type, headers: [['content-type', 'application/json']] } : { contentType: type },
      };
    },
  },
  'body-on-bodiless': {
    applies: (info) => info.bodySchema === undefined,
    make(rng) {
      const bodies: Array<Labelled<string>> = [
        { label: 'an empty object', value: '{}' },
        { label: 'a decision', value: '{"action":"ALLOW"}' },
        { label: '__proto__', value: '{"__proto__":{"isAdmin":true}}' },
        { label: 'not JSON', value: 'x' },
        { label: 'arrays nested 10,000 deep', value: deepJson('array', 10_000) },
      ];
      const body = rng.pick(bodies);
      return { name: `a body: ${body.label}`, expect: invalid('body'), draft: { body: { text: body.value } } };
    },
  },
  'idempotency-key': {
    applies: (info) => info.route.idempotent === true,
    make(rng) {
      const key = rng.pick(IDEMPOTENCY_VIOLATIONS);
      const sent = key.value.map(headerSafe);
      if (sent.length === 1 && IDEMPOTENCY_KEY.test(asServerReadsHeader(sent[0]!))) return undefined;
      return { name: key.label, expect: invalid('headers.Idempotency-Key'), draft: { headers: sent.map((v) => ['idempotency-key', v] as [string, string]) } };
    },
  },
  method: {
    applies: () => true,
    make(rng, info) {
      const path = concretePath(info);
      const routed = methodsAt(info, path);
      const method = rng.pick(ODD_METHODS.filter((m) => !routed.includes(m) && !(m === 'HEAD' && routed.includes('GET'))));
      const override = rng.bool(0.3) ? ([['x-http-method-override', info.route.method]] as Array<[string, string]>) : [];
      return {
        name: `${method} ${path.slice(0, 60)}${override.length ? ' with X-HTTP-Method-Override' : ''}`,
        expect: {
          statuses: [405],
          types: ['method-not-allowed'],
          also: (response) => {
            const allow = (response.headers.allow ?? '').split(/,\s*/).filter(Boolean).sort();
            return allow.join(',') === [...routed].sort().join(',') ? [] : [`Allow is ${JSON.stringify(response.headers.allow)}, the routes there take ${routed.join(', ')}`];
          },
        },
        draft: { method, headers: override, body: null },
      };
    },
  },
  headers: {
    applies: (info) => info.baseline.harmless !== undefined,
    make(rng, info) {
      const sets: Array<Labelled<Array<[string, string]>>> = [
        { label: 'an 8 KB header', value: [['x-fuzz', 'A'.repeat(8000)]] },
        { label: '100 headers', value: Array.from({ length: 100 }, (_, i) => [`x-fuzz-${i}`, headerSafe(HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]!.value.slice(0, 30))] as [string, string]) },
        { label: 'a foreign Host', value: [['host', 'evil.example']] },
        { label: 'a Host that is no host', value: [['host', rng.pick(['[::1', 'a@b:99999', '<script>', '..', 'evil.example:-1'])]] },
        { label: 'a cross-site Origin', value: [['origin', 'https://evil.example'], ['access-control-request-method', 'DELETE']] },
        { label: 'hostile cookies', value: [['cookie', '__proto__=1; constructor=2; isAdmin=true; session=../../etc']] },
        { label: 'forwarding headers', value: [['x-forwarded-for', '127.0.0.1, ../../, <script>'], ['x-forwarded-host', 'evil.example'], ['forwarded', 'for=unknown;proto=gopher']] },
        { label: 'method overrides', value: [['x-http-method-override', 'DELETE'], ['x-http-method', 'PUT'], ['x-method-override', 'PATCH']] },
        { label: 'Accept: text/html', value: [['accept', 'text/html']] },
        { label: 'Accept nothing', value: [['accept', '*/*;q=0'], ['accept-encoding', 'zstd, *;q=0']] },
        { label: 'markup in User-Agent and Referer', value: [['user-agent', '<script>alert(1)</script>'], ['referer', 'javascript:alert(1)']] },
        { label: 'a hostile request id', value: [['x-request-id', '../../<script>'], ['x-amzn-trace-id', 'Root=\u00e9'.replace('\u00e9', '%C3%A9')]] },
        { label: 'conditional and range headers', value: [['range', 'bytes=0-0'], ['if-none-match', '*'], ['if-modified-since', 'yesterday']] },
        { label: 'non-ASCII header values', value: [['x-fuzz', headerSafe('\u00e9\u202e\u200b\ud83d\ude00')], ['accept-language', headerSafe('\u0430dmins')]] },
        ...(info.bodySchema ? [{ label: 'Content-Encoding gzip on a plain body', value: [['content-encoding', 'gzip']] as Array<[string, string]> }] : []),
      ];
      const chosen = rng.pick(sets);
      const chunked = info.bodySchema !== undefined && rng.bool(0.2);
      // A Host no URL can be made of may be refused (400); anything else changes nothing about the answer.
      const statuses = chosen.label === 'a Host that is no host' ? [...info.baseline.harmless!, 400] : info.baseline.harmless!;
      return { name: `${chosen.label}${chunked ? ', body chunked' : ''}`, expect: { statuses }, draft: { headers: chosen.value, chunked } };
    },
  },
  'path-shape': {
    applies: (info) => info.route.method === 'GET' && info.baseline.harmless !== undefined,
    make(rng, info) {
      const path = concretePath(info);
      const shapes: Array<Labelled<string>> = [
        { label: 'trailing slash', value: `${path}/` },
        { label: 'double slash', value: path.replace('/', '//x//') },
        { label: 'upper case', value: path.toUpperCase() },
        { label: 'matrix parameter', value: `${path};jsessionid=1` },
        { label: 'encoded NUL', value: `${path}%00` },
        { label: 'encoded space', value: `${path}%20` },
        { label: 'dot segment', value: `${path}/.` },
        { label: 'dot-dot segment', value: `${path}/..` },
        { label: 'encoded dot-dot', value: `${path}/%2e%2e/%2E%2e/x` },
        { label: 'traversal prefix', value: `/x/../${path.slice(1)}` },
        { label: 'encoded slashes', value: `/${encodeURIComponent(path.slice(1))}` },
        { label: 'backslashes', value: path.replace(/\//g, '\\') },
        { label: 'a fragment', value: `${path}#frag` },
        { label: '.json suffix', value: `${path}.json` },
        { label: 'overlong UTF-8 dot', value: `${path}/%c0%ae%c0%ae/` },
        { label: 'raw latin1 byte', value: `${path}\u00e9` },
      ];
      const shape = rng.pick(shapes);
      // Another path may be another route: anything but a server error, and refusals as problems.
      return { name: `${shape.label}: ${preview(shape.value, 60)}`, expect: { statuses: [200, 400, 404, 405] }, draft: { path: shape.value, rawQuery: '' } };
    },
  },
};

// ─── Cursors ────────────────────────────────────────────────────────────────────────────────

type CursorKind = keyof RunContext['cursors'];
const cursorKindOf = (info: RouteInfo): CursorKind | undefined =>
  info.route.operationId === 'listReviews' ? 'reviews' : info.route.operationId === 'listPolicies' ? 'policies' : info.route.operationId === 'listPolicyVersions' ? 'versions' : undefined;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A different base64url character at `at` that changes the decoded bytes. */
function flip(part: string, at: number): string {
  for (let step = 1; step < 64; step++) {
    const c = B64[(B64.indexOf(part[at]!) + step * 17) % 64]!;
    const changed = part.slice(0, at) + c + part.slice(at + 1);
    if (!Buffer.from(changed, 'base64url').equals(Buffer.from(part, 'base64url'))) return changed;
  }
  return `${part}A`;
}

interface CursorTamper {
  label: string;
  /** The cursor sent; `own` is this route's real cursor (when it has one), `other` another route's. */
  make(own: string | undefined, other: string, rng: Rng): string;
  /** Extra query parameters beside it. */
  query?: Array<[string, string]>;
}
const CURSOR_TAMPERS: CursorTamper[] = [
  { label: 'a signature character changed', make: (own, other) => { const [p, s] = (own ?? other).split('.') as [string, string]; return `${p}.${flip(s, Math.floor(s.length / 2))}`; } },
  { label: 'a position character changed', make: (own, other) => { const [p, s] = (own ?? other).split('.') as [string, string]; return `${flip(p, Math.floor(p.length / 3))}.${s}`; } },
  { label: 'a position of our own making', make: (own, other) => `${Buffer.from(JSON.stringify({ pk: 'ITEM#x', sk: { S: '__proto__' } })).toString('base64url')}.${(own ?? other).split('.')[1]}` },
  { label: "another cursor's signature", make: (own, other) => `${(own ?? other).split('.')[0]}.${flip(other.split('.')[1]!, 3)}` },
  { label: "another route's cursor", make: (_own, other) => other },
  { label: 'three parts', make: (own, other) => `${own ?? other}.x` },
  { label: 'no dot', make: (own, other) => (own ?? other).replace('.', '') },
  { label: 'base64 padding', make: (own, other) => `${own ?? other}==` },
  { label: 'standard base64 characters', make: (own, other) => `${(own ?? other).slice(0, -2)}+/` },
  { label: 'signature cut short', make: (own, other) => (own ?? other).slice(0, -5) },
  { label: 'over 2048 characters', make: (own, other) => `${'A'.repeat(2100)}.${(own ?? other).split('.')[1]}` },
  { label: 'empty position', make: (own, other) => `.${(own ?? other).split('.')[1]}` },
  { label: 'a unicode character', make: (own, other) => `${own ?? other}\u00e9` },
  { label: 'a valid cursor with other filters', make: (own, other) => own ?? other, query: [['claimed', 'none']] },
];

// ─── The inputs ─────────────────────────────────────────────────────────────────────────────

/** Documents too large to check quickly: their own class (see the report of the first run). */
function largeDocumentCases(infos: RouteInfo[]): Array<Omit<HttpCase, 'id'>> {
  const put = infos.find((i) => i.route.operationId === 'putPolicy');
  const test = infos.find((i) => i.route.operationId === 'testPolicy');
  if (!put || !test) return [];
  const terms = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  const cases: Array<{ info: RouteInfo; name: string; body: () => string }> = [
    { info: test, name: '10,000 empty terms (a 30 KB body)', body: () => JSON.stringify({ document: { terms: { block: terms(10_000, () => '') } }, messages: [{ content: 'hi' }] }) },
    { info: put, name: '100,000 valid terms and an unknown field (1.2 MB)', body: () => JSON.stringify({ document: { terms: { block: terms(100_000, (i) => `term${i}`) } }, comment: 'fuzz', expectedVersion: 999, extra: 1 }) },
    { info: test, name: '150,000 empty terms (0.5 MB)', body: () => JSON.stringify({ document: { terms: { block: terms(150_000, () => '') } }, messages: [{ content: 'hi' }] }) },
  ];
  return cases.map(({ info, name, body }) => ({
    target: 'api',
    group: 'large-document',
    route: info.key,
    name,
    expect: invalid('body'),
    build: draftRequest(info, { body: { text: body } }),
  }));
}

/**
 * Inputs that found a defect once, sent on every run whatever the seed draws (the report of the
 * run that found them says what was wrong; the suite then said so, and the fix made it pass).
 */
function pinnedCases(infos: RouteInfo[]): Array<Omit<HttpCase, 'id'>> {
  const out: Array<Omit<HttpCase, 'id'>> = [];
  const pin = (info: RouteInfo | undefined, name: string, expect: Expectation, draft: Draft) => {
    if (info) out.push({ target: 'api', group: 'pinned', route: info.key, name, expect, build: draftRequest(info, draft) });
  };
  const byId = (operationId: string) => infos.find((i) => i.route.operationId === operationId);
  // Query parameters named like Object.prototype's members were refused as "given more than once"
  // when given once: app.ts read the query into a plain object and asked `name in query`.
  for (const name of ['__proto__', 'constructor', 'toString']) {
    pin(byId('getStats'), `?${name}=x on a route that takes no parameters`, invalid(`query.${name}`, { also: givenOnce(name) }), { query: [[name, 'x']] });
    const reviews = byId('listReviews');
    pin(reviews, `?${name}=x beside the route's own parameters`, invalid('query', { also: givenOnce(name) }), { query: [...(reviews?.baseline.query ?? []), [name, 'x']] });
  }
  // An empty Idempotency-Key (or one of spaces, which HTTP trims to empty) was dropped by hono's
  // Lambda adapter and the request carried out without one: a ban was made.
  for (const info of infos.filter((i) => i.route.idempotent)) {
    for (const key of ['', '   ']) pin(info, `Idempotency-Key ${JSON.stringify(key)}`, invalid('headers.Idempotency-Key'), { headers: [['idempotency-key', key]] });
  }
  // Request targets Node's HTTP parser refuses were answered with a bare 400 and no body.
  for (const target of ['\\stats', '/me\u00e9', '/reviews/\u00ff\u00fe']) {
    pin(byId('getStats'), `request target ${JSON.stringify(target)}`, { statuses: [400], types: ['invalid-request'] }, { path: target, rawQuery: '' });
  }
  return out;
}

/** Every route gets at least this many inputs. */
export const MIN_PER_ROUTE = 10;

export interface ApiCases {
  cases: HttpCase[];
  infos: RouteInfo[];
}

/** `perRoute` inputs at least per route and class that applies, then random ones up to `total`. */
export function apiCases(rng: Rng, total: number): ApiCases {
  const document = apiDocument() as Record<string, any>;
  const set = new SchemaSet(document);
  const infos = routeInfos(set, document);
  const out: Array<Omit<HttpCase, 'id'>> = [];
  const add = (group: string, info: RouteInfo) => {
    const made = MAKERS[group]!.make(rng, info, set);
    if (!made) return;
    const cursor = (made as Made & { cursor?: { tamper: CursorTamper; own: CursorKind | undefined } }).cursor;
    const draft = made.draft;
    const build = cursor
      ? (ctx: RunContext) => {
          const own = cursor.own ? ctx.cursors[cursor.own] : undefined;
          const other = cursor.own === 'reviews' ? ctx.cursors.policies : ctx.cursors.reviews;
          const value = cursor.tamper.make(own, other, rng.fork(`${info.key}${cursor.tamper.label}`));
          const query = [...info.baseline.query.filter(([k]) => !cursor.tamper.query?.some(([q]) => q === k)), ...(cursor.tamper.query ?? []), ['cursor', value] as [string, string]];
          return draftRequest(info, { ...draft, rawQuery: encodeQuery(query) })(ctx);
        }
      : draftRequest(info, draft);
    out.push({ target: 'api', group, route: info.key, name: made.name, expect: made.expect, build });
  };
  const groups = Object.keys(MAKERS);
  for (const info of infos) for (const group of groups) if (MAKERS[group]!.applies(info)) add(group, info);
  out.push(...pinnedCases(infos), ...largeDocumentCases(infos));
  for (const info of infos) {
    const applicable = groups.filter((g) => MAKERS[g]!.applies(info));
    for (let tries = 0; tries < 50 && out.filter((c) => c.route === info.key).length < MIN_PER_ROUTE; tries++) add(rng.pick(applicable), info);
  }
  while (out.length < total) {
    const info = rng.pick(infos);
    add(rng.pick(groups.filter((g) => MAKERS[g]!.applies(info))), info);
  }
  return { cases: out.map((c, i) => ({ ...c, id: `api#${i}` })), infos };
}

