/**
 * The Lambda bundles, per function: the size of its code file, and how long a fresh Node process
 * takes to import it (a cold start's init: configuration, clients, the policy file).
 *
 * Each function is built with serverless.yml's own custom.esbuild settings (the options
 * serverless-esbuild hands to esbuild, its plugins file included) into a temporary folder, next
 * to the files its package patterns add (policy/**). With BENCH_BUNDLES_FROM=.serverless it
 * unpacks the zips `npm run package` wrote instead, so what is measured is what CI deploys.
 *
 * Import time: `node --enable-source-maps` (what serverless.yml's NODE_OPTIONS sets in Lambda)
 * imports the bundle with the environment a function gets, stand-in resource names, and prints
 * how long `await import(...)` took (wall clock and CPU). Runs are interleaved across functions so
 * a burst of load on a shared machine does not land on one function only. The median is the
 * figure; min–max and the quartiles show the spread. An empty module's import is measured the
 * same way as the floor of the machine at that moment.
 *
 * `npx tsx bench/bundles.ts` prints the figures; `benchBundles()` returns them.
 * BENCH_BUNDLE_RUNS (default 15) sets the runs per function.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functionEntries, outputExtension, readServerlessYml, ROOT, serverlessEsbuildOptions, type FunctionEntry, type ServerlessYml } from '../scripts/esbuild-settings.js';
import { isRunDirectly } from './run-directly.js';

/** What a function's environment holds in AWS, with stand-ins for the resources (nothing is called at import). */
const FUNCTION_ENV: Record<string, string> = {
  TABLE_NAME: 'bench-moderation',
  CONTROL_TABLE_NAME: 'bench-control',
  WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-work',
  INTAKE_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-intake-dlq',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  POWERTOOLS_SERVICE_NAME: 'chime-flow-moderation',
  POWERTOOLS_METRICS_NAMESPACE: 'ChimeFlowModeration',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  CURSOR_SECRET: 'b'.repeat(64),
  JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench',
  JWT_AUDIENCE: 'bench-client',
  CONSOLE_OIDC_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench',
  CONSOLE_OIDC_CLIENT_ID: 'bench-client',
  CONSOLE_OIDC_AUTHORIZATION_ENDPOINT: 'https://bench.auth.us-east-1.amazoncognito.com/oauth2/authorize',
  CONSOLE_OIDC_TOKEN_ENDPOINT: 'https://bench.auth.us-east-1.amazoncognito.com/oauth2/token',
  CONSOLE_OIDC_LOGOUT_ENDPOINT: 'https://bench.auth.us-east-1.amazoncognito.com/logout',
  CONSOLE_OIDC_LOGOUT_PARAMETER: 'logout_uri',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The SDK clients a bundle may carry: the package that defines each, and its class (kept by keepNames). */
const SDK_CLIENTS: Array<{ pkg: string; className: string; label: string }> = [
  { pkg: '@aws-sdk/client-dynamodb', className: 'DynamoDBClient', label: 'DynamoDB' },
  { pkg: '@aws-sdk/lib-dynamodb', className: 'DynamoDBDocumentClient', label: 'DynamoDB documents' },
  { pkg: '@aws-sdk/client-sqs', className: 'SQSClient', label: 'SQS' },
  { pkg: '@aws-sdk/client-chime-sdk-messaging', className: 'ChimeSDKMessagingClient', label: 'Chime' },
];

export interface Spread {
  median: number;
  min: number;
  max: number;
  p25: number;
  p75: number;
}

export interface BundleFigures {
  /** serverless.yml's function key. */
  name: string;
  /** The code file (functions/<name>/index.mjs) in bytes: the goal is ≤ 500 KB. */
  codeBytes: number;
  /** Its source map, a separate file next to it (0 when there is none). */
  mapBytes: number;
  /** True when the code file carries its source map inline (the goal is that it does not). */
  inlineSourceMap: boolean;
  /** The OpenAPI document built while packaging, beside the code (the review API's; 0 when there is none): data, read on the first GET /openapi.json. */
  documentBytes: number;
  /** Fresh-process import, wall clock (goal: median ≤ 60 ms), and the CPU time it took. */
  importMs: Spread;
  importCpuMs: Spread;
  /** SDK clients in the bundle. */
  sdkClients: string[];
  /** Whether the bundle carries a YAML parser or zod's classic API (from the build's metafile). */
  carries: { yaml: boolean; zodClassic: boolean };
  /** The heaviest packages in the code file (bytes), when built here. */
  heaviest: Array<[string, number]>;
}

export interface BundlesBench {
  source: 'built' | 'packaged';
  runs: number;
  functions: BundleFigures[];
  /** Importing an empty module the same way, in the same run: the floor of this machine right now. */
  emptyImportMs: Spread;
  loadAverage: number;
  cpus: number;
}

/** Copies what a function's package patterns add (`dir/**` patterns; the only kind serverless.yml uses). */
function copyPatterns(patterns: string[], into: string): void {
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    const dir = pattern.replace(/\/\*\*$/, '');
    if (dir === pattern) throw new Error(`bench/bundles.ts copies only 'dir/**' patterns, not ${pattern}`);
    if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(into, dir), { recursive: true });
  }
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : input.split('/').slice(0, 2).join('/');
}

