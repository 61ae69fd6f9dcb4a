import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';

/**
 * Where the tests find PostgreSQL and Redis: DATABASE_URL/REDIS_URL when set, else the
 * local servers on their standard ports, else the embedded default. With CI=true a
 * missing service fails the run instead of falling back.
 */
export async function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function resolveDatabaseAdminUrl(): Promise<{
  url: string;
  source: string;
  stop?: () => Promise<void>;
}> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, source: 'DATABASE_URL' };
  if (await canConnect('127.0.0.1', 5432)) {
    for (const user of ['postgres', 'root']) {
      const url = `postgres://${user}@127.0.0.1:5432/postgres`;
      const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
      try {
        await sql`select 1`;
        await sql.end();
        return { url, source: `local PostgreSQL on 127.0.0.1:5432 as ${user}` };
      } catch {
        await sql.end({ timeout: 1 });
      }
    }
  }
  if (process.env.CI === 'true')
    throw new Error(
      'CI=true but no PostgreSQL: set DATABASE_URL or start the server on 127.0.0.1:5432',
    );
  const { startEmbeddedPostgres } = await import('../../db/embedded.js');
  const embedded = await startEmbeddedPostgres(path.resolve('data/test'));
  return { url: embedded.url, source: 'embedded PostgreSQL (data/test)', stop: embedded.stop };
}

export async function resolveRedisUrl(): Promise<{ url: string | undefined; source: string }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, source: 'REDIS_URL' };
  if (await canConnect('127.0.0.1', 6379))
    return { url: 'redis://127.0.0.1:6379', source: 'local Redis on 127.0.0.1:6379' };
  if (process.env.CI === 'true')
    throw new Error('CI=true but no Redis: set REDIS_URL or start redis-server on 127.0.0.1:6379');
  return {
    url: undefined,
    source: 'no Redis found: queues use the BullMQ PostgreSQL backend; Redis-only tests skip',
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
