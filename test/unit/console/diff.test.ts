import { describe, expect, it } from 'vitest';
import { diffLines, hunks, splitLines, type DiffOp } from '../../../console/src/lib/diff.js';

/** Applying the script to `a` must give `b`, and keeping the unchanged lines must give `a`. */
function check(a: string[], b: string[], ops: DiffOp[]) {
  // Joined: one string comparison instead of a deep one per line (the 100,000-line case).
  expect(ops.filter((o) => o.kind !== 'add').map((o) => o.text).join('\n')).toBe(a.join('\n'));
  expect(ops.filter((o) => o.kind !== 'del').map((o) => o.text).join('\n')).toBe(b.join('\n'));
}

const edits = (ops: DiffOp[]) => ops.filter((o) => o.kind !== 'same').length;

describe('line diff (Myers)', () => {
  it('finds the one line added to a term list, with both sides’ line numbers', () => {
    const a = ['terms:', '  block:', '    - scamcoin', '    - badword', 'pii: false'];
    const b = ['terms:', '  block:', '    - scamcoin', '    - zorblax', '    - badword', 'pii: false'];
    const ops = diffLines(a, b);
    check(a, b, ops);
    expect(ops.filter((o) => o.kind !== 'same')).toEqual([{ kind: 'add', text: '    - zorblax', newLine: 4 }]);
    expect(ops.at(-1)).toEqual({ kind: 'same', text: 'pii: false', oldLine: 5, newLine: 6 });
  });

  it('is minimal on a classic case (ABCABBA → CBABAC: 5 edits)', () => {
    const a = 'ABCABBA'.split('');
    const b = 'CBABAC'.split('');
    const ops = diffLines(a, b);
    check(a, b, ops);
    expect(edits(ops)).toBe(5);
  });

  it('handles empty sides and identical texts', () => {
    check([], ['a', 'b'], diffLines([], ['a', 'b']));
    check(['a'], [], diffLines(['a'], []));
    expect(diffLines(['x', 'y'], ['x', 'y']).every((o) => o.kind === 'same')).toBe(true);
  });

  it('reconstructs both sides on random edits', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => String.fromCharCode(97 + rand(5)));
      const b = a.filter(() => rand(4) !== 0).flatMap((line) => (rand(5) === 0 ? [line, String.fromCharCode(97 + rand(5))] : [line]));
      check(a, b, diffLines(a, b));
    }
  });

  it('stays exact, if not minimal, past the edit budget', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const ops = diffLines(a, b, 10);
    check(a, b, ops);
    expect(edits(ops)).toBe(100);
  });

  it('finds the two changes in a 100,000-line list (the common head and tail set aside)', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => `    - term${i}`);
    const b = [...a.slice(0, 50_000), '    - zorblax', ...a.slice(50_000, 70_000), ...a.slice(70_001)];
    const ops = diffLines(a, b);
    check(a, b, ops);
    expect(ops.filter((o) => o.kind !== 'same').map((o) => `${o.kind} ${o.text}`)).toEqual(['add     - zorblax', 'del     - term70000']);
  });
});

describe('hunks', () => {
  it('keeps three lines of context and counts what it folds', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const b = [...a.slice(0, 10), 'new', ...a.slice(10)];
    const { hunks: parts, skippedAfter, added, removed } = hunks(diffLines(a, b));
    expect(parts).toHaveLength(1);
    expect(parts[0]!.skippedBefore).toBe(7);
    expect(parts[0]!.ops.map((o) => o.text)).toEqual(['l7', 'l8', 'l9', 'new', 'l10', 'l11', 'l12']);
    expect(skippedAfter).toBe(7);
    expect({ added, removed }).toEqual({ added: 1, removed: 0 });
  });

  it('splits lines like a text editor (a final newline is not a line)', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
  });
});
