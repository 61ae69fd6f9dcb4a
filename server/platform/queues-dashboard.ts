import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema/index.js';
import { JOB_NAMES, type QueueBackend } from '../../workers/queues.js';
import { ADMINS } from './auth.js';

/**
 * A queue dashboard that works on both backends (Bull Board only reads Redis): job counts
 * per queue, and the outbox backlog that the relay has still to publish.
 */
export async function queuesRoutes(app: FastifyInstance, opts: { queues: QueueBackend; db: Db }) {
  app.staffNav.push({ href: '/admin/queues', text: 'Queues', roles: ['admin'] });
  app.get('/admin/queues', { config: { auth: ADMINS } }, async (_request, reply) => {
    const rows = await Promise.all(
      JOB_NAMES.map(async (name) => {
        try {
          const counts = await opts.queues
            .queue(name)
            .getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
          return { name, ...counts, available: true };
        } catch {
          return { name, available: false };
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
    return reply.page('views/queues.njk', {
      pageTitle: 'Queues',
      rows,
      backend: opts.queues.kind,
      backlog,
    });
  });
}
