import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../db/backup.js';
import { ERASED_NAME } from '../../server/contacts/erasure.js';
import { useEmptyDatabases } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { baseEnv, runScript } from '../helpers/app-process.js';
import { apiToken, bearer, reauthenticate } from '../helpers/auth.js';

/**
 * The erasure ledger is replayed after every restore (docs/rules/security.md §8, reliability §8): a
 * backup taken before an erasure still holds the person; `npm run db:restore` with the live
 * ledger (`npm run db:erasures`) erases them again before anyone reads the restored copy.
 */
const t = useTestApp();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-erasure-backup-'));
const emptyDatabase = useEmptyDatabases('erasure');

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('erasure ledger after a restore', () => {
  it('db:restore with the live ledger erases again a person the backup still holds, and cancels their unsent email', async () => {
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/public/contact',
      payload: {
        name: 'Rosalind Restored',
        email: 'rosalind@example.org',
        subject: 'Noise at night',
        message: 'Rosalind Restored writes.',
      },
    });
    expect(posted.statusCode).toBe(201);
    const [person] = await t.db.sql<{ id: string }[]>`
      select id from contacts where email_norm = 'rosalind@example.org'`;
    // The nightly backup: the person and their queued acknowledgement are in it.
    await backupDatabase(t.databaseUrl, dir);

    const manager = await t.user('manager');
    const token = await apiToken(t.app, manager);
    await reauthenticate(t.app, token, manager, 'Erasure request ER-9');
    const erased = await t.app.inject({
      method: 'POST',
      url: `/api/contacts/${person!.id}/erase`,
      headers: bearer(token),
      payload: { justification: 'Erasure request ER-9' },
    });
    expect(erased.statusCode).toBe(200);

    // The live ledger, kept apart from the backups.
    const env = (databaseUrl: string) =>
      baseEnv({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false' });
    const exported = runScript('scripts/db-erasures.ts', [], env(t.databaseUrl));
    expect((await exported.exited()).code, exported.output()).toBe(0);
    expect(exported.output().trim()).toBe(person!.id);
    const ledgerFile = path.join(dir, '..', `erasures-${randomBytes(3).toString('hex')}.txt`);
    fs.writeFileSync(ledgerFile, exported.output());

    const target = await emptyDatabase();
    try {
      const restore = runScript(
        'scripts/db-restore.ts',
        [dir, '--erasures', ledgerFile],
        env(target),
      );
      expect((await restore.exited()).code, restore.output()).toBe(0);
      expect(restore.output()).toContain('erasure ledger replayed (1 people, 1 erased again)');
    } finally {
      fs.rmSync(ledgerFile, { force: true });
    }

    const sql = postgres(target, { max: 1, onnotice: () => undefined });
    try {
      const [contact] =
        await sql`select name, email, erased_at from contacts where id = ${person!.id}`;
      expect(contact).toMatchObject({ name: ERASED_NAME, email: null });
      expect(contact!.erased_at).not.toBeNull();
      const emails = await sql`select "to", status, text_body from email_messages`;
      expect(emails.length).toBe(1);
      expect(emails[0]).toMatchObject({ status: 'cancelled', text_body: '' });
      const [left] = await sql<{ n: number }[]>`
        select (select count(*) from contacts where name like '%Rosalind%')
             + (select count(*) from cases where body like '%Rosalind%')
             + (select count(*) from email_messages where "to" like 'rosalind%') as n`;
      expect(Number(left!.n)).toBe(0);
      const ledger = await sql`select person_id from erasure_ledger`;
      expect(ledger).toEqual([{ person_id: person!.id }]);
      const replays = await sql`
        select actor_role from audit_events where action = 'contact.erase.replay' and subject_id = ${person!.id}`;
      expect(replays).toEqual([{ actor_role: 'system' }]);
    } finally {
      await sql.end();
    }
  });
});
