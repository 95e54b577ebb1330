/**
 * Validating a policy document against the POLICY_FILE schema (src/policy/schema.ts), apart from
 * the engine: a function that only reads a policy's community settings (the review API, the
 * sweeper: src/policy/live-community.ts) validates its POLICY_FILE with this and never loads the
 * engine (src/policy/engine.ts, which compiles documents, re-exports it).
 */
import type { z } from 'zod';
import { PolicyError } from '../errors.js';
import { PolicyDocumentSchema, unionIssues, type PolicyDocument, type PolicyDocumentInput } from './schema.js';

/** Format zod issues as `path: message` lines (`(root)` for the document itself). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `  - ${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('\n');
}

/** Documents produced by {@link validatePolicyDocument}: compiling them skips a second validation. */
const validated = new WeakSet<object>();

/** Whether `doc` came out of {@link validatePolicyDocument} (defaults applied, nothing to check again). */
export const isValidated = (doc: PolicyDocumentInput | PolicyDocument): doc is PolicyDocument => validated.has(doc);

/**
 * Validate a document as written (applying defaults). `source` names it in the error,
 * which lists every invalid field path.
 */
export function validatePolicyDocument(raw: unknown, source: string): PolicyDocument {
  const result = PolicyDocumentSchema.safeParse(raw ?? {});
  if (!result.success) throw new PolicyError(`Invalid ${source}:\n${formatIssues(unionIssues(result.error.issues))}`, { source });
  validated.add(result.data);
  return result.data;
}
