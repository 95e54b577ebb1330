import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document } from 'yaml';

/**
 * The policy editor's YAML: parse a draft (syntax problems with their line), turn it into the
 * JSON document the API takes, and place the API's validation errors (`body.document.terms.block.3`)
 * on the line they are about. The rules themselves are the API's (it validates as POLICY_FILE
 * is validated); the console only says where. Only the Policies page imports this module (and
 * with it the YAML parser), so the queue's first load never carries it.
 */

export interface EditorProblem {
  /** 1-based line the problem is about. */
  line: number;
  /** The field, as the API names it inside the document (`terms.block.3`); absent for syntax errors. */
  path?: string;
  message: string;
  source: 'yaml' | 'api';
}

export interface ParsedDraft {
  /** The document as JSON; undefined while the YAML does not parse. */
  document?: unknown;
  problems: EditorProblem[];
  /** The 1-based line of a path inside the document (the nearest enclosing node that exists). */
  lineOf(path: ReadonlyArray<string | number>): number;
}

const firstLine = (message: string) => message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

export function parseDraft(text: string): ParsedDraft {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: EditorProblem[] = doc.errors.map((error) => ({ line: error.linePos?.[0].line ?? 1, message: firstLine(error.message), source: 'yaml' }));
  const lineOf = (path: ReadonlyArray<string | number>) => locate(doc, lines, path);
  if (problems.length > 0) return { problems, lineOf };
  // An empty draft (or comments only) is the empty document: a valid policy that adds nothing.
  const document = doc.toJS({ maxAliasCount: 100 }) ?? {};
  return { document, problems, lineOf };
}

function locate(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (isMap(node)) {
      let pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      // A key with dots in it (a rule id: `rules.terms.block.publicReason` names `terms.block`)
      // arrives split at its dots: try it whole, the longest first.
      for (let end = path.length; !pair && end > i + 1; end--) {
        const dotted = path.slice(i, end).join('.');
        pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === dotted);
        if (pair) i = end - 1;
      }
      if (!pair) break;
      // The key's line: an unknown key is reported by its own path, and a value may start on the next line.
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lines.linePos(offset).line;
}

/** `body.document.terms.block.3` → ['terms', 'block', 3]; undefined for errors that are not about the document. */
export function documentPath(apiPath: string, prefix = 'body.document'): Array<string | number> | undefined {
  if (apiPath !== prefix && !apiPath.startsWith(`${prefix}.`)) return undefined;
  return apiPath
    .slice(prefix.length + 1)
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The API's 400 `errors` about the document, each on its line; the others (the comment …) are returned apart. */
export function placeApiErrors(draft: ParsedDraft, errors: ReadonlyArray<{ path: string; message: string }>): { problems: EditorProblem[]; other: Array<{ path: string; message: string }> } {
  const problems: EditorProblem[] = [];
  const other: Array<{ path: string; message: string }> = [];
  for (const error of errors) {
    const path = documentPath(error.path);
    if (!path) {
      other.push(error);
      continue;
    }
    problems.push({ line: draft.lineOf(path), path: path.join('.') || '(the document)', message: error.message, source: 'api' });
  }
  return { problems: problems.sort((a, b) => a.line - b.line), other };
}

/** A stored document as the editor shows it. Comments are not stored: the API keeps JSON. */
export function toYaml(document: unknown): string {
  if (document === null || document === undefined) return '';
  return stringify(document, { lineWidth: 0, indent: 2 });
}

/** Same document? (Key order matters to nobody: the API compares nothing by it either.) */
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
