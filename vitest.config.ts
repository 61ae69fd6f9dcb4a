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
    // expect.poll waits for work done by workers and the outbox relay; its 1 s default is
    // shorter than a loaded CI machine takes to run a job. A wait budget, not a timed assertion.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    env: { NODE_ENV: 'test' },
    // postgres.js 3.4.9 throws from a deferred write after a connection closed under it
    // (porsager/postgres 1154, 1208; see guardDriverWriteAfterClose in db/client.ts, which
    // the real processes install). The fault tests cut connections on purpose: that one
    // error is not the test's failure. Every other uncaught error still fails the run.
    onUnhandledError: (error) =>
      !(
        /reading 'write'/.test(error.message ?? '') &&
        /nextWrite[\s\S]*postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
      ),
  },
});
