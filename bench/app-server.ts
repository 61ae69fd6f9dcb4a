/**
 * The real app in its own process, wired as server/bootstrap.ts wires it, against the
 * dedicated bench database. Creates and migrates the database, seeds a staff admin, asks
 * POST /api/auth/token for a Bearer token over HTTP and prints one JSON line on stdout:
 * `{"ready":true,"port":…,"pid":…,"token":"…",…}`. Everything else goes to stderr. It also
 * creates a manager and a caseworker (BENCH_STAFF) with their own Bearer tokens, for the
 * casework scenarios. The 1M-case data set comes from bench/seed.ts, run by bench/run.ts.
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/opcc_bench),
 * REDIS_URL (default redis://127.0.0.1:6379), SMTP_URL (default: a closed local port; the
 * web process never sends mail itself), BENCH_FRESH=1 drops and recreates the database.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { systemClock } from '../server/lib/clock.js';
import { createMailTransport } from '../server/mail/transport.js';
import { AppError } from '../server/platform/errors.js';
import { createQueueBackend } from '../workers/queues.js';

export const BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/opcc_bench';
export const BENCH_REDIS_URL = 'redis://127.0.0.1:6379';
export const BENCH_ADMIN = {
  email: 'bench.admin@opcc.bench',
  name: 'Bench Admin',
  password: 'amber kettle lantern orchard 7319',
} as const;
/**
 * Casework staff for the correspondence scenarios: /casework and /api/cases are for
 * caseworkers and managers only (not admins). A manager sees every case, restricted ones
 * included; a caseworker sees unrestricted ones plus their own and those granted to them.
 */
export const BENCH_STAFF = {
  manager: {
    email: 'bench.manager@opcc.bench',
    name: 'Bench Manager',
    role: 'manager',
    password: 'copper meadow violin harbour 4826',
  },
  caseworker: {
    email: 'bench.caseworker@opcc.bench',
    name: 'Bench Caseworker',
    role: 'caseworker',
    password: 'pebble saffron tunnel quartz 5190',
  },
} as const;

const log = (line: string) => process.stderr.write(`[app-server] ${line}\n`);

/** Creates the database named in `url` when it is missing (or recreates it when fresh). */
export async function ensureDatabase(url: string, fresh: boolean): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unexpected bench database name "${name}"`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => undefined });
  try {
    if (fresh) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`;
    if (row) return false;
    await admin.unsafe(`create database "${name}"`);
    return true;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL || BENCH_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || BENCH_REDIS_URL;
  const smtpUrl = process.env.SMTP_URL || 'smtp://127.0.0.1:9';
  const fresh = process.env.BENCH_FRESH === '1';

  const t0 = performance.now();
  const created = await ensureDatabase(databaseUrl, fresh);
  await runMigrations(databaseUrl);
  const migrateMs = performance.now() - t0;
  log(
    `${created ? 'created' : 'reused'} ${new URL(databaseUrl).pathname.slice(1)}; migrated in ${Math.round(migrateMs)} ms`,
  );

  // Production-shaped config: NODE_ENV=production demands every URL and a real secret.
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      SMTP_URL: smtpUrl,
      // No upload is benchmarked, so the virus scanner is never called: a closed port will do.
      CLAMD_URL: process.env.CLAMD_URL ?? 'tcp://127.0.0.1:9',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: 'opccbench',
      // docs/rules/performance.md §2: the rate limiter allow-lists 127.0.0.1 (all load is from there).
      BENCH: '1',
    },
    // Production asks every role for an authenticator code; the benchmarks sign their
    // users in through the API once, before any measured request, so MFA is not measured.
    { logLevel: 'warn', mfaRequiredRoles: [] },
  );

  // The same clients openRuntime() opens, with its pool size.
  const db = createDb(databaseUrl, { max: 10 });
  const queues = createQueueBackend({ databaseUrl, redisUrl, prefix: config.queuePrefix });
  const mailTransport = createMailTransport(config.smtpUrl, db.db);
  const app = await buildApp({ config, db, queues, mailTransport, clock: systemClock });

  const t1 = performance.now();
  for (const user of [
    { ...BENCH_ADMIN, role: 'admin' as const },
    BENCH_STAFF.manager,
    BENCH_STAFF.caseworker,
  ]) {
    try {
      await app.services.users.create(
        { id: null, role: 'system', requestId: null },
        { email: user.email, name: user.name, role: user.role, password: user.password },
      );
      log(`seeded ${user.email}`);
    } catch (error) {
      if (!(error instanceof AppError && error.statusCode === 409)) throw error;
    }
  }
  const seedMs = performance.now() - t1;

  await app.listen({ port: 0, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const tokenFor = async (user: { email: string; password: string }) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    if (response.status !== 200) {
      throw new Error(`POST /api/auth/token: ${response.status} ${await response.text()}`);
    }
    return ((await response.json()) as { token: string }).token;
  };
  const token = await tokenFor(BENCH_ADMIN);
  const staff = {
    manager: { ...BENCH_STAFF.manager, token: await tokenFor(BENCH_STAFF.manager) },
    caseworker: { ...BENCH_STAFF.caseworker, token: await tokenFor(BENCH_STAFF.caseworker) },
  };

  const [counts] = await db.sql<[{ users: number; sessions: number }]>`
    select (select count(*)::int from users) as users, (select count(*)::int from sessions) as sessions`;

  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      port,
      pid: process.pid,
      token,
      databaseUrl,
      redisUrl,
      admin: { email: BENCH_ADMIN.email, password: BENCH_ADMIN.password },
      staff,
      dataset: {
        users: counts?.users ?? 0,
        sessions: counts?.sessions ?? 0,
        migrateMs: Math.round(migrateMs),
        staffSeedMs: Math.round(seedMs),
      },
    })}\n`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await queues.close();
    mailTransport.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
