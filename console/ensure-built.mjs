#!/usr/bin/env node
/**
 * Builds the moderator console (console/dist) when it is missing or older than its sources.
 * Runs from `npm install` (prepare), `npm start` (prestart) and `npm run test:browser`, so a
 * fresh machine needs no extra command. `--if-possible`: skip quietly when vite is not
 * installed (an install without dev dependencies), instead of failing the install.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, 'dist', 'index.html');
const inputs = [join(here, 'src'), join(here, 'index.html'), join(here, 'vite.config.ts'), join(here, '..', 'src', 'console-host', 'config-document.ts')];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(...inputs.map(newest));
if (builtAt >= sourcesAt) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch (error) {
  if (process.argv.includes('--if-possible')) {
    console.warn('moderator console: vite is not installed (no dev dependencies?); not building console/dist.');
    process.exit(0);
  }
  throw error;
}
console.log(builtAt ? 'moderator console: sources changed; rebuilding console/dist…' : 'moderator console: building console/dist…');
await vite.build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });
console.log('moderator console: built.');
