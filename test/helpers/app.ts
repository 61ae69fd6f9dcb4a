import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { createDb, type DbClient } from '../../db/client.js';
import { buildApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { FixedClock } from '../../server/lib/clock.js';
import { createMailTransport } from '../../server/mail/transport.js';
import { createQueueBackend, type QueueBackend } from '../../workers/queues.js';
import { startWorkers, type WorkerRunner } from '../../workers/runner.js';
import { relayOnce } from '../../workers/relay.js';
import { MailSink } from './mail-sink.js';
import { withDatabase } from './services.js';

/** The fixed instant tests start at unless they say otherwise: a Monday morning in London. */
export const TEST_NOW = '2026-11-23T10:00:00Z';

export interface TestApp {
  app: FastifyInstance;
  db: DbClient;
  databaseUrl: string;
  queues: QueueBackend;
  clock: FixedClock;
  sink: MailSink;
  config: Config;
  /** Starts real BullMQ workers and the outbox relay against this file's prefix. */
  startWorkers(options?: {
    workerOptions?: Record<string, unknown>;
    relayPaused?: boolean;
  }): Promise<WorkerRunner>;
  /** Publishes outbox rows now instead of waiting for the relay's loop. */
  relay(): Promise<number>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  now?: string;
  /** 'smtp' sends through the in-process sink; 'dev-mailbox' uses the development mailbox. */
  mail?: 'smtp' | 'dev-mailbox';
  /** Force the BullMQ PostgreSQL backend even when Redis is available. */
  queueBackend?: 'redis' | 'postgres';
  config?: Partial<Config>;
  /** Captures the server log (at `info`) instead of discarding it. */
  logLines?: string[];
  /** The app's own database connections go to this URL instead (through a fault proxy). */
  databaseUrlThrough?: (databaseUrl: string) => string;
  /** Adds test-only routes before the app is sealed (never a switch inside the app). */
  extend?: (app: FastifyInstance) => void;
}

/** Creates this file's own database from the migrated template. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `opcc_t_${inject('runId')}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}

/**
 * Runs statements as the login that owns the tables (as migrations connect): for test-only
 * DDL such as a trigger that injects a failure. The app itself connects as opcc_app, which
 * may not create functions or triggers.
 */
export async function asOwner(databaseUrl: string, statements: string): Promise<void> {
  const owner = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await owner.unsafe(statements);
  } finally {
    await owner.end();
  }
}

export async function dropTestDatabase(url: string): Promise<void> {
  const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
  } finally {
    await admin.end();
  }
}

/**
 * Empty databases (no migrations) for a restore to fill: `const emptyDatabase =
 * useEmptyDatabases('restore')` at the top of a file. Named like the per-file ones, so a dead
 * run's copies are dropped with them; each is dropped after the file's tests.
 */
export function useEmptyDatabases(label: string): () => Promise<string> {
  const created: string[] = [];
  afterAll(async () => {
    for (const url of created) await dropTestDatabase(url);
  });
  return async () => {
    const name = `opcc_t_${inject('runId')}_${label}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`create database "${name}"`);
    } finally {
      await admin.end();
    }
    const url = withDatabase(inject('adminDatabaseUrl'), name);
    created.push(url);
    return url;
  };
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const sink = await new MailSink().start();
  const redisUrl = options.queueBackend === 'postgres' ? undefined : inject('redisUrl');
  const config = loadConfig(
    { NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex') },
    {
      databaseUrl,
      redisUrl,
      smtpUrl: options.mail === 'dev-mailbox' ? undefined : sink.url,
      queuePrefix: `t${randomBytes(4).toString('hex')}`,
      ...(options.logLines ? { logLevel: 'info' } : {}),
      // The contract's 2 s read deadline would turn a page render slowed by a loaded CI
      // machine into a 503; tests of the deadlines pass CONTRACT_HANDLER_TIMEOUTS.
      handlerTimeouts: { readMs: 30_000, writeMs: 30_000, slowMs: 60_000 },
      ...options.config,
    },
  );
  const clock = new FixedClock(options.now ?? TEST_NOW);
  // As the application connects: the opcc_app role (docs/rules/security.md §7), not the owner.
  const db = createDb(options.databaseUrlThrough?.(databaseUrl) ?? databaseUrl, {
    max: 5,
    role: config.databaseRole,
  });
  const queues = createQueueBackend({
    databaseUrl,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
  });
  const mailTransport = createMailTransport(config.smtpUrl, db.db, {
    requireTLS: config.smtpRequireTls,
  });
  const lines = options.logLines;
  const logStream = lines ? { write: (line: string) => void lines.push(line) } : undefined;
  const app = await buildApp({ config, db, queues, mailTransport, clock, logStream });
  options.extend?.(app);
  await app.ready();
  const runners: WorkerRunner[] = [];
  return {
    app,
    db,
    databaseUrl,
    queues,
    clock,
    sink,
    config,
    async startWorkers(workerOptions) {
      const runner = await startWorkers({
        db,
        queues,
        services: app.services,
        clock,
        log: () => undefined,
        schedulers: false,
        workerOptions: workerOptions?.workerOptions,
        relayPaused: workerOptions?.relayPaused ?? false,
      });
      runners.push(runner);
      return runner;
    },
    relay: () => relayOnce(db.db, queues, () => clock.now()),
    async close() {
      for (const runner of runners) await runner.stop(2000);
      await app.close();
      await queues.close();
      mailTransport.close();
      await db.close();
      await sink.stop();
      await dropTestDatabase(databaseUrl);
    },
  };
}
