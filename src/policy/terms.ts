/**
 * Term matcher: a token trie (one hash map per node) over canonical term tokens.
 *
 * Single-word terms are children of the root; a phrase of n words is a path of depth n.
 * Matching walks the trie from every unit of the message, at most {@link MAX_PHRASE_TOKENS}
 * deep, with O(1) hash lookups per step — so the cost is proportional to the length of the
 * message and independent of how many terms the policy has.
 *
 * What a match is:
 * - a unit (word, or joined run of spaced-out letters) whose reading equals a single-word
 *   term — as a whole: `A S S B` is the word `assb`, which does not match `ass`;
 * - consecutive units whose readings spell a phrase, with no sentence boundary between them
 *   (normalize.ts defines it: `buy? Followers` is two sentences, `Buy -- FOLLOWERS!` is not);
 * - a joined run that spells a whole phrase without its spaces (`b u y f o l l o w e r s`);
 * - a joined run of three or more letters with the one-letter word `a`, `i` or `u` glued to
 *   its start or end (`a b a d idea`, `B.A.D. I said`), read without that letter, for
 *   single-word terms only. Spaced-out letters cannot show where a word ends, and `a` and
 *   `I` (English's only one-letter words) and chat's `u` are commonly written right next to
 *   a spelled-out word; any other extra letter (`A S S B`) means a different word.
 *
 * Every occurrence is reported with its span in the original content (UTF-16 `[start, end)`)
 * covering exactly the characters the sender wrote for it, obfuscation included.
 */
import type { Span } from '../domain/message.js';
import { hashKey, RowFlag, scanText, SHARED_TABLE, termTokens, trimmedReadings, type TokenTable } from './normalize.js';
import { PolicyError } from '../errors.js';

/** Longest phrase, in words. Bounds the work done per message unit. */
export const MAX_PHRASE_TOKENS = 6;
/** Bound on trie steps per start unit (only reachable with pathological term lists). */
const MAX_STEPS_PER_UNIT = 256;
/** Shortest reading that a run trimmed of a one-letter word may match (`a b a` is not `ba`). */
const MIN_TRIMMED_LENGTH = 3;

interface TrieNode {
  next?: Map<string, TrieNode>;
  /** The term as the operator wrote it, when a blocked term ends here. */
  block?: string;
  /** The term as the operator wrote it, when a review term ends here. */
  review?: string;
}

/**
 * A compact membership filter over the root's plain keys (letters only or digits only), read
 * before the root map for plain words. Why: with 100,000 terms the root map is megabytes,
 * and probing it for every word of every message costs a cache miss or two per word; the
 * filter is 4 bytes per key, answers "certainly not a term" for nearly every word without
 * touching the map, and needs no string at all (the scanner hashes words as it reads them).
 *
 * Blocked layout: a key sets two bits in one 32-bit word, so a query reads one word. With
 * one word per key (the size is rounded up to a power of two) about 0.3 % of non-terms pass.
 * A pass is only a hint: the map lookup that follows decides.
 */
interface KeyFilter {
  readonly words: Uint32Array;
  readonly mask: number;
}

/** murmur3's finaliser: spreads FNV's weak low bits over the whole word. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function filterBits(h: number): number {
  return (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31));
}

/** Keys a plain row can equal (see RowFlag.Plain): letters of any script, or ASCII digits. */
const PLAIN_KEY_RE = /^(?:\p{L}+|[0-9]+)$/u;

function buildFilter(root: Map<string, TrieNode>): KeyFilter {
  let size = 256;
  while (size < root.size && size < 1 << 22) size *= 2;
  const words = new Uint32Array(size);
  const mask = size - 1;
  for (const key of root.keys()) {
    if (!PLAIN_KEY_RE.test(key)) continue; // only plain words consult the filter
    const h = mix(hashKey(key));
    words[h & mask]! |= filterBits(h);
  }
  return { words, mask };
}

function mayBeKey(filter: KeyFilter, hash: number): boolean {
  const h = mix(hash);
  const bits = filterBits(h);
  return (filter.words[h & filter.mask]! & bits) === bits;
}

export interface CompiledTerms {
  readonly root: TrieNode;
  /** Filter over the root's plain keys (see {@link KeyFilter}). */
  readonly filter: KeyFilter;
  /** Phrases keyed by their tokens written together (`buyfollowers`), for spaced-out runs. */
  readonly solidPhrases: ReadonlyMap<string, TrieNode>;
  /** Number of distinct terms compiled (block + review). */
  readonly size: number;
  /** Deepest phrase, in tokens. */
  readonly maxDepth: number;
}

export interface TermMatches {
  /** Blocked terms found, as written in the policy, in order of first occurrence. */
  block: string[];
  /** Review terms found, as written in the policy, in order of first occurrence. */
  review: string[];
}

