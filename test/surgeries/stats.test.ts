/** §11 B15: surgery figures for a seeded financial year equal hand-computed values. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage } from '../helpers/auth.js';
import { systemActor } from '../../server/platform/audit.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp({ now: '2026-05-01T09:00:00Z' });
const actor = systemActor();
beforeAll(async () => {
  const s = t.app.services.surgeries;
  const book = async (slotId: string) => {
    const me = personBody();
    const r = await bookApi(t, { slotId, ...me });
    expect(r.statusCode).toBe(201);
    const [row] = await t.db.sql<
      { id: string }[]
    >`select id from surgery_booking where email = ${me.email}`;
    return row!.id;
  };
  // S1: June, Commissioner, Huntingdonshire, 4 places. A attended (case), B no-show, C cancelled late.
  const s1 = await createSurgery(t, { date: '2026-06-09' });
  const [a, b, c] = [
    await book(s1.slots[0]!.id),
    await book(s1.slots[1]!.id),
    await book(s1.slots[2]!.id),
  ];
  // S2: July, Deputy, Fenland, 8 places; D and E booked, then the office cancels the surgery.
  const s2 = await createSurgery(t, {
    date: '2026-07-14',
    host: 'deputy',
    area: 'fenland',
    placesPerSlot: 2,
  });
  await book(s2.slots[0]!.id);
  await book(s2.slots[1]!.id);
  await s.schedule.cancel(actor, s2.surgery.id, 'Venue unavailable');
  // S3: June, Commissioner, Cambridge, 2 places; full; two join the list; F cancels, W1 accepts.
  const s3 = await createSurgery(t, { date: '2026-06-10', area: 'cambridge', endTime: '14:30' });
  const f = await book(s3.slots[0]!.id);
  const g = await book(s3.slots[1]!.id);
  await s.waitlist.join(actor, s3.surgery.id, personBody());
  await s.waitlist.join(actor, s3.surgery.id, personBody());
  await s.booking.cancelById(actor, f, 'person');
  expect(await s.waitlist.offer(s3.surgery.id, s3.slots[0]!.id)).toBe('offered');
  const [held] = await t.db.sql<{ id: string }[]>`
    select offer_booking_id as id from surgery_waitlist where surgery_id = ${s3.surgery.id} and status = 'offered'`;
  await t.db
    .sql`update surgery_waitlist set status = 'accepted' where offer_booking_id = ${held!.id}`;
  await t.db
    .sql`update surgery_booking set status = 'confirmed', confirmed_at = ${t.clock.now().toISOString()}, hold_expires_at = null where id = ${held!.id}`;
  // A street surgery: two conversations about victims.
  const street = await createSurgery(t, {
    kind: 'street',
    streetLocation: 'Market Square, Ely',
    date: '2026-06-20',
    venue: undefined,
  });
  await s.day.logConversation(actor, street.surgery.id, {
    area: 'east-cambridgeshire',
    topic: 'victims',
  });
  await s.day.logConversation(actor, street.surgery.id, {
    area: 'east-cambridgeshire',
    topic: 'victims',
  });
  // On the day, C cancels four hours before.
  t.clock.set('2026-06-09T09:00:00Z');
  await s.booking.cancelById(actor, c, 'person');
  t.clock.set('2027-04-10T09:00:00Z');
  await s.day.setAttendance(actor, a, 'attended');
  await s.day.setAttendance(actor, b, 'no_show');
  await s.day.setAttendance(actor, g, 'attended');
  await s.day.openCase(actor, a);
});

const june = {
  held: 2,
  cancelled: 0,
  places: 6,
  bookings: 6,
  fillRate: 66.7,
  cancelledByPerson: 2,
  cancelledByOffice: 0,
  cancelledLate: 1,
  attended: 2,
  noShows: 1,
  unmarked: 1,
  noShowRate: 33.3,
  waitlistJoined: 2,
  waitlistOffered: 1,
  waitlistAccepted: 1,
  waitlistExpired: 0,
  casesCreated: 1,
};
const july = {
  held: 0,
  cancelled: 1,
  places: 0,
  bookings: 2,
  fillRate: null,
  cancelledByPerson: 0,
  cancelledByOffice: 2,
  cancelledLate: 0,
  attended: 0,
  noShows: 0,
  unmarked: 0,
  noShowRate: null,
  waitlistJoined: 0,
  waitlistOffered: 0,
  waitlistAccepted: 0,
  waitlistExpired: 0,
  casesCreated: 0,
};

describe('B15: figures for April 2026 to March 2027', () => {
  it('by month', async () => {
    expect(await t.app.services.surgeries.stats.figures(2026, 'month')).toEqual([
      { key: '2026-06', ...june },
      { key: '2026-07', ...july },
    ]);
  });
  it('by host and by area', async () => {
    const stats = t.app.services.surgeries.stats;
    expect(await stats.figures(2026, 'host')).toEqual([
      { key: 'commissioner', ...june },
      { key: 'deputy', ...july },
    ]);
    const byArea = await stats.figures(2026, 'area');
    expect(byArea.map((r) => [r.key, r.places, r.bookings, r.attended])).toEqual([
      ['cambridge', 2, 3, 1],
      ['fenland', 0, 2, 0],
      ['huntingdonshire', 4, 3, 1],
    ]);
  });
  it('topics from bookings and street conversations; another year is empty', async () => {
    const stats = t.app.services.surgeries.stats;
    expect(await stats.topics(2026)).toEqual([
      { topic: 'communities', bookings: 7, streetTalks: 0 },
      // The place taken from the waiting list was never asked a topic.
      { topic: 'other', bookings: 1, streetTalks: 0 },
      { topic: 'victims', bookings: 0, streetTalks: 2 },
    ]);
    expect(await stats.figures(2025, 'month')).toEqual([]);
  });
  it('managers see the page and download the CSV; caseworkers cannot', async () => {
    const manager = await signInPage(t.app, await createUser(t.app, 'manager'));
    const page = await manager.get('/stats/surgeries?year=2026');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('April 2026 to March 2027');
    expect(page.body).toContain('66.7%');
    const index = await manager.get('/stats');
    expect(index.body).toContain('href="/stats/surgeries"');
    const csv = await manager.get('/stats/surgeries.csv?year=2026&by=month');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Month,Surgeries held,Surgeries cancelled,Places,Bookings,Fill rate (%),Cancelled by the person,Cancelled by the office,Cancelled late (under 24 hours),Attended,No-shows,Not marked,No-show rate (%),Waiting list joined,Offered,Accepted,Expired,Cases created',
    );
    expect(lines[1]).toBe('2026-06,2,0,6,6,66.7,2,0,1,2,1,1,33.3,2,1,1,0,1');
    const caseworker = await signInPage(t.app, await createUser(t.app, 'caseworker'));
    expect((await caseworker.get('/stats/surgeries')).statusCode).toBe(403);
  });
});
