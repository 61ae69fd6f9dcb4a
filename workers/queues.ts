/**
 * The queue registry: names, payload types and job-id builders. This is the one file of
 * the workers tree that the server imports. Payloads carry ids only, never personal data
 * (BullMQ stores job data in clear text).
 */
import {
  Queue,
  Worker,
  createPostgresBackend,
  withBackend,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export interface JobPayloads {
  /**
   * `jobId`, when a domain names the job (`booking-{id}-{kind}-s{seq}`), replaces
   * `outbox-{rowId}`: however many outbox rows ask for that email, one job is queued.
   */
  email: { emailId: string; jobId?: string };
  'deadline-notify': { notificationId: string };
  'deadline-rebuild': { calendarVersion: number };
  'sla-scan': Record<string, never>;
  'holiday-refresh': Record<string, never>;
  'mail-poll': Record<string, never>;
  'idempotency-sweep': Record<string, never>;
  'deadline-digest': Record<string, never>;
  'outbox-reconcile': Record<string, never>;
  /**
   * Streams one upload to clamd; the file is held (pending) until it answers. `kind` says
   * which table `attachmentId` is in: absent (rows queued before it existed) is a case
   * attachment.
   */
  'attachment-scan': { attachmentId: string; kind?: 'case_attachment' | 'disclosure_document' };
  /** Re-queues scans of files still pending long after upload (their job gave up). */
  'scan-sweep': Record<string, never>;
  /** A place came free at a surgery (cancel, move, lapsed hold): offer it to the next in line. */
  'waitlist-offer': { surgeryId: string; slotId: string };
  /** Expires lapsed waiting-list holds and old journey answers (docs/rules/surgeries.md §7). */
  'surgery-hold-sweep': Record<string, never>;
  /** Finds reminders that are due and queues one `surgery-reminder` each (§6). */
  'surgery-reminder-sweep': Record<string, never>;
  /** Sends one day-before reminder, re-checked under the booking's row lock. */
  'surgery-reminder': { bookingId: string };
  /** Nightly: clears access needs (30 days) and personal details (12 months) after surgeries. */
  'surgery-retention-sweep': Record<string, never>;
  /** Surveys (docs/rules/surveys.md §5): fans a wave out in chunks from its saved cursor. */
  'survey-send-wave': { waveId: string };
  /**
   * Sends invitations or reminders; the delivery rows are the ledger. `deliveryIds`: a batch
   * (no rate limit); `deliveryId`: one (rate-limited sends, reconcile, jobs queued before batches).
   */
  'survey-invite': { deliveryId?: number; deliveryIds?: number[] };
  /** Daily: creates due reminder waves. */
  'survey-reminder-waves': Record<string, never>;
  /** Every 5 minutes: re-adds stranded deliveries, fans out waves left half-done, purges closed drafts. */
  'survey-reconcile': Record<string, never>;
  /** Every 5 minutes: reads the survey bounce mailbox, suppresses hard-bounced addresses (§6). */
  'bounce-poll': Record<string, never>;
  /**
   * Retired: complaint reminders ride `sla-scan`/`deadline-notify` now. Kept so the worker
   * removes the earlier release's scheduler and drains its last jobs.
   */
  'complaint-scan': Record<string, never>;
  /** Closes review windows that ended with no application notified (§3, S). */
  'complaint-window-close': Record<string, never>;
  /** Nightly retention sweep of concluded complaints (§4). */
  'retention-sweep': Record<string, never>;
  /** Mondays: the last week's justified reads of complaints, emailed to managers once (§4). */
  'complaint-justified-reads': Record<string, never>;
  /** Nightly: security events older than 90 days, ended rate-limit counters (docs/rules/security.md §7). */
  'security-events-purge': Record<string, never>;
}
export type JobName = keyof JobPayloads;

/** Each job has its own queue, named after it, so workers scale and fail independently. */
export const JOB_NAMES = [
  'email',
  'deadline-notify',
  'deadline-rebuild',
  'sla-scan',
  'holiday-refresh',
  'mail-poll',
  'idempotency-sweep',
  'deadline-digest',
  'outbox-reconcile',
  'attachment-scan',
  'scan-sweep',
  'waitlist-offer',
  'surgery-hold-sweep',
  'surgery-reminder-sweep',
  'surgery-reminder',
  'surgery-retention-sweep',
  'survey-send-wave',
  'survey-invite',
  'survey-reminder-waves',
  'survey-reconcile',
  'bounce-poll',
  'complaint-scan',
  'complaint-window-close',
  'retention-sweep',
  'complaint-justified-reads',
  'security-events-purge',
] as const satisfies readonly JobName[];

export function isJobName(value: string): value is JobName {
  return (JOB_NAMES as readonly string[]).includes(value);
}

/** Deterministic, prefixed, '-'-joined: never ':' (BullMQ's key separator), never all digits. */
export const jobIds = {
  outbox: (outboxId: number | string) => `outbox-${outboxId}`,
  deadlineNotify: (notificationId: string) => `dl-${notificationId}`,
  deadlineRebuild: (version: number) => `rebuild-v${version}`,
  /** One re-scan per file per sweep window: a second sweep in the same window adds nothing. */
  /** One job per delivery: the same invitation and wave never queue twice. */
  surveyInvite: (invitationId: string, waveNo: number) => `inv-${invitationId}-w${waveNo}`,
  /** A delivery whose sender died past its lease: a new job per claim generation. */
  surveyInviteRescue: (invitationId: string, waveNo: number, attempts: number) =>
    `inv-${invitationId}-w${waveNo}-r${attempts}`,
  /** A batch of a wave's deliveries, named by its first: re-publishing a chunk adds nothing. */
  surveyInviteBatch: (waveId: string, firstDeliveryId: number) =>
    `invb-${waveId}-${firstDeliveryId}`,
  surveyWave: (waveId: string) => `wave-${waveId}`,
  rescan: (kind: string, fileId: string, window: number) => `rescan-${kind}-${fileId}-w${window}`,
  /** One reminder per booking, however many sweeps find it. */
  surgeryReminder: (bookingId: string) => `reminder-${bookingId}-24h`,
  /** One email job per booking, kind (booked, moved, cancel) and calendar sequence (§4). */
  bookingEmail: (bookingId: string, kind: string, sequence: number) =>
    `booking-${bookingId}-${kind}-s${sequence}`,
};

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export interface QueueBackendOptions {
  redisUrl?: string | undefined;
  databaseUrl: string;
  prefix: string;
}

/** One queue factory for both backends; job code never knows which one it runs on. */
export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue<N extends JobName>(name: N): Queue<JobPayloads[N]>;
  worker<N extends JobName>(
    name: N,
    processor: Processor<JobPayloads[N]>,
    options?: Partial<WorkerOptions>,
  ): Worker<JobPayloads[N]>;
  add<N extends JobName>(name: N, data: JobPayloads[N], options?: JobsOptions): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createQueueBackend(options: QueueBackendOptions): QueueBackend {
  return options.redisUrl
    ? createRedisBackend(options.redisUrl, options.prefix)
    : createPostgresQueueBackend(options.databaseUrl, options.prefix);
}

type AnyQueue = Queue<unknown>;
type AnyWorker = Worker<unknown>;

/** A queue asked for once the backend is closing: it would open a connection nothing closes. */
export class QueueBackendClosedError extends Error {
  constructor(name: string) {
    super(`queue backend closed: no new ${name} queue`);
    this.name = 'QueueBackendClosedError';
  }
}

function createRedisBackend(redisUrl: string, prefix: string): QueueBackend {
  // Producers fail fast when Redis is down (reliability §4); workers wait forever.
  const producer = new Redis(redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    lazyConnect: true,
  });
  producer.on('error', () => undefined);
  // The producer connects on first use. A health check that joins a connection still being
  // made waits for it (at most about its connect timeout): sent at once, it was refused
  // ("Stream isn't writeable", the offline queue being off) although Redis was up.
  const producerReady = async () => {
    if (producer.status === 'wait') return void (await producer.connect());
    if (producer.status !== 'connecting' && producer.status !== 'connect') return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        producer.off('ready', onReady);
        producer.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () => done(new Error('Connection is closed.'));
      const timer = setTimeout(() => done(new Error('Redis connect timed out')), 1500);
      producer.once('ready', onReady);
      producer.once('close', onClose);
    });
  };
  const workerOptions: RedisOptions = {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  };
  const queues = new Map<string, AnyQueue>();
  const workers: AnyWorker[] = [];
  let closing = false;
  const backend: QueueBackend = {
    kind: 'redis',
    queue(name) {
      let queue = queues.get(name);
      if (!queue) {
        if (closing) throw new QueueBackendClosedError(name);
        queue = new Queue(name, {
          connection: producer,
          prefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        });
        queue.on('error', () => undefined);
        queues.set(name, queue);
        // BullMQ keeps the first connection attempt's promise: a Queue made while Redis was
        // down rejects every later call ("Connection is closed") even once Redis is back.
        // Such a queue is dropped, so the next call makes a new one on the same client.
        const made = queue;
        made.waitUntilReady().catch(() => {
          if (queues.get(name) === made) queues.delete(name);
          made.close().catch(() => undefined);
        });
      }
      return queue as never;
    },
    worker(name, processor, opts) {
      const worker = new Worker(name, processor, {
        connection: new Redis(redisUrl, workerOptions),
        prefix,
        ...opts,
      });
      workers.push(worker as AnyWorker);
      return worker;
    },
    async add(name, data, opts) {
      await backend.queue(name).add(name as never, data as never, opts);
    },
    async ping() {
      await producerReady();
      await producer.ping();
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      producer.disconnect();
    },
  };
  return backend;
}

