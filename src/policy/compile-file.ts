/**
 * Loading a policy file and compiling it (the worker, the policy API, `npm start`, the CLI): read
 * and validated by src/policy/read.ts, compiled by the engine, and refused, naming the field,
 * when one of its public texts echoes its own blocklist.
 */
import { PolicyError } from '../errors.js';
import { compilePolicy, type CompiledPolicy } from './engine.js';
import { parsePolicyDocument, readPolicyFileWith, type YamlParser } from './read.js';
import { blockedTermEchoes, type ScopedPolicyDocument } from './schema.js';

/** Read, parse, validate and compile a policy file. */
export function loadPolicyFileWith(path: string, parseYaml: YamlParser): CompiledPolicy {
  return compilePolicyFile(path, readPolicyFileWith(path, parseYaml));
}

/**
 * The POLICY_FILE as written (validated and compiled like {@link loadPolicyFileWith}, so a bad
 * file fails at start with the same message): live policies use it as `global` while none is stored.
 */
export function loadPolicySeedWith(path: string, parseYaml: YamlParser): { document: ScopedPolicyDocument; compiled: CompiledPolicy } {
  const raw = readPolicyFileWith(path, parseYaml) ?? {};
  return { document: raw as ScopedPolicyDocument, compiled: compilePolicyFile(path, raw) };
}

function compilePolicyFile(path: string, raw: unknown): CompiledPolicy {
  const doc = parsePolicyDocument(raw, path);
  let compiled: CompiledPolicy;
  try {
    compiled = compilePolicy(doc);
  } catch (err) {
    throw new PolicyError(`Cannot compile policy file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  // Matched with the terms just compiled (its block and review lists: only block matches count).
  const echoes = blockedTermEchoes(doc, compiled.terms);
  if (echoes.length > 0) {
    throw new PolicyError(`Invalid policy file ${path}:\n${echoes.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`).join('\n')}`, { path });
  }
  return compiled;
}
