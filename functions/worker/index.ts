import { loadConfig } from '../../src/config.js';
import { loadPolicyFile, resolvePolicyPath } from '../../src/policy/index.js';
import { createRuntime } from '../../src/runtime.js';
import { createWorkerHandler } from './handler.js';

// Lambda entry point: configuration is validated, clients are built and the policy is compiled
// once, at cold start. Only the worker applies the policy, so only its cold start pays for it.
const config = loadConfig();
export const handler = createWorkerHandler(createRuntime(config), loadPolicyFile(resolvePolicyPath(config.policyFile)));