function createPostgresQueueBackend(databaseUrl: string, prefix: string): QueueBackend {
  const pg = withBackend(createPostgresBackend);
  // Its own `bullmq` schema in the application database; migrated by the first client.
  const connection = { connectionString: databaseUrl, schema: 'bullmq', migrate: true, max: 4 };
  const queues = new Map<string, AnyQueue>();
  const workers: AnyWorker[] = [];
  let closing = false;
  const backend: QueueBackend = {
    kind: 'postgres',
    queue(name) {
      let queue = queues.get(name);
      if (!queue) {
        // Its pool would outlive close(): PostgreSQL stopping under it is an uncaught error.
        if (closing) throw new QueueBackendClosedError(name);
        const created = new pg.Queue(name, {
          connection,
          prefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        });
        created.on('error', () => undefined);
        queue = created as unknown as AnyQueue;
        queues.set(name, queue);
      }
      return queue as never;
    },
    worker(name, processor, opts) {
      const worker = new pg.Worker(name, processor, { prefix, ...opts, connection });
      workers.push(worker as never);
      return worker as never;
    },
    async add(name, data, opts) {
      await backend.queue(name).add(name as never, data as never, opts);
    },
    async ping() {
      await backend.queue('email').getJobCounts('waiting');
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
  return backend;
}
