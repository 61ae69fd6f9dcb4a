/** Staff on the day (§8): attendance, notes, open a case, close a slot, move and cancel. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { type PageSession } from '../helpers/auth.js';
import { bookApi, count, createSurgery, personBody, slotBooked } from './helpers.js';

const t = useTestApp();
let staff: PageSession;
beforeAll(async () => {
  await t.startWorkers();
  staff = await t.page(await t.user('caseworker'));
});

async function bookedSurgery(date: string, people = 2) {
  const { surgery, slots } = await createSurgery(t, { date });
  const booked = [];
  for (let i = 0; i < people; i += 1) {
    const me = personBody({
      topicDetail: `Detail ${i}`,
      adjustments: i === 0 ? 'Hearing loop' : '',
    });
    expect((await bookApi(t, { slotId: slots[i]!.id, ...me })).statusCode).toBe(201);
    const [row] = await t.db.sql<{ id: string; reference: string }[]>`
      select id, reference from surgery_booking where email = ${me.email}`;
    booked.push({ ...row!, email: me.email });
  }
  return { surgery, slots, booked, url: `/staff/surgeries/${surgery.id}` };
}

describe('the surgery day page', () => {
  it('shows bookings with topic and adjustments; the read is audited', async () => {
    const { url, booked } = await bookedSurgery('2026-12-08');
    const page = await staff.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(booked[0]!.reference);
    expect(page.body).toContain('Hearing loop');
    expect(page.body).toContain('Safer communities');
    expect(await count(t, 'audit_events', `action = 'surgeries.view'`)).toBeGreaterThan(0);
  });

  it('records attendance and no-shows, and notes of what was raised', async () => {
    const { url, surgery, booked } = await bookedSurgery('2026-12-09');
    const base = `${url}/bookings`;
    expect(
      (await staff.post(`${base}/${booked[0]!.id}/attendance`, { attendance: 'attended' }, url))
        .statusCode,
    ).toBe(303);
    expect(
      (await staff.post(`${base}/${booked[1]!.id}/attendance`, { attendance: 'no_show' }, url))
        .statusCode,
    ).toBe(303);
    expect(
      (
        await staff.post(
          `${base}/${booked[0]!.id}/notes`,
          { note: 'Worried about drug dealing near the park' },
          url,
        )
      ).statusCode,
    ).toBe(303);
    const rows = await t.db.sql<{ attendance: string }[]>`
      select attendance from surgery_booking where surgery_id = ${surgery.id} order by reference`;
    expect(rows.map((r) => r.attendance)).toEqual(['attended', 'no_show']);
    expect(await count(t, 'surgery_note', `booking_id = '${booked[0]!.id}'`)).toBe(1);
    const empty = await staff.post(`${base}/${booked[0]!.id}/notes`, { note: '  ' }, url);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter a note');
    // A repeated field is read as its first value; ids that are not UUIDs are the actions' 404.
    const twice = await staff.post(
      `${base}/${booked[1]!.id}/notes`,
      { note: ['Raised at the door', 'again'], extra: 'x' },
      url,
    );
    expect(twice.statusCode).toBe(303);
    for (const action of [
      `/staff/surgeries/not-a-surgery/publish`,
      `${base}/not-a-booking/notes`,
      `${base}/${surgery.id}/notes`,
    ])
      expect((await staff.post(action, { note: 'x' }, url)).statusCode, action).toBe(404);
  });

  it('"Open a case" makes one correspondence case linked to the booking, with the notes; twice gives the same case', async () => {
    const { url, booked } = await bookedSurgery('2026-12-10', 1);
    const base = `${url}/bookings/${booked[0]!.id}`;
    await staff.post(`${base}/notes`, { note: 'Asked about victim support funding' }, url);
    expect((await staff.post(`${base}/case`, {}, url)).statusCode).toBe(303);
    expect((await staff.post(`${base}/case`, {}, url)).statusCode).toBe(303);
    const cases = await t.db.sql<{ id: string; body: string; source_type: string }[]>`
      select id, body, source_type from cases where source_id = ${booked[0]!.id}`;
    expect(cases).toHaveLength(1);
    expect(cases[0]!.source_type).toBe('surgery_booking');
    expect(cases[0]!.body).toContain('Asked about victim support funding');
    const [row] = await t.db.sql<
      { case_id: string }[]
    >`select case_id from surgery_booking where id = ${booked[0]!.id}`;
    expect(row!.case_id).toBe(cases[0]!.id);
  });

  it('closing a slot stops new bookings there; bookings already made stand', async () => {
    const { url, slots } = await bookedSurgery('2026-12-11', 0);
    expect((await staff.post(`${url}/slots/${slots[0]!.id}/close`, {}, url)).statusCode).toBe(303);
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(response.statusCode).toBe(409);
    expect(await slotBooked(t, slots[0]!.id)).toBe(0);
  });

  it('moving the surgery re-sends REQUEST with SEQUENCE 1 and the same UID to everyone booked', async () => {
    const { url, booked, slots } = await bookedSurgery('2026-12-14');
    const moved = await staff.post(
      `${url}/move`,
      { 'date-day': '15', 'date-month': '12', 'date-year': '2026', startTime: '10:00' },
      url,
    );
    expect(moved.statusCode).toBe(303);
    const [slot] = await t.db.sql<
      { starts_at: string }[]
    >`select starts_at from surgery_slot where id = ${slots[0]!.id}`;
    expect(new Date(slot!.starts_at).toISOString()).toBe('2026-12-15T10:00:00.000Z');
    for (const b of booked) {
      await expect
        .poll(() => t.sink.messages.filter((m) => m.envelopeTo.includes(b.email)).length, {
          timeout: 10_000,
        })
        .toBe(2);
      const [first, second] = t.sink.messages.filter((m) => m.envelopeTo.includes(b.email));
      const ics = (m: typeof first) => m!.parsed.attachments[0]!.content.toString('utf8');
      expect(ics(second)).toContain('SEQUENCE:1');
      expect(ics(second)).toContain('METHOD:REQUEST');
      expect(/UID:.*/.exec(ics(second))![0]).toBe(/UID:.*/.exec(ics(first))![0]);
      expect(second!.parsed.subject).toContain('has changed');
    }
  });

  it('cancelling the surgery sends a calendar CANCEL to everyone booked and frees every place', async () => {
    const { url, booked, slots, surgery } = await bookedSurgery('2026-12-16');
    expect((await staff.post(`${url}/cancel`, { reason: 'Venue flooded' }, url)).statusCode).toBe(
      303,
    );
    for (const b of booked) {
      await expect
        .poll(
          () =>
            t.sink.messages.filter(
              (m) => m.envelopeTo.includes(b.email) && m.parsed.subject!.includes('cancelled'),
            ).length,
          {
            timeout: 10_000,
          },
        )
        .toBe(1);
      const mail = t.sink.messages.find(
        (m) => m.envelopeTo.includes(b.email) && m.parsed.subject!.includes('cancelled'),
      )!;
      expect(mail.parsed.attachments[0]!.content.toString('utf8')).toContain('METHOD:CANCEL');
      expect(mail.parsed.text).toContain('we have had to cancel');
    }
    expect(await slotBooked(t, slots[0]!.id)).toBe(0);
    expect(await slotBooked(t, slots[1]!.id)).toBe(0);
    const listed = (await t.app.inject({ url: '/api/public/surgeries' })).json<
      Array<{ id: string }>
    >();
    expect(listed.map((s) => s.id)).not.toContain(surgery.id);
  });
});
