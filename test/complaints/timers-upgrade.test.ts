/**
 * The upgrade to complaint timers on the shared clock (migration 0035): timers and reminder
 * stages the earlier release stored in complaint_timers and complaint_reminders are copied
 * onto the clock with their generations, so a stage already sent is not sent again, and
 * the queued rebuild works them out again under the complaints regime.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { api, team, type Team } from './fixtures.js';

// Mon 12 Jan 2026, 10:00 London: the first-contact target (Mon 12 Jan) is due today.
const t = useTestApp({ now: '2026-01-12T10:00:00Z' });
let u: Team;
let a: ReturnType<typeof api>;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
});

const OLD = JSON.stringify({ text: 'old wording', basis: 'Office target', skipped: [] });
const MIGRATION = readFileSync(
  new URL('../../db/migrations/0035_complaint_timers_on_the_clock.sql', import.meta.url),
  'utf8',
);

describe('upgrading complaint timers onto the clock', () => {
  it('copies the earlier release’s timers and sent stages; the rebuild keeps generations and sends no stage twice', async () => {
    const c = await a.create(u.cw, { receivedAt: '2026-01-05' });
    // As the earlier release left it: its own rows, none on the clock.
    await t.db.sql`delete from case_deadlines where subject_id = ${c.id}`;
    await t.db.sql`insert into complaint_timers
      (complaint_id, kind, generation, start_on, due_on, stopped, explanation, calendar_version, created_at)
      values
      (${c.id}, 'first_contact', 3, '2026-01-05', '2026-01-12', false,
       ${OLD}::jsonb, 1, now()),
      (${c.id}, 'record', 3, '2026-01-05', '2026-01-19', false,
       ${OLD}::jsonb, 1, now())`;
    await t.db.sql`insert into complaint_reminders
      (complaint_id, kind, generation, stage, due_on, status, created_at, sent_at)
      values (${c.id}, 'first_contact', 3, 'due', '2026-01-12', 'sent', now(), now())`;

    await t.db.sql.unsafe(MIGRATION.replaceAll('--> statement-breakpoint', ''));

    const copied = await t.db.sql`select kind, generation, due_on::text as due_on, calendar_version
      from case_deadlines where subject_id = ${c.id} and superseded_at is null order by kind`;
    expect(copied).toEqual([
      { kind: 'first_contact', generation: 3, due_on: '2026-01-12', calendar_version: -1 },
      { kind: 'record', generation: 3, due_on: '2026-01-19', calendar_version: -1 },
    ]);
    const [queued] = await t.db
      .sql`select payload from outbox where topic = 'deadline-rebuild' order by id desc limit 1`;
    expect(queued).toBeDefined();

    expect((await t.app.services.deadlines.rebuild()).cases).toBeGreaterThanOrEqual(1);
    const rebuilt = await t.db.sql`select kind, generation, due_on::text as due_on,
        explanation->'notes'->>0 as working
      from case_deadlines where subject_id = ${c.id} and superseded_at is null order by kind`;
    expect(rebuilt).toEqual([
      {
        kind: 'first_contact',
        generation: 3,
        due_on: '2026-01-12',
        working: '5 working days from Mon 5 Jan 2026 (received): Mon 12 Jan 2026.',
      },
      {
        kind: 'record',
        generation: 3,
        due_on: '2026-01-19',
        working: '10 working days from Mon 5 Jan 2026 (received): Mon 19 Jan 2026.',
      },
    ]);

    // The due-today stage of the first-contact target went out before the upgrade: not again.
    const { toSend } = await t.app.services.deadlines.scan();
    for (const id of toSend) await t.app.services.deadlines.notify(id);
    const stages = await t.db.sql`select kind, stage, status from deadline_notifications
      where subject_id = ${c.id} order by kind, stage`;
    expect(stages).toEqual([{ kind: 'first_contact', stage: 'due_today', status: 'sent' }]);
    const [emails] = await t.db.sql`select count(*)::int as n from email_messages
      where subject_type = 'complaint' and subject_ref = ${c.id} and message_id like 'dl-%'`;
    expect(emails!.n).toBe(0);
  });
});
