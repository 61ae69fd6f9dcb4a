import { createDb } from '../db/client.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { erasureLedgerIds } from '../server/contacts/erasure.js';

/**
 * `npm run db:erasures > erasures.txt`: the erasure ledger's person ids, one a line (no
 * personal data). Keep the file apart from the backups and pass it to
 * `npm run db:restore -- <backup> --erasures erasures.txt`: erasures made after the backup
 * are then made again on the restored database (docs/rules/security.md §8).
 */
async function main() {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, () => undefined, { ifRunning: 'share' });
  const db = createDb(config.databaseUrl ?? embedded!.url, { max: 1 });
  try {
    for (const id of await erasureLedgerIds(db.db)) process.stdout.write(`${id}\n`);
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
});
