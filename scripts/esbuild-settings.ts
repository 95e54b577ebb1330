/**
 * serverless.yml's custom.esbuild as esbuild options, the way serverless-esbuild turns it into
 * them, so the bundle benchmark and the bundle tests build exactly what `npm run package` does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { DEFAULT_SERVERLESS_YML, parseCloudFormationYaml } from '../src/infra/definitions.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** serverless-esbuild's own options: it removes these before calling esbuild (dist/bundle.js). */
const PLUGIN_OPTIONS = [
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'config', 'plugins',
];

export interface ServerlessYml {
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string; package?: { patterns?: string[] } }>;
}

export interface FunctionEntry {
  name: string;
  /** The handler's source file, relative to the project root. */
  entry: string;
  patterns: string[];
}

export function readServerlessYml(): ServerlessYml {
  return parseCloudFormationYaml(readFileSync(DEFAULT_SERVERLESS_YML, 'utf8')) as ServerlessYml;
}

export function functionEntries(yml: ServerlessYml = readServerlessYml()): FunctionEntry[] {
  return Object.entries(yml.functions).map(([name, fn]) => {
    const module = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    const entry = ['.ts', '.js', '.mjs'].map((ext) => `${module}${ext}`).find((file) => existsSync(join(ROOT, file)));
    if (!entry) throw new Error(`No entry file for ${name} (${fn.handler})`);
    return { name, entry, patterns: fn.package?.patterns ?? [] };
  });
}

/** The code file's extension (`.mjs`): serverless-esbuild's outputFileExtension. */
export function outputExtension(yml: ServerlessYml = readServerlessYml()): string {
  return (yml.custom.esbuild.outputFileExtension as string | undefined) ?? '.js';
}

/** The plugins file custom.esbuild names, loaded as serverless-esbuild loads it. */
export function serverlessPlugins(yml: ServerlessYml = readServerlessYml()): Plugin[] {
  const file = yml.custom.esbuild.plugins;
  if (typeof file !== 'string') return [];
  const loaded = createRequire(import.meta.url)(resolve(ROOT, file)) as Plugin[] | { default: Plugin[] } | ((serverless: unknown) => Plugin[]);
  return typeof loaded === 'function' ? loaded({ config: { serviceDir: ROOT } }) : Array.isArray(loaded) ? loaded : loaded.default;
}

/**
 * custom.esbuild as esbuild options, rooted at the project. `plugins: false` leaves the plugins
 * file out, for a test that picks the plugins it exercises.
 */
export function serverlessEsbuildOptions({ plugins = true, yml = readServerlessYml() }: { plugins?: boolean; yml?: ServerlessYml } = {}): BuildOptions {
  const settings = yml.custom.esbuild;
  const options = Object.fromEntries(Object.entries(settings).filter(([key]) => !PLUGIN_OPTIONS.includes(key))) as BuildOptions;
  const extension = outputExtension(yml);
  if (extension !== '.js') options.outExtension = { '.js': extension };
  const exclude = (settings.exclude as string[] | undefined) ?? [];
  options.external = [...((settings.external as string[] | undefined) ?? []), ...(exclude.includes('*') ? [] : exclude)];
  options.absWorkingDir = ROOT;
  if (plugins) options.plugins = serverlessPlugins(yml);
  return options;
}
