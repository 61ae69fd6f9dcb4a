/** §3.2 reminders: §6 acceptance lines 7 and 10, and 13 months on a fixed clock. */
import { describe, expect, it } from 'vitest';
import { londonDateOf, londonHourMinute, addDays } from '../../server/lib/dates.js';
import { slaScanJob } from '../../workers/jobs/sla-scan.js';
import { apiToken } from '../helpers/auth.js';
import { useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

const NAME = 'Zebedee Quillfeather';
const ALLEGATION = 'shouted about marmalade sandwiches';
const london = (date: string, hour: number) => {
  // London is GMT in winter and BST in summer: find the UTC instant of hour:00 London.
  for (const offset of [0, 1]) {
    const d = new Date(`${date}T${String(hour - offset).padStart(2, '0')}:00:00Z`);
    if (londonHourMinute(d).hour === hour && londonDateOf(d) === date) return d.toISOString();
  }
  throw new Error('no such time');
};
const ok = async (r: { statusCode: number; body: string }) => {
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.body ? JSON.parse(r.body) : undefined;
};

/** Tokens expire on the app's clock: after a jump, sign in again. */
async function fresh() {
  u.cw = await apiToken(t.app, u.caseworker);
  u.mgr = await apiToken(t.app, u.manager);
}

async function investigated(receivedAt: string, on: string, body: Record<string, unknown> = {}) {
  await fresh();
  const c = await a.create(u.cw, {
    receivedAt,
    assigneeId: u.caseworker.id,
    complainant: { name: NAME, email: 'zq@example.org' },
    allegations: [{ category: 'individual_behaviours', description: ALLEGATION }],
    ...body,
  });
  await ok(await a.grant(u.cw, c.id, u.manager.id));
  await ok(await a.move(u.cw, c.id, { to: 'initial_contact', at: on }));
  await ok(await a.contact(u.cw, c.id, { kind: 'first_contact', channel: 'phone', at: on }));
  await ok(await a.move(u.mgr, c.id, { to: 'recorded', at: on, reason: 'AA decides' }));
  return c;
}

/** Complaint reminders ride the shared clock's scan and notify (docs/rules/deadlines.md §6). */
async function sendDue() {
  const { toSend } = await t.app.services.deadlines.scan();
  const results = [];
  for (const id of toSend) results.push(await t.app.services.deadlines.notify(id));
  return results;
}

describe('reminders', () => {
  it('7. at 2026-03-10 a complaint under investigation made 2025-03-10 gets exactly one 12-month report reminder; reruns send nothing; next due 2026-09-10; uninvestigated ones get none', async () => {
    t.clock.set(london('2026-03-10', 10));
    const c = await investigated('2025-03-10', '2025-03-11');
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'investigating',
        at: '2025-03-12',
        referral: 'not_referable',
        reason: 'Not referable',
        investigator: 'DCC Other Force',
      }),
    );
    const other = await investigated('2025-03-10', '2025-03-11');
    await ok(
      await a.move(u.mgr, other.id, {
        to: 'handling_otherwise',
        at: '2025-03-12',
        referral: 'not_referable',
        reason: 'Not referable',
      }),
    );

    await sendDue();
    await sendDue();
    const rows = await t.db
      .sql`select subject_id, stage, status from deadline_notifications where kind = 'report_12m'`;
    expect(rows.map((r) => [r.subject_id, r.stage, r.status])).toEqual([
      [c.id, 'due_today', 'sent'],
    ]);
    const detail = await a.get(u.cw, c.id);
    expect(detail.timers.find((x: { kind: string }) => x.kind === 'report_12m')).toMatchObject({
      dueOn: '2026-03-10',
      nextDueOn: '2026-09-10',
    });
    expect(
      (await a.get(u.cw, other.id)).timers.some((x: { kind: string }) => x.kind === 'report_12m'),
    ).toBe(false);
    // Once the report goes, the next one is due six months after the earlier of due and sent.
    await ok(await a.contact(u.cw, c.id, { kind: 'report', channel: 'post', at: '2026-03-10' }));
    expect(
      (await a.get(u.cw, c.id)).timers.find((x: { kind: string }) => x.kind === 'report_12m'),
    ).toMatchObject({ dueOn: '2026-09-10' });
  });

  it('10. reminders go 09:00-17:00 London on working days, once per stage, to assignee and manager, with no name or allegation in job data or email', async () => {
    t.clock.set(london('2026-06-01', 10));
    const c = await investigated('2026-06-01', '2026-06-01');
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'handling_otherwise',
        at: '2026-06-01',
        referral: 'not_referable',
        reason: 'Not referable',
      }),
    );
    // Update due Mon 2026-06-29: the early stage starts Mon 2026-06-22 (7 days before).
    t.clock.set(london('2026-06-22', 8));
    const ctx = {
      db: t.db.db,
      services: t.app.services,
      queues: t.queues,
      clock: t.clock,
      log: () => undefined,
    };
    expect(await slaScanJob.process({}, ctx)).toMatchObject({ inHours: false, queued: 0 });
    t.clock.set(london('2026-06-20', 12)); // a Saturday
    expect((await t.app.services.deadlines.scan()).inHours).toBe(false);
    t.clock.set(london('2026-06-22', 17));
    expect((await t.app.services.deadlines.scan()).inHours).toBe(false);
    t.clock.set(london('2026-06-22', 10));
    const result = (await slaScanJob.process({}, ctx)) as { queued: number };
    expect(result.queued).toBeGreaterThan(0);
    const [reminder] = await t.db
      .sql`select id from deadline_notifications where subject_type = 'complaint' and subject_id = ${c.id} and kind = 'update' and stage = 'early'`;
    const job = await t.queues.queue('deadline-notify').getJob(`dl-${reminder!.id}`);
    expect(job?.data).toEqual({ notificationId: reminder!.id });
    expect(await t.app.services.deadlines.notify(reminder!.id)).toBe('sent');
    expect(await t.app.services.deadlines.notify(reminder!.id)).toBe('noop');
    await sendDue();
    const emails = await t.db
      .sql`select "to", subject, text_body, message_id from email_messages where message_id = ${`dl-${reminder!.id}@${t.config.mailDomain}`}`;
    expect(emails).toHaveLength(1);
    expect(emails[0]!.to).toContain(u.caseworker.email);
    expect(emails[0]!.to).toContain(u.manager.email);
    expect(emails[0]!.subject).toContain(c.reference);
    expect(emails[0]!.text_body).toContain(`/complaints/${c.id}`);
    const outbox = await t.db.sql`select payload::text as p from outbox`;
    for (const text of [emails[0]!.subject, emails[0]!.text_body, ...outbox.map((o) => o.p)]) {
      expect(text).not.toContain('Zebedee');
      expect(text).not.toContain('marmalade');
    }
  });

  it('13 months on a fixed clock: each stage once, in working hours, never after its timer stops, no name or allegation', async () => {
    const start = '2027-01-04';
    t.clock.set(london(start, 12));
    const c = await investigated(start, start);
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'investigating',
        at: start,
        referral: 'not_referable',
        reason: 'Not referable',
        investigator: 'ACC Elsewhere',
      }),
    );
    const end = '2028-02-04';
    // Updates: on time twice, then one missed (it runs to escalation), then every 25 days.
    const updates = new Set(['2027-01-25', '2027-02-19']);
    for (let d = '2027-04-05'; d < '2028-01-20'; d = addDays(d, 25)) updates.add(d);
    let outcome = false;
    for (let day = addDays(start, 1); day <= end; day = addDays(day, 1)) {
      // Out of hours (08:00) now and then: nothing may go then.
      if (day.endsWith('-01') || day.endsWith('-15')) {
        t.clock.set(london(day, 8));
        expect(await sendDue()).toEqual([]);
      }
      t.clock.set(london(day, 12));
      if (updates.has(day) || day === '2028-01-19') await fresh();
      if (updates.has(day))
        await ok(await a.letter(u.cw, c.id, { template: 'update_4_weekly', channel: 'post' }));
      if (day === '2028-01-19' && !outcome) {
        const detail = await a.get(u.cw, c.id);
        await ok(
          await a.move(u.mgr, c.id, {
            to: 'outcome_determined',
            at: day,
            outcome: {
              allegations: detail.allegations.map((x: { id: string }) => ({
                id: x.id,
                outcome: 'no_case_to_answer',
              })),
            },
          }),
        );
        outcome = true;
      }
      await sendDue();
    }
    const sent = await t.db.sql<
      { kind: string; generation: number; stage: string; sent_at: Date; email_id: string }[]
    >`
      select kind, generation, stage, sent_at, email_id from deadline_notifications where subject_id = ${c.id} and status = 'sent'`;
    const keys = sent.map((r) => `${r.kind}/${r.generation}/${r.stage}`);
    expect(new Set(keys).size).toBe(keys.length);
    // The missed update ran through every stage, once each; the 12-month report too.
    const missed = await t.db
      .sql`select generation from case_deadlines where subject_id = ${c.id} and kind = 'update' and due_on = '2027-03-19' order by generation`;
    const g = missed[0]!.generation;
    for (const stage of ['early', 'due_today', 'overdue', 'escalated'])
      expect(keys).toContain(`update/${g}/${stage}`);
    for (const stage of ['early', 'due_today', 'overdue'])
      expect(
        keys.filter((k) => k.startsWith('report_12m/') && k.endsWith(`/${stage}`)),
      ).toHaveLength(1);
    const calendar = (await import('../../server/lib/calendar.js')).buildCalendars(
      await t.db
        .sql`select division, date::text as date, title from bank_holidays where removed_at is null`,
    ).england_wales;
    const timers = await t.db.sql<
      { kind: string; generation: number; stopped_on: string | null; superseded_at: Date | null }[]
    >`
      select kind, generation, completed_on::text as stopped_on, superseded_at from case_deadlines
      where subject_id = ${c.id} order by created_at`;
    for (const r of sent) {
      const on = londonDateOf(r.sent_at);
      const { hour } = londonHourMinute(r.sent_at);
      expect(calendar.isWorkingDay(on), on).toBe(true);
      expect(hour >= 9 && hour < 17).toBe(true);
      const timer = timers.find((x) => x.kind === r.kind && x.generation === r.generation)!;
      if (timer.stopped_on) expect(on < timer.stopped_on).toBe(true);
      if (timer.superseded_at)
        expect(new Date(r.sent_at).getTime()).toBeLessThan(new Date(timer.superseded_at).getTime());
    }
    // Nothing for the update or the report after the outcome stopped them.
    expect(
      sent.filter(
        (r) => ['update', 'report_12m'].includes(r.kind) && londonDateOf(r.sent_at) > '2028-01-19',
      ),
    ).toEqual([]);
    const emails = await t.db
      .sql`select subject, text_body from email_messages where subject_type = 'complaint' and message_id like 'dl-%'`;
    expect(emails.length).toBeGreaterThanOrEqual(sent.length);
    for (const e of emails) expect(`${e.subject} ${e.text_body}`).not.toMatch(/Zebedee|marmalade/);
  }, 300_000);
});
