/**
 * The packaged YAML of the Lambda bundles (src/policy/packaged.ts says how it works), and the
 * POLICY_FILE read with it as written, validated but not compiled: what the review API and the
 * sweeper load at a cold start for the community settings (src/policy/live-community.ts). No
 * module here imports the engine, so their bundles do not carry it.
 */
import { createHash } from 'node:crypto';
import { PolicyError } from '../errors.js';
import { PACKAGED_POLICY_FILES } from './packaged-files.js';
import { loadPolicySeedDocumentWith, type YamlParser } from './read.js';
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

/** {@link loadPolicySeedDocumentWith} with the packaged YAML: the review API's and the sweeper's community settings (nothing compiled). */
export function loadPackagedPolicySeedDocument(path: string): ScopedPolicyDocument {
  return loadPolicySeedDocumentWith(path, packagedYaml);
}
