import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the moderator console in a real browser (Debian's Chromium through
 * playwright-core). Separate from `npm test`, which must not need a browser. One file at a time:
 * each starts a local stack and a Chromium, and the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/browser-results.json' }]] : ['default'],
    env: {
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
