/**
 * Reading a policy file (YAML or JSON) from disk, with the YAML parser passed in.
 *
 * Two callers, two parsers: src/policy/load.ts parses YAML with the `yaml` package (`npm start`,
 * the tests, the CLI), and the Lambda bundles use src/policy/packaged.ts, which reads the YAML
 * files compiled to JSON when the bundle was built, so no YAML parser ships in (or is loaded by)
 * a function. Everything else (which file, the extension rule, every error message) is here, once.
 *
 * Nothing here compiles a policy (src/policy/compile-file.ts does): the review API's and the
 * sweeper's bundles read POLICY_FILE through this module without carrying the engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyDocument, ScopedPolicyDocument } from './schema.js';
import { validatePolicyDocument } from './validate.js';
import { PolicyError } from '../errors.js';

/**
 * Parses the text of a .yaml/.yml policy file. A plain error becomes "Policy file … is not valid
 * YAML: <its message>"; a {@link PolicyError} is passed on as it is.
 */
export type YamlParser = (text: string, path: string) => unknown;

const DEFAULT_RELATIVE = join('policy', 'default.yaml');

function moduleRelativeDefault(): string {
  try {
    // src/policy/read.ts → <repo>/policy/default.yaml
    return fileURLToPath(new URL('../../policy/default.yaml', import.meta.url));
  } catch {
    // Bundled to CommonJS, where import.meta.url is not available.
    return resolve(process.cwd(), DEFAULT_RELATIVE);
  }
}

/** Absolute path of the repository's `policy/default.yaml`, resolved relative to this module. */
export const DEFAULT_POLICY_FILE: string = moduleRelativeDefault();

/**
 * Which policy file to load: `configured` when given (e.g. from an environment variable);
 * otherwise the first of these that exists:
 *   1. `$LAMBDA_TASK_ROOT/policy/default.yaml` (in Lambda, where a bundle's import.meta.url
 *      points into the build folder rather than the repository),
 *   2. {@link DEFAULT_POLICY_FILE} (resolved relative to this module),
 *   3. `./policy/default.yaml` relative to the working directory;
 * and {@link DEFAULT_POLICY_FILE} when none does (so the load error names it).
 */
export function resolvePolicyPath(configured?: string): string {
  if (configured !== undefined && configured.trim() !== '') return configured;
  const candidates: string[] = [];
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) candidates.push(join(taskRoot, DEFAULT_RELATIVE));
  candidates.push(DEFAULT_POLICY_FILE, resolve(process.cwd(), DEFAULT_RELATIVE));
  return candidates.find((c) => existsSync(c)) ?? DEFAULT_POLICY_FILE;
}

/**
 * Validate an already-parsed document. `source` names the file in error messages.
 * Throws an `Error` listing every invalid field path.
 */
export function parsePolicyDocument(raw: unknown, source = 'policy document'): PolicyDocument {
  return validatePolicyDocument(raw, `policy file ${source}`);
}

/** Read and parse (by extension: .yaml/.yml or .json) a policy file, without validating it. */
export function readPolicyFileWith(path: string, parseYaml: YamlParser): unknown {
  const ext = extname(path).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new PolicyError(`Unsupported policy file ${path}: expected a .yaml, .yml or .json extension`, { path });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(`Cannot read policy file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  let raw: unknown;
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text, path);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    const kind = ext === '.json' ? 'JSON' : 'YAML';
    throw new PolicyError(`Policy file ${path} is not valid ${kind}: ${(err as Error).message}`, { path }, { cause: err });
  }
  return raw;
}

/**
 * The POLICY_FILE as written, validated but not compiled: what the functions that only read its
 * community settings (the review API, the sweeper: src/policy/live-community.ts) load at a cold
 * start. The schema is the same; the one check it leaves to the functions that compile the file
 * (the worker, the policy API, which refuse to start on it) is that no public text echoes a
 * blocked term, because that check matches terms, and matching needs them compiled.
 */
export function loadPolicySeedDocumentWith(path: string, parseYaml: YamlParser): ScopedPolicyDocument {
  const raw = readPolicyFileWith(path, parseYaml) ?? {};
  parsePolicyDocument(raw, path);
  return raw as ScopedPolicyDocument;
}
