/** The surgeries demo data module: made through the services, once. */
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { seedSurgeries } from '../../scripts/seed/surgeries.js';
import { count } from './helpers.js';

const t = useTestApp();

describe('seedSurgeries', () => {
  it('makes past, street and upcoming surgeries with bookings and attendance, and only once', async () => {
    const ctx = {
      db: t.db.db,
      services: t.app.services,
      clock: t.clock,
      system: { id: null, role: 'system', requestId: 'seed' },
      staffIds: [],
      managerId: '',
    };
    await seedSurgeries(ctx);
    expect(await count(t, 'surgery')).toBe(10);
    expect(await count(t, 'street_conversation')).toBe(4);
    expect(await count(t, 'surgery_booking', `attendance = 'no_show'`)).toBe(6);
    expect(await count(t, 'surgery_booking', `case_id is not null`)).toBe(6);
    const upcoming = (await t.app.inject({ url: '/api/public/surgeries' })).json<unknown[]>();
    expect(upcoming).toHaveLength(3);
    const bookings = await count(t, 'surgery_booking');
    await seedSurgeries(ctx);
    expect(await count(t, 'surgery_booking')).toBe(bookings);
    expect(t.clock.now().toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });
});
