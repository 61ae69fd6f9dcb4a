import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The slow fault tests (Redis down for 15 s, soak-like bursts) run in `npm run test:faults`.
    exclude: ['**/node_modules/**', 'test/faults/**/*.slow.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each file gets its own database and queue prefix, so files run in parallel safely.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: 'test' },
  },
});
