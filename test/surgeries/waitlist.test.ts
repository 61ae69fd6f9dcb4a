/** §11 B12 (and B6 for offer links): a freed place goes down the waiting list in order. */
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_NOW } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { csrfFrom } from '../helpers/auth.js';
import { FormSession } from '../intake/helpers.js';
import { systemActor } from '../../server/platform/audit.js';
import { bookApi, createSurgery, nextIp, personBody, slotBooked } from './helpers.js';

const t = useTestApp();
beforeAll(async () => {
  await t.startWorkers();
});

const waitlist = () => t.app.services.surgeries.waitlist;

async function fullSurgeryWithList(date: string, waiting = 3) {
  const { surgery, slots } = await createSurgery(t, { date, startTime: '14:00', endTime: '14:30' });
  const booked: string[] = [];
  for (const slot of slots) {
    const response = await bookApi(t, { slotId: slot.id, ...personBody() });
    expect(response.statusCode).toBe(201);
    booked.push(response.json<{ reference: string }>().reference);
  }
  const people = Array.from({ length: waiting }, () => personBody());
  for (const p of people) {
    t.clock.advance(60_000);
    const form = new FormSession(t.app, nextIp());
    const page = await form.get(`/surgeries/waiting-list/${surgery.id}`);
    const joined = await form.post(
      { _csrf: csrfFrom(page.body), name: p.name, email: p.email, phone: '' },
      `/surgeries/waiting-list/${surgery.id}`,
    );
    expect(joined.statusCode).toBe(200);
    expect(joined.body).toContain('You are on the waiting list');
  }
  const bookings = await t.db.sql<{ id: string; slot_id: string }[]>`
    select id, slot_id from surgery_booking where surgery_id = ${surgery.id} and status = 'confirmed' order by created_at`;
  return { surgery, slots, people, bookings };
}

const offersTo = (email: string) =>
  t.sink.messages.filter(
    (m) =>
      m.envelopeTo.includes(email) &&
      (m.parsed.subject ?? '').startsWith('A surgery appointment is free'),
  );
const entries = (surgeryId: string) =>
  t.db.sql<{ email: string; status: string }[]>`
    select email, status from surgery_waitlist where surgery_id = ${surgeryId} order by joined_at, id`;
