/**
 * What the Lambda bundles hold, on real builds with serverless.yml's esbuild plugins:
 *   - the OpenAPI document (scripts/esbuild-plugins.cjs, packaged-api-document): the review API's
 *     bundle serves exactly the document src/api/document.ts builds from both route
 *     tables, from a file built while packaging, and carries neither the document's builder
 *     (zod's JSON Schema code), nor the answers' schemas, nor the policy API's routes and engine;
 *     a bundle that does not serve the document gets no file;
 *   - every function's code file is pure ASCII: one other character (a `€` in a regular
 *     expression, which esbuild leaves as written) makes Node decode the whole file to two-byte
 *     text, which it reads and V8 parses measurably slower at every cold start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDocument } from '../../src/api/document.js';
import { functionEntries, serverlessEsbuildOptions } from '../../scripts/esbuild-settings.js';

const plugins = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as Plugin[] & { packagedApiDocument: Plugin };

/** As `npm run package` builds a function: serverless.yml's custom.esbuild, quiet. */
const SETTINGS: BuildOptions = { ...serverlessEsbuildOptions({ plugins: false }), logLevel: 'silent' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'api-document-bundle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const inputsOf = (metafile: Metafile) => Object.keys(Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!.inputs);

describe('the packaged OpenAPI document', () => {
  it('is the document the route tables build, served from the file beside the code', async () => {
    const out = join(dir, 'document');
    await build({ ...SETTINGS, entryPoints: ['src/api/document.ts'], outdir: out, plugins: [plugins.packagedApiDocument] });
    const file = join(out, 'document.openapi.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(apiDocument());
    const bundled = (await import(pathToFileURL(join(out, 'document.mjs')).href)) as { apiDocument: () => unknown };
    expect(bundled.apiDocument()).toEqual(apiDocument());
    // Read once, then kept.
    expect(bundled.apiDocument()).toBe(bundled.apiDocument());
  });

  it('leaves the builder, the answers and the policy API out of the review API bundle', async () => {
    const out = join(dir, 'review-api');
    const result = await build({ ...SETTINGS, entryPoints: ['functions/review-api/index.ts'], outdir: join(out, 'functions/review-api'), metafile: true, plugins });
    const inputs = inputsOf(result.metafile);
    expect(existsSync(join(out, 'functions/review-api/index.openapi.json'))).toBe(true);
    expect(inputs).toContain('src/review/routes.ts');
    expect(inputs).toContain('src/review/schemas.ts');
    for (const left of ['src/http/openapi.ts', 'src/review/responses.ts', 'src/policy-api/responses.ts', 'src/policy-api/routes.ts', 'src/policy-api/policies.ts', 'src/policy/engine.ts']) {
      expect(inputs, left).not.toContain(left);
    }
    expect(inputs.filter((input) => /zod\/v4\/(classic|core\/(to-json-schema|json-schema-processors))/.test(input))).toEqual([]);
  });

  it('writes no document beside a bundle that does not serve it', async () => {
    const out = join(dir, 'policy-api');
    const result = await build({ ...SETTINGS, entryPoints: ['functions/policy-api/index.ts'], outdir: join(out, 'functions/policy-api'), metafile: true, plugins });
    expect(existsSync(join(out, 'functions/policy-api/index.openapi.json'))).toBe(false);
    const inputs = inputsOf(result.metafile);
    expect(inputs).toContain('src/policy-api/routes.ts');
    // The policy API builds neither the review API's routes and request schemas, nor any answer's schema.
    for (const left of ['src/review/routes.ts', 'src/review/schemas.ts', 'src/review/responses.ts', 'src/policy-api/responses.ts', 'src/http/openapi.ts']) {
      expect(inputs, left).not.toContain(left);
    }
  });
});

describe('the code files', () => {
  it.each(functionEntries().map((fn) => [fn.name, fn.entry]))('%s is pure ASCII', async (name, entry) => {
    const out = join(dir, 'ascii', name);
    await build({ ...SETTINGS, entryPoints: [entry], outdir: out, plugins });
    const code = readFileSync(join(out, 'index.mjs'));
    const offending = [...code.toString('latin1').matchAll(/[^\x00-\x7f]+/g)].map((m) => code.toString('utf8', Math.max(0, m.index! - 40), m.index! + 20));
    expect(offending).toEqual([]);
  });
});
