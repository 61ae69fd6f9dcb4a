/**
 * docs/rules/surgeries.md §4: a booking's emails go through the outbox and the shared `email` job with
 * jobId `booking-{id}-{kind}-s{ics_sequence}`, so one confirmation (or cancellation) job is
 * queued per booking, kind and calendar sequence however many times it is asked for.
 */
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../server/platform/audit.js';
import { useTestApp } from '../helpers/fixture.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp();

async function bookingOf(reference: string) {
  const [row] = await t.db.sql<{ id: string }[]>`
    select id from surgery_booking where reference = ${reference}`;
  return row!.id;
}

async function outboxRowsFor(bookingId: string) {
  return t.db.sql<{ id: number; payload: Record<string, unknown>; processed_at: Date | null }[]>`
    select o.id, o.payload, o.processed_at from outbox o
    join email_messages e on o.payload->>'emailId' = e.id::text
    where e.subject_ref = ${bookingId} order by o.id`;
}

describe('booking email jobs', () => {
  it('queues the confirmation once as booking-{id}-booked-s0, even when its outbox row is repeated', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-15' });
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    expect(response.statusCode).toBe(201);
    const bookingId = await bookingOf(response.json<{ reference: string }>().reference);
    const jobId = `booking-${bookingId}-booked-s0`;

    const [row] = await outboxRowsFor(bookingId);
    expect(row!.payload).toMatchObject({ jobId });
    // The same request written twice (a second outbox row for the same email).
    await t.db
      .sql`insert into outbox (topic, payload) select topic, payload from outbox where id = ${row!.id}`;
    expect(await t.relay()).toBe(2);

    const queue = t.queues.queue('email');
    const job = await queue.getJob(jobId);
    expect(job?.data).toMatchObject({ jobId, outboxId: Number(row!.id) });
    const forBooking = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed'])).filter(
      (j) => j.id?.startsWith(`booking-${bookingId}-`) || j.id?.startsWith('outbox-'),
    );
    expect(forBooking.map((j) => j.id)).toEqual([jobId]);

    // The worker sends it once and marks the row that queued it processed.
    const runner = await t.startWorkers();
    await expect.poll(async () => (await outboxRowsFor(bookingId))[0]!.processed_at).not.toBeNull();
    await runner.stop(2000);
    const sent = t.sink.messages.filter((m) => m.parsed.subject?.includes('is booked'));
    expect(sent).toHaveLength(1);
  });

  it('queues the cancellation as booking-{id}-cancel-s1 (the raised sequence)', async () => {
    const { slots } = await createSurgery(t, { date: '2026-12-16' });
    const response = await bookApi(t, { slotId: slots[0]!.id, ...personBody() });
    const bookingId = await bookingOf(response.json<{ reference: string }>().reference);
    await t.app.services.surgeries.booking.cancelById(systemActor(), bookingId, 'office');
    await t.relay();
    const queue = t.queues.queue('email');
    expect(await queue.getJob(`booking-${bookingId}-booked-s0`)).toBeDefined();
    const cancel = await queue.getJob(`booking-${bookingId}-cancel-s1`);
    expect(cancel?.data.emailId).toBeTruthy();
  });
});
