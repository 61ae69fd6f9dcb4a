import type { Db } from '../../db/client.js';
import type { Services } from '../../server/app.js';
import type { Clock } from '../../server/lib/clock.js';
import type { JobName, JobPayloads, QueueBackend } from '../queues.js';

export interface JobContext {
  db: Db;
  services: Services;
  queues: QueueBackend;
  clock: Clock;
  log: (message: string) => void;
}

export interface JobDefinition<N extends JobName> {
  name: N;
  /** Re-checks state in the database before acting: BullMQ delivers at least once. */
  process(data: JobPayloads[N], ctx: JobContext): Promise<unknown>;
}
