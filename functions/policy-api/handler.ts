import type { ReviewApiSettings } from '../../src/config.js';
import type { ScopedPolicyDocument } from '../../src/policy/schema.js';
import { createApiApp } from '../../src/http/app.js';
import { CursorCodec } from '../../src/http/cursor.js';
import { countItemTooLarge, serveOnLambda, type HttpApiHandler } from '../../src/http/lambda.js';
import type { PolicyApiDeps } from '../../src/policy-api/deps.js';
import { POLICY_ROUTES } from '../../src/policy-api/routes.js';
import type { Runtime } from '../../src/runtime.js';
import type { TokenVerifier } from '../../src/http/token-verifier.js';
import type { ClassifierStageDeps } from '../../src/classifiers/stage.js';

/** What the policy API uses: live policies, and the moderation table to read (replays). */
export type PolicyApiRuntime = Pick<Runtime, 'clock' | 'logger' | 'metrics' | 'policyStore'> & { store: PolicyApiDeps['store'] };

/**
 * The live-policy routes of the moderators' HTTP API (src/policy-api/routes.ts; the review
 * API function serves the others), behind the same JWT authorizer: the same app, errors and role
 * checks as the review API's, with its own route table and least-privilege role. `policySeed` is
 * the POLICY_FILE as written, loaded by the caller (a bad file fails its cold start): live
 * policies show it as `global` (version 0) until one is stored. `verifier` checks the bearer
 * token again in the function, as the review API's does (one per container). `classifiers`: the
 * classifier stage's parts (built once per container) that the test box and a capped replay call.
 */
export function createPolicyApiHandler(
  runtime: PolicyApiRuntime,
  settings: ReviewApiSettings,
  { policySeed, verifier, classifiers }: { policySeed: ScopedPolicyDocument; verifier: TokenVerifier; classifiers?: ClassifierStageDeps },
): HttpApiHandler {
  const { logger, metrics } = runtime;
  const app = createApiApp<PolicyApiDeps>({
    deps: {
      policies: { store: runtime.policyStore, seed: policySeed },
      store: runtime.store,
      cursors: new CursorCodec(settings.cursorSecret),
      clock: runtime.clock,
      ...(classifiers ? { classifiers } : {}),
    },
    routes: POLICY_ROUTES,
    roles: { groupsClaim: settings.groupsClaim, moderatorGroup: settings.moderatorGroup, adminGroup: settings.adminGroup },
    verifier,
    logError: (message, details) => logger.error(message, details),
    onProblem: countItemTooLarge(metrics),
  });
  return serveOnLambda(app, { logger, metrics });
}
