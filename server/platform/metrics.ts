import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type postgres from 'postgres';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_NAMES, type QueueBackend } from '../../workers/queues.js';
import { isAllowed, parseAllowList } from '../lib/allow-list.js';

export interface MetricsOptions {
  sql: postgres.Sql;
  queues: QueueBackend;
  /** Addresses and CIDR ranges that may scrape without a token (METRICS_ALLOW). */
  allow: readonly string[];
  /** A bearer token that lets any address scrape (METRICS_TOKEN). */
  token: string | undefined;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Prometheus metrics at GET /metrics (prom-client): HTTP requests by route pattern, the
 * process (event-loop lag, heap, GC), and figures read from PostgreSQL and the queues at
 * scrape time, so they are right whichever process did the work (the worker sends the
 * email, the server reports it): queue depths, outbox backlog, emails by status, deadline
 * warnings sent, database connections. Served only to an allowed address or with the token.
 */
export const metricsPlugin = fp(
  async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const { list: allowed } = parseAllowList(opts.allow);
    const tokenHash = opts.token ? sha256(opts.token) : undefined;

    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to response, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.addHook('onResponse', (request, reply, done) => {
      // The pattern (/api/cases/:id), never the raw URL: ids would explode the label set.
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });

    const { sql, queues } = opts;
    new Gauge({
      name: 'opcc_queue_jobs',
      help: 'Jobs per queue and state (failed: kept 30 days after their last attempt)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          JOB_NAMES.map(async (name) => {
            try {
              const counts = await queues
                .queue(name)
                .getJobCounts('waiting', 'active', 'delayed', 'failed');
              for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
            } catch {
              // The queue backend is down: the series disappear and opcc_queue_up says why.
            }
          }),
        );
      },
    });
    new Gauge({
      name: 'opcc_queue_up',
      help: '1 when the queue backend answered a ping within 1 s',
      registers: [registry],
      async collect() {
        const ok = await Promise.race([
          queues.ping().then(
            () => 1,
            () => 0,
          ),
          new Promise<number>((resolve) => setTimeout(() => resolve(0), 1000).unref()),
        ]);
        this.set(ok);
      },
    });

    // One round trip reads every database figure; the collectors below share it per scrape.
    let pending: Promise<DbFigures> | undefined;
    const figures = () => {
      pending ??= readDbFigures(sql).finally(() => {
        setImmediate(() => (pending = undefined));
      });
      return pending;
    };

    /** A gauge per `state`, read from the shared database figures at each scrape. */
    const figureGauge = (
      name: string,
      help: string,
      read: (f: DbFigures) => Record<string, number>,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['state'] as const,
        registers: [registry],
        async collect() {
          const counts = read(await figures());
          this.reset();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
    figureGauge(
      'opcc_outbox_backlog',
      'Outbox rows not yet published to the queues (unpublished) or published but not processed (unprocessed)',
      (f) => ({ unpublished: f.outboxUnpublished, unprocessed: f.outboxUnprocessed }),
    );
    new Gauge({
      name: 'opcc_outbox_oldest_unpublished_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none)',
      registers: [registry],
      async collect() {
        this.set((await figures()).outboxOldestSeconds);
      },
    });
    new Counter({
      name: 'opcc_outbox_rows_total',
      help: 'Outbox rows ever written (the id sequence; a rolled-back insert also counts)',
      registers: [registry],
      async collect() {
        this.reset();
        this.inc((await figures()).outboxRows);
      },
    });
    /** A counter per label value, read from the shared database figures at each scrape. */
    const figureCounter = (
      name: string,
      help: string,
      label: string,
      values: readonly string[],
      read: (f: DbFigures) => Record<string, number>,
    ) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        async collect() {
          const counts = read(await figures());
          this.reset();
          for (const value of values) this.inc({ [label]: value }, counts[value] ?? 0);
        },
      });
    figureCounter(
      'opcc_emails_total',
      'Outgoing email rows by status (queued, sending, sent, failed), counted in the database',
      'status',
      ['queued', 'sending', 'sent', 'failed', 'suppressed'],
      (f) => f.emails,
    );
    figureCounter(
      'opcc_deadline_warnings_sent_total',
      'Deadline warnings sent, by stage (early, due_today, overdue, escalated)',
      'stage',
      ['early', 'due_today', 'overdue', 'escalated'],
      (f) => f.warnings,
    );
    figureGauge(
      'opcc_db_connections',
      "Connections to this application's database by state (pg_stat_activity), across all processes",
      (f) => f.connections,
    );
    new Gauge({
      name: 'opcc_db_pool_max',
      help: "This process's PostgreSQL pool size (postgres.js max)",
      registers: [registry],
    }).set(sql.options.max);

    app.get(
      '/metrics',
      {
        config: { public: true },
        schema: {
          tags: ['platform'],
          summary:
            'Prometheus metrics (allowed addresses, METRICS_ALLOW, or Authorization: Bearer METRICS_TOKEN)',
        },
      },
      async (request, reply) => {
        const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const byToken =
          tokenHash !== undefined &&
          bearer !== undefined &&
          timingSafeEqual(sha256(bearer), tokenHash);
        if (!byToken && !isAllowed(allowed, request.ip)) {
          return reply
            .code(403)
            .type('text/plain; charset=utf-8')
            .send('Metrics are served only to allowed addresses (METRICS_ALLOW) or with a token\n');
        }
        const body = await registry.metrics();
        return reply.header('cache-control', 'no-store').type(registry.contentType).send(body);
      },
    );
  },
  { name: 'metrics' },
);

interface DbFigures {
  outboxUnpublished: number;
  outboxUnprocessed: number;
  outboxOldestSeconds: number;
  outboxRows: number;
  emails: Record<string, number>;
  warnings: Record<string, number>;
  connections: Record<string, number>;
}

async function readDbFigures(sql: postgres.Sql): Promise<DbFigures> {
  const [row] = await sql<
    {
      outbox_unpublished: number;
      outbox_unprocessed: number;
      outbox_oldest_s: number | null;
      outbox_rows: string | null;
      emails: Record<string, number> | null;
      warnings: Record<string, number> | null;
      connections: Record<string, number> | null;
    }[]
  >`
    select
      (select count(*)::int from outbox where published_at is null) as outbox_unpublished,
      (select count(*)::int from outbox
        where published_at is not null and processed_at is null) as outbox_unprocessed,
      (select extract(epoch from now() - min(created_at))::float8
        from outbox where published_at is null) as outbox_oldest_s,
      (select max(id)::text from outbox) as outbox_rows,
      (select jsonb_object_agg(status, n) from
        (select status, count(*)::int as n from email_messages group by status) e) as emails,
      (select jsonb_object_agg(stage, n) from
        (select stage, count(*)::int as n from deadline_notifications
          where status = 'sent' group by stage) w) as warnings,
      (select jsonb_object_agg(state, n) from
        (select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity
          where datname = current_database() group by 1) c) as connections`;
  return {
    outboxUnpublished: row?.outbox_unpublished ?? 0,
    outboxUnprocessed: row?.outbox_unprocessed ?? 0,
    outboxOldestSeconds: Math.max(0, row?.outbox_oldest_s ?? 0),
    outboxRows: Number(row?.outbox_rows ?? 0),
    emails: row?.emails ?? {},
    warnings: row?.warnings ?? {},
    connections: row?.connections ?? {},
  };
}
