/** Staff: create surgeries (page and API), street surgeries logged without booking. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { count } from './helpers.js';

const t = useTestApp();
let caseworker: TestUser;
let admin: TestUser;
beforeAll(async () => {
  caseworker = await t.user('caseworker');
  admin = await t.user('admin');
});

describe('creating a surgery', () => {
  it('API: POST /api/surgeries generates 15-minute slots in London time; GET shows places left', async () => {
    const token = await apiToken(t.app, caseworker);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/surgeries',
      headers: bearer(token),
      payload: {
        title: 'St Ives surgery',
        venue: 'St Ives Corn Exchange',
        startsAt: '2026-12-08T14:00:00Z',
        endsAt: '2026-12-08T15:00:00Z',
        slotMinutes: 15,
        placesPerSlot: 2,
      },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<{
      id: string;
      slots: Array<{ id: string; startsAt: string; places: number }>;
    }>();
    expect(created.slots.map((s) => s.startsAt)).toEqual([
      '2026-12-08T14:00:00.000Z',
      '2026-12-08T14:15:00.000Z',
      '2026-12-08T14:30:00.000Z',
      '2026-12-08T14:45:00.000Z',
    ]);
    expect(created.slots.every((s) => s.places === 2)).toBe(true);
    const detail = await t.app.inject({
      url: `/api/surgeries/${created.id}`,
      headers: bearer(token),
    });
    expect(detail.statusCode).toBe(200);
    expect(
      detail.json<{ slots: Array<{ placesLeft: number; bookings: unknown[] }> }>().slots[0],
    ).toMatchObject({
      placesLeft: 2,
      bookings: [],
    });
  });

  it('API: refuses admins (403) and the public (401)', async () => {
    const adminToken = await apiToken(t.app, admin);
    const body = {
      title: 'x',
      venue: 'y',
      startsAt: '2026-12-08T14:00:00Z',
      endsAt: '2026-12-08T15:00:00Z',
      slotMinutes: 15,
      placesPerSlot: 1,
    };
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/surgeries',
          headers: bearer(adminToken),
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/surgeries', payload: body })).statusCode,
    ).toBe(401);
  });

  it('page: names each problem and keeps what was typed; a good form creates and shows the day', async () => {
    const page = await signInPage(t.app, caseworker);
    const bad = await page.post('/staff/surgeries/new', {
      kind: 'public',
      title: 'Wisbech surgery',
      venueName: '',
      host: 'commissioner',
      area: 'fenland',
      'date-day': '31',
      'date-month': '2',
      'date-year': '2027',
      startTime: '25:00',
      endTime: '17:00',
      slotMinutes: '15',
      placesPerSlot: '1',
      minNoticeMinutes: '1440',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#venueName">Enter the venue</a>');
    expect(bad.body).toContain('<a href="#date">Enter a real date for the surgery</a>');
    expect(bad.body).toContain('value="Wisbech surgery"');
    const good = await page.post('/staff/surgeries/new', {
      kind: 'public',
      title: 'Wisbech surgery',
      venueName: 'Wisbech Library',
      venuePostcode: 'PE13 1RA',
      host: 'deputy',
      area: 'fenland',
      'date-day': '12',
      'date-month': '1',
      'date-year': '2027',
      startTime: '10:00',
      endTime: '12:00',
      slotMinutes: '20',
      placesPerSlot: '1',
      minNoticeMinutes: '1440',
    });
    expect(good.statusCode).toBe(303);
    const day = await page.get(good.headers.location!);
    expect(day.statusCode).toBe(200);
    expect(day.body).toContain('Tuesday 12 January 2027, 10am to midday');
    expect(day.body).toContain('data-module="moj-sortable-table"');
    expect(day.body.match(/\/close"/g)).toHaveLength(6);
    const list = await page.get('/staff/surgeries');
    expect(list.body).toContain('Wisbech surgery');
  });

  it('a street surgery has no slots and is logged on the day: where, what was raised', async () => {
    const page = await signInPage(t.app, caseworker);
    const created = await page.post('/staff/surgeries/new', {
      kind: 'street',
      title: 'March market street surgery',
      streetLocation: 'Market Place, March',
      host: 'commissioner',
      area: 'fenland',
      'date-day': '5',
      'date-month': '12',
      'date-year': '2026',
      startTime: '10:00',
      endTime: '12:00',
    });
    expect(created.statusCode).toBe(303);
    const id = created.headers.location!.split('/').pop()!;
    expect(await count(t, 'surgery_slot', `surgery_id = '${id}'`)).toBe(0);
    const logged = await page.post(
      `/staff/surgeries/${id}/conversations`,
      {
        area: 'fenland',
        topic: 'communities',
        summary: 'Speeding on the High Street',
        contactName: '',
        contactEmail: '',
      },
      `/staff/surgeries/${id}`,
    );
    expect(logged.statusCode).toBe(303);
    const day = await page.get(`/staff/surgeries/${id}`);
    expect(day.body).toContain('Speeding on the High Street');
    expect(await count(t, 'street_conversation', `surgery_id = '${id}'`)).toBe(1);
    expect(await count(t, 'audit_events', `action = 'surgeries.street.log'`)).toBe(1);
  });
});
