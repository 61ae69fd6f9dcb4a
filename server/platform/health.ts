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

/**
 * Liveness does no I/O. Readiness gates on the database only (`select 1` within 500 ms) and
 * on not closing; the queue backend is reported but does not gate (reliability §7: with
 * Redis down the app still serves pages and takes forms into the outbox).
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Liveness' } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Readiness' } },
    async (request, reply) => {
      if (deps.isClosing()) {
        return reply.code(503).send({
          error: {
            code: 'closing',
            message: 'The service is shutting down',
            requestId: request.id,
          },
        });
      }
      const checks: Record<string, 'ok' | 'failed'> = {};
      await Promise.all([
        withTimeout(deps.sql`select 1`, 500).then(
          () => (checks.database = 'ok'),
          () => (checks.database = 'failed'),
        ),
        withTimeout(deps.pingQueue(), 500).then(
          () => (checks.queue = 'ok'),
          () => (checks.queue = 'failed'),
        ),
      ]);
      const ok = checks.database === 'ok';
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
}
