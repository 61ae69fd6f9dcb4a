import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingMigrations, readJournal } from '../../db/migrate.js';
import { openRuntime } from '../../server/bootstrap.js';
import { loadConfig } from '../../server/config.js';
import { createTestDatabase, dropTestDatabase } from '../helpers/app.js';

let url: string;
beforeAll(async () => {
  url = await createTestDatabase();
});
afterAll(async () => dropTestDatabase(url));

const production = {
  NODE_ENV: 'production',
  JWT_SECRET: 'x'.repeat(32),
  DATABASE_URL: 'postgres://db/opcc',
  REDIS_URL: 'redis://redis:6379',
  SMTP_URL: 'smtp://relay:25',
  CLAMD_URL: 'tcp://clamd:3310',
};

describe('npm run db:migrate as its own step', () => {
  it('is the production default: processes do not migrate at start-up', () => {
    expect(loadConfig(production).migrateOnStart).toBe(false);
    expect(loadConfig({ ...production, MIGRATE_ON_START: 'true' }).migrateOnStart).toBe(true);
    expect(loadConfig({}).migrateOnStart).toBe(true);
    expect(() => loadConfig({ MIGRATE_ON_START: 'yes' })).toThrow(/MIGRATE_ON_START/);
  });

  it('finds nothing pending on a migrated database, and a start-up refuses a schema behind', async () => {
    expect(await pendingMigrations(url)).toEqual([]);
    // Pretend the last migration was never applied: the schema is one behind this release.
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    await sql`delete from drizzle.__drizzle_migrations
      where id = (select max(id) from drizzle.__drizzle_migrations)`;
    await sql.end();
    const last = readJournal().at(-1)!.tag;
    expect(await pendingMigrations(url)).toEqual([last]);

    const config = loadConfig({ NODE_ENV: 'test' }, { databaseUrl: url, migrateOnStart: false });
    await expect(openRuntime(config, () => undefined)).rejects.toThrow(
      new RegExp(`1 migration\\(s\\) behind this release \\(${last}\\).*npm run db:migrate`),
    );
  });
});
