import { jobIds, type QueueBackend } from '../queues.js';
import type { JobDefinition } from './types.js';

/**
 * Queues `complaint-notify` for a pending reminder under jobId `cn-{id}`. A finished job
 * would swallow a re-add of the same id, so it is removed first: the reminder row, not
 * the job, decides whether anything is sent (as `deadline-notify` does).
 */
export async function enqueueComplaintNotify(queues: QueueBackend, reminderId: string) {
  const queue = queues.queue('complaint-notify');
  const jobId = jobIds.complaintNotify(reminderId);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return false;
    await existing.remove();
  }
  await queue.add('complaint-notify', { reminderId }, { jobId });
  return true;
}

/** `complaint-scan` (§3.2), every 15 minutes: stages stored, pending ones queued in working hours. */
export const complaintScanJob: JobDefinition<'complaint-scan'> = {
  name: 'complaint-scan',
  async process(_data, ctx) {
    const result = await ctx.services.complaints.reminders.scan();
    let queued = 0;
    for (const id of result.toSend) if (await enqueueComplaintNotify(ctx.queues, id)) queued += 1;
    return { inserted: result.inserted, queued, inHours: result.inHours, rebuilt: result.rebuilt };
  },
};

/** `complaint-notify`: the reminder row is the ledger (locked, re-checked, sent once). */
export const complaintNotifyJob: JobDefinition<'complaint-notify'> = {
  name: 'complaint-notify',
  async process(data, ctx) {
    return ctx.services.complaints.reminders.notify(data.reminderId);
  },
};

export const complaintWindowCloseJob: JobDefinition<'complaint-window-close'> = {
  name: 'complaint-window-close',
  async process(_data, ctx) {
    return ctx.services.complaints.reminders.closeWindows();
  },
};

export const retentionSweepJob: JobDefinition<'retention-sweep'> = {
  name: 'retention-sweep',
  async process(_data, ctx) {
    return ctx.services.complaints.retention.sweep();
  },
};
