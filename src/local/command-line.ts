import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The local tools' command lines (token, clean-local, backfill): strict parsing; a wrong flag
 * prints what was wrong and the usage and exits 2; `--help` (declare it) prints the usage and exits 0.
 */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs<T>({ strict: true, ...config });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}
