// The order of these imports is the order of the document's components (zod's registry order).
import { ROUTES, type Route } from './routes.js';
import { REVIEW_RESPONSES } from './responses.js';
import './policy-document-schema.js';
import { POLICY_ROUTES } from './policy-routes.js';
import { POLICY_RESPONSES } from './policy-responses.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * The HTTP API's one OpenAPI document: every route of both functions that serve it, the review
 * API's (src/review/routes.ts) then the policy API's (src/review/policy-routes.ts), built from
 * their route tables and zod schemas (requests: src/review/schemas.ts, policy-schemas.ts; answers:
 * responses.ts, policy-responses.ts). The review API function serves it at GET /openapi.json;
 * `npm run generate:api` writes the same document for the console.
 *
 * In the Lambda bundles this module is replaced (scripts/esbuild-plugins.cjs,
 * packaged-api-document): the document is built while packaging, by this module, and travels
 * beside the review API's code as `index.openapi.json`, read on the first GET /openapi.json. The
 * review API's bundle then carries neither the policy routes nor zod's JSON Schema code. In a
 * bundle only `apiDocument` exists: bundled code that imports anything else from here fails the build.
 */

/** The document's `info`. */
export const OPENAPI_INFO = {
  title: 'Chime channel-flow moderation: review API',
  version: '1.0.0',
  description: 'Moderators work the queue of held messages: list, claim, decide. Every decision is audited.',
} as const;

/** Every route of the API, in the document's order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const API_ROUTES: readonly Route<any>[] = [...ROUTES, ...POLICY_ROUTES];

let document: Record<string, unknown> | undefined;

/** The document, built on first use (GET /openapi.json is rare; a cold start never builds it). */
export function apiDocument(): Record<string, unknown> {
  return (document ??= buildOpenApiDocument(API_ROUTES, OPENAPI_INFO, { ...REVIEW_RESPONSES, ...POLICY_RESPONSES }));
}
