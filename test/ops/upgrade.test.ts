import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/client.js';
import {
  migrationsFolder,
  pendingMigrations,
  readJournal,
  runMigrations,
} from '../../db/migrate.js';
import { buildApp } from '../../server/app.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { loadConfig } from '../../server/config.js';
import { FixedClock } from '../../server/lib/clock.js';
import { createMailTransport } from '../../server/mail/transport.js';
import { createQueueBackend } from '../../workers/queues.js';
import { dropTestDatabase, TEST_NOW } from '../helpers/app.js';
import { PNG } from '../helpers/multipart.js';
import { withDatabase } from '../helpers/services.js';

/**
 * An office upgrading from an old release: a database migrated only as far as
 * 0010_case_attachments (the release that added case files) and holding data, brought up to
 * this release by `npm run db:migrate`, keeps every row and works with today's code.
 */
const OLD_RELEASE = '0010_case_attachments';
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'opcc-old-migrations-'));
let url: string | undefined;

afterAll(async () => {
  if (url) await dropTestDatabase(url);
  fs.rmSync(folder, { recursive: true, force: true });
});

/** The migrations folder as the old release shipped it. */
function oldReleaseMigrations(): string[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8'),
  ) as { entries: Array<{ tag: string }> };
  const upTo = journal.entries.findIndex((entry) => entry.tag === OLD_RELEASE);
  expect(upTo).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, upTo + 1);
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const { tag } of journal.entries)
    fs.copyFileSync(path.join(migrationsFolder, `${tag}.sql`), path.join(folder, `${tag}.sql`));
  return journal.entries.map((entry) => entry.tag);
}

const ids = {
  manager: '00000000-0000-4000-8000-000000000001',
  contact: '00000000-0000-4000-8000-000000000002',
  caseA: '00000000-0000-4000-8000-00000000000a',
  caseB: '00000000-0000-4000-8000-00000000000b',
  attachment: '00000000-0000-4000-8000-0000000000f1',
  email: '00000000-0000-4000-8000-0000000000e1',
};
const PASSWORD = 'an old release passphrase';

/** What the old release wrote, in its own schema's columns. */
async function seedOldRelease(sql: postgres.Sql) {
  const sha = createHash('sha256').update(PNG).digest('hex');
  await sql`insert into users (id, email, name, role, password_hash)
    values (${ids.manager}, 'old.manager@opcc.example.gov.uk', 'Old Manager', 'manager',
      ${await hashPassword(PASSWORD)})`;
  await sql`insert into contacts (id, kind, name) values (${ids.contact}, 'person', 'Ada Example')`;
  await sql`insert into case_reference_counters (year, last) values (2026, 2)`;
  await sql`insert into cases (id, reference, type, channel, received_at, received_on, subject,
      body, status, contact_id, assignee_id)
    values
      (${ids.caseA}, 'OPCC-2026-00001', 'foi', 'email', '2026-11-02T09:00:00Z', '2026-11-02',
        'Police vehicle numbers', 'How many marked cars are there?', 'open', ${ids.contact},
        ${ids.manager}),
      (${ids.caseB}, 'OPCC-2026-00002', 'general', 'letter', '2026-11-03T09:00:00Z',
        '2026-11-03', 'Street lighting', 'The lamp on Mill Road is out.', 'new', null, null)`;
  await sql`insert into case_events (case_id, at, actor_id, kind, data)
    values (${ids.caseA}, '2026-11-02T09:00:00Z', ${ids.manager}, 'created', '{}')`;
  await sql`insert into case_attachments (id, case_id, filename, content_type, size, data,
      uploaded_at, sha256, uploaded_by)
    values (${ids.attachment}, ${ids.caseA}, 'map.png', 'image/png', ${PNG.length}, ${PNG},
      '2026-11-02T09:05:00Z', ${sha}, ${ids.manager})`;
  await sql`insert into email_messages (id, "to", subject, text_body, message_id, status, sent_at)
    values (${ids.email}, 'ada@example.org', 'We have your request OPCC-2026-00001',
      'Thank you.', 'email-old-1@opcc.example.gov.uk', 'sent', '2026-11-02T09:01:00Z')`;
  await sql`insert into outbox (topic, payload, published_at, processed_at)
    values ('email', ${sql.json({ emailId: ids.email })}, '2026-11-02T09:01:00Z',
      '2026-11-02T09:01:01Z')`;
  await sql`insert into audit_events (at, action, subject_type, subject_id, actor_id)
    values ('2026-11-02T09:00:00Z', 'case.create', 'case', ${ids.caseA}, ${ids.manager})`;
}

