/**
 * A line diff between two texts (two versions of a policy, as YAML): Myers' O(ND) algorithm on
 * what remains once the common head and tail are set aside, so a one-line change in a
 * 100,000-line term list costs next to nothing. Past MAX_EDITS differences the middle is shown
 * as removed then added (still exact, just not minimal), which bounds time and memory.
 */

export type DiffOp = { kind: 'same' | 'del' | 'add'; text: string; oldLine?: number; newLine?: number };

export const MAX_EDITS = 2000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The operations that turn `a` into `b`, in order, with 1-based line numbers on each side. */
export function diffLines(a: readonly string[], b: readonly string[], maxEdits = MAX_EDITS): DiffOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);

  const kinds: Array<'same' | 'del' | 'add'> = [];
  for (let i = 0; i < head; i++) kinds.push('same');
  kinds.push(...(myers(midA, midB, maxEdits) ?? [...midA.map(() => 'del' as const), ...midB.map(() => 'add' as const)]));
  for (let i = 0; i < tail; i++) kinds.push('same');

  const ops: DiffOp[] = [];
  let x = 0;
  let y = 0;
  for (const kind of kinds) {
    if (kind === 'same') ops.push({ kind, text: a[x]!, oldLine: ++x, newLine: ++y });
    else if (kind === 'del') ops.push({ kind, text: a[x]!, oldLine: ++x });
    else ops.push({ kind, text: b[y]!, newLine: ++y });
  }
  return ops;
}

/** The shortest edit script, or undefined when it needs more than `maxEdits` edits. */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): Array<'same' | 'del' | 'add'> | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map(() => 'add');
  if (m === 0) return a.map(() => 'del');
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // Per d, the slice of v (k from -d-1 to d+1) as it was before step d: what backtracking reads.
  const trace: Array<{ base: number; v: Int32Array }> = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, maxEdits) && found < 0; d++) {
    trace.push({ base: offset - d - 1, v: v.slice(offset - d - 1, offset + d + 2) });
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return undefined;

  const reversed: Array<'same' | 'del' | 'add'> = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const { base, v: saved } = trace[d]!;
    const at = (k: number) => saved[offset + k - base]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      reversed.push('same');
      x--;
      y--;
    }
    if (x === prevX) {
      reversed.push('add');
      y--;
    } else {
      reversed.push('del');
      x--;
    }
  }
  while (x > 0 && y > 0) {
    reversed.push('same');
    x--;
    y--;
  }
  return reversed.reverse();
}

export interface Hunk {
  ops: DiffOp[];
  /** Unchanged lines left out before this hunk. */
  skippedBefore: number;
}

/** The changes with `context` unchanged lines around each, the rest folded. */
export function hunks(ops: readonly DiffOp[], context = 3): { hunks: Hunk[]; skippedAfter: number; added: number; removed: number } {
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((op, i) => {
    if (op.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) keep[j] = true;
  });
  const out: Hunk[] = [];
  let skipped = 0;
  let current: Hunk | undefined;
  ops.forEach((op, i) => {
    if (!keep[i]) {
      skipped++;
      current = undefined;
      return;
    }
    if (!current) {
      current = { ops: [], skippedBefore: skipped };
      out.push(current);
      skipped = 0;
    }
    current.ops.push(op);
  });
  return { hunks: out, skippedAfter: skipped, added: ops.filter((o) => o.kind === 'add').length, removed: ops.filter((o) => o.kind === 'del').length };
}
