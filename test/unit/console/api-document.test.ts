import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiFiles } from '../../../scripts/generate-api.js';

/**
 * The console's API client is generated from the review API's OpenAPI document. If this fails,
 * the API changed and the console has not followed: run `npm run generate:api`, then
 * `npm run typecheck` to see what in console/ needs to change.
 */
describe('console/src/api (generated)', () => {
  it('matches the OpenAPI document the route table builds', async () => {
    const files = await generateApiFiles();
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(new URL(`../../../console/src/api/${name}`, import.meta.url), 'utf8'), `console/src/api/${name} is out of date: run npm run generate:api`).toBe(text);
    }
  });
});
