/**
 * Demo surgeries (docs/rules/surgeries.md): six past monthly surgeries with bookings,
 * attendance, no-shows, a cancellation and a case opened from a conversation, one street
 * surgery with conversations logged, and three upcoming surgeries open for booking. Made
 * through the real services with the seed clock moved to each moment. Idempotent.
 */
import { sql } from 'drizzle-orm';
import { addDays, londonDateOf } from '../../server/lib/dates.js';
import type { SeedContext } from './context.js';
import { prng } from './random.js';

const VENUES = [
  {
    name: 'Huntingdon Library',
    address: 'Princes Street, Huntingdon',
    postcode: 'PE29 3PA',
    area: 'huntingdonshire',
  },
  { name: 'Wisbech Library', address: 'Ely Place, Wisbech', postcode: 'PE13 1EU', area: 'fenland' },
  {
    name: 'Cambridge Central Library',
    address: 'Lion Yard, Cambridge',
    postcode: 'CB2 3QD',
    area: 'cambridge',
  },
  {
    name: 'Peterborough Town Hall',
    address: 'Bridge Street, Peterborough',
    postcode: 'PE1 1HG',
    area: 'peterborough',
  },
  {
    name: 'Ely Library',
    address: 'The Cloisters, Ely',
    postcode: 'CB7 4ZH',
    area: 'east-cambridgeshire',
  },
  {
    name: 'Cambourne Hub',
    address: 'High Street, Cambourne',
    postcode: 'CB23 6GW',
    area: 'south-cambridgeshire',
  },
] as const;
const FIRST = [
  'Amira',
  'Ben',
  'Chloe',
  'Dev',
  'Ellen',
  'Farid',
  'Grace',
  'Harry',
  'Isla',
  'Jon',
  'Kiran',
  'Lucy',
];
const LAST = [
  'Ahmed',
  'Barker',
  'Clarke',
  'Dhillon',
  'Evans',
  'Fisher',
  'Gill',
  'Hughes',
  'Iqbal',
  'Jones',
];
const TOPICS = [
  'victims',
  'offenders',
  'communities',
  'communities',
  'transformation',
  'other',
] as const;

export async function seedSurgeries(ctx: SeedContext): Promise<void> {
  const { db, services, clock, system } = ctx;
  const [existing] = await db.execute<{ n: number }>(sql`select count(*)::int as n from surgery`);
  if (Number(existing?.n ?? 0) > 0) return;
  const s = services.surgeries;
  const random = prng(42);
  const realNow = clock.now();
  const today = londonDateOf(realNow);
  let n = 0;
  const person = () => {
    n += 1;
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.${n}@example.org`.toLowerCase(),
      area: random.pick(VENUES).area,
      topic: random.pick(TOPICS),
    };
  };

  // Six past surgeries, one a month, created and booked six weeks before each.
  for (let month = 6; month >= 1; month -= 1) {
    const date = addDays(today, -30 * month);
    const venue = VENUES[month % VENUES.length]!;
    clock.set(new Date(realNow.getTime() - (30 * month + 42) * 86_400_000));
    const { surgery, slots } = await s.schedule.create(system, {
      title: `${venue.name.split(' ')[0]} surgery`,
      host: month % 3 === 0 ? 'deputy' : 'commissioner',
      area: venue.area,
      venue: {
        name: venue.name,
        address: venue.address,
        postcode: venue.postcode,
        accessNotes: 'Step-free entrance; hearing loop',
      },
      date,
      startTime: '14:00',
      endTime: '16:00',
    });
    const ids: string[] = [];
    for (const slot of slots.slice(0, 5 + (month % 3))) {
      const booked = await s.booking.book(system, slot.id, person(), { channel: 'online' });
      ids.push(booked.id);
    }
    await s.booking.cancelById(system, ids.pop()!, 'person');
    clock.set(new Date(surgery.endsAt.getTime() + 3_600_000));
    for (const [i, id] of ids.entries())
      await s.day.setAttendance(system, id, i === 1 ? 'no_show' : 'attended');
    await s.day.addNote(
      system,
      ids[0]!,
      'Raised anti-social behaviour near the bus station; asked for a reply.',
    );
    await s.day.openCase(system, ids[0]!);
  }

  // A street surgery last month with conversations logged.
  clock.set(new Date(realNow.getTime() - 40 * 86_400_000));
  const street = await s.schedule.create(system, {
    kind: 'street',
    title: 'March market street surgery',
    host: 'commissioner',
    area: 'fenland',
    streetLocation: 'Market Place, March',
    date: addDays(today, -35),
    startTime: '10:00',
    endTime: '12:00',
  });
  for (const topic of ['communities', 'communities', 'victims', 'transformation'])
    await s.day.logConversation(system, street.surgery.id, {
      area: 'fenland',
      topic,
      summary: 'Spoke to the Commissioner at the market stall.',
    });

  // Three upcoming surgeries, open for booking, partly booked.
  clock.set(realNow);
  for (let i = 1; i <= 3; i += 1) {
    const venue = VENUES[(i + 2) % VENUES.length]!;
    const { slots } = await s.schedule.create(system, {
      title: `${venue.name.split(' ')[0]} surgery`,
      host: i === 2 ? 'deputy' : 'commissioner',
      area: venue.area,
      venue: {
        name: venue.name,
        address: venue.address,
        postcode: venue.postcode,
        accessNotes: 'Step-free entrance',
      },
      date: addDays(today, 14 * i),
      startTime: '14:00',
      endTime: '16:00',
    });
    for (const slot of slots.slice(0, 4 - i)) await s.booking.book(system, slot.id, person());
  }
}
