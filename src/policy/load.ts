/**
 * Loading a policy file (YAML or JSON) from disk, YAML parsed with the `yaml` package: what
 * `npm start`, the tests and the CLI use. The Lambda bundles use src/policy/packaged.ts instead
 * (the same files, compiled to JSON at package time); src/policy/read.ts holds what both share.
 */
import { parse } from 'yaml';
import type { CompiledPolicy } from './engine.js';
import { loadPolicyFileWith, loadPolicySeedWith } from './compile-file.js';
import { loadPolicySeedDocumentWith, readPolicyFileWith, type YamlParser } from './read.js';
import type { ScopedPolicyDocument } from './schema.js';

export { DEFAULT_POLICY_FILE, parsePolicyDocument, resolvePolicyPath } from './read.js';

/** The `yaml` package with its default options (core schema); packaging compiles with the same. */
export const parseYaml: YamlParser = (text) => parse(text);

/** Read, parse (by extension: .yaml/.yml or .json), validate and compile a policy file. */
export function loadPolicyFile(path: string): CompiledPolicy {
  return loadPolicyFileWith(path, parseYaml);
}

/**
 * The POLICY_FILE as written (validated and compiled like {@link loadPolicyFile}, so a bad file
 * fails at start with the same message): live policies use it as `global` while none is stored.
 */
export function loadPolicySeed(path: string): { document: ScopedPolicyDocument; compiled: CompiledPolicy } {
  return loadPolicySeedWith(path, parseYaml);
}

/** The POLICY_FILE as written, validated but not compiled (for the community settings alone: src/policy/live-community.ts). */
export function loadPolicySeedDocument(path: string): ScopedPolicyDocument {
  return loadPolicySeedDocumentWith(path, parseYaml);
}

/** Read and parse (by extension: .yaml/.yml or .json) a policy file, without validating it. */
export function readPolicyFile(path: string): unknown {
  return readPolicyFileWith(path, parseYaml);
}
