import type { TestApp } from '../helpers/app.js';
import { systemActor } from '../../server/platform/audit.js';
import type { NewSurgeryInput } from '../../server/surgeries/schedule.js';

let ip = 0;
/** A fresh client IP per request, so per-IP rate limits do not interfere with a test. */
export const nextIp = () => {
  ip += 1;
  return `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
};

/** A published public surgery through the real schedule service. */
export async function createSurgery(t: TestApp, input: Partial<NewSurgeryInput> = {}) {
  return t.app.services.surgeries.schedule.create(systemActor(), {
    title: 'Huntingdon surgery',
    host: 'commissioner',
    area: 'huntingdonshire',
    venue: {
      name: 'Huntingdon Library',
      address: 'Princes Street',
      postcode: 'PE29 3PA',
      accessNotes: 'Step-free entrance',
    },
    date: '2026-12-08',
    startTime: '14:00',
    endTime: '15:00',
    slotMinutes: 15,
    placesPerSlot: 1,
    ...input,
  });
}

let person = 0;
export const personBody = (overrides: Record<string, string> = {}) => {
  person += 1;
  return {
    name: `Alex Person ${person}`,
    email: `alex.person${person}@example.org`,
    topic: 'communities',
    ...overrides,
  };
};

export function bookApi(
  t: TestApp,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/public/bookings',
    remoteAddress: nextIp(),
    headers,
    payload: body,
  });
}

export async function count(t: TestApp, table: string, where = 'true') {
  const [row] = await t.db.sql.unsafe<{ n: number }[]>(
    `select count(*)::int as n from ${table} where ${where}`,
  );
  return row!.n;
}

export async function slotBooked(t: TestApp, slotId: string) {
  const [row] = await t.db.sql<
    { booked: number }[]
  >`select booked from surgery_slot where id = ${slotId}`;
  return row!.booked;
}
