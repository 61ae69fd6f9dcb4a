import { Type } from '@sinclair/typebox';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { emailMessages, outbox } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import { isJobName, JOB_NAMES, type JobName, type QueueBackend } from '../../workers/queues.js';
import type { AuditLog } from './audit.js';
import { ADMINS } from './auth.js';
import { notFound } from './errors.js';
import { CsrfField } from './schemas.js';
import { pageRoute } from './page-route.js';
import type { App } from './app-type.js';

/** What each queue does, in the words an administrator would use. */
export const QUEUE_TITLES: Record<JobName, string> = {
  email: 'Sending email',
  'deadline-notify': 'Deadline reminders to staff',
  'deadline-rebuild': 'Recalculating deadlines after bank holiday changes',
  'sla-scan': 'Checking for deadlines due soon or missed',
  'holiday-refresh': 'Updating bank holidays from GOV.UK',
  'mail-poll': 'Fetching incoming email',
  'idempotency-sweep': 'Clearing old repeat-submission records',
  'deadline-digest': 'Morning email of cases due soon',
  'outbox-reconcile': 'Checking background work was handed on',
  'attachment-scan': 'Virus checks of uploaded files',
  'scan-sweep': 'Retrying virus checks that gave up',
  'waitlist-offer': 'Offering freed surgery places to the waiting list',
  'surgery-hold-sweep': 'Expiring surgery places held for the waiting list',
  'surgery-reminder-sweep': 'Finding surgery reminders that are due',
  'surgery-reminder': 'Sending surgery reminders the day before',
  'surgery-retention-sweep': 'Clearing personal details from past surgery bookings',
  'survey-send-wave': 'Queuing survey invitations in batches',
  'survey-invite': 'Sending survey invitations and reminders',
  'survey-reminder-waves': 'Starting survey reminders for people who have not answered',
  'survey-reconcile': 'Checking survey invitations were all sent',
  'bounce-poll': 'Reading bounced survey emails and stopping mail to dead addresses',
  'complaint-scan': 'Retired: complaint reminders now go with the other deadline warnings',
  'complaint-window-close': 'Closing complaints whose review window has ended',
  'retention-sweep': 'Disposing of complaint records past their retention period',
  'complaint-justified-reads': 'Weekly email to managers of complaints opened off the access list',
  'security-events-purge':
    'Nightly: security events past 90 days and ended rate-limit counters deleted',
};

const FAILED_SHOWN = 10;

/**
 * When work counts as stuck (reliability §2, §7): a row the relay should have handed on
 * within seconds, after 5 minutes; a handed-on row not done after the reconciler's 10; a
 * job running past BullMQ's 30 s lock (it will stall and run again); an email `sending`
 * for 10 minutes (its worker died and no job is rerunning it).
 */
export const STUCK = {
  unpublishedMs: 5 * 60_000,
  unprocessedMs: 10 * 60_000,
  activeMs: 30_000,
  sendingMs: 10 * 60_000,
};

