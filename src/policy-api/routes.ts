import type { PolicyApiDeps } from './deps.js';
import { deletePolicy, getPolicy, getPolicyVersion, listPolicies, listPolicyVersions, putPolicy, replayPolicy, rollbackPolicy, testPolicies } from './policies.js';
import {
  MAX_POLICY_BODY_BYTES,
  PolicyDeleteQuery,
  PolicyGetQuery,
  PolicyListQuery,
  PolicyReplayRequest,
  PolicyTestRequest,
  PolicyVersionParams,
  PolicyVersionsQuery,
  PutPolicyRequest,
  RollbackRequest,
  ScopeParams,
} from './schemas.js';
// Types only: the policy API function bundles this table, not the review API's.
import { routeBuilder, type Route } from '../http/route.js';

const defineRoute = routeBuilder<PolicyApiDeps>();

const SCOPE_NOTE = '`{scope}` is `global`, or an app instance or channel ARN, URL-encoded (`arn%3Aaws%3Achime%3A…%2Fchannel%2F…`).';

/**
 * THE route table of the policy API function: live policies. Moderators read and test; admins
 * change (403 `admins-only` for moderators). The review API function serves the other routes
 * (src/api/tables.ts); the OpenAPI document describes both (src/api/document.ts).
 */
export const POLICY_ROUTES: readonly Route<PolicyApiDeps>[] = [
  defineRoute({
    method: 'GET',
    path: '/policies',
    operationId: 'listPolicies',
    summary: 'The stored policy scopes (global first), each with its version, who changed it and when',
    query: PolicyListQuery,
    response: { description: 'One page of scopes.', schema: 'PolicyList' },
    problems: [],
    handle: ({ query }, { deps }) => listPolicies(deps, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/policies/test',
    operationId: 'testPolicy',
    summary: 'Judge sample messages by a stored or candidate policy: verdicts, redacted content, findings with offsets',
    description:
      'With `scope`: the effective policy there. With `document`: that document (with `scope`: in place of the scope’s own, merged with what it inherits). With neither: each message by its `channelArn`’s effective policy, as a worker would. Sends nothing to Chime and writes nothing.',
    body: { schema: PolicyTestRequest, required: true },
    maxBodyBytes: MAX_POLICY_BODY_BYTES,
    response: { description: 'One result per message, in request order.', schema: 'PolicyTestResult' },
    problems: [413, 415],
    handle: ({ body }, { deps }) => testPolicies(deps, body),
  }),
  defineRoute({
    method: 'POST',
    path: '/policies/replay',
    operationId: 'replayPolicy',
    summary: 'Replay recorded messages of a window against a candidate document: recorded → candidate matrix, samples, review-queue volume per day',
    description:
      'Reads the audit index day by day (newest first) and the items still held, never a scan, and stops at `limit` messages (`capped` says so). Writes nothing.',
    body: { schema: PolicyReplayRequest, required: true },
    maxBodyBytes: MAX_POLICY_BODY_BYTES,
    response: { description: 'The comparison.', schema: 'PolicyReplayResult' },
    problems: [413, 415],
    handle: ({ principal, body }, { deps }) => replayPolicy(deps, principal, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/policies/{scope}',
    operationId: 'getPolicy',
    summary: 'A scope’s stored document, version, who, when and why; `?effective=true` adds the merged policy that applies there',
    description: `${SCOPE_NOTE} 404 when the scope has no policy of its own (with \`effective=true\`: 200, \`document\` null).`,
    params: ScopeParams,
    query: PolicyGetQuery,
    response: { description: 'The policy.', schema: 'PolicyDetail' },
    problems: [404],
    handle: ({ params, query }, { deps }) => getPolicy(deps, params.scope, query),
  }),
  defineRoute({
    method: 'PUT',
    path: '/policies/{scope}',
    operationId: 'putPolicy',
    summary: 'Store a new version of a scope’s policy (admins)',
    description: `${SCOPE_NOTE} 400 lists every invalid field of the document (the same validation as POLICY_FILE); 409 when \`expectedVersion\` is stale. Workers apply it within POLICY_REFRESH_SECONDS.`,
    access: 'admin',
    params: ScopeParams,
    body: { schema: PutPolicyRequest, required: true },
    maxBodyBytes: MAX_POLICY_BODY_BYTES,
    response: { description: 'The new version.', schema: 'PolicyDetail' },
    problems: [409, 413, 415],
    handle: ({ principal, params, body }, { deps }) => putPolicy(deps, principal, params.scope, body),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/policies/{scope}',
    operationId: 'deletePolicy',
    summary: 'Delete a scope’s policy (admins; not global): it inherits again. Its history is kept.',
    description: SCOPE_NOTE,
    access: 'admin',
    params: ScopeParams,
    query: PolicyDeleteQuery,
    response: { description: 'The deletion, as recorded in the history.', schema: 'PolicyDeletion' },
    problems: [404, 409],
    handle: ({ principal, params, query }, { deps }) => deletePolicy(deps, principal, params.scope, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/policies/{scope}/versions',
    operationId: 'listPolicyVersions',
    summary: 'A scope’s history: version, who, when, why; newest first',
    description: SCOPE_NOTE,
    params: ScopeParams,
    query: PolicyVersionsQuery,
    response: { description: 'One page of versions.', schema: 'PolicyVersionPage' },
    problems: [],
    handle: ({ params, query }, { deps }) => listPolicyVersions(deps, params.scope, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/policies/{scope}/versions/{version}',
    operationId: 'getPolicyVersion',
    summary: 'One version of a scope’s policy: its document as written, and who, when and why',
    description: `${SCOPE_NOTE} A version never changes once written. Version 0 of global is the bundled POLICY_FILE; a deletion’s document is null.`,
    params: PolicyVersionParams,
    response: { description: 'The version and its document.', schema: 'PolicyVersionDetail' },
    problems: [404],
    handle: ({ params }, { deps }) => getPolicyVersion(deps, params.scope, params.version),
  }),
  defineRoute({
    method: 'POST',
    path: '/policies/{scope}/rollback',
    operationId: 'rollbackPolicy',
    summary: 'Make a new version equal to an old one (admins)',
    description: `${SCOPE_NOTE} Version 0 of global is the bundled POLICY_FILE.`,
    access: 'admin',
    params: ScopeParams,
    body: { schema: RollbackRequest, required: true },
    response: { description: 'The new version.', schema: 'PolicyDetail' },
    problems: [404, 409, 413, 415],
    handle: ({ principal, params, body }, { deps }) => rollbackPolicy(deps, principal, params.scope, body),
  }),
];

/**
 * API Gateway sends every other method and path under /policies to the policy API function too
 * (`ANY`, behind the same authorizer; serverless.yml), so that its app answers them as the review
 * API answers its own: 405 with the methods a path takes, or 404. The review API function gets the
 * rest of the API's unmatched requests (`$default`).
 */
export const POLICY_CATCH_ALL_PATHS = ['/policies', '/policies/{proxy+}'] as const;
