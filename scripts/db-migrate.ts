import { startEmbeddedPostgres } from '../db/embedded.js';
import { pendingMigrations, runMigrations } from '../db/migrate.js';
import { ConfigError, loadConfig } from '../server/config.js';

/**
 * `npm run db:migrate`: applies the committed migrations and exits. In production this is
 * its own deploy step, run before the new release's processes start (docs/operations.md).
 * Without DATABASE_URL it migrates the embedded PostgreSQL under DATA_DIR.
 */
async function main() {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, console.log);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const pending = await pendingMigrations(url);
    if (pending.length === 0) {
      console.log('migrations: the database is up to date');
      return;
    }
    const started = Date.now();
    await runMigrations(url);
    console.log(
      `migrations: applied ${pending.length} in ${Date.now() - started} ms (${pending.join(', ')})`,
    );
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
