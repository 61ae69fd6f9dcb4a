import { jobIds, type QueueBackend } from '../queues.js';
import type { JobDefinition } from './types.js';

/**
 * Queues `deadline-notify` for a pending row under jobId `dl-{id}`. A custom id only
 * deduplicates while the earlier job exists (reliability §3), and a finished one would
 * swallow the re-add, so a completed or failed job is removed first: the ledger row, not
 * the job, decides whether anything is sent.
 */
export async function enqueueNotify(queues: QueueBackend, notificationId: string) {
  const queue = queues.queue('deadline-notify');
  const jobId = jobIds.deadlineNotify(notificationId);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return false;
    await existing.remove();
  }
  await queue.add('deadline-notify', { notificationId }, { jobId });
  return true;
}

/**
 * `sla-scan` (docs/rules/deadlines.md §6), every 15 minutes: stores the current stage of every
 * running deadline and, between 09:00 and 17:00 London time on working days, queues the
 * pending ones. A lost run heals on the next.
 */
export const slaScanJob: JobDefinition<'sla-scan'> = {
  name: 'sla-scan',
  async process(_data, ctx) {
    const result = await ctx.services.deadlines.scan();
    let queued = 0;
    for (const id of result.toSend) if (await enqueueNotify(ctx.queues, id)) queued += 1;
    return { inserted: result.inserted, queued, inHours: result.inHours };
  },
};
