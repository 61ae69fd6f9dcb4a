import { defineConfig } from 'vitest/config';

// The slow fault tests (Redis down for 15 s, soak-like bursts) run in `npm run test:faults`.
const exclude = ['**/node_modules/**', 'test/faults/**/*.slow.test.ts'];

/**
 * Files that start and kill processes, servers or Redis of their own, or make the database
 * hang: each keeps a fresh worker process, so nothing they leave behind meets the next file.
 */
const ownProcess = [
  'test/faults/**/*.test.ts',
  'test/platform/**/*.test.ts',
  'test/ops/**/*.test.ts',
  'test/surveys/crash-*.test.ts',
  'test/surveys/fanout-resume.test.ts',
  'test/security/first-admin.test.ts',
];

export default defineConfig({
  test: {
    // include and exclude are the projects' (below): a project's lists would add to these.
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
    projects: [
      { extends: true, test: { name: 'own-process', include: ownProcess, exclude } },
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...exclude, ...ownProcess],
          // The other files reuse a worker's loaded modules instead of importing the whole
          // app again per file (about 1.5 s of CPU each). What isolation guarded is per file
          // anyway: each file builds its own app, database and queue prefix in its hooks and
          // closes them after; the app's module-level state is caches of immutable data (the
          // deny-list, bank holidays, date tables); no file mocks modules or stubs globals, and
          // the one fake timer (performance, in shared-rechecks) is put back after each test.
          isolate: false,
        },
      },
    ],
  },
});
