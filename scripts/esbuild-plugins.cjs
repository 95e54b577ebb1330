/**
 * esbuild plugins of the Lambda bundles: serverless.yml's custom.esbuild.plugins names this file
 * (serverless-esbuild requires it while packaging), and bench/bundles.ts builds with the same list.
 * CommonJS because serverless-esbuild loads it with require().
 *
 * packaged-policy-files: the worker and the policy API read POLICY_FILE (by default
 * policy/default.yaml) at cold start. A bundle carries no YAML parser: this plugin parses every
 * .yaml/.yml file under policy/ while bundling, with the `yaml` package and the same default
 * options src/policy/load.ts uses, and puts the results in the bundle in place of
 * src/policy/packaged-files.ts (empty in the source), keyed by the SHA-256 of the file's text.
 * src/policy/packaged.ts looks a file up by the same key when the function reads it. A file that
 * does not parse is recorded with the parser's message, so the function fails at cold start with
 * exactly the message it would have given; the build itself never fails on a policy file.
 *
 * packaged-api-document: the review API serves the HTTP API's OpenAPI document at GET
 * /openapi.json, built from both API functions' route tables by src/api/document.ts. In a
 * bundle that imports that module, this plugin builds the document while bundling, with that same
 * module (bundled on its own and run in a child Node process), writes it beside the bundle's code
 * as `<entry>.openapi.json` (functions/review-api/index.openapi.json: serverless-esbuild puts the
 * files named after a function's bundle in that function's zip only, as it does the .map), and
 * puts in place of the module one that reads that file on first use. So the review API's bundle
 * carries neither the policy API's routes nor zod's JSON Schema code, and no cold start builds
 * the document. A document that cannot be built fails the build.
 *
 * dependency-free-source-maps: Lambda runs the bundles with --enable-source-maps (serverless.yml's
 * NODE_OPTIONS), and Node reads and parses a bundle's whole .map when it imports the bundle: for
 * the worker that was about a fifth of its cold-start import (`npm run bench`, "Lambda bundles").
 * Nine tenths of a map describe dependencies (the AWS SDK, zod, Powertools …). This plugin keeps
 * every mapping of our own code (src/, functions/), so their stack frames name our files and
 * lines as before, and replaces each stretch of dependency code with one "unmapped" mark (a
 * segment without a source, as the source map format allows): a frame inside a dependency shows
 * its place in the bundle (index.mjs:line:column) and its function name, as it would without a
 * map, instead of a file and line of node_modules. The code is the same either way, so a full map
 * of the same commit (BUNDLE_FULL_SOURCE_MAPS=1 npm run package) decodes any deployed position.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { parse } = require('yaml');

const serviceDir = join(__dirname, '..');
const POLICY_DIR = join(serviceDir, 'policy');
const PACKAGED_FILES_MODULE = /[\\/]src[\\/]policy[\\/]packaged-files\.ts$/;

/** Every .yaml/.yml file under `dir`, recursively (none when it does not exist). */
function yamlFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((entry) => (entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : /\.ya?ml$/i.test(entry.name) ? [join(dir, entry.name)] : []))
    .sort();
}

/** The same key as src/policy/packaged.ts's policyTextKey. */
const textKey = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

function compile(text) {
  let document;
  try {
    document = parse(text);
  } catch (error) {
    return { yamlError: error.message };
  }
  const json = JSON.stringify(document ?? null);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), document ?? null)) {
    return { unsupported: 'it holds YAML values JSON cannot carry (.inf, .nan, -0, binary, dates …)' };
  }
  return { json };
}

/** The plugin, for the policy files under `policyDir` (the repository's policy/ in the bundles). */
function packagedPolicyFiles(policyDir) {
  return {
    name: 'packaged-policy-files',
    setup(build) {
      build.onLoad({ filter: PACKAGED_FILES_MODULE }, () => {
        const files = yamlFiles(policyDir);
        const compiled = {};
        for (const file of files) {
          const text = readFileSync(file, 'utf8');
          compiled[textKey(text)] = compile(text);
        }
        return {
          contents: `export const PACKAGED_POLICY_FILES = ${JSON.stringify(compiled)};\n`,
          loader: 'js',
          watchFiles: files,
          watchDirs: [policyDir],
        };
      });
    },
  };
}

const API_DOCUMENT_MODULE = /[\\/]src[\\/]api[\\/]document\.ts$/;

/** The module that stands in for src/api/document.ts in a bundle: the packaged document, read once. */
const PACKAGED_API_DOCUMENT_MODULE = `import { readFileSync } from 'node:fs';
let document;
export function apiDocument() {
  return (document ??= JSON.parse(readFileSync(new URL(import.meta.url.replace(/\\.[^./]*$/, '.openapi.json')), 'utf8')));
}
`;

