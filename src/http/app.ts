import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context as LambdaContext } from 'aws-lambda';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type * as z from 'zod/mini';
import { AdminRequiredError, InvalidRequestError, ModerationError } from '../errors.js';
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from './idempotency.js';
import { memberOf, type Member, type MemberSettings } from './member.js';
import { callerOf, principalOf, type Principal, type RoleSettings } from './principal.js';
import { problem, PROBLEM_CONTENT_TYPE, toProblem, type Problem } from './problems.js';
import { pathPattern, toRouterPath } from './route-paths.js';
import { accessOf, type Route } from './route.js';
import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/**
 * One function's rooms as a hono app (the review API function serves the held-messages,
 * reports, appeals, senders and operations rooms; the policy API function the live-policy room). In AWS it runs behind the HTTP API (payload 2.0) through
 * `hono/aws-lambda`; locally the same Lambda handler runs behind our API Gateway emulation.
 *
 *   request ─▶ route match (else 404 / 405) ─▶ token verified here (401) ─▶ role (403) ─▶ body ≤ 64 KB (413)
 *     ─▶ validate path, query and body with the route's zod schemas (400 / 415) ─▶ handler
 *   any thrown error ─▶ one mapper ─▶ application/problem+json
 *
 * Wrong types and out-of-range values are 400 like every other validation failure (one
 * status for "fix your request", with the fields listed in `errors`); 422 is not used.
 */

export const MAX_BODY_BYTES = 64 * 1024;

/** What `hono/aws-lambda` puts in `c.env`. */
export interface LambdaBindings {
  event?: APIGatewayProxyEventV2WithJWTAuthorizer;
  lambdaContext?: LambdaContext;
}

type AppEnv = { Bindings: LambdaBindings; Variables: { principal?: Principal; token?: VerifiedToken; requestId: string } };

export interface ApiAppOptions<D> {
  /** What the routes' handlers use: one object that satisfies every table the function serves. */
  deps: D;
  roles: RoleSettings;
  /** How a token names its Chime member (routes with `access: 'member'`); without it those routes are 503. */
  members?: MemberSettings;
  /**
   * Verifies the request's bearer token (src/http/token-verifier.ts), built once per container.
   * The authorizer's claims in the event are never read: API Gateway flattens their arrays.
   */
  verifier: TokenVerifier;
  /** Unexpected errors (the 500s), with the request id the caller was given. */
  logError: (message: string, details: Record<string, unknown>) => void;
  /** Every error that became a problem response, for metrics (e.g. StoreItemTooLarge). */
  onProblem?: (problem: Problem, error: unknown) => void;
  /** The function's route tables, concatenated (src/api/tables.ts). */
  routes: readonly Route<D>[];
  /** What GET /openapi.json serves (src/api/document.ts); an app without it serves no document. */
  openApiDocument?: () => unknown;
}

/** An HTTP-level refusal that is not a domain error (404 route, 405, 413, 415, bad JSON). */
class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const problemResponse = (c: Context<AppEnv>, body: Problem, headers: Record<string, string> = {}) =>
  c.body(JSON.stringify({ ...body, instance: c.req.path, requestId: c.get('requestId') }), body.status as 400, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...headers,
  });

function issuesOf(error: z.core.$ZodError, location: string): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : issue.code === 'invalid_key'
          ? `is not a valid name: ${issue.issues.map((inner) => inner.message).join('; ')}`
          : issue.message,
  }));
}

/**
 * The fields a strict object schema does not know, read off the schema before anything is
 * parsed: a body with a stray field is refused at once, before a large valid part of it (a
 * 100,000-term policy document) is validated for nothing.
 */
function unknownFields(schema: z.ZodMiniType, value: unknown): string[] {
  const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, unknown>; catchall?: { _zod: { def: { type: string } } } } } })._zod.def;
  if (def.type !== 'object' || def.catchall?._zod.def.type !== 'never' || !def.shape) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value).filter((key) => !Object.hasOwn(def.shape!, key));
}

