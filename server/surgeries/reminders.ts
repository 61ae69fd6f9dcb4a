/**
 * Day-before reminders, exactly once (docs/rules/surgeries.md §6). A sweep finds due rows; the
 * processor claims one (a lease), then re-checks the booking under its row lock and sends
 * while holding it, so a cancellation waits and no reminder can follow it.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { BookingService } from './booking.js';
import type { SurgeryEmails } from './emails.js';
import type { SurgeriesRepository } from './repository.js';

/** A claim older than this is taken to be a crashed worker's: the reminder is tried again. */
export const REMINDER_LEASE_MS = 10 * 60_000;
/** §6: a send gets 15 s; a hung mail server must not hold the booking's row lock longer. */
export const REMINDER_SEND_TIMEOUT_MS = 15_000;

export function createReminderService(deps: {
  db: Db;
  clock: Clock;
  repo: SurgeriesRepository;
  mail: MailService;
  emails: SurgeryEmails;
  booking: BookingService;
  mailDomain: string;
  /** REMINDER_SEND_TIMEOUT_MS unless a test shortens it. */
  sendTimeoutMs?: number | undefined;
}) {
  const { db, clock, repo, mail, emails, booking } = deps;
  return {
    /** Confirmed, unsent reminders due now whose slot is still ahead. */
    async due(): Promise<string[]> {
      return (await repo.dueReminders(db, clock.now())).map((r) => r.id);
    },

    async send(bookingId: string): Promise<'sent' | 'not-claimed' | 'not-confirmed'> {
      const now = clock.now();
      const claimed = await repo.claimReminder(
        db,
        bookingId,
        now,
        new Date(now.getTime() - REMINDER_LEASE_MS),
      );
      if (!claimed) return 'not-claimed';
      return db.transaction(async (tx) => {
        const row = await repo.booking(tx, bookingId, { lock: true });
        if (!row || row.status !== 'confirmed' || row.reminderSentAt) return 'not-confirmed';
        const place = (await booking.placeOfIn(tx, row.slotId))!;
        if (place.slot.startsAt.getTime() <= clock.now().getTime()) return 'not-confirmed';
        // The email row is committed on its own (the mailer reads it from the pool); a retry
        // after a crash finds it by its Message-ID and sends it again under the same id.
        const messageId = `reminder-${row.id}@${deps.mailDomain}`;
        const emailId =
          (await mail.idByMessageId(messageId)) ?? (await emails.reminder(db, row, place));
        // A timeout throws: the transaction rolls back (no reminder_sent_at), the lock is
        // released and the job retries after the lease, under the same Message-ID.
        await mail.send(emailId, { timeoutMs: deps.sendTimeoutMs ?? REMINDER_SEND_TIMEOUT_MS });
        await repo.updateBooking(tx, row.id, { reminderSentAt: clock.now() });
        return 'sent';
      });
    },
  };
}
export type ReminderService = ReturnType<typeof createReminderService>;
