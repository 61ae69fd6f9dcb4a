import { eq } from 'drizzle-orm';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { DbClient } from '../db/client.js';
import { outbox } from '../db/schema/index.js';
import type { Services } from '../server/app.js';
import type { Clock } from '../server/lib/clock.js';
import { jobs, schedules } from './jobs/index.js';
import type { JobContext } from './jobs/types.js';
import type { QueueBackend } from './queues.js';
import {
  checkWorkerHealth,
  startHeartbeat,
  type HEALTH_LIMITS,
  type WorkerHealth,
} from './health.js';
import { startRelay, type Relay } from './relay.js';

export interface WorkerRunner {
  workers: Worker[];
  relay: Relay;
  /** Settles once every scheduler is upserted (retried in the background while Redis is down). */
  schedulersUpserted: Promise<void>;
  /** Queue connection, heartbeat and outbox backlog, for the worker's /healthz. */
  health(limits?: Partial<typeof HEALTH_LIMITS>): Promise<WorkerHealth>;
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
  /** OUTBOX_RELAY_PAUSED: no relay loop, and the reconciler re-adds nothing. */
  relayPaused?: boolean;
  /** Stamps worker_heartbeats as `name` every `everyMs` while the workers run. */
  heartbeat?: { name: string; everyMs: number };
}): Promise<WorkerRunner> {
  const ctx: JobContext = {
    db: opts.db.db,
    services: opts.services,
    queues: opts.queues,
    clock: opts.clock,
    log: opts.log,
    outboxPaused: opts.relayPaused ?? false,
  };
  const quiet = onceAMinute(opts.log, () => performance.now());
  const workers = jobs.map((definition) => {
    // The processor gets the worker it runs in (a job may pause it: Worker.rateLimit).
    const self: { worker?: Worker } = {};
    const worker = opts.queues.worker(
      definition.name,
      async (job, token) => {
        const markProcessed = async () => {
          // `outbox-<id>`, or a domain-named job carrying `outboxId` (workers/relay.ts).
          const carried = (job.data as { outboxId?: unknown } | undefined)?.outboxId;
          const rowId = job.id?.startsWith('outbox-')
            ? Number(job.id.slice(7))
            : typeof carried === 'number'
              ? carried
              : undefined;
          if (rowId === undefined) return;
          await ctx.db
            .update(outbox)
            .set({ processedAt: opts.clock.now() })
            .where(eq(outbox.id, rowId));
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
    worker.on('error', (error) => quiet(`worker ${definition.name}: ${error.message}`));
    worker.on('failed', (job, error) =>
      opts.log(`job ${definition.name} ${job?.id ?? ''} failed: ${error.message}`),
    );
    return worker;
  });
  // Boot never waits for Redis (reliability §6): schedulers are upserted in the background,
  // again until it works; the outbox relay and the workers reconnect on their own.
  let stopped = false;
  const schedulersUpserted =
    opts.schedulers === false ? Promise.resolve() : upsertSchedulers(opts, () => stopped);
  const relay: Relay = opts.relayPaused
    ? { paused: true, stop: async () => undefined }
    : startRelay({
        db: opts.db.db,
        listen: (channel, fn) => opts.db.sql.listen(channel, fn),
        queues: opts.queues,
        now: () => opts.clock.now(),
        log: opts.log,
      });
  if (opts.relayPaused)
    opts.log('outbox relay paused (OUTBOX_RELAY_PAUSED=true): outbox rows wait until it is unset');
  const heartbeat = opts.heartbeat
    ? startHeartbeat({
        db: opts.db.db,
        ...opts.heartbeat,
        alive: () => !stopped && workers.every((w) => w.isRunning()),
      })
    : undefined;
  return {
    workers,
    relay,
    schedulersUpserted,
    health: (limits) =>
      checkWorkerHealth({
        db: opts.db.db,
        queues: opts.queues,
        workers,
        name: opts.heartbeat?.name ?? '',
        relayPaused: opts.relayPaused ?? false,
        ...(limits ? { limits } : {}),
      }),
    async stop(graceMs = 20_000) {
      stopped = true;
      heartbeat?.stop();
      await relay.stop();
      // The scheduler upsert may still be under way (a slow boot, or Redis down): it stops at
      // its next schedule, and its last call settles before the queue clients close. Left
      // running, it made new queues after the backend closed, whose connections PostgreSQL's
      // stop then cut: `Connection terminated unexpectedly`, exit 1 on Ctrl-C (issue #18).
      await settleWithin(schedulersUpserted, SCHEDULER_SETTLE_MS);
      const forced = setTimeout(() => void Promise.all(workers.map((w) => w.close(true))), graceMs);
      await Promise.all(workers.map((w) => w.close()));
      clearTimeout(forced);
    },
  };
}

/** How long stop() waits for a scheduler call in flight (one call; producers fail fast). */
const SCHEDULER_SETTLE_MS = 5_000;

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * A worker's connection error repeats at every reconnect attempt (several a second while
 * Redis is down): each distinct message is logged at most once a minute.
 */
function onceAMinute(log: (message: string) => void, now: () => number) {
  const last = new Map<string, number>();
  return (message: string) => {
    const key = message.replace(/^worker \S+: /, '');
    const at = last.get(key);
    if (at !== undefined && now() - at < 60_000) return;
    last.set(key, now());
    log(message);
  };
}

async function upsertSchedulers(
  opts: { queues: QueueBackend; services: Services; log: (message: string) => void },
  stopped: () => boolean,
): Promise<void> {
  let delay = 1000;
  let failing = false;
  while (!stopped()) {
    try {
      for (const schedule of schedules) {
        if (stopped()) return;
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
      if (failing) opts.log('schedulers upserted');
      return;
    } catch (error) {
      if (stopped()) return;
      if (!failing)
        opts.log(
          `schedulers: queue backend unavailable (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      failing = true;
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
