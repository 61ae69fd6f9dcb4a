/**
 * §6: the reminder is sent under the booking's row lock with a 15 s deadline. A mail server
 * that accepts the connection and never answers must not hold the job (or the lock that a
 * cancellation waits for) for nodemailer's minutes-long socket timeout.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { systemActor } from '../../server/platform/audit.js';
import { REMINDER_SEND_TIMEOUT_MS } from '../../server/surgeries/reminders.js';
import { TEST_NOW } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import { bookApi, createSurgery, personBody } from './helpers.js';

/** An SMTP "server" that accepts connections and never sends its greeting. */
const sockets = new Set<net.Socket>();
const silent = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => undefined);
});

/**
 * The silent server wakes up: each connection the app still has open is joined to a real
 * mail server (the app's sink), which greets it. Settles once every joined one has closed.
 */
async function wake(port: number) {
  const open = [...sockets].filter((socket) => !socket.destroyed && !socket.readableEnded);
  await Promise.all(
    open.map((socket) => {
      const server = net.connect(port, '127.0.0.1').on('error', () => undefined);
      socket.pipe(server).pipe(socket);
      return new Promise((resolve) => server.on('close', resolve));
    }),
  );
}

async function bookOn(date: string) {
  const { slots } = await createSurgery(t, { date });
  const me = personBody();
  expect((await bookApi(t, { slotId: slots[0]!.id, ...me })).statusCode).toBe(201);
  const [booking] = await t.db.sql<{ id: string }[]>`
    select id from surgery_booking where email = ${me.email}`;
  return { id: booking!.id, email: me.email };
}

const t = useTestApp({
  before: async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    // The deadline is shortened from 15 s only to keep the test quick; the wiring is the same.
    return { config: { smtpUrl: `smtp://127.0.0.1:${port}`, surgeryReminderSendMs: 300 } };
  },
  after: async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  },
});

describe('reminder send deadline', () => {
  it('is 15 seconds by default', () => {
    expect(REMINDER_SEND_TIMEOUT_MS).toBe(15_000);
  });

  it('gives up on a mail server that never answers, records nothing sent and frees the lock', async () => {
    t.clock.set(TEST_NOW);
    const { slots } = await createSurgery(t, { date: '2026-12-12' });
    const me = personBody();
    expect((await bookApi(t, { slotId: slots[0]!.id, ...me })).statusCode).toBe(201);
    const [booking] = await t.db.sql<{ id: string }[]>`
      select id from surgery_booking where email = ${me.email}`;
    t.clock.set('2026-12-11T14:00:00Z');
    const reminders = t.app.services.surgeries.reminders;

    await expect(reminders.send(booking!.id)).rejects.toThrow(/No answer from the mail server/);
    expect(sockets.size).toBeGreaterThan(0);
    const [after] = await t.db.sql<
      { reminder_sent_at: Date | null; reminder_attempted_at: Date | null }[]
    >`select reminder_sent_at, reminder_attempted_at from surgery_booking where id = ${booking!.id}`;
    expect(after!.reminder_sent_at).toBeNull();
    expect(after!.reminder_attempted_at).not.toBeNull();
    const [email] = await t.db.sql<{ status: string; error: string | null }[]>`
      select status, error from email_messages where message_id = ${`reminder-${booking!.id}@${t.config.mailDomain}`}`;
    expect(email).toMatchObject({ status: 'sending', error: expect.stringMatching(/No answer/) });

    // The row lock was released: a cancellation goes through at once, and no reminder follows.
    await t.app.services.surgeries.booking.cancelById(systemActor(), booking!.id, 'person');
    t.clock.advance(11 * 60_000);
    expect(await reminders.send(booking!.id)).toBe('not-claimed');
    t.clock.set(TEST_NOW);
  });

  it('an attempt it gave up on sends nothing when the mail server answers after the cancellation', async () => {
    t.clock.set(TEST_NOW);
    const booking = await bookOn('2026-12-14');
    t.clock.set('2026-12-13T14:00:00Z');
    const reminders = t.app.services.surgeries.reminders;
    await expect(reminders.send(booking.id)).rejects.toThrow(/No answer from the mail server/);
    await t.app.services.surgeries.booking.cancelById(systemActor(), booking.id, 'person');

    // The mail server answers now: an attempt still going would be greeted and deliver the
    // reminder after the cancellation.
    await wake(t.sink.port);
    const delivered = t.sink.messages.filter((m) => m.envelopeTo.includes(booking.email));
    expect(delivered.map((m) => m.parsed.subject)).toEqual([]);
    t.clock.set(TEST_NOW);
  });
});
