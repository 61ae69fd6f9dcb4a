/**
 * Retention (docs/rules/surgeries.md §8, docs/rules/security.md §8) under a fixed clock: access needs are deleted
 * 30 days after the surgery; names, contact details, free text and notes 12 months after,
 * unless a case was opened from the booking. Statistics fields stay.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/platform/audit.js';
import { REMOVED } from '../../server/surgeries/retention.js';
import { schedules } from '../../workers/jobs/index.js';
import { TEST_NOW } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { bookApi, count, createSurgery, personBody } from './helpers.js';

const t = useTestApp();
let staff: Actor;
beforeAll(async () => {
  const user = await t.user('caseworker');
  staff = { id: user.id, role: 'caseworker', requestId: null };
});

interface Row {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  topic: string | null;
  topic_detail: string | null;
  adjustments: string | null;
  area: string | null;
  status: string;
}
const rowOf = async (email: string) => {
  const [row] = await t.db.sql<Row[]>`
    select id, name, email, phone, topic, topic_detail, adjustments, area, status
    from surgery_booking where id = (select id from surgery_booking where email = ${email})`;
  return row!;
};
const rowById = async (id: string) => {
  const [row] = await t.db.sql<Row[]>`
    select id, name, email, phone, topic, topic_detail, adjustments, area, status
    from surgery_booking where id = ${id}`;
  return row!;
};
const sweep = () => t.app.services.surgeries.retention.sweep();

describe('surgery retention sweep', () => {
  it('is scheduled nightly', () => {
    expect(schedules.find((s) => s.job === 'surgery-retention-sweep')?.pattern).toBe('50 2 * * *');
  });

  it('deletes access needs at 30 days and personal details at 12 months, except where a case holds them', async () => {
    t.clock.set(TEST_NOW);
    // Tuesday 8 December 2026, 2pm to 3pm (UTC in winter): ends 15:00Z.
    const { slots } = await createSurgery(t, { date: '2026-12-08' });
    const people = [0, 1, 2].map(() =>
      personBody({
        phone: '07700 900123',
        area: 'huntingdonshire',
        topicDetail: 'Speeding on my street',
        adjustments: 'Wheelchair access',
      }),
    );
    for (const [i, person] of people.entries()) {
      expect((await bookApi(t, { slotId: slots[i]!.id, ...person })).statusCode).toBe(201);
    }
    const [plain, noted, cased] = await Promise.all(people.map((p) => rowOf(p.email)));
    await t.app.services.surgeries.day.addNote(staff, noted!.id, 'Told us about a neighbour');
    await t.app.services.surgeries.day.openCase(staff, cased!.id);

    // 29 days after: nothing yet.
    t.clock.set('2027-01-06T15:00:00Z');
    expect((await sweep()).accessNeeds).toBe(0);
    expect((await rowById(plain!.id)).adjustments).toBe('Wheelchair access');

    // 30 days after: access needs gone from every booking, the rest kept.
    t.clock.set('2027-01-07T15:00:00Z');
    expect(await sweep()).toEqual({ accessNeeds: 3, bookings: 0, surgeries: 0 });
    for (const id of [plain!.id, noted!.id, cased!.id]) {
      const row = await rowById(id);
      expect(row.adjustments).toBeNull();
      expect(row.name).not.toBe(REMOVED);
    }

    // A minute short of 12 months: still kept.
    t.clock.set('2027-12-08T14:59:00Z');
    expect((await sweep()).bookings).toBe(0);

    // 12 months after: cleared, but not the booking a case was opened from.
    t.clock.set('2027-12-08T15:00:00Z');
    expect(await sweep()).toEqual({ accessNeeds: 0, bookings: 2, surgeries: 1 });
    for (const id of [plain!.id, noted!.id]) {
      const row = await rowById(id);
      expect(row).toMatchObject({
        name: REMOVED,
        email: `removed-${id}@invalid`,
        phone: null,
        topic_detail: null,
        adjustments: null,
        // Kept for the statistics.
        topic: 'communities',
        area: 'huntingdonshire',
        status: 'confirmed',
      });
    }
    expect(await rowById(cased!.id)).toMatchObject({
      name: people[2]!.name,
      email: people[2]!.email,
      topic_detail: 'Speeding on my street',
    });
    expect(
      await count(t, 'surgery_note', `booking_id = '${noted!.id}' and body = '${REMOVED}'`),
    ).toBe(1);
    expect(
      await count(t, 'audit_events', `action = 'surgeries.retention.clear'`),
    ).toBeGreaterThanOrEqual(1);
    const everything = JSON.stringify(
      await t.db.sql`select * from surgery_booking where id in (${plain!.id}, ${noted!.id})`,
    );
    expect(everything).not.toContain(people[0]!.name);
    expect(everything).not.toContain('07700');

    // Idempotent: a second night finds nothing left to clear.
    expect(await sweep()).toEqual({ accessNeeds: 0, bookings: 0, surgeries: 0 });
    t.clock.set(TEST_NOW);
  });
});
