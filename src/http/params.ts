import * as z from 'zod/mini';
import '../zod-messages.js';
import { meta } from './schema-meta.js';

/*
 * Request parameters both API functions' routes take (src/review/schemas.ts,
 * policy-schemas.ts): a module of their own, so that the policy API builds none of the review
 * API's request schemas at its cold start.
 */

/**
 * A whole number in a query string. Strict on purpose: `z.coerce.number()` would accept "",
 * " 7" and "1e1". The document shows it as an integer with its bounds.
 */
export const integerParam = (min: number, max: number, fallback: number, description: string) =>
  z
    ._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d{1,9}$/, 'must be a whole number')), z.transform(Number)),
        z.number().check(z.int(), z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
      ),
      fallback,
    )
    .apply(meta, { description, override: { type: 'integer', minimum: min, maximum: max, default: fallback } });

export const CursorSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(2048), z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'is not a cursor this API issued'))
  .apply(meta, { description: 'Opaque: the `next` of the previous page. Valid only with the same filters.' });

export const IsoTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z' });