const offerToken = (mail: { parsed: { text?: string } }) =>
  /\/surgeries\/offer\/([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '')![1]!;

describe('B12: the waiting list', () => {
  it('one cancellation offers to the first; expiry moves it to the second; a late accept is expired', async () => {
    t.clock.set(TEST_NOW);
    const { surgery, people, bookings } = await fullSurgeryWithList('2026-12-08');
    // Joining is refused while places are free.
    await t.app.services.surgeries.booking.cancelById(systemActor(), bookings[0]!.id, 'person');
    await expect.poll(() => offersTo(people[0]!.email).length, { timeout: 10_000 }).toBe(1);
    expect(offersTo(people[1]!.email)).toHaveLength(0);
    expect((await entries(surgery.id)).map((e) => e.status)).toEqual([
      'offered',
      'waiting',
      'waiting',
    ]);
    expect(await slotBooked(t, bookings[0]!.slot_id)).toBe(1); // held for the first person
    const firstToken = offerToken(offersTo(people[0]!.email)[0]!);

    // B6: opening the offer link (GET, HEAD) changes nothing.
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await t.app.inject({ method, url: `/surgeries/offer/${firstToken}` });
      expect(response.statusCode).toBe(200);
    }
    expect((await entries(surgery.id))[0]!.status).toBe('offered');

    // Four hours later the hold lapses; the sweep offers the place to the second person.
    t.clock.advance(4 * 60 * 60_000 + 60_000);
    expect((await waitlist().sweepHolds()).expired).toBe(1);
    await expect.poll(() => offersTo(people[1]!.email).length, { timeout: 10_000 }).toBe(1);
    expect((await entries(surgery.id)).map((e) => e.status)).toEqual([
      'expired',
      'offered',
      'waiting',
    ]);

    // The first person accepts too late.
    const form = new FormSession(t.app);
    const page = await form.get(`/surgeries/offer/${firstToken}`);
    expect(page.body).toContain('This offer has expired');
    const secondToken = offerToken(offersTo(people[1]!.email)[0]!);
    const page2 = await form.get(`/surgeries/offer/${secondToken}`);
    const late = await form.post(
      { _csrf: csrfFrom(page2.body), token: firstToken, decision: 'accept' },
      '/surgeries/offer',
    );
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('This offer has expired');

    // The second accepts in time: confirmed, with a REQUEST .ics.
    const accepted = await form.post(
      { _csrf: csrfFrom(page2.body), token: secondToken, decision: 'accept' },
      '/surgeries/offer',
    );
    expect(accepted.statusCode).toBe(200);
    expect(accepted.body).toContain('Booking confirmed');
    expect((await entries(surgery.id)).map((e) => e.status)).toEqual([
      'expired',
      'accepted',
      'waiting',
    ]);
    expect(await slotBooked(t, bookings[0]!.slot_id)).toBe(1);
    t.clock.set(TEST_NOW);
  });

  it('two cancellations make two offers, in order', async () => {
    t.clock.set(TEST_NOW);
    const { surgery, people, bookings } = await fullSurgeryWithList('2026-12-09');
    await t.app.services.surgeries.booking.cancelById(systemActor(), bookings[0]!.id, 'person');
    await t.app.services.surgeries.booking.cancelById(systemActor(), bookings[1]!.id, 'office');
    await expect.poll(() => offersTo(people[1]!.email).length, { timeout: 10_000 }).toBe(1);
    // The two offer emails are sent in parallel: the first may arrive second.
    await expect.poll(() => offersTo(people[0]!.email).length, { timeout: 10_000 }).toBe(1);
    expect(offersTo(people[2]!.email)).toHaveLength(0);
    expect((await entries(surgery.id)).map((e) => e.status)).toEqual([
      'offered',
      'offered',
      'waiting',
    ]);
    t.clock.set(TEST_NOW);
  });

  it('B6: GET and HEAD on the emailed offer link change nothing (the hold, the entry, the slot)', async () => {
    t.clock.set(TEST_NOW);
    const { surgery, people, bookings } = await fullSurgeryWithList('2026-12-11', 1);
    await t.app.services.surgeries.booking.cancelById(systemActor(), bookings[0]!.id, 'person');
    await expect.poll(() => offersTo(people[0]!.email).length, { timeout: 10_000 }).toBe(1);
    const token = offerToken(offersTo(people[0]!.email)[0]!);
    const state = async () => ({
      entries: (await entries(surgery.id)).map((e) => e.status),
      booked: await slotBooked(t, bookings[0]!.slot_id),
      held: (
        await t.db.sql<{ status: string; hold_expires_at: Date }[]>`
          select status, hold_expires_at from surgery_booking
          where surgery_id = ${surgery.id} and status = 'held'`
      ).map((b) => [b.status, new Date(b.hold_expires_at).toISOString()]),
    });
    const before = await state();
    expect(before.entries).toEqual(['offered']);
    expect(before.held).toHaveLength(1);
    for (const method of ['GET', 'HEAD', 'GET', 'HEAD'] as const) {
      const response = await t.app.inject({ method, url: `/surgeries/offer/${token}` });
      expect(response.statusCode).toBeLessThan(400);
    }
    expect(await state()).toEqual(before);
    t.clock.set(TEST_NOW);
  });

  it('joining is refused while a time is free', async () => {
    t.clock.set(TEST_NOW);
    const { surgery } = await createSurgery(t, { date: '2026-12-10' });
    const form = new FormSession(t.app);
    const page = await form.get(`/surgeries/waiting-list/${surgery.id}`);
    const refused = await form.post(
      { _csrf: csrfFrom(page.body), ...personBody(), phone: '' },
      `/surgeries/waiting-list/${surgery.id}`,
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('There are still times free at this surgery');
  });
});
