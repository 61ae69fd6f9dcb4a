import type { FastifyInstance } from 'fastify';
import type postgres from 'postgres';

export interface HealthDeps {
  sql: postgres.Sql;
  pingQueue: () => Promise<void>;
  isClosing: () => boolean;
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/** Liveness does no I/O; readiness checks the database and the queue backend. */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Liveness' } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Readiness' } },
    async (_request, reply) => {
      const checks: Record<string, 'ok' | 'failed'> = {};
      if (deps.isClosing()) return reply.code(503).send({ status: 'closing' });
      await Promise.all([
        withTimeout(deps.sql`select 1`, 1000).then(
          () => (checks.database = 'ok'),
          () => (checks.database = 'failed'),
        ),
        withTimeout(deps.pingQueue(), 1000).then(
          () => (checks.queue = 'ok'),
          () => (checks.queue = 'failed'),
        ),
      ]);
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
}
