import type { JobName } from '../queues.js';
import { emailJob } from './email.js';
import { outboxReconcileJob } from './outbox-reconcile.js';
import type { JobDefinition } from './types.js';

/** Every job the workers run. A domain adds its jobs here. */
export const jobs: Array<JobDefinition<JobName>> = [emailJob, outboxReconcileJob] as never;

/** Scheduled jobs, upserted at every worker start (only workers/main.ts calls upsertJobScheduler). */
export const schedules: Array<{ job: JobName; pattern?: string; every?: number }> = [
  { job: 'outbox-reconcile', every: 5 * 60_000 },
];