async function rows(sql: postgres.Sql) {
  return {
    users: await sql`select id, email, name, role, password_hash from users order by id`,
    contacts: await sql`select id, name from contacts order by id`,
    cases: await sql`select id, reference, type, status, subject, body, contact_id, assignee_id
      from cases order by id`,
    events: await sql`select case_id, kind, at from case_events order by id`,
    attachments: await sql`select id, case_id, filename, sha256,
      encode(sha256(data), 'hex') as bytes from case_attachments order by id`,
    emails: await sql`select id, "to", subject, status, message_id from email_messages order by id`,
    outbox: await sql`select topic, payload, processed_at from outbox order by id`,
    audit: await sql`select action, subject_id from audit_events order by id`,
  };
}

describe('upgrading a database from an older release', () => {
  it('migrates a database seeded at 0010 with data to this release and keeps it all', async () => {
    const oldTags = oldReleaseMigrations();
    const name = `opcc_t_${inject('runId')}_upgrade_${randomBytes(4).toString('hex')}`;
    const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    url = withDatabase(inject('adminDatabaseUrl'), name);

    await runMigrations(url, folder);
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      await seedOldRelease(sql);
      const before = await rows(sql);
      const behind = await pendingMigrations(url);
      expect(behind.length).toBe(readJournal().length - oldTags.length);
      expect(behind[0]).not.toBe(OLD_RELEASE);

      await runMigrations(url); // npm run db:migrate of this release
      expect(await pendingMigrations(url)).toEqual([]);
      expect(await rows(sql)).toEqual(before);
    } finally {
      await sql.end();
    }

    // Today's code works on the upgraded data: sign in as the old manager, read the case and
    // download its file; a new case continues the old reference sequence.
    const db = createDb(url, { max: 3 });
    const config = loadConfig(
      { NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex') },
      {
        databaseUrl: url,
        redisUrl: inject('redisUrl'),
        queuePrefix: `u${randomBytes(3).toString('hex')}`,
      },
    );
    const queues = createQueueBackend({
      databaseUrl: url,
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
    });
    const mailTransport = createMailTransport(undefined, db.db);
    const app = await buildApp({
      config,
      db,
      queues,
      mailTransport,
      clock: new FixedClock(TEST_NOW),
    });
    try {
      await app.ready();
      const token = await app.inject({
        method: 'POST',
        url: '/api/auth/token',
        payload: { email: 'old.manager@opcc.example.gov.uk', password: PASSWORD },
      });
      expect(token.statusCode).toBe(200);
      const auth = { authorization: `Bearer ${token.json<{ token: string }>().token}` };
      const read = await app.inject({ url: `/api/cases/${ids.caseA}`, headers: auth });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({
        reference: 'OPCC-2026-00001',
        subject: 'Police vehicle numbers',
      });
      const file = await app.inject({
        url: `/api/cases/${ids.caseA}/attachments/${ids.attachment}`,
        headers: auth,
      });
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.equals(PNG)).toBe(true);
      const created = await app.inject({
        method: 'POST',
        url: '/api/cases',
        headers: auth,
        payload: {
          type: 'general',
          channel: 'letter',
          receivedAt: '2026-11-20T09:00:00Z',
          subject: 'After the upgrade',
          body: 'A new letter.',
          contact: { name: 'Bo Example' },
        },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ reference: 'OPCC-2026-00003' });
    } finally {
      await app.close();
      await queues.close();
      mailTransport.close();
      await db.close();
    }
  });
});
