/**
 * Term matcher: a token trie (one hash map per node) over canonical term tokens.
 *
 * Single-word terms are children of the root; a phrase of n words is a path of depth n.
 * Matching walks the trie from every unit of the message, at most {@link MAX_PHRASE_TOKENS}
 * deep, with O(1) hash lookups per step — so the cost is proportional to the length of the
 * message and independent of how many terms the policy has.
 */
import { normalizeText, termTokens, toUnits, type Unit } from './normalize.js';
import { PolicyError } from '../errors.js';

/** Longest phrase, in words. Bounds the work done per message unit. */
export const MAX_PHRASE_TOKENS = 6;
/** Longest single-word term considered when scanning inside spaced-out letters (`x b a d y`). */
const MAX_EMBEDDED_TERM_LENGTH = 64;
/** Shortest term searched for inside a run of spaced-out letters (avoids two-letter noise). */
const MIN_EMBEDDED_TERM_LENGTH = 3;
/** Bound on trie steps per start unit (only reachable with pathological term lists). */
const MAX_STEPS_PER_UNIT = 256;

interface TrieNode {
  next?: Map<string, TrieNode>;
  /** The term as the operator wrote it, when a blocked term ends here. */
  block?: string;
  /** The term as the operator wrote it, when a review term ends here. */
  review?: string;
}

export interface CompiledTerms {
  readonly root: TrieNode;
  /** Number of distinct terms compiled (block + review). */
  readonly size: number;
  /** Deepest phrase, in tokens. */
  readonly maxDepth: number;
  /** Longest single-token term, in UTF-16 units (capped). */
  readonly maxWordLength: number;
}

export interface TermMatches {
  /** Blocked terms found, as written in the policy, in order of first occurrence. */
  block: string[];
  /** Review terms found, as written in the policy, in order of first occurrence. */
  review: string[];
}

/** Why a term cannot be used, or undefined when it is fine. */
export function termProblem(term: string): string | undefined {
  const tokens = termTokens(term);
  if (tokens.length === 0) return 'term must contain at least one letter or digit';
  if (tokens.length > MAX_PHRASE_TOKENS) {
    return `phrase has ${tokens.length} words; at most ${MAX_PHRASE_TOKENS} are supported`;
  }
  return undefined;
}

/** Compile block and review lists. Throws on a term that {@link termProblem} rejects. */
export function compileTerms(block: readonly string[], review: readonly string[]): CompiledTerms {
  const root: TrieNode = { next: new Map() };
  let size = 0;
  let maxDepth = 0;
  let maxWordLength = 0;
  const add = (term: string, kind: 'block' | 'review'): void => {
    const tokens = termTokens(term);
    if (tokens.length === 0 || tokens.length > MAX_PHRASE_TOKENS) {
      throw new PolicyError(`Invalid ${kind} term ${JSON.stringify(term)}: ${termProblem(term) ?? 'unusable'}`, { kind, term });
    }
    let node = root;
    for (const token of tokens) {
      node.next ??= new Map();
      let child = node.next.get(token);
      if (child === undefined) {
        child = {};
        node.next.set(token, child);
      }
      node = child;
    }
    if (node[kind] !== undefined) return; // duplicate (possibly after normalisation)
    node[kind] = term;
    size++;
    if (tokens.length > maxDepth) maxDepth = tokens.length;
    if (tokens.length === 1) maxWordLength = Math.max(maxWordLength, Math.min(tokens[0]!.length, MAX_EMBEDDED_TERM_LENGTH));
  };
  for (const term of block) add(term, 'block');
  for (const term of review) add(term, 'review');
  return { root, size, maxDepth, maxWordLength };
}

interface MatchState {
  readonly units: readonly Unit[];
  readonly maxDepth: number;
  readonly block: Set<string>;
  readonly review: Set<string>;
  /** Trie steps left for the current start unit (guards against pathological lists). */
  budget: number;
}

function record(state: MatchState, node: TrieNode): void {
  if (node.block !== undefined) state.block.add(node.block);
  if (node.review !== undefined) state.review.add(node.review);
}

/** Follow `node`'s children with every reading of unit `j` (phrase continuation). */
function walk(state: MatchState, next: Map<string, TrieNode>, j: number, depth: number): void {
  if (j >= state.units.length || depth >= state.maxDepth) return;
  for (const form of state.units[j]!.forms) {
    if (--state.budget < 0) return;
    const child = next.get(form);
    if (child === undefined) continue;
    record(state, child);
    if (child.next !== undefined) walk(state, child.next, j + 1, depth + 1);
  }
}

/** Find every block and review term in `content`. */
export function matchTerms(compiled: CompiledTerms, content: string): TermMatches {
  if (compiled.size === 0 || content.length === 0) return { block: [], review: [] };
  const rootMap = compiled.root.next!;
  const units = toUnits(normalizeText(content));
  const state: MatchState = { units, maxDepth: compiled.maxDepth, block: new Set(), review: new Set(), budget: 0 };

  for (let i = 0; i < units.length; i++) {
    // Single words and phrases starting at unit i.
    state.budget = MAX_STEPS_PER_UNIT;
    walk(state, rootMap, i, 0);

    // Spaced-out letters (`so b a d`) were joined into one unit (`sobad`); also look for
    // single-word terms inside it. Bounded by the longest term, so still linear.
    const unit = units[i]!;
    if (unit.joined) {
      for (const form of unit.forms) {
        for (let start = 0; start + MIN_EMBEDDED_TERM_LENGTH <= form.length; start++) {
          const maxEnd = Math.min(form.length, start + compiled.maxWordLength);
          for (let end = start + MIN_EMBEDDED_TERM_LENGTH; end <= maxEnd; end++) {
            if (start === 0 && end === form.length) continue; // whole unit: already looked up
            const node = rootMap.get(form.slice(start, end));
            if (node !== undefined) record(state, node);
          }
        }
      }
    }
  }
  return { block: [...state.block], review: [...state.review] };
}
