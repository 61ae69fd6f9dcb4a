import path from 'node:path';
import { restoreDatabase } from '../db/backup.js';
import { runMigrations } from '../db/migrate.js';
import { ConfigError, loadConfig } from '../server/config.js';

/**
 * `npm run db:restore -- <backup folder>`: restores into DATABASE_URL, which must be a new,
 * empty database; checks every table's row count and every stored file's SHA-256 against
 * the manifest; then applies this release's migrations (the backup may be older).
 */
async function main() {
  const config = loadConfig();
  const dir = process.argv[2];
  if (!dir || !config.databaseUrl) {
    console.error(
      'usage: DATABASE_URL=postgres://…/new_empty_db npm run db:restore -- <backup folder>',
    );
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const report = await restoreDatabase(path.resolve(dir), config.databaseUrl, {
    pgBin: config.pgBin,
  });
  await runMigrations(config.databaseUrl);
  console.log(
    `restore: ${report.tables} tables, ${report.rows} rows and ${report.files} stored files match the backup; ` +
      `migrated; ${Date.now() - started} ms`,
  );
  if (report.outboxPending > 0) {
    console.log(
      `restore: ${report.outboxPending} outbox rows were not done when the backup was taken; ` +
        'their emails may already have gone. Review them (/admin/queues, /admin/emails) before starting the worker.',
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
