import { defineConfig } from 'vitest/config';

// The browser test (npm run test:e2e): the product started as a user starts it, driven by headless Chromium.
// Kept out of `npm test`: it needs /usr/bin/chromium and the fixed emulator port 9229.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One product on the fixed port 9229 at a time.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
