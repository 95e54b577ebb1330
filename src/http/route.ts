import type * as z from 'zod/mini';
import type { Member } from './member.js';
import type { Principal } from './principal.js';

/**
 * What a route of any room is (src/review, src/reports, src/appeals, src/senders,
 * src/operations, src/policy-api): one record that the app (src/http/app.ts) serves and the
 * OpenAPI document (src/http/openapi.ts) describes, with the same zod schemas validating the
 * request and documenting it. A room exports its table; src/api/tables.ts says which function
 * serves which tables.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call a route:
 *   public     no token (the document itself)
 *   member     any verified token: a chat member (reports, appeals), or a service acting for one
 *   moderator  the moderator or admin group (the default)
 *   admin      the admin group; a moderator gets 403 `admins-only` before the body is read
 */
export type Access = 'public' | 'member' | 'moderator' | 'admin';

type Output<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  principal: Principal;
  /** The Chime member the caller is, or acts for (routes with `access: 'member'` only). */
  member?: Member;
  params: Output<P>;
  query: Output<Q>;
  body: Output<B>;
  /** The `Idempotency-Key` header, validated (routes marked `idempotent` only). */
  idempotencyKey?: string;
}

export interface RouteContext<D> {
  /** What the function's handlers use (each function's deps satisfy every table it serves). */
  deps: D;
  /** The OpenAPI document of the whole API (src/api/document.ts), for GET /openapi.json. */
  openApiDocument: () => unknown;
}

export interface RouteSpec<P, Q, B, D> {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/reviews/{callbackId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Who may call it (default `moderator`). */
  access?: Access;
  /** What the 403 tells a moderator on an `admin` route (default: the live-policy wording). */
  adminOnlyDetail?: string;
  /** A body limit above the API's default MAX_BODY_BYTES (a 100,000-term policy document). */
  maxBodyBytes?: number;
  /**
   * Takes an optional `Idempotency-Key` header (src/http/idempotency.ts): a client that
   * retries after an error or a timeout sends the same key and gets the first request's outcome,
   * never a second action.
   */
  idempotent?: true;
  params?: P;
  query?: Q;
  body?: { schema: B; required: boolean };
  /** The answer (200): `schema` names a component in the rooms' response registries, which only the document reads. */
  response: { description: string; schema: string };
  /** Problem statuses this route answers besides 400/401/403/500. */
  problems: number[];
  handle(input: RouteInput<P, Q, B>, context: RouteContext<D>): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Route<D = any> = RouteSpec<any, any, any, D>;

/** A room's route builder: `const defineRoute = routeBuilder<ReportDeps>()`, then one call per route, typed by its schemas. */
export const routeBuilder =
  <D>() =>
  <P extends z.ZodMiniType | undefined = undefined, Q extends z.ZodMiniType | undefined = undefined, B extends z.ZodMiniType | undefined = undefined>(spec: RouteSpec<P, Q, B, D>): Route<D> =>
    spec as Route<D>;

/** Who may call `route` (its `access`, `moderator` when unsaid). */
export const accessOf = (route: Pick<Route, 'access'>): Access => route.access ?? 'moderator';
