/**
 * The policy files compiled to JSON when the Lambda bundles are built, keyed by the SHA-256 (hex)
 * of the file's UTF-8 text (src/policy/packaged.ts looks them up).
 *
 * Empty here, in the source: `npm start`, the tests and the CLI parse YAML themselves
 * (src/policy/load.ts). In a bundle, the esbuild plugin in scripts/esbuild-plugins.cjs replaces
 * this module with every .yaml and .yml file under the repository's policy/ folder: the files the
 * worker's and the policy API's package patterns (`policy/**`) put in their zips.
 */
export type PackagedPolicyFile =
  /** The document, as JSON text (what `yaml`'s parse returned). */
  | { json: string }
  /** The file is not valid YAML: the parser's message, as it would have said it at cold start. */
  | { yamlError: string }
  /** The YAML holds values JSON cannot carry (`.inf`, `.nan`, -0, binary …): why. */
  | { unsupported: string };

export const PACKAGED_POLICY_FILES: Readonly<Record<string, PackagedPolicyFile>> = {};
