/**
 * A corpus for the differential tests of test/unit/zod-mini: a valid value, then the same value
 * with one field at a time removed or replaced by each of a set of wrong values.
 */
export const WRONG_VALUES: unknown[] = [undefined, null, '', ' ', 'x', 0, 1.5, -1, true, {}, [], ['x'], { a: 1 }, 'not-a-date', '2026-11-21T10:00:00.000Z', 'x'.repeat(65), 'x'.repeat(40)];

type Path = Array<string | number>;

function leafPaths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => leafPaths(child, [...prefix, key]))].filter((p) => p.length > 0);
}

function withValue(root: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** `valid`, plus every field removed, plus every field set to each of `wrong`. */
export function mutations(valid: unknown, wrong: unknown[] = WRONG_VALUES): unknown[] {
  const out: unknown[] = [valid, undefined, null, 'x', 42, [], {}];
  for (const path of leafPaths(valid)) {
    out.push(withValue(valid, path, undefined, true));
    for (const value of wrong) out.push(withValue(valid, path, value, false));
  }
  return out;
}
