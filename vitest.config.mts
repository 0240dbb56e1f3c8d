import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The examples import the package by name; in the repository's own tests that name is the entry's source.
  resolve: { alias: { 'cognito-bff/cdk': fileURLToPath(new URL('./infra/lib/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/stress/**', 'node_modules/**'],
    // Bounds for a hung test, not speed checks: generous, so that a busy machine (2 cores shared by many) slows the
    // suite down without failing it. Speed is measured in `npm run bench`.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: integration files each start their own cognito-local; keep parallelism modest.
    maxWorkers: 2,
    // The AWS SDK's own switch for its Node-version notice (it would print once per worker that loads the SDK: the
    // bootstrap of the local stack). Tests that spawn a process with an environment of their own pass it on (test/support/quiet-env.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  },
});