function validate<S extends z.ZodMiniType>(schema: S, value: unknown, location: string): z.output<S> {
  const unknown = unknownFields(schema, value);
  if (unknown.length > 0) {
    throw new InvalidRequestError(`Invalid ${location}: unknown field(s): ${unknown.join(', ')}`, [{ path: location, message: `unknown field(s): ${unknown.join(', ')}` }]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = issuesOf(result.error, location);
  throw new InvalidRequestError(`Invalid ${location}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

function queryObject(url: string): Record<string, string> {
  const params = new URL(url).searchParams;
  // No prototype: `__proto__`, `constructor` or `toString` are parameters like any other (an
  // unknown one is refused as such), never "given more than once" nor silently dropped.
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of params) {
    if (Object.hasOwn(query, name)) throw new InvalidRequestError(`Query parameter ${name} is given more than once`, [{ path: `query.${name}`, message: 'is given more than once' }]);
    query[name] = value;
  }
  return query;
}

async function readJsonBody<D>(c: Context<AppEnv>, route: Route<D>): Promise<unknown> {
  const text = await c.req.text();
  if (!route.body) {
    if (text.length > 0) throw new InvalidRequestError(`${route.method} ${route.path} takes no request body`, [{ path: 'body', message: 'must be empty' }]);
    return undefined;
  }
  if (text.length === 0) {
    if (route.body.required) throw new InvalidRequestError('A JSON request body is required', [{ path: 'body', message: 'is required' }]);
    return {};
  }
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new HttpProblem(problem('unsupported-media-type', `Send the body as JSON with \`Content-Type: application/json\` (got ${contentType ? `\`${contentType}\`` : 'none'}).`));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(problem('malformed-json', `The body is not valid JSON: ${(error as Error).message}`));
  }
}

function resolveMember(c: Context<AppEnv>, settings: MemberSettings | undefined, explicit: string | undefined): Member {
  if (!settings) throw new HttpProblem(problem('member-identity-not-configured', 'This API has no rule to tell which Chime member a token is (MEMBER_IDENTITY). Ask an operator to set it.'));
  return memberOf(c.get('token') as VerifiedToken, c.get('principal') as Principal, settings, explicit);
}

/** A function's hono app, serving its rooms' route tables. */
export function createApiApp<D>(options: ApiAppOptions<D>): Hono<AppEnv> {
  const { routes } = options;
  const app = new Hono<AppEnv>();
  const context = {
    deps: options.deps,
    openApiDocument:
      options.openApiDocument ??
      (() => {
        throw new Error('This app was built without an OpenAPI document (ApiAppOptions.openApiDocument)');
      }),
  };

  app.use('*', async (c, next) => {
    c.set('requestId', c.env?.event?.requestContext?.requestId ?? c.env?.lambdaContext?.awsRequestId ?? randomUUID());
    await next();
    c.header('x-request-id', c.get('requestId'));
  });

  app.onError((error, c) => {
    if (error instanceof HttpProblem) return problemResponse(c, error.problem);
    const body = toProblem(error);
    options.onProblem?.(body, error);
    if (body.status >= 500) {
      options.logError('Unexpected error', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        // Our typed errors carry what an operator needs to act (e.g. an action done in Chime whose outcome was not recorded).
        ...(error instanceof ModerationError ? { context: error.context, ...(error.cause !== undefined ? { cause: String(error.cause) } : {}) } : {}),
      });
    }
    return problemResponse(
      c,
      body,
      body.status === 401 ? { 'www-authenticate': 'Bearer' } : body.status === 429 && typeof body.retryAfterSeconds === 'number' ? { 'retry-after': String(body.retryAfterSeconds) } : {},
    );
  });

  app.notFound((c) => {
    const allowed = routes.filter((r) => pathPattern(r.path).test(c.req.path)).map((r) => r.method);
    if (allowed.length > 0) {
      return problemResponse(c, problem('method-not-allowed', `${c.req.method} is not supported on ${c.req.path}; use ${allowed.join(', ')}.`, { allowed }), { allow: allowed.join(', ') });
    }
    return problemResponse(c, problem('not-found', `No route ${c.req.method} ${c.req.path}. See /openapi.json for the routes.`));
  });

  const limitBody = (maxBytes: number) =>
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) => problemResponse(c as Context<AppEnv>, problem('payload-too-large', `The body is larger than ${maxBytes / 1024} KB.`, { maxBytes })),
    });
  const defaultLimit = limitBody(MAX_BODY_BYTES);

  for (const route of routes) {
    app.on(
      route.method,
      toRouterPath(route.path),
      // The role check comes first: who may ask is settled before what they ask is read.
      async (c, next) => {
        const access = accessOf(route);
        if (access !== 'public') {
          // Who: the token, verified again here; which role: exact group names from its payload.
          const token = await options.verifier.verify(c.req.header('authorization'));
          const principal = access === 'member' ? callerOf(token, options.roles) : principalOf(token, options.roles);
          if (access === 'admin' && !principal.isAdmin) throw new AdminRequiredError(principal.subject, [options.roles.adminGroup], route.adminOnlyDetail);
          c.set('principal', principal);
          c.set('token', token);
        }
        await next();
      },
      route.maxBodyBytes ? limitBody(route.maxBodyBytes) : defaultLimit,
      async (c) => {
        const params = route.params ? validate(route.params, c.req.param(), 'path') : undefined;
        const rawQuery = queryObject(c.req.url);
        if (!route.query && Object.keys(rawQuery).length > 0) {
          throw new InvalidRequestError(`${route.method} ${route.path} takes no query parameters`, Object.keys(rawQuery).map((name) => ({ path: `query.${name}`, message: 'is not a parameter of this route' })));
        }
        const query = route.query ? validate(route.query, rawQuery, 'query') : undefined;
        const rawBody = await readJsonBody(c, route);
        const body = route.body ? validate(route.body.schema, rawBody, 'body') : undefined;
        // From the event when there is one: hono's Lambda adapter drops a header whose value is
        // empty, and an empty key must be refused, not read as no key.
        const idempotencyKey = route.idempotent ? readIdempotencyKey(c.env?.event?.headers?.[IDEMPOTENCY_HEADER] ?? c.req.header(IDEMPOTENCY_HEADER)) : undefined;
        // A member route's member: the token's own, or the one a service names (body or query `memberArn`, validated by the route's schema).
        const member = accessOf(route) === 'member' ? resolveMember(c, options.members, (body as { memberArn?: string } | undefined)?.memberArn ?? (query as { memberArn?: string } | undefined)?.memberArn) : undefined;
        // Public routes never read the principal; every other route has one by now.
        const result = await route.handle(
          { principal: c.get('principal') as Principal, params, query, body, ...(member ? { member } : {}), ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
          context,
        );
        return c.json(result as object, 200, { 'cache-control': 'no-store' });
      },
    );
  }
  return app;
}
