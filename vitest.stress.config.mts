import { defineConfig } from 'vitest/config';

/**
 * `npm run test:stress`: load against a real cognito-local and a fuzz run, on both runtimes. One file at a time (the
 * figures are measured), in forked workers started with --expose-gc so memory is measured after a collection.
 */
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
    maxWorkers: 1,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  },
});
