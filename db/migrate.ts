import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

export const migrationsFolder = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'migrations',
);

/**
 * How long a migration statement may wait for a table lock before it fails. Waiting longer
 * would queue every request touching that table behind it; failing leaves the database as
 * it was (all pending migrations run in one transaction), to be retried when quieter.
 */
export const MIGRATION_LOCK_TIMEOUT = '10s';

/**
 * Applies the committed drizzle-kit migrations. A single-connection client holds an
 * advisory lock for the duration, so a server and a worker starting together do not race.
 */
export async function runMigrations(url: string, folder = migrationsFolder): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(727001)`;
    await sql.unsafe(`set lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
    await migrate(drizzle(sql), { migrationsFolder: folder });
    await sql`select pg_advisory_unlock(727001)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function readJournal(folder = migrationsFolder): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/**
 * The committed migrations the database has not applied yet, by tag (drizzle's own rule:
 * entries newer than the last applied one's timestamp).
 */
export async function pendingMigrations(url: string, folder = migrationsFolder): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    const [table] = await sql<{ found: boolean }[]>`
      select to_regclass('drizzle.__drizzle_migrations') is not null as found`;
    let last = -1;
    if (table?.found) {
      const [row] = await sql<{ last: string | null }[]>`
        select max(created_at)::text as last from drizzle.__drizzle_migrations`;
      last = row?.last === null || row?.last === undefined ? -1 : Number(row.last);
    }
    return readJournal(folder)
      .filter((entry) => entry.when > last)
      .map((entry) => entry.tag);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
