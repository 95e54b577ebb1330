/**
 * The esbuild plugins of the Lambda bundles (scripts/esbuild-plugins.cjs), on real builds of our
 * modules: the policy files compiled into a bundle read exactly as src/policy/load.ts reads them
 * from YAML, and the trimmed source maps still map every position of our own code (a stack trace
 * names our file and line) while dependency code reads as unmapped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySeed } from '../../src/policy/load.js';
import { ROOT, serverlessEsbuildOptions } from '../../scripts/esbuild-settings.js';

interface PluginsModule {
  packagedPolicyFiles: (policyDir: string) => Plugin;
  dependencyFreeSourceMaps: Plugin;
  withoutDependencyMappings: (map: SourceMapJson) => SourceMapJson;
}
interface SourceMapJson {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}

const plugins = createRequire(import.meta.url)('../../scripts/esbuild-plugins.cjs') as PluginsModule;

/** As `npm run package` builds a function (serverless.yml's custom.esbuild, quiet), with only the plugins a test names. */
const SETTINGS: BuildOptions = { ...serverlessEsbuildOptions({ plugins: false }), logLevel: 'silent' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-plugins-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('packaged policy files', () => {
  let policyDir: string;
  let bundled: { loadPackagedPolicySeed: (path: string) => { document: unknown } };
  const outcome = (run: () => unknown) => {
    try {
      return { value: run() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  beforeAll(async () => {
    policyDir = join(dir, 'policy');
    mkdirSync(join(policyDir, 'nested'), { recursive: true });
    writeFileSync(join(policyDir, 'good.yaml'), readFileSync(join(ROOT, 'policy', 'default.yaml')));
    writeFileSync(join(policyDir, 'nested', 'small.yml'), 'terms:\n  block: [badword]\n');
    writeFileSync(join(policyDir, 'empty.yaml'), '# nothing yet\n');
    writeFileSync(join(policyDir, 'broken.yaml'), 'terms: [unclosed\n');
    writeFileSync(join(policyDir, 'invalid.yaml'), 'terms:\n  block: [""]\ncolour: red\n');
    writeFileSync(join(policyDir, 'infinite.yaml'), 'content:\n  maxLength: .inf\n');
    writeFileSync(join(policyDir, 'json.json'), JSON.stringify({ links: { allow: ['github.com'] } }));
    const out = join(dir, 'packaged');
    await build({ ...SETTINGS, entryPoints: ['src/policy/packaged.ts'], outdir: out, plugins: [plugins.packagedPolicyFiles(policyDir)] });
    bundled = (await import(pathToFileURL(join(out, 'packaged.mjs')).href)) as typeof bundled;
  });

  it('carries no YAML parser', () => {
    const code = readFileSync(join(dir, 'packaged', 'packaged.mjs'), 'utf8');
    expect(code).not.toMatch(/node_modules\/yaml|YAMLParseError|Implicit map keys/);
  });

  it('reads every packaged file as the YAML parser does: the document, or the same error', () => {
    for (const name of ['good.yaml', 'nested/small.yml', 'empty.yaml', 'broken.yaml', 'invalid.yaml', 'json.json']) {
      const path = join(policyDir, name);
      expect(outcome(() => bundled.loadPackagedPolicySeed(path).document), name).toEqual(outcome(() => loadPolicySeed(path).document));
    }
    expect(outcome(() => bundled.loadPackagedPolicySeed(join(policyDir, 'broken.yaml')))).toEqual({ error: expect.stringMatching(/broken\.yaml is not valid YAML: /) });
  });

  it('finds a file by its content, wherever it is read from', () => {
    const copy = join(dir, 'elsewhere.yaml');
    writeFileSync(copy, readFileSync(join(policyDir, 'nested', 'small.yml')));
    expect(bundled.loadPackagedPolicySeed(copy).document).toEqual({ terms: { block: ['badword'] } });
  });

  it('says what to do with YAML that was not packaged, or that JSON cannot carry', () => {
    const stranger = join(dir, 'stranger.yaml');
    writeFileSync(stranger, 'terms:\n  block: [other]\n');
    expect(outcome(() => bundled.loadPackagedPolicySeed(stranger))).toEqual({
      error: expect.stringMatching(/stranger\.yaml is YAML that was not compiled when this bundle was packaged.*Put the file under policy\/ and package again, or give a \.json file/),
    });
    expect(outcome(() => bundled.loadPackagedPolicySeed(join(policyDir, 'infinite.yaml')))).toEqual({
      error: expect.stringMatching(/infinite\.yaml cannot be used by a Lambda bundle: it holds YAML values JSON cannot carry/),
    });
    expect(outcome(() => bundled.loadPackagedPolicySeed(join(dir, 'missing.yaml')))).toEqual(outcome(() => loadPolicySeed(join(dir, 'missing.yaml'))));
  });
});

describe('dependency-free source maps', () => {
  let out: string;
  let original: SourceMapJson;
  let trimmed: SourceMapJson;

  beforeAll(async () => {
    // Our code calling into a dependency (zod) and throwing from our code.
    out = join(dir, 'maps');
    const source = join(dir, `bundle-plugins-entry-${process.pid}.ts`);
    writeFileSync(
      source,
      [
        `import { parseChannelFlowEvent } from ${JSON.stringify(join(ROOT, 'src', 'intake', 'event.js'))};`,
        `import { PolicyError } from ${JSON.stringify(join(ROOT, 'src', 'errors.js'))};`,
        'export function fail(): never {',
        '  const parsed = parseChannelFlowEvent({});',
        "  throw new PolicyError(`failing on purpose: ${parsed.ok ? 'ok' : parsed.issues[0]}`);",
        '}',
        '',
      ].join('\n'),
    );
    await build({ ...SETTINGS, entryPoints: [source], outdir: join(out, 'full'), entryNames: 'entry' });
    await build({ ...SETTINGS, entryPoints: [source], outdir: join(out, 'trimmed'), entryNames: 'entry', plugins: [plugins.dependencyFreeSourceMaps] });
    original = JSON.parse(readFileSync(join(out, 'full', 'entry.mjs.map'), 'utf8')) as SourceMapJson;
    trimmed = JSON.parse(readFileSync(join(out, 'trimmed', 'entry.mjs.map'), 'utf8')) as SourceMapJson;
  });

  it('builds the same code, with a much smaller map that names no dependency', () => {
    expect(readFileSync(join(out, 'trimmed', 'entry.mjs'), 'utf8')).toBe(readFileSync(join(out, 'full', 'entry.mjs'), 'utf8'));
    expect(original.sources.some((s) => s.includes('node_modules/zod'))).toBe(true);
    expect(trimmed.sources.filter((s) => s.includes('node_modules'))).toEqual([]);
    expect(trimmed.sources).toEqual(original.sources.filter((s) => !s.includes('node_modules')));
    expect(trimmed.mappings.length).toBeLessThan(original.mappings.length / 2);
  });

  it('maps every position of our code as the full map does, and dependency code to nothing', () => {
    const full = new SourceMap(original as never);
    const lean = new SourceMap(trimmed as never);
    const code = readFileSync(join(out, 'full', 'entry.mjs'), 'utf8').split('\n');
    let ours = 0;
    let theirs = 0;
    for (let line = 0; line < code.length; line++) {
      for (let column = 0; column < code[line]!.length; column += 7) {
        const expected = full.findEntry(line, column) as { originalSource?: string };
        const actual = lean.findEntry(line, column) as { originalSource?: string };
        if (expected.originalSource === undefined) continue;
        if (expected.originalSource.includes('node_modules')) {
          theirs++;
          expect(actual.originalSource).toBeUndefined();
        } else {
          ours++;
          expect(actual).toEqual(expected);
        }
      }
    }
    expect(ours).toBeGreaterThan(100);
    expect(theirs).toBeGreaterThan(100);
  });

  it('gives a stack trace that names our file and line (node --enable-source-maps)', () => {
    const script = `import { fail } from ${JSON.stringify(pathToFileURL(join(out, 'trimmed', 'entry.mjs')).href)}; try { fail(); } catch (e) { console.log(e.stack); }`;
    const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/PolicyError: failing on purpose: EventType must be CHANNEL_MESSAGE_EVENT/);
    expect(run.stdout).toMatch(/bundle-plugins-entry-\d+\.ts:5:\d+/);
  });
});
