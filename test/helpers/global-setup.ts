import { createHash } from 'node:crypto';
import fs from 'node:fs';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrationsFolder, runMigrations } from '../../db/migrate.js';
import { resolveDatabaseAdminUrl, resolveRedisUrl, withDatabase } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    redisUrl: string | undefined;
    runId: string;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Migrates one template database per migration set; each test file clones it (fast). */
export default async function setup(project: TestProject) {
  const database = await resolveDatabaseAdminUrl();
  const redis = await resolveRedisUrl();
  console.log(`[test] database: ${database.source}`);
  console.log(`[test] redis:    ${redis.source}`);

  const hash = createHash('sha256');
  for (const file of fs.readdirSync(migrationsFolder).sort()) {
    if (file.endsWith('.sql')) hash.update(fs.readFileSync(`${migrationsFolder}/${file}`));
  }
  const template = `opcc_tpl_${hash.digest('hex').slice(0, 12)}`;
  const admin = postgres(database.url, { max: 1, onnotice: () => undefined });
  const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
  if (!exists) {
    const building = `${template}_build_${process.pid}`;
    await admin.unsafe(`create database "${building}"`);
    await runMigrations(withDatabase(database.url, building));
    try {
      await admin.unsafe(`alter database "${building}" rename to "${template}"`);
    } catch (error) {
      console.log(`[test] template rename: ${(error as Error).message}`);
      await admin.unsafe(`drop database if exists "${building}" with (force)`); // another run won the race
    }
  }
  // Leftover per-file databases of runs that are no longer alive (named opcc_t_<pid>_…);
  // a concurrent run's databases are left alone.
  const stale = await admin<
    { datname: string }[]
  >`select datname from pg_database where starts_with(datname, ${'opcc_t_'})`;
  for (const row of stale) {
    const pid = Number(/^opcc_t_(\d+)_/.exec(row.datname)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    await admin
      .unsafe(`drop database if exists "${row.datname}" with (force)`)
      .catch(() => undefined);
  }
  await admin.end();

  project.provide('adminDatabaseUrl', database.url);
  project.provide('templateDatabase', template);
  project.provide('redisUrl', redis.url);
  project.provide('runId', String(process.pid));
  return async () => {
    await database.stop?.();
  };
}
