import { defineConfig } from 'vitest/config';

/**
 * `npm run test:long`: the tests too long for `npm test`'s five-minute budget on two cores,
 * run by CI on every build, each a bigger run of a test `npm test` also runs:
 *   - 10,000 claim/extend/release cycles on one item, then its decision (npm test: 1,000);
 *   - the chaos test with 4,000 messages under every fault at once (npm test: 1,000).
 */
export default defineConfig({
  test: {
    include: ['test/integration/item-bounds.test.ts', 'test/e2e/chaos.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/long-results.json' }]] : ['default'],
    env: {
      ITEM_BOUNDS_CYCLES: '10000',
      CHAOS_MESSAGES: '4000',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
