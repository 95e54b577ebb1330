import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The moderator console: a Preact app served under /console/ by the review API's HTTP API (and
 * locally by `npm start`). `npm run build:console` writes console/dist; hashed files go to
 * dist/assets/, which the console function serves as immutable.
 *
 * `npm run dev:console` runs vite's dev server with the API proxied to a running `npm start`.
 */
const api = `http://127.0.0.1:${process.env.API_PORT || 3000}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // The first-load budget is 150 KB of gzipped JavaScript; `npm run bench` prints the figure.
    chunkSizeWarningLimit: 150,
    reportCompressedSize: false,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/reviews', '/decisions', '/stats', '/me', '/policies', '/messages', '/reports', '/cases', '/appeals', '/senders', '/approvals', '/canned-reasons', '/openapi.json', '/_local', '/console/config.json'].map((p) => [p, api])),
  },
});
