/**
 * Policy files in the Lambda bundles: POLICY_FILE (or the bundled policy/default.yaml) is read,
 * resolved, validated and compiled exactly as src/policy/load.ts does, except that a YAML file's
 * text is looked up among the files compiled to JSON when the bundle was built
 * (src/policy/packaged-files.ts) instead of being parsed: the worker and the policy API carry no
 * YAML parser, and the cold start does not pay for one.
 *
 * The lookup is by content, so a file is found wherever the function reads it from (the task
 * root, a relative or an absolute POLICY_FILE). A YAML file that was not packaged (a layer's
 * /opt/…) cannot be read by a bundle: the error says so and what to do. JSON files are read as ever.
 */
import type { CompiledPolicy } from './engine.js';
import { loadPolicySeedWith } from './compile-file.js';
import { packagedYaml } from './packaged-document.js';
import type { ScopedPolicyDocument } from './schema.js';

export { loadPackagedPolicySeedDocument, packagedYaml, policyTextKey } from './packaged-document.js';

/** {@link loadPolicySeedWith} with the packaged YAML: what the worker and the policy API load at cold start. */
export function loadPackagedPolicySeed(path: string): { document: ScopedPolicyDocument; compiled: CompiledPolicy } {
  return loadPolicySeedWith(path, packagedYaml);
}