/** {@link TermMatches} with where each kind matched. */
export interface TermFindings extends TermMatches {
  /** Every occurrence of a blocked term: sorted by start then end, no duplicates (nested phrases may overlap). */
  blockSpans: Span[];
  /** Every occurrence of a review term, likewise. */
  reviewSpans: Span[];
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
  const solidPhrases = new Map<string, TrieNode>();
  let size = 0;
  let maxDepth = 0;
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
    if (tokens.length > 1) {
      const solid = tokens.join('');
      let entry = solidPhrases.get(solid);
      if (entry === undefined) solidPhrases.set(solid, (entry = {}));
      entry[kind] ??= term;
    }
  };
  for (const term of block) add(term, 'block');
  for (const term of review) add(term, 'review');
  return { root, filter: buildFilter(root.next!), solidPhrases, size, maxDepth };
}

/** Occurrences collected while matching one message. */
class Collector {
  readonly block = new Set<string>();
  readonly review = new Set<string>();
  readonly blockSpans: Span[] = [];
  readonly reviewSpans: Span[] = [];
}

/** Sort spans by start then end and drop exact duplicates (the same text matched twice). */
export function sortSpans(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [spans[0]!];
  for (let k = 1; k < spans.length; k++) {
    const s = spans[k]!;
    const prev = out[out.length - 1]!;
    if (s.start !== prev.start || s.end !== prev.end) out.push(s);
  }
  return out;
}

/** Matching state for one message. Most messages match nothing, so the collector is created on the first hit. */
class Matcher {
  out: Collector | undefined = undefined;
  /** Trie steps left for the current start row (guards against pathological term lists). */
  budget = 0;

  constructor(
    private readonly table: TokenTable,
    private readonly maxDepth: number,
  ) {}

  record(node: TrieNode, start: number, end: number): void {
    if (node.block === undefined && node.review === undefined) return;
    const out = (this.out ??= new Collector());
    if (node.block !== undefined) {
      out.block.add(node.block);
      out.blockSpans.push({ start, end });
    }
    if (node.review !== undefined) {
      out.review.add(node.review);
      out.reviewSpans.push({ start, end });
    }
  }

  /** Follow `next` with every reading of row `j`, continuing a phrase that started at `start`. */
  walk(next: Map<string, TrieNode>, j: number, depth: number, start: number): void {
    const t = this.table;
    if (t.flags[j]! & RowFlag.Plain) {
      this.step(next, t.rawText(j), j, depth, start);
      return;
    }
    for (const form of t.formsOf(j)) this.step(next, form, j, depth, start);
  }

  private step(next: Map<string, TrieNode>, form: string, j: number, depth: number, start: number): void {
    if (--this.budget < 0) return;
    const child = next.get(form);
    if (child === undefined) return;
    const t = this.table;
    this.record(child, start, t.end[j]!);
    if (child.next !== undefined && depth + 1 < this.maxDepth && j + 1 < t.count && !(t.flags[j + 1]! & RowFlag.SentenceBreak)) {
      this.walk(child.next, j + 1, depth + 1, start);
    }
  }
}

/** Find every block and review term in `content`, with the span of every occurrence. */
export function findTerms(compiled: CompiledTerms, content: string): TermFindings {
  if (compiled.size === 0 || content.length === 0) return { block: [], review: [], blockSpans: [], reviewSpans: [] };
  const rootMap = compiled.root.next!;
  const table = scanText(content, SHARED_TABLE);
  const m = new Matcher(table, compiled.maxDepth);
  const { flags, hash } = table;

  for (let r = 0; r < table.count; r++) {
    const f = flags[r]!;
    // A plain word the filter rules out is neither a term nor the start of a phrase.
    if (f & RowFlag.Plain && !mayBeKey(compiled.filter, hash[r]!)) continue;
    // Single words and phrases starting at row r.
    m.budget = MAX_STEPS_PER_UNIT;
    m.walk(rootMap, r, 0, table.start[r]!);
    if (!(f & RowFlag.Joined)) continue;
    // A spaced-out run spelling a whole phrase (`b u y f o l l o w e r s`).
    if (compiled.solidPhrases.size > 0) {
      for (const form of table.formsOf(r)) {
        const node = compiled.solidPhrases.get(form);
        if (node !== undefined) m.record(node, table.start[r]!, table.end[r]!);
      }
    }
    // A spaced-out run with a one-letter word glued to it (`a b a d`): single-word terms only.
    const trimmed = trimmedReadings(table, r);
    if (trimmed !== undefined) {
      for (const t of trimmed) {
        for (const form of t.forms) {
          if (form.length < MIN_TRIMMED_LENGTH) continue;
          const node = rootMap.get(form);
          if (node !== undefined) m.record(node, t.start, t.end);
        }
      }
    }
  }
  const out = m.out;
  if (out === undefined) return { block: [], review: [], blockSpans: [], reviewSpans: [] };
  return {
    block: [...out.block],
    review: [...out.review],
    blockSpans: sortSpans(out.blockSpans),
    reviewSpans: sortSpans(out.reviewSpans),
  };
}

/** Find every block and review term in `content` (the terms only; {@link findTerms} adds where). */
export function matchTerms(compiled: CompiledTerms, content: string): TermMatches {
  const { block, review } = findTerms(compiled, content);
  return { block, review };
}
