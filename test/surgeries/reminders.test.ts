/** §11 B9-B11: the day-before reminder, exactly once, never after a cancellation. */
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_NOW } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { systemActor } from '../../server/platform/audit.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

const t = useTestApp();
beforeAll(async () => {
  await t.startWorkers();
});

const reminders = () => t.app.services.surgeries.reminders;
const remindersTo = (email: string) =>
  t.sink.messages.filter(
    (m) => m.envelopeTo.includes(email) && (m.parsed.subject ?? '').startsWith('Reminder'),
  );

/** Jobs of these queues still to run or running. */
const jobsLeft = async (...names: Parameters<typeof t.queues.queue>[0][]) => {
  let left = 0;
  for (const name of names) {
    const counts = await t.queues
      .queue(name)
      .getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    left += Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  return left;
};

async function book(date: string, extra: Record<string, unknown> = {}, slotIndex = 0) {
  const { slots } = await createSurgery(t, { date, placesPerSlot: 3, ...extra });
  const me = personBody();
  const response = await bookApi(t, { slotId: slots[slotIndex]!.id, ...me });
  expect(response.statusCode).toBe(201);
  const [row] = await t.db.sql<{ id: string; reminder_due_at: Date | null }[]>`
    select id, reminder_due_at from surgery_booking where email = ${me.email}`;
  return { ...row!, email: me.email };
}

describe('B9: one reminder at the due time', () => {
  it('two sweeps and a duplicate job at once send exactly one, at the due time', async () => {
    t.clock.set(TEST_NOW);
    const booking = await book('2026-12-08');
    expect(new Date(booking.reminder_due_at!).toISOString()).toBe('2026-12-07T14:00:00.000Z');
    t.clock.set('2026-12-07T13:59:00Z');
    expect(await reminders().due()).not.toContain(booking.id);
    t.clock.set('2026-12-07T14:00:00Z');
    expect(await reminders().due()).toContain(booking.id);
    await Promise.all([
      t.queues.add('surgery-reminder-sweep', {}),
      t.queues.add('surgery-reminder-sweep', {}),
      t.queues.add('surgery-reminder', { bookingId: booking.id }, { jobId: `dup-${booking.id}` }),
      reminders().send(booking.id),
    ]);
    await expect.poll(() => remindersTo(booking.email).length, { timeout: 10_000 }).toBe(1);
    // Every sweep and reminder job has run (a sweep queues its reminders before it ends):
    // nothing still to come could send a second one.
    await expect.poll(() => jobsLeft('surgery-reminder-sweep', 'surgery-reminder')).toBe(0);
    expect(remindersTo(booking.email)).toHaveLength(1);
    expect(remindersTo(booking.email)[0]!.messageId).toBe(
      `<reminder-${booking.id}@${t.config.mailDomain}>`,
    );
    expect(remindersTo(booking.email)[0]!.parsed.text).toMatch(
      /\/surgeries\/manage\/[A-Za-z0-9_-]{43}/,
    );
    expect(await reminders().send(booking.id)).toBe('not-claimed');
    t.clock.set(TEST_NOW);
  });

  it('none when cancelled first', async () => {
    t.clock.set(TEST_NOW);
    const booking = await book('2026-12-09');
    await t.app.services.surgeries.booking.cancelById(systemActor(), booking.id, 'person');
    t.clock.set('2026-12-08T14:00:00Z');
    expect(await reminders().due()).not.toContain(booking.id);
    expect(await reminders().send(booking.id)).toBe('not-claimed');
    // Real time on purpose: a negative check, giving a wrongly sent reminder time to arrive.
    await new Promise((r) => setTimeout(r, 500));
    expect(remindersTo(booking.email)).toHaveLength(0);
    t.clock.set(TEST_NOW);
  });

  it('none when booked under 24 hours ahead', async () => {
    t.clock.set(TEST_NOW);
    // Tomorrow 09:00, booked today at 10:00 (23 h ahead), minimum notice one hour.
    const booking = await book('2026-11-24', {
      startTime: '09:00',
      endTime: '10:00',
      minNoticeMinutes: 60,
    });
    expect(booking.reminder_due_at).toBeNull();
    t.clock.set('2026-11-24T08:00:00Z');
    expect(await reminders().due()).not.toContain(booking.id);
    t.clock.set(TEST_NOW);
  });
});

/** Whether a session of this file's database is waiting for a lock another one holds. */
const someoneWaitsForALock = async () => {
  const [row] = await t.db.sql<{ waiting: boolean }[]>`
    select exists (select 1 from pg_stat_activity
                   where datname = current_database()
                     and cardinality(pg_blocking_pids(pid)) > 0) as waiting`;
  return row!.waiting;
};

describe('B10: cancel while the reminder is mid-send', () => {
  it('the reminder goes first, then the cancellation; the cancel waits for it', async () => {
    t.clock.set(TEST_NOW);
    const booking = await book('2026-12-10');
    // The confirmation has gone, so the emails arrive in the order asserted at the end.
    await expect
      .poll(() => t.sink.messages.filter((m) => m.envelopeTo.includes(booking.email)).length)
      .toBe(1);
    t.clock.set('2026-12-09T14:00:00Z');
    // A slow mail server: once the reminder is in, its answer is held, so the send is mid-SMTP
    // under the booking's row lock until the hold is released.
    const held = t.sink.hold(`<reminder-${booking.id}@${t.config.mailDomain}>`);
    // Outcomes are kept, errors included, so a failed send shows as itself below.
    let sent: unknown;
    const sending = reminders()
      .send(booking.id)
      .then(
        (result) => (sent = result),
        (error: unknown) => (sent = error),
      );
    await held.arrived;
    let cancelled: unknown;
    const cancelling = t.app.services.surgeries.booking
      .cancelById(systemActor(), booking.id, 'person')
      .then(
        () => (cancelled = 'cancelled'),
        (error: unknown) => (cancelled = error),
      );
    // The state this test is about: the cancellation waits for the reminder's row lock.
    await expect
      .poll(async () => cancelled ?? ((await someoneWaitsForALock()) ? 'waiting' : 'not yet'))
      .toBe('waiting');
    held.release();
    await cancelling;
    expect(cancelled).toBe('cancelled');
    // The send had finished by the time the cancellation did.
    expect(sent).toBe('sent');
    await sending;
    await expect
      .poll(
        () =>
          t.sink.messages
            .filter((m) => m.envelopeTo.includes(booking.email))
            .map((m) => m.parsed.subject!.split(':')[0]),
        {
          timeout: 10_000,
        },
      )
      .toEqual([
        'Your surgery appointment is booked',
        'Reminder',
        'Your surgery appointment is cancelled',
      ]);
    t.clock.set(TEST_NOW);
  });
});

describe('B11: a worker killed after the claim, before sending', () => {
  it('sends one reminder once the 10-minute lease has passed', async () => {
    t.clock.set(TEST_NOW);
    const booking = await book('2026-12-11');
    t.clock.set('2026-12-10T14:00:00Z');
    // The dead worker's claim: taken, never followed by a send.
    const repo = t.app.services.surgeries.repo;
    expect(await repo.claimReminder(t.db.db, booking.id, t.clock.now(), new Date(0))).toBe(true);
    expect(await reminders().send(booking.id)).toBe('not-claimed');
    t.clock.advance(9 * 60_000);
    expect(await reminders().send(booking.id)).toBe('not-claimed');
    t.clock.advance(2 * 60_000);
    expect(await reminders().send(booking.id)).toBe('sent');
    expect(await reminders().send(booking.id)).toBe('not-claimed');
    await expect.poll(() => remindersTo(booking.email).length).toBe(1);
    t.clock.set(TEST_NOW);
  });
});
