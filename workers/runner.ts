import { eq } from 'drizzle-orm';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { DbClient } from '../db/client.js';
import { outbox } from '../db/schema/index.js';
import type { Services } from '../server/app.js';
import type { Clock } from '../server/lib/clock.js';
import { jobs, schedules } from './jobs/index.js';
import type { JobContext } from './jobs/types.js';
import type { QueueBackend } from './queues.js';
import { startRelay, type Relay } from './relay.js';

export interface WorkerRunner {
  workers: Worker[];
  relay: Relay;
  /** Stops the relay, then lets in-flight jobs finish (forced after graceMs). */
  stop(graceMs?: number): Promise<void>;
}

export async function startWorkers(opts: {
  db: DbClient;
  queues: QueueBackend;
  services: Services;
  clock: Clock;
  log: (message: string) => void;
  concurrency?: number;
  schedulers?: boolean;
  workerOptions?: Record<string, unknown>;
}): Promise<WorkerRunner> {
  const ctx: JobContext = {
    db: opts.db.db,
    services: opts.services,
    queues: opts.queues,
    clock: opts.clock,
    log: opts.log,
  };
  const workers = jobs.map((definition) => {
    // The processor gets the worker it runs in (a job may pause it: Worker.rateLimit).
    const self: { worker?: Worker } = {};
    const worker = opts.queues.worker(
      definition.name,
      async (job, token) => {
        const markProcessed = async () => {
          if (!job.id?.startsWith('outbox-')) return;
          await ctx.db
            .update(outbox)
            .set({ processedAt: opts.clock.now() })
            .where(eq(outbox.id, Number(job.id.slice(7))));
        };
        let result: unknown;
        try {
          result = await definition.process(job.data, ctx, {
            job,
            worker: self.worker!,
            token,
          });
        } catch (error) {
          // A permanent failure is final: the reconciler must not drive the row again.
          if (error instanceof UnrecoverableError) await markProcessed();
          throw error;
        }
        await markProcessed();
        return result;
      },
      {
        concurrency: opts.concurrency ?? 5,
        ...definition.workerOptions?.(opts.services),
        ...opts.workerOptions,
      },
    ) as Worker;
    self.worker = worker;
    worker.on('error', (error) => opts.log(`worker ${definition.name}: ${error.message}`));
    worker.on('failed', (job, error) =>
      opts.log(`job ${definition.name} ${job?.id ?? ''} failed: ${error.message}`),
    );
    return worker;
  });
  if (opts.schedulers !== false) {
    for (const schedule of schedules) {
      if (schedule.enabled && !schedule.enabled(opts.services)) {
        // Not configured here: no scheduler, and none left over from an earlier configuration.
        await opts.queues.queue(schedule.job).removeJobScheduler(schedule.job);
        continue;
      }
      await opts.queues.queue(schedule.job).upsertJobScheduler(
        schedule.job,
        {
          ...(schedule.pattern
            ? { pattern: schedule.pattern, tz: 'Europe/London' }
            : { every: schedule.every! }),
        },
        { name: schedule.job, data: {} as never },
      );
    }
  }
  const relay = startRelay({
    db: opts.db.db,
    listen: (channel, fn) => opts.db.sql.listen(channel, fn),
    queues: opts.queues,
    now: () => opts.clock.now(),
    log: opts.log,
  });
  return {
    workers,
    relay,
    async stop(graceMs = 20_000) {
      await relay.stop();
      const forced = setTimeout(() => void Promise.all(workers.map((w) => w.close(true))), graceMs);
      await Promise.all(workers.map((w) => w.close()));
      clearTimeout(forced);
    },
  };
}
