// The order of these imports is the order of the document's components (zod's registry order).
import { REVIEW_API_ROUTES } from './tables.js';
import { REVIEW_RESPONSES } from '../review/responses.js';
import { REPORTS_RESPONSES } from '../reports/responses.js';
import { APPEALS_RESPONSES } from '../appeals/responses.js';
import { SENDERS_RESPONSES } from '../senders/responses.js';
import { OPERATIONS_RESPONSES } from '../operations/responses.js';
import '../policy-api/document-schema.js';
import { POLICY_ROUTES } from '../policy-api/routes.js';
import { POLICY_RESPONSES } from '../policy-api/responses.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import type { Route } from '../http/route.js';

/**
 * The HTTP API's one OpenAPI document: every room's routes, the review API function's
 * (src/api/tables.ts) then the policy API function's (src/policy-api/routes.ts), built from their
 * route tables and zod schemas (each room's schemas.ts for requests, responses.ts for answers). The review API function serves it at GET /openapi.json;
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
export const API_ROUTES: readonly Route<any>[] = [...REVIEW_API_ROUTES, ...POLICY_ROUTES];

let document: Record<string, unknown> | undefined;

/** The document, built on first use (GET /openapi.json is rare; a cold start never builds it). */
export function apiDocument(): Record<string, unknown> {
  return (document ??= buildOpenApiDocument(API_ROUTES, OPENAPI_INFO, { ...REVIEW_RESPONSES, ...REPORTS_RESPONSES, ...APPEALS_RESPONSES, ...SENDERS_RESPONSES, ...OPERATIONS_RESPONSES, ...POLICY_RESPONSES }));
}
