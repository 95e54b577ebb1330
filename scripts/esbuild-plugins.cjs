/**
 * esbuild plugins of the Lambda bundles: serverless.yml's custom.esbuild.plugins names this file
 * (serverless-esbuild requires it while packaging), and bench/bundles.ts builds with the same list.
 * CommonJS because serverless-esbuild loads it with require().
 *
 * packaged-policy-files: the worker and the review API read POLICY_FILE (by default
 * policy/default.yaml) at cold start. A bundle carries no YAML parser: this plugin parses every
 * .yaml/.yml file under policy/ while bundling, with the `yaml` package and the same default
 * options src/policy/load.ts uses, and puts the results in the bundle in place of
 * src/policy/packaged-files.ts (empty in the source), keyed by the SHA-256 of the file's text.
 * src/policy/packaged.ts looks a file up by the same key when the function reads it. A file that
 * does not parse is recorded with the parser's message, so the function fails at cold start with
 * exactly the message it would have given; the build itself never fails on a policy file.
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
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
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

module.exports = Object.assign([packagedPolicyFiles(POLICY_DIR), dependencyFreeSourceMaps], {
  // For test/unit/esbuild-plugins.test.ts.
  packagedPolicyFiles,
  dependencyFreeSourceMaps,
  withoutDependencyMappings,
});