const QueueParams = Type.Object(
  { name: Type.String({ maxLength: 40 }) },
  { additionalProperties: false },
);
const JobParams = Type.Object(
  { name: Type.String({ maxLength: 40 }), jobId: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
const RetryForm = Type.Object({ _csrf: CsrfField }, { additionalProperties: false });
const DashboardQuery = Type.Object(
  { retried: Type.Optional(Type.String({ maxLength: 10 })) },
  { additionalProperties: false },
);

/**
 * A queue dashboard that works on both backends (Bull Board only reads Redis): job counts
 * per queue, the latest failed jobs with a way to retry them, and the outbox backlog that
 * the relay has still to publish.
 */
export async function queuesRoutes(
  app: App,
  opts: {
    queues: QueueBackend;
    db: Db;
    audit: AuditLog;
    clock: Clock;
    /** OUTBOX_RELAY_PAUSED, shown so nobody waits for work that is held on purpose. */
    relayPaused: boolean;
  },
) {
  const queueOf = (name: string) => {
    if (!isJobName(name)) throw notFound('No such queue');
    return opts.queues.queue(name);
  };

  app.staffNav.push({ href: '/admin/queues', text: 'Queues', roles: ['admin'] });
  app.get(
    '/admin/queues',
    pageRoute(ADMINS, { querystring: DashboardQuery }),
    async (request, reply) => {
      const now = opts.clock.now();
      const rows = await Promise.all(
        JOB_NAMES.map(async (name) => {
          try {
            const queue = opts.queues.queue(name);
            const counts = await queue.getJobCounts(
              'waiting',
              'active',
              'delayed',
              'completed',
              'failed',
            );
            const failedJobs = counts.failed ? await queue.getFailed(0, FAILED_SHOWN - 1) : [];
            const active = counts.active ? await queue.getActive(0, 99) : [];
            const overLock = active.filter(
              (job) => job?.processedOn && job.processedOn < now.getTime() - STUCK.activeMs,
            ).length;
            return {
              name,
              title: QUEUE_TITLES[name],
              ...counts,
              overLock,
              failedJobs: failedJobs
                .filter((job) => job?.id)
                .map((job) => ({
                  id: job.id!,
                  reason: job.failedReason,
                  attempts: job.attemptsMade,
                  at: job.finishedOn ? new Date(job.finishedOn) : undefined,
                })),
              available: true,
            };
          } catch {
            return { name, title: QUEUE_TITLES[name], failedJobs: [], available: false };
          }
        }),
      );
      const [backlog] = await opts.db
        .select({
          unpublished: sql<number>`count(*) filter (where ${outbox.publishedAt} is null)::int`,
          oldest: sql<
            string | null
          >`min(${outbox.createdAt}) filter (where ${outbox.publishedAt} is null)`,
        })
        .from(outbox);
      const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
      const [outboxStuck] = await opts.db
        .select({
          unpublished: sql<number>`count(*) filter (where ${outbox.publishedAt} is null and ${outbox.createdAt} < ${ago(STUCK.unpublishedMs)}::timestamptz)::int`,
          unprocessed: sql<number>`count(*) filter (where ${outbox.processedAt} is null and ${outbox.publishedAt} < ${ago(STUCK.unprocessedMs)}::timestamptz)::int`,
        })
        .from(outbox);
      const [sending] = await opts.db
        .select({ n: sql<number>`count(*)::int` })
        .from(emailMessages)
        .where(
          sql`${emailMessages.status} = 'sending' and ${emailMessages.lastAttemptAt} < ${ago(STUCK.sendingMs)}::timestamptz`,
        );
      const stuck = {
        unpublished: outboxStuck?.unpublished ?? 0,
        unprocessed: outboxStuck?.unprocessed ?? 0,
        sending: sending?.n ?? 0,
        overLock: rows.reduce((n, r) => n + ('overLock' in r ? r.overLock : 0), 0),
        failed: rows.reduce((n, r) => n + ('failed' in r ? Number(r.failed ?? 0) : 0), 0),
      };
      const retried = Number(request.query.retried);
      return reply.page('views/queues.njk', {
        pageTitle: 'Queues',
        rows,
        backend: opts.queues.kind,
        backlog,
        stuck,
        stuckTotal: Object.values(stuck).reduce((a, b) => a + b, 0),
        relayPaused: opts.relayPaused,
        retried: Number.isInteger(retried) && retried >= 0 ? retried : undefined,
      });
    },
  );

  // Every failed job in one queue goes back to waiting (BullMQ keeps its id and data).
  app.post(
    '/admin/queues/:name/retry',
    pageRoute(ADMINS, { params: QueueParams, body: RetryForm }),
    async (request, reply) => {
      const queue = queueOf(request.params.name);
      const failed = await queue.getJobCountByTypes('failed');
      await queue.retryJobs({ state: 'failed', count: 1000 });
      await opts.audit.record(opts.db, request.actor(), {
        action: 'queue.retry_failed',
        subjectType: 'queue',
        subjectId: request.params.name,
      });
      return reply.redirect(`/admin/queues?retried=${failed}`, 303);
    },
  );

  app.post(
    '/admin/queues/:name/jobs/:jobId/retry',
    pageRoute(ADMINS, { params: JobParams, body: RetryForm }),
    async (request, reply) => {
      const queue = queueOf(request.params.name);
      const job = await queue.getJob(request.params.jobId);
      if (!job) throw notFound('No such job');
      // Only a job that is still failed is retried: a second click changes nothing.
      let retried = 0;
      if (await job.isFailed()) {
        await job.retry('failed');
        retried = 1;
        await opts.audit.record(opts.db, request.actor(), {
          action: 'queue.retry_job',
          subjectType: 'queue_job',
          subjectId: `${request.params.name}/${request.params.jobId}`,
        });
      }
      return reply.redirect(`/admin/queues?retried=${retried}`, 303);
    },
  );
}
