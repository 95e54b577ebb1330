import * as z from 'zod/mini';

/**
 * zod's classic `.meta(data)` for the review API's zod/mini schemas, written
 * `schema.apply(meta, data)`: a copy of `schema` that carries `data` in zod's global registry
 * (what z.toJSONSchema reads: descriptions, component ids, `override`) and inherits the original's
 * metadata but its `id`. That is exactly what the classic API does, so the OpenAPI document is the
 * same. Not `.check(z.meta(data))`: a check travels with every schema derived from this one
 * (`.check(…)`, `z.extend(…)`), and would register its `id` again on each of them.
 */
export function meta<T extends z.ZodMiniType>(schema: T, data: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, data);
  return copy;
}
