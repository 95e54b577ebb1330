import { defineConfig } from 'vitest/config';

/**
 * `npm run test:long`: the tests too long for `npm test`'s five-minute budget on two cores,
 * run by CI on every build. Today one: 10,000 claim/extend/release cycles on one item, then its
 * decision (`npm test` runs the same test with 1,000 cycles).
 */
export default defineConfig({
  test: {
    include: ['test/integration/item-bounds.test.ts'],
    testNamePattern: 'claim/extend/release cycles',
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/long-results.json' }]] : ['default'],
    env: {
      ITEM_BOUNDS_CYCLES: '10000',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
