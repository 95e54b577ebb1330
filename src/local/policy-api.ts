import { POLICY_CATCH_ALL_PATHS, POLICY_ROUTES } from '../policy-api/routes.js';

/**
 * The routes API Gateway sends to the policy API function (as in serverless.yml), most specific
 * first: its route table, then `ANY` on everything else under /policies. All behind the JWT
 * authorizer.
 */
export const POLICY_API_ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  ...POLICY_ROUTES.map(({ method, path }) => ({ method, path })),
  ...POLICY_CATCH_ALL_PATHS.map((path) => ({ method: 'ANY', path })),
];
