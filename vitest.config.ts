import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and end-to-end tests start in-process servers on ephemeral ports;
    // two cores is all CI has, so keep the pool small and the timeouts generous.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // In CI a JSON report too, from which .ci/run prints the plain "N passed, N failed" line.
    // CI's JSON report; another run of this config (the DynamoDB Local pass) names its own file.
    reporters: process.env.CI ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT ?? '.ci/test-results.json' }]] : ['default'],
    env: {
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Node 20 here; the Lambda runtime is nodejs22.x. The SDK's reminder is noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
