/** Public API of the automatic policy engine. */
export {
  compilePolicy,
  evaluate,
  formatIssues,
  validatePolicyDocument,
  NO_MATCH_REASON,
  RULE_IDS,
  type CompiledPolicy,
} from './engine.js';
export { DEFAULT_POLICY_FILE, loadPolicyFile, loadPolicySeed, loadPolicySeedDocument, parsePolicyDocument, readPolicyFile, resolvePolicyPath } from './load.js';
export {
  PolicyDocumentSchema,
  PiiActionSchema,
  RuleActionSchema,
  type PolicyDocument,
  type PolicyDocumentInput,
} from './schema.js';
export {
  MAX_PHRASE_TOKENS,
  compileTerms,
  findTerms,
  matchTerms,
  sortSpans,
  type CompiledTerms,
  type TermFindings,
  type TermMatches,
} from './terms.js';
export { findPii, maskPii, luhnValid, type PiiKind, type PiiMatch, type PiiOptions } from './pii.js';
export {
  classifyHost,
  compileDomainLists,
  extractLinkHosts,
  findLinks,
  type DomainLists,
  type DomainListing,
  type LinkMatch,
} from './links.js';
export { normalizeText } from './normalize.js';
