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
import { createHash } from 'node:crypto';
import { PolicyError } from '../errors.js';
import type { CompiledPolicy } from './engine.js';
import { PACKAGED_POLICY_FILES } from './packaged-files.js';
import { loadPolicySeedWith, type YamlParser } from './read.js';
import type { ScopedPolicyDocument } from './schema.js';

/** The key of a policy file's text: SHA-256 of its UTF-8 bytes, hex (the bundler computes the same). */
export function policyTextKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The YAML "parser" of a bundle: the document compiled at package time from this very text. */
export const packagedYaml: YamlParser = (text, path) => {
  const packaged = PACKAGED_POLICY_FILES[policyTextKey(text)];
  if (packaged === undefined) {
    throw new PolicyError(
      `Policy file ${path} is YAML that was not compiled when this bundle was packaged: a Lambda bundle parses no YAML, it reads the .yaml and .yml files under policy/ as they were compiled to JSON when it was packaged. Put the file under policy/ and package again, or give a .json file`,
      { path },
    );
  }
  // Same message as the parser's at cold start: "Policy file <path> is not valid YAML: …".
  if ('yamlError' in packaged) throw new Error(packaged.yamlError);
  if ('unsupported' in packaged) {
    throw new PolicyError(`Policy file ${path} cannot be used by a Lambda bundle: ${packaged.unsupported}`, { path });
  }
  return JSON.parse(packaged.json) as unknown;
};

/** {@link loadPolicySeedWith} with the packaged YAML: what the worker and the policy API load at cold start. */
export function loadPackagedPolicySeed(path: string): { document: ScopedPolicyDocument; compiled: CompiledPolicy } {
  return loadPolicySeedWith(path, packagedYaml);
}
