import { OPERATIONS_ROUTES } from '../operations/routes.js';
import type { AppealDeps } from '../appeals/deps.js';
import { APPEALS_ROUTES } from '../appeals/routes.js';
import type { ReportDeps } from '../reports/deps.js';
import { REPORTS_ROUTES } from '../reports/routes.js';
import { REVIEW_ROUTES } from '../review/routes.js';
import type { SendersDeps } from '../senders/deps.js';
import { SENDERS_ROUTES } from '../senders/routes.js';
import type { ReviewDeps } from '../review/deps.js';
import type { Route } from '../http/route.js';

/**
 * Which function serves which rooms. The HTTP API is one API (one OpenAPI document, one JWT
 * issuer), served by two functions:
 *
 *   review API function   held messages (src/review), reports and cases (src/reports), appeals
 *                         (src/appeals), senders,
 *                         restrictions and approvals (src/senders), operations (src/operations)
 *   policy API function   live policies (src/policy-api): its own function, so that the policy
 *                         engine and its writes stay out of the review API's bundle
 *
 * Each function's app registers exactly its rooms' routes (src/http/app.ts); the document is
 * built from all of them (src/api/document.ts).
 */

/** What the review API function's deps must satisfy: every room it serves. */
export type ReviewApiDeps = ReviewDeps & ReportDeps & SendersDeps & AppealDeps;

/** The review API function's routes, in the document's order. */
export const REVIEW_API_ROUTES: readonly Route<ReviewApiDeps>[] = [...REVIEW_ROUTES, ...REPORTS_ROUTES, ...APPEALS_ROUTES, ...SENDERS_ROUTES, ...OPERATIONS_ROUTES];
