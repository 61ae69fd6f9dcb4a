import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupDatabase, DUMP, restoreDatabase } from '../../db/backup.js';
import { useEmptyDatabases } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, type TestUser } from '../helpers/auth.js';
import { multipart, PDF, PNG } from '../helpers/multipart.js';
import { makeCase } from '../correspondence/fixtures.js';
import { FormSession, goodAnswers } from '../intake/helpers.js';

const t = useTestApp();
let caseworker: TestUser;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-backup-'));
const emptyDatabase = useEmptyDatabases('restore');

beforeAll(async () => {
  caseworker = await t.user('caseworker');
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function snapshot(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return {
      cases: await sql`select id, reference, subject, status, contact_id from cases order by id`,
      attachments: await sql`
        select id, case_id, filename, sha256, encode(sha256(data), 'hex') as bytes_sha256
        from case_attachments order by id`,
      emails: await sql`
        select id, "to", subject, status, message_id, text_body from email_messages order by id`,
      contacts: await sql`select id, name, email from contacts order by id`,
      audit: await sql`select count(*)::int as n from audit_events`,
    };
  } finally {
    await sql.end();
  }
}

describe('backup and restore', () => {
  it('restores into a fresh database with every case, attachment and email', async () => {
    // Cases from the public form (acknowledgement emails, sent by the workers) and from
    // staff entry with attachments.
    for (const subject of ['Speeding on Station Road', 'Graffiti at the park']) {
      const { response } = await new FormSession(t.app).submit(goodAnswers({ subject }));
      expect(response.statusCode).toBe(200);
    }
    const token = await apiToken(t.app, caseworker);
    for (const [i, data] of [PNG, PDF].entries()) {
      const c = await makeCase(t.app, caseworker);
      const body = multipart([
        { name: 'file', filename: `evidence-${i}.${i ? 'pdf' : 'png'}`, data, contentType: 'x' },
      ]);
      const upload = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${c.id}/attachments`,
        headers: { ...bearer(token), 'content-type': body.contentType },
        payload: body.payload,
      });
      expect(upload.statusCode).toBe(201);
    }
    await t.startWorkers();
    await t.relay();
    await vi.waitFor(
      async () => {
        const [row] = await t.db.sql<{ n: number }[]>`
          select count(*)::int as n from email_messages where status = 'sent'`;
        expect(row!.n).toBeGreaterThanOrEqual(2);
      },
      { timeout: 15_000, interval: 200 },
    );

    const before = await snapshot(t.databaseUrl);
    expect(before.cases.length).toBe(4);
    expect(before.attachments.length).toBe(2);
    expect(before.emails.length).toBeGreaterThanOrEqual(2);

    const manifest = await backupDatabase(t.databaseUrl, dir);
    expect(manifest.tables['public.cases']).toBe(4);
    expect(manifest.files.filter((f) => f.table === 'case_attachments')).toHaveLength(2);
    expect(manifest.lastMigration).toMatch(/^[0-9a-f]{64}$/);

    // Writes after the backup are not in it.
    await makeCase(t.app, caseworker);

    const target = await emptyDatabase();
    const report = await restoreDatabase(dir, target);
    expect(report.files).toBe(2);
    const after = await snapshot(target);
    expect(after.cases).toEqual(before.cases);
    expect(after.attachments).toEqual(before.attachments);
    for (const a of after.attachments) expect(a.bytes_sha256).toBe(a.sha256);
    expect(after.emails).toEqual(before.emails);
    expect(after.contacts).toEqual(before.contacts);
    expect(after.audit).toEqual(before.audit);
  });

  it('refuses a database that is not empty, and a dump that does not match its manifest', async () => {
    await expect(restoreDatabase(dir, t.databaseUrl)).rejects.toThrow(/already has \d+ tables/);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-backup-bad-'));
    try {
      fs.cpSync(dir, copy, { recursive: true });
      fs.appendFileSync(path.join(copy, DUMP), 'x');
      await expect(restoreDatabase(copy, await emptyDatabase())).rejects.toThrow(
        /does not match the SHA-256/,
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
