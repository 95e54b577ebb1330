import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The AWS SDK's default credential provider as the Lambda bundles have it: serverless.yml's
 * custom.esbuild.alias puts this module in place of `@aws-sdk/credential-provider-node` (whose
 * `defaultProvider` is the only export the SDK clients import from it).
 *
 * Lambda gives every function its execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: reserved variables), and the
 * SDK's full chain returns exactly those, from its first link. The rest of the chain (profiles,
 * SSO, login, credential processes, web identity, ECS, EC2 instance metadata, and the STS/SSO
 * clients they bring) never runs in Lambda, yet is about 140 KB of every bundle and a good part
 * of its cold-start import (`npm run bench`, "Lambda bundles"). Without those variables this
 * fails the first AWS call with the SDK's own "Unable to find environment variable credentials".
 *
 * Nothing else is aliased: `npm start`, the tests and the scripts run unbundled, with the SDK's
 * full chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
