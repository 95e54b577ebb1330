/**
 * DynamoDB's size and capacity arithmetic, as the partition-heat recorder charges it. Pure: no
 * client, no clock. Sources (README "Scale: keys that spread"):
 *
 *   write   1 WCU per started KB of the larger of the item before and after the write; a write
 *           whose condition fails is still charged, 1 WCU per started KB of the item as it is
 *           (at least 1), and writes no index
 *   index   1 WCU per started KB of the entry (projected attributes + keys + 100 bytes); a
 *           change of its keys is a delete of the old entry and a put of the new one
 *   read    strongly consistent: 1 RCU per started 4 KB; eventually consistent: half that; a key
 *           that is not there is still read: 1 RCU (0.5 eventually consistent)
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((n, e) => n + valueSize(e) + 1, 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + utf8(k) + valueSize(e) + 1, 0);
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  return 0;
}

/** An item's size as DynamoDB counts it: attribute names plus values. */
export const itemSize = (item: Item): number => Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);

export const wcu = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
export const rcuStrong = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));
export const rcuEventual = (bytes: number): number => Math.max(0.5, Math.ceil(bytes / 4096) / 2);
export const rcu = (bytes: number, consistent: boolean): number => (consistent ? rcuStrong(bytes) : rcuEventual(bytes));

/** A successful write of one item: the larger of its two images. */
export const writeUnits = (before: Item | undefined, after: Item | undefined): number => wcu(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));

/** A write whose condition failed: the item as it is (1 WCU when there is none). No index is written. */
export const failedWriteUnits = (existing: Item | undefined): number => wcu(existing ? itemSize(existing) : 0);

/** An index entry's write: projected attributes and keys, plus DynamoDB's 100 bytes of overhead. */
export const indexEntryUnits = (entry: Item): number => wcu(itemSize(entry) + 100);

// ─── UpdateItem without ReturnValues: the new image from the expression ────────────────────

/** Splits `text` on `separator` where no parenthesis is open. */
function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (depth === 0 && separator.test(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** The clauses of an update expression, by keyword: `SET a = :x, b = :y REMOVE c` → { SET: [...], REMOVE: [...] }. */
export function updateClauses(expression: string): Record<'SET' | 'REMOVE' | 'ADD' | 'DELETE', string[]> {
  const clauses = { SET: [] as string[], REMOVE: [] as string[], ADD: [] as string[], DELETE: [] as string[] };
  const keyword = /\b(SET|REMOVE|ADD|DELETE)\b/g;
  const marks: Array<{ name: keyof typeof clauses; at: number; end: number }> = [];
  let depth = 0;
  // Keywords only where no parenthesis is open (an operand never contains one as a bare word).
  for (let i = 0, m = keyword.exec(expression); m; m = keyword.exec(expression)) {
    for (; i < m.index; i += 1) depth += expression[i] === '(' ? 1 : expression[i] === ')' ? -1 : 0;
    if (depth === 0) marks.push({ name: m[1] as keyof typeof clauses, at: m.index, end: m.index + m[0].length });
  }
  marks.forEach((mark, n) => {
    const body = expression.slice(mark.end, marks[n + 1]?.at ?? expression.length);
    clauses[mark.name].push(...splitTopLevel(body, /,/));
  });
  return clauses;
}

/**
 * The image after an UpdateItem, from the image before it and the expression, for the forms this
 * project writes without asking for the new image: `SET a = :v`, `SET a = if_not_exists(a, :v)`,
 * `SET a = a + :v`, `SET a = list_append(a, :v)`, `REMOVE a`, `ADD a :n`. Paths into maps and
 * lists are left as they were (the store asks for ALL_NEW wherever it writes those).
 */
export function applyUpdate(before: Item, input: { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> }): Item {
  const after: Item = { ...before };
  if (!input.UpdateExpression) return after;
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const name = (token: string): string | undefined => {
    const t = token.trim();
    if (/[.[\]]/.test(t)) return undefined; // a nested path
    return t.startsWith('#') ? names[t] : t;
  };
  const operand = (token: string): AttributeValue | undefined => {
    const t = token.trim();
    if (t.startsWith(':')) return values[t];
    let m = /^if_not_exists\s*\((.*)\)$/.exec(t);
    if (m) {
      const [path, fallback] = splitTopLevel(m[1]!, /,/);
      const current = path !== undefined ? operand(path) : undefined;
      return current ?? (fallback !== undefined ? operand(fallback) : undefined);
    }
    m = /^list_append\s*\((.*)\)$/.exec(t);
    if (m) {
      const [a, b] = splitTopLevel(m[1]!, /,/).map(operand);
      return { L: [...(a?.L ?? []), ...(b?.L ?? [])] };
    }
    const sum = splitTopLevel(t, /[+-]/);
    if (sum.length === 2) {
      const [a, b] = sum.map(operand);
      const minus = t.slice(sum[0]!.length).trim().startsWith('-');
      if (a?.N !== undefined && b?.N !== undefined) return { N: String(Number(a.N) + (minus ? -1 : 1) * Number(b.N)) };
      return undefined;
    }
    const n = name(t);
    return n !== undefined ? after[n] : undefined;
  };
  const clauses = updateClauses(input.UpdateExpression);
  for (const assignment of clauses.SET) {
    const eq = assignment.indexOf('=');
    const target = name(assignment.slice(0, eq));
    const value = operand(assignment.slice(eq + 1));
    if (target !== undefined && value !== undefined) after[target] = value;
  }
  for (const path of clauses.REMOVE) {
    const target = name(path);
    if (target !== undefined) delete after[target];
  }
  for (const addition of clauses.ADD) {
    const [path, value] = addition.split(/\s+/);
    const target = path !== undefined ? name(path) : undefined;
    const v = value !== undefined ? values[value] : undefined;
    if (target === undefined || v?.N === undefined) continue;
    after[target] = { N: String(Number(after[target]?.N ?? 0) + Number(v.N)) };
  }
  return after;
}
