import type { JobDefinition } from './types.js';

/**
 * Retired (complaint reminders ride the clock's `sla-scan` and `deadline-notify`): a job the
 * earlier release's scheduler left behind does nothing, and the scheduler is removed.
 */
export const complaintScanJob: JobDefinition<'complaint-scan'> = {
  name: 'complaint-scan',
  async process() {
    return { retired: true };
  },
};

export const complaintWindowCloseJob: JobDefinition<'complaint-window-close'> = {
  name: 'complaint-window-close',
  async process(_data, ctx) {
    return ctx.services.complaints.reminders.closeWindows();
  },
};

/** `complaint-justified-reads` (§4), Monday mornings: the week's ledger row makes it once. */
export const justifiedReadsJob: JobDefinition<'complaint-justified-reads'> = {
  name: 'complaint-justified-reads',
  async process(_data, ctx) {
    return ctx.services.complaints.justifiedReads.sendWeekly();
  },
};

export const retentionSweepJob: JobDefinition<'retention-sweep'> = {
  name: 'retention-sweep',
  async process(_data, ctx) {
    return ctx.services.complaints.retention.sweep();
  },
};
