import { OPERATIONS_ROUTES } from '../operations/routes.js';
import { REVIEW_ROUTES } from '../review/routes.js';
import type { ReviewDeps } from '../review/deps.js';
import type { Route } from '../http/route.js';

/**
 * Which function serves which rooms. The HTTP API is one API (one OpenAPI document, one JWT
 * issuer), served by two functions:
 *
 *   review API function   held messages (src/review), operations (src/operations)
 *   policy API function   live policies (src/policy-api): its own function, so that the policy
 *                         engine and its writes stay out of the review API's bundle
 *
 * Each function's app registers exactly its rooms' routes (src/http/app.ts); the document is
 * built from all of them (src/api/document.ts).
 */

/** What the review API function's deps must satisfy: every room it serves. */
export type ReviewApiDeps = ReviewDeps;

/** The review API function's routes, in the document's order. */
export const REVIEW_API_ROUTES: readonly Route<ReviewApiDeps>[] = [...REVIEW_ROUTES, ...OPERATIONS_ROUTES];
