import { jobIds } from '../queues.js';
import type { JobDefinition } from './types.js';

/** A freed place goes to the next person waiting (docs/rules/surgeries.md §7). */
export const waitlistOfferJob: JobDefinition<'waitlist-offer'> = {
  name: 'waitlist-offer',
  async process(data, ctx) {
    return ctx.services.surgeries.waitlist.offer(data.surgeryId, data.slotId);
  },
};

/** Every minute: lapsed holds expire (and their places are offered again). */
export const surgeryHoldSweepJob: JobDefinition<'surgery-hold-sweep'> = {
  name: 'surgery-hold-sweep',
  async process(_data, ctx) {
    return ctx.services.surgeries.waitlist.sweepHolds();
  },
};

/** Every 5 minutes: one `surgery-reminder` per due booking; the jobId makes repeats no-ops. */
export const surgeryReminderSweepJob: JobDefinition<'surgery-reminder-sweep'> = {
  name: 'surgery-reminder-sweep',
  async process(_data, ctx) {
    const due = await ctx.services.surgeries.reminders.due();
    for (const bookingId of due)
      await ctx.queues.add(
        'surgery-reminder',
        { bookingId },
        { jobId: jobIds.surgeryReminder(bookingId) },
      );
    return { queued: due.length };
  },
};

/** Sends one reminder, re-checked under the booking's row lock. */
export const surgeryReminderJob: JobDefinition<'surgery-reminder'> = {
  name: 'surgery-reminder',
  async process(data, ctx) {
    return ctx.services.surgeries.reminders.send(data.bookingId);
  },
};

/** Nightly: access needs go 30 days after a surgery, personal details 12 months after (§8). */
export const surgeryRetentionSweepJob: JobDefinition<'surgery-retention-sweep'> = {
  name: 'surgery-retention-sweep',
  async process(_data, ctx) {
    return ctx.services.surgeries.retention.sweep();
  },
};
