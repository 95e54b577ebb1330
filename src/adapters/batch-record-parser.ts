import { ParsingError } from '@aws-lambda-powertools/batch';
import type { parser } from '@aws-lambda-powertools/batch/parser';

/**
 * The `parser` of Powertools' batch processor for a complete record `schema` (any Standard
 * Schema: zod, zod/mini …), doing what Powertools' own `parser` does with one: validate the
 * record, and on failure log `Failed to parse record: <path>: <message>; …` at debug level and
 * throw a ParsingError with that message (the record then fails alone).
 *
 * Why not Powertools' `@aws-lambda-powertools/batch/parser`: it also serves `innerSchema`, by
 * importing (dynamically) Powertools' zod schemas of every event source and its helpers, all
 * written with the classic zod API. A bundler includes every one of those imports whether or not
 * they run, and with them the whole of classic zod and its dozens of locales: about 450 KB, a
 * fifth of the worker's bundle. This parser takes only `schema`; the worker builds its record
 * schema itself (src/worker/work-message.ts, WorkRecordSchema).
 */
export const parseRecordWithSchema: typeof parser = async (record, _eventType, logger, config) => {
  const { schema } = config;
  if (!schema) {
    logger.error('parseRecordWithSchema takes a complete record schema (`schema`), not an innerSchema');
    throw new ParsingError('Either schema or innerSchema is required for parsing');
  }
  const result = schema['~standard'].validate(record);
  if (result instanceof Promise) throw new ParsingError('Schema parsing supports only synchronous validation');
  if (result.issues) {
    const errorMessage = result.issues.map((issue) => `${issue.path?.join('.')}: ${issue.message}`).join('; ');
    logger.debug(`Failed to parse record: ${errorMessage}`);
    throw new ParsingError(errorMessage);
  }
  return result.value as Awaited<ReturnType<typeof parser>>;
};