interface Built {
  fn: FunctionEntry;
  root: string;
  codeFile: string;
  metafile?: Metafile;
}

async function buildAll(fns: FunctionEntry[], into: string, yml: ServerlessYml): Promise<Built[]> {
  const options = serverlessEsbuildOptions({ yml });
  const extension = outputExtension(yml);
  const built: Built[] = [];
  for (const fn of fns) {
    const root = join(into, fn.name);
    const result = await build({ ...options, entryPoints: [fn.entry], outdir: join(root, dirname(fn.entry)), metafile: true, logLevel: 'error' });
    copyPatterns(fn.patterns, root);
    built.push({ fn, root, codeFile: join(root, fn.entry.replace(/\.[^.]+$/, extension)), metafile: result.metafile });
  }
  return built;
}

function unpackAll(fns: FunctionEntry[], from: string, into: string, yml: ServerlessYml): Built[] {
  const extension = outputExtension(yml);
  return fns.map((fn) => {
    const root = join(into, fn.name);
    mkdirSync(root, { recursive: true });
    execFileSync('unzip', ['-q', join(resolve(ROOT, from), `${fn.name}.zip`), '-d', root]);
    return { fn, root, codeFile: join(root, fn.entry.replace(/\.[^.]+$/, extension)) };
  });
}

/** One fresh process importing `file`: [wall ms, cpu ms] of the import itself. */
function importOnce(file: string, cwd: string): [number, number] {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(c); console.log(JSON.stringify([performance.now() - t, (u.user + u.system) / 1000]));`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...FUNCTION_ENV, LAMBDA_TASK_ROOT: cwd };
  const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`Importing ${file} failed: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as [number, number];
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  return { median: at(0.5), min: sorted[0]!, max: sorted.at(-1)!, p25: at(0.25), p75: at(0.75) };
}

