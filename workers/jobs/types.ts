import type { Db } from '../../db/client.js';
import type { Services } from '../../server/app.js';
import type { Clock } from '../../server/lib/clock.js';
import type { Job, Worker, WorkerOptions } from 'bullmq';
import type { JobName, JobPayloads, QueueBackend } from '../queues.js';

export interface JobContext {
  db: Db;
  services: Services;
  queues: QueueBackend;
  clock: Clock;
  log: (message: string) => void;
  /** OUTBOX_RELAY_PAUSED: nothing is handed from the outbox to the queues, not even by the reconciler. */
  outboxPaused?: boolean;
}

export interface JobDefinition<N extends JobName> {
  name: N;
  /** Re-checks state in the database before acting: BullMQ delivers at least once. */
  process(
    data: JobPayloads[N],
    ctx: JobContext,
    run?: { job: Job; worker: Worker; token?: string },
  ): Promise<unknown>;
  /** Options for this job's worker (a rate limiter, its own concurrency), from the services. */
  workerOptions?: (services: Services) => Partial<WorkerOptions>;
}
