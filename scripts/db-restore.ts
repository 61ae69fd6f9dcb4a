import fs from 'node:fs';
import path from 'node:path';
import { restoreDatabase } from '../db/backup.js';
import { createDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { replayErasureLedger } from '../server/contacts/erasure.js';
import { systemClock } from '../server/lib/clock.js';
import { createAuditLog } from '../server/platform/audit.js';

/**
 * Replays the erasure ledger (docs/rules/security.md §8, reliability §8) on the restored database: its
 * own rows, plus the live ledger's ids from `--erasures <file>` (`npm run db:erasures`),
 * since the backup predates the erasures made after it.
 */
async function replayErasures(
  databaseUrl: string,
  erasuresFile: string | undefined,
): Promise<{ ledger: number; reErased: number }> {
  const moreIds = erasuresFile
    ? fs
        .readFileSync(erasuresFile, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
    : [];
  const db = createDb(databaseUrl, { max: 1 });
  try {
    return await replayErasureLedger(db.db, {
      audit: createAuditLog(systemClock),
      clock: systemClock,
      moreIds,
    });
  } finally {
    await db.close();
  }
}

/**
 * `npm run db:restore -- <backup folder>`: restores into DATABASE_URL, which must be a new,
 * empty database; checks every table's row count and every stored file's SHA-256 against
 * the manifest; then applies this release's migrations (the backup may be older).
 */
async function main() {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const at = args.indexOf('--erasures');
  const erasuresFile = at >= 0 ? args[at + 1] : undefined;
  const dir = args.find((arg, i) => !arg.startsWith('--') && (at < 0 || i !== at + 1));
  if (!dir || !config.databaseUrl || (at >= 0 && !erasuresFile)) {
    console.error(
      'usage: DATABASE_URL=postgres://…/new_empty_db npm run db:restore -- <backup folder> [--erasures <file from npm run db:erasures>]',
    );
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const report = await restoreDatabase(path.resolve(dir), config.databaseUrl, {
    pgBin: config.pgBin,
  });
  await runMigrations(config.databaseUrl);
  const erasures = await replayErasures(config.databaseUrl, erasuresFile);
  console.log(
    `restore: ${report.tables} tables, ${report.rows} rows and ${report.files} stored files match the backup; ` +
      `migrated; erasure ledger replayed (${erasures.ledger} people, ${erasures.reErased} erased again); ${Date.now() - started} ms`,
  );
  if (!erasuresFile)
    console.log(
      'restore: no --erasures file: erasures made after this backup are not replayed. ' +
        'Run `npm run db:erasures > erasures.txt` on the live system and restore with --erasures erasures.txt.',
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
