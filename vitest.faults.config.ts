import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:faults`: the fault-injection suite of docs/rules/reliability.md §9, every file of
 * test/faults including the slow ones (`*.slow.test.ts`) that `npm test` leaves out.
 * One file at a time: each kills and restarts processes and would starve a neighbour.
 * (Not mergeConfig: it would append to the base include and exclude lists.)
 */
export default defineConfig({
  test: {
    ...base.test,
    // npm test's split into projects (vitest.config.ts) is not for these: every file here
    // runs in a fresh worker, as the fault tests need.
    projects: undefined,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    fileParallelism: false,
  },
});