/** The document as src/api/document.ts builds it: that module bundled alone and run by Node. */
async function buildApiDocument(esbuild, modulePath) {
  const dir = mkdtempSync(join(tmpdir(), 'api-document-'));
  try {
    const program = join(dir, 'print-api-document.mjs');
    await esbuild.build({
      stdin: {
        contents: `import { apiDocument } from ${JSON.stringify(modulePath)};\nprocess.stdout.write(JSON.stringify(apiDocument()));\n`,
        resolveDir: serviceDir,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: program,
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cfmCreateRequire } from 'node:module'; const require = __cfmCreateRequire(import.meta.url);" },
    });
    return execFileSync(process.execPath, [program], { cwd: serviceDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packagedApiDocument = {
  name: 'packaged-api-document',
  setup(build) {
    let document;
    build.initialOptions.metafile = true;
    build.onStart(() => {
      document = undefined;
    });
    build.onLoad({ filter: API_DOCUMENT_MODULE }, async (args) => {
      document = await buildApiDocument(build.esbuild, args.path);
      return { contents: PACKAGED_API_DOCUMENT_MODULE, loader: 'js' };
    });
    build.onEnd((result) => {
      if (document === undefined || result.errors.length > 0 || !result.metafile) return;
      const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
      for (const [output, { entryPoint }] of Object.entries(result.metafile.outputs)) {
        if (entryPoint !== undefined && !output.endsWith('.map')) writeFileSync(resolve(workingDir, output.replace(/\.[^./]*$/, '.openapi.json')), document);
      }
    });
  },
};

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = Object.fromEntries([...BASE64].map((char, i) => [char, i]));

/** Base64 VLQ (the source map format): one segment's fields. */
function decodeSegment(text) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64_VALUE[char];
    if (digit === undefined) throw new Error(`Not a source map segment: ${text}`);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

function encodeValue(number) {
  let value = number < 0 ? (-number << 1) | 1 : number << 1;
  let out = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value > 0) digit |= 32;
    out += BASE64[digit];
  } while (value > 0);
  return out;
}

/** The map with our own mappings kept and each run of dependency mappings made one unmapped mark. */
function withoutDependencyMappings(map) {
  const isOurs = map.sources.map((source) => !/(^|[\\/])node_modules[\\/]/.test(source));
  const sources = [];
  const sourceIndex = new Map();
  const names = [];
  const nameIndex = new Map();
  const keep = (list, index, value) => {
    if (!index.has(value)) index.set(value, list.push(value) - 1);
    return index.get(value);
  };
  // Absolute values while decoding; deltas (against what was written) while encoding.
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  const written = { source: 0, line: 0, column: 0, name: 0 };
  let unmapped = false;
  const lines = map.mappings.split(';').map((text) => {
    let generatedColumn = 0;
    let previousColumn = 0;
    const out = [];
    for (const segment of text.split(',')) {
      if (segment === '') continue;
      const fields = decodeSegment(segment);
      generatedColumn += fields[0];
      if (fields.length === 1) continue;
      source += fields[1];
      line += fields[2];
      column += fields[3];
      if (fields.length > 4) name += fields[4];
      if (!isOurs[source]) {
        if (!unmapped) out.push(encodeValue(generatedColumn - previousColumn));
        else continue;
        previousColumn = generatedColumn;
        unmapped = true;
        continue;
      }
      unmapped = false;
      const newSource = keep(sources, sourceIndex, map.sources[source]);
      let encoded =
        encodeValue(generatedColumn - previousColumn) +
        encodeValue(newSource - written.source) +
        encodeValue(line - written.line) +
        encodeValue(column - written.column);
      written.source = newSource;
      written.line = line;
      written.column = column;
      if (fields.length > 4) {
        const newName = keep(names, nameIndex, map.names[name]);
        encoded += encodeValue(newName - written.name);
        written.name = newName;
      }
      previousColumn = generatedColumn;
      out.push(encoded);
    }
    return out.join(',');
  });
  const { sourcesContent: _contents, ...rest } = map;
  return { ...rest, sources, names, mappings: lines.join(';') };
}

const dependencyFreeSourceMaps = {
  name: 'dependency-free-source-maps',
  setup(build) {
    if (process.env.BUNDLE_FULL_SOURCE_MAPS === '1') return;
    // The output files are listed in the metafile (serverless-esbuild does not write this one out).
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      if (result.errors.length > 0 || !result.metafile) return;
      const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
      for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.map'))) {
        const file = resolve(workingDir, output);
        const map = JSON.parse(readFileSync(file, 'utf8'));
        writeFileSync(file, JSON.stringify(withoutDependencyMappings(map)));
      }
    });
  },
};

module.exports = Object.assign([packagedPolicyFiles(POLICY_DIR), packagedApiDocument, dependencyFreeSourceMaps], {
  // For test/unit/bundle-plugins.test.ts.
  packagedPolicyFiles,
  packagedApiDocument,
  dependencyFreeSourceMaps,
  withoutDependencyMappings,
});
