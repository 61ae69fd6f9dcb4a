/**
 * Complaint timers on the shared clock (issue 12, §3.1): stored by server/deadlines under the
 * complaints regime, rebuilt when an admin adds or removes a bank holiday, and shown on the
 * complaint's page with how each date was worked out. Closed complaints stay put.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../server/lib/format.js';
import { deadlineRebuildJob } from '../../workers/jobs/deadline-rebuild.js';
import { useTestApp } from '../helpers/fixture.js';
import type { PageSession, TestUser } from '../helpers/auth.js';
import { api, team, type Team } from './fixtures.js';

// Mon 5 Jan 2026, 10:00 London (GMT).
const t = useTestApp({ now: '2026-01-05T10:00:00Z' });
let u: Team;
let a: ReturnType<typeof api>;
let admin: TestUser;
let page: PageSession;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
  admin = await t.user('admin');
  page = await t.page(u.caseworker);
});

const adminActor = () => ({ id: admin.id, role: 'admin' as const, requestId: null });
const live = (id: string) =>
  t.db.sql<{ kind: string; due_on: string; generation: number; calendar_version: number }[]>`
    select kind, due_on::text as due_on, generation, calendar_version from case_deadlines
    where subject_type = 'complaint' and subject_id = ${id} and superseded_at is null
    order by kind`;
const timer = async (id: string, kind: string) =>
  (await a.get(u.cw, id)).timers.find((x: { kind: string }) => x.kind === kind);

/** The rebuild the holiday change queued (deadline-rebuild), run as the worker would. */
async function rebuild() {
  const [row] = await t.db.sql<{ version: number }[]>`select version from holiday_calendar`;
  const ctx = {
    db: t.db.db,
    services: t.app.services,
    queues: t.queues,
    clock: t.clock,
    log: () => undefined,
  };
  return (await deadlineRebuildJob.process({ calendarVersion: row!.version }, ctx)) as {
    cases: number;
    moved: number;
  };
}

describe('complaint timers on the clock', () => {
  it('are stored by the clock with how each date was worked out', async () => {
    const c = await a.create(u.cw, { receivedAt: '2026-01-05' });
    // 10 and 5 England and Wales working days from Mon 5 Jan (day 0).
    expect(await live(c.id)).toMatchObject([
      { kind: 'first_contact', due_on: '2026-01-12', generation: 1 },
      { kind: 'record', due_on: '2026-01-19', generation: 1 },
    ]);
    expect(await timer(c.id, 'record')).toMatchObject({
      dueOn: '2026-01-19',
      stopped: false,
      working: '10 working days from Mon 5 Jan 2026 (received): Mon 19 Jan 2026.',
      basis: 'Office target',
    });
  });

  it('move by one working day when an admin adds a bank holiday inside them, with the working and a timeline entry; a closed complaint stays put; removing it moves them back', async () => {
    const c = await a.create(u.cw, { receivedAt: '2026-01-05' });
    const closed = await a.create(u.cw, { receivedAt: '2026-01-05' });
    const refused = await a.move(u.cw, closed.id, {
      to: 'not_a_complaint',
      at: '2026-01-05',
      reason: 'A request for information, not a complaint',
    });
    expect(refused.statusCode, refused.body).toBe(200);
    const closedBefore = await live(closed.id);

    await t.app.services.deadlines.addHoliday(adminActor(), {
      division: 'england-and-wales',
      date: '2026-01-09',
      title: 'Proclaimed holiday',
    });
    const { version } = (await t.db.sql`select version from holiday_calendar`)[0] as {
      version: number;
    };
    // The holiday change queued the rebuild in its own transaction (outbox).
    const [queued] = await t.db
      .sql`select payload from outbox where topic = 'deadline-rebuild' order by id desc limit 1`;
    expect(queued!.payload).toEqual({ calendarVersion: version });
    const result = await rebuild();
    expect(result.moved).toBeGreaterThanOrEqual(2);

    // Stored: each date one working day later, same generation (sent stages stay sent).
    expect(await live(c.id)).toEqual([
      { kind: 'first_contact', due_on: '2026-01-13', generation: 1, calendar_version: version },
      { kind: 'record', due_on: '2026-01-20', generation: 1, calendar_version: version },
    ]);
    expect(await live(closed.id)).toEqual(closedBefore);

    // The API and the page show the new date and why.
    const record = await timer(c.id, 'record');
    expect(record).toMatchObject({ dueOn: '2026-01-20', calendarVersion: version });
    expect(record.working).toBe(
      '10 working days from Mon 5 Jan 2026 (received): Tue 20 Jan 2026, skipping Fri 9 Jan 2026 (Bank holiday: Proclaimed holiday (England and Wales)).',
    );
    expect(record.skipped).toContainEqual({
      date: '2026-01-09',
      reason: 'Bank holiday: Proclaimed holiday (England and Wales)',
    });
    const html = (await page.get(`/complaints/${c.id}`)).body;
    expect(html).toContain(formatDate('2026-01-20'));
    expect(html).toContain('Tue 20 Jan 2026, skipping Fri 9 Jan 2026');
    expect(html).not.toContain(formatDate('2026-01-19'));
    const detail = await a.get(u.cw, c.id);
    expect(detail.timeline.map((e: { reasons: string | null }) => e.reasons)).toContain(
      'Record the complaint date moved from Mon 19 Jan to Tue 20 Jan 2026: 9 Jan (England and Wales) added',
    );
    // The assignee-less complaint's note goes to those on its access list, reference only.
    const [moved] = await t.db.sql`select "to", subject, text_body from email_messages
      where subject_type = 'complaint' and subject_ref = ${c.id} and subject like '%Due date moved'`;
    expect(moved!.subject).toBe(`[${c.reference}] Due date moved`);
    expect(moved!.to).toContain(u.caseworker.email);
    expect(moved!.text_body).not.toContain('Alex Complainant');

    // A rerun finds nothing left to do.
    expect(await rebuild()).toEqual({ cases: 0, moved: 0 });

    await t.app.services.deadlines.confirmRemoval(adminActor(), {
      division: 'england-and-wales',
      date: '2026-01-09',
    });
    await rebuild();
    expect((await live(c.id)).map((r) => [r.kind, r.due_on, r.generation])).toEqual([
      ['first_contact', '2026-01-12', 1],
      ['record', '2026-01-19', 1],
    ]);
    expect((await timer(c.id, 'record')).working).toBe(
      '10 working days from Mon 5 Jan 2026 (received): Mon 19 Jan 2026.',
    );
  });
});
