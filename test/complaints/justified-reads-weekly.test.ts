/**
 * The weekly justified-reads email (§4 "reported weekly"): a BullMQ repeatable job on Monday
 * mornings sends every active manager the last complete London week's count and a link,
 * through the email ledger and outbox, exactly once per week however often it runs; no
 * names, reasons or references in the email. Fixed clock.
 */
import { beforeAll, expect, it } from 'vitest';
import { justifiedReadsJob } from '../../workers/jobs/complaints.js';
import { schedules } from '../../workers/jobs/index.js';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken } from '../helpers/auth.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp();
let u: Team;
let a: ReturnType<typeof api>;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
});

it('emails each manager the last week once, through the ledger; reruns and other days send nothing more', async () => {
  expect(schedules.find((s) => s.job === 'complaint-justified-reads')).toEqual({
    job: 'complaint-justified-reads',
    pattern: '0 8 * * 1',
  });
  const ctx = {
    db: t.db.db,
    services: t.app.services,
    queues: t.queues,
    clock: t.clock,
    log: () => undefined,
  };
  t.clock.set('2026-11-17T10:00:00Z');
  u.cw = await apiToken(t.app, u.caseworker);
  const c = await a.create(u.cw, { complainant: { name: 'Zebedee Quillfeather' } });
  const reader = await t.user('manager', { name: 'Rowan Reader' });
  const gone = await t.user('manager');
  await t.app.services.users.setDisabled(
    { id: null, role: 'system', requestId: null },
    gone.id,
    true,
  );
  t.clock.set('2026-11-19T15:30:00Z');
  const token = await apiToken(t.app, reader);
  for (const reason of ['Covering for leave', 'Checking a panel question']) {
    const r = await a.call(
      'GET',
      `/api/complaints/${c.id}?justification=${encodeURIComponent(reason)}`,
      token,
    );
    expect(r.statusCode).toBe(200);
  }

  // Monday 23 November, 08:00 London: the week of 16 to 22 November.
  t.clock.set('2026-11-23T08:00:00Z');
  expect(await justifiedReadsJob.process({}, ctx)).toEqual({ week: '2026-11-16', sent: 2 });
  expect(await justifiedReadsJob.process({}, ctx)).toEqual({ week: '2026-11-16', sent: 0 });
  t.clock.set('2026-11-24T08:00:00Z'); // a rerun on the Tuesday: same week, nothing
  expect(await justifiedReadsJob.process({}, ctx)).toEqual({ week: '2026-11-16', sent: 0 });
  const emails = await t.db.sql<
    { to: string; subject: string; text_body: string; message_id: string }[]
  >`select "to", subject, text_body, message_id from email_messages
    where message_id like 'justified-reads-%' order by "to"`;
  expect(emails.map((e) => e.to).sort()).toEqual([u.manager.email, reader.email].sort());
  for (const e of emails) {
    expect(e.subject).toBe('Complaints opened off the access list: week of 16 November 2026');
    expect(e.text_body).toContain(
      'In the week 16 November 2026 to 22 November 2026, complaints were opened 2 times',
    );
    expect(e.text_body).toContain('/complaints/justified-reads?weekOf=2026-11-16');
    for (const secret of ['Rowan', 'Covering', 'panel question', 'Zebedee', c.reference])
      expect(e.text_body + e.subject).not.toContain(secret);
  }
  // Through the outbox: one row per email.
  const outbox = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from outbox o join email_messages m on o.payload::text like '%' || m.id || '%'
    where m.message_id like 'justified-reads-%'`;
  expect(outbox[0]!.n).toBe(2);
  const [audited] = await t.db.sql<{ justification: string }[]>`
    select justification from audit_events where action = 'complaint.justified_reads.email'`;
  expect(audited!.justification).toBe('2026-11-16..2026-11-22: 2 reads, 2 managers');

  // The next Monday: the next week, once, even with no reads.
  t.clock.set('2026-11-30T08:00:00Z');
  expect(await justifiedReadsJob.process({}, ctx)).toEqual({ week: '2026-11-23', sent: 2 });
  expect(await justifiedReadsJob.process({}, ctx)).toEqual({ week: '2026-11-23', sent: 0 });
  const next = await t.db.sql<{ text_body: string }[]>`
    select text_body from email_messages where message_id like 'justified-reads-2026-11-23-%'`;
  expect(next).toHaveLength(2);
  expect(next[0]!.text_body).toContain('opened 0 times');
});
