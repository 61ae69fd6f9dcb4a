import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';

/**
 * Backup and restore of everything the system keeps. PostgreSQL is the system of record,
 * and uploaded files (case attachments, disclosure documents, ...) are rows in it (`data`
 * bytea with its `sha256`), as is the development mailbox: one consistent `pg_dump` holds
 * it all. Beside the dump, a manifest records, from the same snapshot, every table's row
 * count and every stored file's SHA-256, so a restore proves it got everything back.
 */
export const MANIFEST = 'manifest.json';
export const DUMP = 'database.dump';

export interface BackupManifest {
  format: 1;
  createdAt: string;
  /** The last migration applied in the backed-up database. */
  lastMigration: string | null;
  /** Row counts of every table (schema.table), read in the dump's snapshot. */
  tables: Record<string, number>;
  /** Every stored file: table, id and the SHA-256 of its bytes, read in the dump's snapshot. */
  files: Array<{ table: string; id: string; sha256: string }>;
  dump: { file: string; bytes: number; sha256: string };
}

export interface Tools {
  /** Folder holding pg_dump and pg_restore (they must be at least the server's version). */
  pgBin?: string | undefined;
}

const tool = (name: string, tools: Tools) => (tools.pgBin ? path.join(tools.pgBin, name) : name);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => reject(new Error(`${command} could not run: ${error.message}`)));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Tables with stored bytes: a `data` bytea column and a `sha256` column beside it. */
async function fileTables(sql: postgres.Sql | postgres.TransactionSql): Promise<string[]> {
  const rows = await sql<{ table_name: string }[]>`
    select c.table_name from information_schema.columns c
    join information_schema.columns h
      on h.table_schema = c.table_schema and h.table_name = c.table_name
        and h.column_name = 'sha256'
    where c.table_schema = 'public' and c.column_name = 'data' and c.data_type = 'bytea'
    order by c.table_name`;
  return rows.map((row) => row.table_name);
}

async function census(sql: postgres.Sql | postgres.TransactionSql, hashFromBytes: boolean) {
  const tables: Record<string, number> = {};
  const names = await sql<{ schema: string; name: string }[]>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE'
      and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`;
  for (const { schema, name } of names) {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from ${sql(schema)}.${sql(name)}`;
    tables[`${schema}.${name}`] = row!.n;
  }
  const files: BackupManifest['files'] = [];
  for (const table of await fileTables(sql)) {
    // On restore the hash is recomputed from the bytes themselves, not read back.
    const rows = hashFromBytes
      ? await sql<{ id: string; sha256: string }[]>`
          select id::text, encode(sha256(data), 'hex') as sha256 from ${sql(table)} order by id`
      : await sql<{ id: string; sha256: string }[]>`
          select id::text, sha256 from ${sql(table)} order by id`;
    for (const row of rows) files.push({ table, id: row.id, sha256: row.sha256 });
  }
  let lastMigration: string | null = null;
  if (tables['drizzle.__drizzle_migrations'] !== undefined) {
    const [row] = await sql<{ hash: string }[]>`
      select hash from drizzle.__drizzle_migrations order by created_at desc limit 1`;
    lastMigration = row?.hash ?? null;
  }
  return { tables, files, lastMigration };
}

/**
 * Writes `database.dump` (pg_dump custom format) and `manifest.json` into `dir`. The dump
 * and the manifest read the same snapshot, exported from a repeatable-read transaction
 * that stays open while pg_dump runs, so writes during the backup change neither.
 */
export async function backupDatabase(
  url: string,
  dir: string,
  tools: Tools = {},
): Promise<BackupManifest> {
  fs.mkdirSync(dir, { recursive: true });
  const dumpFile = path.join(dir, DUMP);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const found = await sql.begin('isolation level repeatable read read only', async (tx) => {
      const [snapshot] = await tx<{ id: string }[]>`select pg_export_snapshot() as id`;
      const dumped = run(tool('pg_dump', tools), [
        '--format=custom',
        '--no-owner',
        `--snapshot=${snapshot!.id}`,
        `--file=${dumpFile}`,
        `--dbname=${url}`,
      ]);
      const counted = await census(tx, false);
      await dumped;
      return counted;
    });
    const manifest: BackupManifest = {
      format: 1,
      createdAt: new Date().toISOString(),
      ...found,
      dump: {
        file: DUMP,
        bytes: fs.statSync(dumpFile).size,
        sha256: await fileSha256(dumpFile),
      },
    };
    fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface RestoreReport {
  tables: number;
  rows: number;
  files: number;
  /** Outbox rows the backup shows as not yet done: their effects may already have happened. */
  outboxPending: number;
}

export class RestoreError extends Error {}

/**
 * Restores a backup folder into an empty database, then checks it against the manifest:
 * every table's row count and every stored file's bytes (SHA-256 recomputed). Refuses a
 * database that already has tables, and a dump whose checksum differs from the manifest.
 */
export async function restoreDatabase(
  dir: string,
  url: string,
  tools: Tools = {},
): Promise<RestoreReport> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  const dumpFile = path.join(dir, manifest.dump.file);
  if ((await fileSha256(dumpFile)) !== manifest.dump.sha256)
    throw new RestoreError(`${dumpFile} does not match the SHA-256 in the manifest`);

  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [existing] = await sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema')`;
    if (existing!.n > 0)
      throw new RestoreError(
        `the target database already has ${existing!.n} tables: restore into a new, empty database`,
      );
    await run(tool('pg_restore', tools), [
      '--no-owner',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${url}`,
      dumpFile,
    ]);

    const restored = await census(sql, true);
    const problems: string[] = [];
    for (const [table, count] of Object.entries(manifest.tables)) {
      const now = restored.tables[table];
      if (now !== count)
        problems.push(`${table}: ${count} rows backed up, ${now ?? 'no table'} restored`);
    }
    const restoredFiles = new Map(restored.files.map((f) => [`${f.table}/${f.id}`, f.sha256]));
    for (const file of manifest.files) {
      const sha = restoredFiles.get(`${file.table}/${file.id}`);
      if (sha !== file.sha256)
        problems.push(`${file.table} ${file.id}: ${sha ? 'bytes differ' : 'missing'}`);
    }
    if (problems.length > 0)
      throw new RestoreError(
        `the restored database differs from the backup:\n  ${problems.join('\n  ')}`,
      );

    const [outbox] = await sql<{ n: number }[]>`
      select count(*)::int as n from outbox where processed_at is null`;
    return {
      tables: Object.keys(manifest.tables).length,
      rows: Object.values(manifest.tables).reduce((a, b) => a + b, 0),
      files: manifest.files.length,
      outboxPending: outbox?.n ?? 0,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