export async function benchBundles(options: { runs?: number; from?: string } = {}): Promise<BundlesBench> {
  const runs = options.runs ?? Number(process.env.BENCH_BUNDLE_RUNS || 15);
  const from = options.from ?? process.env.BENCH_BUNDLES_FROM;
  const yml = readServerlessYml();
  const fns = functionEntries(yml);
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const built = from ? unpackAll(fns, from, dir, yml) : await buildAll(fns, dir, yml);
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, '');
    const wall = new Map<string, number[]>(built.map((b) => [b.fn.name, []]));
    const cpu = new Map<string, number[]>(built.map((b) => [b.fn.name, []]));
    const emptyWall: number[] = [];
    // Interleaved: run i of every function, then run i + 1.
    for (let i = 0; i < runs; i++) {
      emptyWall.push(importOnce(empty, dir)[0]);
      for (const b of built) {
        const [w, c] = importOnce(b.codeFile, b.root);
        wall.get(b.fn.name)!.push(w);
        cpu.get(b.fn.name)!.push(c);
      }
    }
    const functions = built.map((b): BundleFigures => {
      const code = readFileSync(b.codeFile);
      const tail = code.subarray(Math.max(0, code.length - 200_000)).toString('utf8');
      const mapFile = `${b.codeFile}.map`;
      const documentFile = b.codeFile.replace(/\.[^./]+$/, '.openapi.json');
      const output = b.metafile ? Object.values(b.metafile.outputs).find((o) => o.entryPoint !== undefined) : undefined;
      const byPackage = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
        byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
      }
      const inputs = output ? Object.keys(output.inputs) : [];
      // Built: from the metafile. Packaged: by the client classes' names, which keepNames keeps.
      const text = output ? '' : code.toString('utf8');
      const sdkClients = SDK_CLIENTS.filter(({ pkg, className }) => (output ? byPackage.has(pkg) : text.includes(`"${className}"`))).map(({ label }) => label);
      return {
        name: b.fn.name,
        codeBytes: code.length,
        mapBytes: existsSync(mapFile) ? statSync(mapFile).size : 0,
        inlineSourceMap: /\/\/# sourceMappingURL=data:/.test(tail),
        documentBytes: existsSync(documentFile) ? statSync(documentFile).size : 0,
        importMs: spread(wall.get(b.fn.name)!),
        importCpuMs: spread(cpu.get(b.fn.name)!),
        sdkClients,
        carries: {
          yaml: inputs.some((i) => i.includes('node_modules/yaml/')),
          zodClassic: inputs.some((i) => i.includes('node_modules/zod/v4/classic/')),
        },
        heaviest: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 4),
      };
    });
    return { source: from ? 'packaged' : 'built', runs, functions, emptyImportMs: spread(emptyWall), loadAverage: loadavg()[0]!, cpus: cpus().length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const KB = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => value.toFixed(0);

export function printBundlesBench(result: BundlesBench): void {
  const goal = (ok: boolean) => (ok ? 'meets the goal' : 'MISSES the goal');
  console.log(`  ${result.source === 'built' ? 'built with serverless.yml\'s esbuild settings' : 'the packaged zips in .serverless/'}; ${result.runs} fresh \`node --enable-source-maps\` imports per function, interleaved`);
  const row = (cells: string[]) => `  ${cells[0]!.padEnd(17)}${cells[1]!.padStart(8)}${cells[2]!.padStart(8)}${cells[3]!.padStart(12)}   ${cells[4]!.padEnd(26)}${cells[5]!.padStart(8)}   ${cells[6]}`;
  console.log(row(['function', 'code', 'map', 'import p50', 'spread: min–max (p25–p75)', 'cpu p50', 'SDK clients']));
  for (const f of result.functions) {
    const wall = f.importMs;
    console.log(
      row([
        f.name,
        KB(f.codeBytes),
        KB(f.mapBytes),
        `${ms(wall.median)} ms`,
        `${ms(wall.min)}–${ms(wall.max)} (${ms(wall.p25)}–${ms(wall.p75)}) ms`,
        `${ms(f.importCpuMs.median)} ms`,
        f.sdkClients.join(', ') || 'none',
      ]),
    );
  }
  for (const f of result.functions) {
    const notes = [
      f.inlineSourceMap ? 'source map INLINE in the code file' : f.mapBytes > 0 ? 'source map in its own .map file' : 'no source map',
      ...(f.documentBytes > 0 ? [`its OpenAPI document beside it (${KB(f.documentBytes)}, read on the first GET /openapi.json)`] : []),
      ...(f.heaviest.length ? [`heaviest: ${f.heaviest.map(([pkg, bytes]) => `${pkg} ${KB(bytes)}`).join(', ')}`] : []),
      ...(f.carries.yaml ? ['carries a YAML parser'] : []),
      ...(f.carries.zodClassic ? ['zod classic'] : []),
    ];
    console.log(`  ${f.name.padEnd(17)} ${notes.join('; ')}`);
  }
  const largest = Math.max(...result.functions.map((f) => f.codeBytes));
  const slowest = Math.max(...result.functions.map((f) => f.importMs.median));
  console.log(`  largest code file   ${KB(largest)}   (goal ≤ 500 KB: ${goal(largest <= 500 * 1024)})`);
  console.log(`  slowest import p50  ${ms(slowest)} ms   (goal ≤ 60 ms: ${goal(slowest <= 60)})`);
  console.log(
    `  for scale: an empty module imports in p50 ${ms(result.emptyImportMs.median)} ms (${ms(result.emptyImportMs.min)}–${ms(result.emptyImportMs.max)}) the same way; load average ${result.loadAverage.toFixed(1)} on ${result.cpus} CPUs (a shared machine reads pessimistic)`,
  );
}

if (isRunDirectly(import.meta.url)) {
  printBundlesBench(await benchBundles());
}
