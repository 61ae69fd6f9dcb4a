import type { JobDefinition } from './types.js';

/**
 * `deadline-rebuild` (docs/rules/deadlines.md §5): published from the outbox row written with each
 * calendar version bump. The ledger is `case_deadlines.calendar_version`, so a rerun (or
 * a job for an older version) finds nothing left to do.
 */
export const deadlineRebuildJob: JobDefinition<'deadline-rebuild'> = {
  name: 'deadline-rebuild',
  async process(data, ctx) {
    return ctx.services.deadlines.rebuild(data.calendarVersion);
  },
};
