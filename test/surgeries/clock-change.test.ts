/**
 * §11 B13: surgeries on the clock-change Sundays of 2026 and 2027 show and book at the right
 * London time, with the right .ics and reminder instants.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, createUser } from '../helpers/auth.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp({ now: '2026-01-05T10:00:00Z' });
beforeAll(async () => {
  await t.startWorkers();
});

const CASES = [
  {
    date: '2026-03-29',
    day: 'Sunday 29 March 2026',
    tenAm: '09:00',
    twoPm: '13:00',
    reminder: '2026-03-28T10:00:00.000Z',
    hours: 23,
  },
  {
    date: '2026-10-25',
    day: 'Sunday 25 October 2026',
    tenAm: '10:00',
    twoPm: '14:00',
    reminder: '2026-10-24T09:00:00.000Z',
    hours: 25,
  },
  {
    date: '2027-03-28',
    day: 'Sunday 28 March 2027',
    tenAm: '09:00',
    twoPm: '13:00',
    reminder: '2027-03-27T10:00:00.000Z',
    hours: 23,
  },
  {
    date: '2027-10-31',
    day: 'Sunday 31 October 2027',
    tenAm: '10:00',
    twoPm: '14:00',
    reminder: '2027-10-30T09:00:00.000Z',
    hours: 25,
  },
];

describe.each(CASES)('$day', ({ date, day, tenAm, twoPm, hours }) => {
  it(`10am is stored ${tenAm}Z, 2pm shows "2pm", the .ics agrees and the reminder is ${hours} h before`, async () => {
    const { surgery, slots } = await createSurgery(t, {
      date,
      startTime: '10:00',
      endTime: '14:15',
      slotMinutes: 15,
    });
    expect(slots[0]!.startsAt.toISOString()).toBe(`${date}T${tenAm}:00.000Z`);
    const twoPmSlot = slots.at(-1)!;
    expect(twoPmSlot.startsAt.toISOString()).toBe(`${date}T${twoPm}:00.000Z`);
    const listed = (await t.app.inject({ url: '/api/public/surgeries' })).json<
      Array<{ id: string; when: string; slots: Array<{ id: string; time: string }> }>
    >();
    const shown = listed.find((s) => s.id === surgery.id)!;
    expect(shown.when).toBe(`${day}, 10am to 2:15pm`);
    expect(shown.slots[0]!.time).toBe('10am');
    expect(shown.slots.find((s) => s.id === twoPmSlot.id)!.time).toBe('2pm');

    const me = personBody();
    expect((await bookApi(t, { slotId: twoPmSlot.id, ...me })).statusCode).toBe(201);
    const [row] = await t.db.sql<{ reminder_due_at: string }[]>`
      select reminder_due_at from surgery_booking where email = ${me.email}`;
    const due = new Date(row!.reminder_due_at);
    expect(twoPmSlot.startsAt.getTime() - due.getTime()).toBe(hours * 3_600_000);
    let mail;
    await expect
      .poll(() => (mail = t.sink.messages.find((m) => m.envelopeTo.includes(me.email))), {
        timeout: 10_000,
      })
      .toBeTruthy();
    const ics = mail!.parsed.attachments[0]!.content.toString('utf8');
    expect(ics).toContain(`DTSTART:${date.replace(/-/g, '')}T${twoPm.replace(':', '')}00Z`);
    expect(mail!.parsed.text).toContain(`${day} at 2pm`);
  });
});

describe('the reminder instants of B13 at 10am', () => {
  it.each(CASES)('$day: due $reminder', async ({ date, reminder }) => {
    const { slots } = await createSurgery(t, { date, startTime: '10:00', endTime: '10:15' });
    const me = personBody();
    expect((await bookApi(t, { slotId: slots[0]!.id, ...me })).statusCode).toBe(201);
    const [row] = await t.db.sql<{ reminder_due_at: string }[]>`
      select reminder_due_at from surgery_booking where email = ${me.email}`;
    expect(new Date(row!.reminder_due_at).toISOString()).toBe(reminder);
  });
});

describe('the hours the clocks skip and repeat', () => {
  it('slots from 00:30 to 03:00 on 29 March 2026 skip 01:xx', async () => {
    const user = await createUser(t.app, 'caseworker');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/surgeries',
      headers: bearer(await apiToken(t.app, user)),
      payload: {
        title: 'Night-time surgery',
        venue: 'Night shelter',
        startsAt: '2026-03-29T00:30:00Z',
        endsAt: '2026-03-29T02:00:00Z',
        slotMinutes: 15,
        placesPerSlot: 1,
      },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<{ id: string; slots: Array<{ startsAt: string }> }>();
    expect(created.slots.map((s) => s.startsAt)).toEqual([
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T00:45:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:15:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T01:45:00.000Z',
    ]);
    const listed = (await t.app.inject({ url: '/api/public/surgeries' })).json<
      Array<{ id: string; slots: Array<{ time: string }> }>
    >();
    expect(listed.find((s) => s.id === created.id)!.slots.map((s) => s.time)).toEqual([
      '12:30am',
      '12:45am',
      '2am',
      '2:15am',
      '2:30am',
      '2:45am',
    ]);
  });

  it('a start time the clocks skip is refused on the staff form; a repeated one takes BST', async () => {
    await expect(
      createSurgery(t, { date: '2026-03-29', startTime: '01:30', endTime: '03:00' }),
    ).rejects.toMatchObject({
      fields: { startTime: 'The clocks go forward at that time: choose another start time' },
    });
    const { slots } = await createSurgery(t, {
      date: '2026-10-25',
      startTime: '01:30',
      endTime: '01:45',
    });
    expect(slots[0]!.startsAt.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
