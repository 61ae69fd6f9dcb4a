import path from 'node:path';
import { backupDatabase } from '../db/backup.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { ConfigError, loadConfig } from '../server/config.js';

/**
 * `npm run db:backup [-- <folder>]`: a consistent pg_dump of the database (which holds the
 * uploaded files too) and a manifest of row counts and file checksums, in a new folder
 * (default backups/<UTC time>). PG_BIN names the folder of pg_dump when the one on PATH is
 * older than the server. Without DATABASE_URL it backs up the embedded PostgreSQL.
 */
async function main() {
  const config = loadConfig();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.resolve(process.argv[2] ?? path.join('backups', stamp));
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  try {
    const started = Date.now();
    const manifest = await backupDatabase(config.databaseUrl ?? embedded!.url, dir, {
      pgBin: config.pgBin,
    });
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    console.log(
      `backup: ${dir} (${Object.keys(manifest.tables).length} tables, ${rows} rows, ` +
        `${manifest.files.length} stored files, dump ${manifest.dump.bytes} bytes) in ${Date.now() - started} ms`,
    );
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
