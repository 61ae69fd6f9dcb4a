/** docs/rules/surgeries.md §11 B1-B4, B14 and bad input: no double booking, by the database. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bookApi, count, createSurgery, personBody, slotBooked } from './helpers.js';

const t = useTestApp();
beforeAll(async () => {
  await t.startWorkers();
});

const emailsFor = (slotId: string) =>
  count(
    t,
    'email_messages',
    `subject_ref in (select id::text from surgery_booking where slot_id = '${slotId}')`,
  );

describe('B1: 200 concurrent bookings for a one-place slot', () => {
  it('gives exactly one 201, 199 × 409 with next free times, booked = 1, one email', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-09' });
    const slot = slots[0]!;
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => bookApi(t, { slotId: slot.id, ...personBody() })),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(199);
    expect(codes.filter((c) => c >= 500)).toHaveLength(0);
    const lost = responses
      .find((r) => r.statusCode === 409)!
      .json<{
        error: { code: string; nextFreeTimes: Array<{ slotId: string }> };
      }>();
    expect(lost.error.code).toBe('surgeries.slot_full');
    expect(lost.error.nextFreeTimes.map((f) => f.slotId)).toEqual(slots.slice(1).map((s) => s.id));
    expect(await slotBooked(t, slot.id)).toBe(1);
    expect(await count(t, 'surgery_booking', `slot_id = '${slot.id}'`)).toBe(1);
    expect(await emailsFor(slot.id)).toBe(1);
    const reference = responses
      .find((r) => r.statusCode === 201)!
      .json<{ reference: string }>().reference;
    await t.sink.waitFor(1);
    await expect
      .poll(() => t.sink.messages.filter((m) => m.parsed.subject?.includes(reference)).length)
      .toBe(1);
  });
});

describe('B2 and the 50-place case', () => {
  it('50 concurrent for a 3-place slot: three 201, 47 × 409, booked = 3', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-10', placesPerSlot: 3 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => bookApi(t, { slotId: slots[0]!.id, ...personBody() })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(47);
    expect(await slotBooked(t, slots[0]!.id)).toBe(3);
  });

  it('200 concurrent for a 50-place slot: exactly 50 bookings and 50 emails, no 5xx', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-11', placesPerSlot: 50 });
    const slot = slots[0]!;
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => bookApi(t, { slotId: slot.id, ...personBody() })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(50);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(150);
    expect(await slotBooked(t, slot.id)).toBe(50);
    expect(await count(t, 'surgery_booking', `slot_id = '${slot.id}'`)).toBe(50);
    expect(await emailsFor(slot.id)).toBe(50);
  });
});

describe('B3: idempotency', () => {
  it('the same key ten times at once makes one booking; all ten answer its reference; one email', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-14', placesPerSlot: 5 });
    const body = { slotId: slots[0]!.id, ...personBody() };
    const key = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => bookApi(t, body, { 'idempotency-key': key })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const refs = new Set(responses.map((r) => r.json<{ reference: string }>().reference));
    expect(refs.size).toBe(1);
    expect(await count(t, 'surgery_booking', `slot_id = '${slots[0]!.id}'`)).toBe(1);
    expect(await slotBooked(t, slots[0]!.id)).toBe(1);
    expect(await emailsFor(slots[0]!.id)).toBe(1);
    const changed = await bookApi(t, { ...body, name: 'Someone Else' }, { 'idempotency-key': key });
    expect(changed.statusCode).toBe(422);
    expect(changed.json<{ error: { code: string } }>().error.code).toBe('idempotency.key_reused');
  });
});

describe('B4: one person, one booking per surgery', () => {
  it('refuses a second slot at the same surgery for the same email (any case), politely', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-15' });
    const me = personBody();
    expect((await bookApi(t, { slotId: slots[0]!.id, ...me })).statusCode).toBe(201);
    const second = await bookApi(t, { slotId: slots[1]!.id, ...me, email: me.email.toUpperCase() });
    expect(second.statusCode).toBe(409);
    expect(second.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'surgeries.already_booked',
      message: 'You already have a booking for this surgery',
    });
    expect(await slotBooked(t, slots[1]!.id)).toBe(0);
  });
});

describe('B14: booking window and minimum notice', () => {
  it('before opening: not offered publicly; POST → 409 with the reason', async () => {
    const { surgery, slots } = await createSurgery(t, {
      date: '2026-12-16',
      bookingOpensAt: '2026-12-01T09:00:00Z',
    });
    const listed = (await t.app.inject({ url: '/api/public/surgeries' })).json<
      Array<{ id: string; slots: unknown[] }>
    >();
    expect(listed.find((s) => s.id === surgery.id)?.slots).toEqual([]);
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('surgeries.not_open_yet');
  });

  it('after closing: 409 surgeries.closed', async () => {
    const { slots } = await createSurgery(t, {
      date: '2026-12-17',
      bookingOpensAt: '2026-11-01T09:00:00Z',
      bookingClosesAt: '2026-11-20T09:00:00Z',
    });
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('surgeries.closed');
  });

  it('inside the minimum notice: the slot is not offered and POST → 409 too_late', async () => {
    // Tomorrow 09:00-10:00 London; now is Monday 10:00, so 09:00 Tuesday is under 24 h away.
    const { surgery, slots } = await createSurgery(t, {
      date: '2026-11-24',
      startTime: '09:00',
      endTime: '11:00',
    });
    const listed = (await t.app.inject({ url: '/api/public/surgeries' })).json<
      Array<{ id: string; slots: Array<{ id: string }> }>
    >();
    const offered = listed.find((s) => s.id === surgery.id)!.slots.map((s) => s.id);
    expect(offered).not.toContain(slots[0]!.id);
    expect(offered).toContain(slots[4]!.id); // 10:00 Tuesday: exactly 24 h ahead
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('surgeries.too_late');
  });
});

describe('bad input: a clear error, no partial booking, no email', () => {
  it.each([
    ['CR/LF in a name', { name: 'Ann\r\nBcc: victim@example.org' }, 'name'],
    ['an over-long name', { name: 'A'.repeat(201) }, 'name'],
    ['an over-long detail', { topicDetail: 'x'.repeat(501) }, 'topicDetail'],
    ['an over-long email', { email: `${'a'.repeat(250)}@example.org` }, 'email'],
  ])('%s', async (_label, overrides, field) => {
    const { slots } = await createSurgery(t, { date: '2026-12-18' });
    const emailsBefore = await count(t, 'email_messages');
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody(overrides) });
    expect(response.statusCode).toBe(400);
    expect(
      Object.keys(response.json<{ error: { fields: Record<string, string> } }>().error.fields),
    ).toContain(field);
    expect(await slotBooked(t, slots[0]!.id)).toBe(0);
    expect(await count(t, 'surgery_booking', `slot_id = '${slots[0]!.id}'`)).toBe(0);
    expect(await count(t, 'email_messages')).toBe(emailsBefore);
  });

  it('a past slot, a closed slot, a full slot and an unknown slot', async () => {
    const { surgery, slots } = await createSurgery(t, { date: '2026-12-21' });
    await t.app.services.surgeries.schedule.closeSlot(
      { id: null, role: 'system', requestId: null },
      surgery.id,
      slots[1]!.id,
    );
    const closed = await bookApi(t, { slotId: slots[1]!.id, ...personBody() });
    expect(closed.statusCode).toBe(409);
    expect(closed.json<{ error: { code: string } }>().error.code).toBe('surgeries.slot_closed');
    expect((await bookApi(t, { slotId: slots[0]!.id, ...personBody() })).statusCode).toBe(201);
    const full = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(full.json<{ error: { code: string } }>().error.code).toBe('surgeries.slot_full');
    const unknown = await bookApi(t, { slotId: crypto.randomUUID(), ...personBody() });
    expect(unknown.statusCode).toBe(404);
    t.clock.set('2026-12-21T15:00:00Z');
    try {
      const past = await bookApi(t, { slotId: slots[2]!.id, ...personBody() });
      expect(past.statusCode).toBe(409);
      expect(past.json<{ error: { code: string } }>().error.code).toBe('surgeries.past');
    } finally {
      t.clock.set('2026-11-23T10:00:00Z');
    }
    expect(await count(t, 'surgery_booking', `surgery_id = '${surgery.id}'`)).toBe(1);
  });
});
