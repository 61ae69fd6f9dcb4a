import { STALE_SCAN_AFTER_MS } from '../../server/attachments/scan.js';
import { jobIds } from '../queues.js';
import type { JobDefinition } from './types.js';

/** How often the sweep runs, and the width of its attempt window. */
export const SCAN_SWEEP_EVERY_MS = 15 * 60_000;

/** States in which a re-scan job is still going to run (or running): not queued again. */
const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * `scan-sweep`, every 15 minutes where CLAMD_URL is set (security §5). A scan job that used
 * up its retries (clamd down for longer than its backoff) leaves the file `pending`, held
 * forever: the outbox reconcile does not help, the failed `outbox-<id>` job still exists. So
 * every file pending for more than 30 minutes, case attachment or disclosure document, gets
 * an `attachment-scan` job again under `rescan-<kind>-<file>-w<window>`: the window is the
 * 15-minute slot the sweep ran in, so two sweeps in one slot (two workers, a restart) add
 * one job, and a file still pending next slot gets one fresh attempt then. A re-scan from the
 * previous slot that is still waiting or retrying is left alone, so a file never has two
 * sweep jobs in flight. The job re-reads the row and does nothing once the file has a verdict.
 */
export const scanSweepJob: JobDefinition<'scan-sweep'> = {
  name: 'scan-sweep',
  async process(_data, ctx) {
    const now = ctx.clock.now();
    const stale = await ctx.services.attachmentScan.stalePending(
      new Date(now.getTime() - STALE_SCAN_AFTER_MS),
    );
    const window = Math.floor(now.getTime() / SCAN_SWEEP_EVERY_MS);
    const queue = ctx.queues.queue('attachment-scan');
    const requeue: typeof stale = [];
    for (const file of stale) {
      // Already queued in this window (whatever became of it): BullMQ would ignore the id.
      if (await queue.getJob(jobIds.rescan(file.kind, file.id, window))) continue;
      const previous = await queue.getJob(jobIds.rescan(file.kind, file.id, window - 1));
      if (previous && LIVE.has(await previous.getState())) continue;
      requeue.push(file);
    }
    if (requeue.length > 0) {
      await queue.addBulk(
        requeue.map((file) => ({
          name: 'attachment-scan' as const,
          data: { attachmentId: file.id, kind: file.kind },
          opts: { jobId: jobIds.rescan(file.kind, file.id, window) },
        })),
      );
      ctx.log(`scan-sweep: re-queued ${requeue.length} held files for scanning`);
    }
    return { stale: stale.length, requeued: requeue.length };
  },
};
